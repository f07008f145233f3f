/* cgroup.c — a container's cgroup: create, record, place, apply, load,
 * destroy (see cgroup.h). */
#include "runtime/cgroup.h"

#include "base/arena.h"
#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/kernel.h"
#include "base/json.h"

#include <stdbool.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CG_RECORD "cgroup.json"

void cg_close(struct cgroup *cg)
{
	if (cg->v2_fd >= 0)
		close(cg->v2_fd);
	cg->v2_fd = -1;
}

static int record(int statefd, const struct cgroup *cg, struct err *e)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	for (size_t i = 0; i < cg->n; i++) {
		json_object *d = json_object_new_object();
		json_object_object_add(d, "path", json_object_new_string(cg->d[i].path));
		json_object_object_add(d, "v2", json_object_new_boolean(cg->d[i].v2));
		json_object_object_add(d, "controllers", json_object_new_int((int)cg->d[i].ctrls));
		json_object_array_add(a, d);
	}
	json_object_object_add(o, "dirs", a);
	const char *s = json_compact(o);
	int r = write_file_atomic(statefd, CG_RECORD, s, strlen(s), 0644, e);
	json_object_put(o);
	return r < 0 ? err_prefix(e, "record the container's cgroup") : 0;
}

int cg_load(int statefd, struct cgroup *cg, struct err *e)
{
	memset(cg, 0, sizeof(*cg));
	cg->v2_fd = -1;
	_cleanup_free_ char *text = NULL;
	int r = read_file_at(statefd, CG_RECORD, &text, NULL, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return err_sys(e, -r, "read %s", CG_RECORD);
	json_object *o = json_tokener_parse(text), *a;
	if (!o || !json_object_object_get_ex(o, "dirs", &a) ||
	    json_object_get_type(a) != json_type_array) {
		json_object_put(o);
		return err_msg(e, EINVAL, "%s: not a cgroup record", CG_RECORD);
	}
	for (size_t i = 0; i < json_object_array_length(a) && cg->n < CG_MAX_HIER; i++) {
		json_object *d = json_object_array_get_idx(a, i), *p, *v, *c;
		if (!json_object_object_get_ex(d, "path", &p) ||
		    !json_object_object_get_ex(d, "v2", &v) ||
		    !json_object_object_get_ex(d, "controllers", &c))
			continue;
		struct cg_dir *x = &cg->d[cg->n++];
		snprintf(x->path, sizeof(x->path), "%s", json_object_get_string(p));
		x->v2 = json_object_get_boolean(v);
		x->ctrls = (unsigned)json_object_get_int(c);
	}
	json_object_put(o);
	return cg->n ? 1 : 0;
}

/* The directory holding controller `c`, or NULL. */
static const struct cg_dir *dir_of(const struct cgroup *cg, enum cg_ctrl c)
{
	for (size_t i = 0; i < cg->n; i++)
		if (cg->d[i].ctrls & (1u << c))
			return &cg->d[i];
	return NULL;
}

/* The file of the last write, kept open for the next one to the same
 * file: v1's devices.allow takes one rule a write (ten writes, one open). */
struct knob {
	char path[768];
	int fd;
};

static void knob_close(struct knob *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}

static int knob_write(struct knob *k, const char *path, const char *value)
{
	if (k->fd < 0 || strcmp(k->path, path)) {
		knob_close(k);
		k->fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (k->fd < 0)
			return -errno;
		snprintf(k->path, sizeof(k->path), "%s", path);
	}
	size_t len = strlen(value);
	ssize_t n = write(k->fd, value, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int write_knob_k(struct knob *k, const char *dir, const char *file, const char *value,
			struct err *e)
{
	char path[768];
	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return err_msg(e, ENAMETOOLONG, "cgroup: path too long");
	int r = knob_write(k, path, value);
	if (r == -ENOENT)
		return err_msg(e, ENOENT,
			       "cgroup %s: %s does not exist (not supported by this kernel or "
			       "controller)",
			       dir, file);
	if (r == -EINVAL || r == -ERANGE || r == -EBUSY)
		return err_sys(e, -r, "cgroup %s: %s = \"%s\": the kernel refuses this value", dir,
			       file, value);
	if (r < 0)
		return err_sys(e, -r, "cgroup %s: write %s = \"%s\"", dir, file, value);
	return 0;
}

static int write_knob(const char *dir, const char *file, const char *value, struct err *e)
{
	struct knob k = {.fd = -1};
	int r = write_knob_k(&k, dir, file, value, e);
	knob_close(&k);
	return r;
}

static int run_writes(const struct cgroup *cg, struct cg_writes *ws, struct err *e)
{
	_cleanup_free_ bool *again = calloc(ws->n ? ws->n : 1, sizeof(bool));
	if (!again)
		return err_sys(e, ENOMEM, "cgroup");
	int r = 0;
	struct knob k = {.fd = -1};
	/* Two rounds: v1's memory and memory+swap limits each bound the
	 * other, so one of them may only succeed after the other. */
	for (int round = 0; round < 2 && r == 0; round++) {
		for (size_t i = 0; i < ws->n && r == 0; i++) {
			struct cg_write *w = &ws->w[i];
			if (round == 1 && !again[i])
				continue;
			const struct cg_dir *d = dir_of(cg, w->ctrl);
			if (!d) {
				r = err_msg(e, ENOTSUP,
					    "cgroup: the %s controller is not available on this "
					    "host (needed for %s)",
					    cg_ctrl_name(w->ctrl), w->file);
				break;
			}
			if (round == 0 && w->retry_ok) {
				char path[768];
				if (snprintf(path, sizeof(path), "%s/%s", d->path, w->file) >=
				    (int)sizeof(path)) {
					knob_close(&k);
					return err_msg(e, ENAMETOOLONG, "cgroup: path too long");
				}
				if (write_file(path, w->value, strlen(w->value), NULL) == -EINVAL) {
					again[i] = true;
					continue;
				}
			}
			r = write_knob_k(&k, d->path, w->file, w->value, e);
			if (r == -ENOENT && w->skip_missing)
				r = 0;
		}
	}
	knob_close(&k);
	return r;
}

static unsigned v2_mask(const struct cgroup *cg)
{
	unsigned m = 0;
	for (size_t i = 0; i < cg->n; i++)
		if (cg->d[i].v2)
			m |= cg->d[i].ctrls;
	return m;
}

int cg_apply(const struct cgroup *cg, const struct cg_resources *res, struct err *e)
{
	struct cg_writes ws = {0};
	int r = cg_plan_writes(res, v2_mask(cg), &ws, e);
	const struct cg_dir *dev = dir_of(cg, CG_DEVICES);
	if (r == 0 && res->n_devices && dev && !dev->v2)
		r = cg_devices_v1_writes(res, &ws, e);
	if (r == 0)
		r = run_writes(cg, &ws, e);
	cg_writes_free(&ws);
	if (r == 0 && res->n_devices && dev && dev->v2) {
		_cleanup_close_ int fd = open(dev->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return err_sys(e, errno, "cgroup %s", dev->path);
		r = cg_devices_bpf_attach(fd, res, e);
	}
	return r;
}

/* A new v1 cpuset starts with no CPUs and no memory nodes, and takes no
 * task until it has some: give it its parent's. */
static int cpuset_inherit(const char *dir, struct err *e)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	for (int i = 0; i < 2; i++) {
		char path[768], ppath[768];
		_cleanup_free_ char *cur = NULL, *par = NULL;
		if (snprintf(path, sizeof(path), "%s/%s", dir, files[i]) >= (int)sizeof(path))
			return err_msg(e, ENAMETOOLONG, "cgroup: path too long");
		if (snprintf(ppath, sizeof(ppath), "%s/../%s", dir, files[i]) >= (int)sizeof(ppath))
			return err_msg(e, ENAMETOOLONG, "cgroup: path too long");
		if (read_file_at(AT_FDCWD, path, &cur, NULL, NULL) < 0 ||
		    (cur[0] && cur[0] != '\n'))
			continue;
		int r = read_file_at(AT_FDCWD, ppath, &par, NULL, e);
		if (r < 0)
			return r;
		if ((r = write_knob(dir, files[i], par, e)) < 0)
			return r;
	}
	return 0;
}

/* Enable `want` (v2 names) in cgroup.subtree_control of `dir`.  Those
 * already enabled are not written again: an ancestor above a delegated
 * subtree has them, and is not ours to write. */
static int enable_ctrls(const char *dir, unsigned want, struct err *e)
{
	char path[768];
	if (snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir) >= (int)sizeof(path))
		return err_msg(e, ENAMETOOLONG, "cgroup: path too long");
	char have[512] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t got = read(fd, have, sizeof(have) - 1);
		have[got > 0 ? got : 0] = '\0';
		close(fd);
	}
	unsigned enabled = cg_ctrl_bits(have, ' ', true);
	char buf[256] = "";
	size_t n = 0;
	for (int c = 0; c < CG_NCTRL; c++) {
		if (!(want & (1u << c)) || c == CG_CPUACCT || c == CG_FREEZER || c == CG_DEVICES)
			continue;
		const char *name = c == CG_BLKIO ? "io" : cg_ctrl_name((enum cg_ctrl)c);
		if (enabled & (1u << c))
			continue;
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s+%s", n ? " " : "", name);
	}
	if (!n)
		return 0;
	int r = write_file(path, buf, n, NULL);
	if (r == -EBUSY)
		return err_msg(e, EBUSY,
			       "cgroup %s: cannot enable \"%s\": it holds processes (cgroup v2 "
			       "allows controllers only below cgroups without processes); use a "
			       "linux.cgroupsPath outside the caller's cgroup",
			       dir, buf);
	if (r < 0)
		return err_sys(e, -r, "cgroup %s: enable controllers \"%s\"", dir, buf);
	return 0;
}

/* mkdir every missing level of `path` below `mount`; `made` is set when
 * the leaf is new.  v1 cpusets get their parent's CPUs; on v2 the
 * controllers in `want` are enabled on the way down. */
static int make_dirs(const struct cg_hier *h, const char *path, unsigned want, bool *made,
		     struct err *e)
{
	char full[768];
	size_t ml = strlen(h->mount);
	if (snprintf(full, sizeof(full), "%s%s", h->mount, path) >= (int)sizeof(full))
		return err_msg(e, ENAMETOOLONG, "cgroup %s%s: path too long", h->mount, path);
	*made = false;
	/* Most starts find every parent there (the kept "capsa" one): the
	 * leaf first, the walk down only when a parent is missing (ENOENT),
	 * or when v2 controllers must be enabled on the way. */
	if (!(h->v2 && want)) {
		if (mkdir(full, 0755) == 0) {
			*made = true;
			if (!h->v2 && (h->ctrls & (1u << CG_CPUSET)))
				return cpuset_inherit(full, e);
			return 0;
		}
		if (errno == EEXIST)
			return 0;
		if (errno != ENOENT)
			return err_sys(e, errno, "cgroup %s: mkdir", full);
	}
	for (char *p = full + ml + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (h->v2 && want) {
			/* The parent must pass the controllers down. */
			char *slash = strrchr(full, '/');
			*slash = '\0';
			int r = enable_ctrls(full, want, e);
			*slash = '/';
			if (r < 0)
				return r;
		}
		if (mkdir(full, 0755) == 0) {
			if (c == '\0')
				*made = true;
			if (!h->v2 && (h->ctrls & (1u << CG_CPUSET))) {
				int r = cpuset_inherit(full, e);
				if (r < 0)
					return r;
				/* A parent (kept, see cg_destroy) hands its CPUs
				 * and nodes to every new child itself: the
				 * leaves' copies become one read each. */
				if (c != '\0')
					write_knob(full, "cgroup.clone_children", "1", NULL);
			}
		} else if (errno != EEXIST) {
			int saved = errno;
			*p = c;
			return err_sys(e, saved, "cgroup %s: mkdir", full);
		}
		if (c == '\0')
			break;
		*p = c;
	}
	return 0;
}

/* Where relative paths start on a v2 hierarchy: the caller's cgroup, or,
 * when controllers must be enabled below it and it holds processes (a
 * login session, a delegated user service's leaf), its parent: cgroup v2
 * allows controllers only below cgroups without processes, and the parent
 * of a populated leaf is such a cgroup (and delegated with it). */
static void v2_base(const struct cg_hier *h, unsigned want, char *out, size_t len)
{
	snprintf(out, len, "%s", h->self);
	if (!h->v2 || !want || !strcmp(h->self, "/"))
		return;
	char path[768];
	snprintf(path, sizeof(path), "%s%s/cgroup.procs", h->mount, h->self);
	char c;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, &c, 1);
	close(fd);
	if (n != 1)
		return; /* empty: controllers can go below it */
	char *slash = strrchr(out, '/');
	if (slash == out)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
}

/* An existing leaf may be reused only when nothing runs in it. */
static int check_empty(const char *dir, struct err *e)
{
	char path[768];
	_cleanup_free_ char *procs = NULL;
	if (snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= (int)sizeof(path))
		return err_msg(e, ENAMETOOLONG, "cgroup: path too long");
	int r = read_file_at(AT_FDCWD, path, &procs, NULL, e);
	if (r < 0)
		return r;
	if (procs[0])
		return err_msg(e, EBUSY, "cgroup %s already exists and has processes in it", dir);
	return 0;
}

static int rmdir_tree(const char *dir);

static bool v2_delegated(const struct cg_layout *l)
{
	if (l->mode != CG_MODE_V2)
		return false;
	char dir[768];
	snprintf(dir, sizeof(dir), "%s%s", l->h[0].mount, l->h[0].self);
	return access(dir, W_OK) == 0;
}

static int no_delegation(const struct cg_layout *l, struct err *e)
{
	if (l->mode != CG_MODE_V2)
		return err_msg(e, EPERM,
			       "linux.resources: limits need a cgroup of the container's own, "
			       "and an unprivileged user cannot have one on this host (cgroup "
			       "v1 or hybrid: no delegation); run as root, or remove the limits");
	return err_msg(e, EPERM,
		       "linux.resources: limits need a cgroup of the container's own, and "
		       "the caller's cgroup %s is not writable by uid %u (not delegated); "
		       "run under `systemd-run --user --scope -p Delegate=yes`, or as root",
		       l->h[0].self, (unsigned)geteuid());
}

/* The controllers a container may do without (cg_create's `lean`). */
#define CG_OPTIONAL                                                                                \
	(1u << CG_CPUSET | 1u << CG_BLKIO | 1u << CG_HUGETLB | 1u << CG_NET_CLS | 1u << CG_NET_PRIO)

/* Whether every controller of a v1 hierarchy's name ("net_cls,net_prio")
 * is one capsa knows. */
static bool all_known(const char *name)
{
	for (const char *p = name; *p;) {
		size_t len = strcspn(p, ",");
		char one[64];
		if (len == 0 || len >= sizeof(one))
			return false;
		memcpy(one, p, len);
		one[len] = '\0';
		if (!cg_ctrl_bits(one, ',', false))
			return false;
		p += len + (p[len] == ',');
	}
	return true;
}

/* On a hybrid host, the v1 controllers whose work for a container with
 * no limit on them its unified directory does as well: the freezer
 * (cgroup.freeze), the task count of pids.current (cgroup.threads) and
 * cpuacct's usage (cpu.stat's usage_usec, kept without the cpu
 * controller).  All are in every non-root cgroup2 directory from Linux
 * 5.2 on (no build option turns them off); on an older kernel they stay.
 * cpuacct goes only where it is a hierarchy of its own: mounted with cpu
 * ("cpu,cpuacct", the usual), it stays with cpu. */
static unsigned unified_stands_in(const struct cg_layout *l)
{
	if (l->mode != CG_MODE_HYBRID || !kernel_at_least(5, 2))
		return 0;
	return 1u << CG_FREEZER | 1u << CG_PIDS | 1u << CG_CPUACCT;
}

/* Drop from `l` the v1 hierarchies that hold only optional controllers
 * none of which `want` needs (one with a controller capsa does not know,
 * perf_event say, stays). */
static void drop_unused(struct cg_layout *l, unsigned want)
{
	unsigned optional = CG_OPTIONAL | unified_stands_in(l);
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct cg_hier *h = &l->h[i];
		if (!h->v2 && h->ctrls && !(h->ctrls & ~optional) && !(h->ctrls & want) &&
		    all_known(h->name))
			continue;
		if (n != i)
			l->h[n] = *h;
		n++;
	}
	l->n = n;
}

int cg_create(const char *cgroups_path, const char *id, const struct cg_resources *res, bool lean,
	      int statefd, struct cgroup *cg, bool *made, struct err *e)
{
	struct cg_layout l;
	memset(cg, 0, sizeof(*cg));
	cg->v2_fd = -1;
	*made = false;
	bool limits = res && cg_resources_limit_anything(res);
	int r = cg_detect(&l, e);
	if (r < 0)
		return r;
	if (geteuid() != 0 && !v2_delegated(&l)) {
		if (limits)
			return no_delegation(&l, e);
		return 0;
	}
	struct cg_writes ws = {0};
	unsigned v2_ctrls = 0;
	for (size_t i = 0; i < l.n; i++)
		if (l.h[i].v2)
			v2_ctrls |= l.h[i].ctrls;
	if (res && (r = cg_plan_writes(res, v2_ctrls, &ws, e)) < 0)
		return r;
	unsigned want = 0; /* controllers the writes need */
	for (size_t i = 0; i < ws.n; i++)
		want |= 1u << ws.w[i].ctrl;
	cg_writes_free(&ws);
	if (lean)
		drop_unused(&l, want);
	char rel[CG_MAX_HIER][512];
	for (size_t i = 0; i < l.n; i++) {
		char base[512];
		v2_base(&l.h[i], want & l.h[i].ctrls, base, sizeof(base));
		if ((r = cg_resolve_path(cgroups_path, id, base, rel[i], sizeof(rel[i]), e)) < 0)
			return r;
		struct cg_dir *d = &cg->d[cg->n++];
		snprintf(d->path, sizeof(d->path), "%s%s", l.h[i].mount, rel[i]);
		d->v2 = l.h[i].v2;
		d->ctrls = l.h[i].ctrls;
	}
	/* Recorded before anything exists: a delete after a crash finds it. */
	if ((r = record(statefd, cg, e)) < 0)
		return r;
	*made = true;
	for (size_t i = 0; i < l.n && r == 0; i++) {
		bool fresh = false;
		/* Another container's delete may remove a shared parent ("capsa")
		 * between our mkdirs of it and of the leaf: start again then. */
		for (int tries = 0; tries < 3; tries++) {
			r = make_dirs(&l.h[i], rel[i], l.h[i].v2 ? want & l.h[i].ctrls : 0, &fresh,
				      e);
			if (r != -ENOENT)
				break;
		}
		if (r == 0 && !fresh)
			r = check_empty(cg->d[i].path, e);
	}
	if (r == 0 && res)
		r = cg_apply(cg, res, e);
	if (r == 0)
		r = cg_open_v2(cg, e);
	if (r < 0) {
		cg_close(cg);
		cg_destroy(cg, NULL);
		unlinkat(statefd, CG_RECORD, 0);
		*made = false;
	}
	return r;
}

/* Move `pid` into the v1 directories (`v1`) and the v2 one (`v2`).  pid 0
 * is the caller itself, single-threaded: "0" into a v1 `tasks` file moves
 * that one thread, which skips the global cgroup_threadgroup_rwsem; any
 * other pid, and v2, go through cgroup.procs (the whole process). */
static int place(const struct cgroup *cg, pid_t pid, bool v1, bool v2, struct err *e)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t i = 0; i < cg->n; i++) {
		if (!(cg->d[i].v2 ? v2 : v1))
			continue;
		const char *file = !cg->d[i].v2 && pid == 0 ? "tasks" : "cgroup.procs";
		char path[768];
		if (snprintf(path, sizeof(path), "%s/%s", cg->d[i].path, file) >= (int)sizeof(path))
			return err_msg(e, ENAMETOOLONG, "cgroup %s: path too long", cg->d[i].path);
		int r = write_file(path, buf, (size_t)n, NULL);
		if (r < 0 && pid == 0)
			return err_sys(e, -r, "cgroup %s: move the process into it", cg->d[i].path);
		if (r < 0)
			return err_sys(e, -r, "cgroup %s: move pid %d into it", cg->d[i].path,
				       (int)pid);
	}
	return 0;
}

int cg_place_v2(const struct cgroup *cg, pid_t pid, struct err *e)
{
	return place(cg, pid, false, true, e);
}

int cg_enter(const struct cgroup *cg, bool skip_v2, struct err *e)
{
	return place(cg, 0, true, !skip_v2, e);
}

int cg_open_v2(struct cgroup *cg, struct err *e)
{
	cg_close(cg);
	for (size_t i = 0; i < cg->n; i++) {
		if (!cg->d[i].v2)
			continue;
		cg->v2_fd = open(cg->d[i].path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (cg->v2_fd < 0)
			return err_sys(e, errno, "cgroup %s", cg->d[i].path);
		break;
	}
	return 0;
}

int cg_open_v1_tasks(const struct cgroup *cg, int *fds, const char **paths, size_t max, size_t *n,
		     struct err *e)
{
	*n = 0;
	for (size_t i = 0; i < cg->n; i++) {
		if (cg->d[i].v2)
			continue;
		char path[768];
		int r = 0;
		if (*n == max)
			r = err_msg(e, E2BIG, "cgroup %s: too many v1 hierarchies", cg->d[i].path);
		else if (snprintf(path, sizeof(path), "%s/tasks", cg->d[i].path) >=
			 (int)sizeof(path))
			r = err_msg(e, ENAMETOOLONG, "cgroup %s: path too long", cg->d[i].path);
		else if ((fds[*n] = open(path, O_WRONLY | O_CLOEXEC)) < 0)
			r = err_sys(e, errno, "cgroup %s: open tasks", cg->d[i].path);
		if (r < 0) {
			while (*n)
				close(fds[--*n]);
			return r;
		}
		paths[(*n)++] = cg->d[i].path;
	}
	return 0;
}

/* rmdir depth first: a container may have made cgroups of its own. */
static int rmdir_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			if (de->d_type != DT_DIR || de->d_name[0] == '.')
				continue;
			char sub[1024];
			if (snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) < (int)sizeof(sub))
				rmdir_tree(sub);
		}
		closedir(d);
	}
	return rmdir(dir) < 0 && errno != ENOENT ? -errno : 0;
}

/* Most cgroups have no children: one rmdir; the walk only when the
 * kernel says it has some (EBUSY: children, or processes not yet gone). */
static int rmdir_cgroup(const char *dir)
{
	if (rmdir(dir) == 0 || errno == ENOENT)
		return 0;
	if (errno != EBUSY && errno != ENOTEMPTY)
		return -errno;
	return rmdir_tree(dir);
}

int cg_destroy(const struct cgroup *cg, struct err *e)
{
	int first = 0;
	for (size_t i = 0; i < cg->n; i++) {
		const char *dir = cg->d[i].path;
		int r = rmdir_cgroup(dir);
		/* A killed process leaves its cgroup a moment after it is reaped;
		 * on a loaded or emulated host that can take seconds (5 s, as
		 * podman allows). */
		for (int tries = 0; r == -EBUSY && tries < 1000; tries++) {
			struct timespec ts = {0, (tries < 10 ? 1 : 5) * 1000 * 1000};
			nanosleep(&ts, NULL);
			r = rmdir_tree(dir);
		}
		if (r < 0 && !first)
			first = err_sys(e, -r, "remove cgroup %s", dir);
		/* The default parent "capsa" stays, as docker's and podman's
		 * do: making and removing it in every hierarchy at every run
		 * cost more than the container's own cgroup. */
	}
	return first;
}

int cg_remove_recorded(int statefd, struct err *e)
{
	struct cgroup cg;
	int r = cg_load(statefd, &cg, e);
	return r <= 0 ? r : cg_remove(&cg, statefd, e);
}

int cg_remove(struct cgroup *cg, int statefd, struct err *e)
{
	int r;
	/* The usual case, a container whose init has exited: its PID
	 * namespace took every process with it, the cgroup is empty and
	 * there is nothing to freeze, unthrottle or kill.  The directory
	 * whose cgroup.procs cg_pids reads (the v2 one, or the first) is
	 * removed first instead of read: the kernel refuses to remove a
	 * cgroup that holds processes (EBUSY), so its rmdir is the same
	 * emptiness check, five system calls fewer. */
	size_t probe = 0;
	for (size_t i = 0; i < cg->n; i++)
		if (cg->d[i].v2)
			probe = i;
	bool busy = cg->n && rmdir(cg->d[probe].path) < 0 && errno != ENOENT;
	if (!busy && cg->n) {
		cg->d[probe] = cg->d[cg->n - 1];
		cg->n--;
	}
	if (busy) {
		pid_t *pids = NULL;
		size_t n = 0;
		busy = cg_pids(cg, &pids, &n, NULL) < 0 || n > 0;
		free(pids);
	}
	if (busy && (r = cg_kill_all(cg, SIGKILL, e)) < 0)
		return r;
	if ((r = cg_destroy(cg, e)) < 0)
		return r;
	unlinkat(statefd, CG_RECORD, 0);
	return 0;
}
