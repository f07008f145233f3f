/* test_cgroup.c — the cgroup layer without a container: layout detection
 * from /proc/self/cgroup texts, cgroupsPath resolution (systemd form
 * included), resources parsing and its errors, the files written on v1
 * and on v2, and (as root, where a v2 hierarchy is mounted) the device
 * program enforced by the kernel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/error.h"
#include "runtime/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

static const char hybrid[] = "9:name=systemd:/\n"
			     "8:pids:/\n"
			     "4:memory:/svc/a\n"
			     "2:cpu,cpuacct:/\n"
			     "6:freezer:/\n"
			     "0::/\n";

static void test_detect_hybrid(void **state)
{
	struct cg_layout l;
	struct err e = {0};
	assert_int_equal(cg_detect_from(&l, hybrid, false, true, NULL, &e), 0);
	assert_int_equal(l.mode, CG_MODE_HYBRID);
	assert_int_equal(l.n, 5); /* name=systemd is left out */
	assert_string_equal(l.h[1].mount, "/sys/fs/cgroup/memory");
	assert_string_equal(l.h[1].self, "/svc/a");
	assert_true(l.h[1].ctrls & (1u << CG_MEMORY));
	assert_string_equal(l.h[2].mount, "/sys/fs/cgroup/cpu,cpuacct");
	assert_true(l.h[2].ctrls & (1u << CG_CPU));
	assert_true(l.h[2].ctrls & (1u << CG_CPUACCT));
	assert_true(l.h[4].v2);
	assert_string_equal(l.h[4].mount, "/sys/fs/cgroup/unified");
	assert_int_equal(l.h[4].ctrls, 0); /* the unified hierarchy holds none here */
}

static void test_detect_v2_and_v1(void **state)
{
	struct cg_layout l;
	struct err e = {0};
	assert_int_equal(cg_detect_from(&l, "0::/user.slice/x.scope\n", true, false,
					"cpuset cpu io memory pids\n", &e),
			 0);
	assert_int_equal(l.mode, CG_MODE_V2);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.h[0].mount, "/sys/fs/cgroup");
	unsigned want = 1u << CG_CPU | 1u << CG_CPUACCT | 1u << CG_CPUSET | 1u << CG_MEMORY |
			1u << CG_PIDS | 1u << CG_BLKIO | 1u << CG_FREEZER | 1u << CG_DEVICES;
	assert_int_equal(l.h[0].ctrls, want);
	/* pure v1: a "0::" line without a mounted unified hierarchy is ignored */
	assert_int_equal(cg_detect_from(&l, hybrid, false, false, NULL, &e), 0);
	assert_int_equal(l.mode, CG_MODE_V1);
	assert_int_equal(l.n, 4);
	assert_int_equal(cg_detect_from(&l, "garbage\n", false, false, NULL, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "/proc/self/cgroup"));
}

static void resolves(const char *cp, const char *self, const char *want)
{
	char out[512];
	struct err e = {0};
	int r = cg_resolve_path(cp, "c1", self, out, sizeof(out), &e);
	if (r < 0)
		fail_msg("%s: %s", cp ? cp : "(null)", e.msg);
	assert_string_equal(out, want);
}

static void test_resolve(void **state)
{
	resolves(NULL, "/", "/capsa/c1");
	resolves("", "/user.slice/s.scope", "/user.slice/s.scope/capsa/c1");
	resolves("rel/x", "/a", "/a/rel/x");
	resolves("/abs/y/", "/a", "/abs/y");
	resolves("machine.slice:capsa:c1", "/a", "/machine.slice/capsa-c1.scope");
	resolves("a-b-c.slice:pfx:n", "/", "/a.slice/a-b.slice/a-b-c.slice/pfx-n.scope");
	resolves(":capsa:c1", "/", "/system.slice/capsa-c1.scope");
	resolves("-.slice:capsa:c1", "/", "/capsa-c1.scope");
	resolves("x.slice::sub.slice", "/", "/x.slice/sub.slice");
	char out[512];
	struct err e = {0};
	assert_int_equal(cg_resolve_path("a/../../b", "c1", "/", out, sizeof(out), &e), -EINVAL);
	assert_non_null(strstr(e.msg, ".."));
	assert_int_equal(cg_resolve_path("/", "c1", "/", out, sizeof(out), &e), -EINVAL);
	assert_int_equal(cg_resolve_path("bad:slice:x", "c1", "/", out, sizeof(out), &e), -EINVAL);
	assert_non_null(strstr(e.msg, "slice"));
	assert_int_equal(cg_resolve_path("a:b:c:d", "c1", "/", out, sizeof(out), &e), -EINVAL);
}

static int parse(const char *json, struct arena *a, struct cg_resources *r, struct err *e)
{
	json_object *o = json_tokener_parse(json);
	assert_non_null(o);
	int rc = cg_resources_parse(o, "config.json", "linux.resources", a, r, e);
	json_object_put(o);
	return rc;
}

static void bad(const char *json, const char *path)
{
	struct arena a = {0};
	struct cg_resources r;
	struct err e = {0};
	assert_int_equal(parse(json, &a, &r, &e), -EINVAL);
	if (!strstr(e.msg, path))
		fail_msg("error \"%s\" does not name %s", e.msg, path);
	arena_free(&a);
}

static void test_parse_errors(void **state)
{
	bad("{\"memory\": {\"limit\": -2}}", "linux.resources.memory.limit");
	bad("{\"memory\": {\"limit\": \"1g\"}}", "linux.resources.memory.limit");
	bad("{\"memory\": {\"limit\": 4096}}", "linux.resources.memory.limit");
	bad("{\"memory\": {\"limit\": 67108864, \"swap\": 1048576}}",
	    "linux.resources.memory.swap");
	bad("{\"pids\": {\"limit\": -3}}", "linux.resources.pids.limit");
	bad("{\"cpu\": {\"quota\": 50}}", "linux.resources.cpu.quota");
	bad("{\"cpu\": {\"shares\": 1000000}}", "linux.resources.cpu.shares");
	bad("{\"cpu\": {\"cpus\": \"0-1;rm\"}}", "linux.resources.cpu.cpus");
	bad("{\"devices\": [{\"allow\": true, \"type\": \"x\"}]}",
	    "linux.resources.devices[0].type");
	bad("{\"devices\": [{\"allow\": true, \"access\": \"rwx\"}]}",
	    "linux.resources.devices[0].access");
	bad("{\"devices\": [{\"type\": \"c\"}]}", "linux.resources.devices[0].allow");
	bad("{\"hugepageLimits\": [{\"pageSize\": \"2XB\", \"limit\": 1}]}",
	    "linux.resources.hugepageLimits[0].pageSize");
	bad("{\"unified\": {\"../../x\": \"1\"}}", "linux.resources.unified");
	bad("{\"unified\": {\"memory.high\": 5}}", "linux.resources.unified.memory.high");
	bad("{\"blockIO\": {\"weight\": 5}}", "linux.resources.blockIO.weight");
	bad("[]", "linux.resources");
}

/* The writes as "file=value" lines. */
static char *plan(const char *json, unsigned v2mask, struct err *e, int *rc)
{
	struct arena a = {0};
	struct cg_resources r;
	assert_int_equal(parse(json, &a, &r, e), 0);
	struct cg_writes ws = {0};
	*rc = cg_plan_writes(&r, v2mask, &ws, e);
	if (*rc == 0 && !(v2mask & (1u << CG_DEVICES)))
		*rc = cg_devices_v1_writes(&r, &ws, e);
	static char out[4096];
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < ws.n; i++)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s=%s\n", ws.w[i].file,
				      ws.w[i].value);
	cg_writes_free(&ws);
	arena_free(&a);
	return out;
}

#define ALL_V2 0xffffu

static void test_writes_v1_v2(void **state)
{
	struct err e = {0};
	int rc;
	const char *res = "{\"memory\": {\"limit\": 67108864, \"swap\": 134217728, "
			  "\"reservation\": 33554432},"
			  " \"cpu\": {\"shares\": 1024, \"quota\": 50000, \"period\": 100000,"
			  " \"cpus\": \"0-1\"}, \"pids\": {\"limit\": 100},"
			  " \"blockIO\": {\"weight\": 500}}";
	char *v1 = plan(res, 0, &e, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(v1, "memory.limit_in_bytes=67108864\n"));
	assert_non_null(strstr(v1, "memory.memsw.limit_in_bytes=134217728\n"));
	assert_non_null(strstr(v1, "memory.soft_limit_in_bytes=33554432\n"));
	assert_non_null(strstr(v1, "cpu.shares=1024\n"));
	assert_non_null(strstr(v1, "cpu.cfs_period_us=100000\ncpu.cfs_quota_us=50000\n"));
	assert_non_null(strstr(v1, "cpuset.cpus=0-1\n"));
	assert_non_null(strstr(v1, "pids.max=100\n"));
	assert_non_null(strstr(v1, "blkio.weight=500\n"));
	char *v2 = plan(res, ALL_V2, &e, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(v2, "memory.max=67108864\n"));
	/* swap on v2 counts swap alone: 128M total - 64M memory */
	assert_non_null(strstr(v2, "memory.swap.max=67108864\n"));
	assert_non_null(strstr(v2, "memory.low=33554432\n"));
	assert_non_null(strstr(v2, "cpu.weight=39\n"));
	assert_non_null(strstr(v2, "cpu.max=50000 100000\n"));
	assert_non_null(strstr(v2, "io.weight=default 4950\n"));
	v2 = plan("{\"memory\": {\"limit\": -1}, \"pids\": {\"limit\": -1},"
		  " \"cpu\": {\"period\": 50000}}",
		  ALL_V2, &e, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(v2, "memory.max=max\ncpu.max=max 50000\npids.max=max\n");
}

static void test_conversions(void **state)
{
	assert_int_equal(cg_shares_to_weight(2), 1);
	assert_int_equal(cg_shares_to_weight(262144), 10000);
	assert_int_equal(cg_shares_to_weight(1024), 39);
	assert_int_equal(cg_shares_to_weight(2048), 79);
	assert_int_equal(cg_blkio_to_io_weight(10), 1);
	assert_int_equal(cg_blkio_to_io_weight(1000), 10000);
}

static void test_write_errors(void **state)
{
	struct err e = {0};
	int rc;
	plan("{\"unified\": {\"memory.high\": \"1000000\"}}", 0, &e, &rc);
	assert_int_equal(rc, -ENOTSUP);
	assert_non_null(strstr(e.msg, "memory.high"));
	assert_non_null(strstr(e.msg, "v1"));
	char *v2 = plan("{\"unified\": {\"memory.high\": \"1000000\"}}", ALL_V2, &e, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(v2, "memory.high=1000000\n");
	plan("{\"network\": {\"classID\": 5}}", ALL_V2, &e, &rc);
	assert_int_equal(rc, -ENOTSUP);
	assert_non_null(strstr(e.msg, "network"));
	char *v1 = plan("{\"network\": {\"classID\": 5, \"priorities\": "
			"[{\"name\": \"eth0\", \"priority\": 3}]}}",
			0, &e, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(v1, "net_cls.classid=5\nnet_prio.ifpriomap=eth0 3\n");
	plan("{\"memory\": {\"swap\": 1000000000}}", ALL_V2, &e, &rc);
	assert_int_equal(rc, -EINVAL);
}

static void test_devices_v1(void **state)
{
	struct err e = {0};
	int rc;
	char *v1 = plan("{\"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
			" {\"allow\": true, \"type\": \"b\", \"major\": 8, \"access\": \"r\"}]}",
			0, &e, &rc);
	assert_int_equal(rc, 0);
	/* the rules in order, then the devices every container gets */
	assert_non_null(strstr(v1, "devices.deny=a\ndevices.allow=b 8:* r\n"
				   "devices.allow=c 1:3 rwm\n"));
	assert_non_null(strstr(v1, "devices.allow=c 136:* rwm\n"));
	v1 = plan("{}", 0, &e, &rc);
	assert_string_equal(v1, ""); /* no rules: the device cgroup is left alone */
}

static void test_limit_anything(void **state)
{
	struct arena a = {0};
	struct cg_resources r;
	struct err e = {0};
	assert_int_equal(parse("{\"devices\": [{\"allow\": false}]}", &a, &r, &e), 0);
	assert_false(cg_resources_limit_anything(&r));
	assert_int_equal(parse("{\"pids\": {\"limit\": 5}}", &a, &r, &e), 0);
	assert_true(cg_resources_limit_anything(&r));
	arena_free(&a);
}

/* As root on a host with a v2 hierarchy: the device program, loaded and
 * attached to a fresh cgroup, lets a child open /dev/null and not
 * /dev/loop-control. */
/* One parser for controller lists: cgroup.controllers and
 * cgroup.subtree_control (spaces, v2 names) and v1 mount options (commas). */
static void test_ctrl_bits(void **state)
{
	const unsigned cpu = 1u << CG_CPU, acct = 1u << CG_CPUACCT, mem = 1u << CG_MEMORY,
		       io = 1u << CG_BLKIO, pids = 1u << CG_PIDS;
	assert_int_equal(cg_ctrl_bits("cpu io memory pids\n", ' ', true),
			 cpu | acct | io | mem | pids);
	assert_int_equal(cg_ctrl_bits("memory\n", ' ', true), mem);
	assert_int_equal(cg_ctrl_bits("\n", ' ', true), 0);
	assert_int_equal(cg_ctrl_bits("", ' ', true), 0);
	/* Whole words only: "cpuset" is not "cpu", "io" is not "blkio" on v1. */
	assert_int_equal(cg_ctrl_bits("cpuset hugetlb", ' ', true),
			 (1u << CG_CPUSET) | (1u << CG_HUGETLB));
	assert_int_equal(cg_ctrl_bits("io", ',', false), 0);
	assert_int_equal(cg_ctrl_bits("cpu,cpuacct", ',', false), cpu | acct);
	assert_int_equal(cg_ctrl_bits("blkio", ',', false), io);
}

static void test_devices_bpf(void **state)
{
	struct statfs sf;
	const char *mnt = NULL;
	if (statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
		mnt = "/sys/fs/cgroup";
	else if (statfs("/sys/fs/cgroup/unified", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
		mnt = "/sys/fs/cgroup/unified";
	if (geteuid() != 0 || !mnt || access("/dev/loop-control", F_OK) < 0)
		skip();
	struct cg_layout l;
	struct err e = {0};
	assert_int_equal(cg_detect(&l, &e), 0);
	const char *self = NULL;
	for (size_t i = 0; i < l.n; i++)
		if (l.h[i].v2)
			self = l.h[i].self;
	assert_non_null(self);
	char dir[768];
	snprintf(dir, sizeof(dir), "%s%s%scapsa-test-unit-bpf-%d", mnt, self,
		 self[strlen(self) - 1] == '/' ? "" : "/", (int)getpid());
	assert_int_equal(mkdir(dir, 0755), 0);
	struct arena a = {0};
	struct cg_resources r;
	assert_int_equal(parse("{\"devices\": [{\"allow\": false, \"access\": \"rwm\"},"
			       " {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 5,"
			       " \"access\": \"r\"}]}",
			       &a, &r, &e),
			 0);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	int rc = cg_devices_bpf_attach(fd, &r, &e);
	if (rc < 0)
		fprintf(stderr, "%s\n", e.msg);
	assert_int_equal(rc, 0);
	pid_t pid = fork();
	if (pid == 0) {
		char procs[800];
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
		int p = open(procs, O_WRONLY);
		if (p < 0 || write(p, "0", 1) != 1)
			_exit(10);
		close(p);
		int ok_null = open("/dev/null", O_RDWR) >= 0;
		int ok_zero_r = open("/dev/zero", O_RDONLY) >= 0;
		int loop = open("/dev/loop-control", O_RDONLY);
		int denied = loop < 0 && errno == EPERM;
		_exit(ok_null && ok_zero_r && denied ? 0 : 20 + ok_null + 2 * ok_zero_r);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(fd);
	rmdir(dir);
	arena_free(&a);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* The v1 `tasks` files the init writes "0" to: opened for writing in
 * the order of the directories, the v2 one left out; a missing one is an
 * error naming its directory, and nothing stays open. */
static void test_open_v1_tasks(void **state)
{
	char base[] = "/tmp/capsa-cgtest-XXXXXX";
	assert_non_null(mkdtemp(base));
	struct cgroup cg = {.n = 3, .v2_fd = -1};
	const char *names[] = {"pids", "unified", "memory"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(cg.d[i].path, sizeof(cg.d[i].path), "%s/%s", base, names[i]);
		assert_int_equal(mkdir(cg.d[i].path, 0700), 0);
		cg.d[i].v2 = i == 1;
		char f[700];
		snprintf(f, sizeof(f), "%s/%s", cg.d[i].path, i == 1 ? "cgroup.procs" : "tasks");
		int fd = open(f, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		assert_true(fd >= 0);
		close(fd);
	}
	int fds[4];
	const char *paths[4];
	size_t n = 99;
	struct err e = {0};
	assert_int_equal(cg_open_v1_tasks(&cg, fds, paths, 4, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_ptr_equal(paths[0], cg.d[0].path);
	assert_ptr_equal(paths[1], cg.d[2].path);
	for (size_t i = 0; i < n; i++) {
		int fl = fcntl(fds[i], F_GETFL);
		assert_int_equal(fl & O_ACCMODE, O_WRONLY);
		assert_true(fcntl(fds[i], F_GETFD) & FD_CLOEXEC);
		assert_int_equal(write(fds[i], "0", 1), 1);
		close(fds[i]);
	}
	/* Too small an array: an error, and nothing left open. */
	int probe = open("/dev/null", O_RDONLY | O_CLOEXEC);
	close(probe);
	assert_true(cg_open_v1_tasks(&cg, fds, paths, 1, &n, &e) < 0);
	assert_int_equal(n, 0);
	/* The memory one missing: the error names it, pids' fd is closed. */
	char f[700];
	snprintf(f, sizeof(f), "%s/tasks", cg.d[2].path);
	assert_int_equal(unlink(f), 0);
	assert_int_equal(cg_open_v1_tasks(&cg, fds, paths, 4, &n, &e), -ENOENT);
	assert_int_equal(n, 0);
	assert_non_null(strstr(e.msg, cg.d[2].path));
	int next = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_int_equal(next, probe); /* the lowest fd is free again */
	close(next);
	for (size_t i = 0; i < 3; i++) {
		snprintf(f, sizeof(f), "%s/%s", cg.d[i].path, i == 1 ? "cgroup.procs" : "tasks");
		unlink(f);
		rmdir(cg.d[i].path);
	}
	rmdir(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_detect_hybrid),  cmocka_unit_test(test_detect_v2_and_v1),
	    cmocka_unit_test(test_resolve),	   cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_writes_v1_v2),   cmocka_unit_test(test_conversions),
	    cmocka_unit_test(test_write_errors),   cmocka_unit_test(test_devices_v1),
	    cmocka_unit_test(test_limit_anything), cmocka_unit_test(test_devices_bpf),
	    cmocka_unit_test(test_ctrl_bits),	   cmocka_unit_test(test_open_v1_tasks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
