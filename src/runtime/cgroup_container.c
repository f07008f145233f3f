/* cgroup_container.c — pause, resume, update and stats of a container:
 * the container operations that act on its cgroup alone (container.h). */
#include "runtime/container.h"

#include "base/arena.h"
#include "base/cleanup.h"
#include "base/error.h"
#include "runtime/cgroup.h"
#include "runtime/state.h"

#include <errno.h>

/* The running (or paused) container's recorded cgroup, locked. */
static int open_running(const char *root, const char *id, int *dirfd, struct cgroup *cg,
			bool *frozen, struct err *e)
{
	int r = state_open(root, id, true, dirfd, e);
	if (r < 0)
		return r;
	struct rt_state st;
	if ((r = state_read(*dirfd, id, &st, e)) < 0)
		return r;
	enum rt_status s = state_status(*dirfd, &st);
	rt_state_free(&st);
	if (s != ST_RUNNING && s != ST_CREATED)
		return err_msg(e, EINVAL, "container \"%s\" is %s, not running", id,
			       rt_status_name(s));
	if ((r = cg_load(*dirfd, cg, e)) < 0)
		return r;
	if (r == 0)
		return err_msg(e, ENOTSUP,
			       "container \"%s\" has no cgroup of its own (rootless without a "
			       "delegated cgroup v2 subtree)",
			       id);
	*frozen = cg_is_frozen(cg) == 1;
	return 0;
}

int rt_pause(const char *root, const char *id, bool pause, struct err *e)
{
	_cleanup_close_ int dirfd = -1;
	struct cgroup cg;
	bool frozen;
	int r = open_running(root, id, &dirfd, &cg, &frozen, e);
	if (r < 0)
		return r;
	if (pause && frozen)
		return err_msg(e, EINVAL, "container \"%s\" is already paused", id);
	if (!pause && !frozen)
		return err_msg(e, EINVAL, "container \"%s\" is not paused", id);
	if ((r = cg_freeze(&cg, pause, e)) < 0)
		return err_prefix(e, "container \"%s\"", id);
	return 0;
}

int rt_update(const char *root, const char *id, json_object *res, const char *doc, struct err *e)
{
	_cleanup_close_ int dirfd = -1;
	struct cgroup cg;
	bool frozen;
	struct arena a = {0};
	struct cg_resources rs;
	/* A bad value is refused before anything is written. */
	int r = cg_resources_parse(res, doc, "resources", &a, &rs, e);
	if (r == 0)
		r = open_running(root, id, &dirfd, &cg, &frozen, e);
	if (r == 0 && (r = cg_apply(&cg, &rs, e)) < 0)
		err_prefix(e, "update container \"%s\"", id);
	arena_free(&a);
	return r;
}

int rt_stats(const char *root, const char *id, json_object **out, struct err *e)
{
	_cleanup_close_ int dirfd = -1;
	struct cgroup cg;
	bool frozen;
	int r = open_running(root, id, &dirfd, &cg, &frozen, e);
	if (r < 0)
		return r;
	*out = cg_stats(&cg);
	return 0;
}
