/* main.c — capsa's entry point: picks the command table by the name the
 * binary was invoked under ("capsa-oci" speaks runc's command line) and
 * dispatches to one file per command. */
#include "cli/commands.h"

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* One line per command; argv[0] of the handler is the command word.
 * Keep the list sorted by name (it is also the --help listing). */
static const struct command commands[] = {
    {"image", cmd_image, "manage images: ls, rm, inspect, prune"},
    {"images", cmd_images, "list images"},
    {"import", cmd_import, "make an image from a root filesystem tar"},
    {"load", cmd_load, "load images from a docker-archive or oci-archive tar"},
    {"login", cmd_login, "log in to a registry (checks, then stores the credentials)"},
    {"logout", cmd_logout, "remove the stored credentials for a registry"},
    {"oci", oci_main, "the OCI runtime, with runc's command line (capsa oci --help)"},
    {"pull", cmd_pull, "fetch an image from a registry"},
    {"rmi", cmd_rmi, "remove images"},
};

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

extern char __executable_start[], etext[];

static void populate(uintptr_t start, uintptr_t end, int how)
{
	start &= ~(uintptr_t)4095;
	end = (end + 4095) & ~(uintptr_t)4095;
	(void)madvise((void *)start, end - start, how);
}

/* A first touch of a page costs a fault (about 10 us on a paravirtualised
 * guest), and a container start touches some 20 heap pages (JSON, the
 * spec's arena, the state), 8 of stack and code all over the binary.
 * Three madvise calls map them at once.  The heap block, freed, goes back
 * to the heap's top, where the next allocations find those pages.  Older
 * kernels say EINVAL: then the pages fault in as before. */
static void prefault(size_t heap, size_t stack)
{
	populate((uintptr_t)__executable_start, (uintptr_t)etext, MADV_POPULATE_READ);
	char here;
	populate((uintptr_t)&here - stack, (uintptr_t)&here - 4096, MADV_POPULATE_WRITE);
	char *p = malloc(heap);
	if (!p)
		return;
	populate((uintptr_t)p + 4095, (uintptr_t)p + heap - 4095, MADV_POPULATE_WRITE);
	free(p);
}

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
	 * system call counts on the container start path.  Keep big blocks
	 * (the init's stack) in the heap and never shrink it: an munmap or a
	 * brk down costs a TLB shootdown on every CPU this process ran on. */
	mallopt(M_TOP_PAD, 1 << 20);
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	prefault(128 << 10, 64 << 10);
	if (strcmp(base_name(argv[0]), "capsa-oci") == 0)
		return oci_main(argc, argv);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	/* Global --storage DIR: handed down as CAPSA_STORAGE, which the store
	 * (store_root_resolve) and capsa-pull both read. */
	while (argc > 2 && !strncmp(argv[1], "--storage", 9)) {
		const char *v = argv[1][9] == '=' ? argv[1] + 10 : argv[1][9] ? NULL : argv[2];
		if (!v)
			break;
		if (setenv("CAPSA_STORAGE", v, 1) < 0) {
			perror("capsa: --storage");
			return 1;
		}
		int used = argv[1][9] == '=' ? 1 : 2;
		argc -= used;
		argv += used;
	}
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
