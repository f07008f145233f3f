/* kill.c — `capsa kill [-s SIG] CONTAINER...`. */
#include "base/error.h"
#include "cli/commands.h"
#include "cli/engine_cli.h"
#include "engine/ctr.h"
#include "engine/store.h"
#include "runtime/signals.h"

#include <getopt.h>
#include <signal.h>

static void usage(FILE *f)
{
	fputs("usage: capsa kill [-s SIGNAL] CONTAINER...\n\n"
	      "Send a signal (default SIGKILL) to the container's init.\n\n"
	      "Options:\n"
	      "  -s, --signal SIG   name (TERM, SIGTERM) or number\n"
	      "      --help         this help\n",
	      f);
}

static int kill_one(struct ctr_store *s, const char *id, void *arg, struct err *e)
{
	return ctr_kill(s, id, *(int *)arg, e);
}

int cmd_kill(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"signal", required_argument, NULL, 's'}, {"help", no_argument, NULL, 'H'}, {0}};
	int c, sig = SIGKILL;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+s:", opts, NULL)) != -1) {
		if (c == 's') {
			if ((sig = signal_parse(optarg)) <= 0)
				return eng_usage("kill", "--signal \"%s\": unknown signal", optarg);
		} else if (c == 'H') {
			return usage(stdout), 0;
		} else {
			return eng_usage("kill", "unknown option %s", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return eng_usage("kill", "expects at least one CONTAINER");
	struct ctr_store s;
	int rc = cli_store("kill", &s);
	if (rc)
		return rc;
	rc = cli_each("kill", &s, argc, argv, optind, true, kill_one, &sig);
	ctr_store_close(&s);
	return rc;
}
