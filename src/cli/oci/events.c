/* events.c — `capsa oci events [--stats] [--interval T] ID`: the
 * container's usage as JSON, once or every interval, and "oom" events. */
#include "base/error.h"
#include "base/json.h"
#include "cli/oci/oci.h"
#include "runtime/container.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* "5s", "500ms", "1m", or a plain number of seconds. */
static int parse_interval(const char *s, long long *ms)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v <= 0)
		return -1;
	double mul = !strcmp(end, "ms")		    ? 1
		     : (!*end || !strcmp(end, "s")) ? 1000
		     : !strcmp(end, "m")	    ? 60000
						    : -1;
	if (mul < 0)
		return -1;
	*ms = (long long)(v * mul);
	return *ms > 0 ? 0 : -1;
}

static void emit(const char *type, const char *id, json_object *data)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "id", json_object_new_string(id));
	if (data)
		json_object_object_add(o, "data", data);
	printf("%s\n", json_compact(o));
	fflush(stdout);
	json_object_put(o);
}

static unsigned long long oom_count(json_object *stats)
{
	json_object *m, *k;
	if (json_object_object_get_ex(stats, "memory", &m) &&
	    json_object_object_get_ex(m, "oomKill", &k))
		return (unsigned long long)json_object_get_uint64(k);
	return 0;
}

int oci_cmd_events(struct oci_global *g, int argc, char **argv)
{
	static const struct option opts[] = {{"stats", no_argument, NULL, 's'},
					     {"interval", required_argument, NULL, 'i'},
					     {"help", no_argument, NULL, 'h'},
					     {0}};
	bool once = false;
	long long ms = 5000;
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 's') {
			once = true;
		} else if (c == 'i') {
			if (parse_interval(optarg, &ms) < 0)
				return oci_usage("events",
						 "--interval \"%s\": not a duration "
						 "(like 5s or 500ms)",
						 optarg);
		} else if (c == 'h') {
			puts("usage: capsa oci events [--stats] [--interval T] CONTAINER-ID\n\n"
			     "Print the container's usage (cpu, memory, pids) as JSON lines:\n"
			     "once with --stats, otherwise every T (default 5s) until it stops,\n"
			     "with an {\"type\":\"oom\"} line when the OOM killer strikes.");
			return 0;
		} else {
			return oci_usage("events", "bad option");
		}
	}
	if (optind != argc - 1)
		return oci_usage("events", "expects CONTAINER-ID");
	const char *id = argv[optind];
	struct err e = {0};
	unsigned long long ooms = 0;
	for (bool first = true;; first = false) {
		json_object *st;
		if (rt_stats(g->root, id, &st, &e) < 0) {
			/* The container stopped: the end of its events. */
			return first ? oci_fail(g, &e, 1) : 0;
		}
		unsigned long long n = oom_count(st);
		if (!first && n > ooms)
			emit("oom", id, NULL);
		ooms = n;
		emit("stats", id, st);
		if (once)
			return 0;
		struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
		nanosleep(&ts, NULL);
	}
}
