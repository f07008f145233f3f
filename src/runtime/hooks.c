/* hooks.c — run OCI lifecycle hooks (see hooks.h).
 *
 * A hook is spawned with posix_spawn (glibc does it with a CLONE_VFORK
 * child and reports an exec failure as the return value, so "no such
 * file" is told apart from a hook that exits 127).  Its stdin is a pipe
 * holding the state JSON; stdout and stderr are ours, as with runc.
 * The wait is a poll on a pidfd, so the timeout needs no signal handler.
 */
#include "runtime/hooks.h"

#include "base/error.h"
#include "runtime/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* What the spawned hook gets and how far the parent got feeding it. */
struct hook_run {
	const char *kind;
	const struct spec_hook *hook;
	const char *state;
	size_t len, sent;
	int wfd; /* write end of the stdin pipe, O_NONBLOCK; -1 once done */
	pid_t pid;
	int pidfd;
};

/* The child's fd 0-2 are dup2 targets; our own pipe must sit above them
 * or a closed stdio slot in capsa would alias it. */
static int fd_above_stdio(int fd)
{
	if (fd > 2)
		return fd;
	int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	int saved = errno;
	close(fd);
	errno = saved;
	return nfd;
}

static int open_stdin_pipe(struct hook_run *h, int *rfd, struct err *e)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_sys(e, errno, "%s hook %s: pipe", h->kind, h->hook->path);
	p[0] = fd_above_stdio(p[0]);
	p[1] = fd_above_stdio(p[1]);
	if (p[0] < 0 || p[1] < 0 || fcntl(p[1], F_SETFL, O_NONBLOCK) < 0) {
		int r = err_sys(e, errno, "%s hook %s: pipe", h->kind, h->hook->path);
		if (p[0] >= 0)
			close(p[0]);
		if (p[1] >= 0)
			close(p[1]);
		return r;
	}
	/* Most states fit the pipe outright; then it is filled while we
	 * still hold the read end and no write can meet EPIPE. */
	if (h->len > 65536)
		(void)fcntl(p[1], F_SETPIPE_SZ, (int)(h->len < INT32_MAX ? h->len : INT32_MAX));
	*rfd = p[0];
	h->wfd = p[1];
	return 0;
}

/* write() that turns a closed reader into -EPIPE without the process
 * taking SIGPIPE: block it for the call, and swallow one we raised. */
static ssize_t write_nosigpipe(int fd, const void *buf, size_t len)
{
	sigset_t pipe_set, old, pending;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	bool was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	ssize_t n = write(fd, buf, len);
	int saved = errno;
	if (n < 0 && saved == EPIPE && !was_pending) {
		struct timespec zero = {0, 0};
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return n;
}

/* Push more of the state; closes the pipe when all is sent or the hook
 * stopped reading (a hook need not read its stdin). */
static int feed_stdin(struct hook_run *h, struct err *e)
{
	while (h->sent < h->len) {
		ssize_t n = write_nosigpipe(h->wfd, h->state + h->sent, h->len - h->sent);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0 && errno != EPIPE)
			return err_sys(e, errno, "%s hook %s: write state", h->kind, h->hook->path);
		if (n < 0)
			break;
		h->sent += (size_t)n;
	}
	close(h->wfd);
	h->wfd = -1;
	return 0;
}

static int spawn_hook(struct hook_run *h, int rfd, struct err *e)
{
	const struct spec_hook *k = h->hook;
	char *default_argv[] = {k->path, NULL};
	char *empty_env[] = {NULL};
	char *const *argv = k->args && k->args[0] ? k->args : default_argv;
	char *const *envp = k->env ? k->env : empty_env;

	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	/* Everything above stdio stays behind: a hook must not hold the
	 * runtime's sync sockets or the container's pidfd open. */
	int r = posix_spawn_file_actions_adddup2(&fa, rfd, 0);
	if (r == 0)
		r = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	/* Our blocked or ignored signals are no business of the hook. */
	if (r == 0)
		r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	if (r == 0)
		r = posix_spawnattr_setsigmask(&attr, &none);
	if (r == 0)
		r = posix_spawnattr_setsigdefault(&attr, &all);
	if (r == 0)
		r = posix_spawn(&h->pid, k->path, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (r != 0)
		return err_sys(e, r, "%s hook %s: exec", h->kind, k->path);
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for the hook; `pid` is set to -1 once it is reaped. */
static int reap(struct hook_run *h, int *status)
{
	while (waitpid(h->pid, status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	h->pid = -1;
	return 0;
}

/* Feed stdin and wait for the exit, both under the hook's deadline. */
static int wait_hook(struct hook_run *h, int *status, struct err *e)
{
	const struct spec_hook *k = h->hook;
	int64_t deadline = k->timeout > 0 ? now_ms() + (int64_t)k->timeout * 1000 : -1;
	for (;;) {
		struct pollfd p[2] = {{.fd = h->pidfd, .events = POLLIN},
				      {.fd = h->wfd, .events = POLLOUT}};
		int wait = -1;
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();
			if (left <= 0)
				return err_msg(e, ETIMEDOUT, "%s hook %s: timed out after %d s",
					       h->kind, k->path, k->timeout);
			wait = left > INT32_MAX ? INT32_MAX : (int)left;
		}
		int n = poll(p, h->wfd >= 0 ? 2 : 1, wait);
		if (n < 0 && errno != EINTR)
			return err_sys(e, errno, "%s hook %s: poll", h->kind, k->path);
		if (n <= 0)
			continue;
		if (h->wfd >= 0 && p[1].revents) {
			int r = feed_stdin(h, e);
			if (r < 0)
				return r;
		}
		if (p[0].revents & POLLIN) {
			int r = reap(h, status);
			if (r < 0)
				return err_sys(e, -r, "%s hook %s: wait", h->kind, k->path);
			return 0;
		}
	}
}

static int check_status(const struct hook_run *h, int status, struct err *e)
{
	const char *path = h->hook->path;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return err_msg(e, EIO, "%s hook %s: exited with status %d", h->kind, path,
			       WEXITSTATUS(status));
	int sig = WTERMSIG(status);
	const char *name = sigabbrev_np(sig);
	if (name)
		return err_msg(e, EIO, "%s hook %s: killed by signal SIG%s", h->kind, path, name);
	return err_msg(e, EIO, "%s hook %s: killed by signal %d", h->kind, path, sig);
}

/* From spawn to verdict; a hook we stop watching (timeout, error) is
 * killed and reaped, never left behind. */
static int supervise(struct hook_run *h, struct err *e)
{
	int status = 0, r;
	h->pidfd = pidfd_open(h->pid, 0);
	if (h->pidfd < 0)
		r = err_sys(e, errno, "%s hook %s: pidfd_open", h->kind, h->hook->path);
	else
		r = wait_hook(h, &status, e);
	if (h->pid > 0) {
		kill(h->pid, SIGKILL);
		reap(h, &status);
	}
	if (h->pidfd >= 0)
		close(h->pidfd);
	return r < 0 ? r : check_status(h, status, e);
}

static int hook_run(const char *kind, const struct spec_hook *hook, const char *state,
		    struct err *e)
{
	if (!hook->path || !hook->path[0])
		return err_msg(e, EINVAL, "%s hook: no path", kind);
	struct hook_run h = {.kind = kind,
			     .hook = hook,
			     .state = state ? state : "",
			     .wfd = -1,
			     .pid = -1,
			     .pidfd = -1};
	h.len = strlen(h.state);

	int rfd = -1;
	int r = open_stdin_pipe(&h, &rfd, e);
	if (r < 0)
		return r;
	r = feed_stdin(&h, e);
	if (r == 0)
		r = spawn_hook(&h, rfd, e);
	close(rfd); /* the hook holds it now; EPIPE must reach us when it exits */
	if (r == 0)
		r = supervise(&h, e);
	if (h.wfd >= 0)
		close(h.wfd);
	return r;
}

int hooks_run(const char *kind, const struct spec_hook *hooks, size_t n, const char *state_json,
	      struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		int r = hook_run(kind, &hooks[i], state_json, e);
		if (r < 0)
			return r;
	}
	return 0;
}
