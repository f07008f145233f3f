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
#include "engine/ctr_net.h"

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
#include <sys/mman.h>
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

/* Digits of `v`, zero-padded to `w`, at `p`. */
static char *digits(char *p, unsigned long v, int w)
{
	for (int i = w - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + w;
}

/* "2026-11-23T10:29:39.123456789Z" without stdio or the time zone code:
 * only the few code pages of this function stay mapped in the loop. */
static size_t timestamp(char *out)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	long long days = ts.tv_sec / 86400, secs = ts.tv_sec % 86400;
	/* Civil date from days since 1970-01-01 (proleptic Gregorian). */
	long long z = days + 719468, era = z / 146097, doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	long long d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
	long long y = yoe + era * 400 + (m <= 2);
	char *p = out;
	p = digits(p, (unsigned long)y, 4);
	*p++ = '-';
	p = digits(p, (unsigned long)m, 2);
	*p++ = '-';
	p = digits(p, (unsigned long)d, 2);
	*p++ = 'T';
	p = digits(p, (unsigned long)(secs / 3600), 2);
	*p++ = ':';
	p = digits(p, (unsigned long)(secs / 60 % 60), 2);
	*p++ = ':';
	p = digits(p, (unsigned long)(secs % 60), 2);
	*p++ = '.';
	p = digits(p, (unsigned long)ts.tv_nsec, 9);
	*p++ = 'Z';
	return (size_t)(p - out);
}

static void write_all(int fd, const char *b, size_t left)
{
	while (left) {
		ssize_t w = write(fd, b, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		b += w;
		left -= (size_t)w;
	}
}

static void put(struct logw *l, const char *stream, char tag, const char *p, size_t n)
{
	if (l->fd < 0)
		return;
	char head[64];
	size_t h = timestamp(head), sl = strlen(stream);
	head[h++] = ' ';
	memcpy(head + h, stream, sl);
	h += sl;
	head[h++] = ' ';
	head[h++] = tag;
	head[h++] = ' ';
	write_all(l->fd, head, h);
	write_all(l->fd, p, n);
	write_all(l->fd, "\n", 1);
	l->size += (long long)(h + n + 1);
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
	struct ctr_store s;
	struct err e = {0};
	if (ctr_store_open(&s, &e) < 0)
		return;
	/* The runtime's state shows the OOM kill until it is deleted. */
	bool oom = false;
	json_object *st = NULL, *v;
	if (rt_state(s.runtime, id, &st, NULL) == 0) {
		oom = json_object_object_get_ex(st, "oomKilled", &v) && json_object_get_boolean(v);
		json_object_put(st);
	}
	rt_delete(s.runtime, id, true, NULL);
	_cleanup_close_ int dirfd = -1;
	struct record rec;
	if (ctr_store_lock(&s, id, true, &dirfd, NULL) < 0 ||
	    record_read(dirfd, id, &rec, NULL) < 0) {
		ctr_store_close(&s);
		return; /* removed meanwhile (rm -f) */
	}
	if (rec.owner == getpid()) {
		char now[64];
		rfc3339_now(now);
		rec.state = CS_EXITED;
		rec.exit_code = code;
		rec.oom_killed = oom;
		rec.owner = 0;
		rec.owner_start = 0;
		free(rec.finished);
		rec.finished = strdup(now);
		record_write(dirfd, &rec, NULL);
		ctr_net_down(&s, id);
		if (rec.auto_remove) {
			close(steal_fd(&dirfd));
			ctr_discard(&s, &rec);
		}
	}
	record_free(&rec);
	ctr_store_close(&s);
}

/* The steady RSS is mostly our static binary's code and constants that
 * process start and fault-around mapped in.  Unmap them (read-only,
 * backed by the file: nothing is lost, what the loop uses faults back).
 * Not the read-only mapping right before the writable data: that is
 * RELRO, written at start (IRELATIVE relocations), and must stay. */
static void drop_startup_pages(void)
{
	char buf[8192];
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	unsigned long lo[32], hi[32];
	char perms[32][8];
	bool file[32];
	size_t k = 0;
	for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l && k < 32;
	     l = strtok_r(NULL, "\n", &save))
		if (sscanf(l, "%lx-%lx %7s", &lo[k], &hi[k], perms[k]) == 3) {
			file[k] = strchr(l, '/') != NULL;
			k++;
		}
	for (size_t i = 0; i + 1 < k; i++) {
		if (!file[i] || !file[i + 1] || perms[i][1] != '-' || perms[i][3] != 'p')
			continue;
		/* r-xp text, or r--p followed by more read-only file pages. */
		bool next_ro = perms[i + 1][1] == '-';
		if (perms[i][2] == 'x' || next_ro)
			madvise((void *)lo[i], hi[i] - lo[i], MADV_DONTNEED);
	}
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
	drop_startup_pages();
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
