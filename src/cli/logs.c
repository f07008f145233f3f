/* logs.c — `capsa logs [-f] [--tail N] [-t] [--since T] CONTAINER`. */
#include "base/error.h"
#include "cli/commands.h"
#include "cli/engine_cli.h"
#include "engine/ctr.h"
#include "engine/logs.h"
#include "engine/store.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: capsa logs [OPTIONS] CONTAINER\n\n"
	      "Print what a detached container wrote, stdout to stdout and stderr to stderr.\n\n"
	      "Options:\n"
	      "  -f, --follow        keep printing until the container exits\n"
	      "  -n, --tail N        only the last N lines (all: every line)\n"
	      "  -t, --timestamps    prefix each line with its time (RFC 3339, UTC)\n"
	      "      --since T       lines from T on: RFC 3339, unix seconds, or 10s/5m/2h ago\n"
	      "      --help          this help\n",
	      f);
}

struct follow {
	struct ctr_store *s;
	const char *id;
};

static bool still_running(void *arg)
{
	struct follow *f = arg;
	struct record r;
	if (ctr_load(f->s, f->id, &r, NULL) < 0)
		return false;
	bool running = r.state == CS_RUNNING;
	record_free(&r);
	return running;
}

int cmd_logs(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"follow", no_argument, NULL, 'f'},	    {"tail", required_argument, NULL, 'n'},
	    {"timestamps", no_argument, NULL, 't'}, {"since", required_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'H'},	    {0}};
	struct log_opts o = {.tail = -1, .out = 1, .err = 2};
	struct err e = {0};
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+fn:t", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o.follow = true;
			break;
		case 'n':
			if (!strcmp(optarg, "all")) {
				o.tail = -1;
			} else {
				char *end;
				long v = strtol(optarg, &end, 10);
				if (!*optarg || *end || v < 0)
					return eng_usage("logs", "--tail \"%s\": expected a count",
							 optarg);
				o.tail = v;
			}
			break;
		case 't':
			o.timestamps = true;
			break;
		case 'S':
			if (logs_parse_since(optarg, o.since, &e) < 0)
				return eng_usage("logs", "%s", e.msg);
			break;
		case 'H':
			usage(stdout);
			return 0;
		default:
			return eng_usage("logs", "unknown option %s", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return eng_usage("logs", "expects exactly one CONTAINER");
	struct ctr_store s;
	int rc = cli_store("logs", &s);
	if (rc)
		return rc;
	char id[ID_HEX + 1], dir[PATH_MAX + 128];
	if (ctr_store_lookup(&s, argv[optind], id, &e) < 0) {
		rc = cli_fail("logs", &e, 1);
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s/containers/%s", s.root, id);
	struct follow f = {&s, id};
	o.running = still_running;
	o.arg = &f;
	fflush(stdout);
	if (logs_print(dir, &o, &e) < 0)
		rc = cli_fail("logs", &e, 1);
out:
	ctr_store_close(&s);
	return rc;
}
