/* cidr.h — IPv4 addresses and subnets: parsing, formatting, overlap. */
#ifndef CAPSA_NET_CIDR_H
#define CAPSA_NET_CIDR_H

#include <stdbool.h>
#include <stdint.h>

struct err;

struct cidr {
	uint32_t addr; /* host byte order, host bits cleared */
	uint8_t prefix;
};

/* "a.b.c.d" -> host-order address; -EINVAL (with a message) if not. */
int ip4_parse(const char *s, uint32_t *out, struct err *e);
/* Format into buf (at least 16 bytes); returns buf. */
char *ip4_format(uint32_t a, char buf[16]);

/* "10.88.0.0/16".  Host bits set ("10.88.0.1/16") and prefixes outside
 * [8, 30] are errors: a container subnet needs a gateway, at least one
 * container address and a broadcast address. */
int cidr_parse(const char *s, struct cidr *out, struct err *e);
/* "a.b.c.d/n" into buf (at least 20 bytes); returns buf. */
char *cidr_format(const struct cidr *c, char buf[20]);

uint32_t cidr_mask(uint8_t prefix);
bool cidr_contains(const struct cidr *c, uint32_t a);
bool cidr_overlap(const struct cidr *a, const struct cidr *b);
/* Number of addresses in the subnet (2^(32-prefix)). */
uint32_t cidr_size(const struct cidr *c);

#endif
