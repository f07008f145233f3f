/* cgroup.h — a container's control groups on v1, v2 and hybrid hosts.
 *
 * The layout is detected per controller at run time (one statfs and one
 * read of /proc/self/cgroup): a controller lives in the v1 hierarchy
 * that has it, or else in the v2 hierarchy.  A container's cgroup is a
 * set of directories, one per hierarchy, recorded in the state
 * directory (cgroup.json) as soon as they exist, so that every later
 * command (update, pause, kill --all, delete) and the cleanup after a
 * crash use the same paths without detecting anything again.
 *
 * Files: cgroup_layout.c (detection, cgroupsPath), cgroup_resources.c
 * (linux.resources JSON -> struct), cgroup_writes.c (struct -> the
 * files to write, per v1/v2), cgroup.c (create, place, destroy, record),
 * cgroup_control.c (freeze, kill, pids, stats, oom),
 * cgroup_devices_bpf.c (the v2 device program).
 */
#ifndef CAPSA_RUNTIME_CGROUP_H
#define CAPSA_RUNTIME_CGROUP_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct err;

/* --- controllers and the host layout ----------------------------------- */

enum cg_ctrl {
	CG_CPU,
	CG_CPUACCT,
	CG_CPUSET,
	CG_MEMORY,
	CG_PIDS,
	CG_BLKIO, /* "io" on v2 */
	CG_DEVICES,
	CG_FREEZER,
	CG_HUGETLB,
	CG_NET_CLS,
	CG_NET_PRIO,
	CG_NCTRL
};

const char *cg_ctrl_name(enum cg_ctrl c); /* v1 name: "cpu", "blkio" … */
/* Bits (1 << enum cg_ctrl) of a list of controller names separated by
 * `sep` (a trailing newline is ignored); `v2`: "io" is CG_BLKIO, and cpu
 * brings cpuacct (cpu.stat has the usage). */
unsigned cg_ctrl_bits(const char *list, char sep, bool v2);

enum cg_mode { CG_MODE_V1, CG_MODE_V2, CG_MODE_HYBRID };

#define CG_MAX_HIER 16

/* One mounted hierarchy the caller belongs to. */
struct cg_hier {
	char name[64];	/* v1: "cpu,cpuacct", "memory" …; v2: "" */
	char mount[96]; /* /sys/fs/cgroup/<name>, /sys/fs/cgroup/unified, /sys/fs/cgroup */
	char self[512]; /* the caller's cgroup in it ("/user.slice/…") */
	unsigned ctrls; /* bit (1 << enum cg_ctrl) for the controllers it holds */
	bool v2;
};

struct cg_layout {
	enum cg_mode mode;
	struct cg_hier h[CG_MAX_HIER];
	size_t n;
};

/* Detect from statfs(/sys/fs/cgroup) and /proc/self/cgroup. */
int cg_detect(struct cg_layout *l, struct err *e);
/* The same from given inputs (for tests): `proc_self_cgroup` is the file's
 * text, `v2_root` whether /sys/fs/cgroup is cgroup2, `unified` whether
 * /sys/fs/cgroup/unified is, `v2_ctrls` the v2 root's cgroup.controllers. */
int cg_detect_from(struct cg_layout *l, const char *proc_self_cgroup, bool v2_root, bool unified,
		   const char *v2_ctrls, struct err *e);

/* The path of a container's cgroup inside each hierarchy, from
 * linux.cgroupsPath: "/abs" (from the hierarchy's root), "rel/path"
 * (under the caller's own cgroup), NULL or "" (the default "capsa/<id>"
 * under the caller's cgroup), or systemd's "slice:prefix:name", mapped
 * to "/<slice tree>/<prefix>-<name>.scope" (no systemd manager is used).
 * Writes an absolute path within the hierarchy into `out`. */
int cg_resolve_path(const char *cgroups_path, const char *id, const char *self, char *out,
		    size_t len, struct err *e);

/* --- linux.resources ----------------------------------------------------- */

struct cg_val {
	int64_t v;
	bool set;
};

struct cg_dev_rule {
	bool allow;
	char type;	      /* 'a', 'c', 'b' */
	int64_t major, minor; /* -1: any */
	char access[4];	      /* subset of "rwm" */
};

struct cg_blk_dev {
	int64_t major, minor;
	uint64_t value; /* weight, or a rate */
	bool has_leaf;
	uint64_t leaf_weight;
};

enum cg_throttle { CG_RBPS, CG_WBPS, CG_RIOPS, CG_WIOPS, CG_NTHROTTLE };

struct cg_resources {
	struct cg_val mem_limit, mem_reservation, mem_swap, mem_swappiness;
	bool mem_disable_oom_killer;
	struct cg_val cpu_shares, cpu_quota, cpu_period, cpu_idle, cpu_rt_runtime, cpu_rt_period;
	char *cpus, *mems;
	struct cg_val pids_limit;
	struct cg_val blkio_weight, blkio_leaf_weight;
	struct cg_blk_dev *weight_devices;
	size_t n_weight_devices;
	struct cg_blk_dev *throttle[CG_NTHROTTLE];
	size_t n_throttle[CG_NTHROTTLE];
	struct {
		char *page_size; /* "2MB" */
		uint64_t limit;
	} * hugepages;
	size_t n_hugepages;
	struct cg_dev_rule *devices;
	size_t n_devices;
	struct cg_val net_class_id;
	struct {
		char *name;
		uint32_t prio;
	} * net_prios;
	size_t n_net_prios;
	struct {
		char *key, *value;
	} * unified;
	size_t n_unified;
};

/* The smallest memory limit accepted (bytes). */
#define CG_MIN_MEMORY (6 * 1024 * 1024)

struct arena;
/* Parse a resources object (linux.resources, or an `update` file);
 * `doc` and `path` name it in errors ("config.json", "linux.resources").
 * Strings go to `a`.  Values out of range are errors. */
int cg_resources_parse(json_object *obj, const char *doc, const char *path, struct arena *a,
		       struct cg_resources *out, struct err *e);

/* The nodes of linux.devices are the container's own: allow them (rwm)
 * after the rules, as runc does.  Nothing when there are no rules. */
int cg_resources_allow_device(struct cg_resources *r, struct arena *a, char type, int64_t major,
			      int64_t minor);

/* Whether anything in `r` is a limit (devices rules alone are not: a
 * rootless container cannot make device nodes anyway). */
bool cg_resources_limit_anything(const struct cg_resources *r);

/* --- resources -> files -------------------------------------------------- */

struct cg_write {
	enum cg_ctrl ctrl;
	char file[64];	   /* "memory.max", "cpu.cfs_quota_us" … */
	char *value;	   /* malloc'd */
	bool retry_ok;	   /* may fail once and succeed after the others (v1 memsw) */
	bool skip_missing; /* asks for no more than the default: a kernel without
			      the file (no swap accounting) already gives it */
};

struct cg_writes {
	struct cg_write *w;
	size_t n, cap;
};

void cg_writes_free(struct cg_writes *ws);

/* The writes that apply `r`, for a controller placed as `v2mask` says
 * (bit set: the controller is on v2).  Devices are not included (v1:
 * cg_devices_v1_writes; v2: the BPF program).  Errors: a unified key for a
 * controller on v1, network settings on v2, a hugepage size not given. */
int cg_plan_writes(const struct cg_resources *r, unsigned v2mask, struct cg_writes *out,
		   struct err *e);
/* v1 devices.allow/devices.deny writes: the rules in order, then the
 * devices every container gets (null, zero, full, random, urandom, tty,
 * console, ptmx, pts). */
int cg_devices_v1_writes(const struct cg_resources *r, struct cg_writes *out, struct err *e);

/* cpu.shares (2..262144) -> cpu.weight (1..10000), as the kernel docs and
 * runc map them; blkio weight (10..1000) -> io.weight (1..10000). */
/* The devices every container may use, whatever its rules. */
size_t cg_default_devices(const struct cg_dev_rule **out);

uint64_t cg_shares_to_weight(uint64_t shares);
uint64_t cg_blkio_to_io_weight(uint64_t w);

/* --- a container's cgroup ------------------------------------------------- */

struct cg_dir {
	char path[640]; /* absolute directory */
	unsigned ctrls; /* controllers it holds for this container */
	bool v2;
};

struct cgroup {
	struct cg_dir d[CG_MAX_HIER];
	size_t n;
	int v2_fd; /* O_PATH|O_DIRECTORY of the v2 directory (CLONE_INTO_CGROUP), or -1 */
};

/* Decide and make the container's cgroup and apply `res` (may be NULL)
 * before any process is in it; record it in `statefd`/cgroup.json.
 * Rootless without a writable (delegated) v2 subtree: with no limits
 * asked, *made is false and nothing happens; with limits, an error that
 * says why and how to get delegation.
 * `lean`: leave out the v1 hierarchies that hold only controllers no
 * limit in `res` uses and no capsa command reads (cpuset, blkio, hugetlb,
 * net_cls, net_prio): the container stays in the caller's cgroup there,
 * with the same CPUs and memory nodes, and the start saves a mkdir, a
 * cgroup.procs write and an rmdir each (the engine's choice; `capsa oci`
 * makes them all, as runc does). */
int cg_create(const char *cgroups_path, const char *id, const struct cg_resources *res, bool lean,
	      int statefd, struct cgroup *cg, bool *made, struct err *e);

/* Move `pid` into the v2 directory only (nothing if there is none). */
int cg_place_v2(const struct cgroup *cg, pid_t pid, struct err *e);
/* The calling process, single-threaded, moves itself into every
 * directory (but the v2 one with `skip_v2`: born there by clone3's
 * CLONE_INTO_CGROUP): "0" into each v1 `tasks` file, which moves one
 * thread and so skips the global cgroup_threadgroup_rwsem (and the RCU
 * grace period that taking it for writing waits for), and into the v2
 * `cgroup.procs` (that one takes it: use CLONE_INTO_CGROUP instead). */
int cg_enter(const struct cgroup *cg, bool skip_v2, struct err *e);
/* Open the v2 directory of a loaded cgroup (O_PATH) into cg->v2_fd, for
 * clone3's CLONE_INTO_CGROUP; -1 when there is none.  cg_close closes it. */
int cg_open_v2(struct cgroup *cg, struct err *e);

/* Open the `tasks` file of every v1 directory (O_WRONLY|O_CLOEXEC) into
 * fds[] (up to `max`; *n of them, in the order of cg->d, paths[] naming
 * each directory).  A process that writes "0" to them moves itself, a
 * single thread, which the kernel does without the global
 * cgroup_threadgroup_rwsem (and its RCU grace period) that a pid written
 * to cgroup.procs takes.  The kernel checks the opener's credentials, so
 * the init may write them from inside a new user namespace.  On error
 * nothing stays open. */
int cg_open_v1_tasks(const struct cgroup *cg, int *fds, const char **paths, size_t max, size_t *n,
		     struct err *e);

/* Apply resources to an existing cgroup (update). */
int cg_apply(const struct cgroup *cg, const struct cg_resources *res, struct err *e);

/* The recorded cgroup of a container (statefd: its state dir).
 * Returns 1 found, 0 no cgroup (rootless without one), <0 error. */
int cg_load(int statefd, struct cgroup *cg, struct err *e);

/* Remove the directories (the processes must be gone: cg_kill_all first).
 * The default "capsa" parent stays for the next container (on v1 a new
 * cpuset parent gets cgroup.clone_children, so that its children start
 * with its CPUs and memory nodes). */
int cg_destroy(const struct cgroup *cg, struct err *e);

void cg_close(struct cgroup *cg);

/* A container is going away: kill what is left in its recorded cgroup
 * and remove it (nothing recorded: nothing to do). */
int cg_remove_recorded(int statefd, struct err *e);
/* The same for the cgroup `cg` in hand, as cg_create made and recorded
 * it in `statefd` (the record goes too); `cg` is spent.  For the runtime
 * that made it: no read of the record back. */
int cg_remove(struct cgroup *cg, int statefd, struct err *e);

/* --- control of a running container -------------------------------------- */

/* Freeze (pause) or thaw (resume); waits until the kernel says frozen. */
int cg_freeze(const struct cgroup *cg, bool frozen, struct err *e);
/* 1 frozen, 0 not, <0 error. */
int cg_is_frozen(const struct cgroup *cg);

/* Signal every process: v2 SIGKILL via cgroup.kill; otherwise freeze,
 * signal each one, thaw.  Then, for SIGKILL, wait until it is empty. */
int cg_kill_all(const struct cgroup *cg, int sig, struct err *e);

/* Host pids in the container's cgroup (malloc'd). */
int cg_pids(const struct cgroup *cg, pid_t **pids, size_t *n, struct err *e);

/* 1 if the kernel's OOM killer killed a process in the cgroup. */
int cg_oom_killed(const struct cgroup *cg);

/* runc's stats document: {"cpu":…,"memory":…,"pids":…}. */
json_object *cg_stats(const struct cgroup *cg);

/* --- v2 devices ---------------------------------------------------------- */

/* Load a BPF_PROG_TYPE_CGROUP_DEVICE program enforcing `r`'s device rules
 * (plus the default devices) and attach it to `cgfd`. */
int cg_devices_bpf_attach(int cgfd, const struct cg_resources *r, struct err *e);

#endif
