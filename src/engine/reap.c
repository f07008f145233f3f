/* reap.c — see reap.h. */
#include "engine/reap.h"

#include <fcntl.h>
#include <stdbool.h>
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

/* The reaper finds the namespace here (and the no-exec one its pipe). */
#define REAP_NS_FD   3
#define REAP_WAIT_FD 4

/* The portable way: the caller waits until the reaper's execve is done
 * (~0.4 ms of the caller's time on this project's test VM). */
static void spawn_vfork(char *const argv[], int mntns)
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
		posix_spawn(&pid, "/proc/self/exe", &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
}

/* The reaper's work, in the reaper: the last reference to the
 * container's mount namespace goes (`ns`, -1 none: its mounts, the
 * overlay root, are torn down in this close), then the trash of the
 * store at `storage` (NULL none) is emptied and its spare made. */
static int reap_work(const char *storage, int ns)
{
	if (ns >= 0)
		close(ns);
	if (!storage)
		return 0;
	/* Open, never make: a store removed meanwhile stays removed. */
	struct store st;
	struct err e = {0};
	if (store_attach(&st, storage, &e) < 0)
		return 0;
	int r = trash_empty(&st, &e);
	/* The next start's directory, now that the disk is ours. */
	if (r > 0)
		spare_make(&st, NULL);
	close(st.dirfd);
	return r < 0;
}

#if defined(__x86_64__)
/* The child of spawn_async shares our memory until we are gone.  What
 * it needs is all in one mapping of its own that we never write again
 * nor unmap (the address space lives while the child uses it), with its
 * stack: room for trash_empty's walk of a deep tree. */
#define CHILD_STACK	(1UL << 20)
#define REAP_WATCHDOG_S 600
struct reap_child {
	int mntns;		/* ours, or -1 */
	int wait;		/* the read end of our pipe */
	char storage[PATH_MAX]; /* "" none */
};

/* Before we are gone the child shares our memory and our thread
 * pointer, so it must not touch errno or any libc state: raw system
 * calls only. */
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
	/* No handler of ours may run on this stack. */
	uint64_t all = ~0ULL;
	raw4(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all, 0, sizeof(all));
	long null = raw4(SYS_open, (long)"/dev/null", O_RDWR | O_CLOEXEC, 0, 0);
	if (null < 0)
		return 127;
	for (long fd = 0; fd < 3; fd++)
		raw4(SYS_dup2, null, fd, 0, 0);
	/* Our copies of the caller's descriptors go first, before the idle
	 * priority below can delay us: a lock or a terminal among them is
	 * not ours to hold.  spawn_async put the two we keep above 4. */
	raw4(SYS_dup2, c->wait, REAP_WAIT_FD, 0, 0);
	if (c->mntns >= 0)
		raw4(SYS_dup2, c->mntns, REAP_NS_FD, 0, 0);
	else
		raw4(SYS_close, REAP_NS_FD, 0, 0, 0);
	raw4(SYS_close_range, REAP_WAIT_FD + 1, ~0U, 0, 0);
	raw4(SYS_setsid, 0, 0, 0, 0);
	/* Background work: only on a CPU nobody else wants, and the disk
	 * likewise (the removal's discards). */
	int prio = 0;
	raw4(SYS_sched_setscheduler, 0, SCHED_IDLE, (long)&prio, 0);
	raw4(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, 3 << 13 /* IOPRIO_CLASS_IDLE */, 0);
	/* The pipe's other end closes when the caller is gone: its exit
	 * closes its files after it has let go of the address space. */
	char b;
	while (raw4(SYS_read, REAP_WAIT_FD, (long)&b, 1, 0) > 0)
		;
	raw4(SYS_close, REAP_WAIT_FD, 0, 0, 0);
	/* A caller killed inside its C library (a malloc lock held) would
	 * hang us below: a watchdog ends us then.  What is left of the
	 * trash waits for the next reaper. */
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		uint64_t mask;
	} dfl = {0};
	raw4(SYS_rt_sigaction, SIGALRM, (long)&dfl, 0, sizeof(uint64_t));
	uint64_t alrm = 1ULL << (SIGALRM - 1);
	raw4(SYS_rt_sigprocmask, SIG_UNBLOCK, (long)&alrm, 0, sizeof(alrm));
	raw4(SYS_alarm, REAP_WATCHDOG_S, 0, 0, 0);
	/* From here on we are the address space's only user, and its C
	 * library (heap, stdio, the thread's TLS) is ours: no lock in it is
	 * held by a thread that still runs.  An exit that skips the
	 * caller's atexit handlers, already run. */
	int r = reap_work(c->storage[0] ? c->storage : NULL, c->mntns >= 0 ? REAP_NS_FD : -1);
	raw4(SYS_exit_group, r, 0, 0, 0);
	return r;
}

/* clone3 with CLONE_VM and no CLONE_VFORK: we go on (and exit) while the
 * child waits for that, then does the work without an execve (which
 * would cost it the binary's start-up again: ~1 ms of a CPU that the
 * next container start wants, on this project's test VM).  0, or -1 to
 * fall back. */
static int spawn_async(const char *storage, int mntns)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	size_t len = sizeof(struct reap_child) + CHILD_STACK;
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	if (m == MAP_FAILED)
		goto fail;
	struct reap_child *c = m;
	snprintf(c->storage, sizeof(c->storage), "%s", storage ? storage : "");
	/* Above 4, where the child's dup2s to 3 and 4 cannot hit them. */
	c->wait = fcntl(p[0], F_DUPFD_CLOEXEC, REAP_WAIT_FD + 1);
	c->mntns = mntns >= 0 ? fcntl(mntns, F_DUPFD_CLOEXEC, REAP_WAIT_FD + 1) : -1;
	struct clone_args ca = {.flags = CLONE_VM,
				.exit_signal = SIGCHLD,
				.stack = (uint64_t)(uintptr_t)(c + 1),
				.stack_size = CHILD_STACK};
	bool ok = c->wait >= 0 && (mntns < 0 || c->mntns >= 0) && clone3_vm(&ca, reap_child, c) > 0;
	if (c->wait >= 0)
		close(c->wait);
	if (c->mntns >= 0)
		close(c->mntns);
	if (!ok) {
		munmap(m, len);
		goto fail;
	}
	/* Our end stays open, unused, until we exit. */
	close(p[0]);
	return 0;
fail:
	close(p[0]);
	close(p[1]);
	return -1;
}
#else
static int spawn_async(const char *storage, int mntns)
{
	(void)storage;
	(void)mntns;
	return -1;
}
#endif

void reap_spawn(const char *storage, int mntns)
{
	/* A namespace on 0-2 would be lost to /dev/null (never seen). */
	if (mntns >= 0 && mntns <= 2)
		mntns = -1;
	if (spawn_async(storage, mntns) == 0)
		return;
	char *argv[] = {"capsa", "_reap", (char *)(storage ? storage : "-"),
			mntns >= 0 ? "3" : NULL, NULL};
	spawn_vfork(argv, mntns);
}

int reap_main(int argc, char **argv)
{
	if (argc < 2 || argc > 3)
		return 2;
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	return reap_work(strcmp(argv[1], "-") ? argv[1] : NULL, argc == 3 ? atoi(argv[2]) : -1);
}
