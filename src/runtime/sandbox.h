/* sandbox.h — the runtime's side of bringing a container up: namespaces
 * to join, clone3 into new ones, the user namespace maps, and the
 * conversation with the init (hooks, terminal) until it is ready.
 * Internal to runtime/: container.c drives it.
 */
#ifndef CAPSA_RUNTIME_SANDBOX_H
#define CAPSA_RUNTIME_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

struct err;
struct spec;
struct rt_state;
struct rt_create_opts;
struct cgroup;

struct launch {
	/* in */
	const struct rt_create_opts *o;
	struct spec *spec;
	struct rt_state *st; /* id, bundle, annotations; pid filled in */
	int dirfd;	     /* the container's state dir, locked */
	bool run_mode;	     /* no exec fifo; the init shares our memory until it execs */
	bool keep_pty;	     /* run in the foreground without a console socket */
	struct cgroup *cg;   /* the container's cgroup, made and limited; NULL: none */
	/* out */
	pid_t pid;
	int pidfd;
	int sock; /* the runtime's end of the sync socket */
	int pty_master;
	void *mem;   /* init args and mount plan: they live until the init execs */
	void *stack; /* the init's stack when it shares our address space */
	size_t stack_size;
	bool pinned; /* to one CPU until the start: launch_unpin */
};

/* Clone the init and see it through setup.  On success the init waits
 * for start; on failure it is killed and reaped and `e` has the cause
 * (and l->pid stays 0). */
int launch_container(struct launch *l, int *status, struct err *e);

/* Kill and reap a launched init, close what launch holds. */
void launch_abort(struct launch *l);

/* Release the fds of a successful launch. */
void launch_close(struct launch *l);

/* Give the runtime back the CPUs it had before the launch (see
 * sandbox.c, pin): once the init has been told to start.  Idempotent;
 * launch_close and launch_abort do it as well. */
void launch_unpin(struct launch *l);

/* Wait for the process behind `pidfd` (our child) while passing on the
 * signals a user sends to a foreground runtime (INT, TERM, HUP, QUIT,
 * USR1, USR2, CONT, WINCH).  *status: exit code, or 128+N for signal N. */
int wait_forwarding(int pidfd, int *status);

/* Write `pid` to `path` atomically (no newline, as runc); NULL: nothing. */
int write_pid_file(const char *path, pid_t pid, struct err *e);

#endif
