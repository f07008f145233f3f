/* spec_linux.c — the "linux" object of config.json: namespaces, id
 * mappings, devices, paths to mask, sysctls, personality, time offsets.
 * linux.resources and linux.intelRdt stay JSON (the cgroup layer reads
 * them); linux.seccomp is spec_seccomp.c. */
#include "runtime/spec.h"

#include "base/arena.h"
#include "base/cleanup.h"
#include "base/error.h"
#include "runtime/spec_internal.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/personality.h>

/* ---- id mappings ---- */

static int req_u32(struct jctx *c, const struct jval *o, const char *key, const struct jp *at,
		   uint32_t *out)
{
	int r = sj_u32(c, o, key, at, out);
	return r == 0 ? sj_missing(c, at) : r < 0 ? r : 0;
}

static int parse_idmap(struct jctx *c, const struct jval *o, const struct jp *at,
		       struct spec_idmap *m)
{
	int r;
	const struct jp *sp = JP_KEY(at, "size");
	if ((r = sj_type(c, o, JT_OBJ, at)) < 0 ||
	    (r = req_u32(c, o, "containerID", JP_KEY(at, "containerID"), &m->container_id)) < 0 ||
	    (r = req_u32(c, o, "hostID", JP_KEY(at, "hostID"), &m->host_id)) < 0 ||
	    (r = req_u32(c, o, "size", sp, &m->size)) < 0)
		return r;
	if (m->size == 0)
		return sj_err(c, sp, "must be greater than 0");
	/* An id is 32 bits: a range that runs past the last one wraps. */
	if ((uint64_t)m->host_id + m->size - 1 > UINT32_MAX)
		return sj_err(c, sp, "hostID %u + size %u runs past the last id", m->host_id,
			      m->size);
	if ((uint64_t)m->container_id + m->size - 1 > UINT32_MAX)
		return sj_err(c, sp, "containerID %u + size %u runs past the last id",
			      m->container_id, m->size);
	return 0;
}

int spec_parse_idmaps(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at,
		      struct spec_idmap **out, size_t *n)
{
	const struct jval *a;
	size_t len;
	int r = sj_arr(c, obj, key, at, &a, &len);
	if (r <= 0 || len == 0)
		return r;
	struct spec_idmap *m = sj_alloc(c, len, sizeof(*m));
	if (!m)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++)
		if ((r = parse_idmap(c, jval_at(a, i), JP_IDX(at, i), &m[i])) < 0)
			return r;
	*out = m;
	*n = len;
	return 1;
}

/* ---- namespaces ---- */

static int parse_namespace(struct jctx *c, const struct jval *o, const struct jp *at,
			   struct spec_linux *l, struct spec_namespace *ns)
{
	int r;
	char *type;
	const struct jp *tp = JP_KEY(at, "type"), *pp = JP_KEY(at, "path");
	if ((r = sj_type(c, o, JT_OBJ, at)) < 0 || (r = sj_req_str(c, o, "type", tp, &type)) < 0 ||
	    (r = sj_str(c, o, "path", pp, &ns->path)) < 0)
		return r;
	if ((ns->type = spec_ns_type(type)) < 0)
		return sj_err(c, tp, "unknown namespace type \"%s\"", type);
	if ((l->ns_new | l->ns_join) & ns->type)
		return sj_err(c, tp, "duplicate namespace type \"%s\"", type);
	if (ns->path && !*ns->path)
		ns->path = NULL; /* "" is how some writers say "no path" */
	if (ns->path && (r = sj_abs_path(c, ns->path, pp)) < 0)
		return r;
	if (ns->path)
		l->ns_join |= ns->type;
	else
		l->ns_new |= ns->type;
	return 0;
}

static int parse_namespaces(struct jctx *c, const struct jval *o, const struct jp *at,
			    struct spec_linux *l)
{
	const struct jval *a;
	size_t n;
	int r = sj_arr(c, o, "namespaces", at, &a, &n);
	if (r <= 0 || n == 0)
		return r;
	if (!(l->namespaces = sj_alloc(c, n, sizeof(*l->namespaces))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if ((r = parse_namespace(c, jval_at(a, i), JP_IDX(at, i), l, &l->namespaces[i])) <
		    0)
			return r;
	l->n_namespaces = n;
	return 0;
}

/* ---- time offsets ---- */

static int parse_offset(struct jctx *c, const struct jval *o, const struct jp *at,
			struct spec_time_offset *t)
{
	int r;
	int64_t ns = 0;
	if ((r = sj_type(c, o, JT_OBJ, at)) < 0 ||
	    (r = sj_i64(c, o, "secs", JP_KEY(at, "secs"), INT64_MIN, INT64_MAX, &t->secs)) < 0 ||
	    (r = sj_i64(c, o, "nanosecs", JP_KEY(at, "nanosecs"), 0, 999999999, &ns)) < 0)
		return r;
	t->nanosecs = (uint32_t)ns;
	t->set = true;
	return 0;
}

static int parse_time_offsets(struct jctx *c, const struct jval *o, const struct jp *at,
			      struct spec_linux *l)
{
	const struct jval *t;
	int r = sj_obj(c, o, "timeOffsets", at, &t);
	if (r <= 0)
		return r;
	for (uint32_t k = 0; k < t->n; k++) {
		const char *clock = t->members[k].key;
		const struct jval *v = &t->members[k].val;
		struct spec_time_offset *off = !strcmp(clock, "monotonic")  ? &l->time_monotonic
					       : !strcmp(clock, "boottime") ? &l->time_boottime
									    : NULL;
		if (!off)
			return sj_err(c, JP_KEY(at, clock),
				      "unknown clock (monotonic or boottime)");
		if (v->type != JT_NULL && (r = parse_offset(c, v, JP_KEY(at, clock), off)) < 0)
			return r;
	}
	return 0;
}

/* ---- devices ---- */

static int parse_device(struct jctx *c, const struct jval *o, const struct jp *at,
			struct spec_device *d)
{
	int r;
	char *type;
	const struct jp *tp = JP_KEY(at, "type"), *mp = JP_KEY(at, "fileMode");
	const struct jp *majp = JP_KEY(at, "major"), *minp = JP_KEY(at, "minor");
	if ((r = sj_type(c, o, JT_OBJ, at)) < 0 ||
	    (r = sj_req_path(c, o, "path", JP_KEY(at, "path"), &d->path)) < 0 ||
	    (r = sj_req_str(c, o, "type", tp, &type)) < 0)
		return r;
	if (type[1] || !strchr("cbup", type[0]))
		return sj_err(c, tp, "unknown device type \"%s\" (c, b, u or p)", type);
	d->type = type[0];
	if ((r = sj_i64(c, o, "major", majp, 0, UINT32_MAX, &d->major)) < 0 ||
	    (r == 0 && d->type != 'p'))
		return r < 0 ? r : sj_missing(c, majp);
	if ((r = sj_i64(c, o, "minor", minp, 0, UINT32_MAX, &d->minor)) < 0 ||
	    (r == 0 && d->type != 'p'))
		return r < 0 ? r : sj_missing(c, minp);
	if ((r = sj_u32(c, o, "fileMode", mp, &d->mode)) < 0)
		return r;
	if ((d->has_mode = r == 1) && d->mode > 07777)
		return sj_err(c, mp, "%#o is not a permission mode (at most 07777)", d->mode);
	if ((r = sj_u32(c, o, "uid", JP_KEY(at, "uid"), &d->uid)) < 0)
		return r;
	d->has_uid = r == 1;
	if ((r = sj_u32(c, o, "gid", JP_KEY(at, "gid"), &d->gid)) < 0)
		return r;
	d->has_gid = r == 1;
	return 0;
}

static int parse_devices(struct jctx *c, const struct jval *o, const struct jp *at,
			 struct spec_linux *l)
{
	const struct jval *a;
	size_t n;
	int r = sj_arr(c, o, "devices", at, &a, &n);
	if (r <= 0 || n == 0)
		return r;
	if (!(l->devices = sj_alloc(c, n, sizeof(*l->devices))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if ((r = parse_device(c, jval_at(a, i), JP_IDX(at, i), &l->devices[i])) < 0)
			return r;
	l->n_devices = n;
	return 0;
}

/* ---- the rest ---- */

static int parse_paths(struct jctx *c, const struct jval *o, const char *key, const struct jp *at,
		       char ***out, size_t *n)
{
	int r = sj_strv(c, o, key, at, out, n);
	for (size_t i = 0; r > 0 && i < *n; i++)
		if (sj_abs_path(c, (*out)[i], JP_IDX(at, i)) < 0)
			return -EINVAL;
	return r < 0 ? r : 0;
}

static int parse_sysctl(struct jctx *c, const struct jval *o, const struct jp *at,
			struct spec_linux *l)
{
	const struct jval *t;
	int r = sj_obj(c, o, "sysctl", at, &t);
	if (r <= 0)
		return r;
	size_t n = t->n, i = 0;
	if (n && !(l->sysctl = sj_alloc(c, n, sizeof(*l->sysctl))))
		return -ENOMEM;
	for (; i < n; i++) {
		const char *key = t->members[i].key, *val = NULL;
		const struct jval *v = &t->members[i].val;
		if (!*key)
			return sj_err(c, at, "empty key");
		if ((r = sj_str_val(c, v, JP_KEY(at, key), &val)) < 0)
			return r;
		/* Both already live in the spec's arena. */
		l->sysctl[i].key = (char *)key;
		l->sysctl[i].value = (char *)val;
	}
	l->n_sysctl = i;
	return 0;
}

static int parse_personality(struct jctx *c, const struct jval *o, const struct jp *at,
			     struct spec_linux *l)
{
	const struct jval *p, *a;
	char *domain;
	size_t n;
	const struct jp *dp = JP_KEY(at, "domain"), *fp = JP_KEY(at, "flags");
	int r = sj_obj(c, o, "personality", at, &p);
	if (r <= 0)
		return r;
	if ((r = sj_req_str(c, p, "domain", dp, &domain)) < 0)
		return r;
	if (!strcmp(domain, "LINUX"))
		l->personality = PER_LINUX;
	else if (!strcmp(domain, "LINUX32"))
		l->personality = PER_LINUX32;
	else
		return sj_err(c, dp, "unknown domain \"%s\" (LINUX or LINUX32)", domain);
	if ((r = sj_arr(c, p, "flags", fp, &a, &n)) < 0)
		return r;
	for (size_t i = 0; r > 0 && i < n; i++) {
		const char *name = NULL;
		if (sj_str_val(c, jval_at(a, i), JP_IDX(fp, i), &name) < 0)
			return -EINVAL;
		long f = spec_lookup(spec_personality_flags, spec_n_personality_flags, name);
		if (f < 0)
			return sj_err(c, JP_IDX(fp, i), "unknown personality flag \"%s\"", name);
		l->personality |= (unsigned long)f;
	}
	l->has_personality = true;
	return 0;
}

/* linux.resources stays JSON for the cgroup layer (runtime/cgroup.h),
 * which takes a json-c object: its text alone is read again by json-c. */
static int keep_resources(struct jctx *c, const struct jval *o, const struct jp *at,
			  json_object **out)
{
	const struct jval *v;
	int r = sj_obj(c, o, "resources", at, &v);
	if (r <= 0)
		return r;
	struct json_tokener *tok = json_tokener_new();
	if (!tok)
		return sj_nomem(c);
	*out = json_tokener_parse_ex(tok, c->text + v->start, (int)(v->end - v->start));
	json_tokener_free(tok);
	return *out ? 0 : sj_nomem(c); /* the text is known to be valid */
}

static int parse_propagation(struct jctx *c, const struct jval *o, const struct jp *at,
			     struct spec_linux *l)
{
	char *p;
	int r = sj_str(c, o, "rootfsPropagation", at, &p);
	if (r <= 0 || !*p)
		return r;
	if (!(l->rootfs_propagation = spec_propagation(p)))
		return sj_err(c, at, "unknown propagation \"%s\"", p);
	return 0;
}

int spec_parse_linux(struct jctx *c, const struct jval *o, const struct jp *at, struct spec *s)
{
	struct spec_linux *l = &s->lnx;
	const struct jval *sc, *rdt;
	int r;
	if ((r = parse_namespaces(c, o, JP_KEY(at, "namespaces"), l)) < 0 ||
	    (r = spec_parse_idmaps(c, o, "uidMappings", JP_KEY(at, "uidMappings"), &l->uid_mappings,
				   &l->n_uid_mappings)) < 0 ||
	    (r = spec_parse_idmaps(c, o, "gidMappings", JP_KEY(at, "gidMappings"), &l->gid_mappings,
				   &l->n_gid_mappings)) < 0 ||
	    (r = parse_time_offsets(c, o, JP_KEY(at, "timeOffsets"), l)) < 0 ||
	    (r = parse_devices(c, o, JP_KEY(at, "devices"), l)) < 0 ||
	    (r = sj_str(c, o, "cgroupsPath", JP_KEY(at, "cgroupsPath"), &l->cgroups_path)) < 0 ||
	    (r = keep_resources(c, o, JP_KEY(at, "resources"), &l->resources)) < 0 ||
	    (r = parse_propagation(c, o, JP_KEY(at, "rootfsPropagation"), l)) < 0 ||
	    (r = parse_paths(c, o, "maskedPaths", JP_KEY(at, "maskedPaths"), &l->masked_paths,
			     &l->n_masked_paths)) < 0 ||
	    (r = parse_paths(c, o, "readonlyPaths", JP_KEY(at, "readonlyPaths"), &l->readonly_paths,
			     &l->n_readonly_paths)) < 0 ||
	    (r = sj_str(c, o, "mountLabel", JP_KEY(at, "mountLabel"), &l->mount_label)) < 0 ||
	    (r = parse_sysctl(c, o, JP_KEY(at, "sysctl"), l)) < 0 ||
	    (r = parse_personality(c, o, JP_KEY(at, "personality"), l)) < 0 ||
	    (r = sj_obj(c, o, "intelRdt", JP_KEY(at, "intelRdt"), &rdt)) < 0) /* not applied */
		return r;
	const struct jp *sp = JP_KEY(at, "seccomp");
	if ((r = sj_obj(c, o, "seccomp", sp, &sc)) == 1)
		r = spec_parse_seccomp(c, sc, sp, &l->seccomp);
	return r < 0 ? r : 0;
}
