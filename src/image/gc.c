/* gc.c — see gc.h.  Mark from images.json and the containers' layer
 * lists, then sweep blobs/, layers/ and tmp/. */
#include "image/gc.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/userns.h"
#include "image/index.h"
#include "image/ref.h"
#include "image/store.h"
#include "image/trash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* A set of 64-hex names, kept sorted for bsearch. */
struct hexset {
	char (*v)[65];
	size_t n, cap;
};

static int set_add(struct hexset *h, const char *digest)
{
	const char *hex = !strncmp(digest, "sha256:", 7) ? digest + 7 : digest;
	if (strlen(hex) != 64)
		return 0;
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		void *v = realloc(h->v, cap * sizeof(*h->v));
		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	memcpy(h->v[h->n++], hex, 65);
	return 0;
}

static int cmp65(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int set_has(const struct hexset *h, const char *hex)
{
	return h->n && bsearch(hex, h->v, h->n, sizeof(*h->v), cmp65) != NULL;
}

/* The blobs a manifest lists (config and layers). */
static int mark_manifest(struct store *s, const char *digest, struct hexset *blobs)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	struct err ignored = {0};
	if (store_blob_read(s, digest, 4 << 20, &buf, &len, &ignored) < 0)
		return 0;
	json_object *m = json_tokener_parse(buf), *cfg, *layers, *d;
	int r = 0;
	if (m && json_object_object_get_ex(m, "config", &cfg) &&
	    json_object_object_get_ex(cfg, "digest", &d))
		r = set_add(blobs, json_object_get_string(d));
	if (r == 0 && m && json_object_object_get_ex(m, "layers", &layers) &&
	    json_object_is_type(layers, json_type_array))
		for (size_t i = 0; r == 0 && i < json_object_array_length(layers); i++)
			if (json_object_object_get_ex(json_object_array_get_idx(layers, i),
						      "digest", &d))
				r = set_add(blobs, json_object_get_string(d));
	json_object_put(m);
	return r;
}

/* Layers named in containers/<id>/image (one chain ID a line after the
 * image ID). */
static int mark_containers(struct store *s, struct hexset *layers)
{
	DIR *d = opendir_at(s->dirfd, "containers");
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	struct dirent *de;
	int r = 0;
	while (r == 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		/* "image": the image ID, then the layers; "layers" (layers
		 * only) from containers made before that. */
		static const char *const files[] = {"image", "layers"};
		for (size_t f = 0; f < 2; f++) {
			char rel[512];
			_cleanup_free_ char *buf = NULL;
			snprintf(rel, sizeof(rel), "containers/%s/%s", de->d_name, files[f]);
			if (read_file_at(s->dirfd, rel, &buf, NULL, NULL) < 0)
				continue;
			char *line = strtok(buf, "\n");
			if (f == 0 && line)
				line = strtok(NULL, "\n");
			for (; r == 0 && line; line = strtok(NULL, "\n"))
				r = set_add(layers, line);
		}
	}
	closedir(d);
	return r;
}

static uint64_t du_layer(struct store *s, const char *hex)
{
	char rel[128];
	_cleanup_free_ char *buf = NULL;
	snprintf(rel, sizeof(rel), "layers/%.64s/layer.json", hex);
	if (read_file_at(s->dirfd, rel, &buf, NULL, NULL) < 0)
		return 0;
	const char *p = strstr(buf, "\"size\":");
	return p ? strtoull(p + 7, NULL, 10) : 0;
}

/* Remove a temporary if its writer (holding a flock on it) is gone. */
static int sweep_temp(int dirfd, const char *name)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
		return 0;
	return userns_rm_rf_at(dirfd, name) == 0;
}

static int sweep(struct store *s, const char *dir, const struct hexset *keep, int layers,
		 struct gc_stats *st)
{
	DIR *d = opendir_at(s->dirfd, dir);
	if (!d)
		return -errno;
	int fd = dirfd(d);
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		if (!strncmp(n, ".tmp-", 5) || !strcmp(dir, "tmp")) {
			st->temps += (size_t)sweep_temp(fd, n);
			continue;
		}
		char hex[65];
		snprintf(hex, sizeof(hex), "%.64s", n);
		int is_lock = strlen(n) == 69 && !strcmp(n + 64, ".lock");
		if (strlen(n) != 64 && !is_lock)
			continue;
		if (set_has(keep, hex))
			continue;
		if (is_lock) {
			/* A lock file goes once its layer is gone and no one holds it. */
			_cleanup_close_ int lfd = openat(fd, n, O_RDONLY | O_CLOEXEC);
			if (lfd >= 0 && flock(lfd, LOCK_EX | LOCK_NB) == 0 &&
			    faccessat(fd, hex, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
				unlinkat(fd, n, 0);
			continue;
		}
		if (layers) {
			uint64_t b = du_layer(s, n);
			if (userns_rm_rf_at(fd, n) == 0) {
				st->layers++;
				st->bytes += b;
				/* Its lock goes too, unless an unpack holds it.  (A
				 * racing unpack that then recreates the lock is safe:
				 * the rename into place decides.) */
				char lk[80];
				snprintf(lk, sizeof(lk), "%s.lock", hex);
				_cleanup_close_ int lfd = openat(fd, lk, O_RDONLY | O_CLOEXEC);
				if (lfd >= 0 && flock(lfd, LOCK_EX | LOCK_NB) == 0)
					unlinkat(fd, lk, 0);
			}
		} else {
			struct stat sb;
			if (fstatat(fd, n, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
			    unlinkat(fd, n, 0) == 0) {
				st->blobs++;
				st->bytes += (uint64_t)sb.st_size;
			}
		}
	}
	closedir(d);
	return 0;
}

int store_gc(struct store *s, const struct image_index *x, struct gc_stats *st, struct err *e)
{
	struct hexset blobs = {0}, layers = {0};
	int r = 0;
	memset(st, 0, sizeof(*st));
	/* Removed containers' directories first (waiting for a reaper at
	 * work): after rmi or prune nothing of them is left.  What cannot
	 * be removed stays in the trash for the next try. */
	int n = trash_empty(s, NULL);
	st->temps += n > 0 ? (size_t)n : 0;
	for (size_t i = 0; r == 0 && i < x->n; i++) {
		const struct image_rec *im = &x->v[i];
		r = set_add(&blobs, im->id);
		if (r == 0 && im->manifest && (r = set_add(&blobs, im->manifest)) == 0)
			r = mark_manifest(s, im->manifest, &blobs);
		for (size_t j = 0; r == 0 && j < im->n_layers; j++)
			r = set_add(&layers, im->layers[j]);
	}
	if (r == 0)
		r = mark_containers(s, &layers);
	if (r < 0) {
		r = err_sys(e, -r, "storage \"%s\": garbage collection", s->root);
		goto out;
	}
	qsort(blobs.v, blobs.n, sizeof(*blobs.v), cmp65);
	qsort(layers.v, layers.n, sizeof(*layers.v), cmp65);
	if ((r = sweep(s, "layers", &layers, 1, st)) < 0 ||
	    (r = sweep(s, "blobs/sha256", &blobs, 0, st)) < 0 ||
	    (r = sweep(s, "tmp", &blobs, 0, st)) < 0)
		r = err_sys(e, -r, "storage \"%s\": garbage collection", s->root);
out:
	free(blobs.v);
	free(layers.v);
	return r;
}

int store_image_in_use(struct store *s, const char *id, char *cid, size_t len)
{
	DIR *d = opendir_at(s->dirfd, "containers");
	if (!d)
		return 0;
	struct dirent *de;
	int found = 0;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char rel[512];
		_cleanup_free_ char *buf = NULL;
		snprintf(rel, sizeof(rel), "containers/%s/image", de->d_name);
		if (read_file_at(s->dirfd, rel, &buf, NULL, NULL) < 0)
			continue;
		buf[strcspn(buf, "\n")] = '\0';
		if (!strcmp(buf, id)) {
			found = 1;
			snprintf(cid, len, "%s", de->d_name);
		}
	}
	closedir(d);
	return found;
}
