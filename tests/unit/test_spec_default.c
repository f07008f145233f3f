/* test_spec_default.c — spec_default(): the documents `capsa oci spec`
 * writes parse back through spec_parse()/spec_load() with the values
 * runc's defaults have, and the rootless variant differs where it must.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "runtime/spec.h"
#include "runtime/spec_default.h"

#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define BIT(n) ((uint64_t)1 << (n))

static struct spec *parse_default(bool rootless, uid_t uid, gid_t gid)
{
	json_object *o = spec_default(rootless, uid, gid);
	assert_non_null(o);
	struct spec *s = NULL;
	struct err e = {0};
	int r = spec_parse(json_object_to_json_string(o), "config.json", "/b", &s, &e);
	json_object_put(o);
	if (r < 0)
		fail_msg("%s", e.msg);
	return s;
}

static const struct spec_mount *find_mount(const struct spec *s, const char *dest)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (!strcmp(s->mounts[i].destination, dest))
			return &s->mounts[i];
	return NULL;
}

/* What both variants share. */
static void check_common(const struct spec *s)
{
	const uint64_t caps = BIT(CAP_AUDIT_WRITE) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE);
	const struct spec_process *p = s->process;
	assert_non_null(s->oci_version);
	assert_string_equal(s->root_path, "/b/rootfs");
	assert_true(s->root_readonly);
	assert_string_equal(s->hostname, "capsa");
	assert_non_null(p);
	assert_true(p->terminal);
	assert_int_equal(p->user.uid, 0);
	assert_int_equal(p->user.gid, 0);
	assert_int_equal(p->n_args, 1);
	assert_string_equal(p->args[0], "sh");
	assert_int_equal(p->n_env, 2);
	assert_string_equal(p->env[0],
			    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	assert_string_equal(p->env[1], "TERM=xterm");
	assert_string_equal(p->cwd, "/");
	assert_true(p->has_caps);
	assert_int_equal(p->caps.bounding, caps);
	assert_int_equal(p->caps.effective, caps);
	assert_int_equal(p->caps.permitted, caps);
	assert_int_equal(p->caps.inheritable, 0);
	assert_int_equal(p->caps.ambient, 0);
	assert_int_equal(p->n_rlimits, 1);
	assert_int_equal(p->rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(p->rlimits[0].soft, 1024);
	assert_int_equal(p->rlimits[0].hard, 1024);
	assert_true(p->no_new_privileges);

	assert_int_equal(s->n_mounts, 7);
	assert_string_equal(s->mounts[0].destination, "/proc");
	assert_string_equal(s->mounts[0].type, "proc");
	const struct spec_mount *m = find_mount(s, "/dev");
	assert_non_null(m);
	assert_int_equal(m->flags, MS_NOSUID | MS_STRICTATIME);
	assert_string_equal(m->data, "mode=755,size=65536k");
	m = find_mount(s, "/dev/shm");
	assert_int_equal(m->flags, MS_NOSUID | MS_NOEXEC | MS_NODEV);
	assert_string_equal(m->data, "mode=1777,size=65536k");
	m = find_mount(s, "/dev/mqueue");
	assert_string_equal(m->type, "mqueue");
	assert_null(m->data);
	m = find_mount(s, "/sys/fs/cgroup");
	assert_string_equal(m->type, "cgroup");
	assert_int_equal(m->flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY);

	assert_int_equal(s->lnx.n_masked_paths, 11);
	assert_string_equal(s->lnx.masked_paths[0], "/proc/acpi");
	assert_string_equal(s->lnx.masked_paths[10], "/sys/devices/virtual/powercap");
	assert_int_equal(s->lnx.n_readonly_paths, 5);
	assert_string_equal(s->lnx.readonly_paths[4], "/proc/sysrq-trigger");
	assert_int_equal(s->lnx.ns_join, 0);
}

static void test_default(void **state)
{
	struct spec *s = parse_default(false, 1000, 1000);
	check_common(s);
	assert_int_equal(s->lnx.ns_new, CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS |
					    CLONE_NEWNS | CLONE_NEWCGROUP);
	assert_int_equal(s->lnx.n_uid_mappings, 0);
	const struct spec_mount *m = find_mount(s, "/sys");
	assert_string_equal(m->type, "sysfs");
	assert_false(m->is_bind);
	assert_int_equal(m->flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
	m = find_mount(s, "/dev/pts");
	assert_string_equal(m->data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	assert_int_equal(m->flags, MS_NOSUID | MS_NOEXEC);
	/* resources.devices denies everything. */
	json_object *devs, *d, *v;
	assert_non_null(s->lnx.resources);
	assert_true(json_object_object_get_ex(s->lnx.resources, "devices", &devs));
	assert_int_equal(json_object_array_length(devs), 1);
	d = json_object_array_get_idx(devs, 0);
	assert_true(json_object_object_get_ex(d, "allow", &v));
	assert_false(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(d, "access", &v));
	assert_string_equal(json_object_get_string(v), "rwm");
	spec_free(s);
}

static void test_rootless(void **state)
{
	struct spec *s = parse_default(true, 1234, 5678);
	check_common(s);
	assert_true(s->lnx.ns_new & CLONE_NEWUSER);
	assert_false(s->lnx.ns_new & CLONE_NEWNET);
	assert_int_equal(s->lnx.ns_new, CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS |
					    CLONE_NEWCGROUP | CLONE_NEWUSER);
	assert_int_equal(s->lnx.n_uid_mappings, 1);
	assert_int_equal(s->lnx.uid_mappings[0].container_id, 0);
	assert_int_equal(s->lnx.uid_mappings[0].host_id, 1234);
	assert_int_equal(s->lnx.uid_mappings[0].size, 1);
	assert_int_equal(s->lnx.n_gid_mappings, 1);
	assert_int_equal(s->lnx.gid_mappings[0].host_id, 5678);
	const struct spec_mount *m = find_mount(s, "/sys");
	assert_true(m->is_bind);
	assert_true(m->recursive_bind);
	assert_string_equal(m->source, "/sys");
	assert_int_equal(m->flags, MS_BIND | MS_REC | MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
	m = find_mount(s, "/dev/pts");
	assert_string_equal(m->data, "newinstance,ptmxmode=0666,mode=0620");
	assert_null(s->lnx.resources);
	spec_free(s);
}

/* Through the file system, as `capsa oci spec` then `capsa oci run` do. */
static void test_load_written_default(void **state)
{
	char dir[] = "/tmp/capsa-spec-default-XXXXXX", path[PATH_MAX];
	assert_non_null(mkdtemp(dir));
	json_object *o = spec_default(true, getuid(), getgid());
	assert_non_null(o);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	assert_int_equal(json_object_to_file_ext(path, o, JSON_C_TO_STRING_PRETTY), 0);
	json_object_put(o);
	snprintf(path, sizeof(path), "%s/rootfs", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	struct spec *s = NULL;
	struct err e = {0};
	int r = spec_load(dir, &s, &e);
	if (r < 0)
		fail_msg("%s", e.msg);
	assert_string_equal(s->root_path, path);
	spec_free(s);
	assert_int_equal(rmdir(path), 0);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default),
	    cmocka_unit_test(test_rootless),
	    cmocka_unit_test(test_load_written_default),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
