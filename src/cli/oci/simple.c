/* simple.c — the one-argument commands: start, state, delete. */
#include "base/error.h"
#include "base/json.h"
#include "cli/oci/oci.h"
#include "runtime/container.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static int one_id(const char *cmd, int argc, char **argv, const char *help, const char *extra,
		  const char **id)
{
	if (oci_wants_help(argc, argv)) {
		printf("usage: capsa oci %s %sCONTAINER-ID\n\n%s\n", cmd, extra, help);
		return 0;
	}
	for (int i = optind; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1])
			return oci_usage(cmd, "unknown option '%s'", argv[i]);
	if (optind + 1 != argc)
		return oci_usage(cmd, "expects exactly one CONTAINER-ID");
	*id = argv[optind];
	return -1;
}

int oci_cmd_start(struct oci_global *g, int argc, char **argv)
{
	const char *id;
	optind = 1;
	int r = one_id("start", argc, argv, "Start the process of a created container.", "", &id);
	if (r >= 0)
		return r;
	struct err e = {0};
	return rt_start(g->root, id, &e) < 0 ? oci_fail(g, &e, 1) : 0;
}

int oci_cmd_state(struct oci_global *g, int argc, char **argv)
{
	const char *id;
	optind = 1;
	int r = one_id("state", argc, argv,
		       "Print the state of a container as JSON (runtime-spec state, plus\n"
		       "rootfs, created and owner as runc prints them).",
		       "", &id);
	if (r >= 0)
		return r;
	struct err e = {0};
	json_object *o;
	if (rt_state(g->root, id, &o, &e) < 0)
		return oci_fail(g, &e, 1);
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return 0;
}

int oci_cmd_delete(struct oci_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"force", no_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'}, {0}};
	bool force = false;
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		if (c == 'f')
			force = true;
		else if (c == 'h') {
			puts("usage: capsa oci delete [--force] CONTAINER-ID\n\n"
			     "Delete a stopped or created container.  --force kills a running one "
			     "first.");
			return 0;
		} else
			return oci_usage("delete", "bad option");
	}
	if (optind + 1 != argc)
		return oci_usage("delete", "expects exactly one CONTAINER-ID");
	struct err e = {0};
	int r = rt_delete(g->root, argv[optind], force, &e);
	/* runc: deleting a container that does not exist with --force is
	 * not an error (callers use it to make sure it is gone). */
	if (r < 0 && !(force && r == -ENOENT))
		return oci_fail(g, &e, 1);
	return 0;
}
