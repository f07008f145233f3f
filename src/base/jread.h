/* jread.h — a strict JSON reader (RFC 8259) into one arena.
 *
 * The whole tree — nodes, decoded strings, number texts — is allocated
 * from the caller's arena: no per-node malloc and nothing to free but the
 * arena.  Arrays and objects hold their children contiguously, so an
 * index is O(1) and a key lookup a short linear scan.
 *
 * Strict: no comments, no trailing commas, nothing but white space after
 * the document, strings must be valid UTF-8 with no raw control
 * characters, \u escapes must pair their surrogates.  A repeated key
 * keeps its first position and takes the last value (as json-c does).
 * Nesting deeper than JREAD_MAX_DEPTH is refused.
 */
#ifndef CAPSA_BASE_JREAD_H
#define CAPSA_BASE_JREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct err;

#define JREAD_MAX_DEPTH 64

enum jtype { JT_NULL, JT_BOOL, JT_NUM, JT_STR, JT_ARR, JT_OBJ };

/* Numbers: `s` is the text as written.  An integer (no fraction or
 * exponent) that fits int64 is in `i`; one above INT64_MAX that fits
 * uint64 is in `u` with `big` set; every other number is in `d`. */
enum jnum { JN_INT, JN_BIG, JN_DOUBLE };

struct jmember;

struct jval {
	uint8_t type;	     /* enum jtype */
	uint8_t num;	     /* enum jnum, for JT_NUM */
	bool b;		     /* JT_BOOL */
	uint32_t n;	     /* string length in bytes, array items, object members */
	uint32_t start, end; /* the value's bytes in the text: [start, end) */
	union {
		const char *s;		 /* JT_STR (NUL-terminated), JT_NUM text */
		struct jval *items;	 /* JT_ARR */
		struct jmember *members; /* JT_OBJ */
	};
	union {
		int64_t i;
		uint64_t u;
		double d;
	};
};

struct jmember {
	const char *key; /* NUL-terminated; keys with a NUL byte are refused */
	struct jval val;
};

/* Parse `len` bytes of `text` (which need not be NUL-terminated) into
 * `a`.  Errors: "<doc>: invalid JSON: <what> at line L, column C" (-EINVAL),
 * and ENOMEM. */
int jread_parse(const char *text, size_t len, const char *doc, struct arena *a, struct jval **out,
		struct err *e);

/* The member `key` of an object (the node itself, also when it is JSON
 * null); NULL when absent or when `obj` is not an object. */
const struct jval *jval_get(const struct jval *obj, const char *key);

/* Item `i` of an array (i < n). */
static inline const struct jval *jval_at(const struct jval *arr, size_t i)
{
	return &arr->items[i];
}

/* "null", "boolean", "number", "string", "array", "object"; a NULL
 * value is "null". */
const char *jtype_word(enum jtype t);
const char *jval_type_word(const struct jval *v);

#endif
