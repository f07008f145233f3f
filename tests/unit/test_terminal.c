/* test_terminal.c — pty allocation, fd passing, console socket, proxy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "runtime/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static bool cloexec(int fd)
{
	return (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
}

static void test_pty_pair(void **state)
{
	int m, s;
	struct err e = {0};
	assert_int_equal(pty_open(&m, &s, 24, 80, &e), 0);
	assert_true(isatty(s));
	assert_true(cloexec(m) && cloexec(s));
	struct winsize ws;
	assert_int_equal(ioctl(s, TIOCGWINSZ, &ws), 0);
	assert_int_equal(ws.ws_row, 24);
	assert_int_equal(ws.ws_col, 80);
	assert_int_equal(write(s, "hi\n", 3), 3);
	char buf[16] = {0};
	assert_int_equal(read(m, buf, sizeof(buf) - 1), 4);
	assert_string_equal(buf, "hi\r\n"); /* through the line discipline */
	close(m);
	close(s);
}

static void test_fd_roundtrip(void **state)
{
	int sv[2], p[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(fd_send(sv[0], p[1], "abc", 3), 0);
	char buf[8] = {0};
	int fd = -2;
	assert_int_equal(fd_recv(sv[1], &fd, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "abc");
	assert_true(fd >= 0 && fd != p[1]);
	assert_true(cloexec(fd));
	assert_int_equal(write(fd, "z", 1), 1);
	assert_int_equal(read(p[0], buf, 1), 1);
	assert_int_equal(buf[0], 'z');

	/* Plain data: no fd, *fd = -1.  An empty payload still carries one. */
	assert_int_equal(write(sv[0], "plain", 5), 5);
	assert_int_equal(fd_recv(sv[1], &fd, buf, sizeof(buf)), 5);
	assert_int_equal(fd, -1);
	assert_int_equal(fd_send(sv[0], p[1], NULL, 0), 0);
	assert_int_equal(fd_recv(sv[1], &fd, buf, sizeof(buf)), 1);
	assert_true(fd >= 0);
	close(fd);

	/* The peer gone: fd_recv reads EOF, fd_send fails without SIGPIPE. */
	close(sv[0]);
	assert_int_equal(fd_recv(sv[1], &fd, buf, sizeof(buf)), 0);
	assert_int_equal(fd, -1);
	assert_int_equal(fd_send(sv[1], p[1], "x", 1), -EPIPE);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
}

static int listen_unix(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s, 1), 0);
	return s;
}

/* Send a fresh pty master to `path` (listened on by `ls`) and check what
 * arrives is a tty joined to the same slave. */
static void check_console_socket(int ls, const char *path)
{
	int m, s;
	struct err e = {0};
	assert_int_equal(pty_open(&m, &s, 0, 0, &e), 0);
	assert_int_equal(console_socket_send(path, m, &e), 0);
	int conn = accept(ls, NULL, NULL);
	assert_true(conn >= 0);
	char name[64] = {0};
	int fd;
	assert_true(fd_recv(conn, &fd, name, sizeof(name) - 1) >= 1);
	assert_true(fd >= 0);
	assert_true(isatty(fd));
	assert_int_equal(write(s, "x\n", 2), 2);
	char buf[8] = {0};
	assert_int_equal(read(fd, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "x\r\n");
	close(fd);
	close(conn);
	close(m);
	close(s);
}

static void test_console_socket(void **state)
{
	char dir[] = "/tmp/capsa-test-tty-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/console.sock", dir);
	int ls = listen_unix(path);
	check_console_socket(ls, path);
	close(ls);
	unlink(path);

	struct err e = {0};
	assert_int_equal(console_socket_send(path, 0, &e), -ENOENT);
	char want[128];
	snprintf(want, sizeof(want), "connect to console socket %s: no such file or directory",
		 path);
	assert_string_equal(e.msg, want);
	rmdir(dir);
}

/* A path longer than sun_path is still reachable. */
static void test_console_socket_long_path(void **state)
{
	char dir[] = "/tmp/capsa-test-tty-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char deep[256];
	snprintf(deep, sizeof(deep), "%s/%0100d", dir, 0);
	assert_int_equal(mkdir(deep, 0700), 0);
	char path[300];
	snprintf(path, sizeof(path), "%s/console.sock", deep);
	assert_true(strlen(path) > sizeof(((struct sockaddr_un *)0)->sun_path));

	/* Bind through the same /proc/self/fd trick the code uses. */
	int dfd = open(deep, O_PATH | O_DIRECTORY);
	char short_path[64];
	snprintf(short_path, sizeof(short_path), "/proc/self/fd/%d/console.sock", dfd);
	int ls = listen_unix(short_path);
	check_console_socket(ls, path);
	close(ls);
	close(dfd);
	unlink(path);
	rmdir(deep);
	rmdir(dir);
}

static void test_become_controlling(void **state)
{
	int m, s;
	struct err e = {0};
	assert_int_equal(pty_open(&m, &s, 0, 0, &e), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(m);
		if (pty_become_controlling(s, &e) < 0)
			_exit(2);
		bool ok = isatty(0) && isatty(1) && isatty(2) && tcgetsid(0) == getpid() &&
			  !cloexec(0) && fcntl(s, F_GETFD) < 0;
		_exit(ok ? 0 : 1);
	}
	close(s);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(m);
}

/* Run `argv` on a fresh pty with console_proxy in a child whose stdin is
 * `input` (a pipe, so not a tty) and stdout the file `out`.  Returns the
 * proxy child's exit status: 0 when console_proxy returned 0. */
static int run_proxy(const char *input, char *const argv[], bool use_stop_fd, const char *out)
{
	pid_t px = fork();
	if (px != 0)
		return px;
	alarm(10); /* a hung proxy fails the test instead of hanging it */
	int in[2];
	if (pipe(in) < 0 || write(in[1], input, strlen(input)) < 0)
		_exit(10);
	close(in[1]);
	int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (o < 0 || dup2(in[0], 0) < 0 || dup2(o, 1) < 0)
		_exit(11);
	int m, s;
	struct err e = {0};
	if (pty_open(&m, &s, 0, 0, &e) < 0)
		_exit(12);
	pid_t c = fork();
	if (c == 0) {
		close(m);
		if (pty_become_controlling(s, &e) < 0)
			_exit(13);
		execv(argv[0], argv);
		_exit(14);
	}
	close(s);
	int stop = use_stop_fd ? pidfd_open(c, 0) : -1;
	int r = console_proxy(m, stop, &e);
	if (r < 0)
		fprintf(stderr, "console_proxy: %s\n", e.msg);
	waitpid(c, NULL, 0);
	_exit(r == 0 ? 0 : 15);
}

static char *slurp(const char *path)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	return buf;
}

static int wait_exit(pid_t pid)
{
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Piped stdin reaches the program, and its end reaches it as EOF even
 * after a partial last line, so `cat` exits and the proxy ends. */
static void test_proxy_stdin_eof(void **state)
{
	char out[] = "/tmp/capsa-test-proxy-XXXXXX";
	int fd = mkstemp(out);
	assert_true(fd >= 0);
	close(fd);
	char *argv[] = {"/bin/cat", NULL};
	pid_t px = run_proxy("hello\nworld", argv, false, out);
	assert_int_equal(wait_exit(px), 0);
	const char *got = slurp(out);
	assert_non_null(strstr(got, "hello\r\n"));
	assert_non_null(strstr(got, "world"));
	unlink(out);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A straggler that keeps the slave open does not keep the proxy alive
 * once stop_fd (the main process's pidfd) fires; the output is whole. */
static void test_proxy_stop_fd(void **state)
{
	char out[] = "/tmp/capsa-test-proxy-XXXXXX";
	int fd = mkstemp(out);
	assert_true(fd >= 0);
	close(fd);
	char pidfile[64];
	snprintf(pidfile, sizeof(pidfile), "%s.pid", out);
	char script[160];
	snprintf(script, sizeof(script), "trap '' HUP; sleep 5 & echo $! > %s; echo done-output",
		 pidfile);
	char *argv[] = {"/bin/sh", "-c", script, NULL};
	/* Adopt the orphaned straggler so it can be reaped below. */
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	double t0 = now_s();
	pid_t px = run_proxy("", argv, true, out);
	assert_int_equal(wait_exit(px), 0);
	double took = now_s() - t0;

	int straggler = atoi(slurp(pidfile));
	if (straggler > 0) {
		kill(straggler, SIGKILL);
		waitpid(straggler, NULL, 0);
	}
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	unlink(pidfile);
	assert_true(took < 2.0);
	assert_non_null(strstr(slurp(out), "done-output"));
	unlink(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pty_pair),
	    cmocka_unit_test(test_fd_roundtrip),
	    cmocka_unit_test(test_console_socket),
	    cmocka_unit_test(test_console_socket_long_path),
	    cmocka_unit_test(test_become_controlling),
	    cmocka_unit_test(test_proxy_stdin_eof),
	    cmocka_unit_test(test_proxy_stop_fd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
