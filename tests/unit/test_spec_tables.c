/* test_spec_tables.c — the name tables shared with other modules
 * (capabilities, namespaces, rlimits, mount options) and what the mount
 * option words do to a parsed mount.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "runtime/spec.h"

#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

static int parse_q(const char *doc, struct spec **s, struct err *e)
{
	char *j = strdup(doc);
	assert_non_null(j);
	for (char *p = j; *p; p++)
		if (*p == '\'')
			*p = '"';
	int r = spec_parse(j, "config.json", NULL, s, e);
	free(j);
	return r;
}

static void test_capability_table(void **state)
{
	assert_int_equal(spec_cap_count(), CAP_LAST_CAP + 1);
	for (int i = 0; i < spec_cap_count(); i++) {
		const char *n = spec_cap_name(i);
		assert_non_null(n);
		assert_int_equal(spec_cap_number(n), i);
	}
	assert_int_equal(spec_cap_number("CAP_CHOWN"), 0);
	assert_int_equal(spec_cap_number("CAP_SYS_ADMIN"), CAP_SYS_ADMIN);
	assert_int_equal(spec_cap_number("CAP_CHECKPOINT_RESTORE"), 40);
	assert_int_equal(spec_cap_number("CAP_SYSLOG"), CAP_SYSLOG);
	assert_int_equal(spec_cap_number("CAP_SYS"), -1);
	assert_int_equal(spec_cap_number("cap_chown"), -1);
	assert_int_equal(spec_cap_number("CHOWN"), -1);
	assert_int_equal(spec_cap_number("CAP_"), -1);
	assert_int_equal(spec_cap_number(""), -1);
	assert_null(spec_cap_name(-1));
	assert_null(spec_cap_name(CAP_LAST_CAP + 1));
}

static void test_namespace_table(void **state)
{
	static const struct {
		const char *spec, *proc;
		int flag;
	} ns[] = {
	    {"pid", "pid", CLONE_NEWPID},	   {"network", "net", CLONE_NEWNET},
	    {"mount", "mnt", CLONE_NEWNS},	   {"ipc", "ipc", CLONE_NEWIPC},
	    {"uts", "uts", CLONE_NEWUTS},	   {"user", "user", CLONE_NEWUSER},
	    {"cgroup", "cgroup", CLONE_NEWCGROUP}, {"time", "time", CLONE_NEWTIME},
	};
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		assert_int_equal(spec_ns_type(ns[i].spec), ns[i].flag);
		assert_string_equal(spec_ns_name(ns[i].flag), ns[i].spec);
		assert_string_equal(spec_ns_proc_name(ns[i].flag), ns[i].proc);
	}
	assert_int_equal(spec_ns_type("net"), -1);
	assert_int_equal(spec_ns_type("mnt"), -1);
	assert_null(spec_ns_name(0));
}

static void test_rlimit_table(void **state)
{
	assert_int_equal(spec_rlimit_type("RLIMIT_NOFILE"), RLIMIT_NOFILE);
	assert_int_equal(spec_rlimit_type("RLIMIT_CPU"), RLIMIT_CPU);
	assert_int_equal(spec_rlimit_type("RLIMIT_RTTIME"), RLIMIT_RTTIME);
	assert_int_equal(spec_rlimit_type("RLIMIT_AS"), RLIMIT_AS);
	assert_int_equal(spec_rlimit_type("NOFILE"), -1);
	assert_int_equal(spec_rlimit_type("RLIMIT_"), -1);
	assert_int_equal(spec_rlimit_type(""), -1);
}

static bool mount_option_listed(const char *w)
{
	for (size_t i = 0; spec_mount_options[i]; i++)
		if (!strcmp(spec_mount_options[i], w))
			return true;
	return false;
}

static void test_mount_option_list(void **state)
{
	static const char *const words[] = {
	    "ro",	   "rw",
	    "suid",	   "nosuid",
	    "dev",	   "nodev",
	    "exec",	   "noexec",
	    "sync",	   "async",
	    "dirsync",	   "remount",
	    "mand",	   "nomand",
	    "atime",	   "noatime",
	    "diratime",	   "nodiratime",
	    "relatime",	   "norelatime",
	    "strictatime", "nostrictatime",
	    "nosymfollow", "lazytime",
	    "silent",	   "loud",
	    "iversion",	   "noiversion",
	    "bind",	   "rbind",
	    "private",	   "rprivate",
	    "shared",	   "rshared",
	    "slave",	   "rslave",
	    "unbindable",  "runbindable",
	    "tmpcopyup",   "idmap",
	    "ridmap",
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!mount_option_listed(words[i]))
			fail_msg("mount option \"%s\" is not listed", words[i]);
	assert_false(mount_option_listed("mode=755"));
	/* Every listed word parses and none ends up in the data. */
	for (size_t i = 0; spec_mount_options[i]; i++) {
		char doc[256];
		snprintf(doc, sizeof(doc),
			 "{\"root\":{\"path\":\"/r\"},\"mounts\":[{\"destination\":\"/m\","
			 "\"source\":\"/s\",\"options\":[\"%s\"]}]}",
			 spec_mount_options[i]);
		struct spec *s = NULL;
		struct err e = {0};
		if (spec_parse(doc, "config.json", NULL, &s, &e) < 0)
			fail_msg("%s: %s", spec_mount_options[i], e.msg);
		assert_null(s->mounts[0].data);
		spec_free(s);
	}
}

static void test_mount_flags(void **state)
{
	struct spec *s = NULL;
	struct err e = {0};
	int r = parse_q(
	    "{'root':{'path':'/r'},'mounts':["
	    "{'destination':'/a','type':'ext4','source':'/dev/sda1','options':"
	    "['ro','sync','noatime','nodiratime','relatime','remount','lazytime','silent',"
	    "'iversion','mand','dirsync','errors=remount-ro','','user_xattr']},"
	    "{'destination':'/b','type':'ext4','options':['rw','async','loud','noiversion',"
	    "'nomand','diratime','norelatime','nostrictatime','suid','dev','exec','atime',"
	    "'runbindable']},"
	    "{'destination':'/c','type':'bind','source':'/x','options':['rshared','shared']}]}",
	    &s, &e);
	if (r < 0)
		fail_msg("%s", e.msg);
	const struct spec_mount *m = s->mounts;
	assert_int_equal(m[0].flags, MS_RDONLY | MS_SYNCHRONOUS | MS_NOATIME | MS_NODIRATIME |
					 MS_RELATIME | MS_REMOUNT | MS_LAZYTIME | MS_SILENT |
					 MS_I_VERSION | MS_MANDLOCK | MS_DIRSYNC);
	assert_string_equal(m[0].data, "errors=remount-ro,user_xattr");
	assert_false(m[0].is_bind);
	assert_int_equal(m[1].flags, 0);
	assert_int_equal(m[1].clear_flags, MS_RDONLY | MS_SYNCHRONOUS | MS_SILENT | MS_I_VERSION |
					       MS_MANDLOCK | MS_NODIRATIME | MS_RELATIME |
					       MS_STRICTATIME | MS_NOSUID | MS_NODEV | MS_NOEXEC |
					       MS_NOATIME);
	assert_int_equal(m[1].propagation, MS_UNBINDABLE | MS_REC);
	assert_true(m[2].is_bind);
	assert_int_equal(m[2].flags, MS_BIND);
	assert_int_equal(m[2].propagation, MS_SHARED); /* the last word wins */
	spec_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_capability_table), cmocka_unit_test(test_namespace_table),
	    cmocka_unit_test(test_rlimit_table),     cmocka_unit_test(test_mount_option_list),
	    cmocka_unit_test(test_mount_flags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
