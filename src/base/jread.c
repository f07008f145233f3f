/* jread.c — see jread.h.
 *
 * A recursive descent over the text.  Children of the array or object
 * being read are collected on one scratch stack (struct jmember, the key
 * NULL for array items) shared by every level; when the container closes
 * they are copied into the arena as one block and the stack shrinks back.
 * So the arena receives exactly the final tree, and the only malloc is
 * the scratch stack itself.
 */
#include "base/jread.h"

#include "base/arena.h"
#include "base/error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct reader {
	const char *t;
	size_t len, pos;
	const char *doc;
	struct arena *a;
	struct err *e;
	struct jmember *stack;
	size_t sp, cap;
	unsigned depth;
};

static int fail_at(struct reader *r, size_t off, const char *what)
{
	unsigned line = 1, col = 1;
	for (size_t i = 0; i < off && i < r->len; i++) {
		if (r->t[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	return err_msg(r->e, EINVAL, "%s: invalid JSON: %s at line %u, column %u", r->doc, what,
		       line, col);
}

static int nomem(struct reader *r)
{
	return err_sys(r->e, ENOMEM, "%s", r->doc);
}

static void skip_ws(struct reader *r)
{
	while (r->pos < r->len) {
		char ch = r->t[r->pos];
		if (ch != ' ' && ch != '\n' && ch != '\t' && ch != '\r')
			break;
		r->pos++;
	}
}

static int unexpected(struct reader *r)
{
	if (r->pos >= r->len)
		return fail_at(r, r->pos, "unexpected end of input");
	return fail_at(r, r->pos, "unexpected character");
}

static struct jmember *push(struct reader *r)
{
	if (r->sp == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct jmember *s = realloc(r->stack, cap * sizeof(*s));
		if (!s)
			return NULL;
		r->stack = s;
		r->cap = cap;
	}
	struct jmember *m = &r->stack[r->sp++];
	memset(m, 0, sizeof(*m));
	return m;
}

/* ---- strings ---- */

static int hex4(const char *p, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		char ch = p[i];
		v <<= 4;
		if (ch >= '0' && ch <= '9')
			v |= (uint32_t)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			v |= (uint32_t)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			v |= (uint32_t)(ch - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static char *put_utf8(char *o, uint32_t c)
{
	if (c < 0x80) {
		*o++ = (char)c;
	} else if (c < 0x800) {
		*o++ = (char)(0xc0 | (c >> 6));
		*o++ = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*o++ = (char)(0xe0 | (c >> 12));
		*o++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	} else {
		*o++ = (char)(0xf0 | (c >> 18));
		*o++ = (char)(0x80 | ((c >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	}
	return o;
}

/* Length of the UTF-8 sequence at p (at most `left` bytes), 0 if invalid:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_len(const unsigned char *p, size_t left)
{
	unsigned char c = p[0];
	size_t n;
	uint32_t min, v;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		min = 0x80;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		min = 0x800;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		min = 0x10000;
		v = c & 0x07;
	} else {
		return 0;
	}
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	return n;
}

/* At the opening quote.  Decodes into the arena; *n is the decoded length. */
static int read_string(struct reader *r, const char **out, uint32_t *n)
{
	size_t begin = ++r->pos, i = begin;
	bool escapes = false;
	/* First pass: find the end, check bytes; the decoded string is never
	 * longer than the raw one. */
	for (;;) {
		if (i >= r->len)
			return fail_at(r, i, "unterminated string");
		unsigned char ch = (unsigned char)r->t[i];
		if (ch == '"')
			break;
		if (ch < 0x20)
			return fail_at(r, i, "control character in a string");
		if (ch == '\\') {
			escapes = true;
			i += 2;
			continue;
		}
		if (ch >= 0x80) {
			size_t l = utf8_len((const unsigned char *)r->t + i, r->len - i);
			if (!l)
				return fail_at(r, i, "invalid UTF-8 in a string");
			i += l;
			continue;
		}
		i++;
	}
	size_t raw = i - begin;
	if (raw >= UINT32_MAX)
		return fail_at(r, begin, "string too long");
	char *s = arena_alloc(r->a, raw + 1);
	if (!s)
		return nomem(r);
	if (!escapes) {
		memcpy(s, r->t + begin, raw);
		*out = s;
		*n = (uint32_t)raw;
		r->pos = i + 1;
		return 0;
	}
	char *o = s;
	for (size_t p = begin; p < i;) {
		char ch = r->t[p];
		if (ch != '\\') {
			*o++ = ch;
			p++;
			continue;
		}
		char x = r->t[p + 1];
		const char *simple = strchr("\"\\/bfnrt", x);
		if (x && simple) {
			static const char map[] = "\"\\/\b\f\n\r\t";
			*o++ = map[simple - "\"\\/bfnrt"];
			p += 2;
			continue;
		}
		uint32_t c, lo;
		if (x != 'u' || p + 6 > i || hex4(r->t + p + 2, &c) < 0)
			return fail_at(r, p, "invalid escape in a string");
		p += 6;
		if (c >= 0xdc00 && c <= 0xdfff)
			return fail_at(r, p - 6, "unpaired surrogate in a string");
		if (c >= 0xd800 && c <= 0xdbff) {
			if (p + 6 > i || r->t[p] != '\\' || r->t[p + 1] != 'u' ||
			    hex4(r->t + p + 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
				return fail_at(r, p - 6, "unpaired surrogate in a string");
			c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
			p += 6;
		}
		o = put_utf8(o, c);
	}
	*o = '\0';
	*out = s;
	*n = (uint32_t)(o - s);
	r->pos = i + 1;
	return 0;
}

/* ---- numbers ---- */

static size_t digits(struct reader *r, size_t i)
{
	while (i < r->len && r->t[i] >= '0' && r->t[i] <= '9')
		i++;
	return i;
}

static int read_number(struct reader *r, struct jval *v)
{
	size_t b = r->pos, i = b;
	bool neg = false, integral = true;
	if (r->t[i] == '-') {
		neg = true;
		i++;
	}
	if (i >= r->len || r->t[i] < '0' || r->t[i] > '9')
		return fail_at(r, i, "invalid number");
	if (r->t[i] == '0' && i + 1 < r->len && r->t[i + 1] >= '0' && r->t[i + 1] <= '9')
		return fail_at(r, i, "invalid number (leading zero)");
	size_t int_end = i = digits(r, i);
	if (i < r->len && r->t[i] == '.') {
		integral = false;
		size_t f = digits(r, i + 1);
		if (f == i + 1)
			return fail_at(r, f, "invalid number");
		i = f;
	}
	if (i < r->len && (r->t[i] == 'e' || r->t[i] == 'E')) {
		integral = false;
		size_t x = i + 1;
		if (x < r->len && (r->t[x] == '+' || r->t[x] == '-'))
			x++;
		size_t f = digits(r, x);
		if (f == x)
			return fail_at(r, f, "invalid number");
		i = f;
	}
	char *s = arena_alloc(r->a, i - b + 1);
	if (!s)
		return nomem(r);
	memcpy(s, r->t + b, i - b);
	v->type = JT_NUM;
	v->s = s;
	v->n = (uint32_t)(i - b);
	r->pos = i;
	if (integral) {
		uint64_t m = 0;
		bool over = false;
		for (size_t k = b + neg; k < int_end; k++) {
			unsigned d = (unsigned)(r->t[k] - '0');
			if (m > (UINT64_MAX - d) / 10) {
				over = true;
				break;
			}
			m = m * 10 + d;
		}
		if (!over && !neg && m <= (uint64_t)INT64_MAX) {
			v->num = JN_INT;
			v->i = (int64_t)m;
			return 0;
		}
		if (!over && !neg) {
			v->num = JN_BIG;
			v->u = m;
			return 0;
		}
		if (!over && neg && m <= (uint64_t)INT64_MAX + 1) {
			v->num = JN_INT;
			v->i = m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m;
			return 0;
		}
	}
	v->num = JN_DOUBLE;
	v->d = strtod(s, NULL);
	return 0;
}

/* ---- values ---- */

static int read_value(struct reader *r, struct jval *v);

static int literal(struct reader *r, const char *word, struct jval *v, enum jtype t, bool b)
{
	size_t l = strlen(word);
	if (r->len - r->pos < l || memcmp(r->t + r->pos, word, l) != 0)
		return unexpected(r);
	r->pos += l;
	v->type = t;
	v->b = b;
	return 0;
}

/* Copy stack[base..sp) into the arena; the stack shrinks back to base. */
static int close_members(struct reader *r, size_t base, struct jval *v, bool obj)
{
	size_t n = r->sp - base;
	v->n = (uint32_t)n;
	r->sp = base;
	if (!n)
		return 0;
	if (obj) {
		struct jmember *m = arena_calloc(r->a, n, sizeof(*m));
		if (!m)
			return nomem(r);
		memcpy(m, r->stack + base, n * sizeof(*m));
		v->members = m;
	} else {
		struct jval *it = arena_calloc(r->a, n, sizeof(*it));
		if (!it)
			return nomem(r);
		for (size_t k = 0; k < n; k++)
			it[k] = r->stack[base + k].val;
		v->items = it;
	}
	return 0;
}

static int read_array(struct reader *r, struct jval *v)
{
	size_t base = r->sp;
	int rc;
	r->pos++;
	skip_ws(r);
	if (r->pos < r->len && r->t[r->pos] == ']') {
		r->pos++;
		v->type = JT_ARR;
		return 0;
	}
	for (;;) {
		struct jval item = {0};
		if ((rc = read_value(r, &item)) < 0)
			return rc;
		struct jmember *m = push(r);
		if (!m)
			return nomem(r);
		m->val = item;
		skip_ws(r);
		if (r->pos < r->len && r->t[r->pos] == ',') {
			r->pos++;
			continue;
		}
		if (r->pos < r->len && r->t[r->pos] == ']')
			break;
		return unexpected(r);
	}
	r->pos++;
	v->type = JT_ARR;
	return close_members(r, base, v, false);
}

static int read_object(struct reader *r, struct jval *v)
{
	size_t base = r->sp;
	int rc;
	r->pos++;
	skip_ws(r);
	if (r->pos < r->len && r->t[r->pos] == '}') {
		r->pos++;
		v->type = JT_OBJ;
		return 0;
	}
	for (;;) {
		skip_ws(r);
		if (r->pos >= r->len || r->t[r->pos] != '"')
			return unexpected(r);
		size_t kpos = r->pos;
		const char *key;
		uint32_t kn;
		if ((rc = read_string(r, &key, &kn)) < 0)
			return rc;
		if (strlen(key) != kn)
			return fail_at(r, kpos, "NUL byte in an object key");
		skip_ws(r);
		if (r->pos >= r->len || r->t[r->pos] != ':')
			return unexpected(r);
		r->pos++;
		struct jval val = {0};
		if ((rc = read_value(r, &val)) < 0)
			return rc;
		/* A repeated key: the last value, in the first one's place. */
		struct jmember *dup = NULL;
		for (size_t k = base; k < r->sp && !dup; k++)
			if (!strcmp(r->stack[k].key, key))
				dup = &r->stack[k];
		if (dup) {
			dup->val = val;
		} else {
			struct jmember *m = push(r);
			if (!m)
				return nomem(r);
			m->key = key;
			m->val = val;
		}
		skip_ws(r);
		if (r->pos < r->len && r->t[r->pos] == ',') {
			r->pos++;
			continue;
		}
		if (r->pos < r->len && r->t[r->pos] == '}')
			break;
		return unexpected(r);
	}
	r->pos++;
	v->type = JT_OBJ;
	return close_members(r, base, v, true);
}

static int read_value(struct reader *r, struct jval *v)
{
	int rc;
	skip_ws(r);
	if (r->pos >= r->len)
		return unexpected(r);
	size_t start = r->pos;
	char ch = r->t[r->pos];
	switch (ch) {
	case '{':
	case '[':
		if (++r->depth > JREAD_MAX_DEPTH)
			return fail_at(r, r->pos, "nesting too deep");
		rc = ch == '{' ? read_object(r, v) : read_array(r, v);
		r->depth--;
		break;
	case '"':
		v->type = JT_STR;
		rc = read_string(r, &v->s, &v->n);
		break;
	case 't':
		rc = literal(r, "true", v, JT_BOOL, true);
		break;
	case 'f':
		rc = literal(r, "false", v, JT_BOOL, false);
		break;
	case 'n':
		rc = literal(r, "null", v, JT_NULL, false);
		break;
	default:
		if (ch == '-' || (ch >= '0' && ch <= '9'))
			rc = read_number(r, v);
		else
			rc = unexpected(r);
	}
	if (rc < 0)
		return rc;
	v->start = (uint32_t)start;
	v->end = (uint32_t)r->pos;
	return 0;
}

int jread_parse(const char *text, size_t len, const char *doc, struct arena *a, struct jval **out,
		struct err *e)
{
	*out = NULL;
	struct reader r = {.t = text, .len = len, .doc = doc, .a = a, .e = e};
	if (len >= UINT32_MAX)
		return err_msg(e, EFBIG, "%s: too large", doc);
	struct jval *v = arena_alloc(a, sizeof(*v));
	if (!v)
		return nomem(&r);
	int rc = read_value(&r, v);
	free(r.stack);
	if (rc < 0)
		return rc;
	skip_ws(&r);
	if (r.pos < len)
		return fail_at(&r, r.pos, "data after the document");
	*out = v;
	return 0;
}

const struct jval *jval_get(const struct jval *obj, const char *key)
{
	if (!obj || obj->type != JT_OBJ)
		return NULL;
	for (uint32_t k = 0; k < obj->n; k++)
		if (!strcmp(obj->members[k].key, key))
			return &obj->members[k].val;
	return NULL;
}

const char *jtype_word(enum jtype t)
{
	static const char *const words[] = {
	    [JT_NULL] = "null",	 [JT_BOOL] = "boolean", [JT_NUM] = "number",
	    [JT_STR] = "string", [JT_ARR] = "array",	[JT_OBJ] = "object",
	};
	return t <= JT_OBJ ? words[t] : "null";
}

const char *jval_type_word(const struct jval *v)
{
	return v ? jtype_word((enum jtype)v->type) : "null";
}
