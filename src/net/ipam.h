/* ipam.h — the address allocator of one network: a bitmap file with a
 * cursor, changed only under an flock of the same file, so concurrent
 * starts never get the same address and an allocation costs a few reads
 * from the cursor on (no scan of containers). */
#ifndef CAPSA_NET_IPAM_H
#define CAPSA_NET_IPAM_H

#include <stdint.h>

#include "net/cidr.h"

struct err;

/* Open (creating) and lock the allocator file `path` for `subnet`.
 * Returns a locked fd; closing it unlocks. */
int ipam_open(const char *path, const struct cidr *subnet, struct err *e);

/* Take the next free address (never the network, gateway .1 or
 * broadcast address).  -ENOSPC with a message when the subnet is full. */
int ipam_alloc(int fd, const struct cidr *subnet, uint32_t *out, struct err *e);

/* Give `addr` back; releasing a free address is a no-op. */
int ipam_release(int fd, const struct cidr *subnet, uint32_t addr, struct err *e);

/* Addresses currently handed out. */
int ipam_count(int fd, uint32_t *out, struct err *e);

#endif
