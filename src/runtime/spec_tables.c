/* spec_tables.c — the names config.json uses and what they mean to the
 * kernel: capabilities, rlimits, namespaces, mount options, scheduler
 * policies.  The tables are small, so lookups are linear scans that test
 * one character before calling strcmp. */
#include "runtime/spec_internal.h"

#include <linux/capability.h>
#include <linux/ioprio.h>
#include <linux/sched.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>

#include "base/cleanup.h"

/* ---- capabilities ---- */

#define CAP(n) [CAP_##n] = "CAP_" #n
static const char *const cap_names[] = {
    CAP(CHOWN),
    CAP(DAC_OVERRIDE),
    CAP(DAC_READ_SEARCH),
    CAP(FOWNER),
    CAP(FSETID),
    CAP(KILL),
    CAP(SETGID),
    CAP(SETUID),
    CAP(SETPCAP),
    CAP(LINUX_IMMUTABLE),
    CAP(NET_BIND_SERVICE),
    CAP(NET_BROADCAST),
    CAP(NET_ADMIN),
    CAP(NET_RAW),
    CAP(IPC_LOCK),
    CAP(IPC_OWNER),
    CAP(SYS_MODULE),
    CAP(SYS_RAWIO),
    CAP(SYS_CHROOT),
    CAP(SYS_PTRACE),
    CAP(SYS_PACCT),
    CAP(SYS_ADMIN),
    CAP(SYS_BOOT),
    CAP(SYS_NICE),
    CAP(SYS_RESOURCE),
    CAP(SYS_TIME),
    CAP(SYS_TTY_CONFIG),
    CAP(MKNOD),
    CAP(LEASE),
    CAP(AUDIT_WRITE),
    CAP(AUDIT_CONTROL),
    CAP(SETFCAP),
    CAP(MAC_OVERRIDE),
    CAP(MAC_ADMIN),
    CAP(SYSLOG),
    CAP(WAKE_ALARM),
    CAP(BLOCK_SUSPEND),
    CAP(AUDIT_READ),
    CAP(PERFMON),
    CAP(BPF),
    CAP(CHECKPOINT_RESTORE),
};
#undef CAP

_Static_assert(ARRAY_SIZE(cap_names) == CAP_LAST_CAP + 1, "a capability has no name");

int spec_cap_count(void)
{
	return (int)ARRAY_SIZE(cap_names);
}

const char *spec_cap_name(int n)
{
	return n >= 0 && n < (int)ARRAY_SIZE(cap_names) ? cap_names[n] : NULL;
}

int spec_cap_number(const char *name)
{
	if (strncmp(name, "CAP_", 4) != 0 || !name[4])
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++)
		if (cap_names[i][4] == name[4] && !strcmp(cap_names[i] + 5, name + 5))
			return (int)i;
	return -1;
}

/* ---- rlimits ---- */

static const struct name_value rlimits[] = {
    {"RLIMIT_CPU", RLIMIT_CPU},		  {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},	  {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},	  {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},	  {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},	  {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},	  {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},	  {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

long spec_lookup(const struct name_value *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].name[0] == name[0] && !strcmp(t[i].name, name))
			return t[i].value;
	return -1;
}

int spec_rlimit_type(const char *name)
{
	if (strncmp(name, "RLIMIT_", 7) != 0)
		return -1;
	return (int)spec_lookup(rlimits, ARRAY_SIZE(rlimits), name);
}

/* ---- namespaces ---- */

static const struct {
	int flag;
	const char *spec, *proc;
} namespaces[] = {
    {CLONE_NEWPID, "pid", "pid"},	   {CLONE_NEWNET, "network", "net"},
    {CLONE_NEWNS, "mount", "mnt"},	   {CLONE_NEWIPC, "ipc", "ipc"},
    {CLONE_NEWUTS, "uts", "uts"},	   {CLONE_NEWUSER, "user", "user"},
    {CLONE_NEWCGROUP, "cgroup", "cgroup"}, {CLONE_NEWTIME, "time", "time"},
};

int spec_ns_type(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(namespaces); i++)
		if (!strcmp(namespaces[i].spec, name))
			return namespaces[i].flag;
	return -1;
}

const char *spec_ns_name(int clone_flag)
{
	for (size_t i = 0; i < ARRAY_SIZE(namespaces); i++)
		if (namespaces[i].flag == clone_flag)
			return namespaces[i].spec;
	return NULL;
}

const char *spec_ns_proc_name(int clone_flag)
{
	for (size_t i = 0; i < ARRAY_SIZE(namespaces); i++)
		if (namespaces[i].flag == clone_flag)
			return namespaces[i].proc;
	return NULL;
}

/* ---- mount options ---- */

/* One list, two tables: what each word does, and the word list that
 * `features` reports. */
#define MOUNT_OPTIONS(X)                                                                           \
	X("async", MOPT_CLEAR, MS_SYNCHRONOUS)                                                     \
	X("atime", MOPT_CLEAR, MS_NOATIME)                                                         \
	X("bind", MOPT_BIND, MS_BIND)                                                              \
	X("defaults", MOPT_SET, 0)                                                                 \
	X("dev", MOPT_CLEAR, MS_NODEV)                                                             \
	X("diratime", MOPT_CLEAR, MS_NODIRATIME)                                                   \
	X("dirsync", MOPT_SET, MS_DIRSYNC)                                                         \
	X("exec", MOPT_CLEAR, MS_NOEXEC)                                                           \
	X("idmap", MOPT_IDMAP, 0)                                                                  \
	X("iversion", MOPT_SET, MS_I_VERSION)                                                      \
	X("lazytime", MOPT_SET, MS_LAZYTIME)                                                       \
	X("loud", MOPT_CLEAR, MS_SILENT)                                                           \
	X("mand", MOPT_SET, MS_MANDLOCK)                                                           \
	X("noatime", MOPT_SET, MS_NOATIME)                                                         \
	X("nodev", MOPT_SET, MS_NODEV)                                                             \
	X("nodiratime", MOPT_SET, MS_NODIRATIME)                                                   \
	X("noexec", MOPT_SET, MS_NOEXEC)                                                           \
	X("noiversion", MOPT_CLEAR, MS_I_VERSION)                                                  \
	X("nomand", MOPT_CLEAR, MS_MANDLOCK)                                                       \
	X("norelatime", MOPT_CLEAR, MS_RELATIME)                                                   \
	X("nostrictatime", MOPT_CLEAR, MS_STRICTATIME)                                             \
	X("nosuid", MOPT_SET, MS_NOSUID)                                                           \
	X("nosymfollow", MOPT_SET, MS_NOSYMFOLLOW)                                                 \
	X("private", MOPT_PROPAGATION, MS_PRIVATE)                                                 \
	X("rbind", MOPT_RBIND, MS_BIND | MS_REC)                                                   \
	X("relatime", MOPT_SET, MS_RELATIME)                                                       \
	X("remount", MOPT_SET, MS_REMOUNT)                                                         \
	X("ridmap", MOPT_IDMAP, 0)                                                                 \
	X("ro", MOPT_SET, MS_RDONLY)                                                               \
	X("rprivate", MOPT_PROPAGATION, MS_PRIVATE | MS_REC)                                       \
	X("rshared", MOPT_PROPAGATION, MS_SHARED | MS_REC)                                         \
	X("rslave", MOPT_PROPAGATION, MS_SLAVE | MS_REC)                                           \
	X("runbindable", MOPT_PROPAGATION, MS_UNBINDABLE | MS_REC)                                 \
	X("rw", MOPT_CLEAR, MS_RDONLY)                                                             \
	X("shared", MOPT_PROPAGATION, MS_SHARED)                                                   \
	X("silent", MOPT_SET, MS_SILENT)                                                           \
	X("slave", MOPT_PROPAGATION, MS_SLAVE)                                                     \
	X("strictatime", MOPT_SET, MS_STRICTATIME)                                                 \
	X("suid", MOPT_CLEAR, MS_NOSUID)                                                           \
	X("sync", MOPT_SET, MS_SYNCHRONOUS)                                                        \
	X("tmpcopyup", MOPT_TMPCOPYUP, 0)                                                          \
	X("unbindable", MOPT_PROPAGATION, MS_UNBINDABLE)

#define MOPT_ENTRY(n, k, f) {n, k, f},
#define MOPT_NAME(n, k, f)  n,
static const struct mount_opt mount_opts[] = {MOUNT_OPTIONS(MOPT_ENTRY)};
const char *const spec_mount_options[] = {MOUNT_OPTIONS(MOPT_NAME) NULL};

const struct mount_opt *spec_mount_opt(const char *word)
{
	for (size_t i = 0; i < ARRAY_SIZE(mount_opts); i++)
		if (mount_opts[i].name[0] == word[0] && !strcmp(mount_opts[i].name, word))
			return &mount_opts[i];
	return NULL;
}

unsigned long spec_propagation(const char *name)
{
	const struct mount_opt *o = spec_mount_opt(name);
	return o && o->kind == MOPT_PROPAGATION ? o->ms : 0;
}

/* ---- process scheduling and personality ---- */

/* SCHED_ISO is reserved in the kernel's ABI (4) but not implemented;
 * the spec lists it, so it parses and sched_setattr will refuse it. */
const struct name_value spec_sched_policies[] = {
    {"SCHED_OTHER", SCHED_NORMAL},	{"SCHED_FIFO", SCHED_FIFO}, {"SCHED_RR", SCHED_RR},
    {"SCHED_BATCH", SCHED_BATCH},	{"SCHED_ISO", 4},	    {"SCHED_IDLE", SCHED_IDLE},
    {"SCHED_DEADLINE", SCHED_DEADLINE},
};
const size_t spec_n_sched_policies = ARRAY_SIZE(spec_sched_policies);

const struct name_value spec_sched_flags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", SCHED_FLAG_RESET_ON_FORK},
    {"SCHED_FLAG_RECLAIM", SCHED_FLAG_RECLAIM},
    {"SCHED_FLAG_DL_OVERRUN", SCHED_FLAG_DL_OVERRUN},
    {"SCHED_FLAG_KEEP_POLICY", SCHED_FLAG_KEEP_POLICY},
    {"SCHED_FLAG_KEEP_PARAMS", SCHED_FLAG_KEEP_PARAMS},
    {"SCHED_FLAG_UTIL_CLAMP_MIN", SCHED_FLAG_UTIL_CLAMP_MIN},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", SCHED_FLAG_UTIL_CLAMP_MAX},
};
const size_t spec_n_sched_flags = ARRAY_SIZE(spec_sched_flags);

const struct name_value spec_ioprio_classes[] = {
    {"IOPRIO_CLASS_RT", IOPRIO_CLASS_RT},
    {"IOPRIO_CLASS_BE", IOPRIO_CLASS_BE},
    {"IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE},
};
const size_t spec_n_ioprio_classes = ARRAY_SIZE(spec_ioprio_classes);

const struct name_value spec_personality_flags[] = {
    {"UNAME26", UNAME26},
    {"ADDR_NO_RANDOMIZE", ADDR_NO_RANDOMIZE},
    {"FDPIC_FUNCPTRS", FDPIC_FUNCPTRS},
    {"MMAP_PAGE_ZERO", MMAP_PAGE_ZERO},
    {"ADDR_COMPAT_LAYOUT", ADDR_COMPAT_LAYOUT},
    {"READ_IMPLIES_EXEC", READ_IMPLIES_EXEC},
    {"ADDR_LIMIT_32BIT", ADDR_LIMIT_32BIT},
    {"SHORT_INODE", SHORT_INODE},
    {"WHOLE_SECONDS", WHOLE_SECONDS},
    {"STICKY_TIMEOUTS", STICKY_TIMEOUTS},
    {"ADDR_LIMIT_3GB", ADDR_LIMIT_3GB},
};
const size_t spec_n_personality_flags = ARRAY_SIZE(spec_personality_flags);
