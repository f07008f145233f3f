/* trash.c — see trash.h. */
#include "image/trash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/userns.h"
#include "image/store.h"

#define TRASH_LOCK ".lock"

int trash_put(struct store *s, const char *rel, const char *name, struct err *e)
{
	char to[300];
	if (snprintf(to, sizeof(to), TRASH_DIR "/%s", name) >= (int)sizeof(to))
		return err_msg(e, ENAMETOOLONG, "storage \"%s\": trash name too long", s->root);
	/* One system call when the trash exists; ENOENT may be either side. */
	for (int tries = 0;; tries++) {
		if (renameat(s->dirfd, rel, s->dirfd, to) == 0)
			return 1;
		if (errno != ENOENT || tries > 0)
			break;
		if (mkdirat(s->dirfd, TRASH_DIR, 0700) < 0) {
			if (errno == EEXIST)
				return 0; /* `rel` is not there */
			return err_sys(e, errno, "storage \"%s\": mkdir " TRASH_DIR, s->root);
		}
	}
	if (errno == ENOENT)
		return 0;
	return err_sys(e, errno, "storage \"%s\": move %s to the trash", s->root, rel);
}

/* One pass over the trash: remove every entry.  Counts into *removed;
 * returns 0 or the first -errno. */
static int empty_once(int fd, int *removed)
{
	/* From the start on every pass (opendir_at rewinds). */
	DIR *d = opendir_at(fd, NULL);
	if (!d)
		return -errno;
	int first = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		if (!strcmp(n, ".") || !strcmp(n, "..") || !strcmp(n, TRASH_LOCK))
			continue;
		int r = userns_rm_rf_at(fd, n);
		if (r == 0)
			(*removed)++;
		else if (!first)
			first = r;
	}
	closedir(d);
	return first;
}

int trash_empty(struct store *s, struct err *e)
{
	_cleanup_close_ int fd = openat(s->dirfd, TRASH_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT
			   ? 0
			   : err_sys(e, errno, "storage \"%s\": open the trash", s->root);
	_cleanup_close_ int lock =
	    openat(fd, TRASH_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lock < 0)
		return err_sys(e, errno, "storage \"%s\": open the trash's lock", s->root);
	while (flock(lock, LOCK_EX) < 0)
		if (errno != EINTR)
			return err_sys(e, errno, "storage \"%s\": lock the trash", s->root);
	/* Entries may arrive while we walk: pass again until a pass finds
	 * nothing (or removes nothing: what failed stays for the next one). */
	int total = 0, r;
	for (;;) {
		int before = total;
		r = empty_once(fd, &total);
		if (total == before)
			break;
	}
	if (r < 0)
		return err_sys(e, -r, "storage \"%s\": empty the trash", s->root);
	return total;
}
