/* process.c — see process.h. */
#include "runtime/process.h"

#include "base/error.h"
#include "runtime/caps.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"

#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int check_exec(const char *path, struct err *e, const char *name)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return err_sys(e, errno, "exec \"%s\"", name);
	if (S_ISDIR(st.st_mode))
		return err_msg(e, EACCES, "exec \"%s\": is a directory", name);
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		return err_sys(e, EACCES, "exec \"%s\"", name);
	return 0;
}

int process_resolve(const struct spec_process *p, char *path, size_t len, struct err *e)
{
	const char *name = p->args[0];
	if (strchr(name, '/')) {
		if ((size_t)snprintf(path, len, "%s", name) >= len)
			return err_msg(e, ENAMETOOLONG, "exec \"%s\": name too long", name);
		return check_exec(path, e, name);
	}
	const char *search = DEFAULT_PATH;
	for (size_t i = 0; p->env && p->env[i]; i++)
		if (!strncmp(p->env[i], "PATH=", 5)) {
			search = p->env[i] + 5;
			break;
		}
	int last = ENOENT;
	for (const char *dir = search; dir;) {
		const char *colon = strchr(dir, ':');
		size_t dl = colon ? (size_t)(colon - dir) : strlen(dir);
		if (dl == 0)
			dl = 1, dir = "."; /* an empty entry means the cwd */
		if ((size_t)snprintf(path, len, "%.*s/%s", (int)dl, dir, name) < len) {
			struct stat st;
			if (stat(path, &st) == 0) {
				if (S_ISREG(st.st_mode) && (st.st_mode & 0111))
					return 0;
				last = EACCES;
			}
		}
		dir = colon ? colon + 1 : NULL;
	}
	return err_sys(e, last, "exec \"%s\"", name);
}

static int set_rlimits(const struct spec_process *p, struct err *e)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = {.rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard};
		if (setrlimit(p->rlimits[i].resource, &rl) < 0)
			return err_sys(e, errno, "set rlimit %d", p->rlimits[i].resource);
	}
	return 0;
}

static int set_priorities(const struct spec_process *p, struct err *e)
{
	if (p->has_io_priority) {
		int v = (p->io_priority_class << 13) | p->io_priority;
		if (syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, v) < 0)
			return err_sys(e, errno, "set I/O priority");
	}
	if (p->has_scheduler) {
		struct {
			uint32_t size, policy;
			uint64_t flags;
			int32_t nice;
			uint32_t priority;
			uint64_t runtime, deadline, period;
		} attr = {.size = sizeof(attr),
			  .policy = (uint32_t)p->sched_policy,
			  .flags = p->sched_flags,
			  .nice = p->sched_nice,
			  .priority = (uint32_t)p->sched_priority,
			  .runtime = p->sched_runtime,
			  .deadline = p->sched_deadline,
			  .period = p->sched_period};
		if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
			return err_sys(e, errno, "set scheduler");
	}
	return 0;
}

static int set_ids(const struct spec_process *p, bool setgroups_ok, struct err *e)
{
	const struct spec_user *u = &p->user;
	/* The kernel clears capabilities at a uid change only when the real,
	 * effective and saved uids all become non-zero: for uid 0 there is
	 * nothing to keep, and two system calls to spare. */
	bool keep = u->uid != 0;
	if (keep && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return err_sys(e, errno, "prctl(PR_SET_KEEPCAPS)");
	if (setgroups_ok) {
		if (setgroups(u->n_additional_gids, (const gid_t *)u->additional_gids) < 0)
			return err_sys(e, errno, "set additional groups");
	} else if (u->n_additional_gids) {
		return err_msg(e, EPERM,
			       "set additional groups: the user namespace denies setgroups "
			       "(a single-id mapping); use subordinate gid ranges");
	}
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return err_sys(e, errno, "set gid %u", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return err_sys(e, errno, "set uid %u", u->uid);
	if (keep && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return err_sys(e, errno, "prctl(PR_SET_KEEPCAPS)");
	return 0;
}

int process_setup(const struct spec_process *p, const struct spec_seccomp *sc, bool setgroups_ok,
		  int *notify_fd, struct err *e)
{
	int r, last = -1;
	*notify_fd = -1;
	if ((r = set_rlimits(p, e)) < 0 || (r = set_priorities(p, e)) < 0)
		return r;
	if (sc && !p->no_new_privileges && (r = seccomp_apply(sc, notify_fd, e)) < 0)
		return r;
	if (p->has_caps && (r = caps_drop_bounding(&p->caps, &last, e)) < 0)
		return r;
	if ((r = set_ids(p, setgroups_ok, e)) < 0)
		return r;
	if (p->has_caps && (r = caps_apply(&p->caps, last, e)) < 0)
		return r;
	if (chdir(p->cwd) < 0)
		return err_sys(e, errno, "chdir to cwd \"%s\"", p->cwd);
	umask(p->user.has_umask ? (mode_t)p->user.umask : 022);
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_sys(e, errno, "set no_new_privs");
	if (sc && p->no_new_privileges && (r = seccomp_apply(sc, notify_fd, e)) < 0)
		return r;
	return 0;
}

int process_exec(const struct spec_process *p, const char *path, struct err *e)
{
	static char *const empty[] = {NULL};
	execve(path, p->args, p->env ? p->env : empty);
	return err_sys(e, errno, "exec \"%s\"", p->args[0]);
}

int process_exit_status(int errnum)
{
	if (errnum == ENOENT || errnum == ENOTDIR)
		return 127;
	if (errnum == EACCES || errnum == ENOEXEC || errnum == EPERM || errnum == EISDIR)
		return 126;
	return 1;
}
