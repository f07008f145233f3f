/* spec_process.c — the "process" object of config.json, also parsed on
 * its own for `exec --process FILE`.  Names (capabilities, rlimits,
 * scheduler policies, I/O classes) are resolved to numbers here, so the
 * container side only makes system calls. */
#include "runtime/spec.h"

#include "base/arena.h"
#include "base/cleanup.h"
#include "base/error.h"
#include "runtime/spec_internal.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

static int parse_user(struct jctx *c, const struct jval *o, const struct jp *at,
		      struct spec_user *u)
{
	int r;
	const struct jp *up = JP_KEY(at, "uid"), *gp = JP_KEY(at, "gid");
	const struct jp *mp = JP_KEY(at, "umask"), *ap = JP_KEY(at, "additionalGids");
	if ((r = sj_type(c, o, JT_OBJ, at)) < 0 || (r = sj_u32(c, o, "uid", up, &u->uid)) < 0)
		return r;
	if (r == 0)
		return sj_missing(c, up);
	if ((r = sj_u32(c, o, "gid", gp, &u->gid)) < 0)
		return r;
	if (r == 0)
		return sj_missing(c, gp);
	if ((r = sj_u32(c, o, "umask", mp, &u->umask)) < 0)
		return r;
	u->has_umask = r == 1;
	if (u->has_umask && u->umask > 0777)
		return sj_err(c, mp, "%#o is not a file mode mask", u->umask);
	const struct jval *a;
	size_t n;
	if ((r = sj_arr(c, o, "additionalGids", ap, &a, &n)) < 0)
		return r;
	if (r == 1 && n) {
		if (!(u->additional_gids = sj_alloc(c, n, sizeof(uint32_t))))
			return -ENOMEM;
		for (size_t i = 0; i < n; i++) {
			uint64_t g;
			const struct jp *ip = JP_IDX(ap, i);
			if ((r = sj_u64_val(c, jval_at(a, i), ip, &g)) < 0)
				return r;
			if (g > UINT32_MAX)
				return sj_err(c, ip, "%llu is not a group id",
					      (unsigned long long)g);
			u->additional_gids[i] = (uint32_t)g;
		}
		u->n_additional_gids = n;
	}
	r = sj_str(c, o, "username", JP_KEY(at, "username"), &u->username);
	return r < 0 ? r : 0;
}

static int parse_cap_set(struct jctx *c, const struct jval *o, const char *key, const struct jp *at,
			 uint64_t *set)
{
	const struct jval *a;
	size_t n;
	int r = sj_arr(c, o, key, at, &a, &n);
	if (r <= 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		const char *name = NULL;
		if ((r = sj_str_val(c, jval_at(a, i), JP_IDX(at, i), &name)) < 0)
			return r;
		int nr = spec_cap_number(name);
		if (nr < 0)
			return sj_err(c, JP_IDX(at, i), "unknown capability \"%s\"", name);
		*set |= (uint64_t)1 << nr;
	}
	return 0;
}

static int parse_caps(struct jctx *c, const struct jval *o, const struct jp *at,
		      struct spec_caps *caps)
{
	static const struct {
		const char *key;
		size_t off;
	} sets[] = {
	    {"bounding", offsetof(struct spec_caps, bounding)},
	    {"effective", offsetof(struct spec_caps, effective)},
	    {"inheritable", offsetof(struct spec_caps, inheritable)},
	    {"permitted", offsetof(struct spec_caps, permitted)},
	    {"ambient", offsetof(struct spec_caps, ambient)},
	};
	int r = sj_type(c, o, JT_OBJ, at);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(sets); i++)
		r = parse_cap_set(c, o, sets[i].key, JP_KEY(at, sets[i].key),
				  (uint64_t *)((char *)caps + sets[i].off));
	return r;
}

static int parse_rlimit(struct jctx *c, const struct jval *o, const struct jp *at,
			struct spec_rlimit *rl, const struct spec_rlimit *before, size_t n_before)
{
	int r;
	char *type;
	const struct jp *tp = JP_KEY(at, "type"), *sp = JP_KEY(at, "soft"),
			*hp = JP_KEY(at, "hard");
	if ((r = sj_type(c, o, JT_OBJ, at)) < 0 || (r = sj_req_str(c, o, "type", tp, &type)) < 0)
		return r;
	if ((rl->resource = spec_rlimit_type(type)) < 0)
		return sj_err(c, tp, "unknown rlimit \"%s\"", type);
	for (size_t i = 0; i < n_before; i++)
		if (before[i].resource == rl->resource)
			return sj_err(c, tp, "duplicate rlimit \"%s\"", type);
	if ((r = sj_u64(c, o, "soft", sp, &rl->soft)) <= 0)
		return r < 0 ? r : sj_missing(c, sp);
	if ((r = sj_u64(c, o, "hard", hp, &rl->hard)) <= 0)
		return r < 0 ? r : sj_missing(c, hp);
	if (rl->soft > rl->hard)
		return sj_err(c, at, "soft limit %llu is above hard limit %llu",
			      (unsigned long long)rl->soft, (unsigned long long)rl->hard);
	return 0;
}

static int parse_rlimits(struct jctx *c, const struct jval *o, const struct jp *at,
			 struct spec_process *p)
{
	const struct jval *a;
	size_t n;
	int r = sj_arr(c, o, "rlimits", at, &a, &n);
	if (r <= 0 || n == 0)
		return r;
	if (!(p->rlimits = sj_alloc(c, n, sizeof(*p->rlimits))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if ((r = parse_rlimit(c, jval_at(a, i), JP_IDX(at, i), &p->rlimits[i], p->rlimits,
				      i)) < 0)
			return r;
	p->n_rlimits = n;
	return 0;
}

/* A required name from a table: 0 and `*out`, or <0. */
static int req_name(struct jctx *c, const struct jval *o, const char *key, const struct jp *at,
		    const struct name_value *t, size_t n, const char *what, long *out)
{
	char *name;
	int r = sj_req_str(c, o, key, at, &name);
	if (r < 0)
		return r;
	if ((*out = spec_lookup(t, n, name)) < 0)
		return sj_err(c, at, "unknown %s \"%s\"", what, name);
	return 0;
}

static int parse_sched_flags(struct jctx *c, const struct jval *o, const struct jp *at,
			     uint64_t *out)
{
	const struct jval *a;
	size_t n;
	int r = sj_arr(c, o, "flags", at, &a, &n);
	if (r <= 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		const char *name = NULL;
		if ((r = sj_str_val(c, jval_at(a, i), JP_IDX(at, i), &name)) < 0)
			return r;
		long f = spec_lookup(spec_sched_flags, spec_n_sched_flags, name);
		if (f < 0)
			return sj_err(c, JP_IDX(at, i), "unknown scheduler flag \"%s\"", name);
		*out |= (uint64_t)f;
	}
	return 0;
}

static int parse_scheduler(struct jctx *c, const struct jval *o, const struct jp *at,
			   struct spec_process *p)
{
	int r;
	long policy;
	int64_t nice = 0, prio = 0;
	if ((r = sj_type(c, o, JT_OBJ, at)) < 0 ||
	    (r = req_name(c, o, "policy", JP_KEY(at, "policy"), spec_sched_policies,
			  spec_n_sched_policies, "scheduler policy", &policy)) < 0 ||
	    (r = sj_i64(c, o, "nice", JP_KEY(at, "nice"), -20, 19, &nice)) < 0 ||
	    (r = sj_i64(c, o, "priority", JP_KEY(at, "priority"), 0, 99, &prio)) < 0 ||
	    (r = parse_sched_flags(c, o, JP_KEY(at, "flags"), &p->sched_flags)) < 0 ||
	    (r = sj_u64(c, o, "runtime", JP_KEY(at, "runtime"), &p->sched_runtime)) < 0 ||
	    (r = sj_u64(c, o, "deadline", JP_KEY(at, "deadline"), &p->sched_deadline)) < 0 ||
	    (r = sj_u64(c, o, "period", JP_KEY(at, "period"), &p->sched_period)) < 0)
		return r;
	p->has_scheduler = true;
	p->sched_policy = (int)policy;
	p->sched_nice = (int)nice;
	p->sched_priority = (int)prio;
	return 0;
}

static int parse_ioprio(struct jctx *c, const struct jval *o, const struct jp *at,
			struct spec_process *p)
{
	int r;
	long cls;
	int64_t prio = 0;
	if ((r = sj_type(c, o, JT_OBJ, at)) < 0 ||
	    (r = req_name(c, o, "class", JP_KEY(at, "class"), spec_ioprio_classes,
			  spec_n_ioprio_classes, "I/O priority class", &cls)) < 0 ||
	    (r = sj_i64(c, o, "priority", JP_KEY(at, "priority"), 0, 7, &prio)) < 0)
		return r;
	p->has_io_priority = true;
	p->io_priority_class = (int)cls;
	p->io_priority = (int)prio;
	return 0;
}

static int parse_console(struct jctx *c, const struct jval *o, const struct jp *at,
			 struct spec_process *p)
{
	int r;
	const struct jp *hp = JP_KEY(at, "height"), *wp = JP_KEY(at, "width");
	if ((r = sj_type(c, o, JT_OBJ, at)) < 0)
		return r;
	if ((r = sj_u32(c, o, "height", hp, &p->console_height)) <= 0)
		return r < 0 ? r : sj_missing(c, hp);
	if ((r = sj_u32(c, o, "width", wp, &p->console_width)) <= 0)
		return r < 0 ? r : sj_missing(c, wp);
	p->has_console_size = true;
	return 0;
}

/* Optional sub-object `key` handed to `fn` when present. */
static int sub(struct jctx *c, const struct jval *o, const char *key, const struct jp *at,
	       struct spec_process *p,
	       int (*fn)(struct jctx *, const struct jval *, const struct jp *,
			 struct spec_process *))
{
	const struct jval *v = sj_get(o, key);
	return v ? fn(c, v, at, p) : 0;
}

static int parse_args_cwd(struct jctx *c, const struct jval *o, const struct jp *at,
			  struct spec_process *p)
{
	const struct jp *ap = JP_KEY(at, "args");
	int r = sj_strv(c, o, "args", ap, &p->args, &p->n_args);
	if (r == 0)
		return sj_missing(c, ap);
	if (r < 0)
		return r;
	if (p->n_args == 0)
		return sj_err(c, ap, "must not be empty");
	return sj_req_path(c, o, "cwd", JP_KEY(at, "cwd"), &p->cwd);
}

int spec_parse_process_at(struct jctx *c, const struct jval *o, const struct jp *at,
			  struct spec_process **out)
{
	int r;
	int64_t oom = 0;
	const struct jval *v;
	struct spec_process *p = sj_alloc(c, 1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	if ((r = sj_type(c, o, JT_OBJ, at)) < 0 ||
	    (r = sj_bool(c, o, "terminal", JP_KEY(at, "terminal"), &p->terminal)) < 0 ||
	    (r = sub(c, o, "consoleSize", JP_KEY(at, "consoleSize"), p, parse_console)) < 0)
		return r;
	if ((v = sj_get(o, "user")) && (r = parse_user(c, v, JP_KEY(at, "user"), &p->user)) < 0)
		return r;
	if ((r = parse_args_cwd(c, o, at, p)) < 0 ||
	    (r = sj_str(c, o, "commandLine", JP_KEY(at, "commandLine"), &p->command_line)) < 0 ||
	    (r = sj_env(c, o, "env", JP_KEY(at, "env"), &p->env, &p->n_env)) < 0)
		return r;
	if ((v = sj_get(o, "capabilities"))) {
		if ((r = parse_caps(c, v, JP_KEY(at, "capabilities"), &p->caps)) < 0)
			return r;
		p->has_caps = true;
	}
	if ((r = parse_rlimits(c, o, JP_KEY(at, "rlimits"), p)) < 0 ||
	    (r = sj_bool(c, o, "noNewPrivileges", JP_KEY(at, "noNewPrivileges"),
			 &p->no_new_privileges)) < 0 ||
	    (r = sj_str(c, o, "apparmorProfile", JP_KEY(at, "apparmorProfile"),
			&p->apparmor_profile)) < 0 ||
	    (r = sj_str(c, o, "selinuxLabel", JP_KEY(at, "selinuxLabel"), &p->selinux_label)) < 0 ||
	    (r = sj_i64(c, o, "oomScoreAdj", JP_KEY(at, "oomScoreAdj"), -1000, 1000, &oom)) < 0)
		return r;
	p->has_oom_score_adj = r == 1;
	p->oom_score_adj = (int)oom;
	if ((r = sub(c, o, "ioPriority", JP_KEY(at, "ioPriority"), p, parse_ioprio)) < 0 ||
	    (r = sub(c, o, "scheduler", JP_KEY(at, "scheduler"), p, parse_scheduler)) < 0)
		return r;
	*out = p;
	return 0;
}

int spec_parse_process(struct spec *s, const char *text, size_t len, const char *doc,
		       struct spec_process **out, struct err *e)
{
	struct jctx c = {.doc = doc, .arena = &s->arena, .e = e, .text = text};
	*out = NULL;
	struct jval *obj;
	int r = jread_parse(text, len, doc, &s->arena, &obj, e);
	return r < 0 ? r : spec_parse_process_at(&c, obj, NULL, out);
}
