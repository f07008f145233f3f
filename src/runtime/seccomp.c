/* seccomp.c — the spec's seccomp profile as a libseccomp filter (see
 * seccomp.h).
 *
 * libseccomp does the BPF: it knows every architecture's syscall table
 * and the multiplexed calls (socketcall, ipc) that a hand-written filter
 * would get wrong.  This file only translates the parsed spec into its
 * calls and turns its bare negative codes into messages naming the
 * syscall, architecture or flag at fault.
 */
#include "runtime/seccomp.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "runtime/spec.h"

#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdbool.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/un.h>

static void ctx_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

#define ARCH_PREFIX "SCMP_ARCH_"

/* "SCMP_ARCH_X86_64" -> SCMP_ARCH_X86_64's token; 0 when unknown. */
static uint32_t arch_token(const char *spec_name)
{
	size_t plen = strlen(ARCH_PREFIX);
	if (strncmp(spec_name, ARCH_PREFIX, plen) != 0)
		return 0;
	const char *rest = spec_name + plen;
	char lower[32];
	size_t n = strlen(rest);
	if (n == 0 || n >= sizeof(lower))
		return 0;
	for (size_t i = 0; i <= n; i++)
		lower[i] = (char)tolower((unsigned char)rest[i]);
	if (strcmp(lower, "native") == 0)
		return seccomp_arch_native();
	return seccomp_arch_resolve_name(lower);
}

static int add_arches(scmp_filter_ctx ctx, const struct spec_seccomp *s, struct err *e)
{
	for (size_t i = 0; i < s->n_architectures; i++) {
		const char *name = s->architectures[i];
		uint32_t tok = arch_token(name);
		if (tok == 0)
			return err_msg(e, EINVAL, "seccomp: unknown architecture \"%s\"", name);
		int r = seccomp_arch_add(ctx, tok);
		if (r < 0 && r != -EEXIST) /* the native one is always there */
			return err_sys(e, -r, "seccomp: architecture \"%s\"", name);
	}
	return 0;
}

struct flag_attr {
	const char *name;
	enum scmp_filter_attr attr;
};

/* SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs libseccomp 2.6
 * (SCMP_FLTATR_CTL_WAITKILL); before that it falls to the error below. */
static const struct flag_attr flag_attrs[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SCMP_FLTATR_CTL_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SCMP_FLTATR_CTL_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SCMP_FLTATR_CTL_SSB},
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SCMP_FLTATR_CTL_WAITKILL},
#endif
};

static int set_flags(scmp_filter_ctx ctx, const struct spec_seccomp *s, struct err *e)
{
	for (size_t i = 0; i < s->n_flags; i++) {
		const char *name = s->flags[i];
		const struct flag_attr *fa = NULL;
		for (size_t j = 0; j < ARRAY_SIZE(flag_attrs); j++)
			if (strcmp(name, flag_attrs[j].name) == 0)
				fa = &flag_attrs[j];
		if (!fa)
			return err_msg(e, EINVAL,
				       "seccomp: flag \"%s\" is unknown or unsupported by "
				       "libseccomp %u.%u.%u",
				       name, SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
		int r = seccomp_attr_set(ctx, fa->attr, 1);
		if (r < 0)
			return err_sys(e, -r, "seccomp: flag \"%s\"", name);
	}
	return 0;
}

/* libseccomp takes at most one comparison per argument in a rule.  A
 * profile that puts two on the same argument means "either" (docker's
 * does, for personality), so such a rule becomes one rule per
 * comparison. */
static bool repeats_an_arg(const struct spec_seccomp_rule *rule)
{
	unsigned seen = 0;
	for (size_t i = 0; i < rule->n_args; i++) {
		unsigned bit = 1u << (rule->args[i].index & 31);
		if (seen & bit)
			return true;
		seen |= bit;
	}
	return false;
}

static struct scmp_arg_cmp to_cmp(const struct spec_seccomp_arg *a)
{
	return (struct scmp_arg_cmp){
	    .arg = a->index,
	    .op = (enum scmp_compare)a->op,
	    .datum_a = a->value,
	    .datum_b = a->value_two,
	};
}

#define MAX_ARGS 6

static int add_one(scmp_filter_ctx ctx, const struct spec_seccomp_rule *rule, int nr)
{
	struct scmp_arg_cmp cmp[MAX_ARGS];
	if (rule->n_args > MAX_ARGS)
		return -EINVAL;
	if (repeats_an_arg(rule)) {
		for (size_t i = 0; i < rule->n_args; i++) {
			cmp[0] = to_cmp(&rule->args[i]);
			int r = seccomp_rule_add_array(ctx, rule->action, nr, 1, cmp);
			if (r < 0)
				return r;
		}
		return 0;
	}
	for (size_t i = 0; i < rule->n_args; i++)
		cmp[i] = to_cmp(&rule->args[i]);
	return seccomp_rule_add_array(ctx, rule->action, nr, (unsigned)rule->n_args, cmp);
}

static int add_rules(scmp_filter_ctx ctx, const struct spec_seccomp *s, struct err *e)
{
	for (size_t i = 0; i < s->n_rules; i++) {
		const struct spec_seccomp_rule *rule = &s->rules[i];
		/* libseccomp refuses a rule that repeats the default action;
		 * it would change nothing anyway. */
		if (rule->action == s->default_action)
			continue;
		for (size_t j = 0; j < rule->n_names; j++) {
			const char *name = rule->names[j];
			int nr = seccomp_syscall_resolve_name(name);
			if (nr == __NR_SCMP_ERROR)
				continue; /* a syscall of another kernel or arch */
			int r = add_one(ctx, rule, nr);
			if (r < 0)
				return err_sys(e, -r, "seccomp: rule for \"%s\"", name);
		}
	}
	return 0;
}

bool seccomp_wants_notify(const struct spec_seccomp *s)
{
	if (s->listener_path)
		return true;
	for (size_t i = 0; i < s->n_rules; i++)
		if (s->rules[i].action == SCMP_ACT_NOTIFY)
			return true;
	return false;
}

static int build(const struct spec_seccomp *s, scmp_filter_ctx *out, struct err *e)
{
	scmp_filter_ctx ctx = seccomp_init(s->default_action);
	if (!ctx)
		return err_msg(e, EINVAL, "seccomp: default action 0x%x: invalid or unsupported",
			       s->default_action);
	/* no_new_privs is the spec's decision (process.noNewPrivileges),
	 * taken by the caller; without it loading needs CAP_SYS_ADMIN. */
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	/* Syscalls sorted into a binary tree (libseccomp >= 2.5) instead of
	 * one comparison each in a row: a shorter program for the kernel to
	 * check and compile at load, and a few comparisons per syscall
	 * instead of up to ~300 at run time.  Older libseccomp refuses the
	 * attribute and keeps the row. */
	if (r >= 0)
		(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r < 0)
		r = err_sys(e, -r, "seccomp: clear the no_new_privs attribute");
	else if ((r = add_arches(ctx, s, e)) >= 0 && (r = set_flags(ctx, s, e)) >= 0)
		r = add_rules(ctx, s, e);
	if (r < 0) {
		seccomp_release(ctx);
		return r;
	}
	*out = ctx;
	return 0;
}

int seccomp_compile(const struct spec_seccomp *s, int fd, unsigned int *flags, struct err *e)
{
	_cleanup_(ctx_releasep) scmp_filter_ctx ctx = NULL;
	int r = build(s, &ctx, e);
	if (r < 0)
		return r;
	static const struct {
		enum scmp_filter_attr attr;
		unsigned int flag;
	} kflags[] = {
	    {SCMP_FLTATR_CTL_TSYNC, SECCOMP_FILTER_FLAG_TSYNC},
	    {SCMP_FLTATR_CTL_LOG, SECCOMP_FILTER_FLAG_LOG},
	    {SCMP_FLTATR_CTL_SSB, SECCOMP_FILTER_FLAG_SPEC_ALLOW},
	};
	*flags = 0;
	for (size_t i = 0; i < ARRAY_SIZE(kflags); i++) {
		uint32_t v = 0;
		if (seccomp_attr_get(ctx, kflags[i].attr, &v) == 0 && v)
			*flags |= kflags[i].flag;
	}
	if ((r = seccomp_export_bpf(ctx, fd)) < 0)
		return err_sys(e, -r, "seccomp: export the compiled filter");
	return 0;
}

int seccomp_apply(const struct spec_seccomp *s, int *notify_fd, struct err *e)
{
	*notify_fd = -1;
	if (s->bpf) {
		struct sock_fprog prog = {.len = s->bpf_len, .filter = s->bpf};
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, s->bpf_flags, &prog) < 0)
			return err_sys(e, errno, "seccomp: load the filter");
		return 0;
	}
	_cleanup_(ctx_releasep) scmp_filter_ctx ctx = NULL;
	int r = build(s, &ctx, e);
	if (r < 0)
		return r;
	if ((r = seccomp_load(ctx)) < 0)
		return err_sys(e, -r, "seccomp: load the filter");
	if (!seccomp_wants_notify(s))
		return 0;
	/* The fd is the kernel's (O_CLOEXEC); libseccomp only remembers it. */
	int fd = seccomp_notify_fd(ctx);
	if (fd < 0)
		return err_sys(e, fd == -1 ? EOPNOTSUPP : -fd,
			       "seccomp: no notify fd after loading the filter");
	*notify_fd = fd;
	return 0;
}

/* One sendmsg carrying the fd, then the rest of a short write. */
static int send_fd_and_payload(int sock, int fd, const char *data, size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
	struct msghdr msg = {
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = ctl.buf,
	    .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	ssize_t n;
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (size_t sent = (size_t)n; sent < len; sent += (size_t)n) {
		n = send(sock, data + sent, len - sent, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n < 0)
			return -errno;
	}
	return 0;
}

int seccomp_send_listener(const char *path, int notify_fd, const char *state_json, struct err *e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return err_msg(e, ENAMETOOLONG,
			       "seccomp listener \"%s\": path longer than a socket address allows",
			       path);
	strcpy(sa.sun_path, path);
	_cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return err_sys(e, errno, "seccomp listener \"%s\": socket", path);
	int r;
	do
		r = connect(sock, (struct sockaddr *)&sa, sizeof(sa));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return err_sys(e, errno, "connect to seccomp listener \"%s\"", path);
	/* A stream socket carries the fd only along with payload bytes. */
	const char *data = state_json && *state_json ? state_json : "{}";
	if ((r = send_fd_and_payload(sock, notify_fd, data, strlen(data))) < 0)
		return err_sys(e, -r, "send seccomp notify fd to \"%s\"", path);
	return 0;
}
