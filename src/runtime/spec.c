/* spec.c — config.json: reading, the top level (root, hostname, mounts,
 * hooks, annotations) and the typed JSON access the other parts share.
 * The process, linux and seccomp sections live in spec_process.c,
 * spec_linux.c and spec_seccomp.c; the name tables in spec_tables.c.
 *
 * Every key is looked up once, in the order the structures are filled;
 * JSON paths for messages are only formatted when something is wrong.
 */
#include "runtime/spec.h"

#include "base/arena.h"
#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "runtime/spec_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

/* ---- JSON paths and errors ---- */

static size_t jp_format(const struct jp *p, char *buf, size_t len)
{
	if (!p)
		return 0;
	size_t n = jp_format(p->up, buf, len);
	int w = p->key ? snprintf(buf + n, len - n, "%s%s", n ? "." : "", p->key)
		       : snprintf(buf + n, len - n, "[%zu]", p->idx);
	if (w > 0)
		n += (size_t)w;
	return n < len ? n : len - 1;
}

int sj_err(struct jctx *c, const struct jp *at, const char *fmt, ...)
{
	char path[256], msg[ERR_MSG_MAX];
	path[0] = '\0';
	jp_format(at, path, sizeof(path));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!path[0])
		return err_msg(c->e, EINVAL, "%s: %s", c->doc, msg);
	return jerr(c, path, "%s", msg);
}

int sj_nomem(struct jctx *c)
{
	return err_sys(c->e, ENOMEM, "%s", c->doc);
}

int sj_missing(struct jctx *c, const struct jp *at)
{
	return sj_err(c, at, "missing (required)");
}

/* ---- typed access ---- */

const struct jval *sj_get(const struct jval *obj, const char *key)
{
	const struct jval *v = jval_get(obj, key);
	return v && v->type != JT_NULL ? v : NULL;
}

int sj_type(struct jctx *c, const struct jval *v, enum jtype t, const struct jp *at)
{
	if (v && v->type == t)
		return 0;
	return sj_err(c, at, "expected %s, got %s", t == JT_NUM ? "integer" : jtype_word(t),
		      jval_type_word(v));
}

static int get_typed(struct jctx *c, const struct jval *obj, const char *key, enum jtype t,
		     const struct jp *at, const struct jval **out)
{
	const struct jval *v = sj_get(obj, key);
	if (!v)
		return 0;
	int r = sj_type(c, v, t, at);
	if (r < 0)
		return r;
	*out = v;
	return 1;
}

int sj_obj(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at,
	   const struct jval **out)
{
	return get_typed(c, obj, key, JT_OBJ, at, out);
}

int sj_arr(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at,
	   const struct jval **out, size_t *n)
{
	int r = get_typed(c, obj, key, JT_ARR, at, out);
	*n = r == 1 ? (*out)->n : 0;
	return r;
}

/* Strings are already decoded into the spec's arena: no copy. */
int sj_str(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at, char **out)
{
	const struct jval *v;
	int r = get_typed(c, obj, key, JT_STR, at, &v);
	if (r == 1)
		*out = (char *)v->s;
	return r;
}

int sj_str_val(struct jctx *c, const struct jval *v, const struct jp *at, const char **out)
{
	int r = sj_type(c, v, JT_STR, at);
	if (r == 0)
		*out = v->s;
	return r;
}

int sj_bool(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at, bool *out)
{
	const struct jval *v;
	int r = get_typed(c, obj, key, JT_BOOL, at, &v);
	if (r == 1)
		*out = v->b;
	return r;
}

/* Integers are int64, or uint64 above INT64_MAX; other numbers are
 * doubles, and a fraction is an error, never a silent truncation. */
static int number(struct jctx *c, const struct jval *v, const struct jp *at, int64_t *i,
		  uint64_t *u, bool *big)
{
	int r = sj_type(c, v, JT_NUM, at);
	if (r < 0)
		return r;
	*big = v->num == JN_BIG;
	if (v->num == JN_DOUBLE) {
		double d = v->d;
		if (d >= -9.2e18 && d <= 9.2e18 && d == (double)(int64_t)d) {
			*i = (int64_t)d;
			return 0;
		}
		return sj_err(c, at, "expected an integer, got %s", v->s);
	}
	if (*big)
		*u = v->u;
	else
		*i = v->i;
	return 0;
}

static int i64_val(struct jctx *c, const struct jval *v, const struct jp *at, int64_t min,
		   int64_t max, int64_t *out)
{
	int64_t i = 0;
	uint64_t u = 0;
	bool big;
	int r = number(c, v, at, &i, &u, &big);
	if (r < 0)
		return r;
	if (big || i < min || i > max)
		return sj_err(c, at, "%s is out of range [%lld, %lld]", v->s, (long long)min,
			      (long long)max);
	*out = i;
	return 0;
}

int sj_u64_val(struct jctx *c, const struct jval *v, const struct jp *at, uint64_t *out)
{
	int64_t i = 0;
	uint64_t u = 0;
	bool big;
	int r = number(c, v, at, &i, &u, &big);
	if (r < 0)
		return r;
	if (!big && i < 0)
		return sj_err(c, at, "%lld must not be negative", (long long)i);
	*out = big ? u : (uint64_t)i;
	return 0;
}

int sj_i64(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at,
	   int64_t min, int64_t max, int64_t *out)
{
	const struct jval *v = sj_get(obj, key);
	if (!v)
		return 0;
	int r = i64_val(c, v, at, min, max, out);
	return r < 0 ? r : 1;
}

int sj_u64(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at,
	   uint64_t *out)
{
	const struct jval *v = sj_get(obj, key);
	if (!v)
		return 0;
	int r = sj_u64_val(c, v, at, out);
	return r < 0 ? r : 1;
}

int sj_u32(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at,
	   uint32_t *out)
{
	int64_t v;
	int r = sj_i64(c, obj, key, at, 0, UINT32_MAX, &v);
	if (r == 1)
		*out = (uint32_t)v;
	return r;
}

int sj_strv(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at,
	    char ***out, size_t *n)
{
	const struct jval *a;
	size_t len;
	int r = sj_arr(c, obj, key, at, &a, &len);
	if (r <= 0)
		return r;
	char **vec = arena_calloc(c->arena, len + 1, sizeof(char *));
	if (!vec)
		return sj_nomem(c);
	for (size_t i = 0; i < len; i++) {
		const char *s = NULL;
		if ((r = sj_str_val(c, jval_at(a, i), JP_IDX(at, i), &s)) < 0)
			return r;
		vec[i] = (char *)s; /* already in the arena */
	}
	*out = vec;
	if (n)
		*n = len;
	return 1;
}

int sj_env(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at,
	   char ***out, size_t *n)
{
	size_t len = 0;
	int r = sj_strv(c, obj, key, at, out, &len);
	if (r <= 0)
		return r;
	for (size_t i = 0; i < len; i++) {
		const char *eq = strchr((*out)[i], '=');
		if (!eq || eq == (*out)[i])
			return sj_err(c, JP_IDX(at, i), "\"%s\" is not KEY=VALUE", (*out)[i]);
	}
	if (n)
		*n = len;
	return 1;
}

int sj_req_str(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at,
	       char **out)
{
	int r = sj_str(c, obj, key, at, out);
	if (r == 0)
		return sj_missing(c, at);
	if (r > 0 && !**out)
		return sj_err(c, at, "must not be empty");
	return r < 0 ? r : 0;
}

int sj_abs_path(struct jctx *c, const char *path, const struct jp *at)
{
	return path[0] == '/' ? 0 : sj_err(c, at, "\"%s\" must be an absolute path", path);
}

int sj_req_path(struct jctx *c, const struct jval *obj, const char *key, const struct jp *at,
		char **out)
{
	int r = sj_req_str(c, obj, key, at, out);
	return r < 0 ? r : sj_abs_path(c, *out, at);
}

void *sj_alloc(struct jctx *c, size_t n, size_t size)
{
	void *p = arena_calloc(c->arena, n, size);
	if (!p)
		sj_nomem(c);
	return p;
}

/* ---- mounts ---- */

/* Option words become MS_* flags, propagation and bind bits; the words
 * mount(2) does not know as flags are handed to the file system as data,
 * in their original order.  A later word wins over an earlier one. */
static int mount_options(struct jctx *c, struct spec_mount *m)
{
	size_t room = 0;
	for (size_t i = 0; i < m->n_options; i++)
		room += strlen(m->options[i]) + 1;
	char *data = NULL, *end = NULL;
	for (size_t i = 0; i < m->n_options; i++) {
		const char *w = m->options[i];
		const struct mount_opt *o = spec_mount_opt(w);
		if (!o) {
			if (!*w)
				continue;
			if (!data && !(end = data = arena_alloc(c->arena, room)))
				return sj_nomem(c);
			if (end != data)
				*end++ = ',';
			size_t l = strlen(w);
			memcpy(end, w, l + 1);
			end += l;
			continue;
		}
		switch (o->kind) {
		case MOPT_SET:
			m->flags |= o->ms;
			m->clear_flags &= ~o->ms;
			break;
		case MOPT_CLEAR:
			m->clear_flags |= o->ms;
			m->flags &= ~o->ms;
			break;
		case MOPT_RBIND:
			m->recursive_bind = true;
			/* fall through */
		case MOPT_BIND:
			m->is_bind = true;
			m->flags |= o->ms;
			break;
		case MOPT_PROPAGATION:
			m->propagation = o->ms;
			break;
		case MOPT_TMPCOPYUP:
			m->tmpcopyup = true;
			break;
		case MOPT_IDMAP:
			break;
		}
	}
	m->data = data;
	return 0;
}

static int parse_mount(struct jctx *c, const struct jval *v, const struct jp *at,
		       struct spec_mount *m)
{
	int r;
	if ((r = sj_type(c, v, JT_OBJ, at)) < 0 ||
	    (r = sj_req_path(c, v, "destination", JP_KEY(at, "destination"), &m->destination)) <
		0 ||
	    (r = sj_str(c, v, "source", JP_KEY(at, "source"), &m->source)) < 0 ||
	    (r = sj_str(c, v, "type", JP_KEY(at, "type"), &m->type)) < 0 ||
	    (r = sj_strv(c, v, "options", JP_KEY(at, "options"), &m->options, &m->n_options)) < 0 ||
	    (r = spec_parse_idmaps(c, v, "uidMappings", JP_KEY(at, "uidMappings"), &m->uid_mappings,
				   &m->n_uid_mappings)) < 0 ||
	    (r = spec_parse_idmaps(c, v, "gidMappings", JP_KEY(at, "gidMappings"), &m->gid_mappings,
				   &m->n_gid_mappings)) < 0)
		return r;
	if (!m->n_uid_mappings != !m->n_gid_mappings)
		return sj_err(c, at, "uidMappings and gidMappings must be given together");
	if ((r = mount_options(c, m)) < 0)
		return r;
	if (m->type && !strcmp(m->type, "bind")) {
		m->is_bind = true;
		m->flags |= MS_BIND;
	}
	return 0;
}

static int parse_mounts(struct jctx *c, const struct jval *doc, struct spec *s)
{
	const struct jp *at = JP_KEY(NULL, "mounts");
	const struct jval *a;
	size_t n;
	int r = sj_arr(c, doc, "mounts", at, &a, &n);
	if (r <= 0 || n == 0)
		return r;
	if (!(s->mounts = sj_alloc(c, n, sizeof(*s->mounts))))
		return -ENOMEM;
	s->n_mounts = n;
	for (size_t i = 0; i < n; i++)
		if ((r = parse_mount(c, jval_at(a, i), JP_IDX(at, i), &s->mounts[i])) < 0)
			return r;
	return 0;
}

/* ---- hooks ---- */

static const char *const hook_keys[HOOK__COUNT] = {
    [HOOK_PRESTART] = "prestart",
    [HOOK_CREATE_RUNTIME] = "createRuntime",
    [HOOK_CREATE_CONTAINER] = "createContainer",
    [HOOK_START_CONTAINER] = "startContainer",
    [HOOK_POSTSTART] = "poststart",
    [HOOK_POSTSTOP] = "poststop",
};

static int parse_hook(struct jctx *c, const struct jval *v, const struct jp *at,
		      struct spec_hook *h)
{
	int r;
	int64_t t = 0;
	const struct jp *tp = JP_KEY(at, "timeout");
	if ((r = sj_type(c, v, JT_OBJ, at)) < 0 ||
	    (r = sj_req_path(c, v, "path", JP_KEY(at, "path"), &h->path)) < 0 ||
	    (r = sj_strv(c, v, "args", JP_KEY(at, "args"), &h->args, NULL)) < 0 ||
	    (r = sj_env(c, v, "env", JP_KEY(at, "env"), &h->env, NULL)) < 0 ||
	    (r = sj_i64(c, v, "timeout", tp, INT64_MIN, INT64_MAX, &t)) < 0)
		return r;
	if (r == 1 && t <= 0)
		return sj_err(c, tp, "must be greater than 0, got %lld", (long long)t);
	if (t > INT_MAX)
		return sj_err(c, tp, "%lld seconds is too long", (long long)t);
	h->timeout = (int)t;
	return 0;
}

static int parse_hooks(struct jctx *c, const struct jval *doc, struct spec_hooks *hooks)
{
	const struct jp *at = JP_KEY(NULL, "hooks");
	const struct jval *o;
	int r = sj_obj(c, doc, "hooks", at, &o);
	if (r <= 0)
		return r;
	for (int k = 0; k < HOOK__COUNT; k++) {
		const struct jp *kp = JP_KEY(at, hook_keys[k]);
		const struct jval *a;
		size_t n;
		if ((r = sj_arr(c, o, hook_keys[k], kp, &a, &n)) < 0)
			return r;
		if (r == 0 || n == 0)
			continue;
		if (!(hooks->list[k] = sj_alloc(c, n, sizeof(struct spec_hook))))
			return -ENOMEM;
		hooks->n[k] = n;
		for (size_t i = 0; i < n; i++)
			if ((r = parse_hook(c, jval_at(a, i), JP_IDX(kp, i), &hooks->list[k][i])) <
			    0)
				return r;
	}
	return 0;
}

/* ---- annotations, root, names ---- */

static int parse_annotations(struct jctx *c, const struct jval *doc, struct spec *s)
{
	const struct jp *at = JP_KEY(NULL, "annotations");
	const struct jval *o;
	int r = sj_obj(c, doc, "annotations", at, &o);
	if (r <= 0)
		return r;
	size_t n = o->n, i = 0;
	if (n && !(s->annotations = sj_alloc(c, n, sizeof(*s->annotations))))
		return -ENOMEM;
	for (; i < n; i++) {
		const char *key = o->members[i].key, *v = NULL;
		if (!*key)
			return sj_err(c, at, "empty key");
		if ((r = sj_str_val(c, &o->members[i].val, JP_KEY(at, key), &v)) < 0)
			return r;
		/* Both already live in the spec's arena. */
		s->annotations[i].key = (char *)key;
		s->annotations[i].value = (char *)v;
		if (!strcmp(key, SPEC_ROOT_OVERLAY)) {
			if (strncmp(v, "lowerdir=/", 10) != 0 || !strstr(v, ",upperdir=/") ||
			    !strstr(v, ",workdir=/"))
				return sj_err(
				    c, JP_KEY(at, key),
				    "expected \"lowerdir=/…,upperdir=/…,workdir=/…[,…]\"");
			s->root_overlay = s->annotations[i].value;
		}
	}
	s->n_annotations = i;
	return 0;
}

/* A relative root is relative to the bundle: "rootfs" and "./rootfs/"
 * both become "<bundle>/rootfs". */
static char *join_root(struct arena *a, const char *bundle, const char *path)
{
	while (path[0] == '.' && (path[1] == '/' || path[1] == '\0')) {
		path += path[1] ? 2 : 1;
		while (*path == '/')
			path++;
	}
	size_t bl = strlen(bundle), pl = strlen(path);
	while (pl > 1 && path[pl - 1] == '/')
		pl--;
	while (bl > 1 && bundle[bl - 1] == '/')
		bl--;
	if (pl == 0)
		return arena_printf(a, "%.*s", (int)bl, bundle);
	return arena_printf(a, "%.*s%s%.*s", (int)bl, bundle, bundle[bl - 1] == '/' ? "" : "/",
			    (int)pl, path);
}

static int parse_root(struct jctx *c, const struct jval *doc, const char *bundle, struct spec *s)
{
	const struct jp *at = JP_KEY(NULL, "root");
	const struct jval *o;
	int r = sj_obj(c, doc, "root", at, &o);
	if (r == 0)
		return sj_missing(c, at);
	if (r < 0 || (r = sj_req_str(c, o, "path", JP_KEY(at, "path"), &s->root_path)) < 0 ||
	    (r = sj_bool(c, o, "readonly", JP_KEY(at, "readonly"), &s->root_readonly)) < 0)
		return r;
	if (s->root_path[0] != '/' && bundle &&
	    !(s->root_path = join_root(c->arena, bundle, s->root_path)))
		return sj_nomem(c);
	return 0;
}

/* HOST_NAME_MAX; the kernel's limit for both names. */
#define NAME_MAX_BYTES 64

static int parse_name(struct jctx *c, const struct jval *doc, const char *key, char **out)
{
	const struct jp *at = JP_KEY(NULL, key);
	int r = sj_str(c, doc, key, at, out);
	if (r > 0 && strlen(*out) > NAME_MAX_BYTES)
		return sj_err(c, at, "\"%s\" is longer than %d bytes", *out, NAME_MAX_BYTES);
	return r < 0 ? r : 0;
}

/* Checks that span sections: what one part asks needs another. */
static int cross_checks(struct jctx *c, struct spec *s)
{
	const struct spec_linux *l = &s->lnx;
	int have = l->ns_new | l->ns_join;
	if (s->hostname && *s->hostname && !(have & CLONE_NEWUTS))
		return sj_err(c, JP_KEY(NULL, "hostname"), "needs a UTS namespace");
	if (s->domainname && *s->domainname && !(have & CLONE_NEWUTS))
		return sj_err(c, JP_KEY(NULL, "domainname"), "needs a UTS namespace");
	const struct jp *lp = JP_KEY(NULL, "linux");
	if ((l->n_uid_mappings || l->n_gid_mappings) && !(have & CLONE_NEWUSER))
		return sj_err(c, JP_KEY(lp, l->n_uid_mappings ? "uidMappings" : "gidMappings"),
			      "given without a user namespace");
	if ((l->ns_new & CLONE_NEWUSER) && (!l->n_uid_mappings || !l->n_gid_mappings))
		return sj_err(c, JP_KEY(lp, l->n_uid_mappings ? "gidMappings" : "uidMappings"),
			      "required for a new user namespace");
	return 0;
}

static int parse_doc(struct jctx *c, const struct jval *doc, const char *bundle, struct spec *s)
{
	int r;
	const struct jval *o;
	if ((r = sj_type(c, doc, JT_OBJ, NULL)) < 0 ||
	    (r = sj_str(c, doc, "ociVersion", JP_KEY(NULL, "ociVersion"), &s->oci_version)) < 0 ||
	    (r = parse_root(c, doc, bundle, s)) < 0 ||
	    (r = parse_name(c, doc, "hostname", &s->hostname)) < 0 ||
	    (r = parse_name(c, doc, "domainname", &s->domainname)) < 0 ||
	    (r = parse_mounts(c, doc, s)) < 0 || (r = parse_hooks(c, doc, &s->hooks)) < 0 ||
	    (r = parse_annotations(c, doc, s)) < 0)
		return r;
	const struct jp *pp = JP_KEY(NULL, "process");
	if ((r = sj_obj(c, doc, "process", pp, &o)) < 0 ||
	    (r == 1 && (r = spec_parse_process_at(c, o, pp, &s->process)) < 0))
		return r;
	const struct jp *lp = JP_KEY(NULL, "linux");
	if ((r = sj_obj(c, doc, "linux", lp, &o)) < 0 ||
	    (r == 1 && (r = spec_parse_linux(c, o, lp, s)) < 0))
		return r;
	return cross_checks(c, s);
}

/* ---- documents ---- */

static struct spec *spec_new(void)
{
	/* The spec lives in its own arena: one free releases everything,
	 * the JSON tree included (its strings are the spec's strings). */
	struct arena a = {0};
	struct spec *s = arena_alloc(&a, sizeof(*s));
	if (s)
		s->arena = a;
	return s;
}

static int parse_buf(const char *text, size_t len, const char *doc, const char *bundle,
		     struct spec **out, struct err *e)
{
	*out = NULL;
	struct spec *s = spec_new();
	if (!s)
		return err_sys(e, ENOMEM, "%s", doc);
	struct jval *root;
	int r = jread_parse(text, len, doc, &s->arena, &root, e);
	struct jctx c = {.doc = doc, .arena = &s->arena, .e = e, .text = text};
	if (r < 0 || (r = parse_doc(&c, root, bundle, s)) < 0) {
		spec_free(s);
		return r;
	}
	*out = s;
	return 0;
}

int spec_parse(const char *json, const char *doc, const char *bundle, struct spec **out,
	       struct err *e)
{
	return parse_buf(json, strlen(json), doc, bundle, out, e);
}

int spec_load(const char *bundle, struct spec **out, struct err *e)
{
	*out = NULL;
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/config.json", bundle) >= sizeof(path))
		return err_msg(e, ENAMETOOLONG, "bundle %s: path too long", bundle);
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r = read_file_at(AT_FDCWD, path, &buf, &len, e);
	if (r < 0)
		return r;
	return spec_load_buf(bundle, buf, len, out, e);
}

int spec_load_buf(const char *bundle, const char *text, size_t len, struct spec **out,
		  struct err *e)
{
	*out = NULL;
	char abs[PATH_MAX];
	/* An absolute bundle is used as given (no syscalls); a relative
	 * one is resolved once, so the state records a stable path. */
	if (bundle[0] != '/' && !realpath(bundle, abs))
		return err_sys(e, errno, "bundle %s", bundle);
	struct spec *s;
	int r = parse_buf(text, len, "config.json", bundle[0] == '/' ? bundle : abs, &s, e);
	if (r < 0)
		return r;
	struct stat st;
	if (stat(s->root_path, &st) < 0)
		r = err_sys(e, errno, "root.path %s", s->root_path);
	else if (!S_ISDIR(st.st_mode))
		r = err_sys(e, ENOTDIR, "root.path %s", s->root_path);
	if (r < 0) {
		spec_free(s);
		return r;
	}
	*out = s;
	return 0;
}

void spec_free(struct spec *s)
{
	if (!s)
		return;
	json_object_put(s->lnx.resources);
	struct arena a = s->arena; /* s itself is in the arena */
	arena_free(&a);
}
