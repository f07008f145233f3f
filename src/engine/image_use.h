/* image_use.h — what the engine takes from the image store: an image
 * found by name or ID, its config (Entrypoint, Cmd, Env, WorkingDir,
 * User, StopSignal) and a root filesystem for the container.
 *
 * The root filesystem is made and mounted when the container is created
 * and stays until it is removed (so a start is one pivot, no mount): as
 * root an overlay of the image's layers under STORE/containers/<id>/;
 * rootless, where the host's overlayfs cannot be mounted from outside a
 * user namespace and a fuse-overlayfs mount would shut out every uid of
 * the container but its root, a copy of the layers (slow for big images:
 * the overlay belongs in the runtime's mount plan, inside the user
 * namespace — not done yet).
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
	char rootfs[PATH_MAX];	  /* the mounted root: the bundle's root.path */
	/* Rootless: the overlay options that the runtime mounts at rootfs in
	 * the container's namespaces (runtime/spec.h SPEC_ROOT_OVERLAY); ""
	 * when rootfs is mounted (root) or a copy (no overlay in a userns). */
	char overlay[3 * PATH_MAX];
	/* With `overlay`: the top layer that has /etc/passwd (where -u looks
	 * names up), or "" for none. */
	char users_root[PATH_MAX];
	bool st_open, cfg_loaded, prepared;
};

/* Find `image` (pull policy: "missing", the default, runs capsa-pull
 * when the store lacks it; "always" first; "never" not at all; `platform`
 * goes to the pull), load its config, make and mount the container's
 * root.  `scratch`: the root is removed with the container when it exits
 * (--rm), so its upper dir need not survive a crash (overlay "volatile":
 * no sync of the upper filesystem at unmount). */
int ctr_image_setup(struct ctr_image *ci, const char *image, const char *pull, const char *platform,
		    const char *ctr_id, bool scratch, struct err *e);

/* Undo a setup whose container creation failed afterwards. */
void ctr_image_abort(struct ctr_image *ci, const char *ctr_id);

/* Free what setup holds (the mount stays). */
void ctr_image_release(struct ctr_image *ci);

/* At rm: unmount and remove the container's root in the store at
 * `storage` (the one it was created in). */
int ctr_image_remove(const char *storage, const char *ctr_id, struct err *e);

#endif
