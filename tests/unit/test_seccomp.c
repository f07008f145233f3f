/* test_seccomp.c — seccomp_apply and seccomp_send_listener.
 *
 * Each case forks: the child loads a filter built from a spec_seccomp,
 * makes the syscalls the filter should (or should not) stop, and sends
 * an outcome through a pipe.  Children set no_new_privs first unless
 * the case is about not setting it (those need root).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define ENOSYS_ACT SCMP_ACT_ERRNO(ENOSYS)

struct outcome {
	int rc;		  /* seccomp_apply's return */
	struct err e;	  /* its error */
	int notify_fd;	  /* as returned */
	char why[1100];	  /* first failed check in the child, "" if none */
	int seccomp_mode; /* "Seccomp:" in /proc/self/status afterwards */
	int nnp;	  /* "NoNewPrivs:" */
};

struct child_case {
	const struct spec_seccomp *sc;
	int set_nnp;
	void (*check)(struct outcome *o); /* runs after a successful load */
	const char *listener_state;	  /* send the notify fd with this */
};

#define CHECK(o, cond, ...)                                                                        \
	do {                                                                                       \
		if (!(cond) && !(o)->why[0])                                                       \
			snprintf((o)->why, sizeof((o)->why), __VA_ARGS__);                         \
	} while (0)

static int status_field(const char *key)
{
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return -1;
	char line[256];
	int v = -1;
	size_t kl = strlen(key);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, kl) == 0)
			v = atoi(line + kl);
	fclose(f);
	return v;
}

static void child_main(const struct child_case *c, struct outcome *o)
{
	if (c->set_nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(o->why, sizeof(o->why), "set no_new_privs: %s", strerror(errno));
		return;
	}
	o->rc = seccomp_apply(c->sc, &o->notify_fd, &o->e);
	o->seccomp_mode = status_field("Seccomp:");
	o->nnp = status_field("NoNewPrivs:");
	if (o->rc < 0)
		return;
	if (c->listener_state) {
		struct err e = {0};
		if (seccomp_send_listener(c->sc->listener_path, o->notify_fd, c->listener_state,
					  &e) < 0) {
			snprintf(o->why, sizeof(o->why), "send: %s", e.msg);
			return;
		}
	}
	if (c->check)
		c->check(o);
}

/* Fork a child running `c`; its outcome comes back on *rfd. */
static pid_t start_child(const struct child_case *c, int *rfd)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct outcome o;
		memset(&o, 0, sizeof(o));
		close(p[0]);
		alarm(10); /* a child stuck on a notify nobody answers dies */
		o.notify_fd = -2;
		child_main(c, &o);
		ssize_t n = write(p[1], &o, sizeof(o));
		_exit(n == (ssize_t)sizeof(o) ? 0 : 1);
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

static struct outcome finish_child(pid_t pid, int rfd)
{
	struct outcome o;
	memset(&o, 0, sizeof(o));
	ssize_t n = read(rfd, &o, sizeof(o));
	close(rfd);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(n, (ssize_t)sizeof(o));
	if (o.why[0])
		fail_msg("child: %s", o.why);
	return o;
}

static struct outcome run_child(const struct child_case *c)
{
	int rfd;
	pid_t pid = start_child(c, &rfd);
	return finish_child(pid, rfd);
}

static void assert_loaded(const struct outcome *o)
{
	if (o->rc < 0)
		fail_msg("seccomp_apply: %s", o->e.msg);
	assert_int_equal(o->seccomp_mode, 2);
}

/* mkdir(2) fails with ENOSYS, everything else works. */
static void check_mkdir_enosys(struct outcome *o)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/tmp/capsa-test-seccomp-%d", (int)getpid());
	int r = mkdir(dir, 0700);
	int err = errno;
	if (r == 0)
		rmdir(dir);
	CHECK(o, r < 0 && err == ENOSYS, "mkdir: r=%d errno=%d, want ENOSYS", r, err);
	r = (int)syscall(SYS_mkdirat, AT_FDCWD, dir, 0700);
	err = errno;
	if (r == 0)
		rmdir(dir);
	CHECK(o, r < 0 && err == ENOSYS, "mkdirat: r=%d errno=%d, want ENOSYS", r, err);
	CHECK(o, getpid() > 0 && syscall(SYS_getpid) == getpid(), "getpid failed");
	struct stat st;
	CHECK(o, stat("/", &st) == 0, "stat / failed: %s", strerror(errno));
}

static char *mkdir_names[] = {"mkdir", "mkdirat", NULL};

static void test_errno_rule(void **state)
{
	struct spec_seccomp_rule rules[] = {
	    {.names = mkdir_names, .n_names = 2, .action = ENOSYS_ACT}};
	struct spec_seccomp sc = {.default_action = SCMP_ACT_ALLOW, .rules = rules, .n_rules = 1};
	struct child_case c = {.sc = &sc, .set_nnp = 1, .check = check_mkdir_enosys};
	struct outcome o = run_child(&c);
	assert_loaded(&o);
	assert_int_equal(o.notify_fd, -1);
}

/* Without a rule the same child can mkdir: the check above can fail. */
static void check_mkdir_works(struct outcome *o)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/tmp/capsa-test-seccomp-%d", (int)getpid());
	int r = mkdir(dir, 0700);
	CHECK(o, r == 0, "mkdir: %s", strerror(errno));
	if (r == 0)
		rmdir(dir);
}

static void test_no_rule_no_effect(void **state)
{
	struct spec_seccomp sc = {.default_action = SCMP_ACT_ALLOW};
	struct child_case c = {.sc = &sc, .set_nnp = 1, .check = check_mkdir_works};
	struct outcome o = run_child(&c);
	assert_loaded(&o);
}

static void check_personality(struct outcome *o)
{
	errno = 0;
	int r = personality(0xffffffff);
	CHECK(o, r == -1 && errno == EPERM, "personality(0xffffffff): r=%d errno=%d", r, errno);
	r = personality(PER_LINUX);
	CHECK(o, r >= 0, "personality(PER_LINUX): %s", strerror(errno));
}

static void test_argument_rule(void **state)
{
	static char *names[] = {"personality", NULL};
	struct spec_seccomp_arg args[] = {{.index = 0, .value = 0xffffffff, .op = SCMP_CMP_EQ}};
	struct spec_seccomp_rule rules[] = {{.names = names,
					     .n_names = 1,
					     .action = SCMP_ACT_ERRNO(EPERM),
					     .args = args,
					     .n_args = 1}};
	struct spec_seccomp sc = {.default_action = SCMP_ACT_ALLOW, .rules = rules, .n_rules = 1};
	struct child_case c = {.sc = &sc, .set_nnp = 1, .check = check_personality};
	struct outcome o = run_child(&c);
	assert_loaded(&o);
}

/* Two comparisons on one argument mean either (docker's profile). */
static void check_either_value(struct outcome *o)
{
	errno = 0;
	int r = personality(PER_LINUX32);
	CHECK(o, r == -1 && errno == EPERM, "personality(PER_LINUX32): r=%d errno=%d", r, errno);
	errno = 0;
	r = personality(PER_BSD);
	CHECK(o, r == -1 && errno == EPERM, "personality(PER_BSD): r=%d errno=%d", r, errno);
	r = personality(PER_LINUX);
	CHECK(o, r >= 0, "personality(PER_LINUX): %s", strerror(errno));
}

static void test_same_argument_twice(void **state)
{
	static char *names[] = {"personality", NULL};
	struct spec_seccomp_arg args[] = {
	    {.index = 0, .value = PER_LINUX32, .op = SCMP_CMP_EQ},
	    {.index = 0, .value = PER_BSD, .op = SCMP_CMP_EQ},
	};
	struct spec_seccomp_rule rules[] = {{.names = names,
					     .n_names = 1,
					     .action = SCMP_ACT_ERRNO(EPERM),
					     .args = args,
					     .n_args = 2}};
	struct spec_seccomp sc = {.default_action = SCMP_ACT_ALLOW, .rules = rules, .n_rules = 1};
	struct child_case c = {.sc = &sc, .set_nnp = 1, .check = check_either_value};
	struct outcome o = run_child(&c);
	assert_loaded(&o);
}

/* Comparisons on different arguments all have to hold; MASKED_EQ takes
 * the mask from value and the operand from valueTwo. */
static void check_socket(struct outcome *o)
{
	errno = 0;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(o, fd == -1 && errno == ENOMEDIUM, "socket(unix, dgram): fd=%d errno=%d", fd, errno);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(o, fd >= 0, "socket(unix, stream): %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(o, fd >= 0, "socket(inet, dgram): %s", strerror(errno));
	if (fd >= 0)
		close(fd);
}

static void test_two_arguments_and_mask(void **state)
{
	static char *names[] = {"socket", NULL};
	struct spec_seccomp_arg args[] = {
	    {.index = 0, .value = AF_UNIX, .op = SCMP_CMP_EQ},
	    {.index = 1, .value = 0xf, .value_two = SOCK_DGRAM, .op = SCMP_CMP_MASKED_EQ},
	};
	struct spec_seccomp_rule rules[] = {{.names = names,
					     .n_names = 1,
					     .action = SCMP_ACT_ERRNO(ENOMEDIUM),
					     .args = args,
					     .n_args = 2}};
	struct spec_seccomp sc = {.default_action = SCMP_ACT_ALLOW, .rules = rules, .n_rules = 1};
	struct child_case c = {.sc = &sc, .set_nnp = 1, .check = check_socket};
	struct outcome o = run_child(&c);
	assert_loaded(&o);
}

static void test_unknown_syscall_skipped(void **state)
{
	static char *names[] = {"capsa_no_such_syscall", "mkdir", "mkdirat", NULL};
	struct spec_seccomp_rule rules[] = {{.names = names, .n_names = 3, .action = ENOSYS_ACT}};
	struct spec_seccomp sc = {.default_action = SCMP_ACT_ALLOW, .rules = rules, .n_rules = 1};
	struct child_case c = {.sc = &sc, .set_nnp = 1, .check = check_mkdir_enosys};
	struct outcome o = run_child(&c);
	assert_loaded(&o);
}

/* libseccomp refuses a rule whose action is the default one. */
static void test_rule_equal_to_default_skipped(void **state)
{
	static char *names[] = {"getpid", "mkdir", NULL};
	struct spec_seccomp_rule rules[] = {
	    {.names = names, .n_names = 2, .action = SCMP_ACT_ALLOW},
	    {.names = mkdir_names, .n_names = 2, .action = ENOSYS_ACT},
	};
	struct spec_seccomp sc = {.default_action = SCMP_ACT_ALLOW, .rules = rules, .n_rules = 2};
	struct child_case c = {.sc = &sc, .set_nnp = 1, .check = check_mkdir_enosys};
	struct outcome o = run_child(&c);
	assert_loaded(&o);
}

static void test_bad_flag(void **state)
{
	static char *flags[] = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_NOPE", NULL};
	struct spec_seccomp sc = {.default_action = SCMP_ACT_ALLOW, .flags = flags, .n_flags = 2};
	struct child_case c = {.sc = &sc, .set_nnp = 1};
	struct outcome o = run_child(&c);
	assert_int_equal(o.rc, -EINVAL);
	assert_non_null(strstr(o.e.msg, "seccomp: flag \"SECCOMP_FILTER_FLAG_NOPE\""));
	assert_int_equal(o.seccomp_mode, 0); /* nothing loaded */
}

static void test_good_flags(void **state)
{
	static char *flags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
				"SECCOMP_FILTER_FLAG_SPEC_ALLOW", NULL};
	struct spec_seccomp_rule rules[] = {
	    {.names = mkdir_names, .n_names = 2, .action = ENOSYS_ACT}};
	struct spec_seccomp sc = {.default_action = SCMP_ACT_ALLOW,
				  .flags = flags,
				  .n_flags = 3,
				  .rules = rules,
				  .n_rules = 1};
	struct child_case c = {.sc = &sc, .set_nnp = 1, .check = check_mkdir_enosys};
	struct outcome o = run_child(&c);
	assert_loaded(&o);
}

static void test_architectures(void **state)
{
#if defined(__x86_64__)
	static char *arches[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL};
	size_t n = 3;
#else
	static char *arches[] = {"SCMP_ARCH_NATIVE", NULL};
	size_t n = 1;
#endif
	struct spec_seccomp_rule rules[] = {
	    {.names = mkdir_names, .n_names = 2, .action = ENOSYS_ACT}};
	struct spec_seccomp sc = {.default_action = SCMP_ACT_ALLOW,
				  .architectures = arches,
				  .n_architectures = n,
				  .rules = rules,
				  .n_rules = 1};
	struct child_case c = {.sc = &sc, .set_nnp = 1, .check = check_mkdir_enosys};
	struct outcome o = run_child(&c);
	assert_loaded(&o);
}

static void test_bad_architecture(void **state)
{
	static const char *const bad[] = {"SCMP_ARCH_VAX", "x86_64", "SCMP_ARCH_"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *arches[] = {(char *)bad[i], NULL};
		struct spec_seccomp sc = {.default_action = SCMP_ACT_ALLOW,
					  .architectures = arches,
					  .n_architectures = 1};
		struct child_case c = {.sc = &sc, .set_nnp = 1};
		struct outcome o = run_child(&c);
		assert_int_equal(o.rc, -EINVAL);
		char want[128];
		snprintf(want, sizeof(want), "seccomp: unknown architecture \"%s\"", bad[i]);
		assert_string_equal(o.e.msg, want);
		assert_int_equal(o.seccomp_mode, 0);
	}
}

/* capsa decides no_new_privs itself: loading must not set it. */
static void test_no_new_privs_left_alone(void **state)
{
	if (geteuid() != 0)
		skip();
	struct spec_seccomp_rule rules[] = {
	    {.names = mkdir_names, .n_names = 2, .action = ENOSYS_ACT}};
	struct spec_seccomp sc = {.default_action = SCMP_ACT_ALLOW, .rules = rules, .n_rules = 1};
	struct child_case c = {.sc = &sc, .set_nnp = 0, .check = check_mkdir_enosys};
	struct outcome o = run_child(&c);
	assert_loaded(&o);
	assert_int_equal(o.nnp, 0);
}

static void test_send_listener_missing_socket(void **state)
{
	struct err e = {0};
	int r = seccomp_send_listener("/nonexistent-capsa/listener.sock", 0, "{}", &e);
	assert_int_equal(r, -ENOENT);
	assert_string_equal(e.msg,
			    "connect to seccomp listener "
			    "\"/nonexistent-capsa/listener.sock\": no such file or directory");
}

/* The whole listener path: the child loads a NOTIFY rule and sends the
 * fd with the state; we answer its getppid() with 4242. */
#define STATE "{\"ociVersion\":\"1.2.0\",\"fds\":[\"seccompFd\"],\"pid\":1}"

static void check_notified_getppid(struct outcome *o)
{
	long r = syscall(SYS_getppid);
	CHECK(o, r == 4242, "getppid: %ld, want the listener's 4242", r);
}

static int listen_at(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	return fd;
}

/* Accept one connection; return the fd it carried, payload in buf. */
static int receive_listener_msg(int ls, char *buf, size_t len)
{
	struct pollfd pfd = {.fd = ls, .events = POLLIN};
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	int conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	assert_true(conn >= 0);
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = len - 1};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.b,
			     .msg_controllen = sizeof(ctl.b)};
	ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	assert_true(n > 0);
	size_t got = (size_t)n;
	while (got < len - 1 && (n = read(conn, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(conn);
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	assert_non_null(c);
	assert_int_equal(c->cmsg_type, SCM_RIGHTS);
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

static void answer_one(int nfd, int want_nr, int64_t val)
{
	struct pollfd pfd = {.fd = nfd, .events = POLLIN};
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	assert_int_equal(seccomp_notify_alloc(&req, &resp), 0);
	assert_int_equal(seccomp_notify_receive(nfd, req), 0);
	int nr = req->data.nr;
	resp->id = req->id;
	resp->val = val;
	resp->error = 0;
	resp->flags = 0;
	int r = seccomp_notify_respond(nfd, resp);
	seccomp_notify_free(req, resp);
	assert_int_equal(r, 0);
	assert_int_equal(nr, want_nr);
}

struct listener_dir {
	char dir[40];
	char path[64];
};

static int listener_setup(void **state)
{
	struct listener_dir *l = calloc(1, sizeof(*l));
	if (!l)
		return -1;
	strcpy(l->dir, "/tmp/capsa-test-seccomp-XXXXXX");
	if (!mkdtemp(l->dir)) {
		free(l);
		return -1;
	}
	snprintf(l->path, sizeof(l->path), "%s/listener.sock", l->dir);
	*state = l;
	return 0;
}

/* Runs even when an assertion failed half-way. */
static int listener_teardown(void **state)
{
	struct listener_dir *l = *state;
	unlink(l->path);
	rmdir(l->dir);
	free(l);
	return 0;
}

static void test_notify_listener(void **state)
{
	struct listener_dir *l = *state;
	const char *path = l->path;
	int ls = listen_at(path);

	static char *names[] = {"getppid", NULL};
	struct spec_seccomp_rule rules[] = {
	    {.names = names, .n_names = 1, .action = SCMP_ACT_NOTIFY}};
	struct spec_seccomp sc = {.default_action = SCMP_ACT_ALLOW,
				  .rules = rules,
				  .n_rules = 1,
				  .listener_path = (char *)path};
	struct child_case c = {
	    .sc = &sc, .set_nnp = 1, .check = check_notified_getppid, .listener_state = STATE};
	int rfd;
	pid_t pid = start_child(&c, &rfd);
	char payload[512];
	int nfd = receive_listener_msg(ls, payload, sizeof(payload));
	close(ls);
	assert_string_equal(payload, STATE);
	answer_one(nfd, SYS_getppid, 4242);
	close(nfd);
	struct outcome o = finish_child(pid, rfd);
	assert_loaded(&o);
	assert_true(o.notify_fd >= 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_errno_rule),
	    cmocka_unit_test(test_no_rule_no_effect),
	    cmocka_unit_test(test_argument_rule),
	    cmocka_unit_test(test_same_argument_twice),
	    cmocka_unit_test(test_two_arguments_and_mask),
	    cmocka_unit_test(test_unknown_syscall_skipped),
	    cmocka_unit_test(test_rule_equal_to_default_skipped),
	    cmocka_unit_test(test_bad_flag),
	    cmocka_unit_test(test_good_flags),
	    cmocka_unit_test(test_architectures),
	    cmocka_unit_test(test_bad_architecture),
	    cmocka_unit_test(test_no_new_privs_left_alone),
	    cmocka_unit_test(test_send_listener_missing_socket),
	    cmocka_unit_test_setup_teardown(test_notify_listener, listener_setup,
					    listener_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
