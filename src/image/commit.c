/* commit.c — registering a complete image in images.json (index.h). */
#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "image/config.h"
#include "image/index.h"
#include "image/store.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The unpacked size recorded in layers/<hex>/layer.json (0 if absent). */
static uint64_t layer_size(struct store *s, const char *chain)
{
	char rel[96];
	_cleanup_free_ char *buf = NULL;
	snprintf(rel, sizeof(rel), "layers/%s/layer.json", chain + 7);
	if (read_file_at(s->dirfd, rel, &buf, NULL, NULL) < 0)
		return 0;
	json_object *o = json_tokener_parse(buf), *v;
	uint64_t n = 0;
	if (o && json_object_object_get_ex(o, "size", &v))
		n = (uint64_t)json_object_get_int64(v);
	json_object_put(o);
	return n;
}

static int fill_rec(struct store *s, const struct image_config *c, const char *config_digest,
		    const char *manifest_digest, struct image_rec *r, struct err *e)
{
	char chain[SHA256_DIGEST_STR] = "";
	r->layers = calloc(c->n_diff_ids + 1, sizeof(char *));
	r->id = strdup(config_digest);
	r->manifest = manifest_digest ? strdup(manifest_digest) : NULL;
	r->created = c->created ? strdup(c->created) : NULL;
	if (!r->layers || !r->id || (manifest_digest && !r->manifest) ||
	    (c->created && !r->created))
		return err_sys(e, ENOMEM, "image %s", config_digest);
	for (size_t i = 0; i < c->n_diff_ids; i++) {
		char next[SHA256_DIGEST_STR];
		chain_id_next(chain, c->diff_ids[i], next);
		memcpy(chain, next, sizeof(chain));
		if (!store_layer_exists(s, chain))
			return err_msg(e, ENOENT, "image %s: layer %zu (%s): not in the store",
				       config_digest, i, c->diff_ids[i]);
		if (!(r->layers[i] = strdup(chain)))
			return err_sys(e, ENOMEM, "image %s", config_digest);
		r->n_layers = i + 1;
		r->size += layer_size(s, chain);
	}
	r->added = (int64_t)time(NULL);
	return 0;
}

int index_commit_image(struct store *s, const char *config_digest, const char *manifest_digest,
		       const char *name, struct err *e)
{
	struct image_config c;
	int r = image_config_load(s, config_digest, &c, e);
	if (r < 0)
		return r;
	struct image_rec rec = {0};
	r = fill_rec(s, &c, config_digest, manifest_digest, &rec, e);
	image_config_free(&c);
	if (r < 0) {
		image_rec_free(&rec);
		return r;
	}
	_cleanup_close_ int lock = store_lock(s, e);
	if (lock < 0) {
		image_rec_free(&rec);
		return lock;
	}
	struct image_index x;
	r = index_load(s, &x, e);
	if (r < 0) {
		image_rec_free(&rec);
		return r;
	}
	r = index_put(&x, &rec, name, e);
	image_rec_free(&rec);
	if (r == 0)
		r = index_save(s, &x, e);
	index_free(&x);
	return r;
}
