/* reap.c — see reap.h. */
#include "engine/reap.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/error.h"
#include "image/spare.h"
#include "image/store.h"
#include "image/trash.h"
#include "runtime/clone_vm.h"

extern char **environ;

/* The reaper finds the namespace here. */
#define REAP_NS_FD 3

/* The portable way: the caller waits until the reaper's execve is done
 * (~0.4 ms of the caller's time on this project's test VM). */
static void spawn_vfork(const char *self, char *const argv[], int mntns)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	if (posix_spawn_file_actions_init(&fa) != 0)
		return;
	if (posix_spawnattr_init(&at) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return;
	}
	/* Its own session (no terminal, no job-control signals), default
	 * signal handling, an empty mask (run's forwarding blocks some). */
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	int bad = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
						    POSIX_SPAWN_SETSIGDEF) ||
		  posix_spawnattr_setsigmask(&at, &none) ||
		  posix_spawnattr_setsigdefault(&at, &all);
	/* Never our stdout or stderr: `out=$(capsa run --rm …)` must not
	 * wait for the reaper's end of the pipe. */
	bad = bad || posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDWR, 0) ||
	      posix_spawn_file_actions_adddup2(&fa, 0, 1) ||
	      posix_spawn_file_actions_adddup2(&fa, 0, 2) ||
	      (mntns >= 0 && posix_spawn_file_actions_adddup2(&fa, mntns, REAP_NS_FD)) ||
	      posix_spawn_file_actions_addclosefrom_np(&fa, mntns >= 0 ? REAP_NS_FD + 1 : 3);
	pid_t pid;
	if (!bad)
		posix_spawn(&pid, self, &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
}

#if defined(__x86_64__)
/* What the child of spawn_async needs, all in one mapping of its own
 * that the caller never writes again nor unmaps: the child reads it
 * until its execve, possibly after the caller has exited (the address
 * space lives while the child uses it). */
struct reap_child {
	const char *self;
	char *argv[5];
	char *const *envp;
	int mntns;
	char self_buf[PATH_MAX], storage[PATH_MAX];
};

/* The child shares our memory and our thread pointer, so it must not
 * touch errno or any libc state: raw system calls only. */
static long raw4(long n, long a, long b, long c, long d)
{
	long ret;
	register long r10 __asm__("r10") = d;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

static int reap_child(void *arg)
{
	const struct reap_child *c = arg;
	/* No handler of ours may run on this stack: everything blocked
	 * until the execve (which resets the handlers; reap_main unblocks). */
	uint64_t all = ~0ULL;
	raw4(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all, 0, sizeof(all));
	raw4(SYS_setsid, 0, 0, 0, 0);
	/* Background work: only on a CPU nobody else wants, and the disk
	 * likewise (the removal's discards). */
	int prio = 0;
	raw4(SYS_sched_setscheduler, 0, SCHED_IDLE, (long)&prio, 0);
	raw4(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, 3 << 13 /* IOPRIO_CLASS_IDLE */, 0);
	long null = raw4(SYS_open, (long)"/dev/null", O_RDWR | O_CLOEXEC, 0, 0);
	if (null < 0)
		return 127;
	for (long fd = 0; fd < 3; fd++)
		raw4(SYS_dup2, null, fd, 0, 0);
	if (c->mntns == REAP_NS_FD) /* keep it across the execve */
		raw4(SYS_fcntl, REAP_NS_FD, F_SETFD, 0, 0);
	else if (c->mntns >= 0)
		raw4(SYS_dup2, c->mntns, REAP_NS_FD, 0, 0);
	raw4(SYS_close_range, c->mntns >= 0 ? REAP_NS_FD + 1 : 3, ~0U, 0, 0);
	raw4(SYS_execve, (long)c->self, (long)c->argv, (long)c->envp, 0);
	return 127;
}

/* clone3 with CLONE_VM and no CLONE_VFORK: we go on (and may exit) while
 * the child makes its descriptors and execs.  0, or -1 to fall back. */
static int spawn_async(const char *self, const char *storage, int mntns)
{
	const size_t stack = 64 << 10;
	size_t len = sizeof(struct reap_child) + stack;
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	struct reap_child *c = m;
	snprintf(c->self_buf, sizeof(c->self_buf), "%s", self);
	snprintf(c->storage, sizeof(c->storage), "%s", storage ? storage : "-");
	c->self = c->self_buf;
	c->argv[0] = "capsa";
	c->argv[1] = "_reap";
	c->argv[2] = c->storage;
	c->argv[3] = mntns >= 0 ? "3" : NULL;
	c->argv[4] = NULL;
	c->envp = environ;
	c->mntns = mntns;
	struct clone_args ca = {.flags = CLONE_VM,
				.exit_signal = SIGCHLD,
				.stack = (uint64_t)(uintptr_t)(c + 1),
				.stack_size = stack};
	if (clone3_vm(&ca, reap_child, c) < 0) {
		munmap(m, len);
		return -1;
	}
	return 0;
}
#else
static int spawn_async(const char *self, const char *storage, int mntns)
{
	(void)self;
	(void)storage;
	(void)mntns;
	return -1;
}
#endif

void reap_spawn(const char *self, const char *storage, int mntns)
{
	/* A namespace on 0-2 would be lost to /dev/null (never seen). */
	if (mntns >= 0 && mntns <= 2)
		mntns = -1;
	if (spawn_async(self, storage, mntns) == 0)
		return;
	char *argv[] = {"capsa", "_reap", (char *)(storage ? storage : "-"),
			mntns >= 0 ? "3" : NULL, NULL};
	spawn_vfork(self, argv, mntns);
}

int reap_main(int argc, char **argv)
{
	if (argc < 2 || argc > 3)
		return 2;
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* The last reference to the container's mount namespace: its
	 * mounts (the overlay root) are torn down here, in this close. */
	if (argc == 3)
		close(atoi(argv[2]));
	if (strcmp(argv[1], "-") == 0)
		return 0;
	/* Open, never make: a store removed meanwhile stays removed. */
	struct store st = {.dirfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
	if (st.dirfd < 0)
		return 0;
	snprintf(st.root, sizeof(st.root), "%s", argv[1]);
	struct err e = {0};
	int r = trash_empty(&st, &e);
	/* The next start's directory, now that the disk is ours. */
	if (r > 0)
		spare_make(&st, NULL);
	close(st.dirfd);
	return r < 0;
}
