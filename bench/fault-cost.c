/*
 * fault-cost: what a page fault costs on this host against mapping the
 * same pages with MADV_POPULATE_*, on a real binary (the figures behind
 * capsa's ELF-entry prefault, src/base/prefault.h).
 *
 *     fault-cost BINARY [ROUNDS]
 *
 * For BINARY's first read-only span (up to 1.3 MiB, the page cache hot):
 * one read fault per 64 KiB (the kernel maps 16 pages around each) against
 * one MADV_POPULATE_READ of the whole span; for 21 pages of a private
 * writable mapping: a write (copy-on-write) fault per page against one
 * MADV_POPULATE_WRITE; and a trivial system call.  Minimum of ROUNDS
 * (default 200) runs each, in microseconds.  Not part of capsa.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* MADV_POPULATE_* for older headers: capsa's own definitions (bench/ is
 * built without -Isrc, hence the relative path). */
#include "../src/base/prefault.h"

#define PAGE	  4096UL
#define WINDOW	  (64UL << 10)
#define COW_PAGES 21

static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static char *map(int fd, size_t len, int prot)
{
	char *p = mmap(NULL, len, prot, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		perror("fault-cost: mmap");
		exit(1);
	}
	return p;
}

/* One round: map, time `populate` (or the touches), unmap. */
static long long round_ns(int fd, size_t len, int prot, int advice, size_t stride)
{
	char *p = map(fd, len, prot);
	long long t0 = now_ns();
	if (advice) {
		if (madvise(p, len, advice) < 0) {
			fprintf(stderr, "fault-cost: madvise: %s (kernel before 5.14?)\n",
				strerror(errno));
			exit(1);
		}
	} else {
		for (size_t o = 0; o < len; o += stride) {
			if (prot & PROT_WRITE)
				p[o]++;
			else
				(void)*(volatile char *)(p + o);
		}
	}
	long long t = now_ns() - t0;
	munmap(p, len);
	return t;
}

static long long min_ll(long long a, long long b)
{
	return a < b ? a : b;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: fault-cost BINARY [ROUNDS]\n");
		return 2;
	}
	int rounds = argc > 2 ? atoi(argv[2]) : 200;
	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "fault-cost: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	size_t len = (size_t)st.st_size & ~(PAGE - 1);
	if (len > (1344UL << 10))
		len = 1344UL << 10;
	if (len < COW_PAGES * PAGE) {
		fprintf(stderr, "fault-cost: %s: smaller than %lu pages\n", argv[1],
			(unsigned long)COW_PAGES);
		return 1;
	}
	long long rf = -1ULL >> 1, rp = rf, wf = rf, wp = rf, sc = rf;
	for (int i = 0; i < rounds; i++) {
		rf = min_ll(rf, round_ns(fd, len, PROT_READ, 0, WINDOW));
		rp = min_ll(rp, round_ns(fd, len, PROT_READ, MADV_POPULATE_READ, 0));
		wf = min_ll(wf, round_ns(fd, COW_PAGES * PAGE, PROT_READ | PROT_WRITE, 0, PAGE));
		wp = min_ll(wp, round_ns(fd, COW_PAGES * PAGE, PROT_READ | PROT_WRITE,
					 MADV_POPULATE_WRITE, 0));
		long long t0 = now_ns();
		for (int k = 0; k < 20; k++)
			syscall(SYS_getppid);
		sc = min_ll(sc, (now_ns() - t0) / 20);
	}
	size_t nread = len / WINDOW;
	printf("read faults:  %zu (one per 64 KiB of %zu KiB) %.1f us, %.2f us each; "
	       "MADV_POPULATE_READ of all %zu pages %.1f us\n",
	       nread, len >> 10, rf / 1e3, rf / 1e3 / (double)nread, len / PAGE, rp / 1e3);
	printf("write faults: %d (copy-on-write) %.1f us, %.2f us each; "
	       "MADV_POPULATE_WRITE of the %d pages %.1f us\n",
	       COW_PAGES, wf / 1e3, wf / 1e3 / COW_PAGES, COW_PAGES, wp / 1e3);
	printf("system call (getppid): %.2f us\n", sc / 1e3);
	printf("ratio read-fault/populate-page: %.0f, write-fault/populate-page: %.0f\n",
	       (rf / (double)nread) / (rp / (double)(len / PAGE)),
	       (wf / (double)COW_PAGES) / (wp / (double)COW_PAGES));
	close(fd);
	return 0;
}
