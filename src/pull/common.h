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

/* Rootless: become root of a new user namespace with the caller's id
 * mapping (base/subid.h): the user as 0 and, when /etc/subuid and
 * /etc/subgid give ranges, those as 1…N (written by newuidmap/newgidmap),
 * so layer files land owned by the mapped host ids.  Without ranges,
 * owners other than 0 are squashed by the unpacker with one warning.
 * First checks (and records) the mapping of store `s`
 * (store_idmap_check).  As root only the check. */
int pull_enter_userns(struct store *s, struct err *e);

/* Not real root (in the initial user namespace): device nodes are refused
 * and opaque directories get the user.overlay.* xattr. */
int pull_is_rootless(void);

/* Print "capsa-pull: <sub>: <msg>" and return 1. */
int pull_fail(const char *sub, const struct err *e);

#endif
