/* store.c — see store.h. */
#include "engine/store.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/userns.h"
#include "engine/reap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* `out` = $env when set, else `def`. */
static int pick(char *out, size_t len, const char *env, const char *def, struct err *e)
{
	const char *v = getenv(env);
	if (snprintf(out, len, "%s", v && *v ? v : def) >= (int)len)
		return err_msg(e, ENAMETOOLONG, "%s: path too long", env);
	return 0;
}

static int default_roots(struct ctr_store *s, struct err *e)
{
	char root[PATH_MAX], storage[PATH_MAX];
	unsigned uid = (unsigned)geteuid();
	const char *xdg = getenv("XDG_RUNTIME_DIR"), *data = getenv("XDG_DATA_HOME"),
		   *home = getenv("HOME");
	if (uid == 0) {
		snprintf(root, sizeof(root), "/run/capsa");
		snprintf(storage, sizeof(storage), "/var/lib/capsa");
	} else {
		if (xdg && *xdg)
			snprintf(root, sizeof(root), "%s/capsa", xdg);
		else
			snprintf(root, sizeof(root), "/tmp/capsa-%u", uid);
		if (data && *data)
			snprintf(storage, sizeof(storage), "%s/capsa", data);
		else
			snprintf(storage, sizeof(storage), "%s/.local/share/capsa",
				 home ? home : "");
	}
	int r = pick(s->root, sizeof(s->root), "CAPSA_ROOT", root, e);
	return r < 0 ? r : pick(s->storage, sizeof(s->storage), "CAPSA_STORAGE", storage, e);
}

static int open_dir(const char *root, const char *sub, struct err *e)
{
	char p[PATH_MAX];
	if (snprintf(p, sizeof(p), "%s/%s", root, sub) >= (int)sizeof(p))
		return err_msg(e, ENAMETOOLONG, "%s/%s: path too long", root, sub);
	/* It exists but on the first run: open, and make it only then. */
	int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		int r = mkdir_p(p, 0700, e);
		if (r < 0)
			return r;
		fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0)
		return err_sys(e, errno, "open %s", p);
	return fd;
}

const char *ctr_store_self(struct ctr_store *s)
{
	if (!s->self[0]) {
		ssize_t n = readlink("/proc/self/exe", s->self, sizeof(s->self) - 1);
		if (n <= 0)
			return NULL;
		s->self[n] = '\0';
	}
	return s->self;
}

int ctr_store_open(struct ctr_store *s, struct err *e)
{
	memset(s, 0, sizeof(*s));
	s->ctrs = s->names = s->mntns = -1;
	int r = default_roots(s, e);
	if (r < 0)
		return r;
	if (snprintf(s->runtime, sizeof(s->runtime), "%s/oci", s->root) >=
		(int)sizeof(s->runtime) ||
	    snprintf(s->seccomp, sizeof(s->seccomp), "%s/seccomp", s->root) >=
		(int)sizeof(s->seccomp))
		return err_msg(e, ENAMETOOLONG, "%s: path too long", s->root);
	if ((s->ctrs = open_dir(s->root, "containers", e)) < 0)
		return s->ctrs;
	if ((s->names = open_dir(s->root, "names", e)) < 0)
		return s->names;
	return 0;
}

void ctr_store_reap_later(struct ctr_store *s, const char *storage)
{
	if (!storage[0])
		return;
	if (s->reap[0] && strcmp(storage, s->reap) != 0)
		reap_spawn(s->reap, -1);
	snprintf(s->reap, sizeof(s->reap), "%s", storage);
}

void ctr_store_close(struct ctr_store *s)
{
	if (s->reap[0] || s->mntns >= 0)
		reap_spawn(s->reap[0] ? s->reap : NULL, s->mntns);
	if (s->mntns >= 0)
		close(s->mntns);
	s->reap[0] = '\0';
	s->mntns = -1;
	if (s->ctrs >= 0)
		close(s->ctrs);
	if (s->names >= 0)
		close(s->names);
	s->ctrs = s->names = -1;
}

static int flock_retry(int fd, int op)
{
	int r;
	do
		r = flock(fd, op);
	while (r < 0 && errno == EINTR);
	return r;
}

int ctr_store_create(struct ctr_store *s, const char *id, int *dirfd, struct err *e)
{
	if (mkdirat(s->ctrs, id, 0700) < 0)
		return err_sys(e, errno, "container %.12s: create its directory", id);
	return ctr_store_lock(s, id, true, dirfd, e);
}

int ctr_store_lock(struct ctr_store *s, const char *id, bool lock, int *dirfd, struct err *e)
{
	int fd = openat(s->ctrs, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return err_msg(e, ENOENT, "no such container: %.12s", id);
		return err_sys(e, errno, "container %.12s", id);
	}
	if (lock && flock_retry(fd, LOCK_EX) < 0) {
		int r = err_sys(e, errno, "container %.12s: lock", id);
		close(fd);
		return r;
	}
	/* Removed while we waited for the lock: the directory was renamed. */
	struct stat a, b;
	if (fstatat(s->ctrs, id, &a, AT_SYMLINK_NOFOLLOW) < 0 || fstat(fd, &b) < 0 ||
	    a.st_ino != b.st_ino) {
		close(fd);
		return err_msg(e, ENOENT, "no such container: %.12s", id);
	}
	*dirfd = fd;
	return 0;
}

static int read_name(struct ctr_store *s, const char *name, char id[ID_HEX + 1])
{
	char buf[ID_HEX + 2];
	ssize_t n = readlinkat(s->names, name, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (!id_is_full(buf))
		return -EINVAL;
	memcpy(id, buf, ID_HEX + 1);
	return 0;
}

int ctr_store_lookup(struct ctr_store *s, const char *ref, char id[ID_HEX + 1], struct err *e)
{
	if (!*ref || strchr(ref, '/') || ref[0] == '.')
		return err_msg(e, ENOENT, "no such container: \"%s\"", ref);
	if (id_is_full(ref) && faccessat(s->ctrs, ref, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		memcpy(id, ref, ID_HEX + 1);
		return 0;
	}
	if (read_name(s, ref, id) == 0 && faccessat(s->ctrs, id, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (!id_is_prefix(ref))
		return err_msg(e, ENOENT, "no such container: %s", ref);
	DIR *d = opendir_at(s->ctrs, NULL);
	if (!d)
		return err_sys(e, errno, "read containers");
	size_t len = strlen(ref), found = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, ref, len) || !id_is_full(de->d_name))
			continue;
		if (found++ == 0)
			memcpy(id, de->d_name, ID_HEX + 1);
	}
	closedir(d);
	if (found == 1)
		return 0;
	if (found > 1)
		return err_msg(e, EINVAL, "container prefix %s: ambiguous (%zu containers)", ref,
			       found);
	return err_msg(e, ENOENT, "no such container: %s", ref);
}

int ctr_store_list(struct ctr_store *s, char ***ids, struct err *e)
{
	DIR *d = opendir_at(s->ctrs, NULL);
	if (!d)
		return err_sys(e, errno, "read containers");
	size_t n = 0, cap = 16;
	bool oom = false;
	char **v = calloc(cap, sizeof(*v));
	struct dirent *de;
	while (v && !oom && (de = readdir(d))) {
		if (!id_is_full(de->d_name))
			continue;
		if (n + 2 > cap) {
			char **nv = realloc(v, (cap *= 2) * sizeof(*v));
			if (!nv) {
				oom = true;
				break;
			}
			v = nv;
		}
		if (!(v[n] = strdup(de->d_name)))
			oom = true;
		else
			v[++n] = NULL;
	}
	closedir(d);
	if (!v || oom) {
		_cleanup_strv_ char **tmp = v;
		return err_sys(e, ENOMEM, "list containers");
	}
	*ids = v;
	return 0;
}

int ctr_store_remove(struct ctr_store *s, const char *id, struct err *e)
{
	char tmp[ID_HEX + 8];
	snprintf(tmp, sizeof(tmp), ".rm-%s", id);
	if (renameat(s->ctrs, id, s->ctrs, tmp) < 0) {
		if (errno == ENOENT)
			return 0;
		return err_sys(e, errno, "container %.12s: remove", id);
	}
	/* The files every container has go by name, and the directory with
	 * them; anything else (logs, a console socket …) takes the walk. */
	static const char *const files[] = {"record.json", "config.json", "hosts", "hostname",
					    "resolv.conf"};
	char path[sizeof(tmp) + 16];
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmp, files[i]);
		unlinkat(s->ctrs, path, 0);
	}
	if (unlinkat(s->ctrs, tmp, AT_REMOVEDIR) == 0)
		return 0;
	int r = userns_rm_rf_at(s->ctrs, tmp);
	if (r < 0)
		return err_sys(e, -r, "container %.12s: remove its directory", id);
	return 0;
}

/* The global lock: held only for the few syscalls of a name change. */
static int global_lock(struct ctr_store *s, struct err *e)
{
	int fd = openat(s->names, "../names.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_sys(e, errno, "open %s/names.lock", s->root);
	if (flock_retry(fd, LOCK_EX) < 0) {
		int r = err_sys(e, errno, "lock %s/names.lock", s->root);
		close(fd);
		return r;
	}
	return fd;
}

/* A name whose container is gone (a create killed half-way) is free. */
static bool name_is_stale(struct ctr_store *s, const char *name)
{
	char id[ID_HEX + 1];
	if (read_name(s, name, id) < 0)
		return false;
	return faccessat(s->ctrs, id, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
}

static int reserve_locked(struct ctr_store *s, const char *name, const char *id, struct err *e)
{
	if (symlinkat(id, s->names, name) == 0)
		return 0;
	if (errno == EEXIST && name_is_stale(s, name) && unlinkat(s->names, name, 0) == 0 &&
	    symlinkat(id, s->names, name) == 0)
		return 0;
	if (errno == EEXIST) {
		char other[ID_HEX + 1] = "";
		read_name(s, name, other);
		return err_msg(e, EEXIST,
			       "container name \"%s\" is already in use by container %.12s", name,
			       other);
	}
	return err_sys(e, errno, "container name \"%s\"", name);
}

int names_reserve(struct ctr_store *s, const char *name, const char *id, struct err *e)
{
	int r = name_check(name, e);
	if (r < 0)
		return r;
	_cleanup_close_ int lk = global_lock(s, e);
	if (lk < 0)
		return lk;
	return reserve_locked(s, name, id, e);
}

void names_release(struct ctr_store *s, const char *name, const char *id)
{
	if (!name || !*name)
		return;
	_cleanup_close_ int lk = global_lock(s, NULL);
	char cur[ID_HEX + 1];
	if (read_name(s, name, cur) == 0 && !strcmp(cur, id))
		unlinkat(s->names, name, 0);
}

int names_rename(struct ctr_store *s, const char *from, const char *to, const char *id,
		 struct err *e)
{
	int r = name_check(to, e);
	if (r < 0)
		return r;
	_cleanup_close_ int lk = global_lock(s, e);
	if (lk < 0)
		return lk;
	if ((r = reserve_locked(s, to, id, e)) < 0)
		return r;
	char cur[ID_HEX + 1];
	if (from && read_name(s, from, cur) == 0 && !strcmp(cur, id))
		unlinkat(s->names, from, 0);
	return 0;
}
