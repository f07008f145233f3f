/* helper.h — the user-mode network programs of rootless containers:
 * pasta (Debian package passt) and slirp4netns.  Each connects the
 * network namespace of a container's init to the host through sockets
 * it owns (no privilege), forwards the published ports, and maps the
 * gateway address to the host's loopback.  It lives as long as the
 * container; teardown stops it by the pid kept in the net record. */
#ifndef CAPSA_NET_HELPER_H
#define CAPSA_NET_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "net/ports.h"

struct err;

/* The first executable `name` on PATH into buf; -ENOENT if none. */
int helper_find(const char *name, char *buf, size_t len);

/* Start helper `mode` ("pasta" or "slirp4netns") for the namespaces of
 * `pid`, forwarding `ports`; returns once the namespace is configured,
 * with the helper's pid in *helper.  `state_dir` (an existing
 * directory) holds its transient files (pid file, API socket), named
 * after `id`, and removed before this returns. */
int helper_start(const char *mode, const char *state_dir, const char *id,
		 const struct net_port *ports, size_t nports, pid_t pid, pid_t *helper,
		 struct err *e);

/* Is `pid` still helper `mode` (not a recycled pid)?  By its argv[0]. */
bool helper_is(pid_t pid, const char *mode);

#endif
