/* image_use.h — what the engine takes from the image store: an image
 * found by name or ID, its config (Entrypoint, Cmd, Env, WorkingDir,
 * User, StopSignal) and a root filesystem for the container.
 *
 * The root filesystem's directories are made when the container is
 * created and stay until it is removed.  The overlay itself is mounted
 * by the runtime in the container's own mount namespace at each start
 * (runtime/spec.h SPEC_ROOT_OVERLAY), as root and rootless, on the
 * store's shared mount point: nothing is mounted on the host.  Where
 * the kernel's overlayfs cannot be used: as root fuse-overlayfs or a
 * copy on the container's own rootfs/ (image/rootfs.h); rootless before
 * Linux 5.11 a copy of the layers made inside the user namespace.
 */
#ifndef CAPSA_ENGINE_IMAGE_USE_H
#define CAPSA_ENGINE_IMAGE_USE_H

#include <limits.h>
#include <stdbool.h>

#include "engine/bundle.h"
#include "image/config.h"
#include "image/store.h"

struct err;

struct ctr_image {
	struct store st;
	struct image_config cfg;
	struct bundle_image view; /* points into cfg */
	char id[80];		  /* the image's ID */
	char rootfs[PATH_MAX];	  /* the bundle's root.path */
	/* The overlay options that the runtime mounts at rootfs in the
	 * container's namespaces (runtime/spec.h SPEC_ROOT_OVERLAY); "" when
	 * rootfs is mounted on the host (fuse-overlayfs) or a copy. */
	char overlay[3 * PATH_MAX];
	/* With `overlay`: the top layer that has /etc/passwd (where -u looks
	 * names up), or "" for none. */
	char users_root[PATH_MAX];
	bool st_open, cfg_loaded, prepared;
};

/* Find `image` (pull policy: "missing", the default, runs capsa-pull
 * when the store lacks it; "always" first; "never" not at all; `platform`
 * goes to the pull), load its config, make the container's root (the
 * overlay options for the runtime, or a fallback mounted or copied).
 * `scratch`: the root is removed with the container when it exits
 * (--rm), so its upper dir need not survive a crash (overlay "volatile":
 * no sync of the upper filesystem when the mount goes). */
int ctr_image_setup(struct ctr_image *ci, const char *image, const char *pull, const char *platform,
		    const char *ctr_id, bool scratch, struct err *e);

/* Undo a setup whose container creation failed afterwards; the store's
 * root goes to `trashed` when the container's directory went to its
 * trash (as ctr_image_remove). */
void ctr_image_abort(struct ctr_image *ci, const char *ctr_id, char *trashed, size_t len);

/* Free what setup holds (the container's directories stay). */
void ctr_image_release(struct ctr_image *ci);

/* At rm: unmount the container's root in the store at `storage` (the
 * one it was created in) and move it to that store's trash; then the
 * store's resolved root goes to `trashed` (someone must start the
 * reaper: ctr_store_close does).  Returns rootfs_remove's result. */
int ctr_image_remove(const char *storage, const char *ctr_id, char *trashed, size_t len,
		     struct err *e);

#endif
