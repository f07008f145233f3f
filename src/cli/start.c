/* start.c — `capsa start [-a] CONTAINER...`. */
#include "base/error.h"
#include "cli/commands.h"
#include "cli/engine_cli.h"
#include "engine/ctr.h"
#include "engine/store.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: capsa start [-a] CONTAINER...\n\n"
	      "Start created or exited containers under a monitor (as run -d).\n"
	      "With -a, start one container attached: its stdio is ours and capsa exits\n"
	      "with its status (as run without -d).\n\n"
	      "Options:\n"
	      "  -a, --attach   run attached (one container)\n"
	      "      --help     this help\n",
	      f);
}

int cmd_start(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"attach", no_argument, NULL, 'a'}, {"help", no_argument, NULL, 'H'}, {0}};
	bool attach = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+a", opts, NULL)) != -1) {
		if (c == 'a')
			attach = true;
		else if (c == 'H')
			return usage(stdout), 0;
		else
			return eng_usage("start", "unknown option %s", argv[optind - 1]);
	}
	if (optind >= argc)
		return eng_usage("start", "expects at least one CONTAINER");
	if (attach && argc - optind != 1)
		return eng_usage("start", "-a takes exactly one CONTAINER");
	struct ctr_store s;
	int rc = cli_store("start", &s);
	if (rc)
		return rc;
	for (int i = optind; i < argc; i++) {
		struct err e = {0};
		char id[ID_HEX + 1];
		int status = 0;
		if (ctr_store_lookup(&s, argv[i], id, &e) < 0) {
			rc = cli_fail("start", &e, EXIT_ENGINE);
			continue;
		}
		if (attach) {
			if (ctr_run_foreground(&s, id, &status, &e) < 0)
				cli_fail("start", &e, status);
			rc = status;
		} else if (ctr_start_detached(&s, id, NULL, 0, &status, &e) < 0) {
			rc = cli_fail("start", &e, status);
		} else {
			printf("%s\n", argv[i]);
		}
	}
	ctr_store_close(&s);
	return rc;
}
