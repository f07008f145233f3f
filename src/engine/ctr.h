/* ctr.h — the container lifecycle as `capsa` commands drive it: create
 * (ID, name, bundle, record), start in the foreground or under a
 * monitor, stop, kill, wait, remove, and the repair of records whose
 * owner died (a kill -9 of capsa or of the monitor).
 *
 * Locks: the container's own lock around every read-modify-write of its
 * record, never while waiting for a process; the global lock only
 * inside names_*.
 */
#ifndef CAPSA_ENGINE_CTR_H
#define CAPSA_ENGINE_CTR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "engine/ids.h"
#include "engine/record.h"

struct err;
struct ctr_store;
struct run_opts;
struct bundle_image;

/* Exit statuses, as docker's. */
#define EXIT_ENGINE	 125 /* capsa's own error */
#define EXIT_NOEXEC	 126 /* command cannot be run */
#define EXIT_NOTFOUND	 127 /* command not found */
#define STOP_TIMEOUT_DEF 10

/* Make the container: ID, name (reserved), bundle, record "created".
 * `owner` > 0 (a foreground `capsa run`: its own pid): the one record
 * write says running with that owner, and the network is set up, for
 * ctr_run_created; when the network fails the record says so (exited
 * 125), and with --rm nothing is left.  `config` (may be NULL): a
 * malloc'd copy of the config.json written, for ctr_run_created or
 * ctr_start_detached in this process (the runtime then need not read it
 * back); NULL after a failure. */
int ctr_create(struct ctr_store *s, const struct run_opts *o, const struct bundle_image *img,
	       char id[ID_HEX + 1], pid_t owner, char **config, size_t *config_len, struct err *e);

/* Run it here, stdio and signals ours (-t: a pty proxied to ours);
 * *status is the container's exit status.  Records the exit; --rm
 * removes the container afterwards. */
int ctr_run_foreground(struct ctr_store *s, const char *id, int *status, struct err *e);

/* The same for a container ctr_create made with this process as owner;
 * `config` (`config_len` bytes) is the config.json ctr_create gave, or
 * NULL. */
int ctr_run_created(struct ctr_store *s, const struct run_opts *o, const char *id,
		    const char *config, size_t config_len, int *status, struct err *e);

/* Start it under a monitor and return once it runs (or failed: then
 * *status is 125/126/127 and `e` says why).  `config`: as for
 * ctr_run_created, from ctr_create, or NULL (read from the bundle). */
int ctr_start_detached(struct ctr_store *s, const char *id, const char *config, size_t config_len,
		       int *status, struct err *e);

/* The record, repaired first if its owner died. */
int ctr_load(struct ctr_store *s, const char *id, struct record *r, struct err *e);

/* A running container as the runtime sees it: true while its init
 * lives, with its host pid and whether it is paused (either may be NULL). */
bool ctr_live(struct ctr_store *s, const char *id, pid_t *pid, bool *paused);

/* Send a signal to the init (all: every process). */
int ctr_kill(struct ctr_store *s, const char *id, int sig, struct err *e);

/* The stop signal, then SIGKILL after `timeout` seconds (<0: the
 * container's own); returns once the exit is recorded. */
int ctr_stop(struct ctr_store *s, const char *id, int timeout, struct err *e);

/* Wait for it to exit; *code is its exit code. */
int ctr_wait(struct ctr_store *s, const char *id, int *code, struct err *e);

/* Remove it (force: kill it first if it runs). */
int ctr_remove(struct ctr_store *s, const char *id, bool force, struct err *e);

/* Drop everything of a container that is no longer running: its name,
 * its root filesystem from an image, its directory.  No lock held. */
void ctr_discard(struct ctr_store *s, const struct record *r);

/* The monitor's entry (the hidden command `capsa _monitor`). */
int monitor_main(int argc, char **argv);

#endif
