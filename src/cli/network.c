/* network.c — `capsa network create|ls|inspect|rm|prune`: named
 * networks (src/net/network.h). */
#include "cli/commands.h"

#include "base/error.h"
#include "net/network.h"

#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fputs("usage: capsa network [--root DIR] COMMAND [ARG...]\n"
	      "\n"
	      "  create [--subnet CIDR] NAME   make a network (bridge capsaN, gateway .1)\n"
	      "  ls [-q]                       list networks\n"
	      "  inspect NAME...               show networks as JSON, with their containers\n"
	      "  rm NAME...                    remove networks without containers\n"
	      "  prune                         remove every network without containers\n"
	      "\n"
	      "The default network \"" NET_DEFAULT_NAME "\" (bridge " NET_DEFAULT_BRIDGE
	      ", " NET_DEFAULT_SUBNET ") is made on first use.\n"
	      "--root (or CAPSA_ROOT) is the state root: default /run/capsa, rootless\n"
	      "$XDG_RUNTIME_DIR/capsa.\n",
	      f);
}

static const char *state_root(const char *opt, char *buf, size_t len)
{
	if (opt)
		return opt;
	const char *env = getenv("CAPSA_ROOT");
	if (env && *env)
		return env;
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	if (geteuid() != 0 && xdg && *xdg) {
		snprintf(buf, len, "%s/capsa", xdg);
		return buf;
	}
	return "/run/capsa";
}

static int fail(struct err *e)
{
	fprintf(stderr, "capsa network: %s\n", e->msg);
	return 125;
}

static int sub_create(const char *root, int argc, char **argv)
{
	const char *subnet = NULL;
	static const struct option opts[] = {
	    {"subnet", required_argument, NULL, 's'}, {"help", no_argument, NULL, 'h'}, {0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 's')
			subnet = optarg;
		else if (c == 'h') {
			usage(stdout);
			return 0;
		} else
			return 125;
	}
	if (optind != argc - 1) {
		fputs("capsa network create: need exactly one NAME\n", stderr);
		return 125;
	}
	struct err e = {0};
	struct network nw;
	if (network_create(root, argv[optind], subnet, &nw, &e) < 0)
		return fail(&e);
	puts(nw.name);
	return 0;
}

static int sub_ls(const char *root, int argc, char **argv)
{
	int quiet = argc > 1 && (!strcmp(argv[1], "-q") || !strcmp(argv[1], "--quiet"));
	struct err e = {0};
	struct network *nws = NULL;
	size_t n = 0;
	if (network_list(root, &nws, &n, &e) < 0)
		return fail(&e);
	if (!quiet)
		printf("%-20s %-10s %-18s %s\n", "NAME", "BRIDGE", "SUBNET", "GATEWAY");
	for (size_t i = 0; i < n; i++) {
		char s[20], g[16];
		if (quiet)
			puts(nws[i].name);
		else
			printf("%-20s %-10s %-18s %s\n", nws[i].name, nws[i].bridge,
			       cidr_format(&nws[i].subnet, s), ip4_format(nws[i].gateway, g));
	}
	free(nws);
	return 0;
}

static int sub_inspect(const char *root, int argc, char **argv)
{
	if (argc < 2) {
		fputs("capsa network inspect: need a NAME\n", stderr);
		return 125;
	}
	json_object *arr = json_object_new_array();
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		struct err e = {0};
		struct network nw;
		uint32_t count = 0;
		char *members = NULL;
		if (network_load(root, argv[i], &nw, &e) < 0 ||
		    network_members(root, argv[i], &count, &members, &e) < 0) {
			fail(&e);
			rc = 125;
			continue;
		}
		char s[20], g[16];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(nw.name));
		json_object_object_add(o, "driver", json_object_new_string("bridge"));
		json_object_object_add(o, "bridge", json_object_new_string(nw.bridge));
		json_object_object_add(o, "subnet",
				       json_object_new_string(cidr_format(&nw.subnet, s)));
		json_object_object_add(o, "gateway",
				       json_object_new_string(ip4_format(nw.gateway, g)));
		json_object *ctrs = json_object_new_array();
		for (char *p = members, *save = NULL, *line; (line = strtok_r(p, "\n", &save));
		     p = NULL) {
			char ip[64], id[128], name[128];
			if (sscanf(line, "%63s %127s %127s", ip, id, name) != 3)
				continue;
			json_object *c = json_object_new_object();
			json_object_object_add(c, "id", json_object_new_string(id));
			json_object_object_add(c, "name", json_object_new_string(name));
			json_object_object_add(c, "ip", json_object_new_string(ip));
			json_object_array_add(ctrs, c);
		}
		free(members);
		json_object_object_add(o, "containers", ctrs);
		json_object_array_add(arr, o);
	}
	puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY));
	json_object_put(arr);
	return rc;
}

static int sub_rm(const char *root, int argc, char **argv)
{
	if (argc < 2) {
		fputs("capsa network rm: need a NAME\n", stderr);
		return 125;
	}
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		struct err e = {0};
		if (network_remove(root, argv[i], &e) < 0)
			rc = fail(&e);
		else
			puts(argv[i]);
	}
	return rc;
}

static int sub_prune(const char *root, int argc, char **argv)
{
	struct err e = {0};
	struct network *nws = NULL;
	size_t n = 0;
	if (network_list(root, &nws, &n, &e) < 0)
		return fail(&e);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t count = 0;
		if (!strcmp(nws[i].name, NET_DEFAULT_NAME))
			continue;
		if (network_members(root, nws[i].name, &count, NULL, &e) < 0) {
			rc = fail(&e);
			continue;
		}
		if (count)
			continue;
		if (network_remove(root, nws[i].name, &e) < 0)
			rc = fail(&e);
		else
			puts(nws[i].name);
	}
	free(nws);
	return rc;
}

int network_main(int argc, char **argv)
{
	const char *root_opt = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--root") && i + 1 < argc)
			root_opt = argv[++i];
		else if (!strncmp(argv[i], "--root=", 7))
			root_opt = argv[i] + 7;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "capsa network: unknown option '%s'\n", argv[i]);
			return 125;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 125;
	}
	char buf[4096];
	const char *root = state_root(root_opt, buf, sizeof(buf));
	const char *sub = argv[i];
	argc -= i;
	argv += i;
	if (!strcmp(sub, "create"))
		return sub_create(root, argc, argv);
	if (!strcmp(sub, "ls") || !strcmp(sub, "list"))
		return sub_ls(root, argc, argv);
	if (!strcmp(sub, "inspect"))
		return sub_inspect(root, argc, argv);
	if (!strcmp(sub, "rm") || !strcmp(sub, "remove"))
		return sub_rm(root, argc, argv);
	if (!strcmp(sub, "prune"))
		return sub_prune(root, argc, argv);
	fprintf(stderr, "capsa network: unknown command '%s' (see capsa network --help)\n", sub);
	return 125;
}
