/* rootfs.c — see rootfs.h. */
#include "image/rootfs.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/userns.h"
#include "image/index.h"
#include "image/rootfs_copy.h"
#include "image/spare.h"
#include "image/store.h"
#include "image/trash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The kernel copies mount options into one page. */
#define OPTIONS_MAX 4000

static int valid_id(const char *id)
{
	if (!*id || strlen(id) > 128 || id[0] == '.')
		return 0;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return 0;
	return 1;
}

/* containers/<id>/image: the image ID, then its layers (chain IDs,
 * bottom first), one a line.  One file, written once: what rmi and GC
 * read to know what is in use. */
static int write_image_file(struct store *s, const char *dir, const struct image_rec *img,
			    struct err *e)
{
	size_t n = strlen(img->id) + 2;
	for (size_t i = 0; i < img->n_layers; i++)
		n += strlen(img->layers[i]) + 1;
	_cleanup_free_ char *buf = malloc(n);
	if (!buf)
		return err_sys(e, ENOMEM, "rootfs");
	char *p = buf + sprintf(buf, "%s\n", img->id);
	for (size_t i = 0; i < img->n_layers; i++)
		p += sprintf(p, "%s\n", img->layers[i]);
	_cleanup_close_ int dfd = openat(s->dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return err_sys(e, errno, "open %s/%s", s->root, dir);
	return write_file_atomic(dfd, "image", buf, (size_t)(p - buf), 0644, e);
}

/* r->target = STORE/mnt, the mount point every container shares (no
 * length check: STORE/containers/<id> fitted in r->dir, and it is longer). */
static void shared_target(const struct store *s, struct rootfs *r)
{
	size_t root_len = strlen(s->root);
	memcpy(r->target, s->root, root_len);
	memcpy(r->target + root_len, "/" ROOTFS_SHARED_TARGET, sizeof("/" ROOTFS_SHARED_TARGET));
}

int rootfs_prepare(struct store *s, const char *ctr_id, const struct image_rec *img,
		   struct rootfs *r, struct err *e)
{
	static const char *const sub[] = {"upper", "work", "empty"};
	memset(r, 0, sizeof(*r));
	if (!valid_id(ctr_id))
		return err_msg(e, EINVAL, "container \"%s\": invalid ID for a root filesystem",
			       ctr_id);
	char rel[256];
	snprintf(rel, sizeof(rel), "containers/%s", ctr_id);
	/* The spare (spare.h) already holds upper/ and work/. */
	size_t first = 0;
	if (spare_take(s, rel))
		first = 2;
	else if (mkdirat(s->dirfd, rel, 0700) < 0 && errno != EEXIST)
		return err_sys(e, errno, "container %s: mkdir %s/%s", ctr_id, s->root, rel);
	/* empty/ only for an image without layers (its lowerdir): one
	 * directory less to make and remove on every container start. */
	for (size_t i = first; i < sizeof(sub) / sizeof(sub[0]) - (img->n_layers > 0); i++) {
		char p[300];
		snprintf(p, sizeof(p), "%s/%s", rel, sub[i]);
		if (mkdirat(s->dirfd, p, 0700) < 0 && errno != EEXIST)
			return err_sys(e, errno, "container %s: mkdir %s/%s", ctr_id, s->root, p);
	}
	/* The shared mount point: made once per store, never removed. */
	if (mkdirat(s->dirfd, ROOTFS_SHARED_TARGET, 0755) < 0 && errno != EEXIST)
		return err_sys(e, errno, "mkdir %s/%s", s->root, ROOTFS_SHARED_TARGET);
	int rc = write_image_file(s, rel, img, e);
	if (rc < 0)
		return err_prefix(e, "container %s", ctr_id);
	if (snprintf(r->dir, sizeof(r->dir), "%s/%s", s->root, rel) >= (int)sizeof(r->dir) - 8)
		return err_msg(e, ENAMETOOLONG, "container %s: path too long", ctr_id);
	shared_target(s, r);

	/* lowerdir: top layer first; an image without layers gets an empty dir. */
	size_t cap = 64 + strlen(r->dir);
	for (size_t i = 0; i < img->n_layers; i++)
		cap += strlen(s->root) + 80;
	r->lowerdir = malloc(cap);
	r->options = malloc(cap + 2 * strlen(r->dir) + 64);
	if (!r->lowerdir || !r->options) {
		rootfs_free(r);
		return err_sys(e, ENOMEM, "container %s", ctr_id);
	}
	char *p = r->lowerdir;
	*p = '\0';
	for (size_t i = img->n_layers; i-- > 0;) {
		if (!store_layer_exists(s, img->layers[i])) {
			rootfs_free(r);
			return err_msg(e, ENOENT, "container %s: layer %s: not in the store",
				       ctr_id, img->layers[i]);
		}
		p += sprintf(p, "%s%s/layers/%s/diff", p == r->lowerdir ? "" : ":", s->root,
			     img->layers[i] + 7);
	}
	if (img->n_layers == 0)
		sprintf(p, "%s/empty", r->dir);
	int n = sprintf(r->options, "lowerdir=%s,upperdir=%s/upper,workdir=%s/work", r->lowerdir,
			r->dir, r->dir);
	if (n > OPTIONS_MAX) {
		rootfs_free(r);
		return err_msg(e, E2BIG,
			       "container %s: %zu layers make overlay options longer than a page "
			       "(use a shorter --storage path)",
			       ctr_id, img->n_layers);
	}
	return 0;
}

static int try_fuse(struct rootfs *r)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execlp("fuse-overlayfs", "fuse-overlayfs", "-o", r->options, r->target,
		       (char *)NULL);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

int rootfs_mount(struct rootfs *r, unsigned flags, struct err *e)
{
	char opts[OPTIONS_MAX + 64];
	int n = snprintf(opts, sizeof(opts), "%s%s", r->options,
			 flags & ROOTFS_USERNS ? ",userxattr" : "");
	if (flags & ROOTFS_VOLATILE) {
		snprintf(opts + n, sizeof(opts) - (size_t)n, ",volatile");
		if (mount("overlay", r->target, "overlay", 0, opts) == 0) {
			r->kind = ROOTFS_OVERLAY;
			return 0;
		}
		opts[n] = '\0'; /* a kernel before 5.10: no "volatile" */
	}
	if (mount("overlay", r->target, "overlay", 0, opts) == 0) {
		r->kind = ROOTFS_OVERLAY;
		return 0;
	}
	int saved = errno;
	if (try_fuse(r) == 0) {
		fprintf(stderr,
			"capsa: warning: overlayfs mount failed (%s); using fuse-overlayfs, which "
			"is slower\n",
			strerror(saved));
		r->kind = ROOTFS_FUSE;
		return 0;
	}
	fprintf(stderr,
		"capsa: warning: overlayfs mount failed (%s) and fuse-overlayfs is not usable; "
		"copying the image's layers (slow, and uses disk space)\n",
		strerror(saved));
	int rc = rootfs_copy_layers(r->lowerdir, r->target, e);
	if (rc < 0)
		return err_prefix(e, "root filesystem %s", r->target);
	r->kind = ROOTFS_COPY;
	return 0;
}

int rootfs_unmount(struct rootfs *r, struct err *e)
{
	if (r->kind == ROOTFS_COPY)
		return 0;
	if (umount2(r->target, UMOUNT_NOFOLLOW) < 0) {
		if (errno == EINVAL)
			return 0; /* not mounted */
		return err_sys(e, errno, "unmount %s", r->target);
	}
	return 0;
}

int rootfs_own_target(struct store *s, struct rootfs *r, struct err *e)
{
	char rel[PATH_MAX];
	size_t n = strlen(s->root);
	/* r->dir is STORE/containers/<id>. */
	if (strncmp(r->dir, s->root, n) != 0 || r->dir[n] != '/')
		return err_msg(e, EINVAL, "root filesystem %s: not in the store", r->dir);
	snprintf(rel, sizeof(rel), "%s/rootfs", r->dir + n + 1);
	/* rootfs/ is the container's "/": 0755 as images expect. */
	if (mkdirat(s->dirfd, rel, 0755) < 0 && errno != EEXIST)
		return err_sys(e, errno, "mkdir %s/%s", s->root, rel);
	if (snprintf(r->target, sizeof(r->target), "%s/rootfs", r->dir) >= (int)sizeof(r->target))
		return err_msg(e, ENAMETOOLONG, "root filesystem %s: path too long", r->dir);
	return 0;
}

int rootfs_overlay_probe(struct store *s, struct rootfs *r, struct err *e)
{
	if (faccessat(s->dirfd, ROOTFS_OVERLAY_OK, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 1;
	int rc = rootfs_own_target(s, r, e);
	if (rc < 0)
		return rc;
	/* Without "volatile": a work dir that held a volatile mount cannot
	 * be mounted again. */
	if (mount("overlay", r->target, "overlay", 0, r->options) < 0)
		return 0; /* the caller's rootfs_mount falls back */
	if (umount2(r->target, UMOUNT_NOFOLLOW) < 0)
		return err_sys(e, errno, "unmount %s", r->target);
	char rel[PATH_MAX];
	snprintf(rel, sizeof(rel), "%s/rootfs", r->dir + strlen(s->root) + 1);
	if (unlinkat(s->dirfd, rel, AT_REMOVEDIR) < 0)
		return err_sys(e, errno, "remove %s", r->target);
	shared_target(s, r);
	/* A marker that tells the next start not to probe again. */
	if (write_file_atomic(s->dirfd, ROOTFS_OVERLAY_OK, "", 0, 0644, e) < 0)
		return err_prefix(e, "storage %s", s->root);
	return 1;
}

int rootfs_remove(struct store *s, const char *ctr_id, struct err *e)
{
	if (!valid_id(ctr_id))
		return err_msg(e, EINVAL, "container \"%s\": invalid ID", ctr_id);
	char path[PATH_MAX + 300], rel[300];
	snprintf(path, sizeof(path), "%s/containers/%s/rootfs", s->root, ctr_id);
	/* A container's own rootfs/ (a copy, or mounted on the host by a
	 * fallback or an older capsa) is mounted (in this namespace) when it
	 * sits on another device than its parent; unprivileged umount of a
	 * plain directory would fail. */
	struct stat a, b;
	char parent[PATH_MAX + 300];
	snprintf(parent, sizeof(parent), "%s/containers/%s", s->root, ctr_id);
	if (stat(path, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev &&
	    umount2(path, UMOUNT_NOFOLLOW) < 0 && errno != EINVAL)
		return err_sys(e, errno, "unmount %s", path);
	/* Into the trash in one rename (trash.h): the blocks are freed by
	 * whoever empties it, not on this command's time.  When the rename
	 * fails, remove the tree here. */
	snprintf(rel, sizeof(rel), "containers/%s", ctr_id);
	int r = trash_put(s, rel, ctr_id, NULL);
	if (r >= 0)
		return r;
	if ((r = userns_rm_rf_at(s->dirfd, rel)) < 0)
		return err_sys(e, -r, "remove %s/%s", s->root, rel);
	return 0;
}

void rootfs_free(struct rootfs *r)
{
	free(r->lowerdir);
	free(r->options);
	r->lowerdir = r->options = NULL;
}
