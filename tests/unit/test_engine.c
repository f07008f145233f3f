/* test_engine.c — the engine's pure logic: IDs, names and lookups in the
 * store, flag value parsers, user resolution against a root's
 * /etc/passwd and /etc/group, log lines, entrypoint + command. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "engine/bundle.h"
#include "engine/exits.h"
#include "engine/ids.h"
#include "engine/logs.h"
#include "engine/opts.h"
#include "engine/store.h"
#include "engine/user.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char tmp[256];

static int setup(void **state)
{
	snprintf(tmp, sizeof(tmp), "/tmp/capsa-test-engine-XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	return rm_rf_at(AT_FDCWD, tmp) < 0 ? -1 : 0;
}

/* Write `text` to dir/name. */
static void put(const char *dir, const char *name, const char *text)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(write_file_atomic(fd, name, text, strlen(text), 0644, NULL), 0);
	close(fd);
}

static void test_ids(void **state)
{
	char a[ID_HEX + 1], b[ID_HEX + 1];
	assert_int_equal(id_generate(a, NULL), 0);
	assert_int_equal(id_generate(b, NULL), 0);
	assert_int_equal(strlen(a), 64);
	assert_true(id_is_full(a));
	assert_string_not_equal(a, b);
	assert_true(id_is_prefix("abc"));
	assert_false(id_is_prefix(""));
	assert_false(id_is_prefix("abg"));
	assert_false(id_is_prefix("ABC"));
	assert_false(id_is_full("abc"));
}

static void test_names(void **state)
{
	struct err e = {0};
	assert_int_equal(name_check("web-1.a_b", &e), 0);
	assert_int_equal(name_check("", &e), -EINVAL);
	assert_int_equal(name_check("-x", &e), -EINVAL);
	assert_int_equal(name_check("a/b", &e), -EINVAL);
	assert_non_null(strstr(e.msg, "a/b"));
	char full[ID_HEX + 1];
	id_generate(full, NULL);
	assert_int_equal(name_check(full, &e), -EINVAL);
	char n[64];
	assert_int_equal(name_generate(n, sizeof(n), &e), 0);
	assert_int_equal(name_check(n, &e), 0);
	assert_non_null(strchr(n, '_'));
}

static void test_store_lookup(void **state)
{
	char root[PATH_MAX];
	snprintf(root, sizeof(root), "%s/state", tmp);
	setenv("CAPSA_ROOT", root, 1);
	struct ctr_store s;
	struct err e = {0};
	assert_int_equal(ctr_store_open(&s, &e), 0);
	const char *id1 = "aaaa111111111111111111111111111111111111111111111111111111111111";
	const char *id2 = "aaaa222222222222222222222222222222222222222222222222222222222222";
	int fd;
	assert_int_equal(ctr_store_create(&s, id1, &fd, &e), 0);
	close(fd);
	assert_int_equal(ctr_store_create(&s, id2, &fd, &e), 0);
	close(fd);
	assert_int_equal(names_reserve(&s, "web", id1, &e), 0);
	assert_int_equal(names_reserve(&s, "web", id2, &e), -EEXIST);
	assert_non_null(strstr(e.msg, "already in use by container aaaa11111111"));
	char id[ID_HEX + 1];
	assert_int_equal(ctr_store_lookup(&s, "web", id, &e), 0);
	assert_string_equal(id, id1);
	assert_int_equal(ctr_store_lookup(&s, "aaaa2", id, &e), 0);
	assert_string_equal(id, id2);
	assert_int_equal(ctr_store_lookup(&s, id1, id, &e), 0);
	assert_int_equal(ctr_store_lookup(&s, "aaaa", id, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "ambiguous"));
	assert_int_equal(ctr_store_lookup(&s, "nothere", id, &e), -ENOENT);
	assert_int_equal(ctr_store_lookup(&s, "../x", id, &e), -ENOENT);
	/* rename moves the name; the old one is free. */
	assert_int_equal(names_rename(&s, "web", "api", id1, &e), 0);
	assert_int_equal(ctr_store_lookup(&s, "web", id, &e), -ENOENT);
	assert_int_equal(ctr_store_lookup(&s, "api", id, &e), 0);
	/* A name whose container is gone is stale and can be taken. */
	assert_int_equal(ctr_store_remove(&s, id1, &e), 0);
	assert_int_equal(names_reserve(&s, "api", id2, &e), 0);
	char **ids = NULL;
	assert_int_equal(ctr_store_list(&s, &ids, &e), 0);
	assert_non_null(ids[0]);
	assert_null(ids[1]);
	strv_freep(&ids);
	names_release(&s, "api", id2);
	assert_int_equal(ctr_store_lookup(&s, "api", id, &e), -ENOENT);
	ctr_store_close(&s);
	unsetenv("CAPSA_ROOT");
}

static void test_sizes(void **state)
{
	struct err e = {0};
	int64_t v;
	assert_int_equal(parse_size("-m", "512m", &v, &e), 0);
	assert_int_equal(v, 512LL << 20);
	assert_int_equal(parse_size("-m", "1G", &v, &e), 0);
	assert_int_equal(v, 1LL << 30);
	assert_int_equal(parse_size("-m", "1.5g", &v, &e), 0);
	assert_int_equal(v, 3LL << 29);
	assert_int_equal(parse_size("-m", "100k", &v, &e), 0);
	assert_int_equal(v, 102400);
	assert_int_equal(parse_size("-m", "4096", &v, &e), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_size("-m", "64mb", &v, &e), 0);
	assert_int_equal(v, 64LL << 20);
	assert_int_equal(parse_size("--memory", "12x", &v, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "--memory \"12x\""));
	assert_int_equal(parse_size("-m", "", &v, &e), -EINVAL);
	assert_int_equal(parse_size("-m", "-1m", &v, &e), -EINVAL);
	assert_int_equal(parse_size("-m", "m", &v, &e), -EINVAL);
	assert_int_equal(parse_size("-m", "99999999999t", &v, &e), -EINVAL);
}

static void test_cpus(void **state)
{
	struct err e = {0};
	int64_t q, p;
	assert_int_equal(parse_cpus("1.5", &q, &p, &e), 0);
	assert_int_equal(q, 150000);
	assert_int_equal(p, 100000);
	assert_int_equal(parse_cpus("0.25", &q, &p, &e), 0);
	assert_int_equal(q, 25000);
	assert_int_equal(parse_cpus("0", &q, &p, &e), -EINVAL);
	assert_int_equal(parse_cpus("abc", &q, &p, &e), -EINVAL);
	assert_int_equal(parse_cpus("0.001", &q, &p, &e), -EINVAL);
	assert_int_equal(parse_cpu_percent("50", &q, &p, &e), 0);
	assert_int_equal(q, 50000);
	assert_int_equal(parse_cpu_percent("200", &q, &p, &e), 0);
	assert_int_equal(q, 200000);
	assert_int_equal(parse_cpu_percent("-5", &q, &p, &e), -EINVAL);
}

static void test_env(void **state)
{
	struct err e = {0};
	struct strv env = {0};
	assert_int_equal(parse_env(&env, "A=1", &e), 0);
	assert_int_equal(parse_env(&env, "B=", &e), 0);
	setenv("CAPSA_TEST_FROM_HOST", "yes", 1);
	assert_int_equal(parse_env(&env, "CAPSA_TEST_FROM_HOST", &e), 0);
	assert_int_equal(parse_env(&env, "CAPSA_TEST_NOT_SET_ANYWHERE", &e), 0);
	assert_int_equal(parse_env(&env, "=x", &e), -EINVAL);
	assert_int_equal(env.n, 3);
	assert_string_equal(env.v[2], "CAPSA_TEST_FROM_HOST=yes");
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/env", tmp);
	const char *file = "# comment\n\nX=1\n  Y=two words\r\nZ\n";
	put(tmp, "env", file);
	assert_int_equal(parse_env_file(&env, path, &e), 0);
	assert_string_equal(env.v[3], "X=1");
	assert_string_equal(env.v[4], "Y=two words");
	assert_int_equal(env.n, 5);
	file = "GOOD=1\nBAD LINE\n";
	put(tmp, "env", file);
	assert_int_equal(parse_env_file(&env, path, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "line 2"));
	assert_int_equal(parse_env_file(&env, "/no/such/file", &e), -ENOENT);
	strv_clear(&env);
}

static void test_volumes(void **state)
{
	struct err e = {0};
	struct vol v;
	char spec[PATH_MAX + 32];
	snprintf(spec, sizeof(spec), "%s:/data:ro", tmp);
	assert_int_equal(parse_volume(spec, &v, &e), 0);
	assert_string_equal(v.src, tmp);
	assert_string_equal(v.dst, "/data");
	assert_true(v.ro);
	vol_free(&v);
	snprintf(spec, sizeof(spec), "%s:/data", tmp);
	assert_int_equal(parse_volume(spec, &v, &e), 0);
	assert_false(v.ro);
	vol_free(&v);
	assert_int_equal(parse_volume("/no/such/dir:/x", &v, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "/no/such/dir"));
	assert_int_equal(parse_volume("named:/x", &v, &e), -ENOTSUP);
	snprintf(spec, sizeof(spec), "%s:relative", tmp);
	assert_int_equal(parse_volume(spec, &v, &e), -EINVAL);
	snprintf(spec, sizeof(spec), "%s:/x:bogus", tmp);
	assert_int_equal(parse_volume(spec, &v, &e), -EINVAL);
	assert_int_equal(parse_volume("/justone", &v, &e), -EINVAL);

	assert_int_equal(parse_tmpfs("/scratch:size=1m,mode=700", &v, &e), 0);
	assert_int_equal(v.kind, MK_TMPFS);
	assert_string_equal(v.dst, "/scratch");
	assert_string_equal(v.opts, "size=1m,mode=700");
	vol_free(&v);
	assert_int_equal(parse_tmpfs("scratch", &v, &e), -EINVAL);

	snprintf(spec, sizeof(spec), "type=bind,source=%s,target=/m,readonly", tmp);
	assert_int_equal(parse_mount(spec, &v, &e), 0);
	assert_int_equal(v.kind, MK_BIND);
	assert_true(v.ro);
	vol_free(&v);
	assert_int_equal(parse_mount("type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1777", &v, &e),
			 0);
	assert_string_equal(v.opts, "size=1048576,mode=1777");
	vol_free(&v);
	assert_int_equal(parse_mount("type=volume,target=/t", &v, &e), -EINVAL);
	assert_int_equal(parse_mount("type=bind,target=/t", &v, &e), -EINVAL);
	assert_int_equal(parse_mount("type=tmpfs,target=/t,color=red", &v, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "color"));
}

static void test_ulimits_and_caps(void **state)
{
	struct err e = {0};
	struct ulimit u;
	assert_int_equal(parse_ulimit("nofile=1024:2048", &u, &e), 0);
	assert_string_equal(u.name, "RLIMIT_NOFILE");
	assert_int_equal(u.soft, 1024);
	assert_int_equal(u.hard, 2048);
	assert_int_equal(parse_ulimit("nproc=512", &u, &e), 0);
	assert_int_equal(u.hard, 512);
	assert_int_equal(parse_ulimit("core=-1", &u, &e), 0);
	assert_int_equal(u.soft, UINT64_MAX);
	assert_int_equal(parse_ulimit("nofile=2048:1024", &u, &e), -EINVAL);
	assert_int_equal(parse_ulimit("bogus=1", &u, &e), -EINVAL);
	assert_int_equal(parse_ulimit("nofile=x", &u, &e), -EINVAL);
	assert_int_equal(parse_ulimit("nofile", &u, &e), -EINVAL);
	struct strv caps = {0};
	assert_int_equal(parse_cap("--cap-add", "net_admin", &caps, &e), 0);
	assert_int_equal(parse_cap("--cap-add", "CAP_SYS_ADMIN", &caps, &e), 0);
	assert_int_equal(parse_cap("--cap-add", "all", &caps, &e), 0);
	assert_int_equal(parse_cap("--cap-add", "CAP_NOPE", &caps, &e), -EINVAL);
	assert_string_equal(caps.v[0], "CAP_NET_ADMIN");
	assert_string_equal(caps.v[1], "CAP_SYS_ADMIN");
	assert_string_equal(caps.v[2], "ALL");
	strv_clear(&caps);
}

static void test_users(void **state)
{
	char etc[PATH_MAX + 8];
	snprintf(etc, sizeof(etc), "%s/etc", tmp);
	assert_int_equal(mkdir(etc, 0755), 0);
	put(etc, "passwd",
	    "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n"
	    "broken line\nsvc:x:999:998::/:/bin/false\n");
	put(etc, "group", "root:x:0:\nuser:x:1000:\nextra:x:1001:user,svc\nsvcs:x:998:\n");
	struct user_ids u;
	struct err e = {0};
	assert_int_equal(user_resolve(tmp, "", &u, &e), 0);
	assert_int_equal(u.uid, 0);
	assert_string_equal(u.home, "/root");
	assert_int_equal(user_resolve(tmp, "user", &u, &e), 0);
	assert_int_equal(u.uid, 1000);
	assert_int_equal(u.gid, 1000);
	assert_int_equal(u.n_groups, 1);
	assert_int_equal(u.groups[0], 1001);
	assert_string_equal(u.home, "/home/user");
	/* By number: the passwd entry's name finds the same groups. */
	assert_int_equal(user_resolve(tmp, "1000", &u, &e), 0);
	assert_int_equal(u.gid, 1000);
	assert_int_equal(u.n_groups, 1);
	assert_int_equal(u.groups[0], 1001);
	/* An explicit group is the only one (docker, runc): no /etc/group
	 * memberships then. */
	assert_int_equal(user_resolve(tmp, "user:svcs", &u, &e), 0);
	assert_int_equal(u.gid, 998);
	assert_int_equal(u.n_groups, 0);
	assert_int_equal(user_resolve(tmp, "1000:5", &u, &e), 0);
	assert_int_equal(u.uid, 1000);
	assert_int_equal(u.gid, 5);
	assert_int_equal(u.n_groups, 0);
	/* A number not in passwd is fine, as in docker. */
	assert_int_equal(user_resolve(tmp, "4242", &u, &e), 0);
	assert_int_equal(u.uid, 4242);
	assert_int_equal(u.gid, 4242);
	assert_int_equal(user_resolve(tmp, "nobody", &u, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "\"nobody\""));
	assert_int_equal(user_resolve(tmp, "user:nogroup", &u, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "nogroup"));
	assert_int_equal(user_resolve(tmp, "user:", &u, &e), -EINVAL);
	/* A root without /etc/passwd: numbers only. */
	char bare[PATH_MAX + 8];
	snprintf(bare, sizeof(bare), "%s/bare", tmp);
	assert_int_equal(mkdir(bare, 0755), 0);
	assert_int_equal(user_resolve(bare, "7:8", &u, &e), 0);
	assert_int_equal(user_resolve(bare, "user", &u, &e), -ENOENT);
}

/* Kept exit codes: put, get, and minutes older than the window pruned
 * when a new minute starts (and only those). */
static void test_exits(void **state)
{
	struct ctr_store s;
	memset(&s, 0, sizeof(s));
	snprintf(s.root, sizeof(s.root), "%s", tmp);
	const char *id = "bbbb111111111111111111111111111111111111111111111111111111111111";
	int code = -1;
	assert_int_equal(exits_get(&s, id, &code), -ENOENT);
	/* Minute directories from before: one too old, one within the window. */
	long now = (long)(time(NULL) / 60);
	char p[PATH_MAX + 64];
	snprintf(p, sizeof(p), "%s/exits", tmp);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/exits/%ld", tmp, now - EXITS_KEEP_MIN - 1);
	assert_int_equal(mkdir(p, 0700), 0);
	put(p, "old", "1\n");
	snprintf(p, sizeof(p), "%s/exits/%ld", tmp, now - 1);
	assert_int_equal(mkdir(p, 0700), 0);
	put(p, id, "42\n");
	assert_int_equal(exits_get(&s, id, &code), 0);
	assert_int_equal(code, 42);
	const char *id2 = "bbbb222222222222222222222222222222222222222222222222222222222222";
	exits_put(&s, id2, 137);
	assert_int_equal(exits_get(&s, id2, &code), 0);
	assert_int_equal(code, 137);
	snprintf(p, sizeof(p), "%s/exits/%ld", tmp, now - EXITS_KEEP_MIN - 1);
	struct stat st;
	if (time(NULL) / 60 == now) /* no minute turned over meanwhile */
		assert_int_equal(stat(p, &st), -1);
	assert_int_equal(exits_get(&s, id, &code), 0);
	/* A half-written file is no code. */
	snprintf(p, sizeof(p), "%s/exits/%ld", tmp, now);
	put(p, "bbbb333333333333333333333333333333333333333333333333333333333333", "1");
	assert_int_equal(
	    exits_get(&s, "bbbb333333333333333333333333333333333333333333333333333333333333", &code),
	    -ENOENT);
}

static void test_log_lines(void **state)
{
	struct log_line l;
	const char *s = "2026-11-23T10:00:00.000000001Z stderr P some text";
	assert_true(logs_split(s, strlen(s), &l));
	assert_int_equal(l.ts_len, 30);
	assert_memory_equal(l.stream, "stderr", 6);
	assert_true(l.partial);
	assert_int_equal(l.text_len, 9);
	assert_memory_equal(l.text, "some text", 9);
	s = "2026-11-23T10:00:00Z stdout F ";
	assert_true(logs_split(s, strlen(s), &l));
	assert_int_equal(l.text_len, 0);
	s = "garbage";
	assert_false(logs_split(s, strlen(s), &l));
	s = "ts stdout X text";
	assert_false(logs_split(s, strlen(s), &l));
	char since[40];
	struct err e = {0};
	assert_int_equal(logs_parse_since("2026-11-23T10:00:00Z", since, &e), 0);
	assert_string_equal(since, "2026-11-23T10:00:00");
	assert_int_equal(logs_parse_since("0", since, &e), 0);
	assert_string_equal(since, "1970-01-01T00:00:00");
	assert_int_equal(logs_parse_since("10m", since, &e), 0);
	assert_int_equal(logs_parse_since("yesterday", since, &e), -EINVAL);
}

static void test_args(void **state)
{
	char *cmd[] = {"echo", "hi", NULL};
	char *ep[] = {"/entry", "-x", NULL};
	char *icmd[] = {"default", NULL};
	struct bundle_image img = {.entrypoint = ep, .cmd = icmd};
	struct run_opts o = {.args = cmd};
	struct bundle_in in = {.o = &o, .img = &img};
	char **v = NULL;
	struct err e = {0};
	/* entrypoint + given command */
	assert_int_equal(bundle_args(&in, &v, &e), 0);
	assert_string_equal(v[0], "/entry");
	assert_string_equal(v[2], "echo");
	assert_null(v[4]);
	strv_freep(&v);
	/* entrypoint + image Cmd */
	char *none[] = {NULL};
	o.args = none;
	assert_int_equal(bundle_args(&in, &v, &e), 0);
	assert_string_equal(v[2], "default");
	strv_freep(&v);
	/* --entrypoint replaces the image's and drops its Cmd */
	o.has_entrypoint = true;
	o.entrypoint = "/other";
	assert_int_equal(bundle_args(&in, &v, &e), 0);
	assert_string_equal(v[0], "/other");
	assert_null(v[1]);
	strv_freep(&v);
	/* --init goes first */
	o.init = true;
	assert_int_equal(bundle_args(&in, &v, &e), 0);
	assert_string_equal(v[0], BUNDLE_INIT_PATH);
	assert_string_equal(v[1], "--");
	assert_string_equal(v[2], "/other");
	strv_freep(&v);
	/* nothing at all */
	struct run_opts bare = {.args = none};
	struct bundle_in in2 = {.o = &bare};
	assert_int_equal(bundle_args(&in2, &v, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "no command"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ids),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test_setup_teardown(test_store_lookup, setup, teardown),
	    cmocka_unit_test(test_sizes),
	    cmocka_unit_test(test_cpus),
	    cmocka_unit_test_setup_teardown(test_env, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_volumes, setup, teardown),
	    cmocka_unit_test(test_ulimits_and_caps),
	    cmocka_unit_test_setup_teardown(test_users, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exits, setup, teardown),
	    cmocka_unit_test(test_log_lines),
	    cmocka_unit_test(test_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
