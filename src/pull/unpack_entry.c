/* unpack_entry.c — see unpack_entry.h.  Every path from the tar is
 * resolved with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) from the
 * layer root, so neither ".." nor a symlink planted by an earlier entry
 * can lead a write outside; the last component is created with *at()
 * calls that never follow it. */
#include "pull/unpack_entry.h"

#include "base/cleanup.h"
#include "base/error.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

int layer_clean_path(char *p)
{
	char *src = p, *dst = p;
	while (*src) {
		while (*src == '/')
			src++;
		char *end = strchrnul(src, '/');
		size_t n = (size_t)(end - src);
		if (n == 2 && src[0] == '.' && src[1] == '.')
			return -EINVAL;
		if (n > 0 && !(n == 1 && src[0] == '.')) {
			if (dst != p)
				*dst++ = '/';
			memmove(dst, src, n);
			dst += n;
		}
		src = end;
	}
	*dst = '\0';
	return *p ? 0 : 1;
}

static int open_beneath(int rootfd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (unsigned long long)(flags | O_CLOEXEC),
	    .resolve =
		RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	long fd = syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

/* The directory that holds `path`'s last component, created (0755) where
 * missing, as tar streams may omit parents.  *base points into `path`. */
static int open_parent(struct layer_writer *w, char *path, const char **base, struct err *e)
{
	char *slash = strrchr(path, '/');
	if (!slash) {
		*base = path;
		return open_beneath(w->rootfd, "", O_RDONLY | O_DIRECTORY);
	}
	*slash = '\0';
	*base = slash + 1;
	int fd = open_beneath(w->rootfd, path, O_RDONLY | O_DIRECTORY);
	if (fd == -ENOENT) {
		/* Make each missing component, never following a symlink. */
		for (char *p = path;; p++) {
			if (*p != '/' && *p != '\0')
				continue;
			char saved = *p;
			*p = '\0';
			int pfd = open_beneath(w->rootfd, path, O_RDONLY | O_DIRECTORY);
			if (pfd == -ENOENT) {
				char *s = strrchr(path, '/');
				_cleanup_close_ int up = -1;
				if (s) {
					*s = '\0';
					up = open_beneath(w->rootfd, path, O_RDONLY | O_DIRECTORY);
					*s = '/';
				} else {
					up = open_beneath(w->rootfd, "", O_RDONLY | O_DIRECTORY);
				}
				if (up < 0 ||
				    (mkdirat(up, s ? s + 1 : path, 0755) < 0 && errno != EEXIST))
					pfd = up < 0 ? up : -errno;
				else
					pfd = 0;
			}
			if (pfd > 0)
				close(pfd);
			*p = saved;
			if (pfd < 0) {
				fd = pfd;
				break;
			}
			if (saved == '\0') {
				fd = open_beneath(w->rootfd, path, O_RDONLY | O_DIRECTORY);
				break;
			}
		}
	}
	*slash = '/';
	if (fd == -ELOOP || fd == -ENOTDIR || fd == -EXDEV)
		return err_msg(e, EPERM,
			       "%s: \"%s\": path leads through a symlink or non-directory", w->what,
			       path);
	if (fd < 0)
		return err_sys(e, -fd, "%s: \"%s\": open parent directory", w->what, path);
	return fd;
}

/* Remove whatever is at `name` so a later entry can replace it (tar
 * streams may hold a path twice; the last one wins).  A directory is
 * kept when the new entry is a directory too. */
static int clear_slot(int dirfd, const char *name, int keep_dir)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode)) {
		if (keep_dir)
			return 1;
		return unlinkat(dirfd, name, AT_REMOVEDIR) < 0 ? -errno : 0;
	}
	return unlinkat(dirfd, name, 0) < 0 ? -errno : 0;
}

/* The entry's data into fd; *end: where the last byte written ends. */
static int write_data(struct layer_writer *w, struct archive *a, int fd, const char *path,
		      int64_t *end, struct err *e)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	for (;;) {
		int r = archive_read_data_block(a, &buf, &len, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK)
			return err_msg(e, EIO, "%s: \"%s\": %s", w->what, path,
				       archive_error_string(a));
		const char *p = buf;
		while (len) {
			ssize_t n = pwrite(fd, p, len, (off_t)off);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				return err_sys(e, errno, "%s: \"%s\": write", w->what, path);
			}
			p += n;
			len -= (size_t)n;
			off += n;
		}
		*end = off;
	}
	return 0;
}

/* Owner, mode, xattrs and times of what was just made at dirfd/name. */
static int set_meta(struct layer_writer *w, int dirfd, const char *name, const char *path,
		    struct archive_entry *ent, int is_link, int is_dir, struct err *e)
{
	uid_t uid = (uid_t)archive_entry_uid(ent);
	gid_t gid = (gid_t)archive_entry_gid(ent);
	if (fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) {
		if (!w->rootless || (errno != EPERM && errno != EINVAL))
			return err_sys(e, errno, "%s: \"%s\": chown %u:%u", w->what, path, uid,
				       gid);
		if (!w->warned_owner++)
			fprintf(stderr,
				"capsa-pull: warning: %s: file owners outside your user namespace "
				"mapping are squashed to your user (first: \"%s\" %u:%u)\n",
				w->what, path, uid, gid);
	}
	if (is_link)
		goto times;
	unsigned mode = archive_entry_perm(ent) & 07777;
	if (!is_dir && fchmodat(dirfd, name, mode, 0) < 0)
		return err_sys(e, errno, "%s: \"%s\": chmod", w->what, path);
	const char *xname;
	const void *xval;
	size_t xlen;
	if (archive_entry_xattr_reset(ent) > 0) {
		_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return err_sys(e, errno, "%s: \"%s\": open for xattrs", w->what, path);
		while (archive_entry_xattr_next(ent, &xname, &xval, &xlen) == ARCHIVE_OK) {
			/* The overlay's own attributes come only from whiteouts. */
			if (strstr(xname, "overlay."))
				continue;
			if (fsetxattr(fd, xname, xval, xlen, 0) < 0 && !w->warned_xattr++)
				fprintf(
				    stderr,
				    "capsa-pull: warning: %s: \"%s\": extended attribute %s not "
				    "kept: %s\n",
				    w->what, path, xname, strerror(errno));
		}
	}
times:;
	struct timespec ts[2] = {
	    {.tv_sec = archive_entry_mtime(ent), .tv_nsec = archive_entry_mtime_nsec(ent)},
	    {.tv_sec = archive_entry_mtime(ent), .tv_nsec = archive_entry_mtime_nsec(ent)},
	};
	if (archive_entry_atime_is_set(ent)) {
		ts[0].tv_sec = archive_entry_atime(ent);
		ts[0].tv_nsec = archive_entry_atime_nsec(ent);
	}
	if (is_dir)
		return 0; /* layer_writer_finish sets them */
	if (utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return err_sys(e, errno, "%s: \"%s\": set times", w->what, path);
	return 0;
}

static int defer_dir(struct layer_writer *w, const char *path, struct archive_entry *ent,
		     struct err *e)
{
	struct dir_fix *v = realloc(w->dirs, (w->n_dirs + 1) * sizeof(*v));
	if (!v)
		return err_sys(e, ENOMEM, "%s", w->what);
	w->dirs = v;
	v[w->n_dirs].path = strdup(path);
	if (!v[w->n_dirs].path)
		return err_sys(e, ENOMEM, "%s", w->what);
	v[w->n_dirs].mode = archive_entry_perm(ent) & 07777;
	v[w->n_dirs].mtime.tv_sec = archive_entry_mtime(ent);
	v[w->n_dirs].mtime.tv_nsec = archive_entry_mtime_nsec(ent);
	w->n_dirs++;
	return 0;
}

static int whiteout(struct layer_writer *w, int dirfd, const char *name, const char *path,
		    struct err *e)
{
	if (!strcmp(name, WH_OPAQUE)) {
		const char *attr = w->rootless ? "user.overlay.opaque" : "trusted.overlay.opaque";
		if (fsetxattr(dirfd, attr, "y", 1, 0) < 0)
			return err_sys(e, errno, "%s: \"%s\": set %s", w->what, path, attr);
		return 0;
	}
	const char *target = name + strlen(WH_PREFIX);
	if (!*target || !strcmp(target, ".") || !strcmp(target, ".."))
		return err_msg(e, EINVAL, "%s: \"%s\": invalid whiteout", w->what, path);
	int r = clear_slot(dirfd, target, 0);
	if (r == -ENOTEMPTY)
		return err_msg(e, EINVAL, "%s: \"%s\": whiteout of a directory this layer filled",
			       w->what, path);
	if (r < 0)
		return err_sys(e, -r, "%s: \"%s\"", w->what, path);
	/* 0/0 character devices: the kernel lets unprivileged users make
	 * these (and only these) since Linux 5.8. */
	if (mknodat(dirfd, target, S_IFCHR | 0, makedev(0, 0)) < 0)
		return err_sys(e, errno, "%s: \"%s\": create whiteout", w->what, path);
	return 0;
}

int layer_write_entry(struct layer_writer *w, struct archive *a, struct archive_entry *ent,
		      struct err *e)
{
	const char *raw = archive_entry_pathname(ent);
	if (!raw)
		return err_msg(e, EINVAL, "%s: entry without a name", w->what);
	_cleanup_free_ char *path = strdup(raw);
	if (!path)
		return err_sys(e, ENOMEM, "%s", w->what);
	int c = layer_clean_path(path);
	if (c < 0)
		return err_msg(e, EPERM, "%s: \"%s\": path with \"..\" refused", w->what, raw);
	mode_t type = archive_entry_filetype(ent);
	const char *hard = archive_entry_hardlink(ent);
	if (c == 1)
		return 0; /* the root itself: the layer dir keeps its own mode */

	const char *base;
	_cleanup_close_ int dirfd = open_parent(w, path, &base, e);
	if (dirfd < 0)
		return dirfd;
	if (!strncmp(base, WH_PREFIX, strlen(WH_PREFIX)))
		return whiteout(w, dirfd, base, raw, e);

	/* A regular file (most entries) is created with O_EXCL and only
	 * clears an earlier entry of the same name when that fails. */
	int r = 0;
	if (type != AE_IFREG || hard)
		r = clear_slot(dirfd, base, type == AE_IFDIR && !hard);
	if (r < 0)
		return err_sys(e, -r, "%s: \"%s\": replace earlier entry", w->what, raw);

	if (hard) {
		_cleanup_free_ char *tp = strdup(hard);
		if (!tp)
			return err_sys(e, ENOMEM, "%s", w->what);
		if (layer_clean_path(tp) != 0)
			return err_msg(e, EPERM, "%s: \"%s\": hard link to \"%s\" refused", w->what,
				       raw, hard);
		const char *tbase;
		struct err ignored = {0};
		_cleanup_close_ int tdir = open_parent(w, tp, &tbase, &ignored);
		struct stat st;
		if (tdir < 0 || fstatat(tdir, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    S_ISDIR(st.st_mode))
			return err_msg(
			    e, EPERM,
			    "%s: \"%s\": hard link to \"%s\", which is not a file in the "
			    "layer",
			    w->what, raw, hard);
		if (linkat(tdir, tbase, dirfd, base, 0) < 0)
			return err_sys(e, errno, "%s: \"%s\": link to \"%s\"", w->what, raw, hard);
		return 0;
	}

	switch (type) {
	case AE_IFREG: {
		const int fl = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
		_cleanup_close_ int fd = openat(dirfd, base, fl, 0600);
		if (fd < 0 && errno == EEXIST) {
			if ((r = clear_slot(dirfd, base, 0)) < 0)
				return err_sys(e, -r, "%s: \"%s\": replace earlier entry", w->what,
					       raw);
			fd = openat(dirfd, base, fl, 0600);
		}
		if (fd < 0)
			return err_sys(e, errno, "%s: \"%s\": create", w->what, raw);
		int64_t end = 0;
		r = write_data(w, a, fd, raw, &end, e);
		if (r < 0)
			return r;
		/* A sparse file's hole at the end has no data block to write. */
		if (archive_entry_size_is_set(ent) && end < archive_entry_size(ent) &&
		    ftruncate(fd, archive_entry_size(ent)) < 0)
			return err_sys(e, errno, "%s: \"%s\": set size", w->what, raw);
		w->size += (uint64_t)archive_entry_size(ent);
		break;
	}
	case AE_IFDIR:
		if (r == 0 && mkdirat(dirfd, base, 0755) < 0)
			return err_sys(e, errno, "%s: \"%s\": mkdir", w->what, raw);
		if ((r = defer_dir(w, path, ent, e)) < 0)
			return r;
		break;
	case AE_IFLNK: {
		const char *target = archive_entry_symlink(ent);
		if (!target)
			return err_msg(e, EINVAL, "%s: \"%s\": symlink without a target", w->what,
				       raw);
		if (symlinkat(target, dirfd, base) < 0)
			return err_sys(e, errno, "%s: \"%s\": symlink", w->what, raw);
		break;
	}
	case AE_IFIFO:
		if (mknodat(dirfd, base, S_IFIFO | 0600, 0) < 0)
			return err_sys(e, errno, "%s: \"%s\": mkfifo", w->what, raw);
		break;
	case AE_IFCHR:
	case AE_IFBLK:
		if (w->rootless)
			return err_msg(e, EPERM, "%s: \"%s\": device node refused (rootless)",
				       w->what, raw);
		if (mknodat(dirfd, base, type | 0600, archive_entry_rdev(ent)) < 0)
			return err_sys(e, errno, "%s: \"%s\": mknod", w->what, raw);
		break;
	default:
		return err_msg(e, EINVAL, "%s: \"%s\": unsupported file type", w->what, raw);
	}
	return set_meta(w, dirfd, base, raw, ent, type == AE_IFLNK, type == AE_IFDIR, e);
}

int layer_writer_finish(struct layer_writer *w, struct err *e)
{
	/* Deepest first (reverse of creation), so setting a parent's time
	 * comes after its children changed it. */
	for (size_t i = w->n_dirs; i-- > 0;) {
		struct dir_fix *d = &w->dirs[i];
		_cleanup_close_ int fd = open_beneath(w->rootfd, d->path, O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			continue; /* replaced by a later entry */
		if (fchmod(fd, d->mode) < 0)
			return err_sys(e, errno, "%s: \"%s\": chmod", w->what, d->path);
		struct timespec ts[2] = {d->mtime, d->mtime};
		if (futimens(fd, ts) < 0)
			return err_sys(e, errno, "%s: \"%s\": set times", w->what, d->path);
	}
	return 0;
}

void layer_writer_free(struct layer_writer *w)
{
	for (size_t i = 0; i < w->n_dirs; i++)
		free(w->dirs[i].path);
	free(w->dirs);
	w->dirs = NULL;
	w->n_dirs = 0;
}
