/* exec.c — run another process in a running container (see container.h).
 *
 * The new process enters the init's namespaces through its pidfd: the
 * pid (and time) namespace is entered by us just for the clone, the
 * others by the child with one setns(pidfd, flags) call.  It then goes
 * through the same last steps as the init (process.h).
 */
#include "runtime/cgroup.h"
#include "runtime/container.h"

#include "base/arena.h"
#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "runtime/process.h"
#include "runtime/sandbox.h"
#include "runtime/spec.h"
#include "runtime/seccomp.h"
#include "runtime/state.h"
#include "runtime/sync.h"
#include "runtime/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct {
	int flag;
	const char *name;
} ns_names[] = {
    {CLONE_NEWUSER, "user"}, {CLONE_NEWNS, "mnt"},    {CLONE_NEWNET, "net"},
    {CLONE_NEWIPC, "ipc"},   {CLONE_NEWUTS, "uts"},   {CLONE_NEWCGROUP, "cgroup"},
    {CLONE_NEWPID, "pid"},   {CLONE_NEWTIME, "time"},
};

/* The namespaces where the init differs from us: those to enter. */
static int differing_namespaces(pid_t pid)
{
	int flags = 0;
	for (size_t i = 0; i < sizeof(ns_names) / sizeof(*ns_names); i++) {
		char a[64], b[64];
		struct stat sa, sb;
		snprintf(a, sizeof(a), "/proc/%d/ns/%s", (int)pid, ns_names[i].name);
		snprintf(b, sizeof(b), "/proc/self/ns/%s", ns_names[i].name);
		if (stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
		    (sa.st_ino != sb.st_ino || sa.st_dev != sb.st_dev))
			flags |= ns_names[i].flag;
	}
	return flags;
}

static int set_env(struct spec *s, struct spec_process *p, char **add, struct err *e)
{
	size_t n = p->n_env, extra = 0;
	while (add && add[extra])
		extra++;
	if (!extra)
		return 0;
	char **env = arena_calloc(&s->arena, n + extra + 1, sizeof(char *));
	if (!env)
		return err_sys(e, ENOMEM, "exec");
	for (size_t i = 0; i < n; i++)
		env[i] = p->env[i];
	for (size_t j = 0; j < extra; j++) {
		const char *eq = strchr(add[j], '=');
		if (!eq)
			return err_msg(e, EINVAL, "--env \"%s\": expected KEY=VALUE", add[j]);
		size_t kl = (size_t)(eq - add[j]) + 1;
		size_t i;
		for (i = 0; i < n; i++)
			if (!strncmp(env[i], add[j], kl))
				break;
		env[i] = add[j];
		if (i == n)
			n++;
	}
	p->env = env;
	p->n_env = n;
	return 0;
}

static int parse_id(const char *s, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || (*end && *end != ':') || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* Build the process from --process FILE, or from the container's own
 * process with the command line's changes. */
static int build_process(const struct rt_exec_opts *o, struct spec *s, struct spec_process **out,
			 struct err *e)
{
	if (o->process_file) {
		_cleanup_free_ char *buf = NULL;
		size_t len;
		int r = read_file_at(AT_FDCWD, o->process_file, &buf, &len, e);
		if (r < 0)
			return r;
		return spec_parse_process(s, buf, len, o->process_file, out, e);
	}
	if (!s->process)
		return err_msg(e, EINVAL, "container config has no process to start from");
	struct spec_process *p = arena_alloc(&s->arena, sizeof(*p));
	if (!p)
		return err_sys(e, ENOMEM, "exec");
	*p = *s->process;
	if (!o->args || !o->args[0])
		return err_msg(e, EINVAL, "exec: no command given");
	p->args = o->args;
	p->n_args = 0;
	while (o->args[p->n_args])
		p->n_args++;
	p->terminal = o->tty;
	if (o->cwd)
		p->cwd = (char *)o->cwd;
	if (o->no_new_privs)
		p->no_new_privileges = true;
	if (o->user) {
		if (parse_id(o->user, &p->user.uid) < 0)
			return err_msg(e, EINVAL, "--user \"%s\": expected UID[:GID]", o->user);
		const char *colon = strchr(o->user, ':');
		if (colon && parse_id(colon + 1, &p->user.gid) < 0)
			return err_msg(e, EINVAL, "--user \"%s\": expected UID[:GID]", o->user);
	}
	for (size_t i = 0; o->caps && o->caps[i]; i++) {
		int c = spec_cap_number(o->caps[i]);
		if (c < 0)
			return err_msg(e, EINVAL, "--cap \"%s\": unknown capability", o->caps[i]);
		uint64_t bit = 1ULL << c;
		p->has_caps = true;
		p->caps.bounding |= bit;
		p->caps.effective |= bit;
		p->caps.permitted |= bit;
		p->caps.inheritable |= bit;
	}
	if (o->additional_gids && o->additional_gids[0]) {
		size_t n = 0;
		while (o->additional_gids[n])
			n++;
		uint32_t *g = arena_calloc(&s->arena, n, sizeof(uint32_t));
		if (!g)
			return err_sys(e, ENOMEM, "exec");
		for (size_t i = 0; i < n; i++)
			if (parse_id(o->additional_gids[i], &g[i]) < 0 ||
			    strchr(o->additional_gids[i], ':'))
				return err_msg(e, EINVAL, "--additional-gids \"%s\": not a gid",
					       o->additional_gids[i]);
		p->user.additional_gids = g;
		p->user.n_additional_gids = n;
	}
	int r = set_env(s, p, o->env, e);
	if (r < 0)
		return r;
	*out = p;
	return 0;
}

struct exec_child {
	const struct spec_process *p;
	const struct spec *s;
	int pidfd, sock, flags, preserve_fds;
	bool setgroups_ok;
	bool two_step;		 /* we could not enter the pid/time namespace for it */
	bool born_in_v2;	 /* clone3 put it in the v2 directory (CLONE_INTO_CGROUP) */
	const struct cgroup *cg; /* the container's, or NULL */
};

/* The pid (and time) namespace of a container with its own user
 * namespace can only be entered from inside that user namespace, so an
 * unprivileged runtime cannot enter it for the clone.  The child then
 * enters all of them and clones once more, with CLONE_PARENT so that the
 * process that execs is still the runtime's own child (it can wait for
 * it), sends the runtime its pidfd, and leaves. */
static int second_step(struct exec_child *c, struct err *e)
{
	int gfd = -1;
	struct clone_args ca = {.flags = CLONE_PARENT | CLONE_PIDFD,
				.pidfd = (unsigned long long)(uintptr_t)&gfd};
	pid_t g = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (g < 0)
		return err_sys(e, errno, "clone into the container's pid namespace");
	if (g == 0)
		return 0;
	sync_send(c->sock, SYNC_PIDFD, g, NULL, gfd);
	_exit(0);
}

static void __attribute__((noreturn)) exec_child_main(struct exec_child *c)
{
	struct err e = {0};
	int status = 1;
	char exe[PATH_MAX];
	int notify = -1;
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* Into the container's cgroup first, while the host's /sys/fs/cgroup
	 * is still ours to see: the limits hold for exec'd processes too.
	 * Single-threaded, it moves itself ("0" into the v1 `tasks` files):
	 * no global threadgroup lock, as the init does. */
	if (c->cg && cg_enter(c->cg, c->born_in_v2, &e) < 0)
		goto fail;
	int join = c->two_step ? c->flags : c->flags & ~(CLONE_NEWPID | CLONE_NEWTIME);
	if (join && setns(c->pidfd, join) < 0) {
		err_sys(&e, errno, "join the container's namespaces");
		goto fail;
	}
	if (c->two_step && second_step(c, &e) < 0)
		goto fail;
	if (c->p->terminal) {
		int master, slave;
		if (pty_open(&master, &slave, 0, 0, &e) < 0)
			goto fail;
		if (sync_send(c->sock, SYNC_PTY, 0, NULL, master) < 0)
			_exit(1);
		close(master);
		if (pty_become_controlling(slave, &e) < 0)
			goto fail;
	}
	if (process_resolve(c->p, exe, sizeof(exe), &e) < 0) {
		status = process_exit_status(e.code);
		goto fail;
	}
	for (int fd = 3; fd < 3 + c->preserve_fds; fd++)
		fcntl(fd, F_SETFD, 0);
	syscall(SYS_close_range, 3 + c->preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC);
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (process_setup(c->p, c->s->lnx.seccomp, c->setgroups_ok, &notify, &e) < 0)
		goto fail;
	process_exec(c->p, exe, &e);
	status = process_exit_status(e.code);
fail:
	sync_send(c->sock, SYNC_ERROR, e.code, e.msg, -1);
	_exit(status);
}

static bool setgroups_allowed(pid_t pid)
{
	char path[64], buf[16] = {0};
	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return !(n > 0 && !strncmp(buf, "deny", 4));
}

static int exec_status(int pidfd)
{
	siginfo_t si = {0};
	if (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0)
		return 1;
	return si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
}

static int spawn_exec(const struct rt_exec_opts *o, struct exec_child *c, int *child_pidfd,
		      pid_t *child_pid, struct err *e)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return err_sys(e, errno, "socketpair");
	c->sock = sv[1];
	int for_children = c->flags & (CLONE_NEWPID | CLONE_NEWTIME);
	_cleanup_close_ int own_pid = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int own_time = open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
	/* pid and time namespaces apply to children: enter them for the
	 * clone, or let the child do it from inside the user namespace. */
	if (for_children && setns(c->pidfd, for_children) < 0) {
		if (errno != EPERM || !(c->flags & CLONE_NEWUSER)) {
			close(sv[0]);
			close(sv[1]);
			return err_sys(e, errno, "join the container's pid namespace");
		}
		c->two_step = true;
		for_children = 0;
	}
	/* Born in the container's v2 directory when it has one: writing a
	 * pid to cgroup.procs would take the global threadgroup lock for
	 * writing (an RCU grace period).  Should the kernel refuse that clone
	 * (an old kernel, a cgroup that is no longer a leaf), the child
	 * writes cgroup.procs itself and reports the kernel's error. */
	c->born_in_v2 = c->cg && c->cg->v2_fd >= 0;
	struct clone_args ca = {.flags = CLONE_PIDFD | (c->born_in_v2 ? CLONE_INTO_CGROUP : 0),
				.pidfd = (unsigned long long)(uintptr_t)child_pidfd,
				.exit_signal = SIGCHLD,
				.cgroup = c->born_in_v2 ? (unsigned long long)c->cg->v2_fd : 0};
	pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0 && c->born_in_v2) {
		c->born_in_v2 = false;
		ca.flags &= ~(unsigned long long)CLONE_INTO_CGROUP;
		ca.cgroup = 0;
		pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	}
	if (pid == 0) {
		close(sv[0]);
		exec_child_main(c);
	}
	int saved = errno;
	if ((for_children & CLONE_NEWPID) && own_pid >= 0)
		setns(own_pid, CLONE_NEWPID);
	if ((for_children & CLONE_NEWTIME) && own_time >= 0)
		setns(own_time, CLONE_NEWTIME);
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return err_sys(e, saved, "clone");
	}
	*child_pid = pid;
	return sv[0];
}

int rt_exec(const struct rt_exec_opts *o, int *status, struct err *e)
{
	*status = 1;
	_cleanup_close_ int dirfd = -1;
	int r = state_open(o->root, o->id, false, &dirfd, e);
	if (r < 0)
		return r;
	struct rt_state st;
	struct spec *s = NULL;
	struct cgroup cg = {.v2_fd = -1};
	_cleanup_close_ int pidfd = -1, sock = -1, cpidfd = -1, pty = -1;
	if ((r = state_read(dirfd, o->id, &st, e)) < 0)
		return r;
	enum rt_status stat = state_status(dirfd, &st);
	if (stat != ST_RUNNING && stat != ST_CREATED) {
		r = err_msg(e, EINVAL, "container \"%s\" is %s: cannot exec in it", o->id,
			    rt_status_name(stat));
		goto out;
	}
	if ((r = spec_load(st.bundle, &s, e)) < 0)
		goto out;
	if (s->lnx.seccomp &&
	    (r = seccomp_prepare(s->lnx.seccomp, o->seccomp_cache, &s->arena, e)) < 0)
		goto out;
	struct spec_process *p;
	if ((r = build_process(o, s, &p, e)) < 0)
		goto out;
	if (p->terminal && !o->console_socket && o->detach) {
		r = err_msg(e, EINVAL, "exec --tty --detach needs a --console-socket");
		goto out;
	}
	if ((pidfd = state_pidfd(&st)) < 0) {
		r = err_msg(e, ESRCH, "container \"%s\" is not running", o->id);
		goto out;
	}
	bool has_cg = cg_load(dirfd, &cg, NULL) > 0;
	if (has_cg && (r = cg_open_v2(&cg, e)) < 0)
		goto out;
	struct exec_child c = {.p = p,
			       .cg = has_cg ? &cg : NULL,
			       .s = s,
			       .pidfd = pidfd,
			       .flags = differing_namespaces(st.pid),
			       .preserve_fds = o->preserve_fds,
			       .setgroups_ok = setgroups_allowed(st.pid)};
	pid_t cpid = 0;
	if ((sock = spawn_exec(o, &c, &cpidfd, &cpid, e)) < 0) {
		r = sock;
		goto out;
	}
	/* In two steps the process runs before its parent has sent us its
	 * pidfd, so its error can come first: hold it until the pidfd is here
	 * (or the first child is gone), then wait for the right process. */
	bool want_pidfd = c.two_step;
	struct sync_msg failed = {0};
	for (;;) {
		struct sync_msg m;
		int fd = -1;
		int n = sync_recv(sock, &m, &fd);
		if (n <= 0) {
			if (failed.type == SYNC_ERROR)
				goto failed;
			break; /* exec'd */
		}
		if (m.type == SYNC_PIDFD) {
			/* The first child leaves; its sibling is the process. */
			exec_status(cpidfd);
			close(cpidfd);
			cpidfd = fd;
			cpid = m.code;
			want_pidfd = false;
			if (failed.type == SYNC_ERROR)
				goto failed;
			continue;
		}
		if (m.type == SYNC_PTY) {
			if (o->console_socket) {
				r = console_socket_send(o->console_socket, fd, e);
				close(fd);
				if (r < 0)
					goto kill;
			} else {
				pty = fd;
			}
			continue;
		}
		if (fd >= 0)
			close(fd);
		failed = m;
		failed.type = SYNC_ERROR;
		if (!want_pidfd)
			goto failed;
	}
	if (o->pid_file) {
		if ((r = write_pid_file(o->pid_file, cpid, e)) < 0)
			goto kill;
	}
	if (o->detach) {
		*status = 0;
		goto out;
	}
	if (pty >= 0) {
		console_proxy(pty, cpidfd, NULL);
		*status = exec_status(cpidfd);
	} else if ((r = wait_forwarding(cpidfd, status)) < 0) {
		r = err_sys(e, -r, "wait for the process");
	}
	goto out;
failed:
	*status = exec_status(cpidfd);
	r = err_msg(e, failed.code > 0 ? failed.code : EIO, "%s", failed.msg);
	goto out;
kill:
	syscall(SYS_pidfd_send_signal, cpidfd, SIGKILL, NULL, 0);
	exec_status(cpidfd);
out:
	cg_close(&cg);
	rt_state_free(&st);
	if (s)
		spec_free(s);
	return r;
}
