/* spec.h — an OCI runtime-spec (1.1+, Linux) config.json, parsed.
 *
 * spec_load() reads and validates the whole document: unknown fields are
 * ignored (the spec says so), a wrong type or an impossible value is an
 * error that names the JSON path.  Everything the runtime needs later is
 * here as plain C data, resolved once (capability names to bits, rlimit
 * names to RLIMIT_*, namespace types to CLONE_* flags, seccomp actions to
 * SCMP_ACT_*), so the container's init never touches JSON.
 *
 * All memory belongs to spec->arena; spec_free() releases it at once.
 */
#ifndef CAPSA_RUNTIME_SPEC_H
#define CAPSA_RUNTIME_SPEC_H

#include "base/arena.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sock_filter;

struct err;

struct spec_idmap {
	uint32_t container_id, host_id, size;
};

struct spec_mount {
	char *destination; /* absolute, validated */
	char *source;	   /* may be NULL */
	char *type;	   /* may be NULL (then a bind if options say so) */
	char **options;	   /* NULL-terminated, raw option words */
	size_t n_options;
	/* Resolved from options by spec_load(): */
	unsigned long flags;	   /* MS_* to set (MS_BIND, MS_RDONLY, MS_NOSUID …) */
	unsigned long clear_flags; /* MS_* explicitly cleared ("rw", "suid" …) */
	unsigned long propagation; /* MS_SHARED|MS_SLAVE|MS_PRIVATE|MS_UNBINDABLE (+MS_REC) */
	char *data;		   /* the rest, comma-joined, for mount(2) data */
	bool is_bind;		   /* "bind" or "rbind" (or type "bind") */
	bool recursive_bind;	   /* "rbind" */
	bool tmpcopyup;		   /* crun/runc extension, accepted */
	struct spec_idmap *uid_mappings, *gid_mappings; /* idmapped mounts */
	size_t n_uid_mappings, n_gid_mappings;
};

struct spec_hook {
	char *path;  /* absolute */
	char **args; /* NULL-terminated, may be NULL (then argv = {path}) */
	char **env;  /* NULL-terminated, may be NULL */
	int timeout; /* seconds, 0 = none */
};

enum spec_hook_kind {
	HOOK_PRESTART,
	HOOK_CREATE_RUNTIME,
	HOOK_CREATE_CONTAINER,
	HOOK_START_CONTAINER,
	HOOK_POSTSTART,
	HOOK_POSTSTOP,
	HOOK__COUNT,
};

struct spec_hooks {
	struct spec_hook *list[HOOK__COUNT];
	size_t n[HOOK__COUNT];
};

struct spec_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft, hard;
};

/* Capability sets as bit masks (bit n = capability number n). */
struct spec_caps {
	uint64_t bounding, effective, inheritable, permitted, ambient;
};

struct spec_user {
	uint32_t uid, gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char *username; /* Windows field, kept for completeness */
};

struct spec_process {
	bool terminal;
	bool has_console_size;
	uint32_t console_height, console_width;
	struct spec_user user;
	char **args; /* NULL-terminated, at least one element */
	size_t n_args;
	char *command_line; /* Windows */
	char **env;	    /* NULL-terminated, may be NULL */
	size_t n_env;
	char *cwd; /* absolute */
	bool has_caps;
	struct spec_caps caps;
	struct spec_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	char *apparmor_profile;
	bool has_oom_score_adj;
	int oom_score_adj;
	char *selinux_label;
	bool has_io_priority;
	int io_priority_class; /* IOPRIO_CLASS_* */
	int io_priority;
	bool has_scheduler;
	int sched_policy; /* SCHED_* */
	int sched_nice, sched_priority;
	uint64_t sched_flags, sched_runtime, sched_deadline, sched_period;
};

struct spec_namespace {
	int type;   /* CLONE_NEWUSER, CLONE_NEWNS, … */
	char *path; /* join this one instead of creating; NULL = new */
};

struct spec_device {
	char *path; /* absolute, inside the container */
	char type;  /* 'c', 'b', 'u' (= 'c'), 'p' */
	int64_t major, minor;
	bool has_mode, has_uid, has_gid;
	uint32_t mode, uid, gid;
};

/* Seccomp, with actions already mapped to libseccomp SCMP_ACT_* values. */
struct spec_seccomp_arg {
	unsigned index; /* 0..5 */
	uint64_t value, value_two;
	int op; /* enum scmp_compare */
};

struct spec_seccomp_rule {
	char **names; /* NULL-terminated */
	size_t n_names;
	uint32_t action; /* SCMP_ACT_*, errno folded in for SCMP_ACT_ERRNO */
	struct spec_seccomp_arg *args;
	size_t n_args;
};

struct spec_seccomp {
	uint32_t default_action;
	char **architectures; /* "SCMP_ARCH_X86_64" …, NULL-terminated, may be NULL */
	size_t n_architectures;
	char **flags; /* "SECCOMP_FILTER_FLAG_LOG" …, NULL-terminated, may be NULL */
	size_t n_flags;
	char *listener_path;
	char *listener_metadata;
	struct spec_seccomp_rule *rules;
	size_t n_rules;
	/* Filled by seccomp_prepare() from its cache: the compiled filter,
	 * loaded as is (no libseccomp in the container's init). */
	struct sock_filter *bpf;
	unsigned short bpf_len;
	unsigned int bpf_flags; /* SECCOMP_FILTER_FLAG_* */
};

struct spec_sysctl {
	char *key, *value;
};

struct spec_time_offset {
	int64_t secs;
	uint32_t nanosecs;
	bool set;
};

struct spec_linux {
	struct spec_namespace *namespaces;
	size_t n_namespaces;
	int ns_new;  /* OR of CLONE_NEW* to create (no path) */
	int ns_join; /* OR of CLONE_NEW* to join by path */
	struct spec_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct spec_time_offset time_monotonic, time_boottime;
	struct spec_device *devices;
	size_t n_devices;
	char *cgroups_path;
	/* linux.resources, kept as JSON for the cgroup layer (runtime/cgroup.h),
	 * which validates it; NULL when absent.  Owned by the spec. */
	json_object *resources;
	unsigned long rootfs_propagation; /* MS_* or 0 when unset */
	char **masked_paths;
	size_t n_masked_paths;
	char **readonly_paths;
	size_t n_readonly_paths;
	char *mount_label;
	struct spec_sysctl *sysctl;
	size_t n_sysctl;
	struct spec_seccomp *seccomp; /* NULL when absent */
	bool has_personality;
	unsigned long personality; /* PER_LINUX or PER_LINUX32 | flags */
};

#define SPEC_ROOT_OVERLAY "run.capsa.rootfs.overlay"

struct spec_annotation {
	char *key, *value;
};

struct spec {
	struct arena arena;
	char *oci_version;
	char *root_path; /* absolute: resolved against the bundle */
	bool root_readonly;
	char *hostname;
	char *domainname;
	struct spec_mount *mounts;
	size_t n_mounts;
	struct spec_process *process; /* NULL when absent */
	struct spec_hooks hooks;
	struct spec_annotation *annotations;
	size_t n_annotations;
	/* annotations[SPEC_ROOT_OVERLAY]: mount the root as this overlay in
	 * the container's mount namespace instead of binding root.path over
	 * itself.  How a rootless engine gives a container an overlay root:
	 * only inside the container's user namespace may it mount one. */
	const char *root_overlay;
	struct spec_linux lnx; /* "linux" (a predefined macro in GNU C) */
};

/* Parse `bundle`/config.json.  The root path is made absolute against the
 * bundle directory.  On error `*out` is NULL and `e` says what is wrong. */
int spec_load(const char *bundle, struct spec **out, struct err *e);

/* The same for `bundle`'s config.json already in memory (`len` bytes of
 * `text`, which the engine just wrote): parsed and checked as spec_load
 * does, without reading the file back. */
int spec_load_buf(const char *bundle, const char *text, size_t len, struct spec **out,
		  struct err *e);

/* Parse a config document already in memory; `doc` names it in errors
 * ("config.json").  `bundle` resolves a relative root.path (may be NULL). */
int spec_parse(const char *json, const char *doc, const char *bundle, struct spec **out,
	       struct err *e);

/* Parse a bare process object (runc exec --process FILE), `len` bytes of
 * `text`, into `s`'s arena; `doc` names it in errors. */
int spec_parse_process(struct spec *s, const char *text, size_t len, const char *doc,
		       struct spec_process **out, struct err *e);

void spec_free(struct spec *s);

/* Lookup tables shared with other modules (also used by `features`). */
int spec_ns_type(const char *name);	       /* "pid" -> CLONE_NEWPID, -1 unknown */
const char *spec_ns_name(int clone_flag);      /* CLONE_NEWPID -> "pid" */
const char *spec_ns_proc_name(int clone_flag); /* CLONE_NEWNET -> "net" (/proc/PID/ns/...) */
int spec_rlimit_type(const char *name);	       /* "RLIMIT_NOFILE" -> RLIMIT_NOFILE, -1 unknown */
int spec_cap_number(const char *name);	       /* "CAP_KILL" -> 5, -1 unknown */
const char *spec_cap_name(int n);	       /* 5 -> "CAP_KILL", NULL unknown */
int spec_cap_count(void);		       /* number of names in the table */
/* Every mount option word capsa understands, NULL-terminated. */
extern const char *const spec_mount_options[];

#endif
