/* json.c — see json.h. */
#include "base/json.h"

#include "base/arena.h"
#include "base/error.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *json_type_word(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "boolean";
	case json_type_double:
	case json_type_int:
		return "number";
	case json_type_object:
		return "object";
	case json_type_array:
		return "array";
	case json_type_string:
		return "string";
	}
	return "value";
}

int jerr(struct jctx *c, const char *path, const char *fmt, ...)
{
	char buf[ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return err_msg(c->e, EINVAL, "%s: %s: %s", c->doc, path, buf);
}

static const char *type_name(json_type t)
{
	switch (t) {
	case json_type_boolean:
		return "boolean";
	case json_type_int:
	case json_type_double:
		return "number";
	case json_type_object:
		return "object";
	case json_type_array:
		return "array";
	case json_type_string:
		return "string";
	default:
		return "null";
	}
}

int jfield(struct jctx *c, json_object *obj, const char *key, json_type type, const char *path,
	   json_object **out)
{
	json_object *v;
	if (!obj || !json_object_object_get_ex(obj, key, &v) || v == NULL)
		return 0; /* absent, or explicit null: both mean "not set" */
	json_type t = json_object_get_type(v);
	int ok = t == type || (type == json_type_int && t == json_type_double) ||
		 (type == json_type_double && t == json_type_int);
	if (!ok)
		return jerr(c, path, "expected %s, got %s", type_name(type), json_type_word(v));
	*out = v;
	return 1;
}

int jget_str(struct jctx *c, json_object *obj, const char *key, const char *path, char **out)
{
	json_object *v;
	int r = jfield(c, obj, key, json_type_string, path, &v);
	if (r <= 0)
		return r;
	*out = arena_strdup(c->arena, json_object_get_string(v));
	return *out ? 1 : err_sys(c->e, ENOMEM, "%s", c->doc);
}

int jget_bool(struct jctx *c, json_object *obj, const char *key, const char *path, bool *out)
{
	json_object *v;
	int r = jfield(c, obj, key, json_type_boolean, path, &v);
	if (r <= 0)
		return r;
	*out = json_object_get_boolean(v);
	return 1;
}

/* json-c stores integers as int64 (or uint64 for large positives) and
 * everything else as double; a fractional or out-of-range number is an
 * error, not a silent truncation. */
static int jnumber(struct jctx *c, json_object *v, const char *path, int64_t *i, uint64_t *u,
		   int *is_unsigned)
{
	*is_unsigned = 0;
	if (json_object_get_type(v) == json_type_double) {
		double d = json_object_get_double(v);
		if (d != (double)(int64_t)d)
			return jerr(c, path, "expected an integer, got %g", d);
		*i = (int64_t)d;
		return 0;
	}
	errno = 0;
	int64_t x = json_object_get_int64(v);
	if (x == INT64_MAX) {
		uint64_t y = json_object_get_uint64(v);
		if (y > (uint64_t)INT64_MAX) {
			*u = y;
			*is_unsigned = 1;
			return 0;
		}
	}
	*i = x;
	return 0;
}

int jget_i64(struct jctx *c, json_object *obj, const char *key, const char *path, int64_t min,
	     int64_t max, int64_t *out)
{
	json_object *v;
	int r = jfield(c, obj, key, json_type_int, path, &v);
	if (r <= 0)
		return r;
	int64_t i = 0;
	uint64_t u = 0;
	int uns;
	if ((r = jnumber(c, v, path, &i, &u, &uns)) < 0)
		return r;
	if (uns || i < min || i > max)
		return jerr(c, path, "value %s out of range [%" PRId64 ", %" PRId64 "]",
			    json_object_get_string(v), min, max);
	*out = i;
	return 1;
}

int jget_u64(struct jctx *c, json_object *obj, const char *key, const char *path, uint64_t *out)
{
	json_object *v;
	int r = jfield(c, obj, key, json_type_int, path, &v);
	if (r <= 0)
		return r;
	int64_t i = 0;
	uint64_t u = 0;
	int uns;
	if ((r = jnumber(c, v, path, &i, &u, &uns)) < 0)
		return r;
	if (!uns && i < 0)
		return jerr(c, path, "value %" PRId64 " must not be negative", i);
	*out = uns ? u : (uint64_t)i;
	return 1;
}

int jget_u32(struct jctx *c, json_object *obj, const char *key, const char *path, uint32_t *out)
{
	int64_t v;
	int r = jget_i64(c, obj, key, path, 0, UINT32_MAX, &v);
	if (r == 1)
		*out = (uint32_t)v;
	return r;
}

int jget_strv(struct jctx *c, json_object *obj, const char *key, const char *path, char ***out,
	      size_t *n)
{
	json_object *v;
	int r = jfield(c, obj, key, json_type_array, path, &v);
	if (r <= 0)
		return r;
	size_t len = json_object_array_length(v);
	char **vec = arena_calloc(c->arena, len + 1, sizeof(char *));
	if (!vec)
		return err_sys(c->e, ENOMEM, "%s", c->doc);
	for (size_t i = 0; i < len; i++) {
		json_object *s = json_object_array_get_idx(v, i);
		if (json_object_get_type(s) != json_type_string)
			return jerr(c, path, "element %zu: expected string, got %s", i,
				    json_type_word(s));
		vec[i] = arena_strdup(c->arena, json_object_get_string(s));
		if (!vec[i])
			return err_sys(c->e, ENOMEM, "%s", c->doc);
	}
	*out = vec;
	if (n)
		*n = len;
	return 1;
}

const char *json_compact(json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE);
}
