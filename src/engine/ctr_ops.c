/* ctr_ops.c — load (with repair), kill, stop, wait, remove (see ctr.h). */
#include "engine/ctr.h"
#include "engine/exits.h"
#include "engine/ctr_net.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "engine/image_use.h"
#include "engine/store.h"
#include "net/net.h"
#include "runtime/container.h"
#include "runtime/state.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

bool ctr_live(struct ctr_store *s, const char *id, pid_t *pid, bool *paused)
{
	json_object *st = NULL;
	if (pid)
		*pid = 0;
	if (paused)
		*paused = false;
	if (rt_state(s->runtime, id, &st, NULL) < 0)
		return false;
	json_object *v;
	const char *status =
	    json_object_object_get_ex(st, "status", &v) ? json_object_get_string(v) : "";
	bool frozen = !strcmp(status, "paused");
	bool running = frozen || !strcmp(status, "running");
	if (running && pid)
		*pid = json_object_object_get_ex(st, "pid", &v) ? json_object_get_int(v) : 0;
	if (paused)
		*paused = frozen;
	json_object_put(st);
	return running;
}

int ctr_load(struct ctr_store *s, const char *id, struct record *r, struct err *e)
{
	_cleanup_close_ int dirfd = -1;
	int rc = ctr_store_lock(s, id, true, &dirfd, e);
	if (rc < 0)
		return rc;
	if ((rc = record_read(dirfd, id, r, e)) < 0)
		return rc;
	if (r->state != CS_RUNNING || record_owner_alive(r))
		return 0;
	/* Its owner was killed.  A container still running stays so (stop
	 * and kill reach it through the runtime); one that ended has an
	 * exit code nobody could collect. */
	if (ctr_live(s, id, NULL, NULL))
		return 0;
	rt_delete(s->runtime, id, true, NULL);
	char now[64];
	rfc3339_now(now);
	r->state = CS_EXITED;
	r->exit_code = 255;
	r->owner = 0;
	r->owner_start = 0;
	free(r->finished);
	free(r->error);
	r->finished = strdup(now);
	r->error = strdup("the process that waited for the container was killed; exit code "
			  "unknown");
	if ((rc = record_write(dirfd, r, e)) < 0)
		return rc;
	ctr_net_down(s, id);
	if (r->auto_remove) {
		close(steal_fd(&dirfd));
		ctr_discard(s, r);
	}
	return 0;
}

void ctr_discard(struct ctr_store *s, const struct record *r)
{
	/* Idempotent: nothing to do for a container without a network. */
	struct err ne = {0};
	if (net_teardown(s->root, r->id, &ne) < 0)
		fprintf(stderr, "capsa: warning: container %.12s: %s\n", r->id, ne.msg);
	/* For a `capsa wait` that comes late (a --rm container's record
	 * goes as it exits); the code of one that never ran is no exit. */
	if (r->state == CS_EXITED)
		exits_put(s, r->id, r->exit_code);
	names_release(s, r->name, r->id);
	if (r->image) {
		struct err e = {0};
		char trashed[PATH_MAX] = "";
		if (ctr_image_remove(r->storage, r->id, trashed, sizeof(trashed), &e) < 0)
			fprintf(stderr, "capsa: warning: container %.12s: %s\n", r->id, e.msg);
		ctr_store_reap_later(s, trashed);
	}
	ctr_store_remove(s, r->id, NULL);
}

static int not_running(const struct record *r, struct err *e)
{
	return err_msg(e, EINVAL, "container %s is not running (%s)", r->name,
		       ctr_state_name(r->state));
}

int ctr_kill(struct ctr_store *s, const char *id, int sig, struct err *e)
{
	struct record r;
	int rc = ctr_load(s, id, &r, e);
	if (rc < 0)
		return rc;
	if (r.state != CS_RUNNING)
		rc = not_running(&r, e);
	else if ((rc = rt_kill(s->runtime, id, sig, false, e)) < 0)
		err_prefix(e, "container %s", r.name);
	record_free(&r);
	return rc;
}

static int pidfd_of(pid_t pid)
{
	return pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
}

/* Wait up to `ms` (-1: for ever) for the process behind `fd` to end. */
static bool wait_fd(int fd, int ms)
{
	if (fd < 0)
		return true;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	for (;;) {
		int n = poll(&p, 1, ms);
		if (n < 0 && errno == EINTR)
			continue;
		return n != 0;
	}
}

/* Wait for the owner of a running record to finish recording. */
static void wait_owner(const struct record *r)
{
	if (!record_owner_alive(r))
		return;
	_cleanup_close_ int fd = pidfd_of(r->owner);
	if (fd >= 0 && record_owner_alive(r))
		wait_fd(fd, -1);
}

/* Bring a running container down: `sig` first (0: straight to SIGKILL),
 * SIGKILL to every process after `timeout` seconds, then wait for its
 * owner to record the exit.  An owner still starting the container is
 * watched until the container shows up in the runtime or it gives up. */
static void bring_down(struct ctr_store *s, const char *id, const struct record *r, int sig,
		       int timeout)
{
	_cleanup_close_ int owner = record_owner_alive(r) ? pidfd_of(r->owner) : -1;
	bool signalled = false;
	for (;;) {
		pid_t pid = 0;
		if (!signalled && ctr_live(s, id, &pid, NULL)) {
			_cleanup_close_ int fd = pidfd_of(pid);
			if (!sig || rt_kill(s->runtime, id, sig, false, NULL) < 0 ||
			    !wait_fd(fd, timeout * 1000)) {
				rt_kill(s->runtime, id, SIGKILL, true, NULL);
				wait_fd(fd, -1);
			}
			signalled = true;
		}
		if (owner < 0 || wait_fd(owner, signalled ? -1 : 100))
			return;
	}
}

int ctr_stop(struct ctr_store *s, const char *id, int timeout, struct err *e)
{
	struct record r;
	int rc = ctr_load(s, id, &r, e);
	if (rc < 0)
		return rc;
	if (r.state != CS_RUNNING) {
		rc = not_running(&r, e);
		goto out;
	}
	bring_down(s, id, &r, r.stop_signal ? r.stop_signal : SIGTERM,
		   timeout < 0 ? r.stop_timeout : timeout);
	record_free(&r);
	/* Repairs the record if the owner died without writing it. */
	rc = ctr_load(s, id, &r, e);
	if (rc == -ENOENT)
		return 0; /* --rm took it */
	if (rc < 0)
		return rc;
out:
	record_free(&r);
	return rc;
}

int ctr_wait(struct ctr_store *s, const char *id, int *code, struct err *e)
{
	struct record r;
	int rc = ctr_load(s, id, &r, e);
	if (rc < 0)
		return rc;
	char name[160];
	snprintf(name, sizeof(name), "%s", r.name);
	if (r.state == CS_RUNNING) {
		wait_owner(&r);
		record_free(&r);
		/* Removed as it exited (--rm): its code was kept (exits.h). */
		if ((rc = ctr_load(s, id, &r, e)) < 0 && exits_get(s, id, code) == 0)
			return 0;
		if (rc < 0)
			return err_msg(e, -rc, "container %s was removed before it exited", name);
	}
	*code = r.exit_code;
	record_free(&r);
	return 0;
}

int ctr_remove(struct ctr_store *s, const char *id, bool force, struct err *e)
{
	struct record r;
	int rc = ctr_load(s, id, &r, e);
	if (rc < 0)
		return rc;
	if (r.state == CS_RUNNING) {
		if (!force) {
			rc = err_msg(e, EBUSY,
				     "container %s is running: stop it first, or use rm --force",
				     r.name);
			goto out;
		}
		bring_down(s, id, &r, 0, 0);
	}
	rt_delete(s->runtime, id, true, NULL);
	ctr_discard(s, &r);
out:
	record_free(&r);
	return rc;
}
