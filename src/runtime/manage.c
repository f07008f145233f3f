/* manage.c — state, list, kill, delete and ps of existing containers
 * (see container.h). */
#include "runtime/container.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/json.h"
#include "runtime/cgroup.h"
#include "runtime/hooks.h"
#include "runtime/spec.h"
#include "runtime/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int rt_state(const char *root, const char *id, json_object **out, struct err *e)
{
	_cleanup_close_ int dirfd = -1;
	int r = state_open(root, id, false, &dirfd, e);
	if (r < 0)
		return r;
	struct rt_state st;
	if ((r = state_read(dirfd, id, &st, e)) < 0)
		return r;
	enum rt_status s = state_status(dirfd, &st);
	struct cgroup cg;
	bool has_cg = cg_load(dirfd, &cg, NULL) > 0;
	if (s == ST_RUNNING && has_cg && cg_is_frozen(&cg) == 1)
		s = ST_PAUSED;
	*out = state_to_json(&st, s, true);
	/* What `ps` shows as OOMKilled: the kernel's count in the cgroup,
	 * which stays until delete. */
	if (has_cg && cg_oom_killed(&cg) == 1)
		json_object_object_add(*out, "oomKilled", json_object_new_boolean(1));
	rt_state_free(&st);
	return 0;
}

int rt_list(const char *root, json_object **out, struct err *e)
{
	*out = json_object_new_array();
	DIR *d = opendir(root);
	if (!d)
		return errno == ENOENT ? 0 : err_sys(e, errno, "state root %s", root);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || state_check_id(de->d_name, NULL) < 0)
			continue;
		json_object *o;
		if (rt_state(root, de->d_name, &o, NULL) == 0)
			json_object_array_add(*out, o);
	}
	closedir(d);
	return 0;
}

static unsigned long long ns_inode(pid_t pid, const char *ns)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns);
	return stat(path, &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

/* Without a cgroup of its own, a container's processes are those in its
 * pid namespace (its own, or just the init when it shares the host's). */
static int collect_pids(const struct rt_state *st, pid_t **pids, size_t *n, struct err *e)
{
	*pids = NULL;
	*n = 0;
	size_t cap = 16;
	pid_t *v = malloc(cap * sizeof(pid_t));
	if (!v)
		return err_sys(e, ENOMEM, "ps");
	if (!(st->ns_flags & CLONE_NEWPID)) {
		v[0] = st->pid;
		*pids = v;
		*n = 1;
		return 0;
	}
	unsigned long long want = ns_inode(st->pid, "pid");
	DIR *d = opendir("/proc");
	if (!d || !want) {
		free(v);
		if (d)
			closedir(d);
		return err_sys(e, d ? ESRCH : errno, "list processes of \"%s\"", st->id);
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		char *end;
		long p = strtol(de->d_name, &end, 10);
		if (*end || p <= 0 || ns_inode((pid_t)p, "pid") != want)
			continue;
		if (*n == cap) {
			pid_t *nv = realloc(v, cap * 2 * sizeof(pid_t));
			if (!nv)
				break;
			v = nv;
			cap *= 2;
		}
		v[(*n)++] = (pid_t)p;
	}
	closedir(d);
	*pids = v;
	return 0;
}

int rt_pids(const char *root, const char *id, pid_t **pids, size_t *n, struct err *e)
{
	_cleanup_close_ int dirfd = -1;
	int r = state_open(root, id, false, &dirfd, e);
	if (r < 0)
		return r;
	struct rt_state st;
	if ((r = state_read(dirfd, id, &st, e)) < 0)
		return r;
	enum rt_status s = state_status(dirfd, &st);
	struct cgroup cg;
	if (s == ST_STOPPED || s == ST_CREATING) {
		*pids = NULL;
		*n = 0;
	} else if (cg_load(dirfd, &cg, NULL) > 0) {
		r = cg_pids(&cg, pids, n, e);
	} else {
		r = collect_pids(&st, pids, n, e);
	}
	rt_state_free(&st);
	return r;
}

static int signal_all(const struct rt_state *st, int sig, struct err *e)
{
	pid_t *pids;
	size_t n;
	int r = collect_pids(st, &pids, &n, e);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		kill(pids[i], sig);
	free(pids);
	return 0;
}

int rt_kill(const char *root, const char *id, int sig, bool all, struct err *e)
{
	_cleanup_close_ int dirfd = -1, pidfd = -1;
	int r = state_open(root, id, false, &dirfd, e);
	if (r < 0)
		return r;
	struct rt_state st;
	if ((r = state_read(dirfd, id, &st, e)) < 0)
		return r;
	enum rt_status s = state_status(dirfd, &st);
	if (s != ST_CREATED && s != ST_RUNNING && s != ST_PAUSED) {
		r = err_msg(e, EINVAL, "container \"%s\" is %s: nothing to signal", id,
			    rt_status_name(s));
		goto out;
	}
	pidfd = state_pidfd(&st);
	if (pidfd < 0) {
		r = err_msg(e, ESRCH, "container \"%s\" is not running", id);
		goto out;
	}
	struct cgroup cg;
	if (all && cg_load(dirfd, &cg, NULL) > 0) {
		if ((r = cg_kill_all(&cg, sig, e)) < 0)
			goto out;
	} else if (all && (r = signal_all(&st, sig, e)) < 0) {
		goto out;
	}
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 && !(all && errno == ESRCH))
		r = err_sys(e, errno, "signal %d to container \"%s\"", sig, id);
out:
	rt_state_free(&st);
	return r;
}

static int kill_and_wait(const struct rt_state *st, struct err *e)
{
	_cleanup_close_ int pidfd = state_pidfd(st);
	if (pidfd < 0)
		return 0; /* already gone */
	if (!(st->ns_flags & CLONE_NEWPID))
		signal_all(st, SIGKILL, NULL);
	if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
		return err_sys(e, errno, "kill container \"%s\"", st->id);
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	/* Death of the init is prompt after SIGKILL; the bound only guards
	 * against an uninterruptible sleep in the kernel. */
	if (poll(&p, 1, 10000) == 0)
		return err_msg(e, ETIMEDOUT, "container \"%s\" did not die after SIGKILL", st->id);
	return 0;
}

static void poststop(const struct rt_state *st, enum rt_status status)
{
	struct spec *s = NULL;
	if (!st->bundle || spec_load(st->bundle, &s, NULL) < 0)
		return;
	const struct spec_hooks *h = &s->hooks;
	if (h->n[HOOK_POSTSTOP]) {
		json_object *o = state_to_json(st, ST_STOPPED, false);
		struct err e = {0};
		if (hooks_run("poststop", h->list[HOOK_POSTSTOP], h->n[HOOK_POSTSTOP],
			      json_compact(o), &e) < 0)
			fprintf(stderr, "capsa: warning: %s\n", e.msg);
		json_object_put(o);
	}
	spec_free(s);
}

int rt_delete(const char *root, const char *id, bool force, struct err *e)
{
	_cleanup_close_ int dirfd = -1;
	int r = state_open(root, id, true, &dirfd, e);
	if (r < 0)
		return r;
	struct rt_state st;
	if ((r = state_read(dirfd, id, &st, e)) < 0)
	{
		if (force)
			cg_remove_recorded(dirfd, NULL);
		return force ? state_remove(root, id, e) : r;
	}
	/* We hold the lock, so a state dir without state.json is a create
	 * that died half-way: it is removed like a stopped container. */
	enum rt_status s = st.has_state ? state_status(dirfd, &st) : ST_STOPPED;
	if ((s == ST_RUNNING || s == ST_PAUSED) && !force) {
		r = err_msg(e, EBUSY, "container \"%s\" is %s: stop it first, or delete --force",
			    id, rt_status_name(s));
		goto out;
	}
	/* A paused container's processes must be thawed to die (v1): the
	 * cgroup's kill does that, and reaches every process. */
	struct cgroup cg;
	if (s != ST_STOPPED && cg_load(dirfd, &cg, NULL) > 0 && (r = cg_kill_all(&cg, SIGKILL, e)) < 0)
		goto out;
	if (s != ST_STOPPED && (r = kill_and_wait(&st, e)) < 0)
		goto out;
	/* Every process of the container, and then its cgroup. */
	if ((r = cg_remove_recorded(dirfd, e)) < 0)
		goto out;
	if (st.has_state)
		poststop(&st, s);
	r = state_remove(root, id, e);
out:
	rt_state_free(&st);
	return r;
}
