/*
 * kernel-cost: what the kernel work of a container start costs on this
 * host, one piece at a time: a new namespace of each type, a seccomp
 * filter's load, a clone that shares the caller's memory.  These pieces
 * are the same for capsa and for bench/ref-clone.c (but the filter, which
 * only capsa loads); they say how much of a start no runtime can save.
 *
 *     kernel-cost [BPF_FILE] [ROUNDS]
 *
 * Each figure is the median of ROUNDS (default 30) measurements, each in
 * a fresh child forked after a 2 ms pause: a start as someone typing a
 * command sees it, on caches and CPUs that have gone cold.  BPF_FILE is
 * a filter from capsa's seccomp cache (<state root>/seccomp/<hash>.bpf: a
 * 4-byte flags word, then the program), loaded as it is; without it only
 * the smallest filter is.  Not part of capsa.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_INSNS 4096

static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

/* What one measurement does in the child: returns ns, or -errno. */
typedef long long (*probe_fn)(const void *arg);

static long long probe_unshare(const void *arg)
{
	int flags = *(const int *)arg;
	long long t0 = now_ns();
	if (unshare(flags) < 0)
		return -errno;
	return now_ns() - t0;
}

static long long probe_seccomp(const void *arg)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	long long t0 = now_ns();
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, arg) < 0)
		return -errno;
	return now_ns() - t0;
}

static char clone_stack[64 << 10] __attribute__((aligned(16)));

static int clone_child(void *arg)
{
	(void)arg;
	return 0;
}

static long long probe_clone_vm(const void *arg)
{
	(void)arg;
	long long t0 = now_ns();
	pid_t c = clone(clone_child, clone_stack + sizeof(clone_stack), CLONE_VM | SIGCHLD, NULL);
	long long d = now_ns() - t0;
	if (c < 0)
		return -errno;
	waitpid(c, NULL, 0);
	return d;
}

/* The median of `rounds` runs of fn in fresh children; prints it with
 * `what`, or why it could not be measured. */
static void measure(const char *what, probe_fn fn, const void *arg, int rounds)
{
	long long *v = calloc((size_t)rounds, sizeof(*v));
	if (!v) {
		perror("kernel-cost");
		exit(1);
	}
	for (int i = 0; i < rounds; i++) {
		int p[2];
		if (pipe(p) < 0) {
			perror("kernel-cost: pipe");
			exit(1);
		}
		usleep(2000);
		pid_t c = fork();
		if (c < 0) {
			perror("kernel-cost: fork");
			exit(1);
		}
		if (c == 0) {
			long long d = fn(arg);
			_exit(write(p[1], &d, sizeof(d)) == sizeof(d) ? 0 : 1);
		}
		close(p[1]);
		long long d = -EIO;
		if (read(p[0], &d, sizeof(d)) != sizeof(d))
			d = -EIO;
		close(p[0]);
		waitpid(c, NULL, 0);
		if (d < 0) {
			printf("%-34s not measured: %s\n", what, strerror((int)-d));
			free(v);
			return;
		}
		v[i] = d;
	}
	qsort(v, (size_t)rounds, sizeof(*v), cmp_ll);
	printf("%-34s %8.1f us (min %.1f)\n", what, v[rounds / 2] / 1000.0, v[0] / 1000.0);
	free(v);
}

int main(int argc, char **argv)
{
	const char *bpf = argc > 1 && argv[1][0] ? argv[1] : NULL;
	int rounds = argc > 2 ? atoi(argv[2]) : 30;
	if (rounds < 1 || argc > 3) {
		fprintf(stderr, "usage: kernel-cost [BPF_FILE] [ROUNDS]\n");
		return 2;
	}
	static const struct {
		int flag;
		const char *name;
	} ns[] = {
	    {CLONE_NEWNET, "unshare(CLONE_NEWNET)"},   {CLONE_NEWIPC, "unshare(CLONE_NEWIPC)"},
	    {CLONE_NEWNS, "unshare(CLONE_NEWNS)"},     {CLONE_NEWPID, "unshare(CLONE_NEWPID)"},
	    {CLONE_NEWUTS, "unshare(CLONE_NEWUTS)"},   {CLONE_NEWCGROUP, "unshare(CLONE_NEWCGROUP)"},
	};
	int all = 0;
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		measure(ns[i].name, probe_unshare, &ns[i].flag, rounds);
		all |= ns[i].flag;
	}
	measure("unshare(all six at once)", probe_unshare, &all, rounds);

	static struct sock_filter tiny[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct sock_fprog tiny_prog = {1, tiny};
	measure("seccomp: a 1-instruction filter", probe_seccomp, &tiny_prog, rounds);
	if (bpf) {
		static struct sock_filter insns[MAX_INSNS];
		FILE *f = fopen(bpf, "rb");
		unsigned flags;
		size_t n = 0;
		if (!f || fread(&flags, sizeof(flags), 1, f) != 1 ||
		    (n = fread(insns, sizeof(insns[0]), MAX_INSNS, f)) == 0) {
			fprintf(stderr, "kernel-cost: %s: not a capsa seccomp cache file\n", bpf);
			return 1;
		}
		fclose(f);
		struct sock_fprog prog = {(unsigned short)n, insns};
		char what[64];
		snprintf(what, sizeof(what), "seccomp: capsa's filter (%zu insns)", n);
		measure(what, probe_seccomp, &prog, rounds);
	}
	measure("clone(CLONE_VM), child to wake", probe_clone_vm, NULL, rounds);
	return 0;
}
