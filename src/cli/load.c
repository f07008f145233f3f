/* load.c — `capsa load [-i FILE]`: images from a docker-archive or
 * oci-archive tar (stdin without -i).  The archive is untrusted input:
 * capsa-pull reads it (DESIGN.md). */
#include "base/error.h"
#include "cli/commands.h"
#include "cli/image_cli.h"
#include "image/helper.h"

#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

static const char usage[] = "usage: capsa load [-i FILE] [-q] [--storage DIR]\n\n"
			    "Load images from a tar archive as `docker save` or `podman save`\n"
			    "write them (docker-archive or oci-archive), or from stdin.";

int cmd_load(int argc, char **argv)
{
	static const struct option opts[] = {{"input", required_argument, NULL, 'i'},
					     {"quiet", no_argument, NULL, 'q'},
					     {"help", no_argument, NULL, 'h'},
					     {0}};
	const char *input = "-";
	int c;
	if (cli_take_storage("load", &argc, argv))
		return 1;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+i:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			input = optarg;
			break;
		case 'q':
			break;
		case 'h':
			puts(usage);
			return 0;
		default:
			return cli_usage("load", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage("load", "unexpected argument (the archive goes after -i)");
	if (input[0] == '-' && !input[1] && isatty(STDIN_FILENO))
		return cli_usage("load", "no -i FILE and stdin is a terminal");
	char root[4096];
	int r = cli_store_root("load", root, sizeof(root));
	if (r)
		return r;
	char *args[] = {(char *)input, NULL};
	struct err e = {0};
	helper_exec("load", root, args, &e);
	fprintf(stderr, "capsa load: %s\n", e.msg);
	return 1;
}
