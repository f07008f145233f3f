/* json.h — typed access to json-c objects with errors that name the
 * JSON path: "config.json: process.args[2]: expected string, got number".
 *
 * Getters return 1 when the key is present and well typed, 0 when it is
 * absent (out left untouched), and a negative code on a type error.
 * Strings are copied into the caller's arena.
 */
#ifndef CAPSA_BASE_JSON_H
#define CAPSA_BASE_JSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

struct arena;
struct err;

/* Context threaded through a parse: where the document came from and
 * where its strings go. */
struct jctx {
	const char *doc; /* "config.json", used as the first word of errors */
	struct arena *arena;
	struct err *e;
	const char *text; /* the document's text, when a part is re-read */
};

const char *json_type_word(json_object *o);

/* Error naming `path` (a dotted JSON path) in `c->doc`; returns -EINVAL. */
int jerr(struct jctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Look up `key` and check its type; 0 absent, 1 present, <0 wrong type. */
int jfield(struct jctx *c, json_object *obj, const char *key, json_type type, const char *path,
	   json_object **out);

int jget_str(struct jctx *c, json_object *obj, const char *key, const char *path, char **out);
int jget_bool(struct jctx *c, json_object *obj, const char *key, const char *path, bool *out);
/* Integers with range checks: a value outside [min, max] is an error. */
int jget_i64(struct jctx *c, json_object *obj, const char *key, const char *path, int64_t min,
	     int64_t max, int64_t *out);
int jget_u64(struct jctx *c, json_object *obj, const char *key, const char *path, uint64_t *out);
int jget_u32(struct jctx *c, json_object *obj, const char *key, const char *path, uint32_t *out);
/* Array of strings -> NULL-terminated vector; `n` may be NULL. */
int jget_strv(struct jctx *c, json_object *obj, const char *key, const char *path, char ***out,
	      size_t *n);

/* Serialize compactly; the string belongs to `o`. */
const char *json_compact(json_object *o);

#endif
