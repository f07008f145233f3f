/* index.c — see index.h. */
#include "image/index.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "image/ref.h"
#include "image/store.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void image_rec_free(struct image_rec *r)
{
	free(r->id);
	free(r->manifest);
	free(r->created);
	for (size_t i = 0; i < r->n_names; i++)
		free(r->names[i]);
	free(r->names);
	for (size_t i = 0; i < r->n_layers; i++)
		free(r->layers[i]);
	free(r->layers);
	memset(r, 0, sizeof(*r));
}

void index_free(struct image_index *x)
{
	for (size_t i = 0; i < x->n; i++)
		image_rec_free(&x->v[i]);
	free(x->v);
	x->v = NULL;
	x->n = 0;
}

static int str_field(json_object *o, const char *key, int required, char **out)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return required ? -EINVAL : 0;
	if (!json_object_is_type(v, json_type_string))
		return -EINVAL;
	*out = strdup(json_object_get_string(v));
	return *out ? 0 : -ENOMEM;
}

/* A string array into a NULL-terminated vector. */
static int strv_field(json_object *o, const char *key, char ***out, size_t *n)
{
	json_object *v;
	*n = 0;
	*out = calloc(1, sizeof(char *));
	if (!*out)
		return -ENOMEM;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return -EINVAL;
	size_t len = json_object_array_length(v);
	char **vec = realloc(*out, (len + 1) * sizeof(char *));
	if (!vec)
		return -ENOMEM;
	*out = vec;
	for (size_t i = 0; i < len; i++) {
		json_object *s = json_object_array_get_idx(v, i);
		vec[i] = NULL;
		if (!json_object_is_type(s, json_type_string))
			return -EINVAL;
		if (!(vec[i] = strdup(json_object_get_string(s))))
			return -ENOMEM;
		*n = i + 1;
	}
	vec[len] = NULL;
	return 0;
}

static int parse_rec(json_object *o, struct image_rec *r)
{
	int rc;
	json_object *v;
	memset(r, 0, sizeof(*r));
	if (!json_object_is_type(o, json_type_object))
		return -EINVAL;
	if ((rc = str_field(o, "id", 1, &r->id)) < 0 ||
	    (rc = str_field(o, "manifest", 0, &r->manifest)) < 0 ||
	    (rc = str_field(o, "created", 0, &r->created)) < 0 ||
	    (rc = strv_field(o, "names", &r->names, &r->n_names)) < 0 ||
	    (rc = strv_field(o, "layers", &r->layers, &r->n_layers)) < 0)
		return rc;
	if (!ref_is_digest(r->id))
		return -EINVAL;
	for (size_t i = 0; i < r->n_layers; i++)
		if (!ref_is_digest(r->layers[i]))
			return -EINVAL;
	if (json_object_object_get_ex(o, "size", &v))
		r->size = (uint64_t)json_object_get_int64(v);
	if (json_object_object_get_ex(o, "added", &v))
		r->added = json_object_get_int64(v);
	return 0;
}

int index_load(struct store *s, struct image_index *x, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	x->v = NULL;
	x->n = 0;
	_cleanup_close_ int fd = openat(s->dirfd, "images.json", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return err_sys(e, errno, "%s/images.json", s->root);
	}
	int r = read_fd(fd, &buf, &len, e);
	if (r < 0)
		return err_prefix(e, "%s/images.json", s->root);
	json_tokener *tok = json_tokener_new();
	if (!tok)
		return err_sys(e, ENOMEM, "%s/images.json", s->root);
	json_object *root = json_tokener_parse_ex(tok, buf, (int)len);
	int bad = json_tokener_get_error(tok) != json_tokener_success;
	json_tokener_free(tok);
	json_object *arr;
	if (bad || !root || !json_object_object_get_ex(root, "images", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		json_object_put(root);
		return err_msg(e, EINVAL, "%s/images.json: not a valid image index", s->root);
	}
	size_t n = json_object_array_length(arr);
	x->v = calloc(n ? n : 1, sizeof(*x->v));
	if (!x->v) {
		json_object_put(root);
		return err_sys(e, ENOMEM, "%s/images.json", s->root);
	}
	for (size_t i = 0; i < n; i++) {
		r = parse_rec(json_object_array_get_idx(arr, i), &x->v[i]);
		x->n = i + 1;
		if (r < 0) {
			json_object_put(root);
			index_free(x);
			return err_msg(e, -r, "%s/images.json: image %zu: %s", s->root, i,
				       r == -ENOMEM ? "out of memory" : "malformed entry");
		}
	}
	json_object_put(root);
	return 0;
}

static json_object *strv_json(char **v, size_t n)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; a && i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

int index_save(struct store *s, const struct image_index *x, struct err *e)
{
	json_object *root = json_object_new_object();
	json_object *arr = json_object_new_array();
	if (!root || !arr) {
		json_object_put(root);
		json_object_put(arr);
		return err_sys(e, ENOMEM, "%s/images.json", s->root);
	}
	json_object_object_add(root, "images", arr);
	for (size_t i = 0; i < x->n; i++) {
		const struct image_rec *r = &x->v[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(r->id));
		if (r->manifest)
			json_object_object_add(o, "manifest", json_object_new_string(r->manifest));
		json_object_object_add(o, "names", strv_json(r->names, r->n_names));
		json_object_object_add(o, "layers", strv_json(r->layers, r->n_layers));
		json_object_object_add(o, "size", json_object_new_int64((int64_t)r->size));
		if (r->created)
			json_object_object_add(o, "created", json_object_new_string(r->created));
		json_object_object_add(o, "added", json_object_new_int64(r->added));
		json_object_array_add(arr, o);
	}
	const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
								    JSON_C_TO_STRING_NOSLASHESCAPE);
	int rc = text ? write_file_atomic(s->dirfd, "images.json", text, strlen(text), 0600, e)
		      : err_sys(e, ENOMEM, "images.json");
	json_object_put(root);
	if (rc < 0)
		return err_prefix(e, "%s/images.json", s->root);
	return 0;
}

static int is_hex_prefix(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return 0;
	return n >= 3 && n <= 64;
}

int index_find(const struct image_index *x, const char *what, struct err *e)
{
	/* A name first, as docker does: "abc" may be a repository. */
	struct image_ref ref;
	struct err ignored = {0};
	char name[REF_STR_MAX];
	if (ref_parse(what, &ref, &ignored) == 0 && ref_format(&ref, name, sizeof(name)) > 0) {
		for (size_t i = 0; i < x->n; i++)
			for (size_t j = 0; j < x->v[i].n_names; j++)
				if (!strcmp(x->v[i].names[j], name))
					return (int)i;
	}
	const char *hex = !strncmp(what, "sha256:", 7) ? what + 7 : what;
	if (is_hex_prefix(hex)) {
		int found = -1;
		for (size_t i = 0; i < x->n; i++) {
			if (strncmp(x->v[i].id + 7, hex, strlen(hex)) != 0)
				continue;
			if (found >= 0)
				return err_msg(
				    e, EINVAL,
				    "image \"%s\": ambiguous ID prefix (more than one image)",
				    what);
			found = (int)i;
		}
		if (found >= 0)
			return found;
	}
	return err_msg(e, ENOENT, "image \"%s\": no such image", what);
}

int index_untag(struct image_index *x, const char *name)
{
	for (size_t i = 0; i < x->n; i++) {
		struct image_rec *r = &x->v[i];
		for (size_t j = 0; j < r->n_names; j++) {
			if (strcmp(r->names[j], name) != 0)
				continue;
			free(r->names[j]);
			memmove(&r->names[j], &r->names[j + 1], (r->n_names - j) * sizeof(char *));
			r->n_names--;
			return 1;
		}
	}
	return 0;
}

void index_remove(struct image_index *x, size_t i)
{
	image_rec_free(&x->v[i]);
	memmove(&x->v[i], &x->v[i + 1], (x->n - i - 1) * sizeof(*x->v));
	x->n--;
}

int index_put(struct image_index *x, struct image_rec *rec, const char *name, struct err *e)
{
	struct image_rec *dst = NULL;
	if (name)
		index_untag(x, name);
	for (size_t i = 0; i < x->n; i++)
		if (!strcmp(x->v[i].id, rec->id))
			dst = &x->v[i];
	if (dst) {
		/* Same image again: keep its names, take the new facts. */
		char **names = steal_ptr(dst->names);
		size_t n_names = dst->n_names;
		dst->n_names = 0;
		if (!rec->manifest) /* a docker-archive has none: keep what a pull saw */
			rec->manifest = steal_ptr(dst->manifest);
		image_rec_free(dst);
		for (size_t i = 0; i < rec->n_names; i++)
			free(rec->names[i]);
		free(rec->names);
		*dst = *rec;
		dst->names = names;
		dst->n_names = n_names;
	} else {
		struct image_rec *v = realloc(x->v, (x->n + 1) * sizeof(*v));
		if (!v)
			return err_sys(e, ENOMEM, "image index");
		x->v = v;
		dst = &x->v[x->n++];
		*dst = *rec;
		if (!dst->names) {
			dst->names = calloc(1, sizeof(char *));
			dst->n_names = 0;
			if (!dst->names)
				return err_sys(e, ENOMEM, "image index");
		}
	}
	memset(rec, 0, sizeof(*rec));
	if (name) {
		char **v = realloc(dst->names, (dst->n_names + 2) * sizeof(char *));
		if (!v)
			return err_sys(e, ENOMEM, "image index");
		dst->names = v;
		if (!(v[dst->n_names] = strdup(name)))
			return err_sys(e, ENOMEM, "image index");
		v[++dst->n_names] = NULL;
	}
	return 0;
}
