/* ref.c — see ref.h.  The grammar follows the distribution project's
 * reference rules: path components of [a-z0-9] runs joined by '.', '_',
 * "__" or runs of '-'; tags [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. */
#include "image/ref.h"

#include "base/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_hex(char c)
{
	return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9');
}

static int is_word(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '_';
}

int ref_is_digest(const char *s)
{
	if (strncmp(s, "sha256:", 7) != 0)
		return 0;
	s += 7;
	size_t n = 0;
	for (; s[n]; n++)
		if (!is_hex(s[n]))
			return 0;
	return n == 64;
}

/* One path component: alnum runs, separated by '.', '_', '__' or '-'+. */
static int valid_component(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
		return 0;
	while (i < n) {
		if (is_lower_alnum(s[i])) {
			i++;
			continue;
		}
		size_t j = i;
		if (s[i] == '.') {
			j++;
		} else if (s[i] == '_') {
			j += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
		} else if (s[i] == '-') {
			while (j < n && s[j] == '-')
				j++;
		} else {
			return 0;
		}
		if (j >= n || !is_lower_alnum(s[j]))
			return 0;
		i = j;
	}
	return 1;
}

static int valid_path(const char *p)
{
	const char *c = p;
	for (;;) {
		const char *slash = strchr(c, '/');
		size_t n = slash ? (size_t)(slash - c) : strlen(c);
		if (!valid_component(c, n))
			return 0;
		if (!slash)
			return 1;
		c = slash + 1;
	}
}

/* host[:port]: hostname labels of [A-Za-z0-9-], or a bracketed IPv6. */
static int valid_domain(const char *d)
{
	const char *port = NULL;
	if (d[0] == '[') {
		const char *close = strchr(d, ']');
		if (!close || close == d + 1)
			return 0;
		for (const char *p = d + 1; p < close; p++)
			if (!is_hex(*p) && !(*p >= 'A' && *p <= 'F') && *p != ':' && *p != '.')
				return 0;
		if (close[1] == '\0')
			return 1;
		if (close[1] != ':')
			return 0;
		port = close + 2;
	} else {
		const char *colon = strchr(d, ':');
		size_t n = colon ? (size_t)(colon - d) : strlen(d);
		if (n == 0)
			return 0;
		for (size_t i = 0; i < n; i++) {
			char c = d[i];
			int ok = is_word(c) || c == '-' || c == '.';
			if (!ok || c == '_')
				return 0;
			if ((c == '.' || c == '-') && (i == 0 || i == n - 1))
				return 0;
		}
		if (colon)
			port = colon + 1;
	}
	if (port) {
		if (!*port || strlen(port) > 5)
			return 0;
		for (const char *p = port; *p; p++)
			if (*p < '0' || *p > '9')
				return 0;
	}
	return 1;
}

static int valid_tag(const char *t)
{
	size_t n = strlen(t);
	if (n == 0 || n > 128 || !is_word(t[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!is_word(t[i]) && t[i] != '.' && t[i] != '-')
			return 0;
	return 1;
}

static int copy(char *dst, size_t cap, const char *src, size_t n)
{
	if (n >= cap)
		return -1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

static int has_upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return 1;
	return 0;
}

int ref_parse(const char *s, struct image_ref *r, struct err *e)
{
	memset(r, 0, sizeof(*r));
	if (!s || !*s)
		return err_msg(e, EINVAL, "empty image reference");
	size_t len = strlen(s);
	if (len >= REF_STR_MAX)
		return err_msg(e, EINVAL, "reference \"%.40s...\": too long", s);

	/* name[:tag][@digest] — the digest is whatever follows the first '@'. */
	const char *at = strchr(s, '@');
	size_t name_len = at ? (size_t)(at - s) : len;
	if (at) {
		if (!ref_is_digest(at + 1))
			return err_msg(
			    e, EINVAL,
			    "reference \"%s\": invalid digest \"%s\" (want sha256: and 64 "
			    "lowercase hex digits)",
			    s, at + 1);
		copy(r->digest, sizeof(r->digest), at + 1, strlen(at + 1));
	}

	/* The tag is after the last ':' that follows the last '/', so a
	 * registry port ("host:5000/x") is not taken for one. */
	const char *last_slash = memrchr(s, '/', name_len);
	const char *from = last_slash ? last_slash + 1 : s;
	const char *colon = memchr(from, ':', name_len - (size_t)(from - s));
	if (colon) {
		size_t tag_len = name_len - (size_t)(colon + 1 - s);
		char tag[REF_TAG_MAX + 1];
		if (tag_len >= sizeof(tag) - 1 || copy(tag, sizeof(tag), colon + 1, tag_len) < 0 ||
		    !valid_tag(tag))
			return err_msg(
			    e, EINVAL,
			    "reference \"%s\": invalid tag (want 1-128 of A-Z a-z 0-9 _ . -, "
			    "not starting with . or -)",
			    s);
		strcpy(r->tag, tag);
		name_len = (size_t)(colon - s);
	}
	if (name_len == 0)
		return err_msg(e, EINVAL, "reference \"%s\": missing repository name", s);

	/* Domain: the first component, if it looks like a host. */
	const char *slash = memchr(s, '/', name_len);
	const char *path = s;
	size_t path_len = name_len;
	if (slash) {
		size_t dlen = (size_t)(slash - s);
		int is_host = memchr(s, '.', dlen) || memchr(s, ':', dlen) ||
			      (dlen == 9 && !memcmp(s, "localhost", 9)) || has_upper(s, dlen);
		if (is_host) {
			if (copy(r->domain, sizeof(r->domain), s, dlen) < 0 ||
			    !valid_domain(r->domain))
				return err_msg(e, EINVAL, "reference \"%s\": invalid registry host",
					       s);
			path = slash + 1;
			path_len = name_len - dlen - 1;
		}
	}
	if (!r->domain[0] || !strcmp(r->domain, "index.docker.io"))
		strcpy(r->domain, "docker.io");

	if (has_upper(path, path_len))
		return err_msg(e, EINVAL, "reference \"%s\": repository name must be lowercase", s);
	int library = !strcmp(r->domain, "docker.io") && !memchr(path, '/', path_len);
	int n = snprintf(r->path, sizeof(r->path), "%s%.*s", library ? "library/" : "",
			 (int)path_len, path);
	if (n < 0 || (size_t)n >= sizeof(r->path) || strlen(r->domain) + 1 + (size_t)n > 255)
		return err_msg(e, EINVAL, "reference \"%s\": repository name too long", s);
	if (!valid_path(r->path))
		return err_msg(e, EINVAL,
			       "reference \"%s\": invalid repository name (want lowercase "
			       "letters, digits and separators . _ __ -, components joined by /)",
			       s);
	if (!r->tag[0] && !r->digest[0])
		strcpy(r->tag, "latest");
	return 0;
}

int ref_format(const struct image_ref *r, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s%s%s%s%s", r->domain, r->path, r->tag[0] ? ":" : "",
			 r->tag, r->digest[0] ? "@" : "", r->digest);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return n;
}

int ref_repository(const struct image_ref *r, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", r->domain, r->path);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return n;
}

const char *ref_registry_host(const struct image_ref *r)
{
	if (!strcmp(r->domain, "docker.io"))
		return "registry-1.docker.io";
	return r->domain;
}
