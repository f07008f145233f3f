/* container.h — the OCI runtime's operations on containers: the whole
 * interface that the runc-compatible CLI (and later the engine) uses.
 *
 * Every operation takes the state root (--root) and a container ID; the
 * state lives in <root>/<id>/ (state.h).  Nothing here knows about
 * images, names or networks.
 */
#ifndef CAPSA_RUNTIME_CONTAINER_H
#define CAPSA_RUNTIME_CONTAINER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

struct err;

struct rt_create_opts {
	const char *root; /* state root */
	const char *id;
	const char *bundle; /* directory with config.json; NULL = cwd */
	/* The bundle's config.json as its writer has it in memory (`config_len`
	 * bytes), or NULL: then it is read from the bundle.  The file must
	 * exist all the same (exec and the poststop hooks read it later). */
	const char *config;
	size_t config_len;
	const char *pid_file;	    /* write the init's pid here (may be NULL) */
	const char *console_socket; /* send the pty master here (terminal: true) */
	bool no_pivot;
	bool no_new_keyring;
	bool no_cgroup;	  /* no cgroup of its own; resources checked, not applied */
	bool cgroup_lean; /* v1: no cgroup where nothing asks for one (cgroup.h cg_create) */
	int preserve_fds;
	const char *seccomp_cache; /* compiled filters kept here (seccomp.h); NULL: none */
	/* rt_run in the foreground: if set, whether the OOM killer killed
	 * a process of the container's cgroup (read before it goes). */
	bool *oom_killed;
	/* rt_run in the foreground: if set, receives an fd on the init's
	 * mount namespace (/proc/PID/ns/mnt, opened while it ran), or -1.
	 * While the caller holds it, the namespace and its mounts (the
	 * overlay root) outlive the init: they are torn down when the last
	 * holder closes it, not in the exit rt_run waits for.  The caller
	 * closes it (or hands it on). */
	int *mntns;
};

/* Set the container up; its init waits for rt_start(). */
int rt_create(const struct rt_create_opts *o, struct err *e);

/* Let a created container's init exec the user's process; then the
 * poststart hooks. */
int rt_start(const char *root, const char *id, struct err *e);

/* create + start in one go.  With `detach`, return once the process runs.
 * Otherwise wait for it (forwarding signals, proxying a terminal when
 * there is no console socket), delete the container unless `keep`, and
 * leave its exit status (128+N for signal N) in *status. */
int rt_run(const struct rt_create_opts *o, bool detach, bool keep, int *status, struct err *e);

/* Signal the init (or with `all` every process of the container). */
int rt_kill(const char *root, const char *id, int sig, bool all, struct err *e);

/* Remove a stopped (or created) container; `force` kills a running one. */
int rt_delete(const char *root, const char *id, bool force, struct err *e);

/* The state document (OCI state + runc's rootfs/created/owner). */
int rt_state(const char *root, const char *id, json_object **out, struct err *e);

/* Every container under root, as an array of state documents. */
int rt_list(const char *root, json_object **out, struct err *e);

/* Host pids of the container's processes. */
int rt_pids(const char *root, const char *id, pid_t **pids, size_t *n, struct err *e);

/* Freeze (pause) or thaw (resume) every process of a running container
 * through its cgroup's freezer. */
int rt_pause(const char *root, const char *id, bool pause, struct err *e);

/* Change a running container's limits: `res` is an object like
 * linux.resources; `doc` names it in errors ("resources.json"). */
int rt_update(const char *root, const char *id, json_object *res, const char *doc, struct err *e);

/* Usage of a container's cgroup (runc's stats document: cpu, memory,
 * pids). */
int rt_stats(const char *root, const char *id, json_object **out, struct err *e);

struct spec_process;

struct rt_exec_opts {
	const char *root;
	const char *id;
	const char *process_file; /* --process FILE, or NULL */
	char **args;		  /* used when no process file */
	char **env;		  /* --env additions (NULL-terminated) */
	const char *cwd;	  /* --cwd */
	const char *user;	  /* --user uid[:gid] */
	char **caps;		  /* --cap additions */
	char **additional_gids;	  /* --additional-gids */
	bool tty, no_new_privs, detach;
	const char *pid_file;
	const char *console_socket;
	int preserve_fds;
	const char *seccomp_cache; /* as in rt_create_opts */
};

/* Run another process in a running container's namespaces. */
int rt_exec(const struct rt_exec_opts *o, int *status, struct err *e);

#endif
