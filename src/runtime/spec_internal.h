/* spec_internal.h — what the parts of the config.json parser share
 * (spec.c, spec_process.c, spec_linux.c, spec_seccomp.c, spec_tables.c).
 * Not for use outside them: the interface is spec.h.
 *
 * JSON paths for error messages are built lazily: each level of the
 * descent is a `struct jp` on the stack pointing at its parent, and the
 * dotted string is only formatted when an error is reported, so a valid
 * document costs no string work for its paths at all.
 */
#ifndef CAPSA_RUNTIME_SPEC_INTERNAL_H
#define CAPSA_RUNTIME_SPEC_INTERNAL_H

#include "base/jread.h"
#include "base/json.h"
#include "runtime/spec.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One step of a JSON path: a key of an object, or (key NULL) an index. */
struct jp {
	const struct jp *up;
	const char *key;
	size_t idx;
};

#define JP_KEY(parent, k) (&(const struct jp){.up = (parent), .key = (k)})
#define JP_IDX(parent, i) (&(const struct jp){.up = (parent), .idx = (i)})

/* "<doc>: <path>: <message>" (or "<doc>: <message>" at the root). */
int sj_err(struct jctx *c, const struct jp *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int sj_nomem(struct jctx *c);

/* The value of `key`, NULL when absent or JSON null (both mean unset). */
const struct jval *sj_get(const struct jval *obj, const char *key);

/* Typed getters: 1 present, 0 absent (out untouched), <0 error.  `at`
 * is the path of the field itself. */
int sj_type(struct jctx *c, const struct jval *v, enum jtype t, const struct jp *at);
int sj_obj(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at,
	   const struct jval **out);
int sj_arr(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at,
	   const struct jval **out, size_t *n);
int sj_str(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at,
	   char **out);
int sj_bool(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at,
	    bool *out);
int sj_i64(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at,
	   int64_t min, int64_t max, int64_t *out);
int sj_u64(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at,
	   uint64_t *out);
int sj_u32(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at,
	   uint32_t *out);
/* Array of strings -> NULL-terminated vector in the arena. */
int sj_strv(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at,
	    char ***out, size_t *n);
/* An already fetched value that must be a string (borrowed, not copied). */
int sj_str_val(struct jctx *c, const struct jval *v, const struct jp *at, const char **out);
/* The same, for numbers (used for array elements). */
int sj_u64_val(struct jctx *c, const struct jval *v, const struct jp *at, uint64_t *out);

int sj_missing(struct jctx *c, const struct jp *at);
int sj_abs_path(struct jctx *c, const char *path, const struct jp *at);
/* A required, non-empty string, copied: 0 or <0 (absent is an error). */
int sj_req_str(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at,
	       char **out);
/* A required absolute path: 0 or <0. */
int sj_req_path(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at,
		char **out);
/* Like sj_strv, and each entry must be KEY=VALUE. */
int sj_env(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at,
	   char ***out, size_t *n);

/* Array of objects: allocate `n` zeroed elements of `size` bytes. */
void *sj_alloc(struct jctx *c, size_t n, size_t size);

/* uid/gid mappings (shared by linux.* and mounts[]). */
int spec_parse_idmaps(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at,
		      struct spec_idmap **out, size_t *n);

/* Sections, each filling its part of `s`; `at` is the section's path. */
int spec_parse_process_at(struct jctx *c, const struct jval *obj, const struct jp *at,
			  struct spec_process **out);
int spec_parse_linux(struct jctx *c, const struct jval *obj, const struct jp *at, struct spec *s);
int spec_parse_seccomp(struct jctx *c, const struct jval *obj, const struct jp *at,
		       struct spec_seccomp **out);

/* Tables (spec_tables.c). */
enum mopt_kind {
	MOPT_SET,	  /* flags |= ms */
	MOPT_CLEAR,	  /* clear_flags |= ms */
	MOPT_BIND,	  /* "bind" */
	MOPT_RBIND,	  /* "rbind" */
	MOPT_PROPAGATION, /* propagation = ms */
	MOPT_TMPCOPYUP,
	MOPT_IDMAP, /* accepted; the mappings say what to do */
};

struct mount_opt {
	const char *name;
	enum mopt_kind kind;
	unsigned long ms;
};

const struct mount_opt *spec_mount_opt(const char *word); /* NULL: goes to data */
unsigned long spec_propagation(const char *name);	  /* 0 unknown */

struct name_value {
	const char *name;
	long value;
};

/* Linear lookups in small tables; -1 unknown. */
long spec_lookup(const struct name_value *t, size_t n, const char *name);
extern const struct name_value spec_sched_policies[];
extern const size_t spec_n_sched_policies;
extern const struct name_value spec_sched_flags[];
extern const size_t spec_n_sched_flags;
extern const struct name_value spec_ioprio_classes[];
extern const size_t spec_n_ioprio_classes;
extern const struct name_value spec_personality_flags[];
extern const size_t spec_n_personality_flags;

#endif
