/* ports.h — published ports: "-p [IP:]HOSTPORT:CONTAINERPORT[/tcp|udp]"
 * parsing, and a check that the host port is free. */
#ifndef CAPSA_NET_PORTS_H
#define CAPSA_NET_PORTS_H

#include <stdint.h>

struct err;

struct net_port {
	uint8_t proto;	    /* IPPROTO_TCP or IPPROTO_UDP */
	uint32_t host_ip;   /* host order; 0 = every local address */
	uint16_t host_port; /* 0 = pick a free one (-P) */
	uint16_t ctr_port;
};

/* Parse one -p value.  "8080:80", "127.0.0.1:8080:80/udp", "80" (host
 * port chosen at setup). */
int port_parse(const char *spec, struct net_port *out, struct err *e);

/* "0.0.0.0:8080->80/tcp" into buf (at least 48 bytes). */
char *port_format(const struct net_port *p, char buf[48]);

/* Fail with "port 8080/tcp: address already in use" if something on the
 * host holds the port; with host_port 0, pick a free one into *p. */
int port_check_free(struct net_port *p, struct err *e);

#endif
