/* test_hooks.c — hooks_run: order, stdin, env, failures, timeouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "runtime/hooks.h"
#include "runtime/spec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STATE "{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":42}"

struct fixture {
	char dir[64];
	char file[96];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	strcpy(f->dir, "/tmp/capsa-test-hooks-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->file, sizeof(f->file), "%s/out", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	unlink(f->file);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* A hook running `/bin/sh -c SCRIPT`; script and argv live in `argv`. */
static struct spec_hook sh_hook(char *argv[4], const char *script)
{
	argv[0] = "sh";
	argv[1] = "-c";
	argv[2] = (char *)script;
	argv[3] = NULL;
	return (struct spec_hook){.path = "/bin/sh", .args = argv};
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return NULL;
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_order(void **state)
{
	struct fixture *f = *state;
	char s1[128], s2[128], s3[128];
	snprintf(s1, sizeof(s1), "echo one >> %s", f->file);
	snprintf(s2, sizeof(s2), "echo two >> %s", f->file);
	snprintf(s3, sizeof(s3), "echo three >> %s", f->file);
	char *a1[4], *a2[4], *a3[4];
	struct spec_hook h[3] = {sh_hook(a1, s1), sh_hook(a2, s2), sh_hook(a3, s3)};
	struct err e = {0};
	assert_int_equal(hooks_run("prestart", h, 3, STATE, &e), 0);
	assert_string_equal(slurp(f->file), "one\ntwo\nthree\n");
}

static void test_state_on_stdin(void **state)
{
	struct fixture *f = *state;
	char s[128];
	snprintf(s, sizeof(s), "cat > %s", f->file);
	char *a[4];
	struct spec_hook h = sh_hook(a, s);
	struct err e = {0};
	assert_int_equal(hooks_run("createRuntime", &h, 1, STATE, &e), 0);
	assert_string_equal(slurp(f->file), STATE);
}

static void test_env(void **state)
{
	struct fixture *f = *state;
	char s[160];
	snprintf(s, sizeof(s), "printf '%%s|%%s' \"$HOOK_VAR\" \"${CAPSA_TEST_LEAK-unset}\" > %s",
		 f->file);
	char *a[4];
	char *env[] = {"HOOK_VAR=hello world", NULL};
	struct spec_hook h = sh_hook(a, s);
	h.env = env;
	setenv("CAPSA_TEST_LEAK", "leaked", 1);
	struct err e = {0};
	assert_int_equal(hooks_run("poststart", &h, 1, STATE, &e), 0);
	unsetenv("CAPSA_TEST_LEAK");
	/* Only the hook's own env: nothing of ours leaks through. */
	assert_string_equal(slurp(f->file), "hello world|unset");
}

static void test_failure_stops_list(void **state)
{
	struct fixture *f = *state;
	char s2[128];
	snprintf(s2, sizeof(s2), "touch %s", f->file);
	char *a1[4], *a2[4];
	struct spec_hook h[2] = {sh_hook(a1, "exit 3"), sh_hook(a2, s2)};
	struct err e = {0};
	assert_true(hooks_run("prestart", h, 2, STATE, &e) < 0);
	assert_string_equal(e.msg, "prestart hook /bin/sh: exited with status 3");
	assert_int_equal(access(f->file, F_OK), -1);
}

static void test_killed_by_signal(void **state)
{
	char *a[4];
	struct spec_hook h = sh_hook(a, "kill -KILL $$");
	struct err e = {0};
	assert_true(hooks_run("poststop", &h, 1, STATE, &e) < 0);
	assert_string_equal(e.msg, "poststop hook /bin/sh: killed by signal SIGKILL");
}

static void test_timeout(void **state)
{
	char *argv[] = {"sleep", "10", NULL};
	struct spec_hook h = {.path = "/bin/sleep", .args = argv, .timeout = 1};
	struct err e = {0};
	double t0 = now_s();
	assert_int_equal(hooks_run("createContainer", &h, 1, STATE, &e), -ETIMEDOUT);
	double took = now_s() - t0;
	assert_true(took >= 0.9 && took < 2.0);
	assert_string_equal(e.msg, "createContainer hook /bin/sleep: timed out after 1 s");
}

static void test_missing_path(void **state)
{
	struct spec_hook h = {.path = "/nonexistent/capsa-hook"};
	struct err e = {0};
	assert_int_equal(hooks_run("prestart", &h, 1, STATE, &e), -ENOENT);
	assert_string_equal(
	    e.msg, "prestart hook /nonexistent/capsa-hook: exec: no such file or directory");
}

static void test_default_argv(void **state)
{
	/* No args: argv is {path}, and /bin/true succeeds. */
	struct spec_hook h = {.path = "/bin/true"};
	struct err e = {0};
	assert_int_equal(hooks_run("prestart", &h, 1, NULL, &e), 0);
}

/* A state far larger than any pipe buffer, to a hook that never reads
 * it: no SIGPIPE for us, no deadlock, success. */
static void test_hook_ignores_stdin(void **state)
{
	size_t len = 8u << 20;
	char *big = malloc(len + 1);
	assert_non_null(big);
	memset(big, 'x', len);
	big[len] = '\0';
	char *a1[4], *a2[4];
	struct spec_hook h[2] = {sh_hook(a1, "exit 0"), sh_hook(a2, "sleep 0.1")};
	struct err e = {0};
	assert_int_equal(hooks_run("prestart", h, 2, big, &e), 0);
	free(big);
}

/* The same large state does arrive whole when the hook reads it. */
static void test_large_state_read(void **state)
{
	struct fixture *f = *state;
	size_t len = 4u << 20;
	char *big = malloc(len + 1);
	assert_non_null(big);
	memset(big, 'y', len);
	big[len] = '\0';
	char s[128];
	snprintf(s, sizeof(s), "cat > %s", f->file);
	char *a[4];
	struct spec_hook h = sh_hook(a, s);
	struct err e = {0};
	assert_int_equal(hooks_run("prestart", &h, 1, big, &e), 0);
	struct stat st;
	assert_int_equal(stat(f->file, &st), 0);
	assert_int_equal(st.st_size, len);
	free(big);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

/* Success, failure, timeout and exec error leave no fd and no child. */
static void test_no_leaks(void **state)
{
	int before = count_fds();
	char *a1[4], *a2[4];
	struct spec_hook ok = sh_hook(a1, "cat >/dev/null");
	struct spec_hook bad = sh_hook(a2, "exit 1");
	char *argv[] = {"sleep", "5", NULL};
	struct spec_hook slow = {.path = "/bin/sleep", .args = argv, .timeout = 1};
	struct spec_hook missing = {.path = "/nonexistent"};
	struct err e = {0};
	assert_int_equal(hooks_run("prestart", &ok, 1, STATE, &e), 0);
	assert_true(hooks_run("prestart", &bad, 1, STATE, &e) < 0);
	assert_true(hooks_run("prestart", &slow, 1, STATE, &e) < 0);
	assert_true(hooks_run("prestart", &missing, 1, STATE, &e) < 0);
	assert_int_equal(count_fds(), before);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_state_on_stdin, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_env, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failure_stops_list, setup, teardown),
	    cmocka_unit_test(test_killed_by_signal),
	    cmocka_unit_test(test_timeout),
	    cmocka_unit_test(test_missing_path),
	    cmocka_unit_test(test_default_argv),
	    cmocka_unit_test(test_hook_ignores_stdin),
	    cmocka_unit_test_setup_teardown(test_large_state_read, setup, teardown),
	    cmocka_unit_test(test_no_leaks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
