/* stop.c — `capsa stop [-t N] CONTAINER...`. */
#include "base/error.h"
#include "cli/commands.h"
#include "cli/engine_cli.h"
#include "engine/ctr.h"
#include "engine/store.h"

#include <getopt.h>
#include <stdlib.h>

static void usage(FILE *f)
{
	fputs("usage: capsa stop [-t N] CONTAINER...\n\n"
	      "Send the stop signal (--stop-signal, default SIGTERM), then SIGKILL to every\n"
	      "process of the container after N seconds; return once the exit is recorded.\n"
	      "A container that is not running is an error (exit status 1).\n\n"
	      "Options:\n"
	      "  -t, --time N   seconds to wait before SIGKILL (default: --stop-timeout, 10)\n"
	      "      --help     this help\n",
	      f);
}

static int stop_one(struct ctr_store *s, const char *id, void *arg, struct err *e)
{
	return ctr_stop(s, id, *(int *)arg, e);
}

int cmd_stop(int argc, char **argv)
{
	static const struct option opts[] = {{"time", required_argument, NULL, 't'},
					     {"timeout", required_argument, NULL, 't'},
					     {"help", no_argument, NULL, 'H'},
					     {0}};
	int c, timeout = -1;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+t:", opts, NULL)) != -1) {
		if (c == 't') {
			int rc = cli_time_arg("stop", optarg, &timeout);
			if (rc)
				return rc;
		} else if (c == 'H') {
			return usage(stdout), 0;
		} else {
			return eng_usage("stop", "unknown option %s", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return eng_usage("stop", "expects at least one CONTAINER");
	struct ctr_store s;
	int rc = cli_store("stop", &s);
	if (rc)
		return rc;
	rc = cli_each("stop", &s, argc, argv, optind, true, stop_one, &timeout);
	ctr_store_close(&s);
	return rc;
}
