/* sandbox.c — see sandbox.h. */
#include "runtime/sandbox.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/prefault.h"
#include "runtime/cgroup.h"
#include "runtime/clone_vm.h"
#include "runtime/container.h"
#include "runtime/hooks.h"
#include "runtime/idmap.h"
#include "runtime/init.h"
#include "runtime/mounts.h"
#include "runtime/spec.h"
#include "runtime/state.h"
#include "runtime/sync.h"
#include "runtime/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Whether an LSM is active on this host, from its sysfs knob. */
static bool lsm_enabled(const char *path, char yes)
{
	char c = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool on = read(fd, &c, 1) == 1 && c == yes;
	close(fd);
	return on;
}

static int validate(struct launch *l, struct err *e)
{
	const struct spec *s = l->spec;
	const struct spec_linux *x = &s->lnx;
	if (!s->process)
		return err_msg(e, EINVAL, "config.json: process: missing (nothing to run)");
	if (geteuid() != 0 && !((x->ns_new | x->ns_join) & CLONE_NEWUSER))
		return err_msg(e, EPERM,
			       "config.json: linux.namespaces: running as an unprivileged user "
			       "needs a \"user\" namespace (see capsa oci spec --rootless)");
	if (!(x->ns_new & CLONE_NEWNS))
		return err_msg(
		    e, EINVAL,
		    "config.json: linux.namespaces: a new \"mount\" namespace is required");
	if ((x->ns_new & CLONE_NEWUSER) && (!x->n_uid_mappings || !x->n_gid_mappings))
		return err_msg(e, EINVAL,
			       "config.json: linux.uidMappings/gidMappings: a new user namespace "
			       "needs both");
	if ((x->time_monotonic.set || x->time_boottime.set) && !(x->ns_new & CLONE_NEWTIME))
		return err_msg(e, EINVAL,
			       "config.json: linux.timeOffsets: needs a new \"time\" namespace");
	if (s->hostname && !(x->ns_new & CLONE_NEWUTS))
		return err_msg(e, EINVAL, "config.json: hostname: needs a new \"uts\" namespace");
	/* A profile or label on a host whose LSM is off means nothing (crun
	 * and runc run such configs as well); on a host where it is on, the
	 * user expects confinement that capsa cannot give yet: refuse. */
	if (s->process->apparmor_profile &&
	    lsm_enabled("/sys/module/apparmor/parameters/enabled", 'Y'))
		return err_msg(e, ENOTSUP,
			       "config.json: process.apparmorProfile: AppArmor profiles are not "
			       "supported yet");
	if ((s->process->selinux_label || x->mount_label) &&
	    lsm_enabled("/sys/fs/selinux/enforce", '1'))
		return err_msg(
		    e, ENOTSUP,
		    "config.json: process.selinuxLabel: SELinux labels are not supported "
		    "yet");
	if (x->seccomp && x->seccomp->listener_path)
		return err_msg(e, ENOTSUP,
			       "config.json: linux.seccomp.listenerPath: not supported yet");
	if (s->process->terminal && !l->o->console_socket && !l->keep_pty)
		return err_msg(e, EINVAL,
			       "config.json: process.terminal is true: a --console-socket is "
			       "needed to receive the terminal");
	return 0;
}

/* Open every namespace to join before cloning, so a bad path is an
 * error in the runtime, not a dead init.  The user namespace goes first:
 * the others must be joined with its privileges. */
static int open_joins(struct launch *l, struct init_args *a, int *pid_fd, int *time_fd,
		      struct err *e)
{
	const struct spec_linux *x = &l->spec->lnx;
	*pid_fd = *time_fd = -1;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < x->n_namespaces; i++) {
			const struct spec_namespace *ns = &x->namespaces[i];
			if (!ns->path || (pass == 0) != (ns->type == CLONE_NEWUSER))
				continue;
			int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				return err_sys(e, errno,
					       "config.json: linux.namespaces: %s namespace %s",
					       spec_ns_name(ns->type), ns->path);
			if (ns->type == CLONE_NEWPID)
				*pid_fd = fd;
			else if (ns->type == CLONE_NEWTIME)
				*time_fd = fd;
			else {
				a->join_fd[a->n_join] = fd;
				a->join_type[a->n_join++] = ns->type;
			}
		}
	}
	return 0;
}

/* Our copies only: the init may still be reading `a` (shared memory). */
static void close_joins(const struct init_args *a)
{
	for (size_t i = 0; i < a->n_join; i++)
		close(a->join_fd[i]);
}

static int init_entry(void *arg)
{
	init_main(arg);
}

/* `run` clones the init with CLONE_VM, the way posix_spawn does: no page
 * table copy and no copy-on-write faults, which on a virtual machine are
 * the largest cost of a fork.  That is sound because the two never run
 * at the same time except in system calls: the runtime blocks on the
 * sync socket while the init works, the init blocks (waiting for
 * SYNC_HOOKS_DONE, SYNC_ACK, SYNC_GO) while the runtime works, and from
 * SYNC_GO to the exec the runtime only waits.  What the init reads lives
 * in l->mem and the spec's arena until then.  `create` forks instead:
 * its runtime exits while the init still waits for start. */
#define INIT_STACK_HOT (32 << 10)

/* A cgroup namespace is rooted where its creator is: when the init is
 * placed after the clone, it makes the namespace itself once placed. */
static void defer_cgroupns(struct init_args *a, unsigned long long *flags)
{
	if (*flags & CLONE_NEWCGROUP) {
		*flags &= ~(unsigned long long)CLONE_NEWCGROUP;
		a->unshare_flags |= CLONE_NEWCGROUP;
	}
}

/* `cgfd` >= 0: clone3 (CLONE_INTO_CGROUP), so that the init is born in
 * the v2 directory; without it (ENOSYS or E2BIG: an old kernel, or no
 * entry for this architecture) clone(), and *place_v2 tells the caller to
 * write the pid, which the init then waits for. */
static pid_t clone_shared(struct launch *l, unsigned long long flags, struct init_args *a, int cgfd,
			  bool *place_v2)
{
	/* From the heap, not its own mapping: freeing it then costs no
	 * munmap, whose TLB shootdown reaches the CPU the init ran on (see
	 * main.c's mallopt).  Only the pages the init touches are faulted. */
	l->stack_size = 512 << 10;
	l->stack = malloc(l->stack_size);
	if (!l->stack)
		return -1;
	/* The init uses a few pages at the top: map them in one call rather
	 * than fault them one by one (base/prefault.h). */
	char *top = (char *)(((uintptr_t)l->stack + l->stack_size) & ~(uintptr_t)4095);
	prefault_range(top - INIT_STACK_HOT, top, MADV_POPULATE_WRITE);
	if (cgfd >= 0) {
		struct clone_args ca = {
		    .flags = flags | CLONE_VM | CLONE_PIDFD | CLONE_INTO_CGROUP,
		    .pidfd = (unsigned long long)(uintptr_t)&l->pidfd,
		    .exit_signal = SIGCHLD,
		    .stack = (unsigned long long)(uintptr_t)l->stack,
		    .stack_size = l->stack_size,
		    .cgroup = (unsigned long long)cgfd,
		};
		pid_t pid = clone3_vm(&ca, init_entry, a);
		/* E2BIG: a kernel with clone3 but older than CLONE_INTO_CGROUP
		 * (5.3-5.6) refuses the longer struct. */
		if (pid >= 0 || (errno != ENOSYS && errno != E2BIG))
			return pid;
		*place_v2 = true;
		a->wait_configured = true;
		defer_cgroupns(a, &flags);
	}
	return clone(init_entry, (char *)l->stack + l->stack_size,
		     (int)flags | CLONE_VM | CLONE_PIDFD | SIGCHLD, a, &l->pidfd);
}

/* `cgfd` >= 0: straight into that cgroup v2 directory (CLONE_INTO_CGROUP),
 * so the init never runs a single instruction outside it. */
static pid_t clone3_pidfd(unsigned long long flags, int *pidfd, int cgfd)
{
	struct clone_args ca = {
	    .flags = flags | CLONE_PIDFD | (cgfd >= 0 ? CLONE_INTO_CGROUP : 0),
	    .pidfd = (unsigned long long)(uintptr_t)pidfd,
	    .exit_signal = SIGCHLD,
	    .cgroup = cgfd >= 0 ? (unsigned long long)cgfd : 0,
	};
	return (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
}

/* A new time namespace with offsets must get them before any process
 * enters it: unshare it for our children, write the offsets, clone. */
static int prepare_time_ns(const struct spec_linux *x, struct err *e)
{
	if (unshare(CLONE_NEWTIME) < 0)
		return err_sys(e, errno, "create time namespace");
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "monotonic %lld %u\nboottime %lld %u\n",
			 (long long)x->time_monotonic.secs, x->time_monotonic.nanosecs,
			 (long long)x->time_boottime.secs, x->time_boottime.nanosecs);
	return write_file("/proc/self/timens_offsets", buf, (size_t)n, e);
}

/* `cgfd`: the v2 directory to clone into, or -1.  *place_v2: the
 * caller must write the init's pid there (no clone3). */
static int spawn(struct launch *l, struct init_args *a, int cgfd, bool *place_v2, struct err *e)
{
	const struct spec_linux *x = &l->spec->lnx;
	int pid_fd, time_fd, r;
	*place_v2 = false;
	if ((r = open_joins(l, a, &pid_fd, &time_fd, e)) < 0)
		return r;
	unsigned long long flags = (unsigned)x->ns_new;
	/* The init moves itself into the v1 cgroups first thing. */
	if (a->n_cg)
		defer_cgroupns(a, &flags);
	bool time_offsets = x->time_monotonic.set || x->time_boottime.set;
	/* Without privilege over the time namespace here (rootless, or a
	 * joined user namespace) the init makes it and sets the offsets. */
	a->time_in_child = time_offsets && (geteuid() != 0 || (x->ns_join & CLONE_NEWUSER));
	if (a->time_in_child) {
		/* The init forks into the new time namespace; it cannot be the
		 * pid namespace's first process then (that one may not use
		 * CLONE_PARENT): its child will be, after an unshare. */
		flags &= ~(unsigned long long)(CLONE_NEWTIME | CLONE_NEWPID);
		a->unshare_flags = x->ns_new & CLONE_NEWPID;
		time_offsets = false;
	}
	if (x->ns_join & CLONE_NEWUSER) {
		/* The other namespaces must belong to the joined user namespace:
		 * the init creates them after joining it. */
		a->unshare_flags |= (int)flags;
		flags = 0;
	}
	/* pid and time namespaces created by the init itself apply to its
	 * children only: it forks once more into them. */
	a->fork_after_join =
	    a->time_in_child || (a->unshare_flags & (CLONE_NEWPID | CLONE_NEWTIME));
	_cleanup_close_ int own_pid = -1, own_time = -1;
	if (pid_fd >= 0 || time_fd >= 0 || time_offsets) {
		own_pid = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		own_time = open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
	}
	/* pid and time namespaces apply to children only: enter them here,
	 * just for the clone, and come back right after. */
	if (pid_fd >= 0 && setns(pid_fd, CLONE_NEWPID) < 0)
		r = err_sys(e, errno, "join pid namespace");
	if (r == 0 && time_fd >= 0 && setns(time_fd, CLONE_NEWTIME) < 0)
		r = err_sys(e, errno, "join time namespace");
	if (r == 0 && time_offsets) {
		r = prepare_time_ns(x, e);
		flags &= ~(unsigned long long)CLONE_NEWTIME;
		/* Kernels before 6.x refuse CLONE_VM into a time namespace
		 * other than ours (EINVAL, seen on 6.1): fork then. */
		a->shared_vm = false;
	}
	if (r == 0) {
		if (a->shared_vm) {
			l->pid = clone_shared(l, flags, a, cgfd, place_v2);
		} else {
			l->pid = clone3_pidfd(flags, &l->pidfd, cgfd);
			if (l->pid == 0)
				init_main(a);
		}
		if (l->pid < 0) {
			l->pid = 0;
			r = err_sys(e, errno, "clone the container's init");
		}
	}
	if (own_pid >= 0 && pid_fd >= 0)
		setns(own_pid, CLONE_NEWPID);
	if (own_time >= 0 && (time_fd >= 0 || time_offsets))
		setns(own_time, CLONE_NEWTIME);
	if (pid_fd >= 0)
		close(pid_fd);
	if (time_fd >= 0)
		close(time_fd);
	close_joins(a);
	return r;
}

static int hooks_state(struct launch *l, char **json)
{
	l->st->pid = l->pid;
	json_object *o = state_to_json(l->st, ST_CREATING, false);
	*json = strdup(json_compact(o));
	json_object_put(o);
	return *json ? 0 : -ENOMEM;
}

static int on_hooks(struct launch *l, struct err *e)
{
	const struct spec_hooks *h = &l->spec->hooks;
	_cleanup_free_ char *json = NULL;
	if (hooks_state(l, &json) < 0)
		return err_sys(e, ENOMEM, "hooks");
	int r = hooks_run("prestart", h->list[HOOK_PRESTART], h->n[HOOK_PRESTART], json, e);
	if (r == 0)
		r = hooks_run("createRuntime", h->list[HOOK_CREATE_RUNTIME],
			      h->n[HOOK_CREATE_RUNTIME], json, e);
	if (r < 0) {
		sync_send(l->sock, SYNC_ABORT, 0, NULL, -1);
		return r;
	}
	/* The init runs createContainer hooks while the container is being
	 * created and startContainer hooks once it is started: it gets the
	 * state for each, one after the other, NUL-separated, in a memfd. */
	_cleanup_close_ int memfd = -1;
	if (h->n[HOOK_CREATE_CONTAINER] || h->n[HOOK_START_CONTAINER]) {
		json_object *o = state_to_json(l->st, ST_CREATED, false);
		const char *created = json_compact(o);
		memfd = memfd_create("capsa-state", MFD_CLOEXEC);
		bool ok = memfd >= 0 &&
			  write(memfd, json, strlen(json) + 1) == (ssize_t)strlen(json) + 1 &&
			  write(memfd, created, strlen(created)) == (ssize_t)strlen(created) &&
			  lseek(memfd, 0, SEEK_SET) == 0;
		int saved = errno;
		json_object_put(o);
		if (!ok)
			return err_sys(e, saved, "pass state to hooks");
	}
	r = sync_send(l->sock, SYNC_HOOKS_DONE, 0, NULL, memfd);
	return r < 0 ? err_sys(e, -r, "sync socket") : 0;
}

static int on_pty(struct launch *l, int fd, struct err *e)
{
	if (fd < 0)
		return err_msg(e, EPROTO, "terminal: the init sent no fd");
	if (l->o->console_socket) {
		int r = console_socket_send(l->o->console_socket, fd, e);
		close(fd);
		if (r < 0)
			return r;
	} else {
		l->pty_master = fd;
	}
	int r = sync_send(l->sock, SYNC_ACK, 0, NULL, -1);
	return r < 0 ? err_sys(e, -r, "sync socket") : 0;
}

static int write_oom_score(struct launch *l, struct err *e);
static int reap(struct launch *l);

/* The init forked into its own pid/time namespace: its child (our
 * sibling's replacement, our own child by CLONE_PARENT) is the init now. */
static int on_pidfd(struct launch *l, int fd, int pid, struct err *e)
{
	if (fd < 0 || pid <= 0)
		return err_msg(e, EPROTO, "sync socket: no pidfd for the init");
	reap(l);
	close(l->pidfd);
	l->pidfd = fd;
	l->pid = pid;
	l->st->pid = pid;
	return 0;
}

static int reap(struct launch *l)
{
	siginfo_t si = {0};
	if (l->pidfd < 0 || waitid(P_PIDFD, (id_t)l->pidfd, &si, WEXITED) < 0)
		return 1;
	return si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
}

/* Serve the init until it is ready: hooks, terminal, errors. */
static int converse(struct launch *l, int *status, struct err *e)
{
	for (;;) {
		struct sync_msg m;
		int fd = -1;
		int r = sync_recv(l->sock, &m, &fd);
		if (r < 0)
			return err_sys(e, -r, "sync socket");
		if (r == 0) {
			*status = reap(l);
			l->pid = 0;
			return err_msg(e, EIO,
				       "the container's init exited during setup (status %d)",
				       *status);
		}
		switch (m.type) {
		case SYNC_READY:
			/* The init waits now (for start, or SYNC_GO): the facts about
			 * its process can be taken and set without racing it. */
			l->st->pid_start = proc_start_time(l->pid);
			return write_oom_score(l, e);
		case SYNC_HOOKS:
			if ((r = on_hooks(l, e)) < 0)
				return r;
			break;
		case SYNC_PTY:
			if ((r = on_pty(l, fd, e)) < 0)
				return r;
			break;
		case SYNC_PIDFD:
			if ((r = on_pidfd(l, fd, m.code, e)) < 0)
				return r;
			break;
		case SYNC_ERROR:
			*status = reap(l);
			l->pid = 0;
			return err_msg(e, m.code > 0 ? m.code : EIO, "%s", m.msg);
		default:
			if (fd >= 0)
				close(fd);
			return err_msg(e, EPROTO, "sync socket: unexpected message %u", m.type);
		}
	}
}

static int write_oom_score(struct launch *l, struct err *e)
{
	const struct spec_process *p = l->spec->process;
	if (!p->has_oom_score_adj)
		return 0;
	char path[64], buf[16];
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)l->pid);
	int n = snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
	int r = write_file(path, buf, (size_t)n, NULL);
	/* Lowering the score needs CAP_SYS_RESOURCE on the host, which a
	 * rootless runtime does not have; the init keeps the inherited one. */
	if (r < 0 && !(geteuid() != 0 && (r == -EACCES || r == -EPERM)))
		return err_sys(e, -r, "set oom_score_adj %d", p->oom_score_adj);
	return 0;
}

/* The runtime and the init take turns until the start: the runtime
 * clones and waits, the init sets up and says it is ready, the runtime
 * records it and says go.  Each turn is a wake-up of the other side,
 * and the scheduler would put the new init on the other CPU, idle
 * then: every turn wakes an idle CPU (an interprocessor interrupt, and
 * on a virtual machine a halted vCPU: ~0.1 ms each on this project's
 * test VM), and the init's work runs on caches cold for it.  So the
 * runtime narrows itself to the CPU it is on before the clone, the init
 * inherits that, and both widen back to the runtime's own CPUs at the
 * start (launch_unpin; the init in init.c) -- before anything of the
 * container's own runs.  Best effort: on any failure nothing is pinned.
 * Not with hooks, whose processes would inherit it, nor for create
 * (the init waits for a start that may never come). */
static void pin(struct launch *l, struct init_args *a)
{
	const struct spec_hooks *h = &l->spec->hooks;
	for (size_t k = 0; k < sizeof(h->n) / sizeof(h->n[0]); k++)
		if (h->n[k])
			return;
	cpu_set_t one;
	int cpu = sched_getcpu();
	if (!l->run_mode || cpu < 0 || cpu >= CPU_SETSIZE ||
	    sched_getaffinity(0, sizeof(a->cpus), &a->cpus) < 0 || CPU_COUNT(&a->cpus) < 2 ||
	    !CPU_ISSET(cpu, &a->cpus))
		return;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	/* Read-only once the init runs: it looks at it after the start. */
	a->pinned = l->pinned = sched_setaffinity(0, sizeof(one), &one) == 0;
}

void launch_unpin(struct launch *l)
{
	const struct init_args *a = l->mem;
	if (!l->pinned || !a)
		return;
	sched_setaffinity(0, sizeof(a->cpus), &a->cpus);
	l->pinned = false;
}

int launch_container(struct launch *l, int *status, struct err *e)
{
	struct spec *s = l->spec;
	_cleanup_close_ int fifo = -1, hostproc = -1;
	int sv[2], r;
	*status = 1;
	l->pid = 0;
	l->pidfd = l->sock = l->pty_master = -1;
	l->stack = NULL;
	l->pinned = false;
	struct launch_mem {
		struct init_args a;
		struct mount_plan plan;
	} *mem = calloc(1, sizeof(*mem));
	if (!mem)
		return err_sys(e, ENOMEM, "launch");
	l->mem = mem;
	struct init_args *ap = &mem->a;
	*ap = (struct init_args){.spec = s,
				 .plan = &mem->plan,
				 .rootfs = s->root_path,
				 .fifo_fd = -1,
				 .host_proc_fd = -1,
				 .state_fd = l->dirfd,
				 .shared_vm = l->run_mode};
	if ((r = validate(l, e)) < 0)
		goto fail;
	bool userns = (s->lnx.ns_new | s->lnx.ns_join) & CLONE_NEWUSER;
	if ((r = mounts_plan(s, userns, &mem->plan, e)) < 0)
		goto fail;
	if (!l->run_mode) {
		if (mkfifoat(l->dirfd, STATE_FIFO, 0622) < 0) {
			r = err_sys(e, errno, "create exec fifo");
			goto fail;
		}
		fifo = openat(l->dirfd, STATE_FIFO, O_PATH | O_CLOEXEC);
		hostproc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fifo < 0 || hostproc < 0) {
			r = err_sys(e, errno, "open exec fifo");
			goto fail;
		}
		ap->fifo_fd = fifo;
		ap->host_proc_fd = hostproc;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		r = err_sys(e, errno, "socketpair");
		goto fail;
	}
	l->sock = sv[0];
	ap->sync_fd = sv[1];
	ap->parent_sock = sv[0];
	ap->userns = userns;
	ap->new_userns = s->lnx.ns_new & CLONE_NEWUSER;
	/* The init goes into its cgroup before it runs any code of its own:
	 * clone3 puts it in the v2 directory (CLONE_INTO_CGROUP), and its
	 * first act is to move itself into the v1 ones through `tasks` files
	 * opened here.  Neither takes the kernel's global threadgroup lock
	 * for writing, as a pid written to cgroup.procs would (an RCU grace
	 * period, up to milliseconds), and the runtime need not wait. */
	int cgfd = l->cg ? l->cg->v2_fd : -1;
	if (l->cg &&
	    (r = cg_open_v1_tasks(l->cg, ap->cg_fd, ap->cg_path, INIT_MAX_CG, &ap->n_cg, e)) < 0) {
		close(sv[1]);
		goto fail;
	}
	ap->wait_configured = ap->new_userns;
	ap->setgroups_denied = ap->new_userns && idmap_needs_setgroups_deny(s);
	const struct spec_hooks *h = &s->hooks;
	ap->hooks_sync = h->n[HOOK_PRESTART] || h->n[HOOK_CREATE_RUNTIME] ||
			 h->n[HOOK_CREATE_CONTAINER] || h->n[HOOK_START_CONTAINER];
	ap->no_pivot = l->o->no_pivot;
	ap->no_new_keyring = l->o->no_new_keyring;
	ap->preserve_fds = l->o->preserve_fds;

	bool place_v2;
	pin(l, ap);
	r = spawn(l, ap, cgfd, &place_v2, e);
	close(sv[1]);
	/* Our copies: the init has its own (a fork's, or clone's copy of the
	 * fd table; CLONE_FILES is never used). */
	for (size_t i = 0; i < ap->n_cg; i++)
		close(ap->cg_fd[i]);
	if (r < 0)
		goto fail;
	l->st->pid = l->pid;
	if (place_v2 && (r = cg_place_v2(l->cg, l->pid, e)) < 0)
		goto fail;
	if (ap->wait_configured) {
		if (ap->new_userns && (r = idmap_write(s, l->pid, ap->setgroups_denied, e)) < 0)
			goto fail;
		if ((r = sync_send(l->sock, SYNC_IDMAP_DONE, 0, NULL, -1)) < 0) {
			r = err_sys(e, -r, "sync socket");
			goto fail;
		}
	}
	if ((r = converse(l, status, e)) < 0)
		goto fail;
	return 0;
fail:
	launch_abort(l);
	return r;
}

/* Pass the signals a user sends to `capsa run` on to the container, as
 * a foreground process would receive them. */
int wait_forwarding(int pidfd, int *status)
{
	sigset_t set, old;
	sigemptyset(&set);
	int fwd[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGCONT, SIGWINCH};
	for (size_t i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
		sigaddset(&set, fwd[i]);
	sigprocmask(SIG_BLOCK, &set, &old);
	int sfd = signalfd(-1, &set, SFD_CLOEXEC);
	struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
	while (sfd >= 0) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		struct signalfd_siginfo si;
		if ((p[1].revents & POLLIN) && read(sfd, &si, sizeof(si)) == sizeof(si))
			syscall(SYS_pidfd_send_signal, pidfd, (int)si.ssi_signo, NULL, 0);
	}
	siginfo_t si = {0};
	int r = waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED);
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r < 0)
		return -errno;
	*status = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
	return 0;
}

int write_pid_file(const char *path, pid_t pid, struct err *e)
{
	if (!path)
		return 0;
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	_cleanup_free_ char *dir = strdup(path);
	if (!dir)
		return err_sys(e, ENOMEM, "pid file");
	char *slash = strrchr(dir, '/');
	const char *name = path;
	const char *d = ".";
	if (slash) {
		*slash = '\0';
		d = dir[0] ? dir : "/";
		name = slash + 1;
	}
	_cleanup_close_ int dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return err_sys(e, errno, "pid file %s", path);
	int r = write_file_atomic(dfd, name, buf, (size_t)n, 0644, e);
	return r < 0 ? err_prefix(e, "pid file %s", path) : 0;
}

void launch_abort(struct launch *l)
{
	if (l->pid > 0 && l->pidfd >= 0) {
		syscall(SYS_pidfd_send_signal, l->pidfd, SIGKILL, NULL, 0);
		reap(l);
	}
	l->pid = 0;
	launch_close(l);
}

void launch_close(struct launch *l)
{
	if (l->pidfd >= 0)
		close(l->pidfd);
	if (l->sock >= 0)
		close(l->sock);
	if (l->pty_master >= 0)
		close(l->pty_master);
	l->pidfd = l->sock = l->pty_master = -1;
	launch_unpin(l);
	/* Only once the init has exec'd or died: it used both until then. */
	free(l->stack);
	l->stack = NULL;
	free(l->mem);
	l->mem = NULL;
}
