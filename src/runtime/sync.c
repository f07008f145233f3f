/* sync.c — see sync.h. */
#include "runtime/sync.h"

#include "base/error.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int sync_send(int sock, enum sync_type type, int code, const char *msg, int fd)
{
	struct sync_msg m = {.type = type, .code = code};
	size_t len = offsetof(struct sync_msg, msg);
	if (msg) {
		size_t n = strnlen(msg, sizeof(m.msg) - 1);
		memcpy(m.msg, msg, n);
		m.msg[n] = '\0';
		len += n + 1;
	}
	struct iovec iov = {.iov_base = &m, .iov_len = len};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	for (;;) {
		ssize_t r = sendmsg(sock, &mh, MSG_NOSIGNAL);
		if (r >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

int sync_recv(int sock, struct sync_msg *m, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	if (fd)
		*fd = -1;
	memset(m, 0, sizeof(*m));
	ssize_t r;
	do
		r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return 0;
	m->msg[sizeof(m->msg) - 1] = '\0';
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int got;
			memcpy(&got, CMSG_DATA(c), sizeof(int));
			if (fd)
				*fd = got;
			else
				close(got);
		}
	}
	return 1;
}

int sync_expect(int sock, enum sync_type want, struct err *e)
{
	struct sync_msg m;
	int r = sync_recv(sock, &m, NULL);
	if (r < 0)
		return err_sys(e, -r, "sync socket");
	if (r == 0)
		return err_msg(e, EPIPE, "sync socket: the other side went away");
	if (m.type == SYNC_ERROR)
		return err_msg(e, m.code > 0 ? m.code : EIO, "%s", m.msg);
	if (m.type == SYNC_ABORT)
		return err_msg(e, ECANCELED, "setup aborted by the runtime");
	if (m.type != want)
		return err_msg(e, EPROTO, "sync socket: expected message %d, got %d", want, m.type);
	return 0;
}
