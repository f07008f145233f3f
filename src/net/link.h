/* link.h — rtnetlink operations on interfaces, addresses and routes,
 * over a socket bound to one network namespace (nl.h). */
#ifndef CAPSA_NET_LINK_H
#define CAPSA_NET_LINK_H

#include <stdint.h>

struct nl;
struct err;

/* Interface index of `name`, or -ENODEV. */
int link_index(struct nl *n, const char *name);
/* MTU of interface `index` (> 0) or -errno. */
int link_mtu(struct nl *n, int index);

/* Create a bridge; -EEXIST if one of that name exists. */
int link_bridge_add(struct nl *n, const char *name, struct err *e);

/* A veth pair: `host` here, enslaved to `master` (index, 0 for none),
 * and `peer` created directly in the namespace `peer_nsfd`.  Both get
 * `mtu` (0 for the default). */
int link_veth_add(struct nl *n, const char *host, int master, const char *peer, int peer_nsfd,
		  int mtu, struct err *e);

/* Bring an interface up. */
int link_up(struct nl *n, int index, struct err *e);

/* The same without IPv6 address autoconfiguration on it (address
 * generation mode none): no link-local address, so no duplicate
 * address detection, router solicitation or MLD work in the kernel's
 * workqueues for each new interface.  IPv4 is all capsa's networks
 * carry; a kernel without IPv6 gets a plain link_up. */
int link_up_noaddrconf(struct nl *n, int index, struct err *e);

/* Delete `name`; a missing interface is success. */
int link_del(struct nl *n, const char *name, struct err *e);

/* Add a host-order IPv4 address/prefix to interface `index`; an address
 * already present is success. */
int addr_add(struct nl *n, int index, uint32_t addr, uint8_t prefix, struct err *e);

/* Default route via the host-order gateway `gw`. */
int route_add_default(struct nl *n, uint32_t gw, struct err *e);

#endif
