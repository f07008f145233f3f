/* main.c — capsa's entry point: picks the command table by the name the
 * binary was invoked under ("capsa-oci" speaks runc's command line) and
 * dispatches to one file per command. */
#include "base/prefault.h"
#include "cli/commands.h"
#include "engine/ctr.h"
#include "engine/ctr_net.h"
#include "engine/reap.h"
#include "engine/tinyinit.h"

#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* One line per command; argv[0] of the handler is the command word.
 * Keep the list sorted by name (it is also the --help listing). */
static const struct command commands[] = {
    {"container", cmd_container, "container prune: remove every stopped container"},
    {"create", cmd_create, "create a container without starting it"},
    {"exec", cmd_exec, "run a command in a running container"},
    {"image", cmd_image, "manage images: ls, rm, inspect, prune"},
    {"images", cmd_images, "list images"},
    {"import", cmd_import, "make an image from a root filesystem tar"},
    {"inspect", cmd_inspect, "describe containers as JSON"},
    {"kill", cmd_kill, "send a signal to containers"},
    {"list", cmd_ps, "list containers (as ps)"},
    {"load", cmd_load, "load images from a docker-archive or oci-archive tar"},
    {"login", cmd_login, "log in to a registry (checks, then stores the credentials)"},
    {"logout", cmd_logout, "remove the stored credentials for a registry"},
    {"logs", cmd_logs, "print a container's log"},
    {"network", network_main, "manage networks: create, ls, inspect, rm, prune"},
    {"oci", oci_main, "the OCI runtime, with runc's command line (capsa oci --help)"},
    {"pause", cmd_pause, "freeze every process of containers"},
    {"port", cmd_port, "list a container's published ports"},
    {"ps", cmd_ps, "list containers"},
    {"pull", cmd_pull, "fetch an image from a registry"},
    {"rename", cmd_rename, "rename a container"},
    {"restart", cmd_restart, "stop and start containers"},
    {"rm", cmd_rm, "remove containers"},
    {"rmi", cmd_rmi, "remove images"},
    {"run", cmd_run, "create and start a container"},
    {"start", cmd_start, "start created or exited containers"},
    {"stats", cmd_stats, "CPU, memory and processes of running containers"},
    {"stop", cmd_stop, "stop containers (stop signal, then SIGKILL)"},
    {"unpause", cmd_unpause, "thaw paused containers"},
    {"wait", cmd_wait, "wait for containers to exit, print their codes"},
};

/* A first touch of a page costs a fault (about 10 us on a paravirtualised
 * guest).  The binary's code, data and stack were mapped at the ELF entry
 * (base/prefault.h); what is left is the heap, where a container start
 * touches some 20 pages (JSON, the spec's arena, the state).  The block,
 * freed, goes back to the heap's top, where the next allocations find
 * those pages. */
static void prefault_heap(size_t heap)
{
	char *p = malloc(heap);
	if (!p)
		return;
	prefault_range(p + 4095, p + heap - 4095, MADV_POPULATE_WRITE);
	free(p);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static void usage(FILE *f)
{
	fputs("usage: capsa [GLOBAL OPTIONS] COMMAND [ARG...]\n\n"
	      "Global options:\n"
	      "  --root DIR      state root (CAPSA_ROOT; default /run/capsa, rootless\n"
	      "                  $XDG_RUNTIME_DIR/capsa)\n"
	      "  --storage DIR   image store (CAPSA_STORAGE; default /var/lib/capsa, rootless\n"
	      "                  ~/.local/share/capsa)\n\n"
	      "Commands:\n",
	      f);
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
	/* --init: capsa bound at /dev/init as the container's PID 1.  It and
	 * the monitor stay small: no prefault for them. */
	if (strcmp(base_name(argv[0]), "init") == 0)
		return tinyinit_main(argc, argv);
	if (argc > 1 && strcmp(argv[1], "_monitor") == 0)
		return monitor_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "_reap") == 0)
		return reap_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "_net_attach") == 0)
		return ctr_net_attach_main(argc - 1, argv + 1);
	prefault_heap(128 << 10);
	if (strcmp(base_name(argv[0]), "capsa-oci") == 0)
		return oci_main(argc, argv);
	/* Global options --root DIR and --storage DIR (or =DIR): handed down
	 * as CAPSA_ROOT and CAPSA_STORAGE, which the engine, the image store
	 * (store_root_resolve) and capsa-pull all read. */
	while (argc > 2) {
		bool root = !strncmp(argv[1], "--root", 6);
		size_t n = root ? 6 : !strncmp(argv[1], "--storage", 9) ? 9 : 0;
		if (!n)
			break;
		const char *v = argv[1][n] == '=' ? argv[1] + n + 1 : argv[1][n] ? NULL : argv[2];
		if (!v)
			break;
		if (setenv(root ? "CAPSA_ROOT" : "CAPSA_STORAGE", v, 1) < 0) {
			perror("capsa: setenv");
			return 125;
		}
		int used = argv[1][n] == '=' ? 1 : 2;
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
