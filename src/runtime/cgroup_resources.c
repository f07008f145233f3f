/* cgroup_resources.c — linux.resources (or an `update` file) parsed into
 * struct cg_resources, with errors that name the JSON path. */
#include "runtime/cgroup.h"

#include "base/arena.h"
#include "base/error.h"
#include "base/json.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct rp {
	struct jctx c;
	const char *base; /* "linux.resources" */
	char path[192];
};

/* The JSON path of a field, in the parser's scratch buffer. */
static const char *at(struct rp *p, const char *sect, const char *key)
{
	snprintf(p->path, sizeof(p->path), "%s%s%s%s%s", p->base, sect ? "." : "", sect ? sect : "",
		 key ? "." : "", key ? key : "");
	return p->path;
}

static int val(struct rp *p, json_object *o, const char *sect, const char *key, int64_t min,
	       int64_t max, struct cg_val *out)
{
	int r = jget_i64(&p->c, o, key, at(p, sect, key), min, max, &out->v);
	if (r > 0)
		out->set = true;
	return r < 0 ? r : 0;
}

static int section(struct rp *p, json_object *res, const char *key, json_object **out)
{
	*out = NULL;
	int r = jfield(&p->c, res, key, json_type_object, at(p, key, NULL), out);
	return r < 0 ? r : 0;
}

static int memory(struct rp *p, json_object *res, struct cg_resources *o)
{
	json_object *m;
	int r = section(p, res, "memory", &m);
	if (r < 0 || !m)
		return r;
	/* -1 is "unlimited".  A limit below what the kernel accepts is
	 * reported when it is written, with the file's name. */
	if ((r = val(p, m, "memory", "limit", -1, INT64_MAX, &o->mem_limit)) < 0 ||
	    (r = val(p, m, "memory", "reservation", -1, INT64_MAX, &o->mem_reservation)) < 0 ||
	    (r = val(p, m, "memory", "swap", -1, INT64_MAX, &o->mem_swap)) < 0 ||
	    (r = val(p, m, "memory", "swappiness", 0, 100, &o->mem_swappiness)) < 0)
		return r;
	/* The kernel takes a tiny limit and then kills the container's first
	 * process at once; refuse it up front, as docker does below 6 MiB. */
	if (o->mem_limit.set && o->mem_limit.v >= 0 && o->mem_limit.v < CG_MIN_MEMORY)
		return jerr(&p->c, at(p, "memory", "limit"),
			    "%lld bytes is below the minimum of %d (6 MiB): no container "
			    "can start in it",
			    (long long)o->mem_limit.v, CG_MIN_MEMORY);
	if ((r = jget_bool(&p->c, m, "disableOOMKiller", at(p, "memory", "disableOOMKiller"),
			   &o->mem_disable_oom_killer)) < 0)
		return r;
	if (o->mem_limit.set && o->mem_swap.set && o->mem_swap.v != -1 && o->mem_limit.v != -1 &&
	    o->mem_swap.v < o->mem_limit.v)
		return jerr(&p->c, at(p, "memory", "swap"),
			    "%lld is below memory.limit %lld (swap counts memory plus swap)",
			    (long long)o->mem_swap.v, (long long)o->mem_limit.v);
	return 0;
}

static int cpu(struct rp *p, json_object *res, struct cg_resources *o)
{
	json_object *c;
	int r = section(p, res, "cpu", &c);
	if (r < 0 || !c)
		return r;
	if ((r = val(p, c, "cpu", "shares", 0, 262144, &o->cpu_shares)) < 0 ||
	    (r = val(p, c, "cpu", "quota", -1, INT64_MAX, &o->cpu_quota)) < 0 ||
	    (r = val(p, c, "cpu", "period", 0, 1000000, &o->cpu_period)) < 0 ||
	    (r = val(p, c, "cpu", "idle", 0, 1, &o->cpu_idle)) < 0 ||
	    (r = val(p, c, "cpu", "realtimeRuntime", -1, INT64_MAX, &o->cpu_rt_runtime)) < 0 ||
	    (r = val(p, c, "cpu", "realtimePeriod", 0, INT64_MAX, &o->cpu_rt_period)) < 0)
		return r;
	if (o->cpu_quota.set && o->cpu_quota.v >= 0 && o->cpu_quota.v < 1000)
		return jerr(&p->c, at(p, "cpu", "quota"),
			    "%lld is below the kernel's minimum of 1000 microseconds",
			    (long long)o->cpu_quota.v);
	if (o->cpu_period.set && o->cpu_period.v < 1000)
		return jerr(&p->c, at(p, "cpu", "period"),
			    "%lld is outside the kernel's range [1000, 1000000]",
			    (long long)o->cpu_period.v);
	if ((r = jget_str(&p->c, c, "cpus", at(p, "cpu", "cpus"), &o->cpus)) < 0 ||
	    (r = jget_str(&p->c, c, "mems", at(p, "cpu", "mems"), &o->mems)) < 0)
		return r;
	for (const char *s = o->cpus; s && *s; s++)
		if (!strchr("0123456789,-", *s))
			return jerr(&p->c, at(p, "cpu", "cpus"), "\"%s\" is not a CPU list",
				    o->cpus);
	for (const char *s = o->mems; s && *s; s++)
		if (!strchr("0123456789,-", *s))
			return jerr(&p->c, at(p, "cpu", "mems"), "\"%s\" is not a node list",
				    o->mems);
	return 0;
}

static int blk_devs(struct rp *p, json_object *b, const char *key, bool weight,
		    struct cg_blk_dev **out, size_t *n)
{
	json_object *arr;
	int r = jfield(&p->c, b, key, json_type_array, at(p, "blockIO", key), &arr);
	if (r <= 0)
		return r;
	size_t len = json_object_array_length(arr);
	*out = arena_calloc(p->c.arena, len ? len : 1, sizeof(**out));
	if (!*out)
		return err_sys(p->c.e, ENOMEM, "%s", p->c.doc);
	for (size_t i = 0; i < len; i++) {
		json_object *d = json_object_array_get_idx(arr, i);
		char base[96];
		snprintf(base, sizeof(base), "blockIO.%s[%zu]", key, i);
		if (json_object_get_type(d) != json_type_object)
			return jerr(&p->c, at(p, base, NULL), "expected object, got %s",
				    json_type_word(d));
		struct cg_blk_dev *x = &(*out)[i];
		bool has_major = false;
		if ((r = jget_i64(&p->c, d, "major", at(p, base, "major"), 0, 0xfffff, &x->major)) <
			0 ||
		    (has_major = r > 0, r = jget_i64(&p->c, d, "minor", at(p, base, "minor"), 0,
						     0xfffff, &x->minor)) < 0)
			return r;
		if (!has_major || r == 0)
			return jerr(&p->c, at(p, base, NULL), "needs both major and minor");
		if (weight) {
			int64_t w = 0, lw = 0;
			if ((r = jget_i64(&p->c, d, "weight", at(p, base, "weight"), 10, 1000,
					  &w)) < 0)
				return r;
			x->value = (uint64_t)w;
			if ((r = jget_i64(&p->c, d, "leafWeight", at(p, base, "leafWeight"), 10,
					  1000, &lw)) < 0)
				return r;
			x->has_leaf = r > 0;
			x->leaf_weight = (uint64_t)lw;
		} else {
			if ((r = jget_u64(&p->c, d, "rate", at(p, base, "rate"), &x->value)) < 0)
				return r;
			if (r == 0)
				return jerr(&p->c, at(p, base, "rate"), "missing");
		}
	}
	*n = len;
	return 0;
}

static int blkio(struct rp *p, json_object *res, struct cg_resources *o)
{
	static const char *const keys[CG_NTHROTTLE] = {
	    [CG_RBPS] = "throttleReadBpsDevice",
	    [CG_WBPS] = "throttleWriteBpsDevice",
	    [CG_RIOPS] = "throttleReadIOPSDevice",
	    [CG_WIOPS] = "throttleWriteIOPSDevice",
	};
	json_object *b;
	int r = section(p, res, "blockIO", &b);
	if (r < 0 || !b)
		return r;
	if ((r = val(p, b, "blockIO", "weight", 10, 1000, &o->blkio_weight)) < 0 ||
	    (r = val(p, b, "blockIO", "leafWeight", 10, 1000, &o->blkio_leaf_weight)) < 0 ||
	    (r = blk_devs(p, b, "weightDevice", true, &o->weight_devices, &o->n_weight_devices)) <
		0)
		return r;
	for (int t = 0; t < CG_NTHROTTLE; t++)
		if ((r = blk_devs(p, b, keys[t], false, &o->throttle[t], &o->n_throttle[t])) < 0)
			return r;
	return 0;
}

static int hugepages(struct rp *p, json_object *res, struct cg_resources *o)
{
	json_object *arr;
	int r = jfield(&p->c, res, "hugepageLimits", json_type_array, at(p, "hugepageLimits", NULL),
		       &arr);
	if (r <= 0)
		return r;
	size_t len = json_object_array_length(arr);
	o->hugepages = arena_calloc(p->c.arena, len ? len : 1, sizeof(*o->hugepages));
	if (!o->hugepages)
		return err_sys(p->c.e, ENOMEM, "%s", p->c.doc);
	for (size_t i = 0; i < len; i++) {
		json_object *h = json_object_array_get_idx(arr, i);
		char base[64];
		snprintf(base, sizeof(base), "hugepageLimits[%zu]", i);
		if ((r = jget_str(&p->c, h, "pageSize", at(p, base, "pageSize"),
				  &o->hugepages[i].page_size)) < 0 ||
		    (r == 0 && (r = jerr(&p->c, at(p, base, "pageSize"), "missing")) < 0))
			return r;
		const char *s = o->hugepages[i].page_size;
		size_t k = strspn(s, "0123456789");
		if (k == 0 || (strcmp(s + k, "KB") && strcmp(s + k, "MB") && strcmp(s + k, "GB")))
			return jerr(&p->c, at(p, base, "pageSize"),
				    "\"%s\" is not a size like \"2MB\" or \"1GB\"", s);
		if ((r = jget_u64(&p->c, h, "limit", at(p, base, "limit"),
				  &o->hugepages[i].limit)) < 0)
			return r;
	}
	o->n_hugepages = len;
	return 0;
}

static int devices(struct rp *p, json_object *res, struct cg_resources *o)
{
	json_object *arr;
	int r = jfield(&p->c, res, "devices", json_type_array, at(p, "devices", NULL), &arr);
	if (r <= 0)
		return r;
	size_t len = json_object_array_length(arr);
	o->devices = arena_calloc(p->c.arena, len ? len : 1, sizeof(*o->devices));
	if (!o->devices)
		return err_sys(p->c.e, ENOMEM, "%s", p->c.doc);
	for (size_t i = 0; i < len; i++) {
		json_object *d = json_object_array_get_idx(arr, i);
		struct cg_dev_rule *x = &o->devices[i];
		char base[48];
		snprintf(base, sizeof(base), "devices[%zu]", i);
		char *type = NULL, *access = NULL;
		if ((r = jget_bool(&p->c, d, "allow", at(p, base, "allow"), &x->allow)) < 0)
			return r;
		if (r == 0)
			return jerr(&p->c, at(p, base, "allow"), "missing");
		if ((r = jget_str(&p->c, d, "type", at(p, base, "type"), &type)) < 0 ||
		    (r = jget_str(&p->c, d, "access", at(p, base, "access"), &access)) < 0)
			return r;
		x->type = type ? type[0] : 'a';
		if (type && (strlen(type) != 1 || !strchr("acb", type[0])))
			return jerr(&p->c, at(p, base, "type"),
				    "unknown device type \"%s\" (expected \"a\", \"c\" or \"b\")",
				    type);
		x->major = x->minor = -1;
		if ((r = jget_i64(&p->c, d, "major", at(p, base, "major"), -1, 0xfffff,
				  &x->major)) < 0 ||
		    (r = jget_i64(&p->c, d, "minor", at(p, base, "minor"), -1, 0xfffff,
				  &x->minor)) < 0)
			return r;
		const char *a = access ? access : "rwm";
		if (!*a || strlen(a) > 3 || strspn(a, "rwm") != strlen(a))
			return jerr(&p->c, at(p, base, "access"),
				    "\"%s\" is not a subset of \"rwm\"", a);
		snprintf(x->access, sizeof(x->access), "%s", a);
	}
	o->n_devices = len;
	return 0;
}

static int network(struct rp *p, json_object *res, struct cg_resources *o)
{
	json_object *n, *arr;
	int r = section(p, res, "network", &n);
	if (r < 0 || !n)
		return r;
	if ((r = val(p, n, "network", "classID", 0, UINT32_MAX, &o->net_class_id)) < 0)
		return r;
	r = jfield(&p->c, n, "priorities", json_type_array, at(p, "network", "priorities"), &arr);
	if (r <= 0)
		return r;
	size_t len = json_object_array_length(arr);
	o->net_prios = arena_calloc(p->c.arena, len ? len : 1, sizeof(*o->net_prios));
	if (!o->net_prios)
		return err_sys(p->c.e, ENOMEM, "%s", p->c.doc);
	for (size_t i = 0; i < len; i++) {
		json_object *x = json_object_array_get_idx(arr, i);
		char base[64];
		snprintf(base, sizeof(base), "network.priorities[%zu]", i);
		if ((r = jget_str(&p->c, x, "name", at(p, base, "name"), &o->net_prios[i].name)) <
			0 ||
		    (r = jget_u32(&p->c, x, "priority", at(p, base, "priority"),
				  &o->net_prios[i].prio)) < 0)
			return r;
		if (!o->net_prios[i].name || strpbrk(o->net_prios[i].name, " \n"))
			return jerr(&p->c, at(p, base, "name"), "missing or not an interface name");
	}
	o->n_net_prios = len;
	return 0;
}

static int unified(struct rp *p, json_object *res, struct cg_resources *o)
{
	json_object *u;
	int r = section(p, res, "unified", &u);
	if (r < 0 || !u)
		return r;
	size_t len = (size_t)json_object_object_length(u), i = 0;
	o->unified = arena_calloc(p->c.arena, len ? len : 1, sizeof(*o->unified));
	if (!o->unified)
		return err_sys(p->c.e, ENOMEM, "%s", p->c.doc);
	json_object_object_foreach(u, key, v)
	{
		if (json_object_get_type(v) != json_type_string)
			return jerr(&p->c, at(p, "unified", key), "expected string, got %s",
				    json_type_word(v));
		/* A key is a file in the container's own directory, nothing else. */
		if (!strchr(key, '.') || strchr(key, '/') || key[0] == '.' ||
		    !strncmp(key, "cgroup.", 7))
			return jerr(&p->c, at(p, "unified", key),
				    "not a controller file name (like \"memory.high\")");
		o->unified[i].key = arena_strdup(p->c.arena, key);
		o->unified[i].value = arena_strdup(p->c.arena, json_object_get_string(v));
		if (!o->unified[i].key || !o->unified[i].value)
			return err_sys(p->c.e, ENOMEM, "%s", p->c.doc);
		i++;
	}
	o->n_unified = i;
	return 0;
}

int cg_resources_parse(json_object *obj, const char *doc, const char *path, struct arena *a,
		       struct cg_resources *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct rp p = {.c = {.doc = doc, .arena = a, .e = e}, .base = path};
	if (!obj)
		return 0;
	if (json_object_get_type(obj) != json_type_object)
		return jerr(&p.c, path, "expected object, got %s", json_type_word(obj));
	json_object *pids;
	int r;
	if ((r = memory(&p, obj, out)) < 0 || (r = cpu(&p, obj, out)) < 0 ||
	    (r = section(&p, obj, "pids", &pids)) < 0 ||
	    (pids && (r = val(&p, pids, "pids", "limit", -1, INT64_MAX, &out->pids_limit)) < 0) ||
	    (r = blkio(&p, obj, out)) < 0 || (r = hugepages(&p, obj, out)) < 0 ||
	    (r = devices(&p, obj, out)) < 0 || (r = network(&p, obj, out)) < 0 ||
	    (r = unified(&p, obj, out)) < 0)
		return r;
	return 0;
}

bool cg_resources_limit_anything(const struct cg_resources *r)
{
	bool any = r->mem_limit.set || r->mem_reservation.set || r->mem_swap.set ||
		   r->mem_swappiness.set || r->mem_disable_oom_killer || r->cpu_shares.set ||
		   r->cpu_quota.set || r->cpu_period.set || r->cpu_idle.set ||
		   r->cpu_rt_runtime.set || r->cpu_rt_period.set || r->cpus || r->mems ||
		   r->pids_limit.set || r->blkio_weight.set || r->blkio_leaf_weight.set ||
		   r->n_weight_devices || r->n_hugepages || r->net_class_id.set || r->n_net_prios ||
		   r->n_unified;
	for (int t = 0; t < CG_NTHROTTLE; t++)
		any = any || r->n_throttle[t];
	return any;
}

int cg_resources_allow_device(struct cg_resources *r, struct arena *a, char type, int64_t major,
			      int64_t minor)
{
	if (!r->n_devices || (type != 'c' && type != 'b' && type != 'u'))
		return 0;
	struct cg_dev_rule *d = arena_calloc(a, r->n_devices + 1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	memcpy(d, r->devices, r->n_devices * sizeof(*d));
	d[r->n_devices] = (struct cg_dev_rule){
	    .allow = true, .type = type == 'b' ? 'b' : 'c', .major = major, .minor = minor};
	memcpy(d[r->n_devices].access, "rwm", 4);
	r->devices = d;
	r->n_devices++;
	return 0;
}
