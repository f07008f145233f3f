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

/* Print "capsa-pull: <sub>: <msg>" and return 1. */
int pull_fail(const char *sub, const struct err *e);

#endif
