/* image_use.c — see image_use.h. */
#include "engine/image_use.h"

#include "base/error.h"
#include "base/kernel.h"
#include "base/subid.h"
#include "base/userns.h"
#include "image/helper.h"
#include "image/index.h"
#include "image/rootfs.h"
#include "image/rootfs_copy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The merged root takes its mode from the (new, 0700) upper dir; give
 * it the image's own, as the top layer has it, so that a non-root user
 * of the container can walk "/". */
static void root_mode_from_image(const struct rootfs *rfs, const char *root)
{
	if (!rfs->lowerdir)
		return;
	char top[PATH_MAX];
	snprintf(top, sizeof(top), "%.*s", (int)strcspn(rfs->lowerdir, ":"), rfs->lowerdir);
	struct stat want, have;
	if (stat(top, &want) == 0 && stat(root, &have) == 0 &&
	    (want.st_mode & 07777) != (have.st_mode & 07777) &&
	    chmod(root, want.st_mode & 07777) < 0)
		fprintf(stderr, "capsa: warning: chmod %s: %s\n", root, strerror(errno));
}

/* Does the image's config say `platform` ("os/arch[/variant]", arch as
 * docker names it; no variant given: any)?  `have` gets what it says. */
static bool platform_matches(const struct image_config *c, const char *platform, char *have,
			     size_t len)
{
	const char *os = c->os ? c->os : "linux", *arch = c->architecture ? c->architecture : "";
	snprintf(have, len, "%s/%s%s%s", os, arch, c->variant ? "/" : "",
		 c->variant ? c->variant : "");
	char want[96];
	snprintf(want, sizeof(want), "%s", platform);
	char *a = strchr(want, '/'), *v = a ? strchr(a + 1, '/') : NULL;
	if (!a)
		return false;
	*a++ = '\0';
	if (v)
		*v++ = '\0';
	/* The names docker also takes for these two; arm64 without a
	 * variant is v8; an amd64 image without one (v1) runs on every
	 * amd64 level. */
	if (!strcmp(a, "x86_64") || !strcmp(a, "x86-64"))
		a = "amd64";
	else if (!strcmp(a, "aarch64"))
		a = "arm64";
	const char *cv = c->variant ? c->variant : "";
	if (!strcmp(arch, "arm64") && !*cv)
		cv = "v8";
	if (!strcmp(arch, "amd64") && !*cv)
		v = NULL;
	return !strcmp(want, os) && !strcmp(a, arch) && (!v || !strcmp(v, cv));
}

struct copy_args {
	const char *lowerdir, *target;
};

static int copy_layers(void *arg, struct err *e)
{
	const struct copy_args *a = arg;
	return rootfs_copy_layers(a->lowerdir, a->target, e);
}

/* Rootless, the layers' files carry the subordinate ids they were
 * unpacked with; only inside a user namespace with the same mapping can
 * they all be read and their owners kept in the copy. */
static int copy_rootless(const struct id_mapping *m, const struct rootfs *rfs, struct err *e)
{
	struct copy_args a = {rfs->lowerdir, rfs->target};
	if (!id_mapping_has_ranges(m))
		return rootfs_copy_layers(a.lowerdir, a.target, e);
	return userns_run(m, copy_layers, &a, e);
}

/* The top layer of "top:…:bottom" that has etc/passwd: what the merged
 * root will show there (a whiteout of it in a higher layer aside). */
static void users_layer(const char *lowerdir, char *out, size_t len)
{
	out[0] = '\0';
	for (const char *p = lowerdir; p && *p;) {
		size_t n = strcspn(p, ":");
		char path[PATH_MAX];
		struct stat st;
		if (snprintf(path, sizeof(path), "%.*s/etc/passwd", (int)n, p) <
			(int)sizeof(path) &&
		    lstat(path, &st) == 0) {
			snprintf(out, len, "%.*s", (int)n, p);
			return;
		}
		p += n;
		p += *p == ':';
	}
}

/* overlayfs can be mounted in a user namespace since Linux 5.11. */
static bool userns_overlay_ok(void)
{
	return kernel_at_least(5, 11);
}

/* capsa-pull, as `capsa pull` would run it; its progress goes to our
 * stderr, as docker's does. */
static int pull_image(const char *storage, const char *image, const char *platform, struct err *e)
{
	char *args[5] = {"--quiet", NULL, NULL, NULL, NULL};
	size_t n = 1;
	if (platform) {
		args[n++] = "--platform";
		args[n++] = (char *)platform;
	}
	args[n] = (char *)image;
	int r = helper_run("pull", storage, args, e);
	return r < 0 ? err_prefix(e, "image %s", image) : 0;
}

int ctr_image_setup(struct ctr_image *ci, const char *image, const char *pull, const char *platform,
		    const char *ctr_id, bool scratch, struct err *e)
{
	memset(ci, 0, sizeof(*ci));
	char root[PATH_MAX];
	int r = store_root_resolve(NULL, root, sizeof(root), e);
	if (r < 0 || (r = store_open(&ci->st, root, e)) < 0)
		return r;
	ci->st_open = true;
	struct image_index x = {0};
	bool always = pull && !strcmp(pull, "always"), never = pull && !strcmp(pull, "never");
	bool pulled = always;
	if (always && (r = pull_image(root, image, platform, e)) < 0)
		return r;
	if ((r = index_load(&ci->st, &x, e)) < 0)
		return r;
	int i = index_find(&x, image, e);
	for (;;) {
		if (i == -ENOENT && !never && !pulled) {
			/* --pull missing (the default): fetch it, then look again. */
			index_free(&x);
			pulled = true;
			if ((r = pull_image(root, image, platform, e)) < 0 ||
			    (r = index_load(&ci->st, &x, e)) < 0)
				return r;
			i = index_find(&x, image, e);
		}
		if (i < 0) {
			index_free(&x);
			return i;
		}
		snprintf(ci->id, sizeof(ci->id), "%s", x.v[i].id);
		if ((r = image_config_load(&ci->st, ci->id, &ci->cfg, e)) < 0) {
			index_free(&x);
			return err_prefix(e, "image %s", image);
		}
		ci->cfg_loaded = true;
		/* --platform names what must run: an image of the name for
		 * another platform is pulled again for this one, as docker
		 * does, or refused. */
		char have[96];
		if (!platform || platform_matches(&ci->cfg, platform, have, sizeof(have)))
			break;
		image_config_free(&ci->cfg);
		ci->cfg_loaded = false;
		if (never || pulled) {
			index_free(&x);
			return err_msg(e, ENOENT,
				       "image %s is for %s, not the --platform %s asked for%s", image,
				       have, platform, never ? " (--pull never)" : "");
		}
		i = -ENOENT;
	}
	/* Layers unpacked under another id mapping would show wrong owners. */
	struct id_mapping map;
	id_mapping_current(&map);
	if ((r = store_idmap_check(&ci->st, &map, 0, e)) < 0) {
		index_free(&x);
		return r;
	}
	struct rootfs rfs = {0};
	r = rootfs_prepare(&ci->st, ctr_id, &x.v[i], &rfs, e);
	index_free(&x);
	if (r < 0) {
		rootfs_free(&rfs);
		return err_prefix(e, "image %s", image);
	}
	ci->prepared = true;
	/* The runtime mounts the overlay inside the container's own mount
	 * namespace (the bundle's annotation): nothing on the host to
	 * unmount at the end, nothing left mounted if capsa is killed, and
	 * rootless the only way (only the container's user namespace may
	 * mount it).  As root, where the kernel's overlayfs does not mount
	 * in this store, rootfs_mount's fallbacks on the host; rootless on a
	 * kernel without overlayfs in user namespaces (before 5.11), a copy
	 * of the layers owned by the container's root. */
	bool rootless = geteuid() != 0;
	int k = rootless ? userns_overlay_ok() : rootfs_overlay_probe(&ci->st, &rfs, e);
	if (k == 1) {
		r = 0;
		/* --rm: "volatile", the upper dir need not survive a crash:
		 * no sync of the upper filesystem when the mount goes. */
		if (snprintf(ci->overlay, sizeof(ci->overlay), "%s%s%s", rfs.options,
			     rootless ? ",userxattr" : "",
			     scratch ? ",volatile" : "") >= (int)sizeof(ci->overlay))
			r = err_msg(e, ENAMETOOLONG, "overlay options: too long");
		users_layer(rfs.lowerdir, ci->users_root, sizeof(ci->users_root));
	} else if (k < 0) {
		r = k;
	} else if (rootless) {
		fprintf(stderr, "capsa: warning: this kernel cannot mount overlayfs in a user "
				"namespace: the container gets a copy of the image's layers\n");
		r = rootfs_own_target(&ci->st, &rfs, e);
		if (r == 0)
			r = copy_rootless(&map, &rfs, e);
	} else
		r = rootfs_mount(&rfs, scratch ? ROOTFS_VOLATILE : 0, e);
	snprintf(ci->rootfs, sizeof(ci->rootfs), "%s", rfs.target);
	/* The root directory's mode is the top layer's: through the mounted
	 * overlay (it goes to the upper dir), or on the upper dir itself
	 * for an overlay the runtime mounts, or on the copy. */
	char upper[PATH_MAX + 8];
	snprintf(upper, sizeof(upper), "%s/upper", rfs.dir);
	if (r == 0)
		root_mode_from_image(&rfs, ci->overlay[0] ? upper : rfs.target);
	rootfs_free(&rfs);
	if (r < 0)
		return err_prefix(e, "image %s", image);
	ci->view = (struct bundle_image){.entrypoint = ci->cfg.entrypoint,
					 .cmd = ci->cfg.cmd,
					 .env = ci->cfg.env,
					 .workdir = ci->cfg.working_dir,
					 .user = ci->cfg.user,
					 .stop_signal = ci->cfg.stop_signal};
	return 0;
}

void ctr_image_abort(struct ctr_image *ci, const char *ctr_id, char *trashed, size_t len)
{
	if (ci->prepared && rootfs_remove(&ci->st, ctr_id, NULL) > 0)
		snprintf(trashed, len, "%s", ci->st.root);
	ci->prepared = false;
}

void ctr_image_release(struct ctr_image *ci)
{
	if (ci->cfg_loaded)
		image_config_free(&ci->cfg);
	if (ci->st_open)
		store_close(&ci->st);
	ci->cfg_loaded = ci->st_open = false;
}

int ctr_image_remove(const char *storage, const char *ctr_id, char *trashed, size_t len,
		     struct err *e)
{
	char root[PATH_MAX];
	struct store st;
	int r = store_root_resolve(storage, root, sizeof(root), e);
	if (r < 0)
		return r;
	/* The container's directory is in the store: nothing to make, and
	 * with the store gone, nothing to remove. */
	if ((r = store_attach(&st, root, e)) < 0)
		return r == -ENOENT ? 0 : r;
	r = rootfs_remove(&st, ctr_id, e);
	if (r > 0)
		snprintf(trashed, len, "%s", root);
	store_close(&st);
	return r;
}
