/* mounts.h — the container's file system, as a plan built first and then
 * applied in one pass (the bubblewrap model).
 *
 * mounts_plan() turns the spec's mounts, the default devices and the /dev
 * links into a list of typed operations; it does no I/O beyond a few
 * stat(2) calls on the host, so a bad spec fails before anything is
 * mounted.  mounts_apply() runs in the container's init, in its new mount
 * namespace, before pivot_root; every destination is resolved inside the
 * root file system with openat2(RESOLVE_IN_ROOT), so a symlink in the
 * image can never point a mount outside of it.  mounts_finish() runs after
 * pivot_root: masked and read-only paths, the read-only root.
 */
#ifndef CAPSA_RUNTIME_MOUNTS_H
#define CAPSA_RUNTIME_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct err;
struct spec;

enum mount_op_kind {
	MOP_MOUNT,   /* a fresh file system: proc, tmpfs, devpts, mqueue … */
	MOP_SYSFS,   /* sysfs; an rbind of /sys where a user ns forbids it */
	MOP_CGROUP,  /* cgroup / cgroup2: see mounts.c for the host layouts */
	MOP_BIND,    /* bind / rbind with mount attributes */
	MOP_DEVICE,  /* mknod, or a bind of the host's node in a user ns */
	MOP_SYMLINK, /* /dev/fd, /dev/stdin … */
};

struct mount_op {
	enum mount_op_kind kind;
	const char *source;
	const char *dest; /* absolute inside the container */
	const char *fstype;
	const char *data;
	unsigned long flags;	     /* MS_* for MOP_MOUNT */
	uint64_t attr_set, attr_clr; /* MOUNT_ATTR_* for MOP_BIND */
	unsigned long propagation;   /* MS_SHARED … (0 none) */
	bool recursive;
	bool dest_is_file; /* bind of a file / device node */
	/* MOP_DEVICE */
	mode_t mode; /* S_IFCHR|S_IFBLK|S_IFIFO | permissions */
	dev_t rdev;
	uid_t uid;
	gid_t gid;
};

struct mount_plan {
	struct mount_op *ops;
	size_t n, cap;
	bool in_userns; /* devices are bound, sysfs may fall back */
};

/* Build the plan for `s`; `in_userns` is true when the container has a
 * user namespace (new or joined).  Memory comes from s->arena. */
int mounts_plan(struct spec *s, bool in_userns, struct mount_plan *p, struct err *e);

/* Before pivot_root: set the propagation of "/", make the root file
 * system a mount point and apply every operation.  `rootfs` is absolute. */
int mounts_apply(const struct spec *s, const struct mount_plan *p, const char *rootfs,
		 struct err *e);

/* Switch to the new root: pivot_root(2), or MS_MOVE + chroot with
 * `no_pivot` (for a rootfs on a ramfs, where pivot_root is impossible).
 * `hooks_ran`: hooks ran in the container's mount namespace since
 * mounts_apply and may have changed the propagation it set. */
int mounts_pivot(const char *rootfs, bool no_pivot, bool hooks_ran, struct err *e);

/* After the pivot: rootfs propagation, masked paths, read-only paths and
 * the read-only root. */
int mounts_finish(const struct spec *s, struct err *e);

#endif
