/* rootfs.h — a container's root filesystem from an image: an overlay of
 * the image's layer dirs (lowerdir, top layer first) with the
 * container's own upper and work dirs:
 *
 *   STORE/containers/<id>/upper/   what the container writes
 *   STORE/containers/<id>/work/    overlayfs' work dir
 *   STORE/containers/<id>/rootfs/  the mount point (the bundle's root.path)
 *
 * Mounting is on the container start path: rootfs_prepare makes three
 * directories and one option string; rootfs_mount is one mount(2).  No
 * scan, no copy, unless overlayfs cannot be mounted at all.
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
	char target[PATH_MAX]; /* STORE/containers/<id>/rootfs */
	char *lowerdir;	       /* "L_top:…:L_bottom", absolute paths (malloc) */
	char *options;	       /* "lowerdir=…,upperdir=…,workdir=…" (malloc) */
	enum rootfs_kind kind; /* what rootfs_mount used */
};

/* Make the container's directories and the overlay options for image
 * `img` (its layers: chain IDs, bottom first).  Every layer must be in
 * the store.  Records the image ID and layers in containers/<id>/image
 * and containers/<id>/layers, so rmi and GC know they are in use.  No
 * mount yet. */
int rootfs_prepare(struct store *s, const char *ctr_id, const struct image_rec *img,
		   struct rootfs *r, struct err *e);

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

/* Unmount if mounted and remove STORE/containers/<id>/{upper,work,rootfs}. */
int rootfs_remove(struct store *s, const char *ctr_id, struct err *e);

void rootfs_free(struct rootfs *r);

#endif
