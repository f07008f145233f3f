/* init.h — the container's init: the cloned child that sets up the
 * container from the inside, in the order the kernel work happens, and
 * finally becomes the user's process with execve(2).  It is not a
 * separate program: clone3 gives it a copy of the runtime's memory, so it
 * reads the parsed spec and the mount plan directly.
 */
#ifndef CAPSA_RUNTIME_INIT_H
#define CAPSA_RUNTIME_INIT_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

struct spec;
struct mount_plan;

#define INIT_MAX_JOIN 8
#define INIT_MAX_CG   16

struct init_args {
	struct spec *spec;
	struct mount_plan *plan;
	const char *rootfs;
	int sync_fd;	  /* the init's end of the sync socket */
	int state_fd;	  /* the runtime's locked state dir: closed at once */
	int parent_sock;  /* the runtime's end of the sync socket: closed at once */
	bool shared_vm;	  /* cloned with CLONE_VM: see sandbox.c */
	int fifo_fd;	  /* O_PATH exec.fifo (create), -1 (run: no wait) */
	int host_proc_fd; /* O_PATH host /proc, to reopen the fifo after the pivot */
	int join_fd[INIT_MAX_JOIN];
	int join_type[INIT_MAX_JOIN];
	size_t n_join; /* namespaces joined by path (setns) */
	/* The `tasks` files of the container's v1 cgroups, opened by the
	 * runtime: the init's first act writes "0" to each (it moves itself,
	 * see cg_open_v1_tasks) and closes them; cg_path names each. */
	int cg_fd[INIT_MAX_CG];
	const char *cg_path[INIT_MAX_CG];
	size_t n_cg;
	int unshare_flags;     /* namespaces created after setns(user) */
	bool wait_configured;  /* wait for SYNC_IDMAP_DONE (id maps, cgroups) */
	bool userns;	       /* the container has a user namespace */
	bool new_userns;       /* ... a new one, whose maps the runtime writes */
	bool setgroups_denied; /* its gid map was written with setgroups "deny" */
	bool hooks_sync;       /* prestart/createRuntime hooks: SYNC_HOOKS round trip */
	bool container_hooks;  /* createContainer/startContainer hooks exist */
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds;
	bool time_in_child;   /* create the time namespace and set its offsets */
	bool fork_after_join; /* fork into pid/time namespaces made by unshare */
	/* Until the start the init runs on the runtime's CPU (sandbox.c,
	 * pin): then it takes back the runtime's own CPUs, `cpus`. */
	bool pinned;
	cpu_set_t cpus;
};

/* Runs in the child; never returns.  Failures go to the runtime as
 * SYNC_ERROR with the exit status the runtime should report. */
void init_main(struct init_args *a) __attribute__((noreturn));

#endif
