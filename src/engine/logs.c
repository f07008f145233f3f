/* logs.c — see logs.h. */
#include "engine/logs.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

bool logs_split(const char *line, size_t len, struct log_line *out)
{
	const char *end = line + len, *sp1 = memchr(line, ' ', len);
	if (!sp1)
		return false;
	const char *sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1));
	if (!sp2 || end - sp2 < 3 || (sp2[1] != 'F' && sp2[1] != 'P') || sp2[2] != ' ')
		return false;
	out->ts = line;
	out->ts_len = (size_t)(sp1 - line);
	out->stream = sp1 + 1;
	out->partial = sp2[1] == 'P';
	out->text = sp2 + 3;
	out->text_len = (size_t)(end - sp2 - 3);
	return true;
}

static void fmt_time(time_t t, char out[40])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int logs_parse_since(const char *v, char out[40], struct err *e)
{
	size_t n = strlen(v);
	char *end;
	if (n >= 10 && isdigit((unsigned char)v[0]) && v[4] == '-') {
		/* RFC 3339: compared as text, without the zone letter. */
		snprintf(out, 40, "%.*s", (int)(v[n - 1] == 'Z' ? n - 1 : n), v);
		return 0;
	}
	errno = 0;
	long long num = strtoll(v, &end, 10);
	if (end != v && !errno && num >= 0) {
		long long mul = !*end		    ? 0
				: !strcmp(end, "s") ? 1
				: !strcmp(end, "m") ? 60
				: !strcmp(end, "h") ? 3600
						    : -1;
		if (mul == 0) {
			fmt_time((time_t)num, out);
			return 0;
		}
		if (mul > 0) {
			fmt_time(time(NULL) - (time_t)(num * mul), out);
			return 0;
		}
	}
	return err_msg(e, EINVAL,
		       "--since \"%s\": expected an RFC 3339 time, unix seconds or a duration "
		       "(10s, 5m, 2h)",
		       v);
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void emit(const struct log_opts *o, const struct log_line *l, bool *at_line_start)
{
	if (o->since[0] && strncmp(l->ts, o->since, l->ts_len) < 0 &&
	    strncmp(l->ts, o->since, strlen(o->since)) < 0)
		return;
	int fd = !strncmp(l->stream, "stderr", 6) ? o->err : o->out;
	if (o->timestamps && *at_line_start) {
		write_all(fd, l->ts, l->ts_len);
		write_all(fd, " ", 1);
	}
	write_all(fd, l->text, l->text_len);
	if (!l->partial)
		write_all(fd, "\n", 1);
	*at_line_start = !l->partial;
}

/* Emit the complete lines of buf[0..len); returns bytes consumed. */
static size_t emit_buf(const struct log_opts *o, const char *buf, size_t len, bool *at_start)
{
	size_t pos = 0;
	for (;;) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		if (!nl)
			return pos;
		struct log_line l;
		if (logs_split(buf + pos, (size_t)(nl - buf - pos), &l))
			emit(o, &l, at_start);
		pos = (size_t)(nl - buf) + 1;
	}
}

/* Where the last `tail` full lines start in buf. */
static size_t tail_start(const char *buf, size_t len, long tail)
{
	if (tail < 0)
		return 0;
	long seen = 0;
	size_t i = len;
	while (i > 0) {
		/* The start of the line that ends at i-1. */
		size_t j = i - 1;
		while (j > 0 && buf[j - 1] != '\n')
			j--;
		struct log_line l;
		/* A part without its line end counts as a line when it is
		 * the last thing written. */
		if (logs_split(buf + j, i - 1 - j, &l) && (!l.partial || i == len) &&
		    seen++ == tail)
			return i;
		i = j;
	}
	return 0;
}

int logs_print(const char *dir, const struct log_opts *o, struct err *e)
{
	char cur[PATH_MAX], old[PATH_MAX];
	if (snprintf(cur, sizeof(cur), "%s/ctr.log", dir) >= (int)sizeof(cur) ||
	    snprintf(old, sizeof(old), "%s/ctr.log.1", dir) >= (int)sizeof(old))
		return err_msg(e, ENAMETOOLONG, "%s: path too long", dir);
	_cleanup_free_ char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	_cleanup_close_ int fd = open(cur, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT)
		return err_sys(e, errno, "open %s", cur);
	read_file_at(AT_FDCWD, old, &a, &alen, NULL);
	if (fd >= 0 && read_fd(fd, &b, &blen, e) < 0)
		return -EIO;
	/* One buffer of both files, so --tail can reach into the old one. */
	size_t len = alen + blen;
	_cleanup_free_ char *all = malloc(len + 1);
	if (!all)
		return err_sys(e, ENOMEM, "logs");
	if (alen)
		memcpy(all, a, alen);
	if (blen)
		memcpy(all + alen, b, blen);
	/* Only complete lines now; a half-written one waits for -f. */
	size_t complete = len;
	while (complete > 0 && all[complete - 1] != '\n')
		complete--;
	bool at_start = true;
	size_t start = tail_start(all, complete, o->tail);
	emit_buf(o, all + start, complete - start, &at_start);
	if (!o->follow || fd < 0)
		return 0;
	/* Follow: poll the file; a rotation shows as a new inode. */
	size_t pend_len = len - complete;
	_cleanup_free_ char *pend = malloc(pend_len + 1);
	if (!pend)
		return err_sys(e, ENOMEM, "logs");
	memcpy(pend, all + complete, pend_len);
	for (bool last = false;;) {
		char buf[65536];
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0) {
			char *np = realloc(pend, pend_len + (size_t)n);
			if (!np)
				return err_sys(e, ENOMEM, "logs");
			pend = np;
			memcpy(pend + pend_len, buf, (size_t)n);
			pend_len += (size_t)n;
			size_t used = emit_buf(o, pend, pend_len, &at_start);
			memmove(pend, pend + used, pend_len - used);
			pend_len -= used;
			continue;
		}
		struct stat a1, b1;
		if (stat(cur, &a1) == 0 && fstat(fd, &b1) == 0 && a1.st_ino != b1.st_ino) {
			int nfd = open(cur, O_RDONLY | O_CLOEXEC);
			if (nfd >= 0) {
				close(fd);
				fd = nfd;
				continue;
			}
		}
		if (last)
			return 0;
		/* One more pass after the exit, for what came in between. */
		if (!o->running || !o->running(o->arg))
			last = true;
		else
			nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
	}
}
