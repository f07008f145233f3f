/* ctr_start.c — create, and start in the foreground or under a monitor
 * (see ctr.h). */
#include "engine/ctr.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/bundle.h"
#include "engine/ctr_net.h"
#include "engine/image_use.h"
#include "engine/opts.h"
#include "engine/store.h"
#include "net/net.h"
#include "runtime/container.h"
#include "runtime/signals.h"
#include "runtime/state.h"
#include "runtime/terminal.h"

#include <errno.h>
#include <linux/close_range.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOG_MAX_DEF (10LL * 1024 * 1024)

static int reserve_name(struct ctr_store *s, const struct run_opts *o, const char *id, char *name,
			size_t len, struct err *e)
{
	if (o->name) {
		snprintf(name, len, "%s", o->name);
		return names_reserve(s, name, id, e);
	}
	int r = 0;
	for (int tries = 0; tries < 20; tries++) {
		if ((r = name_generate(name, len, e)) < 0)
			return r;
		if ((r = names_reserve(s, name, id, e)) != -EEXIST)
			return r;
	}
	return r;
}

static int fill_record(struct record *rec, const struct bundle_in *in, const char *name,
		       pid_t owner, struct err *e)
{
	const struct run_opts *o = in->o;
	char now[64];
	rfc3339_now(now);
	snprintf(rec->id, sizeof(rec->id), "%s", in->id);
	rec->name = strdup(name);
	rec->rootfs = strdup(in->rootfs);
	rec->image = o->image ? strdup(o->image) : NULL;
	rec->created = strdup(now);
	rec->state = CS_CREATED;
	rec->auto_remove = o->rm;
	rec->tty = o->tty;
	rec->interactive = o->interactive;
	int img_sig = in->img && in->img->stop_signal ? signal_parse(in->img->stop_signal) : -1;
	rec->stop_signal = o->stop_signal ? o->stop_signal : img_sig > 0 ? img_sig : SIGTERM;
	rec->stop_timeout = o->stop_timeout >= 0 ? o->stop_timeout : STOP_TIMEOUT_DEF;
	rec->log_max = o->log_max > 0 ? o->log_max : LOG_MAX_DEF;
	if (owner > 0) {
		/* What mark_running would write a moment later. */
		rec->state = CS_RUNNING;
		rec->owner = owner;
		rec->owner_start = proc_start_time(owner);
		if (!(rec->started = strdup(now)))
			return err_sys(e, ENOMEM, "container record");
	}
	if (!rec->name || !rec->rootfs || !rec->created || (o->image && !rec->image))
		return err_sys(e, ENOMEM, "container record");
	return bundle_args(in, &rec->command, e);
}

/* The root directory for --rootfs DIR. */
static int rootfs_dir(const char *dir, char out[PATH_MAX], struct err *e)
{
	struct stat st;
	if (!realpath(dir, out) || stat(out, &st) < 0)
		return err_sys(e, errno, "--rootfs %s", dir);
	if (!S_ISDIR(st.st_mode))
		return err_msg(e, ENOTDIR, "--rootfs %s: not a directory", dir);
	return 0;
}

/* A foreground run's record says running from its first write; when the
 * network cannot come up it says why (docker's "Created" with an error),
 * and with --rm nothing is left. */
static int fresh_net_up(struct ctr_store *s, int dirfd, struct record *rec, struct err *e)
{
	int r = ctr_net_up(s, dirfd, rec->id, rec->name, e);
	if (r >= 0 || rec->auto_remove)
		return r;
	char now[64];
	rfc3339_now(now);
	rec->state = CS_EXITED;
	rec->exit_code = EXIT_ENGINE;
	rec->owner = 0;
	rec->owner_start = 0;
	rec->finished = strdup(now);
	rec->error = strdup(e->msg);
	struct err we = {0};
	if (record_write(dirfd, rec, &we) < 0)
		fprintf(stderr, "capsa: warning: %s\n", we.msg);
	return r;
}

static void abort_image(struct ctr_store *s, struct ctr_image *ci, const char *id)
{
	char trashed[PATH_MAX] = "";
	ctr_image_abort(ci, id, trashed, sizeof(trashed));
	ctr_store_reap_later(s, trashed);
}

int ctr_create(struct ctr_store *s, const struct run_opts *o, const struct bundle_image *img,
	       char id[ID_HEX + 1], pid_t owner, char **config, size_t *config_len, struct err *e)
{
	if (config)
		*config = NULL;
	char rootfs[PATH_MAX], name[160];
	int r = o->rootfs ? rootfs_dir(o->rootfs, rootfs, e) : 0;
	if (r < 0 || (r = id_generate(id, e)) < 0)
		return r;
	/* An image: its config and a root filesystem in the store, made
	 * before anything of the container exists here. */
	struct ctr_image ci = {0};
	if (!o->rootfs) {
		if ((r = ctr_image_setup(&ci, o->image, o->pull, o->platform, id, o->rm, e)) < 0) {
			abort_image(s, &ci, id);
			ctr_image_release(&ci);
			return r;
		}
		snprintf(rootfs, sizeof(rootfs), "%s", ci.rootfs);
		img = &ci.view;
	}
	_cleanup_close_ int dirfd = -1;
	struct record rec = {0};
	bool named = false;
	static struct net_result netres; /* large: keep it off the stack */
	if ((r = ctr_store_create(s, id, &dirfd, e)) < 0)
		goto fail;
	struct bundle_in in = {.o = o,
			       .img = img,
			       .id = id,
			       .rootfs = rootfs,
			       .overlay = ci.overlay,
			       .users_root = ci.users_root[0] ? ci.users_root : NULL,
			       .rootless = geteuid() != 0,
			       .state_root = s->root};
	if ((r = reserve_name(s, o, id, name, sizeof(name), e)) < 0)
		goto fail;
	named = true;
	if ((r = ctr_net_plan(s, dirfd, o, id, ci.cfg_loaded ? ci.cfg.exposed_ports : NULL, &netres,
			      e)) < 0)
		goto fail;
	if (r > 0)
		in.net = &netres;
	/* Bound at /dev/init (--init), run as pasta's hook: the binary's path. */
	if ((o->init || (in.net && in.net->runtime_netns)) && !(in.self_exe = ctr_store_self(s))) {
		r = err_sys(e, errno, "readlink /proc/self/exe");
		goto fail;
	}
	if ((r = bundle_write(dirfd, &in, config, config_len, e)) < 0 ||
	    (r = fill_record(&rec, &in, name, owner, e)) < 0)
		goto fail;
	if (ci.st_open && !(rec.storage = strdup(ci.st.root))) {
		r = err_sys(e, ENOMEM, "container record");
		goto fail;
	}
	if ((r = record_write(dirfd, &rec, e)) < 0)
		goto fail;
	if (owner > 0 && (r = fresh_net_up(s, dirfd, &rec, e)) < 0 && rec.auto_remove) {
		ctr_net_down(s, id);
		goto fail;
	}
	record_free(&rec);
	ctr_image_release(&ci);
	return r < 0 ? r : 0;
fail:
	if (config) {
		free(*config);
		*config = NULL;
	}
	record_free(&rec);
	if (named)
		names_release(s, name, id);
	if (dirfd >= 0) {
		close(steal_fd(&dirfd));
		ctr_store_remove(s, id, NULL);
	}
	abort_image(s, &ci, id);
	ctr_image_release(&ci);
	return r;
}

static int ctr_dir(struct ctr_store *s, const char *id, char *buf, size_t len, struct err *e)
{
	if (snprintf(buf, len, "%s/containers/%s", s->root, id) >= (int)len)
		return err_msg(e, ENAMETOOLONG, "%s: path too long", s->root);
	return 0;
}

/* Mark the container running with `owner` waiting for it.  A runtime
 * container left by a start that was killed half-way goes first. */
static int mark_running(struct ctr_store *s, const char *id, pid_t owner, struct err *e)
{
	_cleanup_close_ int dirfd = -1;
	int r = ctr_store_lock(s, id, true, &dirfd, e);
	if (r < 0)
		return r;
	struct record rec;
	if ((r = record_read(dirfd, id, &rec, e)) < 0)
		return r;
	if (rec.state == CS_RUNNING && record_owner_alive(&rec)) {
		r = err_msg(e, EBUSY, "container %s is already running", rec.name);
		goto out;
	}
	rt_delete(s->runtime, id, true, NULL);
	/* The network: set up at every start, released at every exit. */
	if ((r = ctr_net_up(s, dirfd, id, rec.name, e)) < 0)
		goto out;
	char now[64];
	rfc3339_now(now);
	rec.state = CS_RUNNING;
	rec.owner = owner;
	rec.owner_start = proc_start_time(owner);
	rec.pid = 0;
	free(rec.started);
	free(rec.finished);
	free(rec.error);
	rec.finished = rec.error = NULL;
	rec.started = strdup(now);
	rec.exit_code = 0;
	rec.oom_killed = false;
	if ((r = record_write(dirfd, &rec, e)) < 0)
		ctr_net_down(s, id);
out:
	record_free(&rec);
	return r;
}

/* After a foreground run: the exit (`oom`: the OOM killer ended it),
 * and --rm. */
static void mark_exited(struct ctr_store *s, const char *id, int code, bool oom, const char *error)
{
	_cleanup_close_ int dirfd = -1;
	if (ctr_store_lock(s, id, true, &dirfd, NULL) < 0)
		return;
	struct record rec;
	if (record_read(dirfd, id, &rec, NULL) < 0)
		return;
	char now[64];
	rfc3339_now(now);
	rec.state = CS_EXITED;
	rec.exit_code = code;
	rec.oom_killed = oom;
	rec.owner = 0;
	rec.owner_start = 0;
	free(rec.finished);
	free(rec.error);
	rec.finished = strdup(now);
	rec.error = error ? strdup(error) : NULL;
	/* --rm: the record goes right away, and nobody could read the exit
	 * from it (`wait` finds it removed); a kill -9 before it goes leaves
	 * it running with a dead owner, which ctr_load repairs and removes. */
	struct err e = {0};
	if (!rec.auto_remove && record_write(dirfd, &rec, &e) < 0)
		fprintf(stderr, "capsa: warning: %s\n", e.msg);
	bool rm = rec.auto_remove;
	/* A kept container's mount namespace goes here and now: a later
	 * start mounts the same upper directory again.  --rm hands it to the
	 * reaper (reap.h) with the store's trash. */
	if (!rm && s->mntns >= 0) {
		close(s->mntns);
		s->mntns = -1;
	}
	/* --rm: ctr_discard releases the network (once is enough). */
	if (!rm)
		ctr_net_down(s, id);
	close(steal_fd(&dirfd));
	if (rm)
		ctr_discard(s, &rec);
	record_free(&rec);
}

/* The exit status for a start that failed: 126/127 from the init as
 * they are, anything else is capsa's own error. */
static int start_failure_status(int status)
{
	return status == EXIT_NOEXEC || status == EXIT_NOTFOUND ? status : EXIT_ENGINE;
}

static bool record_flag(struct ctr_store *s, const char *id, bool *tty, bool *interactive,
			long long *log_max)
{
	_cleanup_close_ int dirfd = -1;
	struct record rec;
	if (ctr_store_lock(s, id, false, &dirfd, NULL) < 0 ||
	    record_read(dirfd, id, &rec, NULL) < 0)
		return false;
	*tty = rec.tty;
	*interactive = rec.interactive;
	if (log_max)
		*log_max = rec.log_max;
	record_free(&rec);
	return true;
}

/* Run the container here; `fresh`: ctr_create has recorded it running
 * for us (with its network), else mark_running does. */
static int run_here(struct ctr_store *s, const char *id, bool fresh, bool rm, bool tty,
		    bool interactive, const char *config, size_t config_len, int *status,
		    struct err *e)
{
	*status = EXIT_ENGINE;
	char dir[PATH_MAX];
	int r = ctr_dir(s, id, dir, sizeof(dir), e);
	if (r < 0)
		return r;
	if (!interactive && !tty) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null < 0 || dup2(null, 0) < 0)
			return err_sys(e, errno, "/dev/null");
		close(null);
	}
	if (!fresh && (r = mark_running(s, id, getpid(), e)) < 0)
		return r;
	bool oom = false;
	struct rt_create_opts ro = {.root = s->runtime,
				    .id = id,
				    .bundle = dir,
				    .config = config,
				    .config_len = config_len,
				    .seccomp_cache = s->seccomp,
				    .cgroup_lean = true,
				    /* --rm: the record that would say so goes now. */
				    .oom_killed = rm ? NULL : &oom,
				    .mntns = &s->mntns};
	int st = 1;
	r = rt_run(&ro, false, false, &st, e);
	*status = r < 0 ? start_failure_status(st) : st;
	mark_exited(s, id, *status, r == 0 && oom, r < 0 ? e->msg : NULL);
	return r;
}

int ctr_run_foreground(struct ctr_store *s, const char *id, int *status, struct err *e)
{
	bool tty = false, interactive = false;
	record_flag(s, id, &tty, &interactive, NULL);
	return run_here(s, id, false, false, tty, interactive, NULL, 0, status, e);
}

int ctr_run_created(struct ctr_store *s, const struct run_opts *o, const char *id,
		    const char *config, size_t config_len, int *status, struct err *e)
{
	return run_here(s, id, true, o->rm, o->tty, o->interactive, config, config_len, status, e);
}

/* --- detached: the monitor ------------------------------------------- */

/* What the monitor tells `capsa run -d` through the report pipe. */
struct report {
	int status; /* 0 started, else the exit status for the failure */
	pid_t monitor;
	pid_t init;
	char msg[ERR_MSG_MAX];
};

static void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

/* The console socket is relative: the runtime works in the bundle
 * (the container's directory), and a full path could pass the 108
 * bytes a socket address holds. */
#define CONSOLE_SOCK "console.sock"

static int console_listen(const char *dir, struct err *e)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_sys(e, errno, "socket");
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", CONSOLE_SOCK);
	if (chdir(dir) < 0 || (unlink(CONSOLE_SOCK) < 0 && errno != ENOENT) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0) {
		int r = err_sys(e, errno, "console socket in %s", dir);
		close(fd);
		return r;
	}
	return fd;
}

/* The monitor, before it execs its loop: start the container with
 * stdout/stderr on pipes (or a pty), report, then exec `capsa _monitor`
 * so that the loop runs in a fresh, small process image. */
static void monitor_start(struct ctr_store *s, const char *id, const char *config,
			  size_t config_len, int report_fd)
{
	struct report rep = {.status = EXIT_ENGINE, .monitor = getpid()};
	struct err e = {0};
	/* Nothing our caller left open goes with us past the exec below:
	 * a script's `$(capsa run -d ...)` or a test runner's own pipe
	 * would wait for the container's end otherwise. */
	syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
	char dir[PATH_MAX];
	int out[2] = {-1, -1}, errp[2] = {-1, -1}, null = -1, lsock = -1, master = -1;
	bool tty = false, interactive = false;
	long long log_max = 0;
	if (ctr_dir(s, id, dir, sizeof(dir), &e) < 0)
		goto fail;
	record_flag(s, id, &tty, &interactive, &log_max);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		err_sys(&e, errno, "pipes for the container's output");
		goto fail;
	}
	if (tty && (lsock = console_listen(dir, &e)) < 0)
		goto fail;
	if (dup2(null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(errp[1], 2) < 0) {
		err_sys(&e, errno, "dup2");
		goto fail;
	}
	close(out[1]);
	close(errp[1]);
	out[1] = errp[1] = -1;
	if (mark_running(s, id, getpid(), &e) < 0)
		goto fail;
	struct rt_create_opts ro = {.root = s->runtime,
				    .id = id,
				    .bundle = dir,
				    .config = config,
				    .config_len = config_len,
				    .console_socket = tty ? CONSOLE_SOCK : NULL,
				    .seccomp_cache = s->seccomp,
				    .cgroup_lean = true};
	int st = 1;
	int r = rt_run(&ro, true, true, &st, &e);
	/* Our stdout/stderr must not hold the pipes open. */
	dup2(null, 1);
	dup2(null, 2);
	if (r < 0) {
		rep.status = start_failure_status(st);
		mark_exited(s, id, rep.status, false, e.msg);
		goto fail;
	}
	if (tty) {
		int c = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
		char name[64];
		if (c < 0 || fd_recv(c, &master, name, sizeof(name)) < 0) {
			err_sys(&e, errno, "receive the container's terminal");
			if (c >= 0)
				close(c);
			rt_delete(s->runtime, id, true, NULL);
			mark_exited(s, id, EXIT_ENGINE, false, e.msg);
			goto fail;
		}
		close(c);
		unlink(CONSOLE_SOCK);
	}
	json_object *stj = NULL;
	if (rt_state(s->runtime, id, &stj, NULL) == 0) {
		json_object *p;
		if (json_object_object_get_ex(stj, "pid", &p))
			rep.init = (pid_t)json_object_get_int(p);
		json_object_put(stj);
	}
	rep.status = 0;
	write_all(report_fd, &rep, sizeof(rep));
	close(report_fd);
	char a_pid[16], a_out[16], a_err[16];
	snprintf(a_pid, sizeof(a_pid), "%d", (int)rep.init);
	snprintf(a_out, sizeof(a_out), "%d", tty ? master : out[0]);
	snprintf(a_err, sizeof(a_err), "%d", tty ? -1 : errp[0]);
	if (tty)
		close(out[0]);
	else
		fcntl(out[0], F_SETFD, 0), fcntl(errp[0], F_SETFD, 0);
	if (tty)
		fcntl(master, F_SETFD, 0), close(errp[0]);
	char a_max[24];
	snprintf(a_max, sizeof(a_max), "%lld", log_max);
	char *argv[] = {"capsa", "_monitor", s->root, (char *)id, a_pid, a_out, a_err, a_max, NULL};
	execv("/proc/self/exe", argv);
	/* Could not exec the loop: the container runs unmonitored; the
	 * next command repairs the record once it exits. */
	_exit(1);
fail:
	snprintf(rep.msg, sizeof(rep.msg), "%s", e.msg);
	write_all(report_fd, &rep, sizeof(rep));
	_exit(1);
}

int ctr_start_detached(struct ctr_store *s, const char *id, const char *config, size_t config_len,
		       int *status, struct err *e)
{
	*status = EXIT_ENGINE;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_sys(e, errno, "pipe");
	fflush(NULL);
	pid_t c1 = fork();
	if (c1 < 0) {
		close(p[0]);
		close(p[1]);
		return err_sys(e, errno, "fork the monitor");
	}
	if (c1 == 0) {
		/* Double fork: the monitor is no child of ours and has no
		 * terminal; it outlives this command. */
		close(p[0]);
		if (setsid() < 0)
			_exit(1);
		pid_t m = fork();
		if (m < 0)
			_exit(1);
		if (m == 0)
			monitor_start(s, id, config, config_len, p[1]);
		_exit(0);
	}
	close(p[1]);
	int ws;
	while (waitpid(c1, &ws, 0) < 0 && errno == EINTR)
		;
	struct report rep;
	size_t got = 0;
	while (got < sizeof(rep)) {
		ssize_t n = read(p[0], (char *)&rep + got, sizeof(rep) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(p[0]);
	if (got != sizeof(rep))
		return err_msg(e, EIO, "container %.12s: the monitor died before it reported", id);
	if (rep.status != 0) {
		*status = rep.status;
		return err_msg(e, EIO, "%s", rep.msg);
	}
	*status = 0;
	return 0;
}
