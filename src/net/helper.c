/* helper.c — pasta and slirp4netns for rootless containers (helper.h). */
#include "net/helper.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "net/cidr.h"
#include "net/net_record.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* The address slirp4netns --configure gives the container. */
#define SLIRP_GUEST "10.0.2.100"

int helper_find(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	while (*path) {
		const char *c = strchr(path, ':');
		size_t l = c ? (size_t)(c - path) : strlen(path);
		if (l && (size_t)snprintf(buf, len, "%.*s/%s", (int)l, path, name) < len &&
		    access(buf, X_OK) == 0)
			return 0;
		path += l + (c ? 1 : 0);
	}
	return -ENOENT;
}

/* Its argv[0], not comm: Debian's pasta re-executes itself as
 * passt.avx2 on CPUs with AVX2. */
bool helper_is(pid_t pid, const char *mode)
{
	char path[64];
	_cleanup_free_ char *cmd = NULL;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if (read_file_at(AT_FDCWD, path, &cmd, NULL, NULL) < 0)
		return false;
	const char *base = strrchr(cmd, '/');
	base = base ? base + 1 : cmd;
	if (!strcmp(mode, "pasta"))
		return !strncmp(base, "pasta", 5) || !strncmp(base, "passt", 5);
	return !strcmp(base, mode);
}

/* In the child, before exec: stdin/out/err on /dev/null (the runtime's
 * stderr may be a container's output pipe, which a helper living as
 * long as the container must not hold open), and nothing from 3 up:
 * an inherited pipe would keep its reader (a test harness, a caller's
 * $(…)) waiting as long. */
static void child_stdio(int from)
{
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull >= 0) {
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
	}
	syscall(SYS_close_range, (unsigned)from, ~0U, 0);
}

static int wait_child(pid_t child, const char *exe, const char *id, struct err *e)
{
	int st;
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			return err_sys(e, errno, "network: wait for %s", exe);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return err_msg(e, EIO, "network: %s failed (status %d) for container %s", exe,
			       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), id);
	return 0;
}

/* pasta joins the namespaces of `pid` (user and network), configures
 * its tap interface like the host's, and daemonizes once the namespace
 * is ready: the foreground process's exit status says whether it
 * worked, and -P leaves the daemon's pid. */
static int start_pasta(const char *exe, const char *dir, const char *id,
		       const struct net_port *ports, size_t nports, pid_t pid, pid_t *helper,
		       struct err *e)
{
	char pidfile[PATH_MAX], pidstr[16];
	if ((size_t)snprintf(pidfile, sizeof(pidfile), "%s/%s.pasta.pid", dir, id) >=
	    sizeof(pidfile))
		return err_msg(e, ENAMETOOLONG, "network pasta: %s: path too long", dir);
	char specs[NET_MAX_PORTS][64];
	const char *argv[16 + 2 * NET_MAX_PORTS];
	size_t n = 0;
	argv[n++] = "pasta";
	argv[n++] = "--config-net";
	argv[n++] = "--quiet";
	argv[n++] = "-P";
	argv[n++] = pidfile;
	int tcp = 0, udp = 0;
	for (size_t i = 0; i < nports && i < NET_MAX_PORTS; i++) {
		const struct net_port *p = &ports[i];
		char ip[16];
		if (p->host_ip)
			snprintf(specs[i], sizeof(specs[i]), "%s/%u:%u", ip4_format(p->host_ip, ip),
				 p->host_port, p->ctr_port);
		else
			snprintf(specs[i], sizeof(specs[i]), "%u:%u", p->host_port, p->ctr_port);
		argv[n++] = p->proto == 17 ? "-u" : "-t";
		argv[n++] = specs[i];
		tcp |= p->proto != 17;
		udp |= p->proto == 17;
	}
	/* Nothing published unless asked: pasta's default would forward
	 * every port the container binds. */
	if (!tcp) {
		argv[n++] = "-t";
		argv[n++] = "none";
	}
	if (!udp) {
		argv[n++] = "-u";
		argv[n++] = "none";
	}
	snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
	argv[n++] = pidstr;
	argv[n] = NULL;
	pid_t child = fork();
	if (child < 0)
		return err_sys(e, errno, "network pasta: fork");
	if (child == 0) {
		child_stdio(3);
		execv(exe, (char *const *)argv);
		_exit(127);
	}
	int r = wait_child(child, exe, id, e);
	_cleanup_free_ char *text = NULL;
	if (r == 0 && read_file_at(AT_FDCWD, pidfile, &text, NULL, NULL) == 0)
		*helper = atoi(text);
	unlink(pidfile);
	return r;
}

/* One request to slirp4netns's API socket; the reply must be a
 * "return", an "error" names its cause. */
static int slirp_api(const char *sock, const char *req, const char *what, struct err *e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(sock) >= sizeof(sa.sun_path))
		return err_msg(e, ENAMETOOLONG, "slirp4netns API socket %s: path too long", sock);
	strcpy(sa.sun_path, sock);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_sys(e, errno, "slirp4netns API socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return err_sys(e, errno, "connect to slirp4netns API socket %s", sock);
	size_t len = strlen(req);
	if (write(fd, req, len) != (ssize_t)len)
		return err_sys(e, errno, "write to slirp4netns API socket");
	shutdown(fd, SHUT_WR);
	char reply[1024];
	size_t got = 0;
	for (;;) {
		ssize_t k = read(fd, reply + got, sizeof(reply) - 1 - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return err_sys(e, errno, "read from slirp4netns API socket");
		if (k == 0 || (got += (size_t)k) == sizeof(reply) - 1)
			break;
	}
	reply[got] = 0;
	if (strstr(reply, "\"return\""))
		return 0;
	const char *desc = strstr(reply, "\"desc\"");
	return err_msg(e, EIO, "%s: slirp4netns: %s", what, desc ? desc : reply);
}

/* slirp4netns joins the namespaces of `pid` (pid mode enters its user
 * namespace too), makes tap0 with 10.0.2.100/24 via 10.0.2.2 (the
 * host's loopback) and stays in the foreground: started in a session
 * of its own, it writes to the ready descriptor once the namespace is
 * configured.  Ports go through its API socket (add_hostfwd), made
 * only when there are any and removed once they are forwarded. */
static int start_slirp(const char *exe, const char *dir, const char *id,
		       const struct net_port *ports, size_t nports, pid_t pid, pid_t *helper,
		       struct err *e)
{
	/* The socket by a path through the directory's descriptor: a state
	 * root's own path may be longer than sun_path allows. */
	_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return err_sys(e, errno, "network slirp4netns: open %s", dir);
	char sock[128], sockname[96], pidstr[16], api[160];
	snprintf(sockname, sizeof(sockname), "%.64s.slirp", id);
	snprintf(sock, sizeof(sock), "/proc/self/fd/%d/%s", dfd, sockname);
	/* In the child, the directory is descriptor 4 (after ready's 3). */
	snprintf(api, sizeof(api), "--api-socket=/proc/self/fd/4/%s", sockname);
	snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
	const char *argv[] = {"slirp4netns",	      "--configure",
			      "--mtu=65520",	      "--ready-fd=3",
			      nports ? api : pidstr,  nports ? pidstr : "tap0",
			      nports ? "tap0" : NULL, NULL};
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_sys(e, errno, "network slirp4netns: pipe");
	pid_t child = fork();
	if (child < 0) {
		int r = err_sys(e, errno, "network slirp4netns: fork");
		close(p[0]);
		close(p[1]);
		return r;
	}
	if (child == 0) {
		setsid(); /* not in the caller's process group: its ^C is not ours */
		/* Above 4 first: either may be 3 or 4 now. */
		int rfd = fcntl(p[1], F_DUPFD, 10), dnum = fcntl(dfd, F_DUPFD, 10);
		if (rfd < 0 || dnum < 0 || dup2(rfd, 3) < 0 || dup2(dnum, 4) < 0)
			_exit(127);
		child_stdio(5);
		execv(exe, (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	char c = 0;
	ssize_t k;
	do
		k = read(p[0], &c, 1);
	while (k < 0 && errno == EINTR);
	close(p[0]);
	if (k != 1) {
		/* It exited (or closed the descriptor) before being ready. */
		kill(child, SIGTERM);
		int r = wait_child(child, exe, id, e);
		return r < 0 ? r
			     : err_msg(e, EIO,
				       "network: %s stopped before the network of "
				       "container %s was ready",
				       exe, id);
	}
	*helper = child;
	int r = 0;
	for (size_t i = 0; r == 0 && i < nports; i++) {
		char req[256], ip[16], b[48];
		snprintf(req, sizeof(req),
			 "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"%s\","
			 "\"host_addr\":\"%s\",\"host_port\":%u,\"guest_addr\":\"" SLIRP_GUEST
			 "\",\"guest_port\":%u}}",
			 ports[i].proto == 17 ? "udp" : "tcp", ip4_format(ports[i].host_ip, ip),
			 ports[i].host_port, ports[i].ctr_port);
		char what[64];
		snprintf(what, sizeof(what), "publish %s", port_format(&ports[i], b));
		r = slirp_api(sock, req, what, e);
	}
	if (nports)
		unlinkat(dfd, sockname, 0);
	if (r < 0) {
		kill(child, SIGTERM);
		waitpid(child, NULL, 0);
		*helper = 0;
	}
	return r;
}

int helper_start(const char *mode, const char *state_dir, const char *id,
		 const struct net_port *ports, size_t nports, pid_t pid, pid_t *helper,
		 struct err *e)
{
	char exe[PATH_MAX];
	*helper = 0;
	bool pasta = !strcmp(mode, "pasta");
	if (helper_find(mode, exe, sizeof(exe)) < 0)
		return err_msg(e, ENOENT, "network %s: %s is not installed%s", mode, mode,
			       pasta ? " (Debian: passt)" : "");
	return (pasta ? start_pasta : start_slirp)(exe, state_dir, id, ports, nports, pid, helper,
						   e);
}
