/* monitor.c — the loop of a detached container's monitor (`capsa
 * _monitor`, exec'd by ctr_start.c right after the container started,
 * so that it runs in a fresh process image: static binary, a stack
 * buffer, no heap in the loop).
 *
 * It is the parent of the container's init: it waits on its pidfd,
 * writes stdout and stderr to <dir>/ctr.log as
 *   2026-11-23T10:29:39.123456789Z stdout F a full line
 *   ...Z stderr P a part without its newline
 * (the CRI log format: stream, then F for a line's end or P for a
 * part), renames the log to ctr.log.1 when it passes its size limit,
 * then records the exit, removes the runtime state and, with --rm, the
 * container.
 */
#include "engine/ctr.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/record.h"
#include "engine/store.h"
#include "runtime/container.h"
#include "runtime/state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct logw {
	int fd;
	long long size, max;
	char path[PATH_MAX], old[PATH_MAX];
};

static void log_open(struct logw *l)
{
	l->fd = open(l->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	struct stat st;
	l->size = l->fd >= 0 && fstat(l->fd, &st) == 0 ? st.st_size : 0;
}

static void log_rotate(struct logw *l)
{
	if (l->max <= 0 || l->size < l->max)
		return;
	if (l->fd >= 0)
		close(l->fd);
	rename(l->path, l->old);
	log_open(l);
}

static void put(struct logw *l, const char *stream, char tag, const char *p, size_t n)
{
	if (l->fd < 0)
		return;
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	char head[96];
	int h = snprintf(head, sizeof(head), "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ %s %c ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, ts.tv_nsec, stream, tag);
	struct iovec {
		const void *b;
		size_t n;
	} parts[3] = {{head, (size_t)h}, {p, n}, {"\n", 1}};
	for (int i = 0; i < 3; i++) {
		const char *b = parts[i].b;
		size_t left = parts[i].n;
		while (left) {
			ssize_t w = write(l->fd, b, left);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return;
			b += w;
			left -= (size_t)w;
		}
	}
	l->size += h + (long long)n + 1;
	log_rotate(l);
}

/* One read from `fd` into the log; false at EOF or error. */
static bool pump(struct logw *l, int fd, const char *stream)
{
	char buf[16384];
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	size_t start = 0;
	for (size_t i = 0; i < (size_t)n; i++) {
		if (buf[i] != '\n')
			continue;
		size_t end = i;
		if (end > start && buf[end - 1] == '\r')
			end--; /* a terminal's line end */
		put(l, stream, 'F', buf + start, end - start);
		start = i + 1;
	}
	if (start < (size_t)n)
		put(l, stream, 'P', buf + start, (size_t)n - start);
	return true;
}

/* The container exited: record it (under its lock), drop the runtime's
 * state, and with --rm the container. */
static void finish(const char *root, const char *id, int code)
{
	if (setenv("CAPSA_ROOT", root, 1) < 0)
		return;
	struct store s;
	struct err e = {0};
	if (store_open(&s, &e) < 0)
		return;
	rt_delete(s.runtime, id, true, NULL);
	_cleanup_close_ int dirfd = -1;
	struct record rec;
	if (store_lock(&s, id, true, &dirfd, NULL) < 0 || record_read(dirfd, id, &rec, NULL) < 0) {
		store_close(&s);
		return; /* removed meanwhile (rm -f) */
	}
	if (rec.owner == getpid()) {
		char now[64];
		rfc3339_now(now);
		rec.state = CS_EXITED;
		rec.exit_code = code;
		rec.owner = 0;
		rec.owner_start = 0;
		free(rec.finished);
		rec.finished = strdup(now);
		record_write(dirfd, &rec, NULL);
		if (rec.auto_remove) {
			close(steal_fd(&dirfd));
			names_release(&s, rec.name, id);
			store_remove(&s, id, NULL);
		}
	}
	record_free(&rec);
	store_close(&s);
}

int monitor_main(int argc, char **argv)
{
	if (argc != 7)
		return 2;
	const char *root = argv[1], *id = argv[2];
	pid_t pid = (pid_t)atoi(argv[3]);
	int fds[2] = {atoi(argv[4]), atoi(argv[5])};
	struct logw l = {.fd = -1, .max = atoll(argv[6])};
	signal(SIGPIPE, SIG_IGN);
	if (snprintf(l.path, sizeof(l.path), "%s/containers/%s/ctr.log", root, id) >=
		(int)sizeof(l.path) ||
	    snprintf(l.old, sizeof(l.old), "%s.1", l.path) >= (int)sizeof(l.old))
		return 1;
	log_open(&l);
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	static const char *const streams[2] = {"stdout", "stderr"};
	bool exited = pidfd < 0;
	for (;;) {
		struct pollfd p[3];
		int n = 0, which[3];
		for (int i = 0; i < 2; i++)
			if (fds[i] >= 0) {
				p[n] = (struct pollfd){.fd = fds[i], .events = POLLIN};
				which[n++] = i;
			}
		if (!exited) {
			p[n] = (struct pollfd){.fd = pidfd, .events = POLLIN};
			which[n++] = 2;
		}
		if (n == 0)
			break;
		/* Once the init is gone, its pid namespace is too: what is
		 * still in the pipes is drained, with a bound in case a
		 * process outside the namespace holds them. */
		int r = poll(p, (nfds_t)n, exited ? 1000 : -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (int i = 0; i < n; i++) {
			if (!p[i].revents)
				continue;
			if (which[i] == 2) {
				exited = true;
				continue;
			}
			int k = which[i];
			if (!pump(&l, fds[k], streams[k])) {
				close(fds[k]);
				fds[k] = -1;
			}
		}
	}
	siginfo_t si = {0};
	int code = 255;
	if (pid > 0 && waitid(P_PID, (id_t)pid, &si, WEXITED) == 0)
		code = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
	if (l.fd >= 0)
		close(l.fd);
	finish(root, id, code);
	return 0;
}
