/* spec_default.c — the default config.json (see spec_default.h).  The
 * content is tables; the code only turns them into JSON.  Every json-c
 * allocation is checked through a small builder that remembers the
 * first failure, so the tables read as the document does. */
#include "runtime/spec_default.h"

#include "base/cleanup.h"

#include <stddef.h>

#define SPEC_VERSION "1.2.0"

struct builder {
	bool oom;
};

static json_object *bstr(struct builder *b, const char *s)
{
	json_object *o = json_object_new_string(s);
	b->oom |= !o;
	return o;
}

static json_object *bint(struct builder *b, int64_t v)
{
	json_object *o = json_object_new_int64(v);
	b->oom |= !o;
	return o;
}

static json_object *bbool(struct builder *b, bool v)
{
	json_object *o = json_object_new_boolean(v);
	b->oom |= !o;
	return o;
}

static json_object *bobj(struct builder *b)
{
	json_object *o = json_object_new_object();
	b->oom |= !o;
	return o;
}

static json_object *barr(struct builder *b)
{
	json_object *o = json_object_new_array();
	b->oom |= !o;
	return o;
}

/* Add `v` to `obj`; on any failure `v` is released and `b` marked. */
static void add(struct builder *b, json_object *obj, const char *key, json_object *v)
{
	if (!obj || !v || json_object_object_add(obj, key, v) < 0) {
		json_object_put(v);
		b->oom = true;
	}
}

static void push(struct builder *b, json_object *arr, json_object *v)
{
	if (!arr || !v || json_object_array_add(arr, v) < 0) {
		json_object_put(v);
		b->oom = true;
	}
}

/* A NULL-terminated list of strings as a JSON array. */
static json_object *strs(struct builder *b, const char *const *v)
{
	json_object *a = barr(b);
	for (; *v; v++)
		push(b, a, bstr(b, *v));
	return a;
}

static json_object *process(struct builder *b)
{
	static const char *const args[] = {"sh", NULL};
	static const char *const env[] = {
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
	    NULL};
	static const char *const caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE",
					   NULL};
	static const char *const sets[] = {"bounding", "effective", "permitted"};
	json_object *p = bobj(b), *user = bobj(b), *cap = bobj(b), *rl = bobj(b), *rls = barr(b);
	add(b, p, "terminal", bbool(b, true));
	add(b, user, "uid", bint(b, 0));
	add(b, user, "gid", bint(b, 0));
	add(b, p, "user", user);
	add(b, p, "args", strs(b, args));
	add(b, p, "env", strs(b, env));
	add(b, p, "cwd", bstr(b, "/"));
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
		add(b, cap, sets[i], strs(b, caps));
	add(b, p, "capabilities", cap);
	add(b, rl, "type", bstr(b, "RLIMIT_NOFILE"));
	add(b, rl, "hard", bint(b, 1024));
	add(b, rl, "soft", bint(b, 1024));
	push(b, rls, rl);
	add(b, p, "rlimits", rls);
	add(b, p, "noNewPrivileges", bbool(b, true));
	return p;
}

struct mount_row {
	const char *dest, *type, *source;
	const char *options[8];
};

static const struct mount_row mounts_root[] = {
    {"/proc", "proc", "proc", {NULL}},
    {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k", NULL}},
    {"/dev/pts",
     "devpts",
     "devpts",
     {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL}},
    {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL}},
    {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev", NULL}},
    {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro", NULL}},
    {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro", NULL}},
};

/* Without privilege a new sysfs cannot be mounted and there is no group
 * 5 to own the ptys: bind the host's /sys, let devpts pick the group. */
static const struct mount_row mounts_rootless[] = {
    {"/proc", "proc", "proc", {NULL}},
    {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k", NULL}},
    {"/dev/pts",
     "devpts",
     "devpts",
     {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL}},
    {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL}},
    {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev", NULL}},
    {"/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro", NULL}},
    {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro", NULL}},
};

static json_object *mounts(struct builder *b, bool rootless)
{
	const struct mount_row *rows = rootless ? mounts_rootless : mounts_root;
	size_t n = rootless ? ARRAY_SIZE(mounts_rootless) : ARRAY_SIZE(mounts_root);
	json_object *a = barr(b);
	for (size_t i = 0; i < n; i++) {
		json_object *m = bobj(b);
		add(b, m, "destination", bstr(b, rows[i].dest));
		add(b, m, "type", bstr(b, rows[i].type));
		add(b, m, "source", bstr(b, rows[i].source));
		if (rows[i].options[0])
			add(b, m, "options", strs(b, rows[i].options));
		push(b, a, m);
	}
	return a;
}

static json_object *idmap(struct builder *b, int64_t host_id)
{
	json_object *a = barr(b), *m = bobj(b);
	add(b, m, "containerID", bint(b, 0));
	add(b, m, "hostID", bint(b, host_id));
	add(b, m, "size", bint(b, 1));
	push(b, a, m);
	return a;
}

static json_object *linux_section(struct builder *b, bool rootless, uid_t uid, gid_t gid)
{
	static const char *const ns_root[] = {"pid",   "network", "ipc", "uts",
					      "mount", "cgroup",  NULL};
	static const char *const ns_rootless[] = {"pid",    "ipc",  "uts", "mount",
						  "cgroup", "user", NULL};
	static const char *const masked[] = {"/proc/acpi",
					     "/proc/asound",
					     "/proc/kcore",
					     "/proc/keys",
					     "/proc/latency_stats",
					     "/proc/timer_list",
					     "/proc/timer_stats",
					     "/proc/sched_debug",
					     "/sys/firmware",
					     "/proc/scsi",
					     "/sys/devices/virtual/powercap",
					     NULL};
	static const char *const readonly[] = {
	    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};
	json_object *l = bobj(b), *nss = barr(b);
	if (rootless) {
		add(b, l, "uidMappings", idmap(b, (int64_t)uid));
		add(b, l, "gidMappings", idmap(b, (int64_t)gid));
	} else {
		/* Deny every device; the runtime allows the default ones. */
		json_object *res = bobj(b), *devs = barr(b), *d = bobj(b);
		add(b, d, "allow", bbool(b, false));
		add(b, d, "access", bstr(b, "rwm"));
		push(b, devs, d);
		add(b, res, "devices", devs);
		add(b, l, "resources", res);
	}
	for (const char *const *t = rootless ? ns_rootless : ns_root; *t; t++) {
		json_object *ns = bobj(b);
		add(b, ns, "type", bstr(b, *t));
		push(b, nss, ns);
	}
	add(b, l, "namespaces", nss);
	add(b, l, "maskedPaths", strs(b, masked));
	add(b, l, "readonlyPaths", strs(b, readonly));
	return l;
}

json_object *spec_default(bool rootless, uid_t uid, gid_t gid)
{
	struct builder b = {false};
	json_object *o = bobj(&b), *root = bobj(&b);
	add(&b, o, "ociVersion", bstr(&b, SPEC_VERSION));
	add(&b, o, "process", process(&b));
	add(&b, root, "path", bstr(&b, "rootfs"));
	add(&b, root, "readonly", bbool(&b, true));
	add(&b, o, "root", root);
	add(&b, o, "hostname", bstr(&b, "capsa"));
	add(&b, o, "mounts", mounts(&b, rootless));
	add(&b, o, "linux", linux_section(&b, rootless, uid, gid));
	if (b.oom) {
		json_object_put(o);
		return NULL;
	}
	return o;
}
