/* rootfs.h — a container's root filesystem from an image: an overlay of
 * the image's layer dirs (lowerdir, top layer first) with the
 * container's own upper and work dirs:
 *
 *   STORE/containers/<id>/upper/   what the container writes
 *   STORE/containers/<id>/work/    overlayfs' work dir
 *   STORE/containers/<id>/image    the image ID, then its layers
 *   STORE/mnt/                     the mount point every container shares
 *
 * The overlay is mounted by the runtime inside the container's own mount
 * namespace (runtime/spec.h SPEC_ROOT_OVERLAY), on STORE/mnt: each
 * container's mount is private to its namespace, so one directory made
 * once serves them all, nothing is mounted on the host and the mount
 * dies with the namespace (also when capsa is killed).  A start makes
 * two directories and one file in the store.
 *
 * Where the kernel's overlayfs cannot be used (checked once per store as
 * root, rootfs_overlay_probe), the container gets its own
 * STORE/containers/<id>/rootfs/ that rootfs_mount mounts on the host
 * (fuse-overlayfs) or fills with a copy of the layers.
 */
#ifndef CAPSA_IMAGE_ROOTFS_H
#define CAPSA_IMAGE_ROOTFS_H

#include <limits.h>
#include <stddef.h>

struct err;
struct image_rec;
struct store;

enum rootfs_kind {
	ROOTFS_OVERLAY, /* kernel overlayfs */
	ROOTFS_FUSE,	/* fuse-overlayfs, where the kernel's cannot be mounted */
	ROOTFS_COPY,	/* the layers copied into rootfs/ (slow, last resort) */
};

struct rootfs {
	char dir[PATH_MAX];    /* STORE/containers/<id> */
	char target[PATH_MAX]; /* STORE/mnt, or STORE/containers/<id>/rootfs */
	char *lowerdir;	       /* "L_top:…:L_bottom", absolute paths (malloc) */
	char *options;	       /* "lowerdir=…,upperdir=…,workdir=…" (malloc) */
	enum rootfs_kind kind; /* what rootfs_mount used */
};

/* The shared mount point and the marker of a store where the kernel's
 * overlayfs mounts (both relative to the store's root). */
#define ROOTFS_SHARED_TARGET "mnt"
#define ROOTFS_OVERLAY_OK    "overlay.ok"

/* Make the container's directories and the overlay options for image
 * `img` (its layers: chain IDs, bottom first).  Every layer must be in
 * the store.  Records the image ID and layers in containers/<id>/image,
 * so rmi and GC know they are in use.  r->target is the shared mount
 * point STORE/mnt.  No mount yet. */
int rootfs_prepare(struct store *s, const char *ctr_id, const struct image_rec *img,
		   struct rootfs *r, struct err *e);

/* Give the container its own mount point STORE/containers/<id>/rootfs
 * (0755) as r->target: for a mount on the host or a copy. */
int rootfs_own_target(struct store *s, struct rootfs *r, struct err *e);

/* As root: does the kernel's overlayfs mount in this store?  Known when
 * STORE/overlay.ok exists; else found out once by mounting and
 * unmounting r on the container's own target (then the marker is
 * written).  Returns 1 (yes: r->target is the shared mount point), 0
 * (no: r->target is the container's own, for rootfs_mount's fallbacks)
 * or a negative errno with `e` set. */
int rootfs_overlay_probe(struct store *s, struct rootfs *r, struct err *e);

/* rootfs_mount flags. */
enum {
	ROOTFS_USERNS = 1,   /* the caller is in a user namespace: "userxattr" */
	ROOTFS_VOLATILE = 2, /* the upper dir dies with the mount (a --rm run):
			      * overlay's "volatile", so the unmount skips
			      * syncing the upper filesystem (milliseconds to
			      * over 100 ms on a busy disk); kernels without it
			      * get the plain mount */
};

/* Mount r->target in the current mount namespace with `flags`
 * (ROOTFS_*).  When overlayfs fails: fuse-overlayfs if in PATH, else a
 * copy of the layers, each with one warning on stderr.  Sets r->kind. */
int rootfs_mount(struct rootfs *r, unsigned flags, struct err *e);

/* Unmount r->target (a copy has nothing to unmount). */
int rootfs_unmount(struct rootfs *r, struct err *e);

/* Unmount the container's own rootfs/ if mounted, then move
 * containers/<id> (what rootfs_prepare and rootfs_own_target made) into
 * the store's trash (trash.h).  Returns 1 when something went to the
 * trash (someone must empty it: engine/reap.h), 0 when there was nothing,
 * or <0 when neither the move nor a removal in place worked. */
int rootfs_remove(struct store *s, const char *ctr_id, struct err *e);

void rootfs_free(struct rootfs *r);

#endif
