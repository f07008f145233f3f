/* priv.c — capability and no_new_privs drop for the pull helper (see
 * priv.h). */
#include "pull/priv.h"

#include "base/cleanup.h"
#include "base/error.h"

#include <errno.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const int keep[] = {CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER,   CAP_FSETID,
			   CAP_MKNOD, CAP_SETFCAP,	CAP_SYS_ADMIN};

static int last_cap(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int n = 40;
	if (!f || fscanf(f, "%d", &n) != 1 || n < 0 || n > 63)
		return 40;
	return n;
}

static bool kept(int c)
{
	for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
		if (keep[i] == c)
			return true;
	return false;
}

/* System calls a downloader and unpacker never makes: refused with EPERM,
 * so a parser bug cannot reach them (sys_admin is kept for xattrs only). */
static const char *const denied[] = {
    "mount",	     "umount2",		"pivot_root",  "move_mount",	   "open_tree",
    "fsopen",	     "fsmount",		"fsconfig",    "fspick",	   "chroot",
    "setns",	     "unshare",		"ptrace",      "process_vm_readv", "process_vm_writev",
    "kexec_load",    "kexec_file_load", "init_module", "finit_module",	   "delete_module",
    "bpf",	     "perf_event_open", "keyctl",      "add_key",	   "request_key",
    "reboot",	     "swapon",		"swapoff",     "syslog",	   "acct",
    "quotactl",	     "userfaultfd",	"iopl",	       "ioperm",	   "settimeofday",
    "clock_settime", "clock_adjtime",	"adjtimex",    "sethostname",	   "setdomainname",
};

static int deny_syscalls(struct err *e)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return err_msg(e, ENOMEM, "seccomp: init");
	int r = 0;
	for (size_t i = 0; i < ARRAY_SIZE(denied) && r == 0; i++) {
		int nr = seccomp_syscall_resolve_name(denied[i]);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture */
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
		if (r < 0)
			err_sys(e, -r, "seccomp: deny %s", denied[i]);
	}
	if (r == 0 && (r = seccomp_load(ctx)) < 0)
		err_sys(e, -r, "seccomp: load the filter");
	seccomp_release(ctx);
	return r;
}

int priv_drop_for_pull(struct err *e)
{
	if (geteuid() != 0)
		return 0;
	int last = last_cap();
	for (int c = 0; c <= last; c++)
		if (!kept(c) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return err_sys(e, errno, "drop capability %d from the bounding set", c);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return err_sys(e, errno, "clear ambient capabilities");
	uint64_t mask = 0;
	for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
		mask |= UINT64_C(1) << keep[i];
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return err_sys(e, errno, "capget");
	for (int i = 0; i < 2; i++) {
		uint32_t m = (uint32_t)(mask >> (32 * i));
		d[i].effective &= m;
		d[i].permitted &= m;
		d[i].inheritable = 0;
	}
	if (syscall(SYS_capset, &h, d) < 0)
		return err_sys(e, errno, "capset");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_sys(e, errno, "set no_new_privs");
	return deny_syscalls(e);
}
