/* spec_seccomp.c — linux.seccomp: actions and operators resolved to
 * libseccomp's values, architectures and flags checked by name (the
 * seccomp module turns them into filter attributes).  Syscall names are
 * kept as strings: a name this kernel or architecture lacks is skipped
 * when the filter is built, as other runtimes do. */
#include "runtime/spec.h"

#include "base/arena.h"
#include "base/cleanup.h"
#include "base/error.h"
#include "runtime/spec_internal.h"

#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <string.h>

enum { ACT_FIXED, ACT_ERRNO, ACT_TRACE };

static const struct {
	const char *name;
	uint32_t action;
	int kind;
} actions[] = {
    {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, ACT_FIXED},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, ACT_FIXED},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, ACT_FIXED},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, ACT_FIXED},
    {"SCMP_ACT_ERRNO", 0, ACT_ERRNO},
    {"SCMP_ACT_TRACE", 0, ACT_TRACE},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, ACT_FIXED},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG, ACT_FIXED},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, ACT_FIXED},
};

static const struct name_value operators[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

static const char *const filter_flags[] = {
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

/* The errno (or trace message) returned with the action: errnoRet when
 * given, else EPERM, as the spec says. */
#define RET_DATA_MAX 0xffff

/* `key` names the action; `ret_key` the errno that goes with it. */
static int parse_action(struct jctx *c, const struct jval *o, const char *key, const char *ret_key,
			const struct jp *at, uint32_t *out)
{
	char *name;
	const struct jp *ap = JP_KEY(at, key), *rp = JP_KEY(at, ret_key);
	int r = sj_req_str(c, o, key, ap, &name);
	if (r < 0)
		return r;
	/* Past the common "SCMP_ACT_" prefix, one byte tells most apart. */
	size_t skip = strncmp(name, "SCMP_ACT_", 9) ? 0 : 9;
	for (size_t i = 0; skip && i < ARRAY_SIZE(actions); i++) {
		if (actions[i].name[9] != name[9] || strcmp(actions[i].name + 9, name + 9))
			continue;
		if (actions[i].kind == ACT_FIXED) {
			*out = actions[i].action;
			return 0;
		}
		int64_t ret = EPERM;
		if ((r = sj_i64(c, o, ret_key, rp, 0, RET_DATA_MAX, &ret)) < 0)
			return r;
		*out = actions[i].kind == ACT_ERRNO ? SCMP_ACT_ERRNO((uint32_t)ret)
						    : SCMP_ACT_TRACE((uint32_t)ret);
		return 0;
	}
	return sj_err(c, ap, "unknown action \"%s\"", name);
}

/* "SCMP_ARCH_X86_64" -> "x86_64", as libseccomp names them. */
static bool arch_known(const char *name)
{
	static const char prefix[] = "SCMP_ARCH_";
	char lower[32];
	if (strncmp(name, prefix, sizeof(prefix) - 1))
		return false;
	name += sizeof(prefix) - 1;
	size_t n = strlen(name);
	if (n == 0 || n >= sizeof(lower))
		return false;
	for (size_t i = 0; i <= n; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	return !strcmp(lower, "native") || seccomp_arch_resolve_name(lower) != 0;
}

static int parse_names(struct jctx *c, const struct jval *o, const char *key, const struct jp *at,
		       char ***out, size_t *n, bool (*known)(const char *), const char *what)
{
	int r = sj_strv(c, o, key, at, out, n);
	for (size_t i = 0; r > 0 && i < *n; i++)
		if (!known((*out)[i]))
			return sj_err(c, JP_IDX(at, i), "unknown %s \"%s\"", what, (*out)[i]);
	return r < 0 ? r : 0;
}

static bool flag_known(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(filter_flags); i++)
		if (!strcmp(filter_flags[i], name))
			return true;
	return false;
}

static int parse_arg(struct jctx *c, const struct jval *o, const struct jp *at,
		     struct spec_seccomp_arg *arg)
{
	int r;
	int64_t idx;
	char *op;
	const struct jp *ip = JP_KEY(at, "index"), *vp = JP_KEY(at, "value");
	const struct jp *opp = JP_KEY(at, "op");
	if ((r = sj_type(c, o, JT_OBJ, at)) < 0 || (r = sj_i64(c, o, "index", ip, 0, 5, &idx)) <= 0)
		return r < 0 ? r : sj_missing(c, ip);
	arg->index = (unsigned)idx;
	if ((r = sj_u64(c, o, "value", vp, &arg->value)) <= 0)
		return r < 0 ? r : sj_missing(c, vp);
	if ((r = sj_u64(c, o, "valueTwo", JP_KEY(at, "valueTwo"), &arg->value_two)) < 0 ||
	    (r = sj_req_str(c, o, "op", opp, &op)) < 0)
		return r;
	long v = spec_lookup(operators, ARRAY_SIZE(operators), op);
	if (v < 0)
		return sj_err(c, opp, "unknown operator \"%s\"", op);
	arg->op = (int)v;
	return 0;
}

static int parse_rule(struct jctx *c, const struct jval *o, const struct jp *at,
		      struct spec_seccomp_rule *rule)
{
	int r;
	const struct jval *a;
	size_t n;
	const struct jp *np = JP_KEY(at, "names"), *ap = JP_KEY(at, "args");
	if ((r = sj_type(c, o, JT_OBJ, at)) < 0 ||
	    (r = sj_strv(c, o, "names", np, &rule->names, &rule->n_names)) < 0)
		return r;
	if (r == 0 || rule->n_names == 0)
		return sj_err(c, np, "must name at least one system call");
	if ((r = parse_action(c, o, "action", "errnoRet", at, &rule->action)) < 0 ||
	    (r = sj_arr(c, o, "args", ap, &a, &n)) <= 0 || n == 0)
		return r < 0 ? r : 0;
	if (n > 6)
		return sj_err(c, ap, "%zu comparisons, a system call has at most 6 arguments", n);
	if (!(rule->args = sj_alloc(c, n, sizeof(*rule->args))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if ((r = parse_arg(c, jval_at(a, i), JP_IDX(ap, i), &rule->args[i])) < 0)
			return r;
	rule->n_args = n;
	return 0;
}

static int parse_rules(struct jctx *c, const struct jval *o, const struct jp *at,
		       struct spec_seccomp *sc)
{
	const struct jval *a;
	size_t n;
	int r = sj_arr(c, o, "syscalls", at, &a, &n);
	if (r <= 0 || n == 0)
		return r;
	if (!(sc->rules = sj_alloc(c, n, sizeof(*sc->rules))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if ((r = parse_rule(c, jval_at(a, i), JP_IDX(at, i), &sc->rules[i])) < 0)
			return r;
	sc->n_rules = n;
	return 0;
}

/* The notify fd goes to a listener: an action that needs one needs
 * somewhere to send it, and the default action cannot be "ask". */
static int check_notify(struct jctx *c, const struct jp *at, const struct spec_seccomp *sc)
{
	if (sc->default_action == SCMP_ACT_NOTIFY)
		return sj_err(c, JP_KEY(at, "defaultAction"),
			      "SCMP_ACT_NOTIFY cannot be the default action");
	if (sc->listener_path && *sc->listener_path)
		return sj_abs_path(c, sc->listener_path, JP_KEY(at, "listenerPath"));
	for (size_t i = 0; i < sc->n_rules; i++)
		if (sc->rules[i].action == SCMP_ACT_NOTIFY)
			return sj_err(c, JP_KEY(at, "listenerPath"),
				      "required when an action is SCMP_ACT_NOTIFY");
	return 0;
}

int spec_parse_seccomp(struct jctx *c, const struct jval *o, const struct jp *at,
		       struct spec_seccomp **out)
{
	int r;
	struct spec_seccomp *sc = sj_alloc(c, 1, sizeof(*sc));
	if (!sc)
		return -ENOMEM;
	if ((r = parse_action(c, o, "defaultAction", "defaultErrnoRet", at, &sc->default_action)) <
		0 ||
	    (r = parse_names(c, o, "architectures", JP_KEY(at, "architectures"), &sc->architectures,
			     &sc->n_architectures, arch_known, "architecture")) < 0 ||
	    (r = parse_names(c, o, "flags", JP_KEY(at, "flags"), &sc->flags, &sc->n_flags,
			     flag_known, "flag")) < 0 ||
	    (r = sj_str(c, o, "listenerPath", JP_KEY(at, "listenerPath"), &sc->listener_path)) <
		0 ||
	    (r = sj_str(c, o, "listenerMetadata", JP_KEY(at, "listenerMetadata"),
			&sc->listener_metadata)) < 0 ||
	    (r = parse_rules(c, o, JP_KEY(at, "syscalls"), sc)) < 0 ||
	    (r = check_notify(c, at, sc)) < 0)
		return r;
	if (sc->listener_path && !*sc->listener_path)
		sc->listener_path = NULL;
	*out = sc;
	return 0;
}
