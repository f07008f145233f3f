/* fs.c — see fs.h. */
#include "base/fs.h"

#include "base/cleanup.h"
#include "base/error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int read_fd_named(int fd, const char *name, char **out, size_t *len, struct err *e)
{
	size_t cap = 4096, n = 0, size = 0;
	struct stat st;
	/* A regular file: room for one byte more than its size (and the
	 * NUL), so that a short read of exactly st_size bytes is the end
	 * and no second read(2) is needed to see it. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		size = (size_t)st.st_size;
		cap = size + 2;
	}
	_cleanup_free_ char *buf = malloc(cap);
	if (!buf)
		return err_sys(e, ENOMEM, "read %s", name);
	for (;;) {
		if (n + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				return err_sys(e, ENOMEM, "read %s", name);
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return err_sys(e, errno, "read %s", name);
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (size && n == size) /* short: each read asks one byte more */
			break;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	*out = steal_ptr(buf);
	return 0;
}

int read_fd(int fd, char **out, size_t *len, struct err *e)
{
	return read_fd_named(fd, "file", out, len, e);
}

int read_file_at(int dirfd, const char *path, char **out, size_t *len, struct err *e)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(e, errno, "open %s", path);
	return read_fd_named(fd, path, out, len, e);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t r = write(fd, p, len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int write_file_atomic(int dirfd, const char *name, const void *buf, size_t len, mode_t mode,
		      struct err *e)
{
	char tmp[512];
	int n = snprintf(tmp, sizeof(tmp), ".%s.tmp.%d", name, (int)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return err_msg(e, ENAMETOOLONG, "write %s: name too long", name);
	_cleanup_close_ int fd =
	    openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return err_sys(e, errno, "create %s", tmp);
	int r = write_all(fd, buf, len);
	if (r < 0) {
		unlinkat(dirfd, tmp, 0);
		return err_sys(e, -r, "write %s", name);
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		r = errno;
		unlinkat(dirfd, tmp, 0);
		return err_sys(e, r, "rename %s", name);
	}
	return 0;
}

int write_file_new(int dirfd, const char *name, const void *buf, size_t len, mode_t mode,
		   struct err *e)
{
	_cleanup_close_ int fd =
	    openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return err_sys(e, errno, "create %s", name);
	int r = write_all(fd, buf, len);
	if (r < 0)
		return err_sys(e, -r, "write %s", name);
	return 0;
}

int write_file(const char *path, const char *buf, size_t len, struct err *e)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return err_sys(e, errno, "open %s", path);
	int r = write_all(fd, buf, len);
	if (r < 0)
		return err_sys(e, -r, "write %s", path);
	return 0;
}

int mkdir_p(const char *path, mode_t mode, struct err *e)
{
	char buf[4096];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof(buf))
		return err_msg(e, EINVAL, "mkdir %s: invalid path", path);
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, mode) < 0 && errno != EEXIST)
				return err_sys(e, errno, "mkdir %s", buf);
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

DIR *opendir_at(int dirfd, const char *name)
{
	bool self = !name || !*name;
	int fd = self ? fcntl(dirfd, F_DUPFD_CLOEXEC, 0)
		      : openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	DIR *d = fdopendir(fd);
	if (!d) {
		int saved = errno;
		close(fd);
		errno = saved;
		return NULL;
	}
	if (self)
		rewinddir(d);
	return d;
}

int rm_rf_at(int dfd, const char *name)
{
	if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	/* An empty directory (most of a finished container's) goes in one
	 * call; anything else the walk below handles as before. */
	if (unlinkat(dfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
		return 0;
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	/* A directory of ours without read, write or search permission
	 * (overlayfs' work/work is 0000, image dirs may be 0555): grant them
	 * to ourselves, as the owner may. */
	if (fd < 0 && errno == EACCES && fchmodat(dfd, name, 0700, 0) == 0)
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (geteuid() != 0)
		(void)fchmod(fd, 0700);
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	struct dirent *de;
	int ret = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		int r = rm_rf_at(dirfd(d), de->d_name);
		if (r < 0 && ret == 0)
			ret = r;
	}
	closedir(d);
	if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && ret == 0)
		ret = -errno;
	return ret;
}

int open_in_root(int rootfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
	    .flags = (unsigned long long)(flags | O_CLOEXEC),
	    .mode = (flags & O_CREAT) ? mode : 0,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	if (fd < 0)
		return -errno;
	return (int)fd;
}

/* Create `path` (length `len`, no trailing slash) under the root, making
 * its parent first only when needed: an existing path costs one openat2. */
static int mkpath_rec(int rootfd, char *path, size_t len, int is_file, mode_t mode)
{
	int fd = open_in_root(rootfd, path, O_PATH, 0);
	if (fd != -ENOENT)
		return fd;
	char *slash = memrchr(path, '/', len);
	int pfd;
	const char *base;
	if (slash && slash != path) {
		*slash = '\0';
		pfd = mkpath_rec(rootfd, path, (size_t)(slash - path), 0, 0755);
		*slash = '/';
		base = slash + 1;
	} else {
		pfd = open_in_root(rootfd, "/", O_PATH | O_DIRECTORY, 0);
		base = slash ? slash + 1 : path;
	}
	if (pfd < 0)
		return pfd;
	int r;
	if (is_file) {
		r = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
		if (r >= 0)
			close(r);
	} else {
		r = mkdirat(pfd, base, mode);
	}
	if (r < 0 && errno != EEXIST) {
		r = -errno;
		close(pfd);
		return r;
	}
	/* What we just made is a plain entry of a directory inside the root
	 * and can be opened without resolution; an entry that already
	 * existed (a racing or dangling symlink) is resolved in the root. */
	fd = r < 0 ? open_in_root(rootfd, path, O_PATH, 0)
		   : openat(pfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && r >= 0)
		fd = -errno;
	close(pfd);
	return fd;
}

int mkpath_in_root(int rootfd, const char *path, int last_is_file, mode_t mode)
{
	char buf[4096];
	while (*path == '/')
		path++;
	size_t n = strlen(path);
	while (n > 0 && path[n - 1] == '/')
		n--;
	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	if (n == 0)
		return open_in_root(rootfd, "/", O_PATH | O_DIRECTORY, 0);
	memcpy(buf, path, n);
	buf[n] = '\0';
	return mkpath_rec(rootfd, buf, n, last_is_file, mode);
}

const char *fd_path(int fd, char buf[FD_PATH_MAX])
{
	snprintf(buf, FD_PATH_MAX, "/proc/self/fd/%d", fd);
	return buf;
}

bool fs_mark_topdir(int fd)
{
	int fl = 0;
	if (ioctl(fd, FS_IOC_GETFLAGS, &fl) < 0)
		return false;
	if (fl & FS_TOPDIR_FL)
		return true;
	fl |= FS_TOPDIR_FL;
	return ioctl(fd, FS_IOC_SETFLAGS, &fl) == 0;
}
