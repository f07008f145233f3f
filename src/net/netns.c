/* netns.c — persistent network namespaces (see netns.h). */
#include "net/netns.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "net/link.h"
#include "net/nl.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#define SELF_NET "/proc/thread-self/ns/net"

/* Go back to `orig`; if even that fails the thread is in the wrong
 * namespace and nothing after it may run there. */
static void back_to(int orig)
{
	if (setns(orig, CLONE_NEWNET) < 0)
		abort();
}

int netns_create(const char *path, struct err *e)
{
	_cleanup_close_ int orig = open(SELF_NET, O_RDONLY | O_CLOEXEC);
	if (orig < 0)
		return err_sys(e, errno, "open %s", SELF_NET);
	int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0)
		return err_sys(e, errno, "create network namespace file %s", path);
	close(fd);
	if (unshare(CLONE_NEWNET) < 0) {
		int r = err_sys(e, errno, "new network namespace");
		unlink(path);
		return r;
	}
	int r = 0;
	_cleanup_close_ int nsfd = open(SELF_NET, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0) {
		r = err_sys(e, errno, "open %s", SELF_NET);
		goto out;
	}
	if (mount(SELF_NET, path, NULL, MS_BIND, NULL) < 0) {
		r = err_sys(e, errno, "bind network namespace on %s", path);
		goto out;
	}
	/* Loopback is interface 1 in every new namespace. */
	struct nl n;
	r = nl_open(&n, NETLINK_ROUTE, e);
	if (r == 0) {
		r = link_up(&n, 1, e);
		nl_close(&n);
	}
out:
	back_to(orig);
	if (r < 0) {
		umount2(path, MNT_DETACH);
		unlink(path);
		return r;
	}
	return steal_fd(&nsfd);
}

int netns_run(int nsfd, int (*fn)(void *), void *arg, struct err *e)
{
	_cleanup_close_ int orig = open(SELF_NET, O_RDONLY | O_CLOEXEC);
	if (orig < 0)
		return err_sys(e, errno, "open %s", SELF_NET);
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return err_sys(e, errno, "enter network namespace");
	int r = fn(arg);
	back_to(orig);
	return r;
}

struct sock_arg {
	int proto;
	struct nl *out;
	struct err *e;
};

static int open_sock(void *p)
{
	struct sock_arg *a = p;
	return nl_open(a->out, a->proto, a->e);
}

int netns_socket(int nsfd, int proto, struct nl *out, struct err *e)
{
	struct sock_arg a = {proto, out, e};
	return netns_run(nsfd, open_sock, &a, e);
}

int netns_remove(const char *path, struct err *e)
{
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return err_sys(e, errno, "unmount network namespace %s", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return err_sys(e, errno, "remove %s", path);
	return 0;
}
