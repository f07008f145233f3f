/* terminal.c — pty allocation, console-socket hand-off, fd passing and
 * the foreground console proxy (see terminal.h).
 */
#include "runtime/terminal.h"

#include "base/cleanup.h"
#include "base/error.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

/* The console-socket payload, as runc sends it: the name of the master. */
#define PTMX_PATH "/dev/ptmx"

/* The slave through TIOCGPTPEER needs no path lookup, so it works even
 * where /dev/pts is not (yet) the pty's own devpts; the path is the
 * fallback for kernels before 4.13. */
static int open_slave(int master)
{
	int fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0 || (errno != EINVAL && errno != ENOTTY))
		return fd;
	char name[64];
	if (ptsname_r(master, name, sizeof(name)) != 0)
		return -1;
	return open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
}

int pty_open(int *master, int *slave, uint16_t rows, uint16_t cols, struct err *e)
{
	_cleanup_close_ int m = open(PTMX_PATH, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return err_sys(e, errno, "open %s", PTMX_PATH);
	int unlock = 0;
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0)
		return err_sys(e, errno, "unlock pty");
	_cleanup_close_ int s = open_slave(m);
	if (s < 0)
		return err_sys(e, errno, "open pty slave");
	if (rows && cols) {
		struct winsize ws = {.ws_row = rows, .ws_col = cols};
		if (ioctl(m, TIOCSWINSZ, &ws) < 0)
			return err_sys(e, errno, "set pty window size");
	}
	*master = steal_fd(&m);
	*slave = steal_fd(&s);
	return 0;
}

int pty_become_controlling(int slave, struct err *e)
{
	/* A process that already leads its session (setsid fails with
	 * EPERM) can still take the tty. */
	if (setsid() < 0 && getsid(0) != getpid())
		return err_sys(e, errno, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return err_sys(e, errno, "set controlling terminal");
	for (int fd = 0; fd <= 2; fd++) {
		/* dup2 onto itself keeps O_CLOEXEC, which exec would honour. */
		int r = fd == slave ? fcntl(fd, F_SETFD, 0) : dup2(slave, fd);
		if (r < 0)
			return err_sys(e, errno, "dup terminal onto fd %d", fd);
	}
	if (slave > 2)
		close(slave);
	return 0;
}

int fd_send(int sock, int fd, const void *data, size_t len)
{
	/* A stream socket carries ancillary data only with at least one
	 * byte of payload. */
	char nul = '\0';
	struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
	if (!data || len == 0) {
		iov.iov_base = &nul;
		iov.iov_len = 1;
	}
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	if (fd >= 0) {
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	ssize_t n;
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == iov.iov_len ? 0 : -EMSGSIZE;
}

/* Keep the first fd that came; close any extra a peer slipped in. */
static void take_fds(struct msghdr *msg, int *fd)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int got;
			memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*fd < 0)
				*fd = got;
			else
				close(got);
		}
	}
}

int fd_recv(int sock, int *fd, void *data, size_t len)
{
	char dummy;
	struct iovec iov = {.iov_base = data, .iov_len = len};
	if (!data || len == 0) {
		iov.iov_base = &dummy;
		iov.iov_len = 1;
	}
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	*fd = -1;
	ssize_t n;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	take_fds(&msg, fd);
	return (int)n;
}

/* sun_path holds 107 characters; a longer path is reached through an
 * O_PATH fd of its directory. */
static int connect_unix(int sock, const char *path, struct err *e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int dirfd = -1;
	if (strlen(path) < sizeof(sa.sun_path)) {
		memcpy(sa.sun_path, path, strlen(path) + 1);
	} else {
		const char *slash = strrchr(path, '/');
		_cleanup_free_ char *dir = slash ? strndup(path, (size_t)(slash - path)) : NULL;
		if (slash && !dir)
			return err_sys(e, ENOMEM, "console socket %s", path);
		dirfd = open(dir ? (dir[0] ? dir : "/") : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0)
			return err_sys(e, errno, "console socket %s", path);
		int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd,
				 slash ? slash + 1 : path);
		if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
			return err_msg(e, ENAMETOOLONG, "console socket %s: name too long", path);
	}
	int r;
	do
		r = connect(sock, (struct sockaddr *)&sa, sizeof(sa));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return err_sys(e, errno, "connect to console socket %s", path);
	return 0;
}

int console_socket_send(const char *path, int fd, struct err *e)
{
	_cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return err_sys(e, errno, "console socket %s: socket", path);
	int r = connect_unix(sock, path, e);
	if (r < 0)
		return r;
	r = fd_send(sock, fd, PTMX_PATH, strlen(PTMX_PATH));
	if (r < 0)
		return err_sys(e, -r, "send pty to console socket %s", path);
	return 0;
}

/* ---- foreground console proxy ---- */

struct proxy {
	int master, stop_fd, sigfd;
	bool in_open; /* still reading our stdin */
	bool in_tty;
	size_t off, len; /* pending bytes for the master in `buf` */
	char last;	 /* last byte queued for the master */
	char buf[8192];
};

static void copy_winsize(int from, int to)
{
	struct winsize ws;
	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		(void)ioctl(to, TIOCSWINSZ, &ws);
}

/* Write everything, waiting out EAGAIN: stdout may be a non-blocking
 * file description shared with someone else. */
static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};
			if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
				return -errno;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Copy what the master has to stdout.  Returns 1 when the slave side is
 * gone (EIO), 0 when the master has nothing more for now, <0 on error. */
static int drain_master(struct proxy *p, struct err *e)
{
	char buf[8192];
	for (;;) {
		ssize_t n = read(p->master, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n == 0 || (n < 0 && errno == EIO))
			return 1;
		if (n < 0)
			return err_sys(e, errno, "read from pty");
		int r = write_all(STDOUT_FILENO, buf, (size_t)n);
		if (r < 0)
			return err_sys(e, -r, "write to stdout");
	}
}

static void queue_input(struct proxy *p, const char *s, size_t n)
{
	memcpy(p->buf + p->len, s, n);
	p->len += n;
	p->last = s[n - 1];
}

/* Our stdin ended.  A program on a tty sees end of input only through
 * the EOF character, and only at the start of a line: a pending partial
 * line takes one ^D to flush and a second one to read as EOF. */
static void stdin_ended(struct proxy *p)
{
	p->in_open = false;
	if (p->in_tty)
		return;
	struct termios t;
	char eof = 4; /* ^D */
	if (tcgetattr(p->master, &t) == 0 && t.c_cc[VEOF] != _POSIX_VDISABLE)
		eof = (char)t.c_cc[VEOF];
	char seq[2] = {eof, eof};
	queue_input(p, seq, p->last && p->last != '\n' ? 2 : 1);
}

static void read_stdin(struct proxy *p)
{
	/* Called only with the buffer empty (see proxy_loop). */
	ssize_t n = read(STDIN_FILENO, p->buf, sizeof(p->buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) { /* EOF, or a stdin we cannot read (hangup): stop */
		stdin_ended(p);
		return;
	}
	p->off = 0;
	p->len = (size_t)n;
	p->last = p->buf[n - 1];
}

static int flush_input(struct proxy *p, struct err *e)
{
	ssize_t n = write(p->master, p->buf + p->off, p->len - p->off);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n < 0 && errno == EIO) { /* slave gone; the read side ends us */
		p->off = p->len = 0;
		return 0;
	}
	if (n < 0)
		return err_sys(e, errno, "write to pty");
	p->off += (size_t)n;
	if (p->off == p->len)
		p->off = p->len = 0;
	return 0;
}

static void handle_winch(struct proxy *p)
{
	struct signalfd_siginfo si;
	while (read(p->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		;
	if (p->in_tty)
		copy_winsize(STDIN_FILENO, p->master);
}

enum { P_MASTER, P_STDIN, P_SIG, P_STOP, P__N };

static int proxy_loop(struct proxy *p, struct err *e)
{
	for (;;) {
		bool pending = p->len > p->off;
		struct pollfd f[P__N] = {
		    [P_MASTER] = {.fd = p->master, .events = POLLIN | (pending ? POLLOUT : 0)},
		    [P_STDIN] = {.fd = p->in_open && !pending ? STDIN_FILENO : -1,
				 .events = POLLIN},
		    [P_SIG] = {.fd = p->sigfd, .events = POLLIN},
		    [P_STOP] = {.fd = p->stop_fd, .events = POLLIN},
		};
		if (poll(f, P__N, -1) < 0) {
			if (errno == EINTR)
				continue;
			return err_sys(e, errno, "poll");
		}
		if (f[P_MASTER].revents & (POLLIN | POLLHUP | POLLERR)) {
			int r = drain_master(p, e);
			if (r != 0)
				return r < 0 ? r : 0;
		}
		if (f[P_MASTER].revents & POLLOUT) {
			int r = flush_input(p, e);
			if (r < 0)
				return r;
		}
		if (f[P_STDIN].revents & POLLNVAL)
			stdin_ended(p);
		else if (f[P_STDIN].revents)
			read_stdin(p);
		if (f[P_SIG].revents)
			handle_winch(p);
		if (f[P_STOP].revents) {
			/* The program is done; take what it left and stop even
			 * if a straggler still holds the slave open. */
			int r = drain_master(p, e);
			return r < 0 ? r : 0;
		}
	}
}

int console_proxy(int master, int stop_fd, struct err *e)
{
	struct proxy p = {.master = master, .stop_fd = stop_fd, .sigfd = -1, .in_open = true};
	p.in_tty = isatty(STDIN_FILENO);

	int flags = fcntl(master, F_GETFL);
	if (flags < 0 || fcntl(master, F_SETFL, flags | O_NONBLOCK) < 0)
		return err_sys(e, errno, "pty: set non-blocking");

	sigset_t winch, old_mask;
	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	int r = -pthread_sigmask(SIG_BLOCK, &winch, &old_mask);
	if (r < 0) {
		fcntl(master, F_SETFL, flags);
		return err_sys(e, -r, "block SIGWINCH");
	}
	p.sigfd = signalfd(-1, &winch, SFD_CLOEXEC | SFD_NONBLOCK);
	if (p.sigfd < 0)
		r = err_sys(e, errno, "signalfd");

	struct termios saved;
	bool raw = false;
	if (r == 0 && p.in_tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
		struct termios t = saved;
		cfmakeraw(&t);
		if (tcsetattr(STDIN_FILENO, TCSANOW, &t) < 0)
			r = err_sys(e, errno, "set stdin raw mode");
		else
			raw = true;
		copy_winsize(STDIN_FILENO, master);
	}

	if (r == 0)
		r = proxy_loop(&p, e);

	if (raw)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
	if (p.sigfd >= 0)
		close(p.sigfd);
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	fcntl(master, F_SETFL, flags);
	return r;
}
