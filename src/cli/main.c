/* main.c — capsa's entry point: picks the command table by the name the
 * binary was invoked under ("capsa-oci" speaks runc's command line) and
 * dispatches to one file per command. */
#include "cli/commands.h"

#include <malloc.h>
#include <stdio.h>
#include <string.h>

/* One line per command; argv[0] of the handler is the command word.
 * Keep the list sorted by name (it is also the --help listing). */
static const struct command commands[] = {
	{"network", network_main, "manage networks: create, ls, inspect, rm, prune"},
	{"oci", oci_main, "the OCI runtime, with runc's command line (capsa oci --help)"},
};

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static void usage(FILE *f)
{
	fputs("usage: capsa [GLOBAL OPTIONS] COMMAND [ARG...]\n\nCommands:\n", f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].help);
	fputs("  version      print the version\n"
	      "\n"
	      "Run 'capsa COMMAND --help' for a command's options.\n"
	      "The same binary invoked as capsa-oci speaks runc's command line directly.\n",
	      f);
}

int main(int argc, char **argv)
{
	/* Grow the heap in one step instead of a brk(2) per 128 KiB: each
	 * system call counts on the container start path. */
	mallopt(M_TOP_PAD, 1 << 20);
	if (strcmp(base_name(argv[0]), "capsa-oci") == 0)
		return oci_main(argc, argv);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("capsa version %s\n", CAPSA_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "capsa: unknown command '%s' (see capsa --help)\n", cmd);
	return 2;
}
