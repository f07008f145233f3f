/* stats.c — `capsa stats [--no-stream] [CONTAINER...]`: CPU, memory and
 * process count of running containers from their cgroups. */
#include "base/cleanup.h"
#include "base/error.h"
#include "cli/commands.h"
#include "cli/engine_cli.h"
#include "engine/ctr.h"
#include "engine/store.h"
#include "runtime/container.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

static uint64_t jpath(json_object *o, const char *a, const char *b, const char *c)
{
	const char *keys[] = {a, b, c};
	for (int i = 0; i < 3 && keys[i] && o; i++) {
		json_object *v;
		if (!json_object_object_get_ex(o, keys[i], &v))
			return 0;
		o = v;
	}
	return o ? (uint64_t)json_object_get_int64(o) : 0;
}

struct sample {
	char id[ID_HEX + 1];
	char name[160];
	uint64_t cpu_ns, mem, limit, pids;
	bool ok;
};

static void sample(struct ctr_store *s, const char *id, struct sample *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", id);
	struct record r;
	if (ctr_load(s, id, &r, NULL) < 0)
		return;
	snprintf(out->name, sizeof(out->name), "%s", r.name);
	bool running = r.state == CS_RUNNING;
	record_free(&r);
	json_object *st = NULL;
	if (!running || rt_stats(s->runtime, id, &st, NULL) < 0)
		return;
	json_object *d = st, *data;
	if (json_object_object_get_ex(st, "data", &data))
		d = data;
	out->cpu_ns = jpath(d, "cpu", "usage", "total");
	out->mem = jpath(d, "memory", "usage", "usage");
	out->limit = jpath(d, "memory", "usage", "limit");
	out->pids = jpath(d, "pids", "current", NULL);
	out->ok = true;
	json_object_put(st);
}

static void human(uint64_t b, char *buf, size_t len)
{
	const char *u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)b;
	int i = 0;
	while (v >= 1024 && i < 4)
		v /= 1024, i++;
	snprintf(buf, len, "%.1f%s", v, u[i]);
}

int cmd_stats(int argc, char **argv)
{
	bool stream = true;
	int first = 1;
	for (; first < argc && argv[first][0] == '-'; first++) {
		if (!strcmp(argv[first], "--no-stream"))
			stream = false;
		else if (!strcmp(argv[first], "--help")) {
			puts("usage: capsa stats [--no-stream] [CONTAINER...]\n\n"
			     "CPU (percent of one core over the last second), memory and processes "
			     "of\n"
			     "running containers (all of them by default), from their cgroups; "
			     "every\n"
			     "second until interrupted, or once with --no-stream.");
			return 0;
		} else
			return eng_usage("stats", "unknown option %s", argv[first]);
	}
	struct ctr_store s;
	int rc = cli_store("stats", &s);
	if (rc)
		return rc;
	_cleanup_strv_ char **ids = NULL;
	struct err e = {0};
	if (first < argc) {
		ids = calloc((size_t)(argc - first + 1), sizeof(char *));
		for (int i = first; ids && i < argc; i++) {
			char id[ID_HEX + 1];
			if (ctr_store_lookup(&s, argv[i], id, &e) < 0) {
				ctr_store_close(&s);
				return cli_fail("stats", &e, 1);
			}
			ids[i - first] = strdup(id);
		}
	} else if (ctr_store_list(&s, &ids, &e) < 0) {
		ctr_store_close(&s);
		return cli_fail("stats", &e, 1);
	}
	size_t n = 0;
	while (ids && ids[n])
		n++;
	struct sample *a = calloc(n + 1, sizeof(*a)), *b = calloc(n + 1, sizeof(*b));
	if (!a || !b) {
		free(a);
		free(b);
		ctr_store_close(&s);
		return cli_fail("stats", &(struct err){.msg = "out of memory"}, 1);
	}
	for (size_t i = 0; i < n; i++)
		sample(&s, ids[i], &a[i]);
	do {
		nanosleep(&(struct timespec){1, 0}, NULL);
		printf("%-12s   %-24s   %7s   %-22s   %s\n", "CONTAINER ID", "NAME", "CPU %",
		       "MEM USAGE / LIMIT", "PIDS");
		for (size_t i = 0; i < n; i++) {
			sample(&s, ids[i], &b[i]);
			if (!b[i].ok || (first >= argc && !b[i].ok))
				continue;
			char mem[32], lim[32], ml[72];
			human(b[i].mem, mem, sizeof(mem));
			if (b[i].limit && b[i].limit < (1ULL << 60))
				human(b[i].limit, lim, sizeof(lim));
			else
				snprintf(lim, sizeof(lim), "-");
			snprintf(ml, sizeof(ml), "%s / %s", mem, lim);
			double cpu = a[i].ok ? (double)(b[i].cpu_ns - a[i].cpu_ns) / 1e7 : 0;
			printf("%-12.12s   %-24s   %6.2f%%   %-22s   %llu\n", b[i].id, b[i].name,
			       cpu, ml, (unsigned long long)b[i].pids);
			a[i] = b[i];
		}
		fflush(stdout);
	} while (stream);
	free(a);
	free(b);
	ctr_store_close(&s);
	return 0;
}
