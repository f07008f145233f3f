/* netns.h — persistent network namespaces: a namespace kept alive by a
 * bind mount of its nsfs inode on a file, so the runtime can join it by
 * path (the spec's linux.namespaces[].path) and teardown can find it. */
#ifndef CAPSA_NET_NETNS_H
#define CAPSA_NET_NETNS_H

struct err;
struct nl;

/* Create a new network namespace bound at `path` (a file that must not
 * exist), with loopback up.  Returns an fd of the namespace (for
 * IFLA_NET_NS_FD and netns_socket) or -errno.  No process is forked: the
 * calling thread unshares, binds and returns to its namespace. */
int netns_create(const char *path, struct err *e);

/* A netlink socket of `proto` inside the namespace `nsfd`. */
int netns_socket(int nsfd, int proto, struct nl *out, struct err *e);

/* Run `fn(arg)` with the calling thread inside namespace `nsfd`. */
int netns_run(int nsfd, int (*fn)(void *), void *arg, struct err *e);

/* Unmount and remove `path`; a missing file is success. */
int netns_remove(const char *path, struct err *e);

#endif
