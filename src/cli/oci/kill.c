/* kill.c — `capsa oci kill [--all] ID [SIGNAL]`. */
#include "base/error.h"
#include "cli/oci/oci.h"
#include "runtime/container.h"
#include "runtime/signals.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>

int oci_cmd_kill(struct oci_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"all", no_argument, NULL, 'a'}, {"help", no_argument, NULL, 'h'}, {0}};
	bool all = false;
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+ah", opts, NULL)) != -1) {
		if (c == 'a')
			all = true;
		else if (c == 'h') {
			puts("usage: capsa oci kill [--all] CONTAINER-ID [SIGNAL]\n\n"
			     "Send SIGNAL (a name like TERM or SIGKILL, or a number; default\n"
			     "SIGTERM) to the container's init, or with --all to all of its "
			     "processes.");
			return 0;
		} else
			return oci_usage("kill", "bad option");
	}
	if (optind >= argc || argc - optind > 2)
		return oci_usage("kill", "expects CONTAINER-ID [SIGNAL]");
	int sig = SIGTERM;
	if (optind + 1 < argc && (sig = signal_parse(argv[optind + 1])) < 0)
		return oci_usage("kill", "unknown signal \"%s\"", argv[optind + 1]);
	struct err e = {0};
	return rt_kill(g->root, argv[optind], sig, all, &e) < 0 ? oci_fail(g, &e, 1) : 0;
}
