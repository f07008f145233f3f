/* test_jread.c — the arena JSON reader: what it accepts, how it decodes,
 * and what it refuses (with the line and column of the fault). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/error.h"
#include "base/jread.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct jval *parse_ok(struct arena *a, const char *text)
{
	struct err e = {0};
	struct jval *v = NULL;
	int r = jread_parse(text, strlen(text), "t.json", a, &v, &e);
	if (r < 0)
		fail_msg("%s: %s", text, e.msg);
	assert_non_null(v);
	return v;
}

/* Must fail with a message containing `want`. */
static void parse_bad(const char *text, size_t len, const char *want)
{
	struct arena a = {0};
	struct err e = {0};
	struct jval *v = (struct jval *)1;
	int r = jread_parse(text, len, "t.json", &a, &v, &e);
	if (r != -EINVAL || v != NULL || !strstr(e.msg, want) ||
	    strncmp(e.msg, "t.json: invalid JSON: ", 22) != 0)
		fail_msg("%s: want \"%s\", got r=%d \"%s\"", text, want, r, e.msg);
	arena_free(&a);
}

static void test_structure(void **state)
{
	struct arena a = {0};
	const struct jval *v = parse_ok(
	    &a, " {\"a\": [1, true, false, null, \"x\", {}, []], \"b\": {\"c\": \"d\"}}\n");
	assert_int_equal(v->type, JT_OBJ);
	assert_int_equal(v->n, 2);
	const struct jval *arr = jval_get(v, "a");
	assert_non_null(arr);
	assert_int_equal(arr->type, JT_ARR);
	assert_int_equal(arr->n, 7);
	assert_int_equal(jval_at(arr, 0)->type, JT_NUM);
	assert_int_equal(jval_at(arr, 0)->i, 1);
	assert_true(jval_at(arr, 1)->b);
	assert_int_equal(jval_at(arr, 2)->type, JT_BOOL);
	assert_false(jval_at(arr, 2)->b);
	assert_int_equal(jval_at(arr, 3)->type, JT_NULL);
	assert_string_equal(jval_at(arr, 4)->s, "x");
	assert_int_equal(jval_at(arr, 5)->type, JT_OBJ);
	assert_int_equal(jval_at(arr, 5)->n, 0);
	assert_int_equal(jval_at(arr, 6)->type, JT_ARR);
	assert_string_equal(jval_get(jval_get(v, "b"), "c")->s, "d");
	assert_null(jval_get(v, "nope"));
	assert_null(jval_get(arr, "a")); /* not an object */
	assert_string_equal(jval_type_word(arr), "array");
	assert_string_equal(jval_type_word(jval_at(arr, 0)), "number");
	/* The span of a value in the text. */
	const struct jval *b = jval_get(v, "b");
	assert_int_equal(b->end - b->start, strlen("{\"c\": \"d\"}"));
	/* Scalars at the top level. */
	assert_int_equal(parse_ok(&a, "\"s\"")->type, JT_STR);
	assert_int_equal(parse_ok(&a, " null ")->type, JT_NULL);
	arena_free(&a);
}

static void test_strings(void **state)
{
	struct arena a = {0};
	const struct jval *v = parse_ok(&a, "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\te\"");
	assert_string_equal(v->s, "a\"b\\c/d\b\f\n\r\te");
	assert_int_equal(v->n, 13);
	v = parse_ok(&a, "\"\\u0041\\u00e9\\u20AC\"");
	assert_string_equal(v->s, "A\xc3\xa9\xe2\x82\xac");
	/* A surrogate pair: U+1F600. */
	v = parse_ok(&a, "\"\\ud83d\\ude00\"");
	assert_string_equal(v->s, "\xf0\x9f\x98\x80");
	/* Raw UTF-8 is kept as is. */
	v = parse_ok(&a, "\"h\xc3\xa9 \xf0\x9f\x98\x80\"");
	assert_string_equal(v->s, "h\xc3\xa9 \xf0\x9f\x98\x80");
	/* \u0000 is a byte of the string; n counts it. */
	v = parse_ok(&a, "\"a\\u0000b\"");
	assert_int_equal(v->n, 3);
	assert_memory_equal(v->s, "a\0b", 3);
	arena_free(&a);

	parse_bad("\"\\ud83d\"", 8, "unpaired surrogate");
	parse_bad("\"\\ude00\\ud83d\"", 14, "unpaired surrogate");
	parse_bad("\"\\ud83d\\u0041\"", 14, "unpaired surrogate");
	parse_bad("\"\\x\"", 4, "invalid escape");
	parse_bad("\"\\u12\"", 6, "invalid escape");
	parse_bad("\"\\u12g4\"", 8, "invalid escape");
	parse_bad("\"a\nb\"", 5, "control character");
	parse_bad("\"abc", 4, "unterminated string");
	parse_bad("\"a\\\"", 4, "unterminated string");
	parse_bad("\"\xc3\"", 3, "invalid UTF-8");	       /* truncated sequence */
	parse_bad("\"\xc0\xaf\"", 4, "invalid UTF-8");	       /* overlong */
	parse_bad("\"\xed\xa0\x80\"", 5, "invalid UTF-8");     /* encoded surrogate */
	parse_bad("\"\xf4\x90\x80\x80\"", 6, "invalid UTF-8"); /* above U+10FFFF */
	parse_bad("\"\xff\"", 3, "invalid UTF-8");
	parse_bad("{\"a\\u0000\": 1}", 14, "NUL byte in an object key");
	parse_bad("'a'", 3, "unexpected character at line 1, column 1");
}

static void test_numbers(void **state)
{
	struct arena a = {0};
	const struct jval *v = parse_ok(&a, "9223372036854775807");
	assert_int_equal(v->num, JN_INT);
	assert_true(v->i == INT64_MAX);
	v = parse_ok(&a, "-9223372036854775808");
	assert_int_equal(v->num, JN_INT);
	assert_true(v->i == INT64_MIN);
	v = parse_ok(&a, "9223372036854775808");
	assert_int_equal(v->num, JN_BIG);
	assert_true(v->u == (uint64_t)INT64_MAX + 1);
	v = parse_ok(&a, "18446744073709551615");
	assert_int_equal(v->num, JN_BIG);
	assert_true(v->u == UINT64_MAX);
	v = parse_ok(&a, "18446744073709551616"); /* beyond uint64: a double */
	assert_int_equal(v->num, JN_DOUBLE);
	assert_string_equal(v->s, "18446744073709551616");
	v = parse_ok(&a, "-9223372036854775809");
	assert_int_equal(v->num, JN_DOUBLE);
	v = parse_ok(&a, "-0");
	assert_int_equal(v->num, JN_INT);
	assert_int_equal(v->i, 0);
	v = parse_ok(&a, "1.5");
	assert_int_equal(v->num, JN_DOUBLE);
	assert_true(v->d == 1.5);
	assert_string_equal(v->s, "1.5");
	v = parse_ok(&a, "-2.5e+3");
	assert_true(v->d == -2500.0);
	v = parse_ok(&a, "1E2");
	assert_int_equal(v->num, JN_DOUBLE);
	assert_true(v->d == 100.0);
	v = parse_ok(&a, "[0,-1]");
	assert_int_equal(jval_at(v, 1)->i, -1);
	arena_free(&a);

	parse_bad("01", 2, "leading zero");
	parse_bad("-", 1, "invalid number");
	parse_bad("+1", 2, "unexpected character");
	parse_bad("1.", 2, "invalid number");
	parse_bad(".5", 2, "unexpected character");
	parse_bad("1e", 2, "invalid number");
	parse_bad("1e+", 3, "invalid number");
	parse_bad("NaN", 3, "unexpected character");
	parse_bad("Infinity", 8, "unexpected character");
	parse_bad("-Infinity", 9, "invalid number");
	parse_bad("0x10", 4, "data after the document");
}

static void test_duplicate_keys(void **state)
{
	struct arena a = {0};
	const struct jval *v = parse_ok(&a, "{\"a\": 1, \"b\": 2, \"a\": 3}");
	assert_int_equal(v->n, 2); /* one member per key */
	assert_string_equal(v->members[0].key, "a");
	assert_int_equal(v->members[0].val.i, 3); /* the last value, first place */
	assert_string_equal(v->members[1].key, "b");
	assert_int_equal(jval_get(v, "a")->i, 3);
	arena_free(&a);
}

static void test_depth(void **state)
{
	char deep[2 * (JREAD_MAX_DEPTH + 1) + 1];
	size_t d = JREAD_MAX_DEPTH;
	memset(deep, '[', d);
	memset(deep + d, ']', d);
	struct arena a = {0};
	struct err e = {0};
	struct jval *v;
	assert_int_equal(jread_parse(deep, 2 * d, "t.json", &a, &v, &e), 0);
	arena_free(&a);
	d = JREAD_MAX_DEPTH + 1;
	memset(deep, '[', d);
	memset(deep + d, ']', d);
	parse_bad(deep, 2 * d, "nesting too deep");
}

static void test_syntax_errors(void **state)
{
	parse_bad("", 0, "unexpected end of input at line 1, column 1");
	parse_bad("   \n  ", 6, "unexpected end of input at line 2, column 3");
	parse_bad("{\"a\": 1,}", 9, "unexpected character at line 1, column 9");
	parse_bad("[1,]", 4, "unexpected character at line 1, column 4");
	parse_bad("[1 2]", 5, "unexpected character at line 1, column 4");
	parse_bad("{\"a\" 1}", 7, "unexpected character");
	parse_bad("{a: 1}", 6, "unexpected character at line 1, column 2");
	parse_bad("{\"a\": 1", 7, "unexpected end of input");
	parse_bad("[", 1, "unexpected end of input");
	parse_bad("{} x", 4, "data after the document at line 1, column 4");
	parse_bad("{}{}", 4, "data after the document");
	parse_bad("// c\n{}", 7, "unexpected character at line 1, column 1");
	parse_bad("{\n\"a\": tru}", 11, "unexpected character at line 2, column 6");
	parse_bad("nul", 3, "unexpected");
	/* A NUL byte inside the given length is not the end of the text. */
	parse_bad("{}\0", 3, "data after the document");
	/* The text need not be NUL-terminated: only `len` bytes are read. */
	struct arena a = {0};
	struct err e = {0};
	struct jval *v;
	assert_int_equal(jread_parse("[12]345", 4, "t.json", &a, &v, &e), 0);
	assert_int_equal(jval_at(v, 0)->i, 12);
	assert_int_equal(jread_parse("12345", 2, "t.json", &a, &v, &e), 0);
	assert_int_equal(v->i, 12);
	arena_free(&a);
}

/* Many members and deep-ish arrays: the scratch stack grows and shrinks
 * across levels without mixing children of different containers. */
static void test_many_members(void **state)
{
	size_t n = 1000, cap = n * 32 + 64, len = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	len += (size_t)snprintf(text + len, cap - len, "{");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len, "%s\"k%zu\": [%zu, [%zu]]",
					i ? "," : "", i, i, i * 2);
	len += (size_t)snprintf(text + len, cap - len, "}");
	struct arena a = {0};
	const struct jval *v = parse_ok(&a, text);
	assert_int_equal(v->n, n);
	for (size_t i = 0; i < n; i += 97) {
		char key[32];
		snprintf(key, sizeof(key), "k%zu", i);
		const struct jval *x = jval_get(v, key);
		assert_non_null(x);
		assert_int_equal(x->n, 2);
		assert_int_equal(jval_at(x, 0)->i, (int64_t)i);
		assert_int_equal(jval_at(jval_at(x, 1), 0)->i, (int64_t)(i * 2));
	}
	arena_free(&a);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_structure),	 cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_numbers),	 cmocka_unit_test(test_duplicate_keys),
	    cmocka_unit_test(test_depth),	 cmocka_unit_test(test_syntax_errors),
	    cmocka_unit_test(test_many_members),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
