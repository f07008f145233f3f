/* bundle.c — see bundle.h. */
#include "engine/bundle.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/subid.h"
#include "engine/ids.h"
#include "engine/opts.h"
#include "engine/seccomp_default.h"
#include "engine/user.h"
#include "net/net.h"
#include "runtime/signals.h"
#include "runtime/spec.h"
#include "runtime/spec_default.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* docker's default capability set. */
static const char *const default_caps[] = {"CAP_CHOWN",
					   "CAP_DAC_OVERRIDE",
					   "CAP_FSETID",
					   "CAP_FOWNER",
					   "CAP_MKNOD",
					   "CAP_NET_RAW",
					   "CAP_SETGID",
					   "CAP_SETUID",
					   "CAP_SETFCAP",
					   "CAP_SETPCAP",
					   "CAP_NET_BIND_SERVICE",
					   "CAP_SYS_CHROOT",
					   "CAP_KILL",
					   "CAP_AUDIT_WRITE",
					   NULL};

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* json-c calls fail only when out of memory: remember the first. */
struct jb {
	bool oom;
};

static json_object *js(struct jb *b, const char *s)
{
	json_object *o = json_object_new_string(s);
	b->oom |= !o;
	return o;
}

static json_object *ji(struct jb *b, int64_t v)
{
	json_object *o = json_object_new_int64(v);
	b->oom |= !o;
	return o;
}

static json_object *jo(struct jb *b)
{
	json_object *o = json_object_new_object();
	b->oom |= !o;
	return o;
}

static json_object *ja(struct jb *b)
{
	json_object *o = json_object_new_array();
	b->oom |= !o;
	return o;
}

static void set(struct jb *b, json_object *obj, const char *k, json_object *v)
{
	if (!obj || !v || json_object_object_add(obj, k, v) < 0) {
		json_object_put(v);
		b->oom = true;
	}
}

static void push(struct jb *b, json_object *arr, json_object *v)
{
	if (!arr || !v || json_object_array_add(arr, v) < 0) {
		json_object_put(v);
		b->oom = true;
	}
}

static json_object *strv_json(struct jb *b, char *const *v)
{
	json_object *a = ja(b);
	for (; v && *v; v++)
		push(b, a, js(b, *v));
	return a;
}

/* An object member, created when missing. */
static json_object *member(struct jb *b, json_object *obj, const char *k)
{
	json_object *v;
	if (json_object_object_get_ex(obj, k, &v) && json_object_is_type(v, json_type_object))
		return v;
	v = jo(b);
	set(b, obj, k, v);
	return v;
}

static size_t count(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

int bundle_args(const struct bundle_in *in, char ***out, struct err *e)
{
	const struct run_opts *o = in->o;
	const struct bundle_image *img = in->img;
	/* docker: --entrypoint replaces the image's and drops its Cmd; a
	 * command given replaces Cmd. */
	char *ep_one[2] = {(char *)o->entrypoint, NULL};
	char *const *ep = o->has_entrypoint ? (o->entrypoint && *o->entrypoint ? ep_one : NULL)
			  : img		    ? img->entrypoint
					    : NULL;
	char *const *cmd = o->args && o->args[0]	 ? o->args
			   : (img && !o->has_entrypoint) ? img->cmd
							 : NULL;
	size_t n = count(ep) + count(cmd);
	if (n == 0)
		return err_msg(e, EINVAL,
			       "no command given and the image has no Cmd or Entrypoint");
	bool init = o->init;
	char **v = calloc(n + (init ? 2 : 0) + 1, sizeof(char *));
	if (!v)
		return err_sys(e, ENOMEM, "args");
	size_t k = 0;
	if (init) {
		v[k++] = strdup(BUNDLE_INIT_PATH);
		v[k++] = strdup("--");
	}
	for (size_t i = 0; i < count(ep); i++)
		v[k++] = strdup(ep[i]);
	for (size_t i = 0; i < count(cmd); i++)
		v[k++] = strdup(cmd[i]);
	for (size_t i = 0; i < k; i++)
		if (!v[i]) {
			_cleanup_strv_ char **tmp = v;
			return err_sys(e, ENOMEM, "args");
		}
	*out = v;
	return 0;
}

/* Set KEY=VALUE in `env`, replacing an entry with the same key. */
static int env_set(struct strv *env, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	for (size_t i = 0; i < env->n; i++)
		if (!strncmp(env->v[i], kv, klen) && env->v[i][klen] == '=') {
			char *d = strdup(kv);
			if (!d)
				return -ENOMEM;
			free(env->v[i]);
			env->v[i] = d;
			return 0;
		}
	return strv_push(env, kv);
}

static int build_env(const struct bundle_in *in, const struct user_ids *u, const char *hostname,
		     struct strv *env)
{
	char buf[512];
	int r = env_set(env, DEFAULT_PATH);
	snprintf(buf, sizeof(buf), "HOSTNAME=%s", hostname);
	if (!r)
		r = env_set(env, buf);
	if (!r && in->o->tty)
		r = env_set(env, "TERM=xterm");
	for (char **p = in->img ? in->img->env : NULL; !r && p && *p; p++)
		r = env_set(env, *p);
	snprintf(buf, sizeof(buf), "HOME=%s", u->home);
	bool has_home = false;
	for (size_t i = 0; i < env->n; i++)
		has_home |= !strncmp(env->v[i], "HOME=", 5);
	if (!r && !has_home)
		r = env_set(env, buf);
	for (size_t i = 0; !r && i < in->o->env.n; i++)
		r = env_set(env, in->o->env.v[i]);
	return r;
}

static bool in_list(const struct strv *l, const char *cap)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], "ALL") || !strcmp(l->v[i], cap))
			return true;
	return false;
}

static json_object *caps_json(struct jb *b, const struct run_opts *o)
{
	json_object *a = ja(b);
	int n = spec_cap_count();
	for (int i = 0; i < n; i++) {
		const char *name = spec_cap_name(i);
		bool def = false;
		for (const char *const *d = default_caps; *d; d++)
			def |= !strcmp(*d, name);
		bool on = o->privileged || in_list(&o->cap_add, name) ||
			  (def && !in_list(&o->cap_drop, name));
		/* Only what we hold ourselves can be given (--privileged and
		 * ALL mean every capability capsa has, as in docker); the
		 * bounding set is asked only about the capabilities wanted
		 * (14 calls by default, not one per capability the kernel
		 * knows). */
		if (on && prctl(PR_CAPBSET_READ, (unsigned long)i, 0, 0, 0) == 1)
			push(b, a, js(b, name));
	}
	return a;
}

static void add_mount(struct jb *b, json_object *mounts, const char *dst, const char *type,
		      const char *src, const char *const *opts, const char *extra)
{
	json_object *m = jo(b), *ops = ja(b);
	set(b, m, "destination", js(b, dst));
	set(b, m, "type", js(b, type));
	set(b, m, "source", js(b, src));
	for (; opts && *opts; opts++)
		push(b, ops, js(b, *opts));
	if (extra) {
		_cleanup_free_ char *copy = strdup(extra);
		b->oom |= !copy;
		for (char *s = NULL, *t = copy ? strtok_r(copy, ",", &s) : NULL; t;
		     t = strtok_r(NULL, ",", &s))
			push(b, ops, js(b, t));
	}
	set(b, m, "options", ops);
	push(b, mounts, m);
}

/* /etc/hosts, /etc/hostname, /etc/resolv.conf: files of the container's
 * directory, bound over the root's.  The bundle's files are written in
 * place (write_file_new): the container's directory is new and held
 * locked by us, and nothing reads a container before its record exists
 * (record.json, written atomically after these, is what makes it one). */
static int write_etc_files(int dirfd, const char *hostname, bool host_net, struct err *e)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf),
			 "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
			 "127.0.1.1\t%s\n",
			 hostname);
	_cleanup_free_ char *hosts = NULL, *resolv = NULL;
	int r;
	if (host_net && read_file_at(AT_FDCWD, "/etc/hosts", &hosts, NULL, NULL) == 0)
		r = write_file_new(dirfd, "hosts", hosts, strlen(hosts), 0644, e);
	else
		r = write_file_new(dirfd, "hosts", buf, (size_t)n, 0644, e);
	if (r < 0)
		return r;
	n = snprintf(buf, sizeof(buf), "%s\n", hostname);
	if ((r = write_file_new(dirfd, "hostname", buf, (size_t)n, 0644, e)) < 0)
		return r;
	if (read_file_at(AT_FDCWD, "/etc/resolv.conf", &resolv, NULL, NULL) < 0)
		resolv = strdup("");
	if (!resolv)
		return err_sys(e, ENOMEM, "resolv.conf");
	return write_file_new(dirfd, "resolv.conf", resolv, strlen(resolv), 0644, e);
}

static json_object *idmap(struct jb *b, const struct id_range *r, size_t n)
{
	json_object *a = ja(b);
	for (size_t i = 0; i < n; i++) {
		json_object *m = jo(b);
		set(b, m, "containerID", ji(b, r[i].container_id));
		set(b, m, "hostID", ji(b, r[i].host_id));
		set(b, m, "size", ji(b, r[i].size));
		push(b, a, m);
	}
	return a;
}

/* Rootless: the mapping layers were unpacked with (base/subid.h): the
 * caller as root and, with /etc/subuid and /etc/subgid ranges, those as
 * 1…N, so the image's owners read back as they are in the image. */
static void rootless_maps(struct jb *b, json_object *lnx)
{
	struct id_mapping m;
	id_mapping_current(&m);
	set(b, lnx, "uidMappings", idmap(b, m.uid, m.n_uid));
	set(b, lnx, "gidMappings", idmap(b, m.gid, m.n_gid));
}

/* pasta (net->runtime_netns): connected by capsa to the namespace the
 * runtime makes for the init, before the init goes on. */
static void net_hook(struct jb *b, json_object *spec, const struct bundle_in *in)
{
	if (!in->net || !in->net->runtime_netns || !in->state_root)
		return;
	json_object *hooks = jo(b), *list = ja(b), *h = jo(b), *args = ja(b);
	push(b, args, js(b, "capsa"));
	push(b, args, js(b, "_net_attach"));
	push(b, args, js(b, in->state_root));
	push(b, args, js(b, in->id));
	set(b, h, "path", js(b, in->self_exe));
	set(b, h, "args", args);
	push(b, list, h);
	set(b, hooks, "createRuntime", list);
	set(b, spec, "hooks", hooks);
}

static void namespaces(struct jb *b, json_object *lnx, const struct bundle_in *in)
{
	static const char *const types[] = {"pid", "network", "ipc", "uts", "mount", "cgroup"};
	json_object *a = ja(b);
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		if (!strcmp(types[i], "network") && in->o->net && !strcmp(in->o->net, "host"))
			continue;
		json_object *ns = jo(b);
		set(b, ns, "type", js(b, types[i]));
		/* A network of capsa's: the namespace net_setup made and wired. */
		if (!strcmp(types[i], "network") && in->net && in->net->netns[0] &&
		    !in->net->runtime_netns)
			set(b, ns, "path", js(b, in->net->netns));
		push(b, a, ns);
	}
	if (in->rootless) {
		json_object *ns = jo(b);
		set(b, ns, "type", js(b, "user"));
		push(b, a, ns);
		rootless_maps(b, lnx);
	}
	set(b, lnx, "namespaces", a);
}

static void resources(struct jb *b, json_object *lnx, const struct run_opts *o)
{
	if (!o->memory && !o->cpu_quota && !o->pids_limit)
		return;
	json_object *res = member(b, lnx, "resources");
	if (o->memory)
		set(b, member(b, res, "memory"), "limit", ji(b, o->memory));
	if (o->cpu_quota) {
		json_object *cpu = member(b, res, "cpu");
		set(b, cpu, "quota", ji(b, o->cpu_quota));
		set(b, cpu, "period", ji(b, o->cpu_period));
	}
	if (o->pids_limit)
		set(b, member(b, res, "pids"), "limit", ji(b, o->pids_limit));
}

static int seccomp(struct jb *b, json_object *lnx, const struct run_opts *o, struct err *e)
{
	if (o->privileged || o->seccomp_unconfined)
		return 0;
	json_object *p;
	if (o->seccomp_file) {
		_cleanup_free_ char *buf = NULL;
		int r = read_file_at(AT_FDCWD, o->seccomp_file, &buf, NULL, e);
		if (r < 0)
			return err_prefix(e, "--security-opt seccomp");
		p = json_tokener_parse(buf);
		if (!p || !json_object_is_type(p, json_type_object)) {
			json_object_put(p);
			return err_msg(e, EINVAL, "--security-opt seccomp=%s: not a JSON object",
				       o->seccomp_file);
		}
	} else if (!(p = seccomp_default_profile())) {
		return err_sys(e, ENOMEM, "seccomp profile");
	}
	set(b, lnx, "seccomp", p);
	return 0;
}

static void volumes(struct jb *b, json_object *mounts, const struct run_opts *o)
{
	static const char *const bind_rw[] = {"rbind", "rprivate", NULL};
	static const char *const bind_ro[] = {"rbind", "rprivate", "ro", NULL};
	static const char *const tmpfs[] = {"nosuid", "nodev", NULL};
	for (size_t i = 0; i < o->n_vols; i++) {
		const struct vol *v = &o->vols[i];
		if (v->kind == MK_BIND)
			add_mount(b, mounts, v->dst, "bind", v->src, v->ro ? bind_ro : bind_rw,
				  NULL);
		else
			add_mount(b, mounts, v->dst, "tmpfs", "tmpfs", tmpfs,
				  v->ro ? (v->opts ? v->opts : "ro") : v->opts);
	}
}

static int process(struct jb *b, json_object *spec, const struct bundle_in *in,
		   const char *hostname, struct err *e)
{
	const struct run_opts *o = in->o;
	const char *uspec = o->user ? o->user : in->img ? in->img->user : NULL;
	struct user_ids u;
	int r = user_resolve(in->users_root ? in->users_root : in->rootfs, uspec, &u, e);
	if (r < 0)
		return r;
	_cleanup_strv_ char **args = NULL;
	if ((r = bundle_args(in, &args, e)) < 0)
		return r;
	struct strv env = {0};
	if (build_env(in, &u, hostname, &env) < 0) {
		strv_clear(&env);
		return err_sys(e, ENOMEM, "environment");
	}
	json_object *p = jo(b), *user = jo(b), *caps = jo(b), *groups = ja(b);
	set(b, p, "terminal", json_object_new_boolean(o->tty));
	set(b, user, "uid", ji(b, u.uid));
	set(b, user, "gid", ji(b, u.gid));
	for (size_t i = 0; i < u.n_groups; i++)
		push(b, groups, ji(b, u.groups[i]));
	set(b, user, "additionalGids", groups);
	set(b, p, "user", user);
	set(b, p, "args", strv_json(b, args));
	set(b, p, "env", strv_json(b, env.v));
	strv_clear(&env);
	const char *cwd = o->workdir					     ? o->workdir
			  : in->img && in->img->workdir && *in->img->workdir ? in->img->workdir
									     : "/";
	if (cwd[0] != '/')
		return err_msg(e, EINVAL, "--workdir \"%s\": must be an absolute path", cwd);
	set(b, p, "cwd", js(b, cwd));
	/* One list (and one pass over the bounding set) for all three. */
	static const char *const sets[] = {"bounding", "effective", "permitted"};
	json_object *list = caps_json(b, o);
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
		set(b, caps, sets[i], json_object_get(list));
	json_object_put(list);
	set(b, p, "capabilities", caps);
	json_object *rl = ja(b);
	for (size_t i = 0; i < o->n_ulimits; i++) {
		json_object *l = jo(b);
		set(b, l, "type", js(b, o->ulimits[i].name));
		set(b, l, "soft", json_object_new_uint64(o->ulimits[i].soft));
		set(b, l, "hard", json_object_new_uint64(o->ulimits[i].hard));
		push(b, rl, l);
	}
	set(b, p, "rlimits", rl);
	set(b, p, "noNewPrivileges", json_object_new_boolean(o->no_new_privs));
	set(b, spec, "process", p);
	return 0;
}

int bundle_write(int dirfd, const struct bundle_in *in, char **config, size_t *config_len,
		 struct err *e)
{
	const struct run_opts *o = in->o;
	struct jb b = {false};
	json_object *spec = spec_default(in->rootless, geteuid(), getegid());
	if (!spec)
		return err_sys(e, ENOMEM, "config.json");
	char hostname[ID_SHORT + 1];
	snprintf(hostname, sizeof(hostname), "%.12s", in->id);
	const char *host = o->hostname ? o->hostname : hostname;
	int r = process(&b, spec, in, host, e);
	json_object *root = member(&b, spec, "root"), *lnx = member(&b, spec, "linux"), *mounts;
	set(&b, root, "path", js(&b, in->rootfs));
	set(&b, root, "readonly", json_object_new_boolean(o->read_only));
	if (in->overlay && in->overlay[0]) {
		json_object *ann = member(&b, spec, "annotations");
		set(&b, ann, SPEC_ROOT_OVERLAY, js(&b, in->overlay));
	}
	set(&b, spec, "hostname", js(&b, host));
	if (!json_object_object_get_ex(spec, "mounts", &mounts))
		b.oom = true;
	if (r == 0) {
		static const char *const file_ro[] = {"rbind", "rprivate", "ro", NULL};
		static const char *const file_rw[] = {"rbind", "rprivate", NULL};
		static const char *const names[] = {"hosts", "hostname", "resolv.conf"};
		char src[PATH_MAX], dst[64], self[64];
		ssize_t n;
		/* The directory's path: known from an absolute state root,
		 * else asked of the kernel. */
		if (in->state_root && in->state_root[0] == '/') {
			n = snprintf(src, sizeof(src) - 32, "%s/containers/%s", in->state_root,
				     in->id);
			if (n >= (ssize_t)sizeof(src) - 32)
				r = err_msg(e, ENAMETOOLONG, "%s: path too long", in->state_root);
		} else {
			snprintf(self, sizeof(self), "/proc/self/fd/%d", dirfd);
			if ((n = readlink(self, src, sizeof(src) - 32)) < 0)
				r = err_sys(e, errno, "readlink %s", self);
		}
		for (size_t i = 0; r == 0 && i < ARRAY_SIZE(names); i++) {
			snprintf(src + n, sizeof(src) - (size_t)n, "/%s", names[i]);
			snprintf(dst, sizeof(dst), "/etc/%s", names[i]);
			/* A network's hosts file is shared and rewritten in place as
			 * containers come and go (how they find each other by name):
			 * bind it, do not copy it. */
			const char *from = src;
			if (in->net && i == 0 && in->net->hosts[0])
				from = in->net->hosts;
			else if (in->net && i == 2 && in->net->resolv[0])
				from = in->net->resolv;
			add_mount(&b, mounts, dst, "bind", from, o->read_only ? file_ro : file_rw,
				  NULL);
		}
		if (r == 0 && o->init)
			add_mount(&b, mounts, BUNDLE_INIT_PATH, "bind", in->self_exe, file_ro,
				  NULL);
		volumes(&b, mounts, o);
		namespaces(&b, lnx, in);
		net_hook(&b, spec, in);
		resources(&b, lnx, o);
		if (o->privileged) {
			json_object_object_del(lnx, "maskedPaths");
			json_object_object_del(lnx, "readonlyPaths");
		}
		r = seccomp(&b, lnx, o, e);
	}
	if (r == 0 && b.oom)
		r = err_sys(e, ENOMEM, "config.json");
	if (r == 0)
		r = write_etc_files(dirfd, host, o->net && !strcmp(o->net, "host"), e);
	if (r == 0) {
		/* Plain, not pretty: a third less to write, read and parse. */
		size_t len;
		const char *s =
		    json_object_to_json_string_length(spec, JSON_C_TO_STRING_PLAIN, &len);
		r = s ? write_file_new(dirfd, "config.json", s, len, 0600, e)
		      : err_sys(e, ENOMEM, "config.json");
		if (r == 0 && config) {
			if (!(*config = malloc(len + 1))) {
				r = err_sys(e, ENOMEM, "config.json");
			} else {
				memcpy(*config, s, len + 1);
				*config_len = len;
			}
		}
	}
	json_object_put(spec);
	return r;
}
