/* test_caps.c — caps_last_cap, caps_drop_bounding, caps_apply.
 *
 * Each case forks: the child changes its own capabilities, reads them
 * back from /proc/self/status and sends the result through a pipe; the
 * parent compares.  Needs root (skipped otherwise).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "runtime/caps.h"
#include "runtime/spec.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define BIT(n) ((uint64_t)1 << (n))

/* What a child sends back. */
struct outcome {
	int rc;		      /* first failing call's return, 0 if all passed */
	struct err e;	      /* its error */
	struct spec_caps now; /* read from /proc/self/status afterwards */
	int status_ok;	      /* 1 if all five lines were found */
};

typedef void (*child_fn)(struct outcome *o);

static uint64_t known_mask(void)
{
	int last = caps_last_cap();
	return last >= 63 ? ~(uint64_t)0 : BIT(last + 1) - 1;
}

static void read_status(struct outcome *o)
{
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return;
	char line[256];
	int found = 0;
	while (fgets(line, sizeof(line), f)) {
		static const struct {
			const char *key;
			size_t off;
		} keys[] = {
		    {"CapInh:", offsetof(struct spec_caps, inheritable)},
		    {"CapPrm:", offsetof(struct spec_caps, permitted)},
		    {"CapEff:", offsetof(struct spec_caps, effective)},
		    {"CapBnd:", offsetof(struct spec_caps, bounding)},
		    {"CapAmb:", offsetof(struct spec_caps, ambient)},
		};
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			size_t kl = strlen(keys[i].key);
			if (strncmp(line, keys[i].key, kl) != 0)
				continue;
			uint64_t v = strtoull(line + kl, NULL, 16);
			memcpy((char *)&o->now + keys[i].off, &v, sizeof(v));
			found++;
		}
	}
	fclose(f);
	o->status_ok = found == 5;
}

static struct outcome run_child(child_fn fn)
{
	struct outcome o;
	memset(&o, 0, sizeof(o));
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		fn(&o);
		read_status(&o);
		ssize_t n = write(p[1], &o, sizeof(o));
		_exit(n == (ssize_t)sizeof(o) ? 0 : 1);
	}
	close(p[1]);
	ssize_t n = read(p[0], &o, sizeof(o));
	close(p[0]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(n, (ssize_t)sizeof(o));
	assert_true(o.status_ok);
	return o;
}

static void need_root(void **state)
{
	if (geteuid() != 0) {
		print_message("not root: skipped\n");
		skip();
	}
}

static void test_last_cap(void **state)
{
	int last = caps_last_cap();
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	assert_non_null(f);
	int fromfile = -1;
	assert_int_equal(fscanf(f, "%d", &fromfile), 1);
	fclose(f);
	assert_int_equal(last, fromfile);
	/* The kernel agrees: `last` is known, `last + 1` is not. */
	assert_true(prctl(PR_CAPBSET_READ, last, 0, 0, 0) >= 0);
	assert_int_equal(prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0), -1);
	assert_true(last >= CAP_AUDIT_READ);
}

/* Without /proc/sys (an init before it mounts /proc), the kernel is
 * probed instead: hide the file under a tmpfs in a private mount ns. */
static void last_cap_without_proc(struct outcome *o)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", "/proc/sys/kernel", "tmpfs", 0, NULL) < 0) {
		o->rc = -1000 - errno;
		return;
	}
	if (access("/proc/sys/kernel/cap_last_cap", F_OK) == 0)
		o->rc = -2000;
	else
		o->rc = caps_last_cap();
}

static void test_last_cap_probed(void **state)
{
	need_root(state);
	struct outcome o = run_child(last_cap_without_proc);
	assert_int_equal(o.rc, caps_last_cap());
}

static const struct spec_caps sets_spec = {
    .bounding = BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_NET_RAW),
    .effective = BIT(CAP_CHOWN) | BIT(CAP_KILL),
    .permitted = BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE),
    .inheritable = BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE),
    .ambient = BIT(CAP_NET_BIND_SERVICE),
};

static void apply_sets(struct outcome *o)
{
	if ((o->rc = caps_drop_bounding(&sets_spec, NULL, &o->e)) == 0)
		o->rc = caps_apply(&sets_spec, -1, &o->e);
}

static void test_apply_all_five_sets(void **state)
{
	need_root(state);
	struct outcome o = run_child(apply_sets);
	if (o.rc)
		fail_msg("%s", o.e.msg);
	assert_int_equal(o.now.bounding, sets_spec.bounding);
	assert_int_equal(o.now.effective, sets_spec.effective);
	assert_int_equal(o.now.permitted, sets_spec.permitted);
	assert_int_equal(o.now.inheritable, sets_spec.inheritable);
	assert_int_equal(o.now.ambient, sets_spec.ambient);
}

/* The capabilities this process has now (the bounding set of whoever
 * runs the test may lack some, e.g. CAP_SYS_RESOURCE in a sandbox). */
static struct spec_caps current_caps(void)
{
	struct outcome o;
	memset(&o, 0, sizeof(o));
	read_status(&o);
	assert_true(o.status_ok);
	return o.now;
}

/* A spec written for a newer kernel names capabilities this one lacks:
 * every set is what we have plus every bit above the last cap. */
static void apply_everything(struct outcome *o)
{
	struct spec_caps cur = current_caps();
	uint64_t more = ~known_mask();
	struct spec_caps c = {cur.bounding | more, cur.permitted | more, cur.permitted | more,
			      cur.permitted | more, cur.permitted | more};
	if ((o->rc = caps_drop_bounding(&c, NULL, &o->e)) == 0)
		o->rc = caps_apply(&c, -1, &o->e);
}

/* The drop loop ends at the first number the kernel does not know and
 * hands that on, so caps_apply need not read cap_last_cap. */
static void drop_learns_last(struct outcome *o)
{
	int last = -2;
	if ((o->rc = caps_drop_bounding(&sets_spec, &last, &o->e)) == 0)
		o->rc = last;
}

/* Nothing to drop (every bit kept): nothing learned, -1. */
static void drop_nothing_learns_nothing(struct outcome *o)
{
	struct spec_caps c = {.bounding = ~(uint64_t)0};
	int last = -2;
	if ((o->rc = caps_drop_bounding(&c, &last, &o->e)) == 0)
		o->rc = last;
}

static void test_drop_learns_last_cap(void **state)
{
	need_root(state);
	struct outcome o = run_child(drop_learns_last);
	assert_int_equal(o.rc, caps_last_cap());
	o = run_child(drop_nothing_learns_nothing);
	assert_int_equal(o.rc, -1);
}

static void test_caps_above_last_are_ignored(void **state)
{
	need_root(state);
	struct spec_caps cur = current_caps();
	struct outcome o = run_child(apply_everything);
	if (o.rc)
		fail_msg("%s", o.e.msg);
	assert_int_equal(o.now.bounding, cur.bounding);
	assert_int_equal(o.now.effective, cur.permitted);
	assert_int_equal(o.now.permitted, cur.permitted);
	assert_int_equal(o.now.inheritable, cur.permitted);
	assert_int_equal(o.now.ambient, cur.permitted);
}

/* Without CAP_SETPCAP the bounding set cannot shrink. */
static void drop_without_setpcap(struct outcome *o)
{
	struct spec_caps c = {.effective = BIT(CAP_CHOWN), .permitted = BIT(CAP_CHOWN)};
	if ((o->rc = caps_apply(&c, -1, &o->e)) < 0)
		return;
	c.bounding = known_mask() & ~BIT(CAP_SYS_ADMIN);
	o->rc = caps_drop_bounding(&c, NULL, &o->e);
}

static void test_drop_error_names_capability(void **state)
{
	need_root(state);
	struct outcome o = run_child(drop_without_setpcap);
	assert_int_equal(o.rc, -EPERM);
	assert_string_equal(
	    o.e.msg, "drop capability CAP_SYS_ADMIN from bounding set: operation not permitted");
	assert_int_equal(o.now.bounding, current_caps().bounding); /* nothing dropped */
}

/* Dropping what is already gone needs no privilege and is no error. */
static void drop_twice(struct outcome *o)
{
	struct spec_caps c = sets_spec;
	if ((o->rc = caps_drop_bounding(&c, NULL, &o->e)) < 0 ||
	    (o->rc = caps_apply(&c, -1, &o->e)) < 0)
		return;
	o->rc = caps_drop_bounding(&c, NULL, &o->e);
}

static void test_drop_again_without_privilege(void **state)
{
	need_root(state);
	struct outcome o = run_child(drop_twice);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.now.bounding, sets_spec.bounding);
	assert_int_equal(o.now.effective & BIT(CAP_SETPCAP), 0);
}

/* Permitted can only shrink: asking for one back names it. */
static void regain_permitted(struct outcome *o)
{
	struct spec_caps c = {.effective = BIT(CAP_CHOWN), .permitted = BIT(CAP_CHOWN)};
	if ((o->rc = caps_apply(&c, -1, &o->e)) < 0)
		return;
	c.permitted |= BIT(CAP_SYS_ADMIN);
	o->rc = caps_apply(&c, -1, &o->e);
}

static void test_capset_error_names_capability(void **state)
{
	need_root(state);
	struct outcome o = run_child(regain_permitted);
	assert_int_equal(o.rc, -EPERM);
	assert_int_equal(o.e.code, EPERM);
	assert_non_null(strstr(o.e.msg, "CAP_SYS_ADMIN is not in the permitted set"));
	assert_int_equal(o.now.permitted, BIT(CAP_CHOWN));
}

static void effective_not_permitted(struct outcome *o)
{
	struct spec_caps c = {.effective = BIT(CAP_CHOWN) | BIT(CAP_KILL),
			      .permitted = BIT(CAP_CHOWN)};
	o->rc = caps_apply(&c, -1, &o->e);
}

static void test_effective_must_be_permitted(void **state)
{
	need_root(state);
	struct outcome o = run_child(effective_not_permitted);
	assert_int_equal(o.rc, -EPERM);
	assert_non_null(strstr(o.e.msg, "effective CAP_KILL is not permitted"));
}

static void ambient_not_inheritable(struct outcome *o)
{
	struct spec_caps c = {
	    .effective = BIT(CAP_CHOWN) | BIT(CAP_KILL),
	    .permitted = BIT(CAP_CHOWN) | BIT(CAP_KILL),
	    .inheritable = BIT(CAP_CHOWN),
	    .ambient = BIT(CAP_CHOWN) | BIT(CAP_KILL),
	};
	o->rc = caps_apply(&c, -1, &o->e);
}

/* runc's own default spec lists ambient capabilities that are not
 * inheritable; like runc, those are skipped and the others raised. */
static void test_ambient_not_inheritable_skipped(void **state)
{
	need_root(state);
	struct outcome o = run_child(ambient_not_inheritable);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.now.ambient, BIT(CAP_CHOWN));
}

/* Ambient capabilities the spec does not list are cleared. */
static void ambient_cleared(struct outcome *o)
{
	struct spec_caps c = {.effective = BIT(CAP_KILL),
			      .permitted = BIT(CAP_KILL),
			      .inheritable = BIT(CAP_KILL),
			      .ambient = BIT(CAP_KILL)};
	if ((o->rc = caps_apply(&c, -1, &o->e)) < 0)
		return;
	c.ambient = 0;
	o->rc = caps_apply(&c, -1, &o->e);
}

static void test_ambient_cleared(void **state)
{
	need_root(state);
	struct outcome o = run_child(ambient_cleared);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.now.ambient, 0);
	assert_int_equal(o.now.inheritable, BIT(CAP_KILL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_last_cap),
	    cmocka_unit_test(test_last_cap_probed),
	    cmocka_unit_test(test_apply_all_five_sets),
	    cmocka_unit_test(test_drop_learns_last_cap),
	    cmocka_unit_test(test_caps_above_last_are_ignored),
	    cmocka_unit_test(test_drop_error_names_capability),
	    cmocka_unit_test(test_drop_again_without_privilege),
	    cmocka_unit_test(test_capset_error_names_capability),
	    cmocka_unit_test(test_effective_must_be_permitted),
	    cmocka_unit_test(test_ambient_not_inheritable_skipped),
	    cmocka_unit_test(test_ambient_cleared),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
