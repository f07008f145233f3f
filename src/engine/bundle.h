/* bundle.h — a container's OCI bundle: config.json written into its
 * directory, built in three layers as docker does it: a default spec
 * (docker's capability set, the default seccomp profile, masked and
 * read-only /proc paths, /dev, /dev/shm, /etc/hosts, /etc/hostname,
 * /etc/resolv.conf), then the image config, then the flags.
 */
#ifndef CAPSA_ENGINE_BUNDLE_H
#define CAPSA_ENGINE_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>

struct err;
struct run_opts;

/* What an image contributes (all optional; NULL-terminated vectors). */
struct bundle_image {
	char **entrypoint;
	char **cmd;
	char **env;
	const char *workdir;
	const char *user;
	const char *stop_signal;
};

struct net_result;

struct bundle_in {
	const struct run_opts *o;
	const struct bundle_image *img; /* NULL for --rootfs */
	const char *id;
	const char *rootfs;	/* absolute */
	const char *overlay;	/* rootless: the root's overlay options, or NULL */
	const char *users_root; /* where -u finds /etc/passwd and /etc/group;
				   NULL = rootfs (with `overlay`, rootfs is empty
				   until the runtime mounts it) */
	const char *self_exe;	/* capsa's binary, bound at /dev/init for --init */
	bool rootless;
	/* From net_setup, or NULL (no network of capsa's: own namespace with
	 * lo only, or the host's). */
	const struct net_result *net;
	const char *state_root; /* for the pasta hook (capsa _net_attach ROOT ID) */
};

/* The final process.args (entrypoint + command as docker combines
 * them); NULL-terminated, malloc'd.  Empty -> error "no command". */
int bundle_args(const struct bundle_in *in, char ***out, struct err *e);

/* Write config.json, hosts, hostname and resolv.conf into `dirfd`, a
 * container directory just made and held locked (the files are written
 * in place, not renamed: see bundle.c).  With `config`, also a malloc'd
 * copy of config.json (NUL-terminated, `config_len` bytes) to hand to
 * the runtime (rt_create_opts.config) so it need not read it back. */
int bundle_write(int dirfd, const struct bundle_in *in, char **config, size_t *config_len,
		 struct err *e);

/* The path inside the container where --init binds capsa. */
#define BUNDLE_INIT_PATH "/dev/init"

#endif
