/* ctr_net.c — a container's network across create, start, exit (see
 * ctr_net.h). */
#include "engine/ctr_net.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "engine/ids.h"
#include "engine/opts.h"
#include "engine/store.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NET_REQ "net.json"
/* As many as a net_result holds. */
#define NET_MAX_PORTS (sizeof(((struct net_result *)0)->ports) / sizeof(struct net_port))

const char *ctr_net_default(bool rootless)
{
	return rootless ? net_rootless_mode() : "bridge";
}

static bool same_port(const struct net_port *a, const struct net_port *b)
{
	return a->proto == b->proto && a->host_ip == b->host_ip && a->host_port == b->host_port &&
	       a->ctr_port == b->ctr_port;
}

/* The request as saved: what ctr_net_up needs at every start. */
static int req_write(int dirfd, const char *mode, const char *hostname,
		     const struct net_port *ports, size_t n, struct err *e)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	if (!o || !a) {
		json_object_put(o);
		json_object_put(a);
		return err_sys(e, ENOMEM, NET_REQ);
	}
	json_object_object_add(o, "mode", json_object_new_string(mode));
	json_object_object_add(o, "hostname", json_object_new_string(hostname));
	for (size_t i = 0; i < n; i++) {
		json_object *p = json_object_new_array();
		json_object_array_add(p, json_object_new_int(ports[i].proto));
		json_object_array_add(p, json_object_new_int64(ports[i].host_ip));
		json_object_array_add(p, json_object_new_int(ports[i].host_port));
		json_object_array_add(p, json_object_new_int(ports[i].ctr_port));
		json_object_array_add(a, p);
	}
	json_object_object_add(o, "ports", a);
	size_t len;
	const char *text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
	int r = text ? write_file_atomic(dirfd, NET_REQ, text, len, 0644, e)
		     : err_sys(e, ENOMEM, NET_REQ);
	json_object_put(o);
	return r;
}

struct req {
	char mode[PATH_MAX + 96];
	char hostname[256];
	struct net_port ports[NET_MAX_PORTS];
	size_t nports;
};

/* -ENOENT (no message): the container has no network of capsa's. */
static int req_read(int dirfd, const char *id, struct req *q, struct err *e)
{
	_cleanup_free_ char *text = NULL;
	int r = read_file_at(dirfd, NET_REQ, &text, NULL, NULL);
	if (r == -ENOENT)
		return r;
	if (r < 0)
		return err_sys(e, -r, "container %.12s: read %s", id, NET_REQ);
	json_object *o = json_tokener_parse(text), *v, *a;
	if (!o || !json_object_object_get_ex(o, "mode", &v) ||
	    !json_object_object_get_ex(o, "ports", &a) ||
	    !json_object_is_type(a, json_type_array)) {
		json_object_put(o);
		return err_msg(e, EINVAL, "container %.12s: %s: not a network request", id,
			       NET_REQ);
	}
	snprintf(q->mode, sizeof(q->mode), "%s", json_object_get_string(v));
	q->hostname[0] = 0;
	if (json_object_object_get_ex(o, "hostname", &v))
		snprintf(q->hostname, sizeof(q->hostname), "%s", json_object_get_string(v));
	q->nports = 0;
	for (size_t i = 0; i < json_object_array_length(a) && i < NET_MAX_PORTS; i++) {
		json_object *p = json_object_array_get_idx(a, i);
		if (!json_object_is_type(p, json_type_array) || json_object_array_length(p) != 4)
			continue;
		struct net_port *np = &q->ports[q->nports++];
		np->proto = (uint8_t)json_object_get_int(json_object_array_get_idx(p, 0));
		np->host_ip = (uint32_t)json_object_get_int64(json_object_array_get_idx(p, 1));
		np->host_port = (uint16_t)json_object_get_int(json_object_array_get_idx(p, 2));
		np->ctr_port = (uint16_t)json_object_get_int(json_object_array_get_idx(p, 3));
	}
	json_object_put(o);
	return 0;
}

void ctr_net_mode(struct ctr_store *s, const char *id, json_object *spec, char *buf, size_t len)
{
	struct req q;
	_cleanup_close_ int dirfd = -1;
	if (ctr_store_lock(s, id, false, &dirfd, NULL) == 0 && req_read(dirfd, id, &q, NULL) == 0) {
		snprintf(buf, len, "%s", q.mode);
		return;
	}
	/* No request: none (a namespace of its own) or host (none at all). */
	json_object *lnx, *nss;
	bool own = false;
	if (spec && json_object_object_get_ex(spec, "linux", &lnx) &&
	    json_object_object_get_ex(lnx, "namespaces", &nss))
		for (size_t i = 0; i < json_object_array_length(nss); i++) {
			json_object *t, *ns = json_object_array_get_idx(nss, i);
			if (json_object_object_get_ex(ns, "type", &t) &&
			    !strcmp(json_object_get_string(t), "network"))
				own = true;
		}
	snprintf(buf, len, "%s", own ? "none" : "host");
}

int ctr_net_plan(struct ctr_store *s, int dirfd, const struct run_opts *o, const char *id,
		 char **exposed, struct net_result *res, struct err *e)
{
	bool rootless = geteuid() != 0;
	const char *net = o->net ? o->net : ctr_net_default(rootless);
	if (!o->net && !strcmp(net, "none"))
		fprintf(stderr, "capsa: warning: neither pasta (Debian: passt) nor slirp4netns is "
				"installed: the container has no network but its loopback\n");
	struct net_port ports[NET_MAX_PORTS];
	size_t n = 0;
	for (size_t i = 0; i < o->nports; i++)
		ports[n++] = o->ports[i];
	for (char **x = o->publish_all ? exposed : NULL; x && *x; x++) {
		struct net_port p;
		if (port_parse(*x, &p, e) < 0)
			return err_prefix(e, "-P: the image's ExposedPorts");
		bool dup = false;
		for (size_t i = 0; i < n; i++)
			dup |= same_port(&ports[i], &p);
		if (dup)
			continue;
		if (n >= NET_MAX_PORTS)
			return err_msg(e, E2BIG, "-P: more than %zu published ports",
				       NET_MAX_PORTS);
		ports[n++] = p;
	}
	if (!rootless && !strcmp(net, "pasta"))
		return err_msg(e, ENOTSUP,
			       "--network pasta: not as root (pasta drops to an unprivileged user "
			       "before it joins the container's namespace); use bridge or "
			       "slirp4netns");
	if (!strcmp(net, "none") || !strcmp(net, "host")) {
		if (o->nports)
			return err_msg(e, EINVAL,
				       "-p: publishing needs a network (--network "
				       "bridge, a network's name, pasta or slirp4netns)");
		return 0;
	}
	char mode[PATH_MAX + 96];
	if (!strncmp(net, "container:", 10)) {
		char other[ID_HEX + 1];
		int r = ctr_store_lookup(s, net + 10, other, e);
		if (r < 0)
			return err_prefix(e, "--network %s", net);
		snprintf(mode, sizeof(mode), "ns:%s/net/%s.netns", s->root, other);
		if (access(mode + 3, F_OK) < 0)
			return err_msg(e, ENOENT,
				       "--network %s: that container has no network namespace of "
				       "capsa's to join (is it running?)",
				       net);
		if (n)
			return err_msg(e, EINVAL, "--network %s: publish ports on that container",
				       net);
	} else {
		snprintf(mode, sizeof(mode), "%s", net);
	}
	int r = net_plan(s->root, id, mode, res, e);
	if (r < 0)
		return err_prefix(e, "--network %s", net);
	char host[ID_SHORT + 1];
	snprintf(host, sizeof(host), "%.12s", id);
	if ((r = req_write(dirfd, mode, o->hostname ? o->hostname : host, ports, n, e)) < 0)
		return r;
	return 1;
}

int ctr_net_up(struct ctr_store *s, int dirfd, const char *id, const char *name, struct err *e)
{
	struct req q;
	int r = req_read(dirfd, id, &q, e);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	/* What an earlier run left (a monitor killed before it released). */
	if ((r = net_teardown(s->root, id, e)) < 0)
		return r;
	struct net_opts no = {.root = s->root,
			      .id = id,
			      .name = name,
			      .hostname = q.hostname[0] ? q.hostname : NULL,
			      .mode = q.mode,
			      .ports = q.ports,
			      .nports = q.nports};
	static struct net_result res; /* large: keep it off the stack */
	if ((r = net_setup(&no, &res, e)) < 0)
		return err_prefix(e, "container %s: network %s", name, q.mode);
	return 0;
}

void ctr_net_down(struct ctr_store *s, const char *id)
{
	struct err e = {0};
	if (net_teardown(s->root, id, &e) < 0)
		fprintf(stderr, "capsa: warning: container %.12s: %s\n", id, e.msg);
}

int ctr_net_attach_main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: capsa _net_attach ROOT ID  (a createRuntime hook)\n");
		return 2;
	}
	char buf[8192];
	size_t got = 0;
	for (;;) {
		ssize_t k = read(0, buf + got, sizeof(buf) - 1 - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	buf[got] = 0;
	struct err e = {0};
	json_object *st = json_tokener_parse(buf), *v;
	pid_t pid = st && json_object_object_get_ex(st, "pid", &v) ? json_object_get_int(v) : 0;
	json_object_put(st);
	int r = pid > 0 ? net_attach_pid(argv[1], argv[2], pid, &e)
			: err_msg(&e, EINVAL, "container %.12s: no pid in the runtime's state",
				  argv[2]);
	if (r < 0) {
		fprintf(stderr, "capsa: %s\n", e.msg);
		return 1;
	}
	return 0;
}
