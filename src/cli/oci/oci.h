/* oci.h — the runc-compatible command line: global flags, and one
 * function per command (one file each). */
#ifndef CAPSA_CLI_OCI_H
#define CAPSA_CLI_OCI_H

#include <stdbool.h>

#include "cli/usage.h" /* oci_usage: message, hint, exit status 1 (as runc) */

struct err;

struct oci_global {
	const char *root; /* --root, or the default state root */
	const char *log_path;
	bool log_json;
	bool debug;
	bool systemd_cgroup;
	bool no_cgroup; /* --cgroup-manager=disabled */
};

/* Report `e` on stderr and, with --log, in the log file (runc's format:
 * containerd reads the last error from there).  Returns `status`. */
int oci_fail(const struct oci_global *g, const struct err *e, int status);


/* True if argv holds -h/--help; then the command prints its usage. */
bool oci_wants_help(int argc, char **argv);

int oci_cmd_spec(struct oci_global *g, int argc, char **argv);
int oci_cmd_create(struct oci_global *g, int argc, char **argv);
int oci_cmd_run(struct oci_global *g, int argc, char **argv);
int oci_cmd_start(struct oci_global *g, int argc, char **argv);
int oci_cmd_state(struct oci_global *g, int argc, char **argv);
int oci_cmd_kill(struct oci_global *g, int argc, char **argv);
int oci_cmd_delete(struct oci_global *g, int argc, char **argv);
int oci_cmd_list(struct oci_global *g, int argc, char **argv);
int oci_cmd_ps(struct oci_global *g, int argc, char **argv);
int oci_cmd_exec(struct oci_global *g, int argc, char **argv);
int oci_cmd_features(struct oci_global *g, int argc, char **argv);
int oci_cmd_pause(struct oci_global *g, int argc, char **argv);
int oci_cmd_resume(struct oci_global *g, int argc, char **argv);
int oci_cmd_update(struct oci_global *g, int argc, char **argv);
int oci_cmd_events(struct oci_global *g, int argc, char **argv);

#endif
