/* load_archive.c — see load_archive.h. */
#include "pull/load_archive.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "image/ref.h"
#include "image/store.h"
#include "pull/unpack_entry.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Member paths become single file names in the temporary directory:
 * "abc/layer.tar" -> "abc%layer.tar" (no directories to create, and no
 * path from the archive ever reaches the file system as a path). */
static void flatten(const char *in, char *out, size_t len)
{
	size_t i = 0;
	for (; *in && i + 1 < len; in++, i++)
		out[i] = *in == '/' ? '%' : *in;
	out[i] = '\0';
}

static const char *blob_digest(const char *clean, char buf[80])
{
	if (strncmp(clean, "blobs/sha256/", 13) != 0)
		return NULL;
	snprintf(buf, 80, "sha256:%s", clean + 13);
	return ref_is_digest(buf) ? buf : NULL;
}

/* "dir/../x" style resolution of a symlink target relative to its
 * member's directory, kept inside the archive. */
static char *resolve_link(const char *member, const char *target)
{
	char *buf = malloc(strlen(member) + strlen(target) + 2);
	if (!buf)
		return NULL;
	const char *slash = strrchr(member, '/');
	size_t n = slash && target[0] != '/' ? (size_t)(slash - member) + 1 : 0;
	memcpy(buf, member, n);
	strcpy(buf + n, target);
	/* Collapse "x/.." pairs; a ".." that climbs out is refused. */
	char *out = buf, *p = buf;
	while (*p) {
		while (*p == '/')
			p++;
		char *end = strchrnul(p, '/');
		size_t len = (size_t)(end - p);
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (out == buf) {
				free(buf);
				return NULL;
			}
			out--;
			while (out > buf && out[-1] != '/')
				out--;
			if (out > buf)
				out--;
		} else if (len && !(len == 1 && p[0] == '.')) {
			if (out != buf)
				*out++ = '/';
			memmove(out, p, len);
			out += len;
		}
		p = end;
	}
	*out = '\0';
	return buf;
}

#define LAYER_BLOB_MIN (4 << 20)

static int save_member(struct load_archive *la, struct store *s, struct archive *a,
		       struct archive_entry *ent, const char *clean, struct err *e)
{
	char dbuf[80];
	const char *digest = blob_digest(clean, dbuf);
	const void *p;
	size_t len;
	la_int64_t off;
	/* Big blobs are layers: they stay in the temporary directory (the
	 * unpacker verifies their digest as it reads them) rather than being
	 * copied, fsync'd and kept in the store. */
	if (digest && archive_entry_size(ent) > LAYER_BLOB_MIN)
		digest = NULL;
	if (digest) {
		if (store_blob_exists(s, digest))
			return 0; /* already verified once; skip the data */
		struct blob_writer w;
		int r = blob_writer_open(s, &w, e);
		if (r < 0)
			return r;
		while ((r = archive_read_data_block(a, &p, &len, &off)) == ARCHIVE_OK)
			if ((r = blob_writer_write(&w, p, len, e)) < 0)
				break;
		if (r != ARCHIVE_EOF) {
			blob_writer_abort(&w);
			return r < 0 && r != ARCHIVE_FATAL && r != ARCHIVE_FAILED
				   ? r
				   : err_msg(e, EIO, "\"%s\": %s", clean, archive_error_string(a));
		}
		char got[SHA256_DIGEST_STR];
		return blob_writer_commit(&w, digest, got, e);
	}
	char flat[512];
	flatten(clean, flat, sizeof(flat));
	_cleanup_close_ int fd =
	    openat(la->tmpfd, flat, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_sys(e, errno, "\"%s\": create", clean);
	int r;
	while ((r = archive_read_data_block(a, &p, &len, &off)) == ARCHIVE_OK) {
		if (pwrite(fd, p, len, (off_t)off) != (ssize_t)len)
			return err_sys(e, errno, "\"%s\": write", clean);
	}
	if (r != ARCHIVE_EOF)
		return err_msg(e, EIO, "\"%s\": %s", clean, archive_error_string(a));
	return 0;
}

static int add_link(struct load_archive *la, const char *clean, const char *target)
{
	struct la_link *v = realloc(la->links, (la->n_links + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	la->links = v;
	v[la->n_links].name = strdup(clean);
	v[la->n_links].target = resolve_link(clean, target);
	if (!v[la->n_links].name || !v[la->n_links].target) {
		free(v[la->n_links].name);
		free(v[la->n_links].target);
		return 0; /* a link that leaves the archive is simply not usable */
	}
	la->n_links++;
	return 0;
}

int load_archive_scan(struct load_archive *la, struct store *s, const char *path, struct err *e)
{
	memset(la, 0, sizeof(*la));
	la->tmpfd = -1;
	char full[PATH_MAX + 32];
	snprintf(full, sizeof(full), "%s/tmp/load-XXXXXX", s->root);
	if (!mkdtemp(full))
		return err_sys(e, errno, "temporary directory in %s/tmp", s->root);
	snprintf(la->tmp, sizeof(la->tmp), "tmp/%s", strrchr(full, '/') + 1);
	la->tmpfd = openat(s->dirfd, la->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* The flock tells garbage collection this temporary is alive. */
	if (la->tmpfd < 0 || flock(la->tmpfd, LOCK_EX) < 0)
		return err_sys(e, errno, "%s", full);

	struct archive *a = archive_read_new();
	if (!a)
		return err_sys(e, ENOMEM, "archive");
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_none(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	int r = strcmp(path, "-") ? archive_read_open_filename(a, path, 1 << 20)
				  : archive_read_open_fd(a, STDIN_FILENO, 1 << 20);
	if (r != ARCHIVE_OK) {
		r = err_msg(e, EINVAL, "%s", archive_error_string(a));
		archive_read_free(a);
		return r;
	}
	struct archive_entry *ent;
	r = 0;
	while (r == 0) {
		int h = archive_read_next_header(a, &ent);
		if (h == ARCHIVE_EOF)
			break;
		if (h != ARCHIVE_OK && h != ARCHIVE_WARN) {
			r = err_msg(e, EINVAL, "not a valid tar archive: %s",
				    archive_error_string(a));
			break;
		}
		_cleanup_free_ char *clean = strdup(archive_entry_pathname(ent));
		if (!clean) {
			r = err_sys(e, ENOMEM, "archive");
			break;
		}
		if (layer_clean_path(clean) != 0)
			continue; /* the root, or a path with "..": never used */
		if (archive_entry_filetype(ent) == AE_IFREG && !archive_entry_hardlink(ent))
			r = save_member(la, s, a, ent, clean, e);
		else if (archive_entry_filetype(ent) == AE_IFLNK)
			r = add_link(la, clean, archive_entry_symlink(ent)) < 0
				? err_sys(e, ENOMEM, "archive")
				: 0;
		else if (archive_entry_hardlink(ent))
			r = add_link(la, clean, archive_entry_hardlink(ent)) < 0
				? err_sys(e, ENOMEM, "archive")
				: 0;
	}
	archive_read_free(a);
	return r;
}

/* A member name after following recorded links (a few hops at most). */
static const char *follow(struct load_archive *la, const char *name)
{
	for (int hop = 0; hop < 8; hop++) {
		size_t i;
		for (i = 0; i < la->n_links; i++)
			if (!strcmp(la->links[i].name, name))
				break;
		if (i == la->n_links)
			return name;
		name = la->links[i].target;
	}
	return name;
}

int load_archive_open(struct load_archive *la, struct store *s, const char *name,
		      const char *digest, struct err *e)
{
	char dbuf[80], rel[96], flat[512];
	if (name) {
		_cleanup_free_ char *clean = strdup(name);
		if (!clean)
			return err_sys(e, ENOMEM, "archive");
		if (layer_clean_path(clean) != 0)
			return err_msg(e, EINVAL, "member \"%s\": invalid path", name);
		const char *real = follow(la, clean);
		digest = blob_digest(real, dbuf);
		if (!digest) {
			flatten(real, flat, sizeof(flat));
			int fd = openat(la->tmpfd, flat, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				return err_sys(e, errno, "member \"%s\"", name);
			return fd;
		}
	}
	if (!digest || !ref_is_digest(digest))
		return err_msg(e, EINVAL, "blob \"%s\": not a sha256 digest", digest ? digest : "");
	/* A big blob kept in the temporary directory, else the store. */
	snprintf(flat, sizeof(flat), "blobs%%sha256%%%s", digest + 7);
	int tfd = openat(la->tmpfd, flat, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (tfd >= 0)
		return tfd;
	snprintf(rel, sizeof(rel), "blobs/sha256/%s", digest + 7);
	int fd = openat(s->dirfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(e, errno, "blob %s (not in the archive?)", digest);
	return fd;
}

int load_archive_has(struct load_archive *la, const char *name)
{
	char flat[512];
	flatten(follow(la, name), flat, sizeof(flat));
	return faccessat(la->tmpfd, flat, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int load_archive_read(struct load_archive *la, struct store *s, const char *name,
		      const char *digest, size_t max, char **out, size_t *len, struct err *e)
{
	_cleanup_close_ int fd = load_archive_open(la, s, name, digest, e);
	if (fd < 0)
		return fd;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return err_sys(e, errno, "member \"%s\"", name ? name : digest);
	if ((uint64_t)st.st_size > max)
		return err_msg(e, EFBIG, "member \"%s\": too big", name ? name : digest);
	int r = read_fd(fd, out, len, e);
	return r < 0 ? err_prefix(e, "member \"%s\"", name ? name : digest) : 0;
}

void load_archive_free(struct load_archive *la, struct store *s)
{
	if (la->tmpfd >= 0)
		close(la->tmpfd);
	if (la->tmp[0])
		rm_rf_at(s->dirfd, la->tmp);
	for (size_t i = 0; i < la->n_links; i++) {
		free(la->links[i].name);
		free(la->links[i].target);
	}
	free(la->links);
}
