/* store.c — see store.h: the root, its lock, blobs and layer paths. */
#include "image/store.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/subid.h"
#include "image/ref.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

int store_root_resolve(const char *opt, char *buf, size_t len, struct err *e)
{
	const char *p = opt && *opt ? opt : getenv("CAPSA_STORAGE");
	int n;
	if (p && *p) {
		if (p[0] == '/') {
			n = snprintf(buf, len, "%s", p);
		} else {
			char cwd[PATH_MAX];
			if (!getcwd(cwd, sizeof(cwd)))
				return err_sys(e, errno, "storage \"%s\": current directory", p);
			n = snprintf(buf, len, "%s/%s", cwd, p);
		}
	} else if (geteuid() == 0) {
		n = snprintf(buf, len, "/var/lib/capsa");
	} else {
		const char *xdg = getenv("XDG_DATA_HOME");
		const char *home = getenv("HOME");
		if (xdg && xdg[0] == '/')
			n = snprintf(buf, len, "%s/capsa", xdg);
		else if (home && home[0] == '/')
			n = snprintf(buf, len, "%s/.local/share/capsa", home);
		else
			return err_msg(
			    e, EINVAL,
			    "storage: neither XDG_DATA_HOME nor HOME is set; use --storage "
			    "DIR or CAPSA_STORAGE");
	}
	if (n < 0 || (size_t)n >= len)
		return err_msg(e, ENAMETOOLONG, "storage path too long");
	return 0;
}

/* Mark `dirfd`/`rel`, a directory whose entries are containers'
 * directories (containers/ here, spare/ in spare.c), so that ext4
 * spreads them over its block groups (fs_mark_topdir).  Why: on ext4
 * without a journal every new inode is found by a scan that skips the
 * inodes its group freed in the last minutes; a container's directory
 * and the overlay's probes make and free about a dozen inodes per start,
 * so with all containers in one group that scan grows with every start.
 * Best effort. */
static void store_spread(int dirfd, const char *rel)
{
	int fd = openat(dirfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		fs_mark_topdir(fd);
		close(fd);
	}
}

int store_open(struct store *s, const char *root, struct err *e)
{
	static const char *const dirs[] = {"blobs", "blobs/sha256", "layers", "containers", "tmp"};
	/* Every run opens the store (twice with --rm): make its root only
	 * when it is not there.  The directories in it are made every time:
	 * any of them may be missing (a tool that made only tmp/). */
	int r = store_attach(s, root, e);
	if (r == -ENOENT) {
		if (mkdir_p(root, 0700, e) < 0)
			return err_prefix(e, "storage \"%s\"", root);
		r = store_attach(s, root, e);
	}
	if (r < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (mkdirat(s->dirfd, dirs[i], 0700) == 0) {
			if (!strcmp(dirs[i], "containers"))
				store_spread(s->dirfd, dirs[i]);
		} else if (errno != EEXIST) {
			r = err_sys(e, errno, "storage \"%s\": mkdir %s", root, dirs[i]);
			store_close(s);
			return r;
		}
	}
	return 0;
}

int store_attach(struct store *s, const char *root, struct err *e)
{
	s->dirfd = -1;
	if (snprintf(s->root, sizeof(s->root), "%s", root) >= (int)sizeof(s->root))
		return err_msg(e, ENAMETOOLONG, "storage \"%s\": path too long", root);
	s->dirfd = open(root, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (s->dirfd < 0)
		return err_sys(e, errno, "storage \"%s\"", root);
	return 0;
}

void store_close(struct store *s)
{
	if (s->dirfd >= 0)
		close(s->dirfd);
	s->dirfd = -1;
}

int store_lock(struct store *s, struct err *e)
{
	int fd = openat(s->dirfd, ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_sys(e, errno, "storage \"%s\": lock", s->root);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		int r = err_sys(e, errno, "storage \"%s\": lock", s->root);
		close(fd);
		return r;
	}
	return fd;
}

/* --- blobs ---------------------------------------------------------------- */

int store_blob_path(const struct store *s, const char *digest, char *buf, size_t len)
{
	if (!ref_is_digest(digest))
		return -EINVAL;
	int n = snprintf(buf, len, "%s/blobs/sha256/%s", s->root, digest + 7);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int blob_rel(const char *digest, char buf[96])
{
	if (!ref_is_digest(digest))
		return -EINVAL;
	snprintf(buf, 96, "blobs/sha256/%s", digest + 7);
	return 0;
}

int store_blob_exists(const struct store *s, const char *digest)
{
	char rel[96];
	return blob_rel(digest, rel) == 0 && faccessat(s->dirfd, rel, F_OK, 0) == 0;
}

int store_blob_read(struct store *s, const char *digest, size_t max, char **out, size_t *len,
		    struct err *e)
{
	char rel[96], got[SHA256_DIGEST_STR];
	if (blob_rel(digest, rel) < 0)
		return err_msg(e, EINVAL, "blob \"%s\": not a sha256 digest", digest);
	_cleanup_close_ int fd = openat(s->dirfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(e, errno, "blob %s", digest);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return err_sys(e, errno, "blob %s", digest);
	if ((uint64_t)st.st_size > max)
		return err_msg(e, EFBIG, "blob %s: %lld bytes, more than the %zu allowed", digest,
			       (long long)st.st_size, max);
	_cleanup_free_ char *buf = NULL;
	size_t n;
	int r = read_fd(fd, &buf, &n, e);
	if (r < 0)
		return err_prefix(e, "blob %s", digest);
	sha256_str(buf, n, got);
	if (strcmp(got, digest) != 0)
		return err_msg(e, EIO, "blob %s: digest mismatch (content is %s)", digest, got);
	*out = steal_ptr(buf);
	if (len)
		*len = n;
	return 0;
}

int blob_writer_open(struct store *s, struct blob_writer *w, struct err *e)
{
	uint64_t rnd;
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		return err_sys(e, errno, "blob: random name");
	w->s = s;
	w->size = 0;
	sha256_init(&w->hash);
	snprintf(w->tmp, sizeof(w->tmp), "tmp/blob-%016llx", (unsigned long long)rnd);
	w->fd = openat(s->dirfd, w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (w->fd < 0)
		return err_sys(e, errno, "blob: create %s/%s", s->root, w->tmp);
	/* The flock tells garbage collection this temporary is alive. */
	if (flock(w->fd, LOCK_EX) < 0) {
		int r = err_sys(e, errno, "blob: lock %s/%s", s->root, w->tmp);
		blob_writer_abort(w);
		return r;
	}
	return 0;
}

int blob_writer_write(struct blob_writer *w, const void *buf, size_t n, struct err *e)
{
	const char *p = buf;
	sha256_update(&w->hash, buf, n);
	w->size += n;
	while (n) {
		ssize_t r = write(w->fd, p, n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return err_sys(e, errno, "blob: write %s/%s", w->s->root, w->tmp);
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

void blob_writer_abort(struct blob_writer *w)
{
	if (w->fd >= 0) {
		close(w->fd);
		unlinkat(w->s->dirfd, w->tmp, 0);
	}
	w->fd = -1;
}

int blob_writer_commit(struct blob_writer *w, const char *want, char digest[SHA256_DIGEST_STR],
		       struct err *e)
{
	char rel[96];
	int r;
	sha256_final_str(&w->hash, digest);
	if (want && strcmp(want, digest) != 0) {
		r = err_msg(e, EIO, "blob %s: digest mismatch (content is %s)", want, digest);
		goto fail;
	}
	if (fsync(w->fd) < 0) {
		r = err_sys(e, errno, "blob %s: fsync", digest);
		goto fail;
	}
	blob_rel(digest, rel);
	if (renameat(w->s->dirfd, w->tmp, w->s->dirfd, rel) < 0) {
		r = err_sys(e, errno, "blob %s: rename into place", digest);
		goto fail;
	}
	close(w->fd);
	w->fd = -1;
	return 0;
fail:
	blob_writer_abort(w);
	return r;
}

int store_blob_put(struct store *s, const void *buf, size_t n, char digest[SHA256_DIGEST_STR],
		   struct err *e)
{
	struct blob_writer w;
	int r = blob_writer_open(s, &w, e);
	if (r < 0)
		return r;
	r = blob_writer_write(&w, buf, n, e);
	if (r < 0) {
		blob_writer_abort(&w);
		return r;
	}
	return blob_writer_commit(&w, NULL, digest, e);
}

/* --- layers --------------------------------------------------------------- */

void chain_id_next(const char *parent, const char *diff_id, char out[SHA256_DIGEST_STR])
{
	if (!parent || !*parent) {
		snprintf(out, SHA256_DIGEST_STR, "%s", diff_id);
		return;
	}
	struct sha256 c;
	sha256_init(&c);
	sha256_update(&c, parent, strlen(parent));
	sha256_update(&c, " ", 1);
	sha256_update(&c, diff_id, strlen(diff_id));
	sha256_final_str(&c, out);
}

int store_layer_diff_path(const struct store *s, const char *chain_id, char *buf, size_t len)
{
	if (!ref_is_digest(chain_id))
		return -EINVAL;
	int n = snprintf(buf, len, "%s/layers/%s/diff", s->root, chain_id + 7);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int store_layer_exists(const struct store *s, const char *chain_id)
{
	char rel[96];
	if (!ref_is_digest(chain_id))
		return 0;
	snprintf(rel, sizeof(rel), "layers/%s/diff", chain_id + 7);
	return faccessat(s->dirfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Does ROOT/layers hold a layer? */
static int has_layers(struct store *s)
{
	DIR *d = opendir_at(s->dirfd, "layers");
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	int any = 0;
	struct dirent *de;
	/* Temporaries (.tmp-*) and locks (<hex>.lock) are no layers. */
	while (!any && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		any = de->d_name[0] != '.' && !(n > 5 && !strcmp(de->d_name + n - 5, ".lock"));
	}
	closedir(d);
	return any;
}

/* The mapping on one line, for messages. */
static void one_line(char *s)
{
	size_t n = strlen(s);
	while (n && s[n - 1] == '\n')
		s[--n] = '\0';
	for (char *p = s; (p = strchr(p, '\n'));)
		*p = ';';
}

int store_idmap_check(struct store *s, const struct id_mapping *m, int record, struct err *e)
{
	char want[2048];
	int n = id_mapping_format(m, want, sizeof(want));
	if (n < 0)
		return err_msg(e, -n, "storage \"%s\": id mapping too long", s->root);
	_cleanup_free_ char *have = NULL;
	int r = read_file_at(s->dirfd, "idmap", &have, NULL, NULL);
	if (r == 0 && !strcmp(have, want))
		return 0;
	if (r < 0 && r != -ENOENT)
		return err_sys(e, -r, "storage \"%s\": read idmap", s->root);
	int layers = has_layers(s);
	if (layers < 0)
		return err_sys(e, -layers, "storage \"%s\": layers", s->root);
	if (!layers)
		return record ? write_file_atomic(s->dirfd, "idmap", want, (size_t)n, 0644, e) : 0;
	char old[2048];
	if (r == 0) {
		snprintf(old, sizeof(old), "%s", have);
	} else {
		/* Made before the record: the user alone, or root's identity. */
		struct id_mapping legacy = *m;
		legacy.n_uid = legacy.n_gid = 1;
		if (id_mapping_format(&legacy, old, sizeof(old)) < 0)
			old[0] = '\0';
		if (!strcmp(old, want))
			return record
				   ? write_file_atomic(s->dirfd, "idmap", want, (size_t)n, 0644, e)
				   : 0;
	}
	one_line(old);
	one_line(want);
	return err_msg(e, EINVAL,
		       "storage \"%s\": its layers were unpacked with the id mapping \"%s\" but "
		       "yours is now \"%s\" (were /etc/subuid or /etc/subgid changed?): file "
		       "owners would be wrong; remove its images (capsa rmi) or use another "
		       "--storage",
		       s->root, old, want);
}
