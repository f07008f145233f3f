/* test_state.c — container IDs, status from the process and the fifo,
 * the lock as the sign of a create in progress. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "runtime/state.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char root[64];

static int setup(void **state)
{
	snprintf(root, sizeof(root), "/tmp/capsa-test-state.XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_ids(void **state)
{
	struct err e = {0};
	assert_int_equal(state_check_id("abc-1_2.3+x", &e), 0);
	assert_int_equal(state_check_id("", &e), -EINVAL);
	assert_int_equal(state_check_id(".", &e), -EINVAL);
	assert_int_equal(state_check_id("..", &e), -EINVAL);
	assert_int_equal(state_check_id("a/b", &e), -EINVAL);
	assert_non_null(strstr(e.msg, "a/b"));
	assert_int_equal(state_check_id("a b", &e), -EINVAL);
	char longid[1100];
	memset(longid, 'a', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	assert_int_equal(state_check_id(longid, &e), -EINVAL);
}

static void test_duplicate_and_missing(void **state)
{
	struct err e = {0};
	int fd;
	assert_int_equal(state_create_dir(root, "c1", &fd, &e), 0);
	int fd2;
	assert_int_equal(state_create_dir(root, "c1", &fd2, &e), -EEXIST);
	assert_string_equal(e.msg, "container \"c1\" already exists");
	close(fd);
	assert_int_equal(state_open(root, "nope", false, &fd2, &e), -ENOENT);
	assert_string_equal(e.msg, "container \"nope\" does not exist");
}

/* A missing state root is made on the first create; a root that is a
 * file is an error naming the path, and nothing is left behind. */
static void test_create_makes_root(void **state)
{
	struct err e = {0};
	char nested[128], file[128], path[192];
	snprintf(nested, sizeof(nested), "%s/new/deeper", root);
	int fd;
	assert_int_equal(state_create_dir(nested, "c9", &fd, &e), 0);
	struct stat st;
	snprintf(path, sizeof(path), "%s/c9", nested);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0711);
	/* Locked: a second lock from another open file fails at once. */
	int other = open(path, O_RDONLY | O_DIRECTORY);
	assert_true(other >= 0);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), -1);
	close(other);
	close(fd);
	snprintf(file, sizeof(file), "%s/afile", root);
	int f = open(file, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(f >= 0);
	close(f);
	assert_true(state_create_dir(file, "c9", &fd, &e) < 0);
	assert_non_null(strstr(e.msg, file));
}

static void test_status(void **state)
{
	struct err e = {0};
	int fd;
	assert_int_equal(state_create_dir(root, "c2", &fd, &e), 0);
	struct rt_state st = {.id = strdup("c2"), .bundle = strdup("/b")};

	/* No state.json: creating while someone holds the lock (a child
	 * process holds it here, as a create in another process would). */
	assert_int_equal(state_read(fd, "c2", &st, &e), 0);
	assert_false(st.has_state);
	int other;
	assert_int_equal(state_open(root, "c2", false, &other, &e), 0);
	assert_int_equal(state_status(other, &st), ST_CREATING);
	close(fd); /* our create "dies": the lock goes with it */
	assert_int_equal(state_status(other, &st), ST_STOPPED);

	/* A live process is running; with the exec fifo, created. */
	rt_state_free(&st);
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	st = (struct rt_state){.id = strdup("c2"),
			       .bundle = strdup("/b"),
			       .pid = child,
			       .pid_start = proc_start_time(child)};
	assert_true(st.pid_start > 0);
	assert_int_equal(state_write(other, &st, &e), 0);
	struct rt_state back;
	assert_int_equal(state_read(other, "c2", &back, &e), 0);
	assert_true(back.has_state);
	assert_int_equal(back.pid, child);
	assert_int_equal(state_status(other, &back), ST_RUNNING);
	assert_int_equal(mkfifoat(other, STATE_FIFO, 0600), 0);
	assert_int_equal(state_status(other, &back), ST_CREATED);

	/* A recycled pid (start time differs) is not the container. */
	back.pid_start += 1;
	assert_int_equal(state_status(other, &back), ST_STOPPED);
	back.pid_start -= 1;

	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	assert_int_equal(state_status(other, &back), ST_STOPPED);
	json_object *j = state_to_json(&back, ST_STOPPED, true);
	json_object *pid;
	assert_true(json_object_object_get_ex(j, "pid", &pid));
	assert_int_equal(json_object_get_int(pid), 0);
	json_object_put(j);
	rt_state_free(&back);
	rt_state_free(&st);
	close(other);
	assert_int_equal(state_remove(root, "c2", &e), 0);
	assert_int_equal(state_open(root, "c2", false, &other, &e), -ENOENT);
}

/* rfc3339_from against glibc's gmtime_r, across eras, leap years and
 * negative times. */
static void test_rfc3339(void **state)
{
	(void)state;
	static const long long fixed[] = {
	    0,	       -1, 951782400 /* 2000-02-29 */, 4107542399LL, -2208988800LL, 253402300799LL,
	    1795429774};
	char got[64], want[64];
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]) + 20000; i++) {
		long long t = i < sizeof(fixed) / sizeof(fixed[0])
				  ? fixed[i]
				  : (long long)(i * 2654435761ULL % 20000000000ULL) - 5000000000LL;
		struct timespec ts = {.tv_sec = (time_t)t, .tv_nsec = 123456789};
		struct tm tm;
		assert_non_null(gmtime_r(&ts.tv_sec, &tm));
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.123456789Z",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec);
		rfc3339_from(&ts, got);
		assert_string_equal(got, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ids),
	    cmocka_unit_test(test_rfc3339),
	    cmocka_unit_test_setup_teardown(test_duplicate_and_missing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create_makes_root, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_status, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
