/* pause.c — `capsa pause|unpause CONTAINER...`: freeze and thaw every
 * process of a running container through its cgroup's freezer. */
#include "base/error.h"
#include "cli/commands.h"
#include "cli/engine_cli.h"
#include "engine/ctr.h"
#include "engine/store.h"
#include "runtime/container.h"

#include <errno.h>
#include <string.h>

static int pause_one(struct ctr_store *s, const char *id, void *arg, struct err *e)
{
	bool pause = *(bool *)arg;
	struct record r;
	int rc = ctr_load(s, id, &r, e);
	if (rc < 0)
		return rc;
	if (r.state != CS_RUNNING)
		rc = err_msg(e, EINVAL, "container %s is not running (%s)", r.name,
			     ctr_state_name(r.state));
	else if ((rc = rt_pause(s->runtime, id, pause, e)) < 0)
		err_prefix(e, "container %s", r.name);
	record_free(&r);
	return rc;
}

static int pause_or_unpause(int argc, char **argv, bool pause)
{
	const char *cmd = argv[0];
	if (cli_wants_help(argc, argv)) {
		printf("usage: capsa %s CONTAINER...\n\n%s every process of the containers "
		       "(the cgroup freezer).\n",
		       cmd, pause ? "Freeze" : "Thaw");
		return 0;
	}
	if (argc > 1 && argv[1][0] == '-')
		return eng_usage(cmd, "unknown option %s", argv[1]);
	if (argc < 2)
		return eng_usage(cmd, "expects at least one CONTAINER");
	struct ctr_store s;
	int rc = cli_store(cmd, &s);
	if (rc)
		return rc;
	rc = cli_each(cmd, &s, argc, argv, 1, true, pause_one, &pause);
	ctr_store_close(&s);
	return rc;
}

int cmd_pause(int argc, char **argv)
{
	return pause_or_unpause(argc, argv, true);
}

int cmd_unpause(int argc, char **argv)
{
	return pause_or_unpause(argc, argv, false);
}
