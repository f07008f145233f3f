/* ctr_net.h — a container's network across its life, as the engine
 * drives the net layer (net/net.h):
 *
 *   create: ctr_net_plan() resolves the mode (the default: bridge as
 *           root; rootless pasta when installed, else slirp4netns,
 *           else none with a warning), adds -P's ports from the image, checks, and saves
 *           the request as <container dir>/net.json; the bundle names
 *           the paths net_plan gives;
 *   start:  ctr_net_up() sets the network up from net.json (stale state
 *           of an earlier run first goes);
 *   exit:   ctr_net_down() releases it all (address, veth, rules, port
 *           claims, pasta or slirp4netns) — at every stop, not only
 *           at rm;
 *   pasta, slirp4netns: the bundle's createRuntime hook runs `capsa
 *           _net_attach ROOT ID` (ctr_net_attach_main), which connects
 *           the helper to the namespace the runtime made for the init.
 */
#ifndef CAPSA_ENGINE_CTR_NET_H
#define CAPSA_ENGINE_CTR_NET_H

#include <json-c/json.h>
#include <stdbool.h>

#include "net/net.h"

struct err;
struct ctr_store;
struct run_opts;

/* The mode a container gets without --network. */
const char *ctr_net_default(bool rootless);

/* At create: fills `res` for the bundle and returns 1 when the
 * container has a network of capsa's (0: none or host: nothing to set
 * up).  `exposed` ("80/tcp" ..., NULL-terminated, may be NULL) are the
 * image's ports for -P. */
int ctr_net_plan(struct ctr_store *s, int dirfd, const struct run_opts *o, const char *id,
		 char **exposed, struct net_result *res, struct err *e);

/* The mode a container was created with (bridge, pasta, ...; "none" or
 * "host" from `spec`, its config.json as the caller has it parsed, or
 * NULL), into `buf`. */
void ctr_net_mode(struct ctr_store *s, const char *id, json_object *spec, char *buf, size_t len);

/* Before the runtime starts the container (its record locked by the
 * caller through `dirfd`). */
int ctr_net_up(struct ctr_store *s, int dirfd, const char *id, const char *name, struct err *e);

/* Once it no longer runs.  Idempotent; warns on stderr. */
void ctr_net_down(struct ctr_store *s, const char *id);

/* `capsa _net_attach ROOT ID`, with the runtime's state on stdin. */
int ctr_net_attach_main(int argc, char **argv);

#endif
