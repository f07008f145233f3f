/* mounts.c — see mounts.h. */
#include "runtime/mounts.h"

#include "base/arena.h"
#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "runtime/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The device set every container gets (runtime-spec "Default Devices"). */
static const struct {
	const char *path;
	unsigned major, minor;
} default_devices[] = {
    {"/dev/null", 1, 3},   {"/dev/zero", 1, 5},	   {"/dev/full", 1, 7},
    {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

static const struct {
	const char *target, *link;
} default_links[] = {
    {"/proc/self/fd", "/dev/fd"},
    {"/proc/self/fd/0", "/dev/stdin"},
    {"/proc/self/fd/1", "/dev/stdout"},
    {"/proc/self/fd/2", "/dev/stderr"},
};

static struct mount_op *plan_add(struct spec *s, struct mount_plan *p, struct err *e)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		struct mount_op *ops = arena_calloc(&s->arena, cap, sizeof(*ops));
		if (!ops) {
			err_sys(e, ENOMEM, "mount plan");
			return NULL;
		}
		if (p->n)
			memcpy(ops, p->ops, p->n * sizeof(*ops));
		p->ops = ops;
		p->cap = cap;
	}
	return &p->ops[p->n++];
}

/* MS_* words of a bind mount become mount_setattr(2) attributes: they
 * apply recursively in one call and never clear a flag that the kernel
 * locked on the source (the failure mode of MS_REMOUNT in a user ns). */
static void bind_attrs(const struct spec_mount *m, uint64_t *set, uint64_t *clr)
{
	static const struct {
		unsigned long ms;
		uint64_t attr;
	} map[] = {
	    {MS_RDONLY, MOUNT_ATTR_RDONLY},	    {MS_NOSUID, MOUNT_ATTR_NOSUID},
	    {MS_NODEV, MOUNT_ATTR_NODEV},	    {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
	    {MS_NODIRATIME, MOUNT_ATTR_NODIRATIME}, {MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW},
	};
	*set = *clr = 0;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		if (m->flags & map[i].ms)
			*set |= map[i].attr;
		if (m->clear_flags & map[i].ms)
			*clr |= map[i].attr;
	}
	uint64_t atime = 0;
	if (m->flags & MS_NOATIME)
		atime = MOUNT_ATTR_NOATIME;
	else if (m->flags & MS_STRICTATIME)
		atime = MOUNT_ATTR_STRICTATIME;
	else if (m->flags & MS_RELATIME)
		atime = MOUNT_ATTR_RELATIME;
	if (atime || (m->flags & MS_STRICTATIME)) {
		*set |= atime;
		*clr |= MOUNT_ATTR__ATIME;
	}
}

static bool is_dir_path(const char *path)
{
	struct stat st;
	return stat(path, &st) < 0 || S_ISDIR(st.st_mode);
}

static int plan_spec_mounts(struct spec *s, struct mount_plan *p, bool *dev_is_bind,
			    bool *has_devpts, struct err *e)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		struct spec_mount *m = &s->mounts[i];
		if (m->n_uid_mappings || m->n_gid_mappings)
			return err_msg(e, ENOTSUP,
				       "mount %s: idmapped mounts are not supported yet",
				       m->destination);
		struct mount_op *op = plan_add(s, p, e);
		if (!op)
			return -ENOMEM;
		op->source = m->source;
		op->dest = m->destination;
		op->fstype = m->type;
		op->data = m->data;
		op->flags = m->flags & ~(unsigned long)(MS_BIND | MS_REC);
		op->propagation = m->propagation;
		op->recursive = m->recursive_bind;
		const char *t = m->type ? m->type : "";
		if (m->is_bind) {
			if (!m->source)
				return err_msg(e, EINVAL, "mount %s: a bind mount needs a source",
					       m->destination);
			op->kind = MOP_BIND;
			op->dest_is_file = !is_dir_path(m->source);
			bind_attrs(m, &op->attr_set, &op->attr_clr);
			if (!strcmp(m->destination, "/dev"))
				*dev_is_bind = true;
		} else if (!strcmp(t, "sysfs")) {
			op->kind = MOP_SYSFS;
		} else if (!strcmp(t, "cgroup") || !strcmp(t, "cgroup2")) {
			op->kind = MOP_CGROUP;
		} else {
			if (!*t)
				return err_msg(e, EINVAL, "mount %s: no type and not a bind mount",
					       m->destination);
			op->kind = MOP_MOUNT;
			if (!strcmp(t, "devpts") && !strcmp(m->destination, "/dev/pts"))
				*has_devpts = true;
		}
	}
	return 0;
}

static bool spec_has_device(const struct spec *s, const char *path)
{
	for (size_t i = 0; i < s->lnx.n_devices; i++)
		if (!strcmp(s->lnx.devices[i].path, path))
			return true;
	return false;
}

static int plan_device(struct spec *s, struct mount_plan *p, const char *path, mode_t mode,
		       dev_t rdev, uid_t uid, gid_t gid, struct err *e)
{
	struct mount_op *op = plan_add(s, p, e);
	if (!op)
		return -ENOMEM;
	op->kind = MOP_DEVICE;
	op->dest = path;
	op->source = path; /* the host's node, bound in a user namespace */
	op->mode = mode;
	op->rdev = rdev;
	op->uid = uid;
	op->gid = gid;
	op->dest_is_file = true;
	return 0;
}

int mounts_plan(struct spec *s, bool in_userns, struct mount_plan *p, struct err *e)
{
	memset(p, 0, sizeof(*p));
	p->in_userns = in_userns;
	bool dev_is_bind = false, has_devpts = false;
	int r = plan_spec_mounts(s, p, &dev_is_bind, &has_devpts, e);
	if (r < 0)
		return r;
	if (!dev_is_bind) {
		for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
			if (spec_has_device(s, default_devices[i].path))
				continue;
			r = plan_device(s, p, default_devices[i].path, S_IFCHR | 0666,
					makedev(default_devices[i].major, default_devices[i].minor),
					0, 0, e);
			if (r < 0)
				return r;
		}
	}
	for (size_t i = 0; i < s->lnx.n_devices; i++) {
		struct spec_device *d = &s->lnx.devices[i];
		mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
		mode_t perm = d->has_mode ? (mode_t)d->mode & 07777 : 0666;
		r = plan_device(s, p, d->path, type | perm,
				makedev((unsigned)d->major, (unsigned)d->minor),
				d->has_uid ? d->uid : 0, d->has_gid ? d->gid : 0, e);
		if (r < 0)
			return r;
	}
	if (!dev_is_bind) {
		for (size_t i = 0; i < ARRAY_SIZE(default_links); i++) {
			struct mount_op *op = plan_add(s, p, e);
			if (!op)
				return -ENOMEM;
			op->kind = MOP_SYMLINK;
			op->source = default_links[i].target;
			op->dest = default_links[i].link;
		}
		if (has_devpts) {
			struct mount_op *op = plan_add(s, p, e);
			if (!op)
				return -ENOMEM;
			op->kind = MOP_SYMLINK;
			op->source = "pts/ptmx";
			op->dest = "/dev/ptmx";
		}
	}
	return 0;
}

/* --- applying the plan ------------------------------------------------ */

/* A destination that cannot be made is most often a symlink in the
 * image whose target does not exist inside the root: say which. */
static int explain_dest(int rootfd, const char *dest, int errnum, struct err *e)
{
	char prefix[4096], target[4096];
	size_t n = strlen(dest);
	for (size_t i = 1; i <= n && n < sizeof(prefix); i++) {
		if (dest[i] != '/' && dest[i] != '\0')
			continue;
		memcpy(prefix, dest, i);
		prefix[i] = '\0';
		char *slash = strrchr(prefix, '/');
		*slash = '\0';
		_cleanup_close_ int pfd = open_in_root(rootfd, prefix[0] ? prefix : "/", O_PATH, 0);
		*slash = '/';
		if (pfd < 0)
			break;
		ssize_t l = readlinkat(pfd, slash + 1, target, sizeof(target) - 1);
		if (l < 0)
			continue;
		target[l] = '\0';
		_cleanup_close_ int t = open_in_root(rootfd, prefix, O_PATH, 0);
		if (t < 0)
			return err_msg(
			    e, errnum,
			    "mount destination %s: %s is a symlink to %s, which does not "
			    "exist inside the root file system",
			    dest, prefix, target);
	}
	return err_sys(e, errnum, "mount destination %s", dest);
}

/* Devices and links come in runs under one directory (/dev): keep its
 * fd instead of resolving it again for every entry.  When that directory
 * is a tmpfs the plan just mounted, it is known to be empty: a directory
 * to create right under it (/dev/pts, /dev/shm, /dev/mqueue) needs no
 * lookup first. */
struct dir_cache {
	char path[256];
	int fd;	    /* a real directory fd (not O_PATH), for mknodat/symlinkat */
	bool fresh; /* the root of a tmpfs mounted by this plan */
};

/* `dest` is a direct child of the cached directory: its name, else NULL. */
static const char *cached_child(const struct dir_cache *dc, const char *dest)
{
	if (dc->fd < 0)
		return NULL;
	const char *slash = strrchr(dest, '/');
	size_t dl = (size_t)(slash - dest);
	if (strlen(dc->path) != dl || memcmp(dc->path, dest, dl) || !slash[1])
		return NULL;
	return slash + 1;
}

/* A directory made under a fresh tmpfs: mkdirat + open, no resolution
 * (nothing there can be a symlink but what the plan made itself, and
 * then mkdirat says EEXIST and the caller resolves as usual). */
static int fresh_subdir(const struct dir_cache *dc, const struct mount_op *op)
{
	const char *name = dc && dc->fresh && !op->dest_is_file ? cached_child(dc, op->dest) : NULL;
	if (!name || mkdirat(dc->fd, name, 0755) < 0)
		return -1;
	return openat(dc->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
}

static int dest_fd(int rootfd, const struct dir_cache *dc, const struct mount_op *op, struct err *e)
{
	int fd = fresh_subdir(dc, op);
	if (fd >= 0)
		return fd;
	fd = mkpath_in_root(rootfd, op->dest, op->dest_is_file, op->dest_is_file ? 0644 : 0755);
	if (fd < 0)
		return explain_dest(rootfd, op->dest, -fd, e);
	return fd;
}

static int set_propagation(int rootfd, const struct mount_op *op, struct err *e)
{
	if (!op->propagation)
		return 0;
	/* Re-resolve: the fd taken before the mount names the covered
	 * directory, not the new mount on top of it. */
	_cleanup_close_ int fd = open_in_root(rootfd, op->dest, O_PATH, 0);
	if (fd < 0)
		return err_sys(e, -fd, "mount %s", op->dest);
	char buf[FD_PATH_MAX];
	if (mount(NULL, fd_path(fd, buf), NULL, op->propagation, NULL) < 0)
		return err_sys(e, errno, "set propagation of %s", op->dest);
	return 0;
}

static int bind_from(int rootfd, const struct dir_cache *dc, const char *source,
		     const struct mount_op *op, bool recursive, uint64_t set, uint64_t clr,
		     struct err *e)
{
	_cleanup_close_ int tree = open_tree(
	    AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
	if (tree < 0)
		return err_sys(e, errno, "bind mount %s on %s", source, op->dest);
	if (set || clr || op->propagation) {
		struct mount_attr attr = {.attr_set = set, .attr_clr = clr};
		if (op->propagation)
			attr.propagation = op->propagation & ~(unsigned long)MS_REC;
		if (mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr,
				  sizeof(attr)) < 0)
			return err_sys(e, errno, "bind mount %s on %s: set attributes", source,
				       op->dest);
	}
	_cleanup_close_ int dfd = dest_fd(rootfd, dc, op, e);
	if (dfd < 0)
		return dfd;
	if (move_mount(tree, "", dfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return err_sys(e, errno, "bind mount %s on %s", source, op->dest);
	return 0;
}

static uint64_t flags_to_attrs(unsigned long f)
{
	uint64_t a = 0;
	if (f & MS_RDONLY)
		a |= MOUNT_ATTR_RDONLY;
	if (f & MS_NOSUID)
		a |= MOUNT_ATTR_NOSUID;
	if (f & MS_NODEV)
		a |= MOUNT_ATTR_NODEV;
	if (f & MS_NOEXEC)
		a |= MOUNT_ATTR_NOEXEC;
	return a;
}

static int mount_fresh(int rootfd, const struct dir_cache *dc, const struct mount_op *op,
		       const char *fstype, struct err *e)
{
	_cleanup_close_ int dfd = dest_fd(rootfd, dc, op, e);
	if (dfd < 0)
		return dfd;
	char buf[FD_PATH_MAX];
	const char *src = op->source ? op->source : fstype;
	if (mount(src, fd_path(dfd, buf), fstype, op->flags, op->data) < 0)
		return -errno; /* the caller decides: fall back or report */
	return set_propagation(rootfd, op, e);
}

/* sysfs belongs to the network namespace: in a user namespace that does
 * not own its network namespace the kernel refuses a fresh one, and the
 * host's /sys is bound instead (read-only as asked). */
static int apply_sysfs(int rootfd, const struct mount_op *op, bool in_userns, struct err *e)
{
	int r = mount_fresh(rootfd, NULL, op, "sysfs", e);
	if (r == 0)
		return 0;
	if ((r != -EPERM && r != -EACCES) || !in_userns)
		return err_sys(e, -r, "mount sysfs on %s", op->dest);
	return bind_from(rootfd, NULL, "/sys", op, true, flags_to_attrs(op->flags), 0, e);
}

/* On a cgroup v2 host a fresh cgroup2 mount shows the container's own
 * cgroup namespace.  On v1 and hybrid hosts (and where the kernel refuses
 * a fresh mount) the host's /sys/fs/cgroup tree is bound, read-only
 * recursively when asked; the cgroup layer narrows this to the
 * container's own cgroups. */
static int apply_cgroup(int rootfd, const struct mount_op *op, struct err *e)
{
	struct statfs sf;
	bool v2 = statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
	if (v2) {
		int r = mount_fresh(rootfd, NULL, op, "cgroup2", e);
		if (r == 0)
			return 0;
		if (r != -EPERM && r != -EBUSY && r != -EACCES)
			return err_sys(e, -r, "mount cgroup2 on %s", op->dest);
	}
	return bind_from(rootfd, NULL, "/sys/fs/cgroup", op, true, flags_to_attrs(op->flags), 0, e);
}

static void cache_drop(struct dir_cache *dc)
{
	if (dc->fd >= 0)
		close(dc->fd);
	dc->fd = -1;
	dc->fresh = false;
}

/* Does a mount on `dest` cover the cached directory (the directory
 * itself or one of its ancestors)? */
static bool cache_covered(const struct dir_cache *dc, const char *dest)
{
	size_t n = strlen(dest);
	while (n > 1 && dest[n - 1] == '/')
		n--;
	if (n == 1 && dest[0] == '/')
		return true;
	return !strncmp(dc->path, dest, n) && (dc->path[n] == '\0' || dc->path[n] == '/');
}

/* A tmpfs just mounted on `dest`: cache its root (best effort; without
 * it the next entries are resolved as usual). */
static void cache_fresh(int rootfd, struct dir_cache *dc, const char *dest)
{
	/* A tmpfs below the cached directory (/dev/shm under /dev) keeps
	 * the cache: the entries that follow are the directory's. */
	if (dc->fd >= 0 && !cache_covered(dc, dest))
		return;
	cache_drop(dc);
	size_t n = strlen(dest);
	while (n > 1 && dest[n - 1] == '/')
		n--;
	if (n >= sizeof(dc->path) || dest[0] != '/')
		return;
	memcpy(dc->path, dest, n);
	dc->path[n == 1 ? 0 : n] = '\0';
	dc->fd = open_in_root(rootfd, dest, O_RDONLY | O_DIRECTORY, 0);
	if (dc->fd < 0) {
		dc->fd = -1;
		return;
	}
	dc->fresh = true;
}

static int parent_fd(int rootfd, struct dir_cache *dc, const char *dest, const char **name,
		     struct err *e)
{
	const char *slash = strrchr(dest, '/');
	size_t dl = (size_t)(slash - dest);
	*name = slash + 1;
	if (dl >= sizeof(dc->path))
		return err_msg(e, ENAMETOOLONG, "%s: path too long", dest);
	if (dc->fd >= 0 && strlen(dc->path) == dl && !memcmp(dc->path, dest, dl))
		return dc->fd;
	cache_drop(dc);
	memcpy(dc->path, dest, dl);
	dc->path[dl] = '\0';
	_cleanup_close_ int pfd = mkpath_in_root(rootfd, dl ? dc->path : "/", 0, 0755);
	if (pfd < 0)
		return err_sys(e, -pfd, "%s", dest);
	char buf[FD_PATH_MAX];
	dc->fd = open(fd_path(pfd, buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dc->fd < 0)
		return err_sys(e, errno, "%s", dest);
	return dc->fd;
}

static int apply_device(int rootfd, struct dir_cache *dc, const struct mount_op *op, bool in_userns,
			struct err *e)
{
	if (in_userns) /* a user namespace cannot create device nodes: bind the host's */
		return bind_from(rootfd, dc, op->source, op, false, 0, 0, e);
	const char *name;
	int dfd = parent_fd(rootfd, dc, op->dest, &name, e);
	if (dfd < 0)
		return dfd;
	/* The init runs with umask 0, so the node gets exactly op->mode. */
	if (mknodat(dfd, name, op->mode, op->rdev) < 0) {
		if (errno != EEXIST)
			return err_sys(e, errno, "create device %s", op->dest);
		struct stat st;
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    (st.st_mode & S_IFMT) != (op->mode & S_IFMT) || st.st_rdev != op->rdev) {
			if (unlinkat(dfd, name, 0) < 0 ||
			    mknodat(dfd, name, op->mode, op->rdev) < 0)
				return err_sys(e, errno, "create device %s", op->dest);
		} else if (fchmodat(dfd, name, op->mode & 07777, 0) < 0) {
			return err_sys(e, errno, "chmod device %s", op->dest);
		}
	}
	if ((op->uid || op->gid) && fchownat(dfd, name, op->uid, op->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return err_sys(e, errno, "chown device %s", op->dest);
	return 0;
}

static int apply_symlink(int rootfd, struct dir_cache *dc, const struct mount_op *op, struct err *e)
{
	const char *name;
	int dfd = parent_fd(rootfd, dc, op->dest, &name, e);
	if (dfd < 0)
		return dfd;
	if (symlinkat(op->source, dfd, name) < 0 && errno != EEXIST)
		return err_sys(e, errno, "symlink %s -> %s", op->dest, op->source);
	return 0;
}

static int apply_op(int rootfd, struct dir_cache *dc, const struct mount_op *op, bool in_userns,
		    struct err *e)
{
	int r;
	switch (op->kind) {
	case MOP_BIND:
		return bind_from(rootfd, dc, op->source, op, op->recursive, op->attr_set,
				 op->attr_clr, e);
	case MOP_SYSFS:
		return apply_sysfs(rootfd, op, in_userns, e);
	case MOP_CGROUP:
		return apply_cgroup(rootfd, op, e);
	case MOP_DEVICE:
		return apply_device(rootfd, dc, op, in_userns, e);
	case MOP_SYMLINK:
		return apply_symlink(rootfd, dc, op, e);
	case MOP_MOUNT:
		err_clear(e);
		r = mount_fresh(rootfd, dc, op, op->fstype, e);
		/* mount_fresh leaves a failed mount(2) for us to describe. */
		if (r < 0 && e && e->code == 0)
			return err_sys(e, -r, "mount %s on %s", op->fstype, op->dest);
		if (r == 0 && op->fstype && !strcmp(op->fstype, "tmpfs") && !op->dest_is_file)
			cache_fresh(rootfd, dc, op->dest);
		return r;
	}
	return err_msg(e, EINVAL, "mount plan: bad operation");
}

/* The overlay root (spec.h SPEC_ROOT_OVERLAY).  A kernel before 5.10
 * refuses the "volatile" option an engine may add for a throw-away
 * container: mount it without. */
static int mount_root_overlay(const char *options, const char *rootfs)
{
	if (mount("overlay", rootfs, "overlay", 0, options) == 0)
		return 0;
	size_t n = strlen(options), v = sizeof(",volatile") - 1;
	if (errno != EINVAL || n <= v || strcmp(options + n - v, ",volatile") != 0)
		return -1;
	char plain[4096];
	if (n - v >= sizeof(plain)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(plain, options, n - v);
	plain[n - v] = '\0';
	return mount("overlay", rootfs, "overlay", 0, plain);
}

static unsigned long root_propagation(const struct spec *s)
{
	unsigned long p = s->lnx.rootfs_propagation & ~(unsigned long)MS_REC;
	/* "/" starts slave (or private when asked): nothing the container
	 * mounts may ever propagate back to the host.  A shared root is
	 * applied after pivot_root, which refuses a shared parent. */
	return (p == MS_PRIVATE ? MS_PRIVATE : MS_SLAVE) | MS_REC;
}

int mounts_apply(const struct spec *s, const struct mount_plan *p, const char *rootfs,
		 struct err *e)
{
	if (mount(NULL, "/", NULL, root_propagation(s), NULL) < 0)
		return err_sys(e, errno, "make / %s",
			       root_propagation(s) & MS_PRIVATE ? "rprivate" : "rslave");
	if (s->root_overlay) {
		if (mount_root_overlay(s->root_overlay, rootfs) < 0)
			return err_sys(e, errno, "mount the overlay root file system on %s",
				       rootfs);
	} else if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) {
		return err_sys(e, errno, "bind root file system %s", rootfs);
	}
	_cleanup_close_ int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return err_sys(e, errno, "open root file system %s", rootfs);
	struct dir_cache dc = {.fd = -1};
	int r = 0;
	for (size_t i = 0; i < p->n && r == 0; i++) {
		/* A mount on the cached directory or above it covers it:
		 * drop it first.  One below it (/dev/pts) does not. */
		const struct mount_op *op = &p->ops[i];
		if (op->kind != MOP_DEVICE && op->kind != MOP_SYMLINK && dc.fd >= 0 &&
		    cache_covered(&dc, op->dest))
			cache_drop(&dc);
		r = apply_op(rootfd, &dc, op, p->in_userns, e);
	}
	cache_drop(&dc);
	return r;
}

int mounts_pivot(const char *rootfs, bool no_pivot, bool hooks_ran, struct err *e)
{
	if (chdir(rootfs) < 0)
		return err_sys(e, errno, "chdir %s", rootfs);
	if (no_pivot) {
		if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
			return err_sys(e, errno, "move %s to /", rootfs);
		if (chroot(".") < 0)
			return err_sys(e, errno, "chroot %s", rootfs);
		if (chdir("/") < 0)
			return err_sys(e, errno, "chdir /");
		return 0;
	}
	/* pivot_root(".", ".") stacks the old root on top of the new one;
	 * detaching it leaves the new root alone, without a put_old dir. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return err_sys(e, errno, "pivot_root %s", rootfs);
	/* mounts_apply made the old root rslave or rprivate, so detaching
	 * it cannot reach the host; a hook in between may have changed
	 * that (re-assert it then). */
	if (hooks_ran && mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return err_sys(e, errno, "make old root rslave");
	if (umount2(".", MNT_DETACH) < 0)
		return err_sys(e, errno, "detach old root");
	if (chdir("/") < 0)
		return err_sys(e, errno, "chdir /");
	return 0;
}

/* Files are covered with /dev/null, directories with an empty read-only
 * tmpfs.  A stat(2) first, because a bind that fails is not cheap: the
 * kernel clones the source mount, fails to graft it onto a directory
 * (ENOTDIR) and frees it after an expedited RCU grace period, ~0.1 ms on
 * a VM; a missing path costs one stat and no mount.
 *
 * Only the first masked directory gets a tmpfs of its own; the others get
 * a bind of it (`*empty`, its path): one superblock to make and to tear
 * down at exit instead of one per directory, for the same one system
 * call each.  Between masks nothing but masks is mounted, so `*empty`
 * names that empty read-only tmpfs still, or nothing when a later mask
 * covered one of its ancestors (ENOENT): then this directory gets a
 * tmpfs of its own and becomes the source. */
static int mask_path(const char *path, const char **empty, struct err *e)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : err_sys(e, errno, "mask %s", path);
	if (!S_ISDIR(st.st_mode)) {
		if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0)
			return err_sys(e, errno, "mask %s", path);
		return 0;
	}
	if (*empty && mount(*empty, path, NULL, MS_BIND, NULL) == 0)
		return 0;
	if (*empty && errno != ENOENT)
		return err_sys(e, errno, "mask %s (a bind of %s)", path, *empty);
	if (mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0k") < 0)
		return err_sys(e, errno, "mask %s", path);
	*empty = path;
	return 0;
}

static int readonly_path(const char *path, struct err *e)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return errno == ENOENT ? 0 : err_sys(e, errno, "make %s read-only", path);
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
	if (mount_setattr(AT_FDCWD, path, AT_RECURSIVE | AT_SYMLINK_NOFOLLOW, &attr, sizeof(attr)) <
	    0)
		return err_sys(e, errno, "make %s read-only", path);
	return 0;
}

int mounts_finish(const struct spec *s, struct err *e)
{
	unsigned long prop = s->lnx.rootfs_propagation;
	if (prop && !(prop & (MS_SLAVE | MS_PRIVATE)) && mount(NULL, "/", NULL, prop, NULL) < 0)
		return err_sys(e, errno, "set rootfsPropagation");
	int r;
	const char *empty = NULL;
	for (size_t i = 0; i < s->lnx.n_masked_paths; i++)
		if ((r = mask_path(s->lnx.masked_paths[i], &empty, e)) < 0)
			return r;
	for (size_t i = 0; i < s->lnx.n_readonly_paths; i++)
		if ((r = readonly_path(s->lnx.readonly_paths[i], e)) < 0)
			return r;
	/* A working directory the image lacks is made, as runc and docker
	 * do (-w /new): while "/" is still writable, as root, inside the
	 * container's root.  What cannot be made, the chdir reports. */
	if (s->process && s->process->cwd && s->process->cwd[0] == '/')
		mkdir_p(s->process->cwd, 0755, NULL);
	if (s->root_readonly) {
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
		if (mount_setattr(AT_FDCWD, "/", 0, &attr, sizeof(attr)) < 0)
			return err_sys(e, errno, "make the root file system read-only");
	}
	return 0;
}
