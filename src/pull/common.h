/* common.h — what capsa-pull's subcommands share: the --storage option
 * and the host platform in OCI words. */
#ifndef CAPSA_PULL_COMMON_H
#define CAPSA_PULL_COMMON_H

struct err;
struct store;

/* Take "--storage DIR" from argv[1..] (removing it) and open the store.
 * Returns 0, or prints the error and returns an exit code. */
int pull_open_store(int *argc, char **argv, struct store *s);

/* "amd64", "arm64", … for the machine we run on. */
const char *host_arch(void);

/* Rootless: become root of a new user namespace that maps only our own
 * uid and gid, so layer files owned by 0:0 are written with chown
 * succeeding (they land as the user on disk and read back as root in a
 * rootless container); other owners are squashed by the unpacker.  No-op
 * as root. */
int pull_enter_userns(struct err *e);

/* Not real root (in the initial user namespace): device nodes are refused
 * and opaque directories get the user.overlay.* xattr. */
int pull_is_rootless(void);

/* Print "capsa-pull: <sub>: <msg>" and return 1. */
int pull_fail(const char *sub, const struct err *e);

#endif
