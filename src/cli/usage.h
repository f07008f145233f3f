/* usage.h — the one usage-error reporter of every command family.  Each
 * family keeps the wording and exit status its users' tools expect:
 *
 *   engine (docker):  "capsa CMD: MSG\nSee 'capsa CMD --help'."      125
 *   image:            "capsa CMD: usage error: MSG (see capsa CMD --help)"  2
 *   oci (runc):       "capsa oci CMD: MSG (see capsa oci CMD --help)"  1
 *
 * eng_usage, cli_usage and oci_usage are the families' short names for
 * it. */
#ifndef CAPSA_CLI_USAGE_H
#define CAPSA_CLI_USAGE_H

enum usage_family { USAGE_ENGINE, USAGE_IMAGE, USAGE_OCI };

/* Print the usage error for `cmd` of `family` on stderr; returns the
 * family's exit status. */
int cli_usage_error(enum usage_family family, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define eng_usage(cmd, ...) cli_usage_error(USAGE_ENGINE, (cmd), __VA_ARGS__)
#define oci_usage(cmd, ...) cli_usage_error(USAGE_OCI, (cmd), __VA_ARGS__)
#define cli_usage(cmd, msg) cli_usage_error(USAGE_IMAGE, (cmd), "%s", (msg))

#endif
