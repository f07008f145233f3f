/* manifest.c — manifest and index parsing, platform choice (see
 * manifest.h). */
#include "pull/manifest.h"

#include "base/cleanup.h"
#include "base/error.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

bool digest_valid(const char *d)
{
	if (!d || strncmp(d, "sha256:", 7) || strlen(d) != 71)
		return false;
	for (const char *p = d + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static void descriptor_free(struct descriptor *d)
{
	free(d->media_type);
	free(d->digest);
	free(d->os);
	free(d->arch);
	free(d->variant);
}

void manifest_free(struct manifest *m)
{
	descriptor_free(&m->config);
	for (size_t i = 0; i < m->n_layers; i++)
		descriptor_free(&m->layers[i]);
	for (size_t i = 0; i < m->n_entries; i++)
		descriptor_free(&m->entries[i]);
	free(m->layers);
	free(m->entries);
	free(m->media_type);
	memset(m, 0, sizeof(*m));
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v;
	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int parse_descriptor(const char *what, const char *path, json_object *o,
			    struct descriptor *d, struct err *e)
{
	if (!json_object_is_type(o, json_type_object))
		return err_msg(e, EPROTO, "%s: %s: not an object", what, path);
	const char *mt = get_str(o, "mediaType"), *dg = get_str(o, "digest");
	json_object *sz;
	if (!digest_valid(dg))
		return err_msg(e, EPROTO, "%s: %s.digest: \"%s\" is not a sha256 digest", what,
			       path, dg ? dg : "(missing)");
	if (!json_object_object_get_ex(o, "size", &sz) || !json_object_is_type(sz, json_type_int) ||
	    json_object_get_int64(sz) < 0)
		return err_msg(e, EPROTO, "%s: %s.size: missing or negative", what, path);
	d->media_type = dup_or_null(mt ? mt : "");
	d->digest = strdup(dg);
	d->size = json_object_get_int64(sz);
	json_object *plat;
	if (json_object_object_get_ex(o, "platform", &plat) &&
	    json_object_is_type(plat, json_type_object)) {
		d->os = dup_or_null(get_str(plat, "os"));
		d->arch = dup_or_null(get_str(plat, "architecture"));
		d->variant = dup_or_null(get_str(plat, "variant"));
	}
	if (!d->media_type || !d->digest)
		return err_sys(e, ENOMEM, "%s", what);
	return 0;
}

static int layer_comp(const char *what, size_t i, struct descriptor *d, struct err *e)
{
	static const struct {
		const char *mt;
		enum layer_comp comp;
	} known[] = {
	    {"application/vnd.docker.image.rootfs.diff.tar.gzip", COMP_GZIP},
	    {"application/vnd.docker.image.rootfs.diff.tar.zstd", COMP_ZSTD},
	    {"application/vnd.docker.image.rootfs.diff.tar", COMP_NONE},
	    {"application/vnd.oci.image.layer.v1.tar", COMP_NONE},
	    {"application/vnd.oci.image.layer.v1.tar+gzip", COMP_GZIP},
	    {"application/vnd.oci.image.layer.v1.tar+zstd", COMP_ZSTD},
	};
	for (size_t k = 0; k < ARRAY_SIZE(known); k++)
		if (!strcmp(d->media_type, known[k].mt)) {
			d->comp = known[k].comp;
			return 0;
		}
	return err_msg(e, EPROTO, "%s: layers[%zu]: unsupported media type \"%s\"", what, i,
		       d->media_type);
}

static int parse_list(const char *what, json_object *root, const char *key, struct descriptor **out,
		      size_t *n, struct err *e)
{
	json_object *arr;
	if (!json_object_object_get_ex(root, key, &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return err_msg(e, EPROTO, "%s: no %s array", what, key);
	size_t len = json_object_array_length(arr);
	if (len > 4096)
		return err_msg(e, EPROTO, "%s: %zu %s: too many", what, len, key);
	*out = calloc(len ? len : 1, sizeof(**out));
	if (!*out)
		return err_sys(e, ENOMEM, "%s", what);
	*n = len;
	for (size_t i = 0; i < len; i++) {
		char path[64];
		snprintf(path, sizeof(path), "%s[%zu]", key, i);
		int r =
		    parse_descriptor(what, path, json_object_array_get_idx(arr, i), &(*out)[i], e);
		if (r < 0)
			return r;
	}
	return 0;
}

int manifest_parse(const char *what, const char *body, size_t len, const char *content_type,
		   struct manifest *m, struct err *e)
{
	memset(m, 0, sizeof(*m));
	struct json_tokener *tok = json_tokener_new();
	if (!tok)
		return err_sys(e, ENOMEM, "%s", what);
	json_object *root = json_tokener_parse_ex(tok, body, (int)len);
	json_tokener_free(tok);
	if (!root || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return err_msg(e, EPROTO, "%s: not a JSON object", what);
	}
	int ret = 0;
	json_object *sv;
	int64_t version = 0;
	if (json_object_object_get_ex(root, "schemaVersion", &sv) &&
	    json_object_is_type(sv, json_type_int))
		version = json_object_get_int64(sv);
	const char *mt = get_str(root, "mediaType");
	_cleanup_free_ char *ct = NULL;
	if (content_type) {
		ct = strndup(content_type, strcspn(content_type, "; "));
		if (!ct) {
			json_object_put(root);
			return err_sys(e, ENOMEM, "%s", what);
		}
	}
	if (version == 1 || (ct && strstr(ct, "distribution.manifest.v1"))) {
		ret = err_msg(e, ENOTSUP,
			      "%s: Docker schema 1 manifest: not supported (push the image again "
			      "with a current tool)",
			      what);
		goto out;
	}
	if (version != 2) {
		ret = err_msg(e, EPROTO, "%s: schemaVersion %lld: expected 2", what,
			      (long long)version);
		goto out;
	}
	/* The body's mediaType is authoritative when present; OCI
	 * documents may omit it, then the Content-Type decides, then the
	 * shape (manifests[] means an index). */
	const char *kind = mt ? mt : ct;
	json_object *tmp;
	if (!kind || !*kind || !strcmp(kind, "application/json"))
		kind = json_object_object_get_ex(root, "manifests", &tmp) ? MT_OCI_INDEX
									  : MT_OCI_MANIFEST;
	m->media_type = strdup(kind);
	if (!m->media_type) {
		ret = err_sys(e, ENOMEM, "%s", what);
		goto out;
	}
	if (!strcmp(kind, MT_OCI_INDEX) || !strcmp(kind, MT_DOCKER_LIST)) {
		m->is_index = true;
		ret = parse_list(what, root, "manifests", &m->entries, &m->n_entries, e);
	} else if (!strcmp(kind, MT_OCI_MANIFEST) || !strcmp(kind, MT_DOCKER_MANIFEST)) {
		json_object *cfg;
		if (!json_object_object_get_ex(root, "config", &cfg)) {
			ret = err_msg(e, EPROTO, "%s: no config", what);
			goto out;
		}
		ret = parse_descriptor(what, "config", cfg, &m->config, e);
		if (ret == 0)
			ret = parse_list(what, root, "layers", &m->layers, &m->n_layers, e);
		for (size_t i = 0; ret == 0 && i < m->n_layers; i++)
			ret = layer_comp(what, i, &m->layers[i], e);
	} else {
		ret = err_msg(e, EPROTO, "%s: unsupported media type \"%s\"", what, kind);
	}
out:
	json_object_put(root);
	if (ret < 0)
		manifest_free(m);
	return ret;
}

static int copy_field(char *dst, size_t cap, const char *s, size_t n)
{
	if (n == 0 || n >= cap)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

int platform_parse(const char *s, struct platform *p, struct err *e)
{
	memset(p, 0, sizeof(*p));
	if (!s || !*s) {
		platform_host(p);
		return 0;
	}
	const char *a = strchr(s, '/');
	const char *v = a ? strchr(a + 1, '/') : NULL;
	if (!a || copy_field(p->os, sizeof(p->os), s, (size_t)(a - s)) < 0 ||
	    copy_field(p->arch, sizeof(p->arch), a + 1, v ? (size_t)(v - a - 1) : strlen(a + 1)) <
		0 ||
	    (v && (copy_field(p->variant, sizeof(p->variant), v + 1, strlen(v + 1)) < 0 ||
		   strchr(v + 1, '/'))))
		return err_msg(e, EINVAL, "platform \"%s\": expected os/arch[/variant]", s);
	return 0;
}

void platform_host(struct platform *p)
{
	static const struct {
		const char *uname, *arch, *variant;
	} map[] = {
	    {"x86_64", "amd64", ""},	{"aarch64", "arm64", ""}, {"armv7l", "arm", "v7"},
	    {"armv6l", "arm", "v6"},	{"i686", "386", ""},	  {"i386", "386", ""},
	    {"ppc64le", "ppc64le", ""}, {"s390x", "s390x", ""},	  {"riscv64", "riscv64", ""},
	};
	struct utsname u;
	memset(p, 0, sizeof(*p));
	strcpy(p->os, "linux");
	if (uname(&u) < 0) {
		strcpy(p->arch, "amd64");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (!strcmp(u.machine, map[i].uname)) {
			strcpy(p->arch, map[i].arch);
			strcpy(p->variant, map[i].variant);
			return;
		}
	snprintf(p->arch, sizeof(p->arch), "%.31s", u.machine);
}

static bool variant_ok(const struct platform *p, const char *v)
{
	if (!p->variant[0] || !v || !*v)
		return !(p->variant[0] && v && *v);
	return !strcmp(p->variant, v);
}

int manifest_select(const char *what, const struct manifest *index, const struct platform *p,
		    const struct descriptor **out, struct err *e)
{
	const struct descriptor *loose = NULL;
	for (size_t i = 0; i < index->n_entries; i++) {
		const struct descriptor *d = &index->entries[i];
		if (!d->os || !d->arch || strcmp(d->os, p->os) || strcmp(d->arch, p->arch))
			continue;
		bool v8 = !strcmp(p->arch, "arm64") &&
			  ((!p->variant[0] || !strcmp(p->variant, "v8")) &&
			   (!d->variant || !*d->variant || !strcmp(d->variant, "v8")));
		if (variant_ok(p, d->variant) || v8) {
			*out = d;
			return 0;
		}
		/* No variant asked for: take the first entry of the arch. */
		if (!p->variant[0] && !loose)
			loose = d;
	}
	if (loose) {
		*out = loose;
		return 0;
	}
	char have[512] = "";
	size_t n = 0;
	for (size_t i = 0; i < index->n_entries && n < sizeof(have); i++) {
		const struct descriptor *d = &index->entries[i];
		int w = snprintf(have + n, sizeof(have) - n, "%s%s/%s%s%s", n ? ", " : "",
				 d->os ? d->os : "?", d->arch ? d->arch : "?",
				 d->variant && *d->variant ? "/" : "",
				 d->variant && *d->variant ? d->variant : "");
		if (w < 0)
			break;
		n += (size_t)w;
	}
	return err_msg(e, ENOENT, "%s: no image for platform %s/%s%s%s (the index has: %s)", what,
		       p->os, p->arch, p->variant[0] ? "/" : "", p->variant,
		       have[0] ? have : "none");
}
