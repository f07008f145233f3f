/* spare.c — see spare.h. */
#include "image/spare.h"

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
#include "image/store.h"

#define SPARE_NEXT SPARE_DIR "/next"
#define SPARE_LOCK SPARE_DIR "/.lock"
#define SPARE_TMP  ".tmp-"

int spare_take(struct store *s, const char *rel)
{
	return renameat2(s->dirfd, SPARE_NEXT, s->dirfd, rel, RENAME_NOREPLACE) == 0;
}

/* Temporaries of killed makers (we hold the lock: none is live). */
static void remove_stale(int root)
{
	DIR *d = opendir_at(root, SPARE_DIR);
	if (!d)
		return;
	int fd = dirfd(d);
	/* Made by an older capsa, or on a file system that came later:
	 * one ioctl when the mark is there already (store.c:
	 * store_spread). */
	fs_mark_topdir(fd);
	struct dirent *de;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, SPARE_TMP, strlen(SPARE_TMP)))
			rm_rf_at(fd, de->d_name);
	closedir(d);
}

int spare_make(struct store *s, struct err *e)
{
	if (faccessat(s->dirfd, SPARE_NEXT, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (mkdirat(s->dirfd, SPARE_DIR, 0700) < 0 && errno != EEXIST)
		return err_sys(e, errno, "storage \"%s\": mkdir " SPARE_DIR, s->root);
	_cleanup_close_ int lock =
	    openat(s->dirfd, SPARE_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lock < 0)
		return err_sys(e, errno, "storage \"%s\": open " SPARE_LOCK, s->root);
	if (flock(lock, LOCK_EX | LOCK_NB) < 0)
		return 0; /* another maker is at it */
	remove_stale(s->dirfd);
	char tmp[64], p[96];
	snprintf(tmp, sizeof(tmp), SPARE_DIR "/" SPARE_TMP "%d", (int)getpid());
	static const char *const sub[] = {"upper", "work"};
	int r = mkdirat(s->dirfd, tmp, 0700);
	for (size_t i = 0; r == 0 && i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", tmp, sub[i]);
		r = mkdirat(s->dirfd, p, 0700);
	}
	if (r == 0)
		r = renameat2(s->dirfd, tmp, s->dirfd, SPARE_NEXT, RENAME_NOREPLACE);
	if (r == 0)
		return 1;
	int saved = errno;
	rm_rf_at(s->dirfd, tmp);
	if (saved == EEXIST)
		return 0;
	return err_sys(e, saved, "storage \"%s\": make a spare container directory", s->root);
}
