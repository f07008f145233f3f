/* test_clone_vm.c — clone3 with CLONE_VM through the assembly entry: the
 * child runs fn(arg) on the given stack, in our memory, and exits with
 * fn's result; CLONE_INTO_CGROUP puts it in the cgroup v2 directory we
 * name (as root, where a v2 hierarchy is mounted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "runtime/clone_vm.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct probe {
	int seen;
	uintptr_t sp;
	char cgroup[256];
};

static int child_fn(void *arg)
{
	struct probe *p = arg;
	int local = 0;
	p->sp = (uintptr_t)&local;
	p->seen = 42; /* our memory: the parent sees it */
	int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, p->cgroup, sizeof(p->cgroup) - 1);
		p->cgroup[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	return 7;
}

static pid_t run_child(struct probe *p, char *stack, size_t size, int cgfd)
{
	struct clone_args ca = {
	    .flags = CLONE_VM | (cgfd >= 0 ? CLONE_INTO_CGROUP : 0),
	    .exit_signal = SIGCHLD,
	    .stack = (unsigned long long)(uintptr_t)stack,
	    .stack_size = size,
	    .cgroup = cgfd >= 0 ? (unsigned long long)cgfd : 0,
	};
	return clone3_vm(&ca, child_fn, p);
}

static void test_runs_on_its_stack(void **state)
{
	size_t size = 64 << 10;
	char *stack = malloc(size);
	assert_non_null(stack);
	struct probe p = {0};
	pid_t pid = run_child(&p, stack, size, -1);
	if (pid < 0 && errno == ENOSYS) {
		free(stack);
		skip();
	}
	assert_true(pid > 0);
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 7);
	assert_int_equal(p.seen, 42);
	assert_true(p.sp > (uintptr_t)stack && p.sp < (uintptr_t)stack + size);
	free(stack);
}

static void test_into_cgroup(void **state)
{
	/* A pure v2 host, or the unified hierarchy of a hybrid one. */
	const char *root = "/sys/fs/cgroup/unified";
	struct stat sb;
	if (stat("/sys/fs/cgroup/cgroup.procs", &sb) == 0)
		root = "/sys/fs/cgroup";
	else if (stat("/sys/fs/cgroup/unified/cgroup.procs", &sb) != 0)
		skip();
	/* Under our own cgroup, never at the hierarchy's root. */
	char self[700] = "", dir[1024];
	FILE *f = fopen("/proc/self/cgroup", "re");
	assert_non_null(f);
	char line[600];
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3))
			snprintf(self, sizeof(self), "%s", line + 3);
	fclose(f);
	self[strcspn(self, "\n")] = '\0';
	snprintf(dir, sizeof(dir), "%s%s/capsa-test-clone-vm-%d", root,
		 strcmp(self, "/") ? self : "", (int)getpid());
	if (mkdir(dir, 0755) < 0)
		skip(); /* not root, or not delegated */
	int cgfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(cgfd >= 0);
	size_t size = 64 << 10;
	char *stack = malloc(size);
	struct probe p = {0};
	pid_t pid = run_child(&p, stack, size, cgfd);
	int saved = errno;
	int st = 0;
	if (pid > 0)
		assert_int_equal(waitpid(pid, &st, 0), pid);
	close(cgfd);
	rmdir(dir);
	free(stack);
	if (pid < 0 && saved == ENOSYS)
		skip();
	assert_true(pid > 0);
	assert_int_equal(WEXITSTATUS(st), 7);
	char want[64];
	snprintf(want, sizeof(want), "/capsa-test-clone-vm-%d\n", (int)getpid());
	assert_non_null(strstr(p.cgroup, want));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_runs_on_its_stack),
	    cmocka_unit_test(test_into_cgroup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
