/* index.h — images.json, the store's list of images:
 *
 *   {"images": [{"id": "sha256:<config digest>",
 *                "manifest": "sha256:<manifest digest>",
 *                "names": ["docker.io/library/alpine:latest"],
 *                "layers": ["sha256:<chain id>", ...],   bottom first
 *                "size": <bytes unpacked>, "created": "<RFC 3339>",
 *                "added": <unix seconds>}]}
 *
 * The image ID is the config blob's digest, as docker and podman use it.
 * Readers load it without a lock (it is replaced by rename); writers
 * hold store_lock() from load to save.
 */
#ifndef CAPSA_IMAGE_INDEX_H
#define CAPSA_IMAGE_INDEX_H

#include <stddef.h>
#include <stdint.h>

struct err;
struct store;

struct image_rec {
	char *id;
	char *manifest;
	char **names; /* NULL-terminated, may be empty */
	char **layers;
	size_t n_names, n_layers;
	uint64_t size;
	char *created;
	int64_t added;
};

struct image_index {
	struct image_rec *v;
	size_t n;
};

/* A missing images.json is an empty index. */
int index_load(struct store *s, struct image_index *x, struct err *e);
/* Write atomically (temporary name + rename). */
int index_save(struct store *s, const struct image_index *x, struct err *e);
void index_free(struct image_index *x);

/* Find an image by name ("alpine" is normalised first), by full ID
 * ("sha256:…" or the bare hex) or by a unique ID prefix of at least 3
 * hex digits.  Returns the index or a negative code (ENOENT: no such
 * image; EINVAL: ambiguous prefix) with a message naming `what`. */
int index_find(const struct image_index *x, const char *what, struct err *e);

/* Add or update the image `rec->id` (taking ownership of `rec`'s
 * strings) and give it `name` (may be NULL): the name moves from any
 * image that held it, as a re-tag does. */
int index_put(struct image_index *x, struct image_rec *rec, const char *name, struct err *e);

/* Drop `name` from whatever image holds it; returns 1 if it was there. */
int index_untag(struct image_index *x, const char *name);

/* Remove entry `i` (freeing it). */
void index_remove(struct image_index *x, size_t i);

void image_rec_free(struct image_rec *r);

/* Register an image whose config blob `config_digest` and every layer
 * (layers/<chain-id>, from the config's diff_ids) are in the store:
 * under store_lock, load images.json, put the image (ID = config digest,
 * manifest digest may be NULL) under `name` (a normalised reference, may
 * be NULL), save.  A missing layer is an error and nothing is written. */
int index_commit_image(struct store *s, const char *config_digest, const char *manifest_digest,
		       const char *name, struct err *e);

#endif
