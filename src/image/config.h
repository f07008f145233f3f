/* config.h — the parts of an OCI/Docker image config the engine applies
 * to a container (the "config" object of the config blob), plus the
 * layer diff IDs the store needs. */
#ifndef CAPSA_IMAGE_CONFIG_H
#define CAPSA_IMAGE_CONFIG_H

#include "base/arena.h"

#include <stddef.h>

struct err;
struct store;

struct kv {
	char *key, *value;
};

struct image_config {
	struct arena arena; /* every string below lives here */
	char *os, *architecture, *variant, *created;
	char **entrypoint, **cmd, **env; /* NULL-terminated; NULL when unset */
	char *working_dir, *user, *stop_signal;
	char **exposed_ports; /* "80/tcp", ... */
	char **volumes;	      /* "/data", ... */
	struct kv *labels;
	size_t n_labels;
	char **diff_ids; /* rootfs.diff_ids, bottom layer first */
	size_t n_diff_ids;
};

/* Parse a config blob's JSON.  `doc` names it in errors. */
int image_config_parse(const char *json, size_t len, const char *doc, struct image_config *c,
		       struct err *e);

/* Read blob `id` from the store (verified) and parse it. */
int image_config_load(struct store *s, const char *id, struct image_config *c, struct err *e);

void image_config_free(struct image_config *c);

#endif
