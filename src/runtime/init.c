/* init.c — see init.h.  Reads top to bottom in the order of the kernel
 * work: namespaces, hostname, mounts, hooks, pivot_root, the last mount
 * touches, the terminal, then the wait for start and the exec. */
#include "runtime/init.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "runtime/hooks.h"
#include "runtime/mounts.h"
#include "runtime/process.h"
#include "runtime/spec.h"
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
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEYCTL_JOIN_SESSION_KEYRING 1

struct init_state {
	struct init_args *a;
	struct err e;
	int status;	    /* exit status if we fail now */
	char *state_json;   /* for createContainer hooks: status "creating" */
	char *started_json; /* for startContainer hooks: status "created" */
	int pty_slave;
	char exe[PATH_MAX];
};

static void __attribute__((noreturn)) fail(struct init_state *st, bool parent_listening)
{
	if (parent_listening)
		sync_send(st->a->sync_fd, SYNC_ERROR, st->e.code, st->e.msg, -1);
	else
		dprintf(STDERR_FILENO, "capsa: %s\n", st->e.msg);
	_exit(st->status);
}

static int become_root(struct init_state *st)
{
	/* Until now the init ran as the overflow id; with the maps written
	 * it can take id 0 of its user namespace, so files it creates
	 * belong to the container's root. */
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return err_sys(&st->e, errno,
			       "become root in the user namespace (is id 0 mapped in "
			       "linux.uidMappings and linux.gidMappings?)");
	return 0;
}

static int join_namespaces(struct init_state *st)
{
	struct init_args *a = st->a;
	for (size_t i = 0; i < a->n_join; i++) {
		if (setns(a->join_fd[i], a->join_type[i]) < 0)
			return err_sys(&st->e, errno, "join %s namespace",
				       spec_ns_name(a->join_type[i]));
		close(a->join_fd[i]);
		if (a->join_type[i] == CLONE_NEWUSER) {
			if (become_root(st) < 0)
				return -1;
			/* A joined user namespace may deny setgroups (a rootless
			 * single-id mapping): then we cannot set groups either. */
			char buf[8] = {0};
			int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
			if (fd >= 0) {
				a->setgroups_denied =
				    read(fd, buf, sizeof(buf) - 1) > 0 && !strncmp(buf, "deny", 4);
				close(fd);
			}
		}
	}
	if (a->unshare_flags && unshare(a->unshare_flags) < 0)
		return err_sys(&st->e, errno, "create namespaces");
	return 0;
}

static int set_time_offsets(struct init_state *st)
{
	const struct spec_linux *x = &st->a->spec->lnx;
	if (!st->a->time_in_child)
		return 0;
	if (unshare(CLONE_NEWTIME) < 0)
		return err_sys(&st->e, errno, "create time namespace");
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "monotonic %lld %u\nboottime %lld %u\n",
			 (long long)x->time_monotonic.secs, x->time_monotonic.nanosecs,
			 (long long)x->time_boottime.secs, x->time_boottime.nanosecs);
	return write_file("/proc/self/timens_offsets", buf, (size_t)n, &st->e);
}

/* pid and time namespaces made with unshare(2) hold our children, not
 * us: fork once more, CLONE_PARENT so the runtime is still the parent
 * (it waits for the container), hand it the pidfd and leave. */
static int fork_into_namespaces(struct init_state *st)
{
	if (!st->a->fork_after_join)
		return 0;
	int gfd = -1;
	struct clone_args ca = {.flags = CLONE_PARENT | CLONE_PIDFD,
				.pidfd = (unsigned long long)(uintptr_t)&gfd};
	pid_t g = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (g < 0)
		return err_sys(&st->e, errno, "fork into the new pid namespace");
	if (g > 0) {
		sync_send(st->a->sync_fd, SYNC_PIDFD, g, NULL, gfd);
		_exit(0);
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); /* reset by the fork */
	return 0;
}

static int set_identity(struct init_state *st)
{
	const struct spec *s = st->a->spec;
	if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		return err_sys(&st->e, errno, "set hostname \"%s\"", s->hostname);
	if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0)
		return err_sys(&st->e, errno, "set domainname \"%s\"", s->domainname);
	if (!st->a->no_new_keyring && syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 &&
	    errno != ENOSYS && errno != EACCES && errno != EPERM && errno != EDQUOT)
		return err_sys(&st->e, errno, "join a new session keyring");
	if (s->lnx.has_personality && personality(s->lnx.personality) < 0)
		return err_sys(&st->e, errno, "set personality");
	return 0;
}

/* Ask the runtime to run prestart/createRuntime hooks (they need the
 * namespaces to exist) and get back the state for the hooks we run. */
static int hooks_round_trip(struct init_state *st)
{
	struct init_args *a = st->a;
	if (!a->hooks_sync)
		return 0;
	int r = sync_send(a->sync_fd, SYNC_HOOKS, 0, NULL, -1);
	if (r < 0)
		return err_sys(&st->e, -r, "sync socket");
	struct sync_msg m;
	int memfd = -1;
	r = sync_recv(a->sync_fd, &m, &memfd);
	if (r <= 0 || m.type != SYNC_HOOKS_DONE) {
		if (memfd >= 0)
			close(memfd);
		st->status = 1;
		_exit(1); /* the runtime reported the hook failure itself */
	}
	if (memfd >= 0) {
		size_t len;
		r = read_fd(memfd, &st->state_json, &len, &st->e);
		close(memfd);
		if (r < 0)
			return r;
		size_t first = strlen(st->state_json);
		st->started_json = first < len ? st->state_json + first + 1 : st->state_json;
	}
	return 0;
}

static int run_hooks(struct init_state *st, enum spec_hook_kind k, const char *name)
{
	const struct spec_hooks *h = &st->a->spec->hooks;
	if (!h->n[k])
		return 0;
	const char *json = k == HOOK_START_CONTAINER ? st->started_json : st->state_json;
	return hooks_run(name, h->list[k], h->n[k], json ? json : "{}", &st->e);
}

static int set_sysctls(struct init_state *st)
{
	const struct spec_linux *l = &st->a->spec->lnx;
	for (size_t i = 0; i < l->n_sysctl; i++) {
		char path[PATH_MAX];
		int n = snprintf(path, sizeof(path), "/proc/sys/%s", l->sysctl[i].key);
		if (n < 0 || (size_t)n >= sizeof(path))
			return err_msg(&st->e, ENAMETOOLONG, "sysctl %s", l->sysctl[i].key);
		for (char *p = path + 10; *p; p++)
			if (*p == '.')
				*p = '/';
		const char *v = l->sysctl[i].value;
		if (write_file(path, v, strlen(v), NULL) < 0)
			return err_sys(&st->e, errno, "sysctl %s=%s", l->sysctl[i].key, v);
	}
	return 0;
}

static int open_terminal(struct init_state *st)
{
	const struct spec_process *p = st->a->spec->process;
	st->pty_slave = -1;
	if (!p->terminal)
		return 0;
	int master;
	int r =
	    pty_open(&master, &st->pty_slave, p->has_console_size ? (uint16_t)p->console_height : 0,
		     p->has_console_size ? (uint16_t)p->console_width : 0, &st->e);
	if (r < 0)
		return r;
	r = sync_send(st->a->sync_fd, SYNC_PTY, 0, NULL, master);
	close(master);
	if (r < 0)
		return err_sys(&st->e, -r, "send the terminal to the runtime");
	/* Wait while the runtime passes it on: it must not run beside us. */
	return sync_expect(st->a->sync_fd, SYNC_ACK, &st->e);
}

/* Block until `start`: opening the exec fifo for writing waits for its
 * reader.  The fifo is reopened through the host's /proc, which the
 * init still holds, so this works whatever the container mounts.
 * `run` has no fifo: the init waits for SYNC_GO until the runtime has
 * recorded the state (it usually shares the runtime's memory there: see
 * sandbox.c for why they never run at the same time). */
static int wait_for_start(struct init_state *st)
{
	struct init_args *a = st->a;
	if (a->fifo_fd < 0)
		return sync_expect(a->sync_fd, SYNC_GO, &st->e);
	char name[32];
	snprintf(name, sizeof(name), "self/fd/%d", a->fifo_fd);
	int fd;
	do
		fd = openat(a->host_proc_fd, name, O_WRONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return err_sys(&st->e, errno, "open exec fifo");
	ssize_t w = write(fd, "0", 1);
	int saved = errno;
	/* `fd` stays open, close-on-exec: `start` waits for its end of file,
	 * which is the exec. */
	close(a->fifo_fd);
	close(a->host_proc_fd);
	if (w != 1) {
		close(fd);
		return err_sys(&st->e, saved, "write exec fifo");
	}
	return 0;
}

static int prepare_fds(struct init_state *st)
{
	int keep = 3 + st->a->preserve_fds;
	for (int fd = 3; fd < keep; fd++) {
		int fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
			return err_sys(&st->e, errno, "preserve fd %d", fd);
	}
	/* Everything else closes at exec; the sync socket stays open until
	 * then so an exec failure can still be reported. */
	if (syscall(SYS_close_range, keep, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return err_sys(&st->e, errno, "close_range");
	return 0;
}

/* Move ourselves into the container's v1 cgroups (the v2 one, if any,
 * we were born in).  Every fd is closed, also after an error. */
static int enter_v1_cgroups(struct init_state *st)
{
	struct init_args *a = st->a;
	int r = 0;
	for (size_t i = 0; i < a->n_cg; i++) {
		if (r == 0 && write(a->cg_fd[i], "0", 1) != 1)
			r = err_sys(&st->e, errno, "cgroup %s: move the init into it",
				    a->cg_path[i]);
		close(a->cg_fd[i]);
	}
	return r;
}

void init_main(struct init_args *a)
{
	struct init_state st = {.a = a, .status = 1, .pty_slave = -1};
	const struct spec *s = a->spec;
	const struct spec_process *p = s->process;

	/* The state directory's flock lives as long as any copy of its fd:
	 * our inherited copy would keep the container locked forever. */
	int placed = enter_v1_cgroups(&st);
	if (a->state_fd >= 0)
		close(a->state_fd);
	if (a->parent_sock >= 0)
		close(a->parent_sock);
	/* Die with the runtime while it still needs us. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (a->wait_configured && sync_expect(a->sync_fd, SYNC_IDMAP_DONE, &st.e) < 0)
		_exit(1);
	if (placed < 0)
		fail(&st, true);
	if (a->new_userns && become_root(&st) < 0)
		fail(&st, true);
	if (join_namespaces(&st) < 0 || set_time_offsets(&st) < 0 ||
	    fork_into_namespaces(&st) < 0 || set_identity(&st) < 0)
		fail(&st, true);
	umask(0);
	if (mounts_apply(s, a->plan, a->rootfs, &st.e) < 0 || hooks_round_trip(&st) < 0 ||
	    run_hooks(&st, HOOK_CREATE_CONTAINER, "createContainer") < 0 ||
	    mounts_pivot(a->rootfs, a->no_pivot, a->hooks_sync || s->hooks.n[HOOK_CREATE_CONTAINER],
			 &st.e) < 0 ||
	    set_sysctls(&st) < 0 || mounts_finish(s, &st.e) < 0 || open_terminal(&st) < 0)
		fail(&st, true);
	if (process_resolve(p, st.exe, sizeof(st.exe), &st.e) < 0) {
		st.status = process_exit_status(st.e.code);
		fail(&st, true);
	}

	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (sync_send(a->sync_fd, SYNC_READY, 0, NULL, -1) < 0)
		_exit(1);
	bool run_mode = a->fifo_fd < 0;
	if (wait_for_start(&st) < 0)
		fail(&st, false);
	/* The runtime's CPUs again (sandbox.c, pin), before anything of the
	 * container's own runs. */
	if (a->pinned)
		sched_setaffinity(0, sizeof(a->cpus), &a->cpus);
	if (run_hooks(&st, HOOK_START_CONTAINER, "startContainer") < 0)
		fail(&st, run_mode);
	if (st.pty_slave >= 0 && pty_become_controlling(st.pty_slave, &st.e) < 0)
		fail(&st, run_mode);
	int notify_fd = -1;
	if (prepare_fds(&st) < 0 ||
	    process_setup(p, s->lnx.seccomp, !a->setgroups_denied, &notify_fd, &st.e) < 0)
		fail(&st, run_mode);
	process_exec(p, st.exe, &st.e);
	st.status = process_exit_status(st.e.code);
	fail(&st, run_mode);
}
