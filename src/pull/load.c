/* load.c — `capsa-pull load --storage DIR FILE|-`: images from a
 * docker-archive (`docker save`, manifest.json) or an oci-archive
 * (`podman save --format oci-archive`, `skopeo copy … oci-archive:`,
 * index.json).  One pass over the tar files the blobs straight into the
 * store (verified) and everything else into a temporary directory; then
 * the layers are unpacked and the images registered, last, so a bad
 * layer leaves no image behind. */
#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "image/config.h"
#include "image/index.h"
#include "image/ref.h"
#include "image/store.h"
#include "pull/commands.h"
#include "pull/common.h"
#include "pull/load_archive.h"
#include "pull/unpack.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_JSON (4 << 20)

static json_object *parse_json(const char *buf, size_t len, const char *doc, struct err *e)
{
	json_tokener *tok = json_tokener_new();
	if (!tok) {
		err_sys(e, ENOMEM, "%s", doc);
		return NULL;
	}
	json_object *o = json_tokener_parse_ex(tok, buf, (int)len);
	enum json_tokener_error je = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (je != json_tokener_success || !o) {
		json_object_put(o);
		err_msg(e, EINVAL, "%s: invalid JSON: %s", doc, json_tokener_error_desc(je));
		return NULL;
	}
	return o;
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Unpack the layers of config `config_digest`, each opened by
 * `open_layer(i)`, bottom first. */
static int unpack_layers(struct store *s, struct load_archive *la, const char *config_digest,
			 char **paths, char **digests, size_t n, struct err *e)
{
	struct image_config c;
	int r = image_config_load(s, config_digest, &c, e);
	if (r < 0)
		return r;
	if (c.n_diff_ids != n) {
		r = err_msg(e, EINVAL, "image %.19s: %zu layers, but its config lists %zu diff IDs",
			    config_digest, n, c.n_diff_ids);
		goto out;
	}
	char parent[SHA256_DIGEST_STR] = "";
	for (size_t i = 0; i < n; i++) {
		char what[128];
		snprintf(what, sizeof(what), "layer %zu (%.19s)", i + 1, c.diff_ids[i]);
		_cleanup_close_ int fd = load_archive_open(la, s, paths ? paths[i] : NULL,
							   digests ? digests[i] : NULL, e);
		if (fd < 0) {
			r = err_prefix(e, "%s", what);
			goto out;
		}
		struct layer_in in = {.fd = fd,
				      .name = what,
				      .parent_chain = i ? parent : NULL,
				      .diff_id = c.diff_ids[i],
				      .digest = digests ? digests[i] : NULL};
		struct layer_out lo;
		if ((r = layer_unpack(s, &in, &lo, e)) < 0)
			goto out;
		memcpy(parent, lo.chain_id, sizeof(parent));
		fprintf(stderr, "%s layer %s\n", lo.existed ? "Existing" : "Loaded", lo.diff_id);
	}
out:
	image_config_free(&c);
	return r;
}

/* docker-archive: manifest.json = [{"Config", "RepoTags", "Layers"}]. */
static int load_docker(struct store *s, struct load_archive *la, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r = load_archive_read(la, s, "manifest.json", NULL, MAX_JSON, &buf, &len, e);
	if (r < 0)
		return r;
	json_object *m = parse_json(buf, len, "manifest.json", e);
	if (!m)
		return -EINVAL;
	if (!json_object_is_type(m, json_type_array)) {
		json_object_put(m);
		return err_msg(e, EINVAL, "manifest.json: expected an array");
	}
	for (size_t i = 0; r == 0 && i < json_object_array_length(m); i++) {
		json_object *img = json_object_array_get_idx(m, i), *layers, *tags = NULL;
		const char *cfg = jstr(img, "Config");
		if (!cfg || !json_object_object_get_ex(img, "Layers", &layers) ||
		    !json_object_is_type(layers, json_type_array)) {
			r = err_msg(e, EINVAL, "manifest.json: image %zu: needs Config and Layers",
				    i);
			break;
		}
		json_object_object_get_ex(img, "RepoTags", &tags);
		_cleanup_free_ char *cbuf = NULL;
		char config[SHA256_DIGEST_STR];
		if ((r = load_archive_read(la, s, cfg, NULL, MAX_JSON, &cbuf, &len, e)) < 0 ||
		    (r = store_blob_put(s, cbuf, len, config, e)) < 0)
			break;
		size_t n = json_object_array_length(layers);
		_cleanup_free_ char **paths = calloc(n + 1, sizeof(char *));
		if (!paths) {
			r = err_sys(e, ENOMEM, "manifest.json");
			break;
		}
		for (size_t j = 0; j < n; j++) {
			json_object *l = json_object_array_get_idx(layers, j);
			if (!json_object_is_type(l, json_type_string)) {
				r = err_msg(e, EINVAL,
					    "manifest.json: image %zu: layer %zu: not a path", i,
					    j);
				break;
			}
			paths[j] = (char *)json_object_get_string(l);
		}
		if (r < 0 || (r = unpack_layers(s, la, config, paths, NULL, n, e)) < 0)
			break;
		size_t nt = tags && json_object_is_type(tags, json_type_array)
				? json_object_array_length(tags)
				: 0;
		if (nt == 0)
			r = index_commit_image(s, config, NULL, NULL, e);
		for (size_t j = 0; r == 0 && j < nt; j++) {
			const char *t = json_object_get_string(json_object_array_get_idx(tags, j));
			struct image_ref ref;
			char name[REF_STR_MAX];
			if ((r = ref_parse(t ? t : "", &ref, e)) < 0 ||
			    (r = ref_format(&ref, name, sizeof(name))) < 0)
				break;
			r = index_commit_image(s, config, NULL, name, e);
			if (r == 0)
				printf("Loaded image: %s\n", name);
		}
		if (r == 0 && nt == 0)
			printf("Loaded image ID: %s\n", config);
	}
	json_object_put(m);
	return r;
}

/* The name an OCI descriptor carries, if it is a full reference. */
static int oci_name(json_object *desc, char name[REF_STR_MAX])
{
	json_object *ann;
	name[0] = '\0';
	if (!json_object_object_get_ex(desc, "annotations", &ann))
		return 0;
	const char *n = jstr(ann, "io.containerd.image.name");
	if (!n)
		n = jstr(ann, "org.opencontainers.image.ref.name");
	struct image_ref ref;
	struct err ignored = {0};
	if (!n || (!strchr(n, '/') && !strchr(n, ':')) || ref_parse(n, &ref, &ignored) < 0)
		return 0;
	return ref_format(&ref, name, REF_STR_MAX) > 0;
}

static int oci_manifest(struct store *s, struct load_archive *la, const char *digest,
			const char *name, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r = store_blob_read(s, digest, MAX_JSON, &buf, &len, e);
	if (r < 0)
		return err_prefix(e, "manifest");
	json_object *m = parse_json(buf, len, "manifest", e), *cfg, *layers;
	if (!m)
		return -EINVAL;
	const char *config;
	if (!json_object_object_get_ex(m, "config", &cfg) || !(config = jstr(cfg, "digest")) ||
	    !ref_is_digest(config) || !json_object_object_get_ex(m, "layers", &layers) ||
	    !json_object_is_type(layers, json_type_array)) {
		json_object_put(m);
		return err_msg(e, EINVAL, "manifest %.19s: needs config.digest and layers", digest);
	}
	size_t n = json_object_array_length(layers);
	_cleanup_free_ char **digests = calloc(n + 1, sizeof(char *));
	if (!digests) {
		json_object_put(m);
		return err_sys(e, ENOMEM, "manifest");
	}
	for (size_t j = 0; j < n; j++) {
		const char *d = jstr(json_object_array_get_idx(layers, j), "digest");
		if (!d || !ref_is_digest(d)) {
			json_object_put(m);
			return err_msg(e, EINVAL, "manifest %.19s: layer %zu: invalid digest",
				       digest, j);
		}
		digests[j] = (char *)d;
	}
	r = unpack_layers(s, la, config, NULL, digests, n, e);
	if (r == 0)
		r = index_commit_image(s, config, digest, name[0] ? name : NULL, e);
	if (r == 0)
		printf("Loaded image: %s\n", name[0] ? name : config);
	json_object_put(m);
	return r;
}

/* Follow an index (index.json or a nested one): manifests for the host
 * platform, or without a platform, are loaded. */
static int oci_index(struct store *s, struct load_archive *la, json_object *idx,
		     const char *inherited, int depth, struct err *e)
{
	json_object *ms;
	if (depth > 4)
		return err_msg(e, ELOOP, "index.json: indexes nested too deep");
	if (!json_object_object_get_ex(idx, "manifests", &ms) ||
	    !json_object_is_type(ms, json_type_array))
		return err_msg(e, EINVAL, "index: expected a manifests array");
	int loaded = 0, r = 0;
	for (size_t i = 0; r == 0 && i < json_object_array_length(ms); i++) {
		json_object *d = json_object_array_get_idx(ms, i), *plat;
		const char *mt = jstr(d, "mediaType"), *dg = jstr(d, "digest");
		char name[REF_STR_MAX];
		if (!oci_name(d, name) && inherited)
			snprintf(name, sizeof(name), "%s", inherited);
		if (!dg || !ref_is_digest(dg))
			return err_msg(e, EINVAL, "index: manifest %zu: invalid digest", i);
		if (json_object_object_get_ex(d, "platform", &plat)) {
			const char *os = jstr(plat, "os"), *arch = jstr(plat, "architecture");
			if ((os && strcmp(os, "linux")) || (arch && strcmp(arch, host_arch())))
				continue;
		}
		if (mt && (strstr(mt, "index") || strstr(mt, "manifest.list"))) {
			_cleanup_free_ char *buf = NULL;
			size_t len;
			if ((r = store_blob_read(s, dg, MAX_JSON, &buf, &len, e)) < 0)
				return err_prefix(e, "index");
			json_object *sub = parse_json(buf, len, "index", e);
			if (!sub)
				return -EINVAL;
			r = oci_index(s, la, sub, name[0] ? name : NULL, depth + 1, e);
			json_object_put(sub);
		} else {
			r = oci_manifest(s, la, dg, name, e);
		}
		loaded++;
	}
	if (r == 0 && loaded == 0)
		return err_msg(e, ENOENT, "index: no image for linux/%s", host_arch());
	return r;
}

static int load_oci(struct store *s, struct load_archive *la, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r = load_archive_read(la, s, "index.json", NULL, MAX_JSON, &buf, &len, e);
	if (r < 0)
		return r;
	json_object *idx = parse_json(buf, len, "index.json", e);
	if (!idx)
		return -EINVAL;
	r = oci_index(s, la, idx, NULL, 0, e);
	json_object_put(idx);
	return r;
}

int pull_load_main(int argc, char **argv)
{
	struct store s;
	int rc = pull_open_store(&argc, argv, &s);
	if (rc)
		return rc;
	if (argc != 2) {
		fprintf(stderr, "usage: capsa-pull load --storage DIR FILE|-\n");
		store_close(&s);
		return 2;
	}
	struct err e = {0};
	if (pull_enter_userns(&s, &e) < 0) {
		store_close(&s);
		return pull_fail("load", &e);
	}
	struct load_archive la;
	int r = load_archive_scan(&la, &s, argv[1], &e);
	if (r == 0) {
		if (load_archive_has(&la, "manifest.json"))
			r = load_docker(&s, &la, &e);
		else if (load_archive_has(&la, "index.json"))
			r = load_oci(&s, &la, &e);
		else
			r = err_msg(&e, EINVAL,
				    "neither manifest.json (docker-archive) nor index.json "
				    "(oci-archive) in it");
	}
	load_archive_free(&la, &s); /* also after a failed scan */
	store_close(&s);
	if (r < 0) {
		err_prefix(&e, "\"%s\"", argv[1]);
		return pull_fail("load", &e);
	}
	return 0;
}
