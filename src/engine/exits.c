/* exits.c — see exits.h. */
#include "engine/exits.h"

#include "base/cleanup.h"
#include "base/fs.h"
#include "runtime/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define EXITS_DIR "exits"

static long minute_now(void)
{
	/* Not time(2): the vDSO's first use faults in its data pages, and
	 * a --rm run's exit asks this once (state.c). */
	struct timespec ts;
	realtime_now(&ts);
	return (long)(ts.tv_sec / 60);
}

/* Minute directories older than EXITS_KEEP_MIN (and any stray name). */
static void prune(const char *top, long now)
{
	DIR *d = opendir_at(AT_FDCWD, top);
	if (!d)
		return;
	int fd = dirfd(d);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char *end;
		long m = strtol(de->d_name, &end, 10);
		if (*end || m < now - EXITS_KEEP_MIN || m > now + 1)
			rm_rf_at(fd, de->d_name);
	}
	closedir(d);
}

void exits_put(struct ctr_store *s, const char *id, int code)
{
	long now = minute_now();
	char top[PATH_MAX], dir[PATH_MAX + 32], path[PATH_MAX + 128], buf[16];
	if (snprintf(top, sizeof(top), "%s/" EXITS_DIR, s->root) >= (int)sizeof(top))
		return;
	snprintf(dir, sizeof(dir), "%s/%ld", top, now);
	snprintf(path, sizeof(path), "%s/%s", dir, id);
	int r = mkdir(dir, 0700);
	if (r < 0 && errno == ENOENT) {
		mkdir(top, 0700);
		r = mkdir(dir, 0700);
	}
	if (r == 0) /* a new minute: the old ones go */
		prune(top, now);
	else if (errno != EEXIST)
		return;
	int n = snprintf(buf, sizeof(buf), "%d\n", code);
	_cleanup_close_ int fd =
	    open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0 && write(fd, buf, (size_t)n) != n)
		unlink(path);
}

int exits_get(struct ctr_store *s, const char *id, int *code)
{
	long now = minute_now();
	/* Newest first: an ID is never reused, but look where it is likely. */
	for (long m = now + 1; m >= now - EXITS_KEEP_MIN; m--) {
		char path[PATH_MAX + 128];
		snprintf(path, sizeof(path), "%s/" EXITS_DIR "/%ld/%s", s->root, m, id);
		_cleanup_free_ char *text = NULL;
		if (read_file_at(AT_FDCWD, path, &text, NULL, NULL) < 0)
			continue;
		char *end;
		long v = strtol(text, &end, 10);
		if (end == text || *end != '\n' || v < 0 || v > 255)
			continue; /* being written, or not ours */
		*code = (int)v;
		return 0;
	}
	return -ENOENT;
}
