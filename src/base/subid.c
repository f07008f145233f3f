/* subid.c — see subid.h. */
#include "base/subid.h"

#include "base/cleanup.h"
#include "base/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A decimal number filling [s, end) exactly, below 2^32. */
static bool parse_u32(const char *s, const char *end, uint64_t *out)
{
	if (s == end || end - s > 10)
		return false;
	uint64_t v = 0;
	for (const char *p = s; p < end; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = v;
	return true;
}

/* Does the first field [s, end) name this user (by name or by uid)? */
static bool is_user(const char *s, const char *end, const char *name, unsigned uid)
{
	size_t n = (size_t)(end - s);
	if (name && *name && strlen(name) == n && !memcmp(s, name, n))
		return true;
	uint64_t v;
	return parse_u32(s, end, &v) && v == uid;
}

size_t subid_parse(const char *text, const char *name, unsigned uid, struct id_range *out,
		   size_t max)
{
	size_t k = 0;
	for (const char *l = text; l && *l && k < max;) {
		const char *eol = strchr(l, '\n');
		const char *end = eol ? eol : l + strlen(l);
		const char *c1 = memchr(l, ':', (size_t)(end - l));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
		const char *e3 = end;
		while (e3 > l && (e3[-1] == '\r' || e3[-1] == ' ' || e3[-1] == '\t'))
			e3--;
		uint64_t start, count;
		if (*l != '#' && c1 && c2 && c2 < e3 && is_user(l, c1, name, uid) &&
		    parse_u32(c1 + 1, c2, &start) && parse_u32(c2 + 1, e3, &count) && count > 0 &&
		    start + count - 1 <= UINT32_MAX - 1)
			out[k++] = (struct id_range){0, (uint32_t)start, (uint32_t)count};
		l = eol ? eol + 1 : NULL;
	}
	return k;
}

void subid_user_name(const char *passwd_text, unsigned uid, char *out, size_t len)
{
	out[0] = '\0';
	for (const char *l = passwd_text; l && *l;) {
		const char *eol = strchr(l, '\n');
		const char *end = eol ? eol : l + strlen(l);
		const char *c1 = memchr(l, ':', (size_t)(end - l));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
		const char *c3 = c2 ? memchr(c2 + 1, ':', (size_t)(end - c2 - 1)) : NULL;
		uint64_t v;
		if (c3 && c1 > l && parse_u32(c2 + 1, c3, &v) && v == uid &&
		    (size_t)(c1 - l) < len) {
			memcpy(out, l, (size_t)(c1 - l));
			out[c1 - l] = '\0';
			return;
		}
		l = eol ? eol + 1 : NULL;
	}
}

/* Own id as 0, then the ranges from container id 1 on; returns the
 * number of lines. */
static size_t build_one(struct id_range *m, unsigned own, const char *text, const char *name,
			unsigned uid)
{
	m[0] = (struct id_range){0, own, 1};
	if (!text)
		return 1;
	size_t n = 1 + subid_parse(text, name, uid, m + 1, ID_MAPPING_MAX - 1);
	uint64_t next = 1;
	size_t k = 1;
	for (size_t i = 1; i < n; i++) {
		/* Container ids stop below 2^32 - 1 (the kernel's invalid id). */
		if (next + m[i].size > UINT32_MAX)
			break;
		m[k] = m[i];
		m[k].container_id = (uint32_t)next;
		next += m[i].size;
		k++;
	}
	return k;
}

void id_mapping_build(struct id_mapping *m, uid_t uid, gid_t gid, const char *passwd,
		      const char *subuid, const char *subgid)
{
	char name[256] = "";
	if (passwd)
		subid_user_name(passwd, (unsigned)uid, name, sizeof(name));
	m->n_uid = build_one(m->uid, (unsigned)uid, subuid, name, (unsigned)uid);
	m->n_gid = build_one(m->gid, (unsigned)gid, subgid, name, (unsigned)uid);
	/* podman wants both: ranges for uids alone would leave files of the
	 * image's groups without a group. */
	if (m->n_uid == 1 || m->n_gid == 1)
		m->n_uid = m->n_gid = 1;
}

void id_mapping_current(struct id_mapping *m)
{
	if (geteuid() == 0) {
		m->uid[0] = m->gid[0] = (struct id_range){0, 0, UINT32_MAX};
		m->n_uid = m->n_gid = 1;
		return;
	}
	_cleanup_free_ char *pw = NULL, *su = NULL, *sg = NULL;
	(void)read_file_at(AT_FDCWD, "/etc/passwd", &pw, NULL, NULL);
	(void)read_file_at(AT_FDCWD, "/etc/subuid", &su, NULL, NULL);
	(void)read_file_at(AT_FDCWD, "/etc/subgid", &sg, NULL, NULL);
	id_mapping_build(m, geteuid(), getegid(), pw, su, sg);
}

bool id_mapping_has_ranges(const struct id_mapping *m)
{
	return m->n_uid > 1 && m->n_gid > 1;
}

static int format_one(char *buf, size_t len, const char *what, const struct id_range *r, size_t n)
{
	size_t off = 0;
	int w = snprintf(buf, len, "%s", what);
	if (w < 0 || (size_t)w >= len)
		return -ENAMETOOLONG;
	off = (size_t)w;
	for (size_t i = 0; i < n; i++) {
		w = snprintf(buf + off, len - off, " %u:%u:%u", r[i].container_id, r[i].host_id,
			     r[i].size);
		if (w < 0 || (size_t)w >= len - off)
			return -ENAMETOOLONG;
		off += (size_t)w;
	}
	if (off + 2 > len)
		return -ENAMETOOLONG;
	buf[off++] = '\n';
	buf[off] = '\0';
	return (int)off;
}

int id_mapping_format(const struct id_mapping *m, char *buf, size_t len)
{
	int a = format_one(buf, len, "uid", m->uid, m->n_uid);
	if (a < 0)
		return a;
	int b = format_one(buf + a, len - (size_t)a, "gid", m->gid, m->n_gid);
	return b < 0 ? b : a + b;
}
