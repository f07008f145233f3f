/* test_base.c — errors, the arena, file helpers and root-confined paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/kernel.h"

#include <dirent.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_err_messages(void **state)
{
	struct err e = {0};
	assert_int_equal(err_sys(&e, ENOENT, "exec \"%s\"", "/bin/nope"), -ENOENT);
	assert_string_equal(e.msg, "exec \"/bin/nope\": no such file or directory");
	assert_int_equal(e.code, ENOENT);
	assert_int_equal(err_prefix(&e, "create %s", "c1"), -ENOENT);
	assert_string_equal(e.msg, "create c1: exec \"/bin/nope\": no such file or directory");
	assert_int_equal(err_msg(&e, EINVAL, "bad %d", 7), -EINVAL);
	assert_string_equal(e.msg, "bad 7");
	assert_int_equal(err_sys(NULL, EPERM, "x"), -EPERM);
	err_sys(&e, EIO, "read");
	assert_string_equal(e.msg, "read: input/output error");
}

static void test_arena(void **state)
{
	struct arena a = {0};
	char *s = arena_strdup(&a, "hello");
	assert_string_equal(s, "hello");
	char *p = arena_printf(&a, "%s-%d", s, 42);
	assert_string_equal(p, "hello-42");
	/* Big allocations get their own chunk and stay zeroed. */
	unsigned char *big = arena_alloc(&a, 100000);
	for (size_t i = 0; i < 100000; i++)
		assert_int_equal(big[i], 0);
	assert_null(arena_calloc(&a, SIZE_MAX / 2, 4));
	assert_string_equal(s, "hello");
	arena_free(&a);
	assert_null(a.head);
}

static char tmpdir[64];

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/capsa-test-base.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	int fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	rm_rf_at(fd, tmpdir + 5);
	close(fd);
	return 0;
}

static void test_atomic_write_and_read(void **state)
{
	_cleanup_close_ int d = open(tmpdir, O_RDONLY | O_DIRECTORY);
	struct err e = {0};
	assert_int_equal(write_file_atomic(d, "f.json", "{\"a\":1}", 7, 0600, &e), 0);
	char *buf;
	size_t len;
	assert_int_equal(read_file_at(d, "f.json", &buf, &len, &e), 0);
	assert_int_equal(len, 7);
	assert_string_equal(buf, "{\"a\":1}");
	free(buf);
	/* No temporary file left behind. */
	assert_int_equal(faccessat(d, ".f.json.tmp", F_OK, 0), -1);
	assert_int_equal(read_file_at(d, "missing", &buf, NULL, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "missing: no such file or directory"));
}

static void test_mkdir_p_and_rm_rf(void **state)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/a/b/c", tmpdir);
	struct err e = {0};
	assert_int_equal(mkdir_p(path, 0755, &e), 0);
	assert_int_equal(mkdir_p(path, 0755, &e), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	_cleanup_close_ int d = open(tmpdir, O_RDONLY | O_DIRECTORY);
	assert_int_equal(rm_rf_at(d, "a"), 0);
	assert_int_equal(faccessat(d, "a", F_OK, 0), -1);
	assert_int_equal(rm_rf_at(d, "a"), 0);
}

static int count_entries(DIR *d)
{
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	return n;
}

/* opendir_at: a named directory, or a fresh stream over a descriptor the
 * caller keeps, read from the start wherever an earlier reader of that
 * descriptor stopped (entries made between two walks are seen). */
static void test_opendir_at(void **state)
{
	_cleanup_close_ int d = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(d >= 0);
	assert_int_equal(mkdirat(d, "sub", 0700), 0);
	for (int i = 0; i < 3; i++) {
		char n[8];
		snprintf(n, sizeof(n), "f%d", i);
		_cleanup_close_ int f = openat(d, n, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		assert_true(f >= 0);
	}
	DIR *a = opendir_at(d, NULL);
	assert_non_null(a);
	assert_int_equal(count_entries(a), 4);
	closedir(a);
	/* The caller's descriptor is still open, and a second walk sees
	 * what the first left behind plus what came since. */
	assert_int_equal(fcntl(d, F_GETFD), FD_CLOEXEC);
	_cleanup_close_ int f = openat(d, "f9", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	DIR *b = opendir_at(d, "");
	assert_non_null(b);
	assert_int_equal(count_entries(b), 5);
	assert_int_equal(fcntl(dirfd(b), F_GETFD), FD_CLOEXEC);
	closedir(b);
	DIR *c = opendir_at(d, "sub");
	assert_non_null(c);
	assert_int_equal(count_entries(c), 0);
	closedir(c);
	errno = 0;
	assert_null(opendir_at(d, "missing"));
	assert_int_equal(errno, ENOENT);
	assert_null(opendir_at(d, "f0"));
	assert_int_equal(errno, ENOTDIR);
}

/* A symlink planted in a root must never lead a path out of it. */
static void test_kernel_release(void **state)
{
	(void)state;
	unsigned a, b;
	assert_true(kernel_release_parse("6.18.44-fc-v1272", &a, &b));
	assert_int_equal(a, 6);
	assert_int_equal(b, 18);
	assert_true(kernel_release_parse("5.10", &a, &b));
	assert_int_equal(a, 5);
	assert_int_equal(b, 10);
	assert_true(kernel_release_parse("4.19.0-26-amd64", &a, &b));
	assert_int_equal(a * 100 + b, 419);
	/* Not MAJOR.MINOR at the start: unknown, and 0.0. */
	assert_false(kernel_release_parse("6", &a, &b));
	assert_int_equal(a + b, 0);
	assert_false(kernel_release_parse("6.", &a, &b));
	assert_false(kernel_release_parse("v6.1", &a, &b));
	assert_false(kernel_release_parse("6-1", &a, &b));
	assert_false(kernel_release_parse("", &a, &b));
	assert_false(kernel_release_parse(NULL, &a, &b));
	assert_false(kernel_release_parse("99999999999.1", &a, &b));
	/* The running kernel: the same answer as uname(2) gives, from one
	 * call kept for the process. */
	struct utsname u;
	assert_int_equal(uname(&u), 0);
	const struct utsname *k = kernel_uname();
	assert_non_null(k);
	assert_ptr_equal(k, kernel_uname());
	assert_string_equal(k->release, u.release);
	assert_true(kernel_release_parse(u.release, &a, &b));
	assert_true(kernel_at_least(a, b));
	assert_true(kernel_at_least(a, 0));
	assert_false(kernel_at_least(a, b + 1));
	assert_false(kernel_at_least(a + 1, 0));
}

static void test_paths_stay_in_root(void **state)
{
	char root[128], outside[128];
	snprintf(root, sizeof(root), "%s/root", tmpdir);
	snprintf(outside, sizeof(outside), "%s/outside", tmpdir);
	assert_int_equal(mkdir(root, 0755), 0);
	char link[PATH_MAX];
	snprintf(link, sizeof(link), "%s/evil", root);
	assert_int_equal(symlink(outside, link), 0);
	snprintf(link, sizeof(link), "%s/up", root);
	assert_int_equal(symlink("../../..", link), 0);
	_cleanup_close_ int r = open(root, O_PATH | O_DIRECTORY);

	int fd = mkpath_in_root(r, "/evil/x", 0, 0755);
	if (fd >= 0)
		close(fd);
	assert_int_equal(access(outside, F_OK), -1); /* nothing made outside */

	fd = mkpath_in_root(r, "/up/made", 0, 0755);
	assert_true(fd >= 0);
	close(fd);
	char inside[PATH_MAX];
	snprintf(inside, sizeof(inside), "%s/made", root);
	assert_int_equal(access(inside, F_OK), 0); /* ".." clamps at the root */

	fd = mkpath_in_root(r, "/dev/null", 1, 0644);
	assert_true(fd >= 0);
	close(fd);
	struct stat st;
	snprintf(inside, sizeof(inside), "%s/dev/null", root);
	assert_int_equal(stat(inside, &st), 0);
	assert_true(S_ISREG(st.st_mode));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_err_messages),
	    cmocka_unit_test(test_arena),
	    cmocka_unit_test_setup_teardown(test_atomic_write_and_read, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mkdir_p_and_rm_rf, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_opendir_at, setup, teardown),
	    cmocka_unit_test(test_kernel_release),
	    cmocka_unit_test_setup_teardown(test_paths_stay_in_root, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
