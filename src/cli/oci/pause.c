/* pause.c — `capsa oci pause ID` and `capsa oci resume ID`: the
 * container's cgroup freezer (v1 freezer.state, v2 cgroup.freeze). */
#include "base/error.h"
#include "cli/oci/oci.h"
#include "runtime/container.h"

#include <stdio.h>
#include <string.h>

static int freeze_cmd(struct oci_global *g, int argc, char **argv, bool pause)
{
	const char *name = pause ? "pause" : "resume";
	if (oci_wants_help(argc, argv)) {
		printf("usage: capsa oci %s CONTAINER-ID\n\n%s\n", name,
		       pause ? "Freeze every process of a running container (state: paused)."
			     : "Thaw the processes of a paused container (state: running).");
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-')
		return oci_usage(name, "expects CONTAINER-ID");
	struct err e = {0};
	return rt_pause(g->root, argv[1], pause, &e) < 0 ? oci_fail(g, &e, 1) : 0;
}

int oci_cmd_pause(struct oci_global *g, int argc, char **argv)
{
	return freeze_cmd(g, argc, argv, true);
}

int oci_cmd_resume(struct oci_global *g, int argc, char **argv)
{
	return freeze_cmd(g, argc, argv, false);
}
