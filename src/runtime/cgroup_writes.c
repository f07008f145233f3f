/* cgroup_writes.c — struct cg_resources -> the files to write, for each
 * controller on v1 or on v2.  Pure: the kernel is touched by cgroup.c. */
#include "runtime/cgroup.h"

#include "base/error.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cg_writes_free(struct cg_writes *ws)
{
	for (size_t i = 0; i < ws->n; i++)
		free(ws->w[i].value);
	free(ws->w);
	memset(ws, 0, sizeof(*ws));
}

static int add(struct cg_writes *ws, enum cg_ctrl c, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int add(struct cg_writes *ws, enum cg_ctrl c, const char *file, const char *fmt, ...)
{
	if (ws->n == ws->cap) {
		size_t cap = ws->cap ? ws->cap * 2 : 16;
		struct cg_write *w = realloc(ws->w, cap * sizeof(*w));
		if (!w)
			return -ENOMEM;
		ws->w = w;
		ws->cap = cap;
	}
	struct cg_write *w = &ws->w[ws->n];
	memset(w, 0, sizeof(*w));
	w->ctrl = c;
	snprintf(w->file, sizeof(w->file), "%s", file);
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&w->value, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	ws->n++;
	return 0;
}

uint64_t cg_shares_to_weight(uint64_t shares)
{
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cg_blkio_to_io_weight(uint64_t w)
{
	if (w < 10)
		w = 10;
	if (w > 1000)
		w = 1000;
	return 1 + ((w - 10) * 9999) / 990;
}

/* "max" for -1, the number otherwise. */
static const char *num(char buf[24], int64_t v)
{
	if (v < 0)
		return "max";
	snprintf(buf, 24, "%" PRId64, v);
	return buf;
}

static int memory_writes(const struct cg_resources *r, bool v2, struct cg_writes *ws)
{
	char b[24], b2[24];
	int x = 0;
	if (v2) {
		if (r->mem_limit.set)
			x |= add(ws, CG_MEMORY, "memory.max", "%s", num(b, r->mem_limit.v));
		if (r->mem_reservation.set)
			x |= add(ws, CG_MEMORY, "memory.low", "%s", num(b, r->mem_reservation.v));
		/* OCI's swap is memory + swap; v2's swap.max counts swap alone. */
		if (r->mem_swap.set) {
			int64_t s = r->mem_swap.v;
			if (s >= 0 && r->mem_limit.set && r->mem_limit.v >= 0)
				s -= r->mem_limit.v;
			else if (s >= 0)
				return -EINVAL;
			x |= add(ws, CG_MEMORY, "memory.swap.max", "%s", num(b, s));
			/* No swap accounting: no swap to limit either, when the
			 * container asks for none (0) or for all (max). */
			ws->w[ws->n - 1].skip_missing = s <= 0;
		}
		return x;
	}
	/* -1 on v1 is written as is: the kernel reads it as unlimited. */
	if (r->mem_limit.set) {
		x |= add(ws, CG_MEMORY, "memory.limit_in_bytes", "%s",
			 r->mem_limit.v < 0 ? "-1" : num(b, r->mem_limit.v));
		ws->w[ws->n - 1].retry_ok = true;
	}
	if (r->mem_swap.set) {
		x |= add(ws, CG_MEMORY, "memory.memsw.limit_in_bytes", "%s",
			 r->mem_swap.v < 0 ? "-1" : num(b2, r->mem_swap.v));
		ws->w[ws->n - 1].retry_ok = true;
		ws->w[ws->n - 1].skip_missing =
		    r->mem_swap.v < 0 ||
		    (r->mem_limit.set && r->mem_limit.v >= 0 && r->mem_swap.v == r->mem_limit.v);
	}
	if (r->mem_reservation.set)
		x |= add(ws, CG_MEMORY, "memory.soft_limit_in_bytes", "%s",
			 r->mem_reservation.v < 0 ? "-1" : num(b, r->mem_reservation.v));
	if (r->mem_swappiness.set)
		x |= add(ws, CG_MEMORY, "memory.swappiness", "%" PRId64, r->mem_swappiness.v);
	if (r->mem_disable_oom_killer)
		x |= add(ws, CG_MEMORY, "memory.oom_control", "1");
	return x;
}

static int cpu_writes(const struct cg_resources *r, bool v2, bool cpuset_v2, struct cg_writes *ws)
{
	int x = 0;
	if (v2) {
		if (r->cpu_shares.set && r->cpu_shares.v > 0)
			x |= add(ws, CG_CPU, "cpu.weight", "%" PRIu64,
				 cg_shares_to_weight((uint64_t)r->cpu_shares.v));
		if (r->cpu_quota.set || r->cpu_period.set) {
			char b[24];
			/* A period alone keeps the quota unlimited, as runc does. */
			x |= add(ws, CG_CPU, "cpu.max", "%s %" PRId64,
				 r->cpu_quota.set ? num(b, r->cpu_quota.v) : "max",
				 r->cpu_period.set ? r->cpu_period.v : 100000);
		}
		if (r->cpu_idle.set)
			x |= add(ws, CG_CPU, "cpu.idle", "%" PRId64, r->cpu_idle.v);
		if (r->cpu_rt_runtime.set || r->cpu_rt_period.set)
			return -ENOTSUP;
	} else {
		if (r->cpu_shares.set && r->cpu_shares.v > 0)
			x |= add(ws, CG_CPU, "cpu.shares", "%" PRId64, r->cpu_shares.v);
		/* The period first: a quota is checked against it. */
		if (r->cpu_period.set)
			x |= add(ws, CG_CPU, "cpu.cfs_period_us", "%" PRId64, r->cpu_period.v);
		if (r->cpu_quota.set)
			x |= add(ws, CG_CPU, "cpu.cfs_quota_us", "%" PRId64, r->cpu_quota.v);
		if (r->cpu_idle.set)
			x |= add(ws, CG_CPU, "cpu.idle", "%" PRId64, r->cpu_idle.v);
		if (r->cpu_rt_period.set)
			x |= add(ws, CG_CPU, "cpu.rt_period_us", "%" PRId64, r->cpu_rt_period.v);
		if (r->cpu_rt_runtime.set)
			x |= add(ws, CG_CPU, "cpu.rt_runtime_us", "%" PRId64, r->cpu_rt_runtime.v);
	}
	if (r->cpus)
		x |= add(ws, CG_CPUSET, "cpuset.cpus", "%s", r->cpus);
	if (r->mems)
		x |= add(ws, CG_CPUSET, "cpuset.mems", "%s", r->mems);
	(void)cpuset_v2;
	return x;
}

static const char *const v1_throttle[CG_NTHROTTLE] = {
    [CG_RBPS] = "blkio.throttle.read_bps_device",
    [CG_WBPS] = "blkio.throttle.write_bps_device",
    [CG_RIOPS] = "blkio.throttle.read_iops_device",
    [CG_WIOPS] = "blkio.throttle.write_iops_device",
};
static const char *const v2_throttle[CG_NTHROTTLE] = {
    [CG_RBPS] = "rbps", [CG_WBPS] = "wbps", [CG_RIOPS] = "riops", [CG_WIOPS] = "wiops"};

static int blkio_writes(const struct cg_resources *r, bool v2, struct cg_writes *ws)
{
	int x = 0;
	if (r->blkio_weight.set)
		x |= v2 ? add(ws, CG_BLKIO, "io.weight", "default %" PRIu64,
			      cg_blkio_to_io_weight((uint64_t)r->blkio_weight.v))
			: add(ws, CG_BLKIO, "blkio.weight", "%" PRId64, r->blkio_weight.v);
	if (r->blkio_leaf_weight.set && !v2)
		x |= add(ws, CG_BLKIO, "blkio.leaf_weight", "%" PRId64, r->blkio_leaf_weight.v);
	for (size_t i = 0; i < r->n_weight_devices; i++) {
		const struct cg_blk_dev *d = &r->weight_devices[i];
		if (v2) {
			x |= add(ws, CG_BLKIO, "io.weight", "%" PRId64 ":%" PRId64 " %" PRIu64,
				 d->major, d->minor, cg_blkio_to_io_weight(d->value));
			continue;
		}
		x |= add(ws, CG_BLKIO, "blkio.weight_device", "%" PRId64 ":%" PRId64 " %" PRIu64,
			 d->major, d->minor, d->value);
		if (d->has_leaf)
			x |= add(ws, CG_BLKIO, "blkio.leaf_weight_device",
				 "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
				 d->leaf_weight);
	}
	for (int t = 0; t < CG_NTHROTTLE; t++)
		for (size_t i = 0; i < r->n_throttle[t]; i++) {
			const struct cg_blk_dev *d = &r->throttle[t][i];
			if (v2)
				x |= add(ws, CG_BLKIO, "io.max",
					 "%" PRId64 ":%" PRId64 " %s=%" PRIu64, d->major, d->minor,
					 v2_throttle[t], d->value);
			else
				x |= add(ws, CG_BLKIO, v1_throttle[t],
					 "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
					 d->value);
		}
	return x;
}

/* A unified key's controller: the word before the first dot. */
static int unified_ctrl(const char *key)
{
	static const struct {
		const char *prefix;
		enum cg_ctrl c;
	} map[] = {{"memory.", CG_MEMORY}, {"cpu.", CG_CPU},  {"cpuset.", CG_CPUSET},
		   {"pids.", CG_PIDS},	   {"io.", CG_BLKIO}, {"hugetlb.", CG_HUGETLB},
		   {"misc.", -1},	   {"rdma.", -1}};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strncmp(key, map[i].prefix, strlen(map[i].prefix)))
			return (int)map[i].c;
	return -2;
}

int cg_plan_writes(const struct cg_resources *r, unsigned v2mask, struct cg_writes *out,
		   struct err *e)
{
#define ON_V2(c) ((v2mask >> (c)) & 1u)
	int x;
	if (r->mem_swap.set && r->mem_swap.v >= 0 && ON_V2(CG_MEMORY) &&
	    !(r->mem_limit.set && r->mem_limit.v >= 0))
		return err_msg(e, EINVAL,
			       "linux.resources.memory.swap: on cgroup v2 a swap limit needs a "
			       "memory limit as well");
	if ((r->cpu_rt_runtime.set || r->cpu_rt_period.set) && ON_V2(CG_CPU))
		return err_msg(e, ENOTSUP,
			       "linux.resources.cpu.realtimeRuntime/realtimePeriod: not "
			       "supported on cgroup v2");
	if ((r->net_class_id.set || r->n_net_prios) && ON_V2(CG_NET_CLS))
		return err_msg(e, ENOTSUP,
			       "linux.resources.network: classID and priorities exist only on "
			       "cgroup v1 (net_cls, net_prio); this host has them on v2");
	x = memory_writes(r, ON_V2(CG_MEMORY), out);
	x |= cpu_writes(r, ON_V2(CG_CPU), ON_V2(CG_CPUSET), out);
	if (r->pids_limit.set) {
		char b[24];
		x |= add(out, CG_PIDS, "pids.max", "%s",
			 r->pids_limit.v <= 0 ? "max" : num(b, r->pids_limit.v));
	}
	x |= blkio_writes(r, ON_V2(CG_BLKIO), out);
	for (size_t i = 0; i < r->n_hugepages; i++) {
		char f[64];
		snprintf(f, sizeof(f),
			 ON_V2(CG_HUGETLB) ? "hugetlb.%s.max" : "hugetlb.%s.limit_in_bytes",
			 r->hugepages[i].page_size);
		x |= add(out, CG_HUGETLB, f, "%" PRIu64, r->hugepages[i].limit);
	}
	if (r->net_class_id.set)
		x |= add(out, CG_NET_CLS, "net_cls.classid", "%" PRId64, r->net_class_id.v);
	for (size_t i = 0; i < r->n_net_prios; i++)
		x |= add(out, CG_NET_PRIO, "net_prio.ifpriomap", "%s %u", r->net_prios[i].name,
			 r->net_prios[i].prio);
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *k = r->unified[i].key;
		int c = unified_ctrl(k);
		if (c == -2)
			return err_msg(e, EINVAL, "linux.resources.unified.%s: unknown controller",
				       k);
		if (c >= 0 && !ON_V2(c))
			return err_msg(e, ENOTSUP,
				       "linux.resources.unified.%s: the %s controller is on cgroup "
				       "v1 on this host (unified keys are for cgroup v2)",
				       k, cg_ctrl_name((enum cg_ctrl)c));
		if (c < 0)
			return err_msg(e, ENOTSUP, "linux.resources.unified.%s: not supported", k);
		x |= add(out, (enum cg_ctrl)c, k, "%s", r->unified[i].value);
	}
	if (x)
		return err_sys(e, ENOMEM, "linux.resources");
	return 0;
#undef ON_V2
}

/* What every container may use, whatever its rules (runc's list). */
static const struct cg_dev_rule default_devices[] = {
    {true, 'c', 1, 3, "rwm"},	 /* null */
    {true, 'c', 1, 5, "rwm"},	 /* zero */
    {true, 'c', 1, 7, "rwm"},	 /* full */
    {true, 'c', 1, 8, "rwm"},	 /* random */
    {true, 'c', 1, 9, "rwm"},	 /* urandom */
    {true, 'c', 5, 0, "rwm"},	 /* tty */
    {true, 'c', 5, 1, "rwm"},	 /* console */
    {true, 'c', 5, 2, "rwm"},	 /* ptmx */
    {true, 'c', 136, -1, "rwm"}, /* pts */
};

static int dev_rule(struct cg_writes *ws, const struct cg_dev_rule *d)
{
	char maj[24], min[24];
	if (d->major < 0)
		snprintf(maj, sizeof(maj), "*");
	else
		snprintf(maj, sizeof(maj), "%" PRId64, d->major);
	if (d->minor < 0)
		snprintf(min, sizeof(min), "*");
	else
		snprintf(min, sizeof(min), "%" PRId64, d->minor);
	if (d->type == 'a')
		return add(ws, CG_DEVICES, d->allow ? "devices.allow" : "devices.deny", "a");
	return add(ws, CG_DEVICES, d->allow ? "devices.allow" : "devices.deny", "%c %s:%s %s",
		   d->type, maj, min, d->access);
}

int cg_devices_v1_writes(const struct cg_resources *r, struct cg_writes *out, struct err *e)
{
	int x = 0;
	for (size_t i = 0; i < r->n_devices; i++)
		x |= dev_rule(out, &r->devices[i]);
	if (r->n_devices)
		for (size_t i = 0; i < sizeof(default_devices) / sizeof(default_devices[0]); i++)
			x |= dev_rule(out, &default_devices[i]);
	return x ? err_sys(e, ENOMEM, "linux.resources.devices") : 0;
}

size_t cg_default_devices(const struct cg_dev_rule **out)
{
	*out = default_devices;
	return sizeof(default_devices) / sizeof(default_devices[0]);
}
