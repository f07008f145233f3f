/* recvtty — the receiving end of a --console-socket, for tests.
 *
 *   recvtty [--once] [--send STRING] [--out FILE] SOCKET_PATH
 *
 * Listens on SOCKET_PATH, accepts one connection, takes the pty master
 * it carries (SCM_RIGHTS), optionally types STRING into it (C escapes
 * \n \r \t \\ \xHH are understood), then copies all the pty prints to
 * FILE (or stdout) until the container's side closes.  The socket only
 * appears under its name once it listens, so a test may wait for the
 * file before starting the runtime.  --once is the only mode (accepted
 * for command-line compatibility).  Exits non-zero if no fd arrives.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: recvtty [--once] [--send STRING] [--out FILE] SOCKET_PATH\n");
	exit(2);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode C escapes in place; returns the decoded length. */
static size_t unescape(char *s)
{
	char *out = s;
	for (const char *p = s; *p; p++) {
		if (*p != '\\' || !p[1]) {
			*out++ = *p;
			continue;
		}
		p++;
		switch (*p) {
		case 'n':
			*out++ = '\n';
			break;
		case 'r':
			*out++ = '\r';
			break;
		case 't':
			*out++ = '\t';
			break;
		case 'x':
			if (hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
				*out++ = (char)(hexval(p[1]) * 16 + hexval(p[2]));
				p += 2;
				break;
			}
			/* fall through */
		default:
			*out++ = *p;
			break;
		}
	}
	return (size_t)(out - s);
}

/* Bind under a temporary name and rename once listening: a client that
 * sees the path never meets ECONNREFUSED. */
static int listen_at(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char tmp[sizeof(sa.sun_path)];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		die(path);
	}
	memcpy(sa.sun_path, tmp, strlen(tmp) + 1);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("socket");
	unlink(path);
	unlink(tmp);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die(tmp);
	if (listen(s, 1) < 0)
		die("listen");
	if (rename(tmp, path) < 0)
		die(path);
	return s;
}

/* Returns the fd received, or -1 (with the payload length in *len). */
static int recv_fd(int conn, ssize_t *len)
{
	char data[256];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	do
		*len = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	while (*len < 0 && errno == EINTR);
	if (*len < 0)
		die("recvmsg");
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len < CMSG_LEN(sizeof(int)))
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

static void write_all(int fd, const char *p, size_t n, const char *what)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			die(what);
		p += w;
		n -= (size_t)w;
	}
}

int main(int argc, char **argv)
{
	char *send = NULL;
	const char *out = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--once"))
			continue;
		else if (!strcmp(argv[i], "--send") && i + 1 < argc)
			send = argv[++i];
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else
			usage();
	}
	if (i != argc - 1)
		usage();
	const char *path = argv[i];

	int outfd = STDOUT_FILENO;
	if (out && (outfd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		die(out);
	int ls = listen_at(path);
	int conn;
	while ((conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC)) < 0)
		if (errno != EINTR)
			die("accept");
	ssize_t len;
	int master = recv_fd(conn, &len);
	if (master < 0) {
		fprintf(stderr, "recvtty: %s: no file descriptor received (%zd bytes of payload)\n",
			path, len);
		return 1;
	}
	close(conn);
	close(ls);

	if (send)
		write_all(master, send, unescape(send), "write to pty");
	char buf[8192];
	for (;;) {
		ssize_t n = read(master, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || (n < 0 && errno == EIO)) /* the slave side closed */
			break;
		if (n < 0)
			die("read from pty");
		write_all(outfd, buf, (size_t)n, out ? out : "stdout");
	}
	return 0;
}
