/* restart.c — `capsa restart [-t N] CONTAINER...`: stop if running,
 * then start under a monitor. */
#include "base/error.h"
#include "cli/commands.h"
#include "cli/engine_cli.h"
#include "engine/ctr.h"
#include "engine/store.h"

#include <getopt.h>
#include <stdlib.h>

static void usage(FILE *f)
{
	fputs("usage: capsa restart [-t N] CONTAINER...\n\n"
	      "Stop each container if it runs (as `capsa stop`), then start it again\n"
	      "detached (as `capsa start`).\n\n"
	      "Options:\n"
	      "  -t, --time N   seconds to wait before SIGKILL (default: --stop-timeout, 10)\n"
	      "      --help     this help\n",
	      f);
}

static int restart_one(struct ctr_store *s, const char *id, void *arg, struct err *e)
{
	struct record r;
	int rc = ctr_load(s, id, &r, e);
	if (rc < 0)
		return rc;
	bool running = r.state == CS_RUNNING;
	record_free(&r);
	if (running && (rc = ctr_stop(s, id, *(int *)arg, e)) < 0)
		return rc;
	int status;
	return ctr_start_detached(s, id, NULL, 0, &status, e);
}

int cmd_restart(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"time", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'H'}, {0}};
	int c, timeout = -1;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+t:", opts, NULL)) != -1) {
		if (c == 't') {
			int rc = cli_time_arg("restart", optarg, &timeout);
			if (rc)
				return rc;
		} else if (c == 'H') {
			return usage(stdout), 0;
		} else {
			return eng_usage("restart", "unknown option %s", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return eng_usage("restart", "expects at least one CONTAINER");
	struct ctr_store s;
	int rc = cli_store("restart", &s);
	if (rc)
		return rc;
	rc = cli_each("restart", &s, argc, argv, optind, true, restart_one, &timeout);
	ctr_store_close(&s);
	return rc;
}
