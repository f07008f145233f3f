/* network.h — named networks: their configuration under the state root
 * (<root>/networks/<name>/config.json, with the address allocator
 * "ipam", the members list and the shared hosts file beside it). */
#ifndef CAPSA_NET_NETWORK_H
#define CAPSA_NET_NETWORK_H

#include <stddef.h>
#include <stdint.h>

#include "net/cidr.h"

struct err;

#define NET_DEFAULT_NAME   "capsa"
#define NET_DEFAULT_BRIDGE "capsa0"
#define NET_DEFAULT_SUBNET "10.88.0.0/16"
#define NET_NAME_MAX	   64

struct network {
	char name[NET_NAME_MAX];
	struct cidr subnet;
	uint32_t gateway; /* host order, subnet + 1 */
	char bridge[16];
};

/* "<root>/networks/<name>" (or the directory itself when name is NULL). */
int network_path(const char *root, const char *name, const char *file, char *buf, size_t len,
		 struct err *e);

/* A name docker would accept: [A-Za-z0-9][A-Za-z0-9_.-]*, < 64 bytes. */
int network_name_check(const char *name, struct err *e);

/* Load `name`; the default network is made on first use.  -ENOENT with
 * "network NAME: no such network" otherwise. */
int network_load(const char *root, const char *name, struct network *out, struct err *e);

/* Create a network.  `subnet` NULL picks the first free 10.89.N.0/24.
 * Errors: bad name or CIDR, the name taken, a subnet that overlaps
 * another network's.  Nothing is left behind on error. */
int network_create(const char *root, const char *name, const char *subnet, struct network *out,
		   struct err *e);

/* Every network, default included (made if missing); free() *out. */
int network_list(const char *root, struct network **out, size_t *n, struct err *e);

/* Containers attached: count, and lines "IP ID NAME\n" (free()d by the
 * caller) when `members` is not NULL. */
int network_members(const char *root, const char *name, uint32_t *count, char **members,
		    struct err *e);

/* Remove a network with no containers, and its bridge.  The default
 * network cannot be removed. */
int network_remove(const char *root, const char *name, struct err *e);

#endif
