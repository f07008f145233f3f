/* userns.h — entering a user namespace with a rootless id mapping
 * (subid.h), and doing work in one.
 *
 * The single mapping ("0 uid 1") is written directly.  Subordinate ranges
 * need the setuid helpers newuidmap/newgidmap, which must run outside the
 * new namespace on its process: userns_enter forks a child before
 * unshare(CLONE_NEWUSER), wakes it over a pipe once the namespace exists,
 * and waits for it to have written both maps.
 *
 * Rootless files owned by subordinate ids can only be removed, read or
 * chowned from inside such a namespace: userns_run and userns_rm_rf_at
 * do that in a child process, as `podman unshare` does.
 */
#ifndef CAPSA_BASE_USERNS_H
#define CAPSA_BASE_USERNS_H

#include <sys/types.h>

struct err;
struct id_mapping;
struct id_range;

/* Run newuidmap or newgidmap (`helper`) for process `pid` with `n` lines. */
int idmap_run_helper(const char *helper, pid_t pid, const struct id_range *m, size_t n,
		     struct err *e);

/* Make the calling (single-threaded) process root of a new user
 * namespace with mapping `m`.  No-op for real root. */
int userns_enter(const struct id_mapping *m, struct err *e);

/* In a child process inside a new user namespace with mapping `m`:
 * fn(arg, e).  Its error comes back in `e`.  Returns fn's result. */
int userns_run(const struct id_mapping *m, int (*fn)(void *arg, struct err *e), void *arg,
	       struct err *e);

/* rm_rf_at (fs.h), and when that is refused rootless with subordinate
 * ranges, again inside the user namespace.  Returns 0 or -errno. */
int userns_rm_rf_at(int dirfd, const char *name);

#endif
