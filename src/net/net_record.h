/* net_record.h — what net_setup made for one container, kept at
 * <root>/net/<id>.json so net_teardown can undo it in any process. */
#ifndef CAPSA_NET_RECORD_H
#define CAPSA_NET_RECORD_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "net/nft.h"
#include "net/ports.h"

struct err;

#define NET_MAX_PORTS 32

struct net_record {
	char mode[16];	  /* none, host, bridge, ns, pasta */
	char network[64]; /* bridge mode: the network's name */
	uint32_t ip;	  /* host order, 0 = none */
	char veth[16];	  /* host end */
	char netns[PATH_MAX];
	bool own_netns; /* made by us: unmount and remove on teardown */
	pid_t helper;	/* pasta's pid, 0 = none */
	size_t nports;
	struct net_port ports[NET_MAX_PORTS];
	struct nft_handle rules[NET_MAX_PORTS][2];
};

/* "<root>/net/<id><suffix>" */
int record_path(const char *root, const char *id, const char *suffix, char *buf, size_t len,
		struct err *e);
int net_record_write(const char *root, const char *id, const struct net_record *r, struct err *e);
/* -ENOENT (no message) when there is none. */
int net_record_read(const char *root, const char *id, struct net_record *r, struct err *e);
int record_remove(const char *root, const char *id, struct err *e);

#endif
