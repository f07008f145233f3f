/* fs.h — small file-system helpers: whole-file reads, atomic writes,
 * recursive mkdir and removal, and path resolution confined to a root.
 */
#ifndef CAPSA_BASE_FS_H
#define CAPSA_BASE_FS_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct err;

/* Read all of `path` (relative to `dirfd`, AT_FDCWD allowed) into a
 * NUL-terminated malloc'd buffer.  `len` may be NULL. */
int read_file_at(int dirfd, const char *path, char **out, size_t *len, struct err *e);

/* Read all of an open fd (from its current offset). */
int read_fd(int fd, char **out, size_t *len, struct err *e);

/* Write `buf` to `dirfd`/`name` through a temporary name and rename(2),
 * so readers see the old content or the new, never a part. */
int write_file_atomic(int dirfd, const char *name, const void *buf, size_t len, mode_t mode,
		      struct err *e);

/* Create `dirfd`/`name`, which must not exist (O_EXCL, no symlink), and
 * write `buf` in place: for a directory the caller has just made and
 * holds, where no reader can see a part and a rename buys nothing. */
int write_file_new(int dirfd, const char *name, const void *buf, size_t len, mode_t mode,
		   struct err *e);

/* open(O_WRONLY|O_TRUNC) + write; for /proc and /sys knobs.  Returns
 * 0 or -errno, message only if `e` is given. */
int write_file(const char *path, const char *buf, size_t len, struct err *e);

/* mkdir -p; existing directories are fine. */
int mkdir_p(const char *path, mode_t mode, struct err *e);

/* A directory stream over `dirfd`/`name`, or, with `name` NULL or "",
 * over a duplicate of `dirfd` itself (which stays the caller's), rewound:
 * a duplicate shares its position with `dirfd`, so without the rewind a
 * second walk would start where an earlier one ended and see nothing.
 * NULL with errno set.  Close with closedir; dirfd(3) of the stream
 * serves the *at calls of the walk. */
DIR *opendir_at(int dirfd, const char *name);

/* rm -rf of `name` under `dirfd`; a missing entry is success.  Does not
 * cross mount points (only unlinks what the directory holds). */
int rm_rf_at(int dirfd, const char *name);

/* Open `path` inside the tree rooted at `rootfd`, resolving symlinks and
 * ".." as if `rootfd` were "/" (openat2 RESOLVE_IN_ROOT).  Returns an fd
 * or -errno. */
int open_in_root(int rootfd, const char *path, int flags, mode_t mode);

/* Create every missing component of `path` under `rootfd` (directories,
 * and the last one as a directory or, when `last_is_file`, an empty
 * file), never leaving the root; returns an O_PATH fd of the last
 * component or -errno. */
int mkpath_in_root(int rootfd, const char *path, int last_is_file, mode_t mode);

/* Mark the directory open at `fd` as the top of independent hierarchies
 * (chattr +T, FS_TOPDIR_FL): ext4's Orlov allocator then puts each
 * directory made in it into a group of its own choosing instead of the
 * parent's.  Best effort: false where the file system has no such flag
 * or the caller may not set it; nothing else changes. */
bool fs_mark_topdir(int fd);

/* "/proc/self/fd/N" for use with syscalls that take only paths. */
#define FD_PATH_MAX 32
const char *fd_path(int fd, char buf[FD_PATH_MAX]);

#endif
