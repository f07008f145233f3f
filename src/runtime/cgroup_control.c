/* cgroup_control.c — what is done to a running container's cgroup:
 * freeze and thaw, signal every process, list them, read usage and the
 * OOM killer's verdict (see cgroup.h). */
#include "runtime/cgroup.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const struct cg_dir *dir_of(const struct cgroup *cg, enum cg_ctrl c)
{
	for (size_t i = 0; i < cg->n; i++)
		if (cg->d[i].ctrls & (1u << c))
			return &cg->d[i];
	return NULL;
}

static const struct cg_dir *v2_dir(const struct cgroup *cg)
{
	for (size_t i = 0; i < cg->n; i++)
		if (cg->d[i].v2)
			return &cg->d[i];
	return NULL;
}

static char *read_knob(const char *dir, const char *file)
{
	char path[768];
	char *s = NULL;
	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return NULL;
	if (read_file_at(AT_FDCWD, path, &s, NULL, NULL) < 0)
		return NULL;
	return s;
}

/* A single number ("max" -> UINT64_MAX); false if absent. */
static bool read_u64(const char *dir, const char *file, uint64_t *v)
{
	_cleanup_free_ char *s = read_knob(dir, file);
	if (!s)
		return false;
	*v = !strncmp(s, "max", 3) ? UINT64_MAX : strtoull(s, NULL, 10);
	return true;
}

/* "key value" lines: the value of `key`; false if absent. */
static bool keyed(const char *text, const char *key, uint64_t *v)
{
	size_t kl = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, key, kl) && p[kl] == ' ') {
			*v = strtoull(p + kl + 1, NULL, 10);
			return true;
		}
	}
	return false;
}

static bool keyed_file(const char *dir, const char *file, const char *key, uint64_t *v)
{
	_cleanup_free_ char *s = read_knob(dir, file);
	return s && keyed(s, key, v);
}

static void pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

/* The freezer: v1's freezer hierarchy, else v2's cgroup.freeze (also on a
 * hybrid host's unified hierarchy). */
static const struct cg_dir *freezer(const struct cgroup *cg)
{
	const struct cg_dir *d = dir_of(cg, CG_FREEZER);
	return d ? d : v2_dir(cg);
}

int cg_is_frozen(const struct cgroup *cg)
{
	const struct cg_dir *d = freezer(cg);
	if (!d)
		return 0;
	_cleanup_free_ char *s = read_knob(d->path, d->v2 ? "cgroup.freeze" : "freezer.state");
	if (!s)
		return -ENOENT;
	return d->v2 ? s[0] == '1' : !strncmp(s, "FROZEN", 6);
}

static bool settled(const struct cg_dir *d, bool frozen)
{
	if (d->v2) {
		uint64_t v = 0;
		return keyed_file(d->path, "cgroup.events", "frozen", &v) && v == (frozen ? 1 : 0);
	}
	_cleanup_free_ char *s = read_knob(d->path, "freezer.state");
	return s && !strncmp(s, frozen ? "FROZEN" : "THAWED", 6);
}

int cg_freeze(const struct cgroup *cg, bool frozen, struct err *e)
{
	const struct cg_dir *d = freezer(cg);
	if (!d)
		return err_msg(e, ENOTSUP, "cgroup: no freezer on this host");
	const char *file = d->v2 ? "cgroup.freeze" : "freezer.state";
	const char *val = d->v2 ? (frozen ? "1" : "0") : (frozen ? "FROZEN" : "THAWED");
	char path[768];
	if (snprintf(path, sizeof(path), "%s/%s", d->path, file) >= (int)sizeof(path))
		return err_msg(e, ENAMETOOLONG, "cgroup: path too long");
	/* v1 may stay in FREEZING while a task is busy in the kernel; writing
	 * again retries the freeze.  The bound is for a task that never
	 * stops (an uninterruptible sleep on a dead NFS server). */
	for (int tries = 0; tries < 1000; tries++) {
		int r = write_file(path, val, strlen(val), NULL);
		if (r < 0)
			return err_sys(e, -r, "cgroup %s: write %s", d->path, file);
		if (settled(d, frozen))
			return 0;
		pause_ms(tries < 10 ? 1 : 10);
	}
	if (frozen)
		write_file(path, d->v2 ? "0" : "THAWED", d->v2 ? 1 : 6, NULL);
	return err_msg(e, ETIMEDOUT, "cgroup %s: the processes did not %s", d->path,
		       frozen ? "freeze" : "thaw");
}

int cg_pids(const struct cgroup *cg, pid_t **pids, size_t *n, struct err *e)
{
	*pids = NULL;
	*n = 0;
	const struct cg_dir *d = v2_dir(cg);
	if (!d && cg->n)
		d = &cg->d[0];
	if (!d || access(d->path, F_OK) < 0)
		return 0; /* never made (a create that died), or already gone */
	_cleanup_free_ char *s = read_knob(d->path, "cgroup.procs");
	if (!s)
		return err_sys(e, errno ? errno : ENOENT, "cgroup %s: read cgroup.procs", d->path);
	size_t cap = 1;
	for (const char *p = s; *p; p++)
		cap += *p == '\n';
	pid_t *v = malloc(cap * sizeof(*v));
	if (!v)
		return err_sys(e, ENOMEM, "cgroup %s", d->path);
	for (char *p = s; *p;) {
		char *end;
		long x = strtol(p, &end, 10);
		if (end == p)
			break;
		if (x > 0 && *n < cap)
			v[(*n)++] = (pid_t)x;
		p = end;
		while (*p == '\n')
			p++;
	}
	*pids = v;
	return 0;
}

static bool empty(const struct cgroup *cg)
{
	pid_t *p;
	size_t n;
	if (cg_pids(cg, &p, &n, NULL) < 0)
		return true;
	free(p);
	return n == 0;
}

/* A killed process needs CPU time to die; under a small quota it gets a
 * few ms per period, and on a slow host its exit spans seconds.  Nothing
 * in the cgroup is to run on, so the quota goes first. */
static void unthrottle(const struct cgroup *cg)
{
	const struct cg_dir *d = dir_of(cg, CG_CPU);
	char path[768];
	if (!d || snprintf(path, sizeof(path), "%s/%s", d->path,
			   d->v2 ? "cpu.max" : "cpu.cfs_quota_us") >= (int)sizeof(path))
		return;
	write_file(path, d->v2 ? "max" : "-1", d->v2 ? 3 : 2, NULL);
}

int cg_kill_all(const struct cgroup *cg, int sig, struct err *e)
{
	const struct cg_dir *v2 = v2_dir(cg);
	bool was_frozen = cg_is_frozen(cg) == 1;
	bool done = false;
	if (sig == SIGKILL)
		unthrottle(cg);
	if (v2 && sig == SIGKILL) {
		char path[768];
		if (snprintf(path, sizeof(path), "%s/cgroup.kill", v2->path) >= (int)sizeof(path))
			return err_msg(e, ENAMETOOLONG, "cgroup: path too long");
		done = write_file(path, "1", 1, NULL) == 0;
	}
	if (!done) {
		/* Frozen, no process can fork a child we would miss. */
		bool froze = !was_frozen && cg_freeze(cg, true, NULL) == 0;
		pid_t *pids;
		size_t n;
		int r = cg_pids(cg, &pids, &n, e);
		if (r == 0) {
			for (size_t i = 0; i < n; i++)
				kill(pids[i], sig);
			free(pids);
		}
		if (froze)
			cg_freeze(cg, false, NULL);
		if (r < 0)
			return r;
	}
	if (sig != SIGKILL)
		return 0;
	/* A killed process must run to die: a paused container is thawed
	 * (v1's freezer holds even SIGKILLed tasks; v2's does not). */
	if (was_frozen)
		cg_freeze(cg, false, NULL);
	for (int tries = 0; tries < 1000 && !empty(cg); tries++)
		pause_ms(tries < 10 ? 1 : 10);
	if (!empty(cg))
		return err_msg(e, ETIMEDOUT, "cgroup %s: processes left after SIGKILL",
			       cg->d[0].path);
	return 0;
}

int cg_oom_killed(const struct cgroup *cg)
{
	const struct cg_dir *d = dir_of(cg, CG_MEMORY);
	uint64_t v = 0;
	if (!d)
		return 0;
	if (d->v2)
		return keyed_file(d->path, "memory.events", "oom_kill", &v) && v > 0;
	return keyed_file(d->path, "memory.oom_control", "oom_kill", &v) && v > 0;
}

static void put_u64(json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

static json_object *cpu_stats(const struct cgroup *cg)
{
	json_object *o = json_object_new_object(), *u = json_object_new_object(),
		    *t = json_object_new_object();
	const struct cg_dir *d = dir_of(cg, CG_CPU), *a = dir_of(cg, CG_CPUACCT);
	/* The usage: v2's cpu.stat, also a hybrid host's unified one when
	 * there is no cpuacct directory of the container's own (cgroup.c). */
	const struct cg_dir *v = d && d->v2 ? d : a ? NULL : v2_dir(cg);
	uint64_t x;
	_cleanup_free_ char *vs = v ? read_knob(v->path, "cpu.stat") : NULL;
	if (vs) {
		if (keyed(vs, "usage_usec", &x))
			put_u64(u, "total", x * 1000);
		if (keyed(vs, "user_usec", &x))
			put_u64(u, "user", x * 1000);
		if (keyed(vs, "system_usec", &x))
			put_u64(u, "kernel", x * 1000);
	}
	if (d && d->v2) {
		if (vs && keyed(vs, "nr_periods", &x))
			put_u64(t, "periods", x);
		if (vs && keyed(vs, "nr_throttled", &x))
			put_u64(t, "throttledPeriods", x);
		if (vs && keyed(vs, "throttled_usec", &x))
			put_u64(t, "throttledTime", x * 1000);
	} else {
		if (a && read_u64(a->path, "cpuacct.usage", &x))
			put_u64(u, "total", x);
		long hz = sysconf(_SC_CLK_TCK);
		_cleanup_free_ char *st = a ? read_knob(a->path, "cpuacct.stat") : NULL;
		if (st && hz > 0 && keyed(st, "user", &x))
			put_u64(u, "user", x * (1000000000ULL / (uint64_t)hz));
		if (st && hz > 0 && keyed(st, "system", &x))
			put_u64(u, "kernel", x * (1000000000ULL / (uint64_t)hz));
		_cleanup_free_ char *s = d ? read_knob(d->path, "cpu.stat") : NULL;
		if (s && keyed(s, "nr_periods", &x))
			put_u64(t, "periods", x);
		if (s && keyed(s, "nr_throttled", &x))
			put_u64(t, "throttledPeriods", x);
		if (s && keyed(s, "throttled_time", &x))
			put_u64(t, "throttledTime", x);
	}
	json_object_object_add(o, "usage", u);
	json_object_object_add(o, "throttling", t);
	return o;
}

static json_object *raw_stats(const char *text)
{
	json_object *o = json_object_new_object();
	for (const char *p = text; p && *p;) {
		const char *sp = strchr(p, ' '), *nl = strchr(p, '\n');
		if (!sp || (nl && sp > nl))
			break;
		char key[64];
		snprintf(key, sizeof(key), "%.*s", (int)(sp - p), p);
		put_u64(o, key, strtoull(sp + 1, NULL, 10));
		p = nl ? nl + 1 : NULL;
	}
	return o;
}

static json_object *memory_stats(const struct cg_dir *d)
{
	json_object *o = json_object_new_object(), *u = json_object_new_object();
	uint64_t v;
	bool v2 = d->v2;
	if (read_u64(d->path, v2 ? "memory.current" : "memory.usage_in_bytes", &v))
		put_u64(u, "usage", v);
	if (read_u64(d->path, v2 ? "memory.max" : "memory.limit_in_bytes", &v))
		put_u64(u, "limit", v);
	if (read_u64(d->path, v2 ? "memory.peak" : "memory.max_usage_in_bytes", &v))
		put_u64(u, "max", v);
	if (v2 ? keyed_file(d->path, "memory.events", "max", &v)
	       : read_u64(d->path, "memory.failcnt", &v))
		put_u64(u, "failcnt", v);
	json_object_object_add(o, "usage", u);
	if (v2 ? keyed_file(d->path, "memory.events", "oom_kill", &v)
	       : keyed_file(d->path, "memory.oom_control", "oom_kill", &v))
		put_u64(o, "oomKill", v);
	_cleanup_free_ char *s = read_knob(d->path, "memory.stat");
	if (s)
		json_object_object_add(o, "raw", raw_stats(s));
	return o;
}

json_object *cg_stats(const struct cgroup *cg)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "cpu", cpu_stats(cg));
	const struct cg_dir *m = dir_of(cg, CG_MEMORY), *p = dir_of(cg, CG_PIDS);
	if (m)
		json_object_object_add(o, "memory", memory_stats(m));
	const struct cg_dir *v2 = p ? NULL : v2_dir(cg);
	if (p) {
		json_object *x = json_object_new_object();
		uint64_t v;
		if (read_u64(p->path, "pids.current", &v))
			put_u64(x, "current", v);
		if (read_u64(p->path, "pids.max", &v))
			put_u64(x, "limit", v == UINT64_MAX ? 0 : v);
		json_object_object_add(o, "pids", x);
	} else if (v2) {
		/* No pids controller of its own (a hybrid host's lean
		 * container, cgroup.c): the same count, tasks, from the unified
		 * directory; no limit. */
		_cleanup_free_ char *s = read_knob(v2->path, "cgroup.threads");
		if (s) {
			uint64_t n = 0;
			for (const char *c = s; *c; c++)
				n += *c == '\n';
			json_object *x = json_object_new_object();
			put_u64(x, "current", n);
			put_u64(x, "limit", 0);
			json_object_object_add(o, "pids", x);
		}
	}
	return o;
}
