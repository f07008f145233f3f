/* net.h — what the engine calls to give a container its network.
 *
 *   net_plan()      at create: the paths the bundle names, nothing made;
 *   net_setup()     before rt_create() of every start: makes the network namespace (a
 *                   file the spec names as linux.namespaces[network].path),
 *                   the veth, the address, the NAT and port rules, and
 *                   the files to bind at /etc/hosts and /etc/resolv.conf;
 *   net_attach_pid() pasta and slirp4netns only: after rt_create(),
 *                   connect the namespace the runtime made for the init
 *                   `pid` (helper.h);
 *   net_teardown()  when the container stops, is removed, or is found
 *                   dead: removes everything setup made (a next start
 *                   sets it up again, maybe with another address).  Idempotent, so
 *                   the next capsa command can repair after a monitor
 *                   that died.
 *
 * State: <root>/net/<id>.json (the record teardown reads), <id>.netns,
 * <id>.resolv, <id>.hosts (non-bridge modes); networks in network.h.
 */
#ifndef CAPSA_NET_NET_H
#define CAPSA_NET_NET_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "net/ports.h"

struct err;

struct net_opts {
	const char *root;     /* state root */
	const char *id;	      /* container id (full) */
	const char *name;     /* container name, resolvable by the others */
	const char *hostname; /* also resolvable (the short id); may be NULL */
	/* "none", "host", "bridge" (the default network), a network name,
	 * "ns:PATH", "pasta", "slirp4netns" (rootless, or root if asked
	 * for).  "container:X" is the engine's
	 * to resolve into "ns:<that container's netns path>". */
	const char *mode;
	const struct net_port *ports; /* -p; host_port 0 = pick a free port */
	size_t nports;
	const char *host_resolv; /* NULL: /etc/resolv.conf */
};

struct net_result {
	char netns[PATH_MAX]; /* "" = host namespace (mode host) or, with
				 runtime_netns, a new one the runtime makes */
	bool runtime_netns;   /* pasta, slirp4netns: runtime creates it, then
				 net_attach_pid */
	char ip[16];	      /* "" without an address of ours */
	char gateway[16];
	int prefix;
	char hosts[PATH_MAX];	   /* bind at /etc/hosts ("" = keep the image's) */
	char resolv[PATH_MAX];	   /* bind at /etc/resolv.conf */
	struct net_port ports[32]; /* as published (picked host ports filled) */
	size_t nports;
};

/* Is `mode` one net_setup accepts?  (Validation for the CLI.) */
int net_mode_check(const char *root, const char *mode, struct err *e);

int net_setup(const struct net_opts *o, struct net_result *res, struct err *e);

/* What net_setup(mode) will give, without making anything: the paths
 * the bundle names (netns, hosts, resolv) and runtime_netns, after the
 * checks of net_mode_check.  The paths do not change from one setup
 * to the next, so a bundle written once serves every start. */
int net_plan(const char *root, const char *id, const char *mode, struct net_result *res,
	     struct err *e);

/* Rootless default: "pasta" when it is on PATH, else "slirp4netns",
 * else "none" (the caller warns that the container has no network). */
const char *net_rootless_mode(void);

int net_attach_pid(const char *root, const char *id, pid_t pid, struct err *e);

int net_teardown(const char *root, const char *id, struct err *e);

/* A running container's network as inspect shows it, from its record:
 * the mode, and in bridge mode the network, address, prefix and gateway
 * (0 when none), with the published ports.  -ENOENT (no message) when
 * there is no record (not running, or never networked). */
struct net_info {
	char mode[16];
	char network[64];
	uint32_t ip, gateway; /* host order */
	unsigned prefix;
	size_t nports;
	struct net_port ports[32]; /* as many as a record holds (NET_MAX_PORTS) */
};
int net_info(const char *root, const char *id, struct net_info *out, struct err *e);

/* The published ports of a container (capsa port), from its record. */
int net_ports(const char *root, const char *id, struct net_port *out, size_t max, size_t *n,
	      struct err *e);

#endif
