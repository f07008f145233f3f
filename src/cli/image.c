/* image.c — `capsa image SUBCOMMAND`: ls, rm, inspect, prune, as docker
 * groups them. */
#include "cli/commands.h"

#include <stdio.h>
#include <string.h>

static const struct command subs[] = {
    {"inspect", cmd_image_inspect, "show an image's configuration as JSON"},
    {"ls", cmd_images, "list images (capsa images)"},
    {"prune", cmd_image_prune, "remove unnamed images and unused layers and blobs"},
    {"rm", cmd_rmi, "remove images (capsa rmi)"},
};

int cmd_image(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		FILE *f = argc < 2 ? stderr : stdout;
		fputs("usage: capsa image SUBCOMMAND [ARG...]\n\nSubcommands:\n", f);
		for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
			fprintf(f, "  %-10s %s\n", subs[i].name, subs[i].help);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].run(argc - 1, argv + 1);
	fprintf(stderr, "capsa image: unknown subcommand '%s' (see capsa image --help)\n", argv[1]);
	return 2;
}
