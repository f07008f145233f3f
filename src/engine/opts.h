/* opts.h — what `capsa run` / `capsa create` were asked for, and the
 * parsers for their flag values ("512m", "1.5" CPUs, env files, volume
 * and mount specs, ulimits).  Parsers fill `e` with a message naming the
 * flag and the value, and leave nothing allocated on failure.
 */
#ifndef CAPSA_ENGINE_OPTS_H
#define CAPSA_ENGINE_OPTS_H

#include "net/ports.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;

enum mount_kind { MK_BIND, MK_TMPFS };

struct vol {
	enum mount_kind kind;
	char *src; /* absolute host path (bind) */
	char *dst; /* absolute container path */
	bool ro;
	char *opts; /* tmpfs: "size=64m,mode=1777" style, or NULL */
};

struct ulimit {
	char name[32]; /* RLIMIT_NOFILE */
	uint64_t soft, hard;
};

/* A growable NULL-terminated vector of malloc'd strings. */
struct strv {
	char **v;
	size_t n, cap;
};

int strv_push(struct strv *s, const char *str);
void strv_clear(struct strv *s);

struct run_opts {
	/* what to run */
	const char *image;  /* IMAGE (or --image) */
	const char *rootfs; /* --rootfs DIR */
	char **args;	    /* COMMAND [ARG...] (points into argv) */
	const char *entrypoint;
	bool has_entrypoint;
	/* how */
	const char *name;
	bool detach, rm, interactive, tty, read_only, privileged, init, no_new_privs;
	bool seccomp_unconfined;
	const char *seccomp_file;
	const char *workdir, *user, *hostname;
	struct strv env;  /* KEY=VALUE, in order (env files expanded) */
	struct vol *vols; /* -v, --mount, --tmpfs */
	size_t n_vols;
	struct strv cap_add, cap_drop; /* CAP_ names, or "ALL" */
	struct ulimit *ulimits;
	size_t n_ulimits;
	int64_t memory;		       /* bytes, 0 = none */
	int64_t cpu_quota, cpu_period; /* 0 = none */
	int64_t pids_limit;	       /* 0 = none */
	int stop_signal;	       /* 0 = image's or SIGTERM */
	int stop_timeout;	       /* -1 = default (10) */
	const char *pull;	       /* missing|always|never */
	const char *platform;
	const char *net; /* NULL: the default (engine/ctr_net.h); see net/net.h */
	struct net_port ports[32]; /* -p */
	size_t nports;
	bool publish_all; /* -P: every ExposedPorts of the image */
	int64_t log_max; /* log rotation size */
};

void run_opts_free(struct run_opts *o);

/* "512m", "1g", "100k", "4096", "1.5g": bytes.  Suffixes b k m g t
 * (powers of 1024), case-insensitive. */
int parse_size(const char *flag, const char *s, int64_t *out, struct err *e);

/* --cpus 1.5 -> quota 150000 period 100000. */
int parse_cpus(const char *s, int64_t *quota, int64_t *period, struct err *e);

/* --cpu 50 (percent of one core) -> quota 50000 period 100000. */
int parse_cpu_percent(const char *s, int64_t *quota, int64_t *period, struct err *e);

/* -e KEY=VALUE or -e KEY (taken from our environment; absent: skipped). */
int parse_env(struct strv *env, const char *s, struct err *e);

/* --env-file FILE: KEY=VALUE or KEY lines, '#' comments, blank lines. */
int parse_env_file(struct strv *env, const char *path, struct err *e);

/* -v SRC:DST[:ro|rw]; SRC must exist (a named volume is not supported). */
int parse_volume(const char *s, struct vol *out, struct err *e);

/* --mount type=bind,source=S,target=T[,readonly] |
 * type=tmpfs,target=T[,tmpfs-size=N][,tmpfs-mode=M] */
int parse_mount(const char *s, struct vol *out, struct err *e);

/* --tmpfs DST[:OPTIONS] */
int parse_tmpfs(const char *s, struct vol *out, struct err *e);

/* --ulimit nofile=1024[:2048] */
int parse_ulimit(const char *s, struct ulimit *out, struct err *e);

/* --cap-add/--cap-drop NAME: "net_admin", "CAP_NET_ADMIN", "ALL". */
int parse_cap(const char *flag, const char *s, struct strv *out, struct err *e);

void vol_free(struct vol *v);

#endif
