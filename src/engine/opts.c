/* opts.c — see opts.h. */
#include "engine/opts.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "runtime/spec.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

int strv_push(struct strv *s, const char *str)
{
	if (s->n + 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		char **v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	if (!(s->v[s->n] = strdup(str)))
		return -ENOMEM;
	s->v[++s->n] = NULL;
	return 0;
}

void strv_clear(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void vol_free(struct vol *v)
{
	free(v->src);
	free(v->dst);
	free(v->opts);
	memset(v, 0, sizeof(*v));
}

void run_opts_free(struct run_opts *o)
{
	strv_clear(&o->env);
	strv_clear(&o->cap_add);
	strv_clear(&o->cap_drop);
	for (size_t i = 0; i < o->n_vols; i++)
		vol_free(&o->vols[i]);
	free(o->vols);
	free(o->ulimits);
	o->vols = NULL;
	o->ulimits = NULL;
	o->n_vols = o->n_ulimits = 0;
}

int parse_size(const char *flag, const char *s, int64_t *out, struct err *e)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || v < 0 || !isfinite(v) || !isdigit((unsigned char)s[0]))
		goto bad;
	double mul = 1;
	switch (tolower((unsigned char)*end)) {
	case '\0':
		break;
	case 'b':
		end++;
		break;
	case 'k':
		mul = 1024.0, end++;
		break;
	case 'm':
		mul = 1024.0 * 1024, end++;
		break;
	case 'g':
		mul = 1024.0 * 1024 * 1024, end++;
		break;
	case 't':
		mul = 1024.0 * 1024 * 1024 * 1024, end++;
		break;
	default:
		goto bad;
	}
	/* "512mb", "1gb" as docker accepts them. */
	if (mul > 1 && (*end == 'b' || *end == 'B'))
		end++;
	if (*end || v * mul >= 9.2e18)
		goto bad;
	*out = (int64_t)(v * mul);
	return 0;
bad:
	return err_msg(e, EINVAL,
		       "%s \"%s\": invalid size (a number with an optional unit b, k, m, g)", flag,
		       s);
}

static int parse_decimal(const char *flag, const char *s, double max, double *out, struct err *e)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v) || v <= 0 || v > max)
		return err_msg(e, EINVAL, "%s \"%s\": expected a number above 0 and at most %g",
			       flag, s, max);
	*out = v;
	return 0;
}

int parse_cpus(const char *s, int64_t *quota, int64_t *period, struct err *e)
{
	double v;
	int r = parse_decimal("--cpus", s, 4096, &v, e);
	if (r < 0)
		return r;
	*period = 100000;
	*quota = (int64_t)(v * 100000 + 0.5);
	if (*quota < 1000)
		return err_msg(e, EINVAL, "--cpus \"%s\": below the minimum of 0.01", s);
	return 0;
}

int parse_cpu_percent(const char *s, int64_t *quota, int64_t *period, struct err *e)
{
	double v;
	int r = parse_decimal("--cpu", s, 409600, &v, e);
	if (r < 0)
		return r;
	*period = 100000;
	*quota = (int64_t)(v * 1000 + 0.5);
	if (*quota < 1000)
		return err_msg(e, EINVAL, "--cpu \"%s\": below the minimum of 1 percent", s);
	return 0;
}

static bool env_key_ok(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (isspace((unsigned char)s[i]))
			return false;
	return true;
}

int parse_env(struct strv *env, const char *s, struct err *e)
{
	const char *eq = strchr(s, '=');
	size_t klen = eq ? (size_t)(eq - s) : strlen(s);
	if (!env_key_ok(s, klen))
		return err_msg(e, EINVAL, "--env \"%s\": expected KEY=VALUE or KEY", s);
	if (!eq) {
		const char *v = getenv(s);
		if (!v)
			return 0;
		_cleanup_free_ char *kv = NULL;
		if (asprintf(&kv, "%s=%s", s, v) < 0 || strv_push(env, kv) < 0)
			return err_sys(e, ENOMEM, "--env %s", s);
		return 0;
	}
	if (strv_push(env, s) < 0)
		return err_sys(e, ENOMEM, "--env %s", s);
	return 0;
}

int parse_env_file(struct strv *env, const char *path, struct err *e)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f)
		return err_sys(e, errno, "--env-file %s", path);
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned lineno = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		char *p = line;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			continue;
		struct err sub = {0};
		if (parse_env(env, p, &sub) < 0)
			return err_msg(e, EINVAL,
				       "--env-file %s: line %u: \"%s\": expected KEY=VALUE", path,
				       lineno, p);
	}
	if (ferror(f))
		return err_sys(e, EIO, "--env-file %s: read", path);
	return 0;
}

static int abs_path_check(const char *flag, const char *what, const char *p, struct err *e)
{
	if (p[0] != '/')
		return err_msg(e, EINVAL, "%s: %s \"%s\": must be an absolute path", flag, what, p);
	return 0;
}

int parse_volume(const char *s, struct vol *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	_cleanup_free_ char *copy = strdup(s);
	if (!copy)
		return err_sys(e, ENOMEM, "--volume");
	char *parts[4] = {0};
	size_t n = 0;
	for (char *save = NULL, *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save))
		if (n < 4)
			parts[n++] = t;
		else
			n++;
	if (n < 2 || n > 3)
		return err_msg(e, EINVAL, "--volume \"%s\": expected SRC:DST[:ro|rw]", s);
	bool ro = false;
	if (n == 3) {
		for (char *save = NULL, *t = strtok_r(parts[2], ",", &save); t;
		     t = strtok_r(NULL, ",", &save)) {
			if (!strcmp(t, "ro"))
				ro = true;
			else if (!strcmp(t, "rw"))
				ro = false;
			else
				return err_msg(e, EINVAL,
					       "--volume \"%s\": unknown option \"%s\" (ro, rw)", s,
					       t);
		}
	}
	if (parts[0][0] != '/')
		return err_msg(e, ENOTSUP,
			       "--volume \"%s\": named volumes are not supported; the source must "
			       "be an absolute host path",
			       s);
	int r = abs_path_check("--volume", "destination", parts[1], e);
	if (r < 0)
		return r;
	struct stat st;
	if (stat(parts[0], &st) < 0)
		return err_sys(e, errno, "--volume %s: source %s", s, parts[0]);
	out->kind = MK_BIND;
	out->ro = ro;
	out->src = strdup(parts[0]);
	out->dst = strdup(parts[1]);
	if (!out->src || !out->dst) {
		vol_free(out);
		return err_sys(e, ENOMEM, "--volume");
	}
	return 0;
}

int parse_tmpfs(const char *s, struct vol *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	const char *colon = strchr(s, ':');
	size_t dlen = colon ? (size_t)(colon - s) : strlen(s);
	out->kind = MK_TMPFS;
	out->dst = strndup(s, dlen);
	out->opts = colon && colon[1] ? strdup(colon + 1) : NULL;
	if (!out->dst || (colon && colon[1] && !out->opts)) {
		vol_free(out);
		return err_sys(e, ENOMEM, "--tmpfs");
	}
	int r = abs_path_check("--tmpfs", "destination", out->dst, e);
	if (r < 0)
		vol_free(out);
	return r;
}

static int add_tmpfs_opt(struct vol *v, const char *key, const char *val)
{
	char *n = NULL;
	if (asprintf(&n, "%s%s%s=%s", v->opts ? v->opts : "", v->opts ? "," : "", key, val) < 0)
		return -ENOMEM;
	free(v->opts);
	v->opts = n;
	return 0;
}

int parse_mount(const char *s, struct vol *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	_cleanup_free_ char *copy = strdup(s);
	if (!copy)
		return err_sys(e, ENOMEM, "--mount");
	const char *type = NULL;
	int r = 0;
	for (char *save = NULL, *t = strtok_r(copy, ",", &save); t && r == 0;
	     t = strtok_r(NULL, ",", &save)) {
		char *v = strchr(t, '=');
		if (v)
			*v++ = '\0';
		if (!strcmp(t, "type") && v)
			type = v;
		else if ((!strcmp(t, "source") || !strcmp(t, "src")) && v)
			r = (out->src = strdup(v)) ? 0 : -ENOMEM;
		else if ((!strcmp(t, "target") || !strcmp(t, "destination") || !strcmp(t, "dst")) &&
			 v)
			r = (out->dst = strdup(v)) ? 0 : -ENOMEM;
		else if (!strcmp(t, "readonly") || !strcmp(t, "ro"))
			out->ro = !v || !strcmp(v, "true") || !strcmp(v, "1");
		else if (!strcmp(t, "tmpfs-size") && v) {
			int64_t sz;
			if ((r = parse_size("--mount tmpfs-size", v, &sz, e)) < 0)
				break;
			char b[32];
			snprintf(b, sizeof(b), "%lld", (long long)sz);
			r = add_tmpfs_opt(out, "size", b);
		} else if (!strcmp(t, "tmpfs-mode") && v)
			r = add_tmpfs_opt(out, "mode", v);
		else
			r = err_msg(e, EINVAL, "--mount \"%s\": unknown field \"%s\"", s, t);
	}
	if (r == -ENOMEM)
		r = err_sys(e, ENOMEM, "--mount");
	if (r == 0 && (!type || (strcmp(type, "bind") && strcmp(type, "tmpfs"))))
		r = err_msg(e, EINVAL, "--mount \"%s\": type must be bind or tmpfs", s);
	if (r == 0 && !out->dst)
		r = err_msg(e, EINVAL, "--mount \"%s\": no target", s);
	if (r == 0)
		r = abs_path_check("--mount", "target", out->dst, e);
	if (r == 0 && !strcmp(type, "bind")) {
		out->kind = MK_BIND;
		struct stat st;
		if (!out->src)
			r = err_msg(e, EINVAL, "--mount \"%s\": a bind mount needs a source", s);
		else if ((r = abs_path_check("--mount", "source", out->src, e)) == 0 &&
			 stat(out->src, &st) < 0)
			r = err_sys(e, errno, "--mount %s: source %s", s, out->src);
	} else if (r == 0) {
		out->kind = MK_TMPFS;
		if (out->src)
			r = err_msg(e, EINVAL, "--mount \"%s\": a tmpfs mount takes no source", s);
	}
	if (r < 0)
		vol_free(out);
	return r;
}

static const char *const rlimit_names[] = {
    "as",     "core",  "cpu", "data",	"fsize",  "locks",	"memlock", "msgqueue", "nice",
    "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack",   NULL};

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (!strcmp(s, "-1") || !strcmp(s, "unlimited")) {
		*out = UINT64_MAX;
		return 0;
	}
	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || errno)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_ulimit(const char *s, struct ulimit *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	const char *eq = strchr(s, '=');
	if (!eq)
		return err_msg(e, EINVAL, "--ulimit \"%s\": expected NAME=SOFT[:HARD]", s);
	size_t klen = (size_t)(eq - s);
	bool known = false;
	for (const char *const *n = rlimit_names; *n; n++)
		if (strlen(*n) == klen && !strncasecmp(s, *n, klen))
			known = true;
	if (!known)
		return err_msg(e, EINVAL, "--ulimit \"%s\": unknown limit \"%.*s\"", s, (int)klen,
			       s);
	snprintf(out->name, sizeof(out->name), "RLIMIT_%.*s", (int)klen, s);
	for (char *p = out->name; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	_cleanup_free_ char *vals = strdup(eq + 1);
	if (!vals)
		return err_sys(e, ENOMEM, "--ulimit");
	char *colon = strchr(vals, ':');
	if (colon)
		*colon++ = '\0';
	if (parse_u64(vals, &out->soft) < 0 || (colon && parse_u64(colon, &out->hard) < 0))
		return err_msg(e, EINVAL, "--ulimit \"%s\": limits must be numbers", s);
	if (!colon)
		out->hard = out->soft;
	if (out->soft > out->hard)
		return err_msg(e, EINVAL, "--ulimit \"%s\": soft limit above the hard limit", s);
	return 0;
}

int parse_cap(const char *flag, const char *s, struct strv *out, struct err *e)
{
	char name[64];
	if (!strcasecmp(s, "ALL")) {
		if (strv_push(out, "ALL") < 0)
			return err_sys(e, ENOMEM, "%s", flag);
		return 0;
	}
	bool prefixed = !strncasecmp(s, "CAP_", 4);
	if (snprintf(name, sizeof(name), "%s%s", prefixed ? "" : "CAP_", s) >= (int)sizeof(name))
		return err_msg(e, EINVAL, "%s \"%s\": unknown capability", flag, s);
	for (char *p = name; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	if (spec_cap_number(name) < 0)
		return err_msg(e, EINVAL, "%s \"%s\": unknown capability", flag, s);
	if (strv_push(out, name) < 0)
		return err_sys(e, ENOMEM, "%s", flag);
	return 0;
}
