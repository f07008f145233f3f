/* state.h — a container's runtime state on disk.
 *
 * <root>/<id>/ holds state.json (written once per change through a
 * temporary name and rename) and, between create and start, exec.fifo.
 * The directory itself is the per-container lock (flock): create holds it
 * until the container is set up, start/kill/delete take it.
 *
 * Status is not trusted from the file alone: a container whose init died
 * is "stopped" whatever the file says (the pid and its start time are
 * checked, so a recycled pid is not mistaken for the container).
 */
#ifndef CAPSA_RUNTIME_STATE_H
#define CAPSA_RUNTIME_STATE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

struct err;

enum rt_status { ST_CREATING, ST_CREATED, ST_RUNNING, ST_PAUSED, ST_STOPPED };

const char *rt_status_name(enum rt_status s);

struct rt_state {
	char *id;
	pid_t pid;
	unsigned long long pid_start; /* /proc/PID/stat starttime, 0 unknown */
	char *bundle;
	char *rootfs;
	char *created; /* RFC 3339, UTC, nanoseconds */
	uid_t owner;
	json_object *annotations; /* object or NULL */
	int ns_flags;		  /* namespaces the container created (CLONE_NEW*) */
	bool has_state;		  /* state.json existed */
};

void rt_state_free(struct rt_state *s);

/* The default --root: /run/capsa/oci as root, $XDG_RUNTIME_DIR/capsa/oci
 * (or /tmp/capsa-UID/oci) otherwise; CAPSA_ROOT replaces /run/capsa. */
char *state_default_root(void);

/* Container IDs: 1..1024 bytes of [A-Za-z0-9_+.-], not "." or "..". */
int state_check_id(const char *id, struct err *e);

/* Make <root>/<id>, locked.  EEXIST -> "container ID already exists". */
int state_create_dir(const char *root, const char *id, int *dirfd, struct err *e);

/* Open and lock <root>/<id>.  ENOENT -> "container ID does not exist". */
int state_open(const char *root, const char *id, bool lock, int *dirfd, struct err *e);

/* Read state.json (missing file: has_state false, not an error). */
int state_read(int dirfd, const char *id, struct rt_state *s, struct err *e);
int state_write(int dirfd, const struct rt_state *s, struct err *e);

/* Remove <root>/<id> and everything in it. */
int state_remove(const char *root, const char *id, struct err *e);

/* Current status (checks the process; needs dirfd for the fifo). */
enum rt_status state_status(int dirfd, const struct rt_state *s);

/* The OCI state document; `full` adds runc's rootfs/created/owner. */
json_object *state_to_json(const struct rt_state *s, enum rt_status st, bool full);

/* starttime of PID from /proc (0 if the process is gone). */
unsigned long long proc_start_time(pid_t pid);

/* A pidfd for the container's init if it is still the same process. */
int state_pidfd(const struct rt_state *s);

/* Current time as RFC 3339 with nanoseconds, UTC. */
void rfc3339_now(char buf[64]);
/* The same for a given time (UTC, nanoseconds). */
struct timespec;
void rfc3339_from(const struct timespec *ts, char buf[64]);
/* The wall clock, as clock_gettime(CLOCK_REALTIME) gives it, but through
 * the system call (see state.c): for the time on the start path. */
void realtime_now(struct timespec *ts);

#define STATE_FIFO "exec.fifo"
#define STATE_FILE "state.json"

#endif
