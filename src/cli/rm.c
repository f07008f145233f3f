/* rm.c — `capsa rm [-f] CONTAINER...`. */
#include "base/error.h"
#include "cli/commands.h"
#include "cli/engine_cli.h"
#include "engine/ctr.h"
#include "engine/store.h"

#include <getopt.h>

static void usage(FILE *f)
{
	fputs("usage: capsa rm [-f] CONTAINER...\n\n"
	      "Remove containers: record, bundle, log, name.  A running one is refused\n"
	      "unless --force, which kills it first.\n\n"
	      "Options:\n"
	      "  -f, --force   kill a running container, then remove it\n"
	      "      --help    this help\n",
	      f);
}

static int rm_one(struct ctr_store *s, const char *id, void *arg, struct err *e)
{
	return ctr_remove(s, id, *(bool *)arg, e);
}

int cmd_rm(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"force", no_argument, NULL, 'f'}, {"help", no_argument, NULL, 'H'}, {0}};
	int c;
	bool force = false;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+f", opts, NULL)) != -1) {
		if (c == 'f')
			force = true;
		else if (c == 'H')
			return usage(stdout), 0;
		else
			return eng_usage("rm", "unknown option %s", argv[optind - 1]);
	}
	if (optind >= argc)
		return eng_usage("rm", "expects at least one CONTAINER");
	struct ctr_store s;
	int rc = cli_store("rm", &s);
	if (rc)
		return rc;
	rc = cli_each("rm", &s, argc, argv, optind, true, rm_one, &force);
	ctr_store_close(&s);
	return rc;
}
