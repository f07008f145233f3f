/* import.c — `capsa import FILE|- [NAME[:TAG]]`: a root filesystem tar
 * becomes a one-layer image (through capsa-pull, which unpacks it). */
#include "base/error.h"
#include "cli/commands.h"
#include "cli/image_cli.h"
#include "image/helper.h"

#include <getopt.h>
#include <stdio.h>

static const char usage[] = "usage: capsa import [--storage DIR] FILE|- [NAME[:TAG]]\n\n"
			    "Make an image from a root filesystem tar (plain, gzip or zstd).\n"
			    "Prints the new image's ID.";

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'}, {0}};
	int c;
	if (cli_take_storage("import", &argc, argv))
		return 1;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h')
			return puts(usage), 0;
		else
			return cli_usage("import", "unknown option");
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cli_usage("import", "want FILE and an optional NAME[:TAG]");
	char root[4096];
	int r = cli_store_root("import", root, sizeof(root));
	if (r)
		return r;
	char *args[] = {argv[optind], optind + 1 < argc ? argv[optind + 1] : NULL, NULL};
	struct err e = {0};
	helper_exec("import", root, args, &e);
	fprintf(stderr, "capsa import: %s\n", e.msg);
	return 1;
}
