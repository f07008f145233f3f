/* test_subid.c — the /etc/subuid parser and the rootless id mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/subid.h"

#include <errno.h>
#include <string.h>

static void test_by_name_and_uid(void **state)
{
	struct id_range r[8];
	const char *t = "alice:100000:65536\nbob:165536:65536\n1001:231072:1000\n";
	assert_int_equal(subid_parse(t, "bob", 1001, r, 8), 2);
	assert_int_equal(r[0].host_id, 165536);
	assert_int_equal(r[0].size, 65536);
	assert_int_equal(r[1].host_id, 231072);
	assert_int_equal(r[1].size, 1000);
	/* By uid alone (no name known). */
	assert_int_equal(subid_parse(t, NULL, 1001, r, 8), 1);
	assert_int_equal(r[0].host_id, 231072);
	/* A name that is a prefix of another is not it. */
	assert_int_equal(subid_parse(t, "ali", 5, r, 8), 0);
	assert_int_equal(subid_parse(t, "carol", 5, r, 8), 0);
}

static void test_several_lines_and_max(void **state)
{
	struct id_range r[2];
	const char *t = "u:1000000:10\nu:2000000:20\nu:3000000:30\n";
	assert_int_equal(subid_parse(t, "u", 7, r, 2), 2);
	assert_int_equal(r[1].host_id, 2000000);
	assert_int_equal(r[1].size, 20);
}

static void test_comments_and_malformed(void **state)
{
	struct id_range r[8];
	const char *t = "# u:1:2\n"
			"\n"
			"u\n"
			"u:abc:10\n"
			"u:100:\n"
			"u::10\n"
			"u:100:10:extra\n"
			"u:100:0\n"
			"u:-5:10\n"
			"u:4294967290:100\n"
			"u:99999999999:1\n"
			"u:500000:70000 \r\n"
			"u:600000:5"; /* no final newline */
	size_t n = subid_parse(t, "u", 9, r, 8);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].host_id, 500000);
	assert_int_equal(r[0].size, 70000);
	assert_int_equal(r[1].host_id, 600000);
	assert_int_equal(r[1].size, 5);
}

static void test_user_name(void **state)
{
	char n[64];
	const char *pw = "root:x:0:0:root:/root:/bin/sh\nbad line\nidsu1:x:1500:1500::/h:/bin/sh\n";
	subid_user_name(pw, 1500, n, sizeof(n));
	assert_string_equal(n, "idsu1");
	subid_user_name(pw, 150, n, sizeof(n));
	assert_string_equal(n, "");
}

static void test_mapping(void **state)
{
	struct id_mapping m;
	const char *pw = "me:x:1500:1500::/h:/bin/sh\n";
	id_mapping_build(&m, 1500, 1600, pw, "me:100000:65536\nme:300000:10\n",
			 "1500:200000:65536\n");
	assert_true(id_mapping_has_ranges(&m));
	assert_int_equal(m.n_uid, 3);
	assert_int_equal(m.n_gid, 2);
	assert_int_equal(m.uid[0].container_id, 0);
	assert_int_equal(m.uid[0].host_id, 1500);
	assert_int_equal(m.uid[0].size, 1);
	assert_int_equal(m.uid[1].container_id, 1);
	assert_int_equal(m.uid[2].container_id, 65537);
	assert_int_equal(m.uid[2].host_id, 300000);
	assert_int_equal(m.gid[0].host_id, 1600);
	char buf[256];
	assert_true(id_mapping_format(&m, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "uid 0:1500:1 1:100000:65536 65537:300000:10\n"
				 "gid 0:1600:1 1:200000:65536\n");
	assert_int_equal(id_mapping_format(&m, buf, 20), -ENAMETOOLONG);
}

static void test_mapping_needs_both_files(void **state)
{
	struct id_mapping m;
	id_mapping_build(&m, 1500, 1500, NULL, "1500:100000:65536\n", NULL);
	assert_false(id_mapping_has_ranges(&m));
	assert_int_equal(m.n_uid, 1);
	assert_int_equal(m.n_gid, 1);
	id_mapping_build(&m, 1500, 1500, NULL, "1500:100000:65536\n", "other:1:2\n");
	assert_false(id_mapping_has_ranges(&m));
	char buf[128];
	id_mapping_format(&m, buf, sizeof(buf));
	assert_string_equal(buf, "uid 0:1500:1\ngid 0:1500:1\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_by_name_and_uid),
	    cmocka_unit_test(test_several_lines_and_max),
	    cmocka_unit_test(test_comments_and_malformed),
	    cmocka_unit_test(test_user_name),
	    cmocka_unit_test(test_mapping),
	    cmocka_unit_test(test_mapping_needs_both_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
