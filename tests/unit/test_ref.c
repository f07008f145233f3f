/* test_ref.c — image reference parsing and normalisation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "image/ref.h"

#include <stdio.h>
#include <string.h>

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void check(const char *in, const char *want)
{
	struct image_ref r;
	struct err e = {0};
	char buf[REF_STR_MAX];
	int rc = ref_parse(in, &r, &e);
	if (rc < 0)
		fail_msg("ref_parse(%s): %s", in, e.msg);
	assert_true(ref_format(&r, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, want);
}

static void test_normalise(void **state)
{
	check("alpine", "docker.io/library/alpine:latest");
	check("alpine:3.20", "docker.io/library/alpine:3.20");
	check("library/alpine", "docker.io/library/alpine:latest");
	check("docker.io/alpine", "docker.io/library/alpine:latest");
	check("index.docker.io/alpine", "docker.io/library/alpine:latest");
	check("user/app:v1.0-rc_2", "docker.io/user/app:v1.0-rc_2");
	check("quay.io/org/app", "quay.io/org/app:latest");
	check("localhost/app", "localhost/app:latest");
	check("localhost:5000/a/b/c:t", "localhost:5000/a/b/c:t");
	check("127.0.0.1:5000/app", "127.0.0.1:5000/app:latest");
	check("[::1]:5000/app", "[::1]:5000/app:latest");
	check("my-reg.example.com/a__b/c-d.e", "my-reg.example.com/a__b/c-d.e:latest");
	check("alpine@sha256:" D64, "docker.io/library/alpine@sha256:" D64);
	check("alpine:3@sha256:" D64, "docker.io/library/alpine:3@sha256:" D64);
	check("host:5000/x@sha256:" D64, "host:5000/x@sha256:" D64);
}

static void check_bad(const char *in, const char *part)
{
	struct image_ref r;
	struct err e = {0};
	assert_true(ref_parse(in, &r, &e) < 0);
	if (!strstr(e.msg, part))
		fail_msg("ref_parse(%s): message \"%s\" lacks \"%s\"", in, e.msg, part);
}

static void test_bad(void **state)
{
	check_bad("", "empty");
	check_bad("Alpine", "lowercase");
	check_bad("alpine:", "invalid tag");
	check_bad("alpine:-x", "invalid tag");
	check_bad("alpine:a/b", "invalid");
	check_bad("alpine@sha256:abc", "invalid digest");
	check_bad("alpine@md5:" D64, "invalid digest");
	check_bad("a//b", "invalid repository");
	check_bad("a..b", "invalid repository");
	check_bad("-a", "invalid repository");
	check_bad("a-", "invalid repository");
	check_bad(":tag", "missing repository");
	check_bad("host:port/x", "invalid registry host");
	check_bad("host:123456/x", "invalid registry host");
	check_bad("a b", "invalid repository");
	char tag[200];
	memset(tag, 'x', sizeof(tag) - 1);
	tag[sizeof(tag) - 1] = '\0';
	char in[260];
	snprintf(in, sizeof(in), "a:%s", tag);
	check_bad(in, "invalid tag");
}

static void test_parts(void **state)
{
	struct image_ref r;
	struct err e = {0};
	char buf[REF_STR_MAX];
	assert_int_equal(ref_parse("alpine", &r, &e), 0);
	assert_string_equal(r.domain, "docker.io");
	assert_string_equal(r.path, "library/alpine");
	assert_string_equal(r.tag, "latest");
	assert_string_equal(r.digest, "");
	assert_string_equal(ref_registry_host(&r), "registry-1.docker.io");
	assert_true(ref_repository(&r, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "docker.io/library/alpine");
	assert_int_equal(ref_parse("ghcr.io/o/p", &r, &e), 0);
	assert_string_equal(ref_registry_host(&r), "ghcr.io");
	assert_true(ref_is_digest("sha256:" D64));
	assert_false(ref_is_digest("sha256:" D64 "0"));
	assert_false(ref_is_digest("sha256:ABCDEF"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_normalise),
	    cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_parts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
