/* userns.c — see userns.h. */
#include "base/userns.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/subid.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Wait for `pid`, retrying on EINTR; its wait status, or -errno. */
static int wait_child(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return st;
}

/* newuidmap PID ID HOSTID SIZE [ID HOSTID SIZE]... */
int idmap_run_helper(const char *helper, pid_t pid, const struct id_range *m, size_t n,
		     struct err *e)
{
	if (n > 340)
		return err_msg(e, E2BIG, "%s: too many mappings", helper);
	char nums[341 * 3][12];
	char pidbuf[16];
	char *argv[2 + 341 * 3 + 1];
	size_t k = 0;
	argv[k++] = (char *)helper;
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	argv[k++] = pidbuf;
	for (size_t i = 0; i < n; i++) {
		unsigned v[3] = {m[i].container_id, m[i].host_id, m[i].size};
		for (int j = 0; j < 3; j++) {
			snprintf(nums[i * 3 + (size_t)j], sizeof(nums[0]), "%u", v[j]);
			argv[k++] = nums[i * 3 + (size_t)j];
		}
	}
	argv[k] = NULL;
	pid_t c = fork();
	if (c < 0)
		return err_sys(e, errno, "fork %s", helper);
	if (c == 0) {
		execvp(helper, argv);
		dprintf(STDERR_FILENO, "capsa: exec %s: %s\n", helper, strerror(errno));
		_exit(127);
	}
	int st = wait_child(c);
	if (st < 0)
		return err_sys(e, -st, "wait for %s", helper);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return err_msg(e, ENOENT,
			       "%s not found: mapping subordinate id ranges needs it (Debian "
			       "package uidmap)",
			       helper);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return err_msg(e, EPERM,
			       "%s failed (status %d): are the ranges allowed by /etc/sub%s for "
			       "this user?",
			       helper, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st),
			       helper[3] == 'u' ? "uid" : "gid");
	return 0;
}

static int write_single(const struct id_mapping *m, struct err *e)
{
	char map[64];
	int n = snprintf(map, sizeof(map), "0 %u 1\n", m->uid[0].host_id);
	if (write_file("/proc/self/setgroups", "deny", 4, e) < 0 ||
	    write_file("/proc/self/uid_map", map, (size_t)n, e) < 0)
		return err_prefix(e, "user namespace");
	n = snprintf(map, sizeof(map), "0 %u 1\n", m->gid[0].host_id);
	if (write_file("/proc/self/gid_map", map, (size_t)n, e) < 0)
		return err_prefix(e, "user namespace");
	return 0;
}

/* The child that maps its parent: waits for the go byte on `go`, runs
 * the helpers, reports a failure's message on `res`. */
static _Noreturn void mapper(const struct id_mapping *m, pid_t parent, int go, int res)
{
	struct err ce = {0};
	char b;
	ssize_t n;
	while ((n = read(go, &b, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		_exit(1); /* the parent could not unshare: nothing to map */
	if (idmap_run_helper("newgidmap", parent, m->gid, m->n_gid, &ce) < 0 ||
	    idmap_run_helper("newuidmap", parent, m->uid, m->n_uid, &ce) < 0) {
		(void)!write(res, ce.msg, strnlen(ce.msg, sizeof(ce.msg)));
		_exit(1);
	}
	_exit(0);
}

static int enter_mapped(const struct id_mapping *m, struct err *e)
{
	int go[2], res[2];
	if (pipe2(go, O_CLOEXEC) < 0)
		return err_sys(e, errno, "user namespace: pipe");
	if (pipe2(res, O_CLOEXEC) < 0) {
		int r = err_sys(e, errno, "user namespace: pipe");
		close(go[0]);
		close(go[1]);
		return r;
	}
	pid_t parent = getpid();
	pid_t c = fork();
	if (c < 0) {
		int r = err_sys(e, errno, "user namespace: fork the id mapper");
		close(go[0]), close(go[1]), close(res[0]), close(res[1]);
		return r;
	}
	if (c == 0) {
		close(go[1]);
		close(res[0]);
		mapper(m, parent, go[0], res[1]);
	}
	close(go[0]);
	close(res[1]);
	_cleanup_close_ int rfd = res[0];
	int r = 0;
	if (unshare(CLONE_NEWUSER) < 0)
		r = err_sys(e, errno, "create a user namespace");
	else if (write(go[1], "g", 1) != 1)
		r = err_sys(e, errno, "user namespace: wake the id mapper");
	close(go[1]);
	char msg[ERR_MSG_MAX];
	ssize_t n;
	while ((n = read(rfd, msg, sizeof(msg) - 1)) < 0 && errno == EINTR)
		;
	int st = wait_child(c);
	if (r < 0)
		return r;
	if (n > 0) {
		msg[n] = '\0';
		return err_msg(e, EPERM, "user namespace: %s", msg);
	}
	if (st < 0)
		return err_sys(e, -st, "user namespace: wait for the id mapper");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return err_msg(e, EPERM, "user namespace: the id mapper failed (status %d)", st);
	return 0;
}

int userns_enter(const struct id_mapping *m, struct err *e)
{
	if (geteuid() == 0)
		return 0;
	if (!id_mapping_has_ranges(m)) {
		if (unshare(CLONE_NEWUSER) < 0)
			return err_sys(e, errno, "create a user namespace");
		return write_single(m, e);
	}
	return enter_mapped(m, e);
}

int userns_run(const struct id_mapping *m, int (*fn)(void *arg, struct err *e), void *arg,
	       struct err *e)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_sys(e, errno, "user namespace: pipe");
	fflush(NULL);
	pid_t c = fork();
	if (c < 0) {
		int r = err_sys(e, errno, "user namespace: fork");
		close(p[0]), close(p[1]);
		return r;
	}
	if (c == 0) {
		close(p[0]);
		struct err ce = {0};
		int r = userns_enter(m, &ce);
		if (r == 0)
			r = fn(arg, &ce);
		if (r < 0) {
			if (!ce.code)
				ce.code = -r;
			(void)!write(p[1], &ce, sizeof(ce));
		}
		_exit(r < 0 ? 1 : 0);
	}
	close(p[1]);
	_cleanup_close_ int rfd = p[0];
	struct err ce = {0};
	size_t got = 0;
	while (got < sizeof(ce)) {
		ssize_t n = read(rfd, (char *)&ce + got, sizeof(ce) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	int st = wait_child(c);
	if (got == sizeof(ce) && ce.code > 0) {
		ce.msg[sizeof(ce.msg) - 1] = '\0';
		return err_msg(e, ce.code, "%s", ce.msg);
	}
	if (st < 0)
		return err_sys(e, -st, "user namespace: wait");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return err_msg(e, EIO, "user namespace: child failed (status %d)", st);
	return 0;
}

struct rm_args {
	int dirfd;
	const char *name;
};

static int rm_in_ns(void *arg, struct err *e)
{
	const struct rm_args *a = arg;
	int r = rm_rf_at(a->dirfd, a->name);
	return r < 0 ? err_sys(e, -r, "remove \"%s\"", a->name) : 0;
}

int userns_rm_rf_at(int dirfd, const char *name)
{
	int r = rm_rf_at(dirfd, name);
	if (r == 0 || geteuid() == 0 || (r != -EACCES && r != -EPERM))
		return r;
	struct id_mapping m;
	id_mapping_current(&m);
	if (!id_mapping_has_ranges(&m))
		return r;
	struct rm_args a = {dirfd, name};
	struct err e = {0};
	r = userns_run(&m, rm_in_ns, &a, &e);
	return r < 0 ? -e.code : 0;
}
