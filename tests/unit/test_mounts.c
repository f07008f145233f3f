/* test_mounts.c — the mount plan: what a spec turns into, before any
 * mount happens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "runtime/mounts.h"
#include "runtime/spec.h"

#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static struct spec *parse(const char *mounts, const char *linux_extra)
{
	char doc[4096];
	snprintf(doc, sizeof(doc),
		 "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"/\"},"
		 "\"process\":{\"args\":[\"true\"],\"cwd\":\"/\"},"
		 "\"mounts\":[%s],\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]%s}}",
		 mounts, linux_extra);
	struct spec *s = NULL;
	struct err e = {0};
	if (spec_parse(doc, "config.json", "/", &s, &e) < 0)
		fail_msg("%s", e.msg);
	return s;
}

static const struct mount_op *find(const struct mount_plan *p, const char *dest)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->ops[i].dest, dest))
			return &p->ops[i];
	return NULL;
}

static void test_default_devices_and_links(void **state)
{
	struct spec *s =
	    parse("{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
		  "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\"}",
		  "");
	struct mount_plan p;
	struct err e = {0};
	assert_int_equal(mounts_plan(s, false, &p, &e), 0);
	const struct mount_op *null = find(&p, "/dev/null");
	assert_non_null(null);
	assert_int_equal(null->kind, MOP_DEVICE);
	assert_int_equal(null->rdev, makedev(1, 3));
	assert_int_equal(null->mode, S_IFCHR | 0666);
	assert_non_null(find(&p, "/dev/tty"));
	const struct mount_op *fd = find(&p, "/dev/fd");
	assert_non_null(fd);
	assert_int_equal(fd->kind, MOP_SYMLINK);
	assert_string_equal(fd->source, "/proc/self/fd");
	const struct mount_op *ptmx = find(&p, "/dev/ptmx");
	assert_non_null(ptmx);
	assert_string_equal(ptmx->source, "pts/ptmx");
	/* Spec mounts come first, in order, before devices need /dev. */
	assert_string_equal(p.ops[0].dest, "/dev");
	assert_string_equal(p.ops[1].dest, "/dev/pts");
	spec_free(s);
}

static void test_bind_of_dev_skips_devices(void **state)
{
	struct spec *s =
	    parse("{\"destination\":\"/dev\",\"source\":\"/dev\",\"options\":[\"rbind\"]}", "");
	struct mount_plan p;
	struct err e = {0};
	assert_int_equal(mounts_plan(s, false, &p, &e), 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.ops[0].kind, MOP_BIND);
	assert_true(p.ops[0].recursive);
	spec_free(s);
}

static void test_bind_attributes(void **state)
{
	struct spec *s =
	    parse("{\"destination\":\"/data\",\"source\":\"/tmp\",\"type\":\"bind\","
		  "\"options\":[\"bind\",\"ro\",\"nosuid\",\"noexec\",\"rprivate\"]},"
		  "{\"destination\":\"/rw\",\"source\":\"/tmp\",\"options\":[\"rbind\",\"rw\","
		  "\"suid\",\"noatime\"]}",
		  "");
	struct mount_plan p;
	struct err e = {0};
	assert_int_equal(mounts_plan(s, false, &p, &e), 0);
	const struct mount_op *d = find(&p, "/data");
	assert_int_equal(d->kind, MOP_BIND);
	assert_false(d->recursive);
	assert_int_equal(d->attr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	assert_int_equal(d->propagation & ~(unsigned long)MS_REC, MS_PRIVATE);
	const struct mount_op *rw = find(&p, "/rw");
	assert_true(rw->recursive);
	assert_true(rw->attr_clr & MOUNT_ATTR_RDONLY);
	assert_true(rw->attr_clr & MOUNT_ATTR_NOSUID);
	assert_true(rw->attr_set & MOUNT_ATTR_NOATIME);
	assert_true(rw->attr_clr & MOUNT_ATTR__ATIME);
	assert_false(rw->dest_is_file);
	spec_free(s);
}

static void test_spec_devices_and_userns(void **state)
{
	struct spec *s =
	    parse("", ",\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\","
		      "\"major\":10,\"minor\":229,\"fileMode\":384,\"uid\":5,\"gid\":6},"
		      "{\"path\":\"/dev/null\",\"type\":\"c\",\"major\":1,\"minor\":3,"
		      "\"fileMode\":420}]");
	struct mount_plan p;
	struct err e = {0};
	assert_int_equal(mounts_plan(s, true, &p, &e), 0);
	assert_true(p.in_userns);
	const struct mount_op *f = find(&p, "/dev/fuse");
	assert_int_equal(f->mode, S_IFCHR | 0600);
	assert_int_equal(f->uid, 5);
	assert_int_equal(f->gid, 6);
	assert_string_equal(f->source, "/dev/fuse"); /* bound from the host in a user ns */
	/* The spec's /dev/null replaces the default one. */
	int nulls = 0;
	for (size_t i = 0; i < p.n; i++)
		if (!strcmp(p.ops[i].dest, "/dev/null"))
			nulls++, assert_int_equal(p.ops[i].mode, S_IFCHR | 0644);
	assert_int_equal(nulls, 1);
	spec_free(s);
}

static void test_kinds(void **state)
{
	struct spec *s =
	    parse("{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\"},"
		  "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":"
		  "\"cgroup\"},{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":"
		  "\"proc\"}",
		  "");
	struct mount_plan p;
	struct err e = {0};
	assert_int_equal(mounts_plan(s, false, &p, &e), 0);
	assert_int_equal(find(&p, "/sys")->kind, MOP_SYSFS);
	assert_int_equal(find(&p, "/sys/fs/cgroup")->kind, MOP_CGROUP);
	assert_int_equal(find(&p, "/proc")->kind, MOP_MOUNT);
	spec_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_devices_and_links),
	    cmocka_unit_test(test_bind_of_dev_skips_devices),
	    cmocka_unit_test(test_bind_attributes),
	    cmocka_unit_test(test_spec_devices_and_userns),
	    cmocka_unit_test(test_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
