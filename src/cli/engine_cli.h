/* engine_cli.h — what the engine's command files share: opening the
 * store, finding a container, and reporting errors the docker way
 * ("capsa CMD: message", exit 125 for usage and capsa's own errors in
 * run/create/start/exec, 1 for a failed operation elsewhere). */
#ifndef CAPSA_CLI_ENGINE_CLI_H
#define CAPSA_CLI_ENGINE_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/usage.h" /* eng_usage */
#include "engine/ids.h"

struct err;
struct ctr_store;

/* Open the store (--root / CAPSA_ROOT ...); 0 or an error printed. */
int cli_store(const char *cmd, struct ctr_store *s);

/* "capsa CMD: MSG" on stderr; returns `status`. */
int cli_fail(const char *cmd, const struct err *e, int status);


/* A -t/--time value (stop, restart): whole seconds, 0 to 2^30, into
 * *out.  Returns 0, or prints the usage error and returns its status. */
int cli_time_arg(const char *cmd, const char *arg, int *out);

/* -h/--help anywhere before "--". */
bool cli_wants_help(int argc, char **argv);

/* Run `fn` on every container named by argv[first..]: prints the
 * argument on success (as docker does for stop/kill/rm), reports
 * failures; returns 0 if all succeeded, else 1. */
int cli_each(const char *cmd, struct ctr_store *s, int argc, char **argv, int first, bool echo,
	     int (*fn)(struct ctr_store *s, const char *id, void *arg, struct err *e), void *arg);

#endif
