/* container.c — create, start and run (see container.h). */
#include "runtime/container.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"
#include "runtime/cgroup.h"
#include "runtime/hooks.h"
#include "runtime/sandbox.h"
#include "runtime/spec.h"
#include "runtime/seccomp.h"
#include "runtime/state.h"
#include "runtime/sync.h"
#include "runtime/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Everything create and run share: the spec, the locked state dir, the
 * state record. */
struct creation {
	struct spec *spec;
	int dirfd;
	struct rt_state st;
	bool dir_made;
	struct cgroup cg;
	bool cg_made;
};

static void creation_free(struct creation *c)
{
	cg_close(&c->cg);
	if (c->dirfd >= 0)
		close(c->dirfd);
	rt_state_free(&c->st);
	if (c->spec)
		spec_free(c->spec);
}

/* The spec's annotations as the JSON object state.json carries. */
static json_object *annotations_json(const struct spec *s)
{
	json_object *o = json_object_new_object();
	for (size_t i = 0; o && i < s->n_annotations; i++) {
		json_object *v = json_object_new_string(s->annotations[i].value);
		if (!v || json_object_object_add(o, s->annotations[i].key, v) < 0) {
			json_object_put(v);
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}

static int begin(const struct rt_create_opts *o, struct creation *c, struct err *e)
{
	memset(c, 0, sizeof(*c));
	c->dirfd = -1;
	c->cg.v2_fd = -1;
	char bundle[PATH_MAX];
	const char *b = o->bundle ? o->bundle : ".";
	/* An absolute bundle path is kept as given (runc does the same);
	 * only a relative one is resolved, saving a readlink per component. */
	if (b[0] == '/') {
		if (snprintf(bundle, sizeof(bundle), "%s", b) >= (int)sizeof(bundle))
			return err_msg(e, ENAMETOOLONG, "bundle %s: path too long", b);
	} else if (!realpath(b, bundle)) {
		return err_sys(e, errno, "bundle %s", b);
	}
	int r = o->config ? spec_load_buf(bundle, o->config, o->config_len, &c->spec, e)
			  : spec_load(bundle, &c->spec, e);
	if (r < 0)
		return r;
	if (c->spec->lnx.seccomp &&
	    (r = seccomp_prepare(c->spec->lnx.seccomp, o->seccomp_cache, &c->spec->arena, e)) < 0)
		return r;
	struct cg_resources res;
	if ((r = cg_resources_parse(c->spec->lnx.resources, "config.json", "linux.resources",
				    &c->spec->arena, &res, e)) < 0)
		return r;
	for (size_t i = 0; i < c->spec->lnx.n_devices; i++) {
		const struct spec_device *d = &c->spec->lnx.devices[i];
		if (cg_resources_allow_device(&res, &c->spec->arena, d->type, d->major, d->minor) <
		    0)
			return err_sys(e, ENOMEM, "linux.devices");
	}
	if ((r = state_create_dir(o->root, o->id, &c->dirfd, e)) < 0)
		return r;
	c->dir_made = true;
	if (!o->no_cgroup && (r = cg_create(c->spec->lnx.cgroups_path, o->id, &res, o->cgroup_lean,
					    c->dirfd, &c->cg, &c->cg_made, e)) < 0)
		return r;
	char now[64];
	rfc3339_now(now);
	c->st.id = strdup(o->id);
	c->st.bundle = strdup(bundle);
	c->st.rootfs = strdup(c->spec->root_path);
	c->st.created = strdup(now);
	c->st.owner = geteuid();
	c->st.ns_flags = c->spec->lnx.ns_new;
	if (c->spec->n_annotations && !(c->st.annotations = annotations_json(c->spec)))
		return err_sys(e, ENOMEM, "annotations");
	if (!c->st.id || !c->st.bundle || !c->st.rootfs || !c->st.created)
		return err_sys(e, ENOMEM, "container \"%s\"", o->id);
	/* Relative bind sources resolve against the bundle, as in runc. */
	if (chdir(bundle) < 0)
		return err_sys(e, errno, "chdir %s", bundle);
	return 0;
}

/* Undo a failed create: nothing of the container may stay behind. */
static void rollback(const struct rt_create_opts *o, struct creation *c)
{
	if (c->dir_made && c->dirfd >= 0)
		cg_remove_recorded(c->dirfd, NULL);
	if (c->dir_made)
		state_remove(o->root, o->id, NULL);
	c->dir_made = false;
}

static void poststart(struct creation *c)
{
	const struct spec_hooks *h = &c->spec->hooks;
	if (!h->n[HOOK_POSTSTART])
		return;
	json_object *o = state_to_json(&c->st, ST_RUNNING, false);
	struct err e = {0};
	/* The spec: a failed poststart hook is a warning, nothing more. */
	if (hooks_run("poststart", h->list[HOOK_POSTSTART], h->n[HOOK_POSTSTART], json_compact(o),
		      &e) < 0)
		fprintf(stderr, "capsa: warning: %s\n", e.msg);
	json_object_put(o);
}

int rt_create(const struct rt_create_opts *o, struct err *e)
{
	struct creation c;
	int status, r = begin(o, &c, e);
	struct launch l = {.o = o,
			   .spec = c.spec,
			   .st = &c.st,
			   .dirfd = c.dirfd,
			   .cg = c.cg_made ? &c.cg : NULL,
			   .pidfd = -1,
			   .sock = -1,
			   .pty_master = -1};
	if (r < 0)
		goto out;
	if ((r = launch_container(&l, &status, e)) < 0)
		goto out;
	if ((r = write_pid_file(o->pid_file, l.pid, e)) < 0 ||
	    (r = state_write(c.dirfd, &c.st, e)) < 0) {
		launch_abort(&l);
		goto out;
	}
	launch_close(&l);
out:
	if (r < 0)
		rollback(o, &c);
	creation_free(&c);
	return r;
}

/* Open the exec fifo for reading: the init, blocked opening it for
 * writing, goes on, writes one byte, runs the startContainer hooks and
 * execs.  Its end of the fifo is close-on-exec, so end of file here means
 * the exec happened (or the init died): only then may start return and
 * the poststart hooks run.  The pidfd catches an init that died before
 * opening the fifo instead of blocking forever.  It is taken before the
 * fifo is opened: from that open on, the init may exec and its program
 * exit before we look (`true` does, on a busy machine). */
static int release_init(int dirfd, const struct rt_state *st, struct err *e)
{
	_cleanup_close_ int pidfd = state_pidfd(st);
	if (pidfd < 0)
		return err_msg(e, ESRCH, "container \"%s\": its init is gone", st->id);
	_cleanup_close_ int fifo = openat(dirfd, STATE_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fifo < 0)
		return err_sys(e, errno, "container \"%s\": open exec fifo", st->id);
	struct pollfd p[2] = {{.fd = fifo, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
	bool got = false;
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return err_sys(e, errno, "poll");
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			char b;
			ssize_t n = read(fifo, &b, 1);
			if (n == 1) {
				got = true; /* released: now wait for the exec */
				p[1].fd = -1;
				continue;
			}
			if (n < 0 && errno == EAGAIN)
				continue;
			if (n == 0 && got)
				break;
			return err_msg(e, EIO, "container \"%s\": the init exited before start",
				       st->id);
		}
		if (p[1].revents)
			return err_msg(e, ESRCH, "container \"%s\": the init exited before start",
				       st->id);
	}
	if (unlinkat(dirfd, STATE_FIFO, 0) < 0)
		return err_sys(e, errno, "remove exec fifo");
	return 0;
}

int rt_start(const char *root, const char *id, struct err *e)
{
	_cleanup_close_ int dirfd = -1;
	struct creation c = {.dirfd = -1};
	int r = state_open(root, id, true, &dirfd, e);
	if (r < 0)
		return r;
	if ((r = state_read(dirfd, id, &c.st, e)) < 0)
		goto out;
	enum rt_status s = state_status(dirfd, &c.st);
	if (s != ST_CREATED) {
		r = err_msg(e, EINVAL, "container \"%s\" is %s, not created: cannot start it", id,
			    rt_status_name(s));
		goto out;
	}
	if ((r = release_init(dirfd, &c.st, e)) < 0)
		goto out;
	/* poststart hooks come from the bundle's config. */
	if (c.st.bundle && spec_load(c.st.bundle, &c.spec, NULL) == 0)
		poststart(&c);
out:
	creation_free(&c);
	return r;
}

/* Wait for the exec: the init's end of the socket closes on exec; an
 * error message instead means the exec (or a startContainer hook)
 * failed. */
static int await_exec(struct launch *l, int *status, struct err *e)
{
	struct sync_msg m;
	int r = sync_recv(l->sock, &m, NULL);
	if (r == 0)
		return 0;
	siginfo_t si = {0};
	waitid(P_PIDFD, (id_t)l->pidfd, &si, WEXITED);
	*status = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
	l->pid = 0;
	if (r < 0)
		return err_sys(e, -r, "sync socket");
	return err_msg(e, m.code > 0 ? m.code : EIO, "%s", m.msg);
}

/* The foreground container has exited and been reaped: poststop hooks
 * from the spec already in hand, then the state goes. */
static void finish_run(const struct rt_create_opts *o, struct creation *c)
{
	int dirfd;
	if (state_open(o->root, o->id, true, &dirfd, NULL) < 0)
		return; /* deleted meanwhile by someone else */
	const struct spec_hooks *h = &c->spec->hooks;
	if (h->n[HOOK_POSTSTOP]) {
		json_object *js = state_to_json(&c->st, ST_STOPPED, false);
		struct err e = {0};
		if (hooks_run("poststop", h->list[HOOK_POSTSTOP], h->n[HOOK_POSTSTOP],
			      json_compact(js), &e) < 0)
			fprintf(stderr, "capsa: warning: %s\n", e.msg);
		json_object_put(js);
	}
	struct err e = {0};
	/* Only a cgroup this run made was recorded (cg_create), and the
	 * record says what c->cg says. */
	if ((c->cg_made && cg_remove(&c->cg, dirfd, &e) < 0) ||
	    state_remove(o->root, o->id, &e) < 0)
		fprintf(stderr, "capsa: warning: %s\n", e.msg);
	close(dirfd);
}

/* The init's mount namespace, or -1 (then its exit tears it down as
 * usual: nothing is lost but the time). */
static int open_mntns(pid_t pid)
{
	char p[40];
	snprintf(p, sizeof(p), "/proc/%d/ns/mnt", (int)pid);
	return open(p, O_RDONLY | O_CLOEXEC);
}

int rt_run(const struct rt_create_opts *o, bool detach, bool keep, int *status, struct err *e)
{
	struct creation c;
	*status = 1;
	if (o->mntns)
		*o->mntns = -1;
	int r = begin(o, &c, e);
	struct launch l = {.o = o,
			   .spec = c.spec,
			   .st = &c.st,
			   .dirfd = c.dirfd,
			   .cg = c.cg_made ? &c.cg : NULL,
			   .run_mode = true,
			   .keep_pty = !detach,
			   .pidfd = -1,
			   .sock = -1,
			   .pty_master = -1};
	if (r < 0)
		goto out;
	if ((r = launch_container(&l, status, e)) < 0)
		goto out;
	if ((r = write_pid_file(o->pid_file, l.pid, e)) < 0 ||
	    (r = state_write(c.dirfd, &c.st, e)) < 0) {
		launch_abort(&l);
		goto out;
	}
	if (o->mntns && !detach)
		*o->mntns = open_mntns(l.pid);
	/* From here until the exec the init runs on memory we share: we
	 * only wait (see sandbox.c). */
	if ((r = sync_send(l.sock, SYNC_GO, 0, NULL, -1)) < 0) {
		r = err_sys(e, -r, "sync socket");
		launch_abort(&l);
		goto out;
	}
	launch_unpin(&l);
	if ((r = await_exec(&l, status, e)) < 0) {
		launch_close(&l);
		goto out;
	}
	poststart(&c);
	/* Let state, kill and delete at the container while it runs. */
	close(c.dirfd);
	c.dirfd = -1;
	c.dir_made = false;
	if (detach) {
		*status = 0;
		launch_close(&l);
		goto out;
	}
	if (l.pty_master >= 0) {
		console_proxy(l.pty_master, l.pidfd, NULL);
		siginfo_t si = {0};
		waitid(P_PIDFD, (id_t)l.pidfd, &si, WEXITED);
		*status = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
	} else if ((r = wait_forwarding(l.pidfd, status)) < 0) {
		r = err_sys(e, -r, "wait for the container");
	}
	launch_close(&l);
	if (o->oom_killed)
		*o->oom_killed = c.cg_made && cg_oom_killed(&c.cg) == 1;
	if (!keep)
		finish_run(o, &c);
out:
	if (r < 0)
		rollback(o, &c);
	creation_free(&c);
	return r;
}
