/* record.h — what the engine knows about one container, as users see it
 * (containers/<id>/record.json, written atomically under the
 * container's lock).
 *
 * The runtime's own state (<root>/oci/<id>/) says whether the init is
 * alive; the record says what the user asked for and what happened:
 * created, running (with the process that waits for it: the monitor of
 * a detached container or the foreground `capsa run`), exited (code,
 * time, OOM kill).
 */
#ifndef CAPSA_ENGINE_RECORD_H
#define CAPSA_ENGINE_RECORD_H

#include <stdbool.h>
#include <sys/types.h>

#include "engine/ids.h"

struct err;

enum ctr_state { CS_CREATED, CS_RUNNING, CS_EXITED };

struct record {
	char id[ID_HEX + 1];
	char *name;
	char *image;			    /* reference, or NULL for --rootfs */
	char *rootfs;			    /* the root directory given or prepared */
	char *storage;			    /* the image store holding the root (images only) */
	char **command;			    /* process.args as shown by ps */
	char *created, *started, *finished; /* RFC 3339 or NULL */
	enum ctr_state state;
	int exit_code;
	bool oom_killed;
	bool auto_remove; /* --rm */
	bool tty, interactive;
	int stop_signal;
	int stop_timeout;		/* seconds */
	pid_t owner;			/* monitor or foreground capsa */
	unsigned long long owner_start; /* its start time, against pid reuse */
	pid_t pid;			/* the container's init (host pid) */
	char *error;			/* why the last start failed, or NULL */
	long long log_max;		/* rotate the log at this size (bytes) */
};

const char *ctr_state_name(enum ctr_state s);

void record_free(struct record *r);

/* Read and write record.json in the container's directory. */
int record_read(int dirfd, const char *id, struct record *r, struct err *e);
int record_write(int dirfd, const struct record *r, struct err *e);

/* True if the owner (monitor / foreground capsa) still lives. */
bool record_owner_alive(const struct record *r);

/* "5 seconds ago" for an RFC 3339 time. */
void record_ago(const char *t, char *buf, size_t len);

/* "Up" / "Exited (N) ..." style status for ps. */
void record_status_line(const struct record *r, char *buf, size_t len);

#endif
