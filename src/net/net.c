/* net.c — a container's network: setup and teardown by mode (net.h). */
#include "net/net.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "net/helper.h"
#include "net/hosts.h"
#include "net/ipam.h"
#include "net/link.h"
#include "net/netns.h"
#include "net/network.h"
#include "net/nft.h"
#include "net/nl.h"
#include "net/net_record.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SYSTEMD_RESOLV "/run/systemd/resolve/resolv.conf"

static int write_text(const char *path, const char *text, struct err *e)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	*slash = 0;
	_cleanup_close_ int dfd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (dfd < 0)
		return err_sys(e, errno, "open %s", dir);
	return write_file_atomic(dfd, slash + 1, text, strlen(text), 0644, e);
}

/* "cv" + 8 hex digits (within IFNAMSIZ whatever the id's length) of a
 * hash of the id, this process and the time: unique per start, not
 * just per container.  The kernel destroys a pair with the container's
 * namespace, asynchronously (teardown does not wait for it), so a quick
 * restart must not meet the previous start's host end under its name. */
static void veth_name(const char *id, unsigned attempt, char out[16])
{
	struct timespec ts = {0};
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint32_t h = 2166136261u;
	for (const char *p = id; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	uint64_t mix[] = {(uint64_t)getpid(), (uint64_t)ts.tv_sec, (uint64_t)ts.tv_nsec, attempt};
	for (size_t i = 0; i < sizeof(mix); i++)
		h = (h ^ ((const uint8_t *)mix)[i]) * 16777619u;
	snprintf(out, 16, "cv%08x", h);
}

int net_mode_check(const char *root, const char *mode, struct err *e)
{
	if (!strcmp(mode, "none") || !strcmp(mode, "host") || !strcmp(mode, "bridge") ||
	    !strcmp(mode, "pasta") || !strcmp(mode, "slirp4netns"))
		return 0;
	if (!strncmp(mode, "ns:", 3))
		return mode[3] == '/'
			   ? 0
			   : err_msg(e, EINVAL, "network ns:%s: need an absolute path", mode + 3);
	if (!strncmp(mode, "container:", 10))
		return err_msg(e, EINVAL, "network %s: resolve the container first", mode);
	struct network nw;
	return network_load(root, mode, &nw, e);
}

int net_plan(const char *root, const char *id, const char *mode, struct net_result *res,
	     struct err *e)
{
	memset(res, 0, sizeof(*res));
	int r = net_mode_check(root, mode, e);
	if (r < 0)
		return r;
	if (!strcmp(mode, "host")) {
		snprintf(res->hosts, sizeof(res->hosts), "/etc/hosts");
		snprintf(res->resolv, sizeof(res->resolv), "/etc/resolv.conf");
		return 0;
	}
	if ((r = record_path(root, id, ".resolv", res->resolv, sizeof(res->resolv), e)) < 0)
		return r;
	if (!strcmp(mode, "pasta") || !strcmp(mode, "slirp4netns")) {
		res->runtime_netns = true;
		return record_path(root, id, ".hosts", res->hosts, sizeof(res->hosts), e);
	}
	if (!strncmp(mode, "ns:", 3)) {
		snprintf(res->netns, sizeof(res->netns), "%s", mode + 3);
		return 0;
	}
	if ((r = record_path(root, id, ".netns", res->netns, sizeof(res->netns), e)) < 0)
		return r;
	if (!strcmp(mode, "none"))
		return record_path(root, id, ".hosts", res->hosts, sizeof(res->hosts), e);
	return network_path(root, !strcmp(mode, "bridge") ? NET_DEFAULT_NAME : mode, "hosts",
			    res->hosts, sizeof(res->hosts), e);
}

/* --- published ports: a registry entry per host port --------------------- */

static int port_key(const char *root, const struct net_port *p, char *buf, size_t len,
		    struct err *e)
{
	char ip[16];
	int n = snprintf(buf, len, "%s/net/ports/%s-%s-%u", root, p->proto == 17 ? "udp" : "tcp",
			 ip4_format(p->host_ip, ip), p->host_port);
	if (n < 0 || (size_t)n >= len)
		return err_msg(e, ENAMETOOLONG, "port registry path too long");
	return 0;
}

static void port_unclaim(const char *root, const struct net_port *p)
{
	char path[PATH_MAX];
	if (port_key(root, p, path, sizeof(path), NULL) == 0)
		unlink(path);
}

/* Claim a host port for `id`: one file per port, made with O_EXCL, so
 * two capsa containers never publish the same one (the DNAT rule holds
 * no socket), and a bind test against other programs. */
static int port_claim(const char *root, const char *id, struct net_port *p, struct err *e)
{
	int r = port_check_free(p, e);
	if (r < 0)
		return r;
	char path[PATH_MAX], b[48];
	if ((r = port_key(root, p, path, sizeof(path), e)) < 0)
		return r;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST) {
		char other[128] = "";
		_cleanup_free_ char *o = NULL;
		if (read_file_at(AT_FDCWD, path, &o, NULL, NULL) == 0)
			snprintf(other, sizeof(other), " by container %.64s", o);
		return err_msg(e, EADDRINUSE, "publish %s: host port already published%s",
			       port_format(p, b), other);
	}
	if (fd < 0)
		return err_sys(e, errno, "publish %s: %s", port_format(p, b), path);
	if (write(fd, id, strlen(id)) < 0)
		r = err_sys(e, errno, "write %s", path);
	close(fd);
	if (r < 0)
		unlink(path);
	return r;
}

/* --- bridge mode ---------------------------------------------------------- */

static int set_sysctl(const char *path, struct err *e)
{
	int r = write_file(path, "1", 1, e);
	return r < 0 ? err_prefix(e, "%s", path) : 0;
}

/* The bridge with its gateway address, created on first use. */
static int ensure_bridge(struct nl *n, const struct network *nw, struct err *e)
{
	int idx = link_index(n, nw->bridge);
	if (idx > 0)
		return idx;
	int r = link_bridge_add(n, nw->bridge, e);
	if (r < 0 && r != -EEXIST)
		return r;
	if ((idx = link_index(n, nw->bridge)) < 0)
		return err_sys(e, -idx, "bridge %s", nw->bridge);
	if ((r = addr_add(n, idx, nw->gateway, nw->subnet.prefix, e)) < 0 ||
	    (r = link_up(n, idx, e)) < 0)
		return err_prefix(e, "bridge %s", nw->bridge);
	char p[128];
	/* Forwarding for the containers' traffic out; route_localnet so a
	 * connection from 127.0.0.1 DNATed to a container may leave by the
	 * bridge (masqueraded by the rule nft_masq_add makes). */
	if ((r = set_sysctl("/proc/sys/net/ipv4/ip_forward", e)) < 0)
		return r;
	snprintf(p, sizeof(p), "/proc/sys/net/ipv4/conf/%s/route_localnet", nw->bridge);
	if ((r = set_sysctl(p, e)) < 0)
		return r;
	return idx;
}

struct inside {
	uint32_t ip, gw;
	uint8_t prefix;
	struct err *e;
};

static int configure_inside(void *arg)
{
	struct inside *in = arg;
	struct nl n;
	int r = nl_open(&n, NETLINK_ROUTE, in->e);
	if (r < 0)
		return r;
	int idx = link_index(&n, "eth0");
	if (idx < 0)
		r = err_sys(in->e, -idx, "container interface eth0");
	else if ((r = addr_add(&n, idx, in->ip, in->prefix, in->e)) == 0 &&
		 (r = link_up_noaddrconf(&n, idx, in->e)) == 0)
		r = route_add_default(&n, in->gw, in->e);
	nl_close(&n);
	return r;
}

/* Members of the network: add or drop `id`, then rewrite the shared
 * hosts file.  Called under the network's allocator lock. */
static int update_members(const char *root, const char *net, const char *id, const char *line,
			  struct err *e)
{
	char mpath[PATH_MAX], hpath[PATH_MAX];
	int r;
	if ((r = network_path(root, net, "members", mpath, sizeof(mpath), e)) < 0 ||
	    (r = network_path(root, net, "hosts", hpath, sizeof(hpath), e)) < 0)
		return r;
	_cleanup_free_ char *old = NULL, *hosts = NULL;
	if ((r = read_file_at(AT_FDCWD, mpath, &old, NULL, NULL)) < 0 && r != -ENOENT)
		return err_sys(e, -r, "read %s", mpath);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return err_sys(e, errno, "members");
	size_t idlen = strlen(id);
	for (char *p = old; p && *p;) {
		char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p + 1) : strlen(p);
		char *sp = strchr(p, ' ');
		int mine = sp && !strncmp(sp + 1, id, idlen) && sp[1 + idlen] == ' ';
		if (!mine)
			fwrite(p, 1, l, f);
		p += l;
	}
	if (line)
		fputs(line, f);
	fclose(f);
	_cleanup_free_ char *members = buf;
	if (!members)
		return err_sys(e, ENOMEM, "members");
	if ((r = write_text(mpath, members, e)) < 0)
		return r;
	if ((r = hosts_contents(members, &hosts, e)) < 0)
		return r;
	return hosts_rewrite(hpath, hosts, e);
}

static int nat_rules_path(const char *root, const char *net, char *buf, size_t len, struct err *e)
{
	return network_path(root, net, "nat", buf, len, e);
}

/* The network's masquerade rules exist while it has containers. */
static int ensure_masq(struct nl *nf, const char *root, const struct network *nw, struct err *e)
{
	char path[PATH_MAX];
	int r = nat_rules_path(root, nw->name, path, sizeof(path), e);
	if (r < 0)
		return r;
	if (access(path, F_OK) == 0)
		return 0;
	struct nft_handle h[2];
	if ((r = nft_masq_add(nf, &nw->subnet, h, e)) < 0)
		return err_prefix(e, "network %s", nw->name);
	char text[128];
	snprintf(text, sizeof(text), "%s %llu\n%s %llu\n", h[0].chain,
		 (unsigned long long)h[0].handle, h[1].chain, (unsigned long long)h[1].handle);
	if ((r = write_text(path, text, e)) < 0)
		nft_del(nf, h, 2, NULL);
	return r;
}

static int drop_masq(struct nl *nf, const char *root, const char *net, struct err *e)
{
	char path[PATH_MAX];
	int r = nat_rules_path(root, net, path, sizeof(path), e);
	if (r < 0)
		return r;
	_cleanup_free_ char *text = NULL;
	if (read_file_at(AT_FDCWD, path, &text, NULL, NULL) < 0)
		return 0;
	struct nft_handle h[2] = {0};
	unsigned long long a = 0, b = 0;
	if (sscanf(text, "%15s %llu %15s %llu", h[0].chain, &a, h[1].chain, &b) == 4) {
		h[0].handle = a;
		h[1].handle = b;
		if ((r = nft_del(nf, h, 2, e)) < 0)
			return r;
	}
	unlink(path);
	return 0;
}

/* Containers that joined another's namespace (ns:<root>/net/<id>.netns,
 * what container:X becomes) each have an empty file in
 * <root>/net/<id>.joined/: while there are any, the owner's namespace
 * outlives the owner, so its teardown deletes the veth itself.  -1: the
 * namespace is not one of capsa's. */
static int joined_dir(const char *root, const char *netns, char *buf, size_t len)
{
	char pre[PATH_MAX];
	if (record_path(root, "", "", pre, sizeof(pre), NULL) < 0)
		return -1;
	size_t pl = strlen(pre), nl = strlen(netns);
	if (strncmp(netns, pre, pl) || nl <= pl + 6 || strcmp(netns + nl - 6, ".netns") ||
	    strchr(netns + pl, '/'))
		return -1;
	return (size_t)snprintf(buf, len, "%.*s.joined", (int)(nl - 6), netns) < len ? 0 : -1;
}

static int join_mark(const char *root, const char *id, const char *netns, struct err *e)
{
	char dir[PATH_MAX], path[PATH_MAX + 80];
	if (joined_dir(root, netns, dir, sizeof(dir)) < 0)
		return 0;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return err_sys(e, errno, "mkdir %s", dir);
	snprintf(path, sizeof(path), "%s/%s", dir, id);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_sys(e, errno, "create %s", path);
	close(fd);
	return 0;
}

static void join_unmark(const char *root, const char *id, const char *netns)
{
	char dir[PATH_MAX], path[PATH_MAX + 80];
	if (joined_dir(root, netns, dir, sizeof(dir)) < 0)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, id);
	unlink(path);
	rmdir(dir); /* the last one out; the owner's teardown may do it too */
}

/* Undo what `rec` says was made, on the network locked by `lockfd`
 * (-1: not a bridge record).  Every step tolerates "already gone". */
static int undo(const char *root, const char *id, struct net_record *rec, const struct network *nw,
		int lockfd, struct err *e)
{
	int first = 0, r;
	struct err tmp;
	struct err *pe = e ? e : &tmp;
#define KEEP(x)                                                                                    \
	do {                                                                                       \
		if ((r = (x)) < 0 && !first)                                                       \
			first = r;                                                                 \
		if (first)                                                                         \
			pe = &tmp;                                                                 \
	} while (0)
	struct nl nf = {.fd = -1}, rt = {.fd = -1};
	if (rec->nports && nl_open(&nf, NETLINK_NETFILTER, pe) == 0)
		for (size_t i = 0; i < rec->nports; i++)
			KEEP(nft_del(&nf, rec->rules[i], 2, pe));
	for (size_t i = 0; i < rec->nports; i++)
		port_unclaim(root, &rec->ports[i]);
	/* The veth's peer is in our own namespace: once that is gone (its
	 * last process has exited and the file is unmounted), the kernel
	 * destroys the pair, asynchronously and batched with other dying
	 * namespaces.  An explicit RTM_DELLINK would wait here for RCU
	 * grace periods under the rtnl lock, which the next container's
	 * RTM_NEWLINK then waits for too (tens of ms on a busy host). */
	bool ns_gone = false;
	char jd[PATH_MAX];
	if (rec->veth[0] && rec->own_netns && joined_dir(root, rec->netns, jd, sizeof(jd)) == 0 &&
	    rmdir(jd) < 0 && errno == ENOTEMPTY && nl_open(&rt, NETLINK_ROUTE, pe) == 0)
		KEEP(link_del(&rt, rec->veth, pe)); /* others still in it */
	if (!strcmp(rec->mode, "ns"))
		join_unmark(root, id, rec->netns);
	if (rec->own_netns && rec->netns[0]) {
		int k = netns_remove(rec->netns, pe);
		KEEP(k);
		ns_gone = k == 0;
	}
	if (rec->veth[0] && !ns_gone && rt.fd < 0 && nl_open(&rt, NETLINK_ROUTE, pe) == 0)
		KEEP(link_del(&rt, rec->veth, pe));
	if (rec->helper > 0 && helper_is(rec->helper, rec->mode))
		kill(rec->helper, SIGTERM); /* pasta, slirp4netns: ours, by its pid */
	if (lockfd >= 0 && nw) {
		if (rec->ip)
			KEEP(ipam_release(lockfd, &nw->subnet, rec->ip, pe));
		KEEP(update_members(root, nw->name, id, NULL, pe));
		uint32_t count = 1;
		if (ipam_count(lockfd, &count, NULL) == 0 && count == 0) {
			if (nf.fd < 0)
				nl_open(&nf, NETLINK_NETFILTER, NULL);
			if (nf.fd >= 0)
				KEEP(drop_masq(&nf, root, nw->name, pe));
		}
	}
	nl_close(&nf);
	nl_close(&rt);
	char path[PATH_MAX];
	if (record_path(root, id, ".resolv", path, sizeof(path), NULL) == 0)
		unlink(path);
	if (record_path(root, id, ".hosts", path, sizeof(path), NULL) == 0)
		unlink(path);
	KEEP(record_remove(root, id, pe));
#undef KEEP
	return first;
}

static int open_lock(const char *root, const struct network *nw, struct err *e)
{
	char path[PATH_MAX];
	int r = network_path(root, nw->name, "ipam", path, sizeof(path), e);
	return r < 0 ? r : ipam_open(path, &nw->subnet, e);
}

static int setup_bridge(const struct net_opts *o, const char *netname, struct net_record *rec,
			struct net_result *res, struct err *e)
{
	struct network nw;
	int r = network_load(o->root, netname, &nw, e);
	if (r < 0)
		return r;
	_cleanup_close_ int lock = open_lock(o->root, &nw, e);
	if (lock < 0)
		return lock;
	_cleanup_close_ int nsfd = -1;
	struct nl rt;
	snprintf(rec->network, sizeof(rec->network), "%s", nw.name);

	/* Claim ports first: the commonest user error, and nothing else is
	 * made yet when it happens. */
	for (size_t i = 0; i < o->nports; i++) {
		rec->ports[i] = o->ports[i];
		if ((r = port_claim(o->root, o->id, &rec->ports[i], e)) < 0)
			goto fail;
		rec->nports = i + 1;
	}
	if ((r = ipam_alloc(lock, &nw.subnet, &rec->ip, e)) < 0)
		goto fail;
	if ((r = nl_open(&rt, NETLINK_ROUTE, e)) < 0)
		goto fail;
	int br = ensure_bridge(&rt, &nw, e);
	int mtu = br > 0 ? link_mtu(&rt, br) : 0;
	if (br < 0) {
		nl_close(&rt);
		r = br;
		goto fail;
	}
	r = record_path(o->root, o->id, ".netns", rec->netns, sizeof(rec->netns), e);
	nsfd = r < 0 ? r : netns_create(rec->netns, e);
	if (nsfd < 0) {
		nl_close(&rt);
		r = nsfd;
		rec->netns[0] = 0;
		goto fail;
	}
	rec->own_netns = true;
	/* Written now so that a crash from here on is repaired by teardown
	 * (the namespace takes the veth with it). */
	if ((r = net_record_write(o->root, o->id, rec, e)) < 0) {
		nl_close(&rt);
		goto fail;
	}
	for (unsigned attempt = 0;; attempt++) {
		veth_name(o->id, attempt, rec->veth);
		r = link_veth_add(&rt, rec->veth, br, "eth0", nsfd, mtu > 0 ? mtu : 0, e);
		if (r != -EEXIST || attempt == 3)
			break;
	}
	if (r == -EEXIST)
		rec->veth[0] = 0; /* others' (hash collisions): not ours to delete */
	int vidx = r < 0 ? r : link_index(&rt, rec->veth);
	if (r == 0 && vidx < 0)
		r = err_sys(e, -vidx, "veth %s", rec->veth);
	if (r == 0)
		r = link_up_noaddrconf(&rt, vidx, e);
	nl_close(&rt);
	if (r < 0)
		goto fail;
	struct inside in = {rec->ip, nw.gateway, nw.subnet.prefix, e};
	if ((r = netns_run(nsfd, configure_inside, &in, e)) < 0)
		goto fail;

	struct nl nf;
	if ((r = nl_open(&nf, NETLINK_NETFILTER, e)) < 0)
		goto fail;
	r = ensure_masq(&nf, o->root, &nw, e);
	for (size_t i = 0; r == 0 && i < rec->nports; i++)
		r = nft_dnat_add(&nf, &rec->ports[i], rec->ip, rec->rules[i], e);
	nl_close(&nf);
	if (r < 0)
		goto fail;

	char line[512], ip[16];
	const char *name = o->name ? o->name : o->id;
	snprintf(line, sizeof(line), "%s %s %s %s\n", ip4_format(rec->ip, ip), o->id, name,
		 o->hostname ? o->hostname : name);
	if ((r = update_members(o->root, nw.name, o->id, line, e)) < 0)
		goto fail;
	if ((r = net_record_write(o->root, o->id, rec, e)) < 0)
		goto fail;
	ip4_format(rec->ip, res->ip);
	ip4_format(nw.gateway, res->gateway);
	res->prefix = nw.subnet.prefix;
	network_path(o->root, nw.name, "hosts", res->hosts, sizeof(res->hosts), NULL);
	return 0;
fail:
	undo(o->root, o->id, rec, &nw, lock, NULL);
	return r;
}

/* A hosts file of its own for modes without a network: localhost, and
 * the hostname on loopback. */
static int own_hosts(const struct net_opts *o, struct net_result *res, struct err *e)
{
	int r = record_path(o->root, o->id, ".hosts", res->hosts, sizeof(res->hosts), e);
	if (r < 0)
		return r;
	char text[512];
	const char *h = o->hostname ? o->hostname : o->name;
	snprintf(text, sizeof(text),
		 "127.0.0.1\tlocalhost%s%s\n::1\tlocalhost ip6-localhost ip6-loopback\n",
		 h ? " " : "", h ? h : "");
	return write_text(res->hosts, text, e);
}

int net_setup(const struct net_opts *o, struct net_result *res, struct err *e)
{
	memset(res, 0, sizeof(*res));
	if (o->nports > NET_MAX_PORTS)
		return err_msg(e, E2BIG, "container %s: more than %d published ports", o->id,
			       NET_MAX_PORTS);
	char dir[PATH_MAX], path[PATH_MAX];
	int r = record_path(o->root, NULL, "ports", dir, sizeof(dir), e);
	if (r < 0 || (r = mkdir_p(dir, 0755, e)) < 0)
		return r;
	if ((r = record_path(o->root, o->id, ".json", path, sizeof(path), e)) < 0)
		return r;
	if (access(path, F_OK) == 0)
		return err_msg(e, EEXIST, "container %s: network already set up", o->id);

	struct net_record rec = {0};
	const char *mode = o->mode ? o->mode : "bridge";
	if (!strncmp(mode, "container:", 10))
		return net_mode_check(o->root, mode, e);
	if (!strcmp(mode, "host")) {
		snprintf(rec.mode, sizeof(rec.mode), "host");
		if (o->nports)
			return err_msg(e, EINVAL,
				       "network host: -p has no meaning (ports are the host's)");
		snprintf(res->hosts, sizeof(res->hosts), "/etc/hosts");
	} else if (!strcmp(mode, "none")) {
		snprintf(rec.mode, sizeof(rec.mode), "none");
		if (o->nports)
			return err_msg(e, EINVAL, "network none: cannot publish ports");
		if ((r = record_path(o->root, o->id, ".netns", rec.netns, sizeof(rec.netns), e)) <
		    0)
			return r;
		int fd = netns_create(rec.netns, e);
		if (fd < 0)
			return fd;
		close(fd);
		rec.own_netns = true;
		if ((r = own_hosts(o, res, e)) < 0)
			goto fail;
	} else if (!strncmp(mode, "ns:", 3)) {
		snprintf(rec.mode, sizeof(rec.mode), "ns");
		snprintf(rec.netns, sizeof(rec.netns), "%s", mode + 3);
		if ((r = net_mode_check(o->root, mode, e)) < 0)
			return r;
		if (access(rec.netns, F_OK) < 0)
			return err_sys(e, errno, "network %s", mode);
		if ((r = join_mark(o->root, o->id, rec.netns, e)) < 0)
			return r;
	} else if (!strcmp(mode, "pasta") || !strcmp(mode, "slirp4netns")) {
		char exe[PATH_MAX];
		if (helper_find(mode, exe, sizeof(exe)) < 0)
			return err_msg(e, ENOENT, "network %s: %s is not installed%s", mode, mode,
				       strcmp(mode, "pasta") ? "" : " (Debian: passt)");
		snprintf(rec.mode, sizeof(rec.mode), "%s", mode);
		rec.nports = o->nports;
		memcpy(rec.ports, o->ports, o->nports * sizeof(*o->ports));
		/* The helper binds the host ports itself: a port in use fails
		 * here, clearly, and -p CTR / -P get a free one now. */
		for (size_t i = 0; i < rec.nports; i++)
			if ((r = port_check_free(&rec.ports[i], e)) < 0)
				return r;
		res->runtime_netns = true;
		if ((r = own_hosts(o, res, e)) < 0)
			return r;
	} else {
		snprintf(rec.mode, sizeof(rec.mode), "bridge");
		if ((r = setup_bridge(o, !strcmp(mode, "bridge") ? NET_DEFAULT_NAME : mode, &rec,
				      res, e)) < 0)
			return r;
	}
	snprintf(res->netns, sizeof(res->netns), "%s", rec.netns);
	res->nports = rec.nports;
	memcpy(res->ports, rec.ports, rec.nports * sizeof(*rec.ports));

	/* resolv.conf: the host's as is for host mode, filtered otherwise. */
	if (strcmp(rec.mode, "host")) {
		_cleanup_free_ char *text = NULL;
		const char *hr = o->host_resolv ? o->host_resolv : "/etc/resolv.conf";
		if ((r = resolv_contents(hr, SYSTEMD_RESOLV, &text, e)) < 0 ||
		    (r = record_path(o->root, o->id, ".resolv", res->resolv, sizeof(res->resolv),
				     e)) < 0 ||
		    (r = write_text(res->resolv, text, e)) < 0)
			goto fail;
	} else {
		snprintf(res->resolv, sizeof(res->resolv), "/etc/resolv.conf");
	}
	if ((r = net_record_write(o->root, o->id, &rec, e)) < 0)
		goto fail;
	return 0;
fail:
	if (!strcmp(rec.mode, "bridge"))
		net_teardown(o->root, o->id, NULL);
	else
		undo(o->root, o->id, &rec, NULL, -1, NULL);
	return r;
}

int net_teardown(const char *root, const char *id, struct err *e)
{
	struct net_record rec;
	int r = net_record_read(root, id, &rec, e);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (!strcmp(rec.mode, "bridge") && rec.network[0]) {
		struct network nw;
		if ((r = network_load(root, rec.network, &nw, e)) < 0)
			return r;
		_cleanup_close_ int lock = open_lock(root, &nw, e);
		if (lock < 0)
			return lock;
		r = undo(root, id, &rec, &nw, lock, e);
	} else {
		r = undo(root, id, &rec, NULL, -1, e);
	}
	return r < 0 ? err_prefix(e, "container %s: network teardown", id) : 0;
}

int net_info(const char *root, const char *id, struct net_info *out, struct err *e)
{
	struct net_record rec;
	memset(out, 0, sizeof(*out));
	int r = net_record_read(root, id, &rec, e);
	if (r < 0)
		return r;
	snprintf(out->mode, sizeof(out->mode), "%s", rec.mode);
	snprintf(out->network, sizeof(out->network), "%s", rec.network);
	out->ip = rec.ip;
	_Static_assert(sizeof(out->ports) == sizeof(rec.ports), "net_info holds a record's ports");
	out->nports = rec.nports;
	memcpy(out->ports, rec.ports, sizeof(out->ports));
	struct network nw;
	/* The network exists while a container is on it (never made here). */
	char dir[PATH_MAX];
	if (rec.network[0] &&
	    network_path(root, rec.network, NULL, dir, sizeof(dir), NULL) == 0 &&
	    access(dir, F_OK) == 0 && network_load(root, rec.network, &nw, NULL) == 0) {
		out->gateway = nw.gateway;
		out->prefix = nw.subnet.prefix;
	}
	return 0;
}

int net_ports(const char *root, const char *id, struct net_port *out, size_t max, size_t *n,
	      struct err *e)
{
	struct net_record rec;
	int r = net_record_read(root, id, &rec, e);
	if (r == -ENOENT)
		return err_msg(e, ENOENT, "container %s: no network state", id);
	if (r < 0)
		return r;
	*n = rec.nports < max ? rec.nports : max;
	memcpy(out, rec.ports, *n * sizeof(*out));
	return 0;
}

const char *net_rootless_mode(void)
{
	char buf[PATH_MAX];
	if (helper_find("pasta", buf, sizeof(buf)) == 0)
		return "pasta";
	return helper_find("slirp4netns", buf, sizeof(buf)) == 0 ? "slirp4netns" : "none";
}

int net_attach_pid(const char *root, const char *id, pid_t pid, struct err *e)
{
	struct net_record rec;
	int r = net_record_read(root, id, &rec, e);
	if (r == -ENOENT)
		return err_msg(e, ENOENT, "container %s: no network state", id);
	if (r < 0)
		return r;
	if (strcmp(rec.mode, "pasta") && strcmp(rec.mode, "slirp4netns"))
		return 0; /* nothing to do after create in the other modes */
	char dir[PATH_MAX];
	if ((r = record_path(root, NULL, NULL, dir, sizeof(dir), e)) < 0)
		return r;
	dir[strlen(dir) - 1] = 0; /* "<root>/net" */
	if ((r = helper_start(rec.mode, dir, id, rec.ports, rec.nports, pid, &rec.helper, e)) < 0)
		return r;
	if ((r = net_record_write(root, id, &rec, e)) < 0 && rec.helper > 0)
		kill(rec.helper, SIGTERM);
	return r;
}
