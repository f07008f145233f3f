/* update.c — `capsa oci update [--resources FILE | flags] ID`: change a
 * running container's limits, with runc's flags. */
#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "cli/oci/oci.h"
#include "runtime/container.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: capsa oci update [OPTIONS] CONTAINER-ID\n\n"
    "Change the resource limits of a running container.\n\n"
    "  -r, --resources FILE        a JSON object like linux.resources (\"-\": stdin);\n"
    "                              the flags below are ignored then\n"
    "  --memory N                  memory limit (bytes; k, m, g suffixes; -1 unlimited)\n"
    "  --memory-reservation N      soft limit\n"
    "  --memory-swap N             memory + swap limit\n"
    "  --cpu-shares N              relative weight (v2: converted to cpu.weight)\n"
    "  --cpu-quota N, --cpu-period N   CFS quota and period (microseconds)\n"
    "  --cpu-rt-runtime N, --cpu-rt-period N   realtime (cgroup v1 only)\n"
    "  --cpuset-cpus LIST, --cpuset-mems LIST\n"
    "  --pids-limit N              maximum number of processes (-1 unlimited)\n"
    "  --blkio-weight N            10..1000\n";

/* A number with an optional binary suffix: "64m" -> 67108864. */
static int parse_size(const char *s, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s)
		return -1;
	long long mul = 1;
	switch (*end) {
	case 'k':
	case 'K':
		mul = 1LL << 10;
		end++;
		break;
	case 'm':
	case 'M':
		mul = 1LL << 20;
		end++;
		break;
	case 'g':
	case 'G':
		mul = 1LL << 30;
		end++;
		break;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || (v > 0 && v > __LONG_LONG_MAX__ / mul))
		return -1;
	*out = v * mul;
	return 0;
}

struct flag {
	const char *name, *section, *key;
	bool size, string;
};

static const struct flag flags[] = {
    {"memory", "memory", "limit", true, false},
    {"memory-reservation", "memory", "reservation", true, false},
    {"memory-swap", "memory", "swap", true, false},
    {"cpu-shares", "cpu", "shares", false, false},
    {"cpu-quota", "cpu", "quota", false, false},
    {"cpu-period", "cpu", "period", false, false},
    {"cpu-rt-runtime", "cpu", "realtimeRuntime", false, false},
    {"cpu-rt-period", "cpu", "realtimePeriod", false, false},
    {"cpuset-cpus", "cpu", "cpus", false, true},
    {"cpuset-mems", "cpu", "mems", false, true},
    {"pids-limit", "pids", "limit", false, false},
    {"blkio-weight", "blockIO", "weight", false, false},
};
#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

static int set_flag(json_object *res, const struct flag *f, const char *arg)
{
	json_object *sec;
	if (!json_object_object_get_ex(res, f->section, &sec)) {
		sec = json_object_new_object();
		json_object_object_add(res, f->section, sec);
	}
	if (f->string) {
		json_object_object_add(sec, f->key, json_object_new_string(arg));
		return 0;
	}
	long long v;
	char *end;
	errno = 0;
	if (f->size) {
		if (parse_size(arg, &v) < 0)
			return oci_usage("update", "--%s \"%s\": not a size (like 512m)", f->name,
					 arg);
	} else {
		v = strtoll(arg, &end, 10);
		if (errno || end == arg || *end)
			return oci_usage("update", "--%s \"%s\": not a number", f->name, arg);
	}
	json_object_object_add(sec, f->key, json_object_new_int64(v));
	return 0;
}

static json_object *read_resources(const char *file, struct err *e)
{
	_cleanup_free_ char *text = NULL;
	int r = !strcmp(file, "-") ? read_fd(0, &text, NULL, e)
				   : read_file_at(AT_FDCWD, file, &text, NULL, e);
	if (r < 0) {
		err_prefix(e, "resources %s", file);
		return NULL;
	}
	enum json_tokener_error je;
	json_object *o = json_tokener_parse_verbose(text, &je);
	if (!o)
		err_msg(e, EINVAL, "resources %s: %s", file, json_tokener_error_desc(je));
	return o;
}

int oci_cmd_update(struct oci_global *g, int argc, char **argv)
{
	struct option opts[NFLAGS + 3];
	memset(opts, 0, sizeof(opts));
	for (size_t i = 0; i < NFLAGS; i++)
		opts[i] = (struct option){flags[i].name, required_argument, NULL, 256 + (int)i};
	opts[NFLAGS] = (struct option){"resources", required_argument, NULL, 'r'};
	opts[NFLAGS + 1] = (struct option){"help", no_argument, NULL, 'h'};
	const char *file = NULL;
	json_object *res = json_object_new_object();
	int c, bad = 0;
	optind = 0;
	while (!bad && (c = getopt_long(argc, argv, "+r:h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			json_object_put(res);
			return 0;
		} else if (c == 'r') {
			file = optarg;
		} else if (c >= 256 && c < 256 + (int)NFLAGS) {
			bad = set_flag(res, &flags[c - 256], optarg);
		} else {
			bad = oci_usage("update", "bad option");
		}
	}
	if (!bad && optind != argc - 1)
		bad = oci_usage("update", "expects CONTAINER-ID");
	if (bad) {
		json_object_put(res);
		return bad;
	}
	struct err e = {0};
	const char *doc = "update flags";
	if (file) {
		json_object_put(res);
		if (!(res = read_resources(file, &e)))
			return oci_fail(g, &e, 1);
		doc = file;
	}
	int r = rt_update(g->root, argv[optind], res, doc, &e);
	json_object_put(res);
	return r < 0 ? oci_fail(g, &e, 1) : 0;
}
