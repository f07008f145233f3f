/* main.c — capsa-pull, the helper that capsa execs for everything that
 * reads untrusted image data from outside: registry pulls, archive loads,
 * rootfs imports.  It is the only binary that links libarchive (and, for
 * pulls, libcurl and libcrypto), which keeps them off capsa's run path.
 *
 *   capsa-pull SUBCOMMAND --storage DIR [ARG...]
 *
 * capsa always passes the resolved store root explicitly. */
#include "pull/commands.h"

#include <stdio.h>
#include <string.h>

/* One line per subcommand, sorted by name; the NULL line ends the table. */
static const struct pull_command commands[] = {
    {"import", pull_import_main, "make an image from a root filesystem tar"},
    {"load", pull_load_main, "load a docker-archive or oci-archive tar"},
    {NULL, NULL, NULL},
};

static void usage(FILE *f)
{
	fputs("usage: capsa-pull SUBCOMMAND --storage DIR [ARG...]\n\nSubcommands:\n", f);
	for (size_t i = 0; commands[i].name; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; commands[i].name; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "capsa-pull: unknown subcommand '%s'\n", argv[1]);
	return 2;
}
