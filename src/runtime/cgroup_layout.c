/* cgroup_layout.c — where each controller lives on this host, and where a
 * container's cgroup goes in each hierarchy (see cgroup.h). */
#include "runtime/cgroup.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>

static const char *const ctrl_names[CG_NCTRL] = {
    [CG_CPU] = "cpu",	      [CG_CPUACCT] = "cpuacct",	  [CG_CPUSET] = "cpuset",
    [CG_MEMORY] = "memory",   [CG_PIDS] = "pids",	  [CG_BLKIO] = "blkio",
    [CG_DEVICES] = "devices", [CG_FREEZER] = "freezer",	  [CG_HUGETLB] = "hugetlb",
    [CG_NET_CLS] = "net_cls", [CG_NET_PRIO] = "net_prio",
};

const char *cg_ctrl_name(enum cg_ctrl c)
{
	return c < CG_NCTRL ? ctrl_names[c] : "?";
}

unsigned cg_ctrl_bits(const char *list, char sep, bool v2)
{
	unsigned bits = 0;
	const char *p = list;
	while (*p) {
		const char *end = strchr(p, sep);
		size_t len = end ? (size_t)(end - p) : strcspn(p, "\n");
		for (int c = 0; c < CG_NCTRL; c++) {
			const char *n = ctrl_names[c];
			if (v2 && c == CG_BLKIO)
				n = "io";
			if (strlen(n) == len && !strncmp(p, n, len))
				bits |= 1u << c;
		}
		if (!end)
			break;
		p = end + 1;
	}
	if (v2 && (bits & (1u << CG_CPU)))
		bits |= 1u << CG_CPUACCT; /* cpu.stat has the usage */
	return bits;
}

static bool is_cgroup2(const char *path)
{
	struct statfs sf;
	return statfs(path, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

int cg_detect_from(struct cg_layout *l, const char *text, bool v2_root, bool unified,
		   const char *v2_ctrls, struct err *e)
{
	memset(l, 0, sizeof(*l));
	l->mode = v2_root ? CG_MODE_V2 : unified ? CG_MODE_HYBRID : CG_MODE_V1;
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *c1 = memchr(line, ':', len);
		const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)) : NULL;
		if (!c2)
			return err_msg(e, EINVAL, "/proc/self/cgroup: malformed line \"%.*s\"",
				       (int)len, line);
		size_t nlen = (size_t)(c2 - c1 - 1);
		size_t plen = len - (size_t)(c2 + 1 - line);
		bool v2 = nlen == 0 && line[0] == '0';
		bool named = nlen >= 5 && !strncmp(c1 + 1, "name=", 5);
		bool take = v2 ? (v2_root || unified) : (!v2_root && !named);
		if (take) {
			if (l->n == CG_MAX_HIER)
				return err_msg(e, E2BIG, "/proc/self/cgroup: too many hierarchies");
			struct cg_hier *h = &l->h[l->n++];
			h->v2 = v2;
			if (nlen >= sizeof(h->name) || plen >= sizeof(h->self))
				return err_msg(e, ENAMETOOLONG, "/proc/self/cgroup: line too long");
			memcpy(h->name, c1 + 1, nlen);
			memcpy(h->self, c2 + 1, plen);
			if (v2) {
				snprintf(h->mount, sizeof(h->mount), "%s",
					 v2_root ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified");
				/* On pure v2 the freezer (cgroup.freeze) and the device
				 * program are part of every cgroup. */
				if (v2_root)
					h->ctrls =
					    cg_ctrl_bits(v2_ctrls ? v2_ctrls : "", ' ', true) |
					    1u << CG_FREEZER | 1u << CG_DEVICES;
			} else {
				memcpy(h->mount, "/sys/fs/cgroup/", 15);
				memcpy(h->mount + 15, h->name, nlen + 1);
				h->ctrls = cg_ctrl_bits(h->name, ',', false);
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	if (l->n == 0)
		return err_msg(e, ENOENT, "/proc/self/cgroup: no cgroup hierarchy is mounted");
	return 0;
}

int cg_detect(struct cg_layout *l, struct err *e)
{
	bool v2_root = is_cgroup2("/sys/fs/cgroup");
	bool unified = !v2_root && is_cgroup2("/sys/fs/cgroup/unified");
	_cleanup_free_ char *text = NULL, *ctrls = NULL;
	int r = read_file_at(AT_FDCWD, "/proc/self/cgroup", &text, NULL, e);
	if (r < 0)
		return r;
	if (v2_root &&
	    (r = read_file_at(AT_FDCWD, "/sys/fs/cgroup/cgroup.controllers", &ctrls, NULL, e)) < 0)
		return r;
	return cg_detect_from(l, text, v2_root, unified, ctrls, e);
}

/* Append `part` (without leading/trailing slashes) to `out`. */
static int append(char *out, size_t len, const char *part, size_t plen)
{
	size_t n = strlen(out);
	while (plen && *part == '/')
		part++, plen--;
	while (plen && part[plen - 1] == '/')
		plen--;
	if (!plen)
		return 0;
	if (n + 1 + plen + 1 > len)
		return -ENAMETOOLONG;
	if (n == 0 || out[n - 1] != '/')
		out[n++] = '/';
	memcpy(out + n, part, plen);
	out[n + plen] = '\0';
	return 0;
}

/* systemd's slice naming: "a-b-c.slice" lives in a.slice/a-b.slice/. */
static int expand_slice(const char *slice, size_t slen, char *out, size_t len)
{
	if (slen == 0) {
		slice = "system.slice";
		slen = strlen(slice);
	}
	if (slen < 6 || strncmp(slice + slen - 6, ".slice", 6) || memchr(slice, '/', slen))
		return -EINVAL;
	if (slen == 7 && slice[0] == '-')
		return 0; /* "-.slice": the root */
	size_t base = slen - 6;
	for (size_t i = 0; i < base; i++) {
		if (slice[i] != '-')
			continue;
		if (i == 0 || i == base - 1 || slice[i - 1] == '-')
			return -EINVAL;
		char part[256];
		if (i + 6 >= sizeof(part))
			return -ENAMETOOLONG;
		memcpy(part, slice, i);
		memcpy(part + i, ".slice", 7);
		int r = append(out, len, part, strlen(part));
		if (r < 0)
			return r;
	}
	return append(out, len, slice, slen);
}

static int systemd_path(const char *p, char *out, size_t len, struct err *e)
{
	const char *c1 = strchr(p, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2 || strchr(c2 + 1, ':') || !c2[1])
		return err_msg(e, EINVAL,
			       "config.json: linux.cgroupsPath \"%s\": expected "
			       "\"slice:prefix:name\"",
			       p);
	out[0] = '\0';
	int r = expand_slice(p, (size_t)(c1 - p), out, len);
	if (r < 0)
		return err_msg(e, -r, "config.json: linux.cgroupsPath \"%s\": bad slice name", p);
	const char *name = c2 + 1;
	char unit[512];
	size_t nlen = strlen(name);
	if (nlen > 6 && !strcmp(name + nlen - 6, ".slice"))
		snprintf(unit, sizeof(unit), "%s", name);
	else if (c2 > c1 + 1)
		snprintf(unit, sizeof(unit), "%.*s-%s.scope", (int)(c2 - c1 - 1), c1 + 1, name);
	else
		snprintf(unit, sizeof(unit), "%s.scope", name);
	if (strchr(unit, '/') || append(out, len, unit, strlen(unit)) < 0)
		return err_msg(e, EINVAL, "config.json: linux.cgroupsPath \"%s\": bad unit name",
			       p);
	if (!out[0])
		snprintf(out, len, "/");
	return 0;
}

int cg_resolve_path(const char *cp, const char *id, const char *self, char *out, size_t len,
		    struct err *e)
{
	if (len < 2)
		return err_msg(e, ENAMETOOLONG, "cgroup path");
	out[0] = '\0';
	int r = 0;
	if (cp && *cp && *cp != '/' && strchr(cp, ':')) {
		if ((r = systemd_path(cp, out, len, e)) < 0)
			return r;
	} else {
		if (!cp || !*cp || *cp != '/')
			r = append(out, len, self, strlen(self));
		if (r == 0 && (!cp || !*cp)) {
			if ((r = append(out, len, "capsa", 5)) == 0)
				r = append(out, len, id, strlen(id));
		} else if (r == 0) {
			r = append(out, len, cp, strlen(cp));
		}
		if (r < 0)
			return err_msg(e, -r, "config.json: linux.cgroupsPath \"%s\": too long",
				       cp ? cp : "");
	}
	if (!out[0])
		snprintf(out, len, "/");
	/* No way out of the hierarchy, and no ambiguity about where we are. */
	for (const char *p = out; (p = strstr(p, "..")); p += 2) {
		bool start = p == out || p[-1] == '/';
		bool end = p[2] == '\0' || p[2] == '/';
		if (start && end)
			return err_msg(
			    e, EINVAL,
			    "config.json: linux.cgroupsPath \"%s\": \"..\" is not allowed", cp);
	}
	if (!strcmp(out, "/") || !strcmp(out, self))
		return err_msg(e, EINVAL,
			       "config.json: linux.cgroupsPath \"%s\": names the caller's own or "
			       "the root cgroup, not one for the container",
			       cp ? cp : "");
	return 0;
}
