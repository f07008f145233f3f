/* rootfs_copy.c — see rootfs_copy.h. */
#include "image/rootfs_copy.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

static int is_opaque(int fd)
{
	char v[2];
	return fgetxattr(fd, "trusted.overlay.opaque", v, sizeof(v)) == 1 ||
	       fgetxattr(fd, "user.overlay.opaque", v, sizeof(v)) == 1;
}

static int copy_file(int sdir, const char *name, int ddir, const struct stat *st)
{
	_cleanup_close_ int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -errno;
	_cleanup_close_ int out =
	    openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return -errno;
	off_t left = st->st_size;
	while (left > 0) {
		ssize_t n = sendfile(out, in, NULL, (size_t)left);
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		left -= n;
	}
	return 0;
}

/* Copy directory `sdir` over `ddir`. */
static int copy_tree(int sdir, int ddir)
{
	DIR *d = opendir_at(sdir, NULL);
	if (!d)
		return -errno;
	struct dirent *de;
	int r = 0;
	while (r == 0 && (de = readdir(d))) {
		const char *n = de->d_name;
		struct stat st, old;
		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		if (fstatat(sdir, n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = -errno;
			break;
		}
		int have = fstatat(ddir, n, &old, AT_SYMLINK_NOFOLLOW) == 0;
		int whiteout = S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
		if (have && (whiteout || !S_ISDIR(st.st_mode) || !S_ISDIR(old.st_mode))) {
			if ((r = rm_rf_at(ddir, n)) < 0)
				break;
			have = 0;
		}
		if (whiteout)
			continue;
		if (S_ISDIR(st.st_mode)) {
			_cleanup_close_ int s2 =
			    openat(sdir, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
			if (s2 < 0) {
				r = -errno;
				break;
			}
			if (have && is_opaque(s2)) {
				if ((r = rm_rf_at(ddir, n)) < 0)
					break;
				have = 0;
			}
			if (!have && mkdirat(ddir, n, 0700) < 0) {
				r = -errno;
				break;
			}
			_cleanup_close_ int d2 =
			    openat(ddir, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
			if (d2 < 0 || (r = copy_tree(s2, d2)) < 0) {
				r = r < 0 ? r : -errno;
				break;
			}
		} else if (S_ISREG(st.st_mode)) {
			r = copy_file(sdir, n, ddir, &st);
		} else if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t len = readlinkat(sdir, n, target, sizeof(target) - 1);
			if (len < 0) {
				r = -errno;
				break;
			}
			target[len] = '\0';
			r = symlinkat(target, ddir, n) < 0 ? -errno : 0;
		} else {
			r = mknodat(ddir, n, st.st_mode, st.st_rdev) < 0 ? -errno : 0;
		}
		if (r < 0)
			break;
		/* Owner (best effort rootless), mode, times. */
		if (fchownat(ddir, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 &&
		    errno != EPERM && errno != EINVAL) {
			r = -errno;
			break;
		}
		if (!S_ISLNK(st.st_mode) && fchmodat(ddir, n, st.st_mode & 07777, 0) < 0) {
			r = -errno;
			break;
		}
		struct timespec ts[2] = {st.st_atim, st.st_mtim};
		utimensat(ddir, n, ts, AT_SYMLINK_NOFOLLOW);
	}
	closedir(d);
	return r;
}

int rootfs_copy_layers(const char *lowerdir, const char *target, struct err *e)
{
	_cleanup_free_ char *list = strdup(lowerdir);
	if (!list)
		return err_sys(e, ENOMEM, "copy layers");
	_cleanup_close_ int dfd = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return err_sys(e, errno, "open %s", target);
	/* Bottom first: the list is top first. */
	for (;;) {
		char *colon = strrchr(list, ':');
		char *layer = colon ? colon + 1 : list;
		_cleanup_close_ int sfd = open(layer, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sfd < 0)
			return err_sys(e, errno, "open layer %s", layer);
		int r = copy_tree(sfd, dfd);
		if (r < 0)
			return err_sys(e, -r, "copy layer %s", layer);
		if (!colon)
			break;
		*colon = '\0';
	}
	return 0;
}
