/* unpack.c — see unpack.h.  Two libarchive readers in a row: the outer
 * one undoes the compression (format "raw") and hashes the bytes as read
 * (the blob digest); the inner one reads the tar from the outer one's
 * output and hashes that (the diff ID), so one pass both verifies and
 * unpacks. */
#include "pull/unpack.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "image/store.h"
#include "pull/common.h"
#include "pull/gunzip.h"
#include "pull/hash.h"
#include "pull/unpack_entry.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUFSZ  (256 * 1024) /* compressed bytes per read */
#define OBUFSZ (256 * 1024) /* decompressed bytes per gzip step */

/* The layer's bytes on their way: read from fd (hashed when a digest is
 * to check), decompressed (ISA-L for gzip, else libarchive's filters),
 * hashed again as tar (the diff ID), read by libarchive's tar reader. */
struct stream {
	int fd;
	struct pull_hash raw_hash, tar_hash;
	int want_raw; /* hash the bytes read: only when a digest is to check */
	char *buf;
	size_t pending; /* bytes in buf read ahead (format sniffing) */
	bool eof;
	struct archive *outer; /* libarchive's filters (zstd, plain) */
	struct gunzip *gz;     /* or ISA-L */
	char *obuf;
	int failed; /* a read error in a callback */
};

/* The next bytes of the input, in st->buf: their count, 0 at the end, or
 * a negative errno. */
static ssize_t read_input(struct stream *st)
{
	if (st->pending) {
		ssize_t n = (ssize_t)st->pending;
		st->pending = 0;
		return n;
	}
	for (;;) {
		ssize_t n = read(st->fd, st->buf, BUFSZ);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			st->eof = true;
		if (st->want_raw && pull_hash_update(&st->raw_hash, st->buf, (size_t)n) < 0)
			return -EIO;
		return n;
	}
}

static la_ssize_t raw_read(struct archive *a, void *data, const void **out)
{
	struct stream *st = data;
	ssize_t n = read_input(st);
	if (n < 0) {
		archive_set_error(a, (int)-n, "read: %s", strerror((int)-n));
		st->failed = 1;
		return -1;
	}
	*out = st->buf;
	return n;
}

static int hash_tar(struct archive *a, struct stream *st, const void *p, size_t len)
{
	if (pull_hash_update(&st->tar_hash, p, len) == 0)
		return 0;
	archive_set_error(a, EIO, "sha256 failed");
	st->failed = 1;
	return -1;
}

static la_ssize_t tar_read(struct archive *a, void *data, const void **out)
{
	struct stream *st = data;
	const void *p;
	size_t len;
	la_int64_t off;
	int r = archive_read_data_block(st->outer, &p, &len, &off);
	if (r == ARCHIVE_EOF)
		return 0;
	if (r != ARCHIVE_OK) {
		archive_set_error(a, EIO, "%s", archive_error_string(st->outer));
		st->failed = 1;
		return -1;
	}
	if (hash_tar(a, st, p, len) < 0)
		return -1;
	*out = p;
	return (la_ssize_t)len;
}

static la_ssize_t gz_read(struct archive *a, void *data, const void **out)
{
	struct stream *st = data;
	for (;;) {
		if (gunzip_need_input(st->gz) && !st->eof) {
			ssize_t n = read_input(st);
			if (n < 0) {
				archive_set_error(a, (int)-n, "read: %s", strerror((int)-n));
				st->failed = 1;
				return -1;
			}
			gunzip_input(st->gz, st->buf, (size_t)n);
		}
		bool done;
		long n = gunzip_read(st->gz, st->obuf, OBUFSZ, st->eof, &done);
		if (n < 0) {
			archive_set_error(a, EINVAL, "gzip: %s", gunzip_error(st->gz));
			st->failed = 1;
			return -1;
		}
		if (n > 0) {
			if (hash_tar(a, st, st->obuf, (size_t)n) < 0)
				return -1;
			*out = st->obuf;
			return n;
		}
		if (done)
			return 0;
	}
}

static int write_meta(int dirfd, const struct layer_out *o, const char *parent, uint64_t size,
		      struct err *e)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "{\"diff_id\":\"%s\",\"parent\":\"%s\",\"size\":%llu}\n",
			 o->diff_id, parent ? parent : "", (unsigned long long)size);
	return write_file_atomic(dirfd, "layer.json", buf, (size_t)n, 0644, e);
}

/* Read the tar in `st` into `w`; the caller owns the readers. */
static int read_entries(struct stream *st, struct archive *tar,
			la_ssize_t (*next)(struct archive *, void *, const void **),
			struct layer_writer *w, struct err *e)
{
	struct archive_entry *ent;
	for (;;) {
		int r = archive_read_next_header(tar, &ent);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return err_msg(e, EINVAL, "%s: %s", w->what, archive_error_string(tar));
		if ((r = layer_write_entry(w, tar, ent, e)) < 0)
			return r;
	}
	/* The diff ID covers the whole uncompressed stream, including the
	 * padding after the end-of-archive blocks. */
	const void *p;
	while (next(tar, st, &p) > 0)
		;
	if (st->failed)
		return err_msg(e, EIO, "%s: %s", w->what, archive_error_string(tar));
	/* And the blob digest covers every byte of the input. */
	ssize_t n;
	while (!st->eof && (n = read_input(st)) > 0)
		;
	if (!st->eof)
		return err_sys(e, EIO, "%s: read", w->what);
	return 0;
}

static int open_tar(struct stream *st, struct archive *tar,
		    la_ssize_t (*next)(struct archive *, void *, const void **),
		    struct layer_writer *w, struct err *e)
{
	archive_read_support_format_tar(tar);
	archive_read_support_format_gnutar(tar);
	if (archive_read_open(tar, st, NULL, next, NULL) != ARCHIVE_OK)
		return err_msg(e, EINVAL, "%s: not a tar archive: %s", w->what,
			       archive_error_string(tar));
	return read_entries(st, tar, next, w, e);
}

static int unpack_into(struct stream *st, struct layer_writer *w, struct err *e)
{
	struct archive *outer = NULL, *tar = archive_read_new();
	int r = 0;
	if (!tar) {
		r = err_sys(e, ENOMEM, "%s", w->what);
		goto out;
	}
	/* Sniff the format from the first bytes. */
	ssize_t n = read_input(st);
	if (n < 0) {
		r = err_sys(e, (int)-n, "%s: read", w->what);
		goto out;
	}
	st->pending = (size_t)n;
	if (gunzip_magic(st->buf, (size_t)n)) {
		st->gz = gunzip_new();
		st->obuf = malloc(OBUFSZ);
		if (!st->gz || !st->obuf) {
			r = err_sys(e, ENOMEM, "%s", w->what);
			goto out;
		}
		r = open_tar(st, tar, gz_read, w, e);
		goto out;
	}
	if (!(outer = archive_read_new())) {
		r = err_sys(e, ENOMEM, "%s", w->what);
		goto out;
	}
	st->outer = outer;
	archive_read_support_filter_gzip(outer);
	archive_read_support_filter_zstd(outer);
	archive_read_support_filter_none(outer);
	archive_read_support_format_raw(outer);
	archive_read_support_format_empty(outer);
	if (archive_read_open(outer, st, NULL, raw_read, NULL) != ARCHIVE_OK) {
		r = err_msg(e, EINVAL, "%s: %s", w->what, archive_error_string(outer));
		goto out;
	}
	struct archive_entry *ent;
	int h = archive_read_next_header(outer, &ent);
	if (h == ARCHIVE_EOF)
		goto out; /* an empty layer */
	if (h != ARCHIVE_OK) {
		r = err_msg(e, EINVAL, "%s: %s", w->what, archive_error_string(outer));
		goto out;
	}
	r = open_tar(st, tar, tar_read, w, e);
out:
	if (tar)
		archive_read_free(tar);
	if (outer)
		archive_read_free(outer);
	return r;
}

int layer_lock(struct store *s, const char *chain, struct err *e)
{
	char rel[96];
	snprintf(rel, sizeof(rel), "layers/%s.lock", chain + 7);
	int fd = openat(s->dirfd, rel, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_sys(e, errno, "layer %s: lock", chain);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			int r = err_sys(e, errno, "layer %s: lock", chain);
			close(fd);
			return r;
		}
	return fd;
}

int layer_publish(struct store *s, struct layer_out *o, struct err *e)
{
	char final[96];
	int r = 0;
	snprintf(final, sizeof(final), "layers/%s", o->chain_id + 7);
	if (renameat(s->dirfd, o->tmp, s->dirfd, final) < 0) {
		if (errno != EEXIST && errno != ENOTEMPTY)
			r = err_sys(e, errno, "layer %s: rename %s/%s into place", o->chain_id,
				    s->root, o->tmp);
		else
			o->existed = 1; /* unpacked meanwhile by someone else */
		rm_rf_at(s->dirfd, o->tmp);
	}
	o->tmp[0] = '\0';
	if (o->tmpfd >= 0)
		close(o->tmpfd);
	o->tmpfd = -1;
	return r;
}

void layer_discard(struct store *s, struct layer_out *o)
{
	if (o->tmp[0])
		rm_rf_at(s->dirfd, o->tmp);
	o->tmp[0] = '\0';
	if (o->tmpfd >= 0)
		close(o->tmpfd);
	o->tmpfd = -1;
}

static void stream_done(struct stream *st)
{
	pull_hash_free(&st->raw_hash);
	pull_hash_free(&st->tar_hash);
	free(st->buf);
	free(st->obuf);
	gunzip_free(st->gz);
}

int layer_unpack(struct store *s, const struct layer_in *in, struct layer_out *out, struct err *e)
{
	_cleanup_close_ int lock = -1;
	_cleanup_(stream_done) struct stream st = {.fd = in->fd, .want_raw = in->digest != NULL};
	memset(out, 0, sizeof(*out));
	out->tmpfd = -1;
	if (in->locked && !in->diff_id)
		return err_msg(e, EINVAL, "%s: a held lock without a diff ID", in->name);
	if (in->diff_id) {
		chain_id_next(in->parent_chain, in->diff_id, out->chain_id);
		snprintf(out->diff_id, sizeof(out->diff_id), "%s", in->diff_id);
	}
	if (in->diff_id && !in->locked) {
		if ((lock = layer_lock(s, out->chain_id, e)) < 0)
			return lock;
		if (store_layer_exists(s, out->chain_id)) {
			out->existed = 1;
			return 0;
		}
	}

	char tmp[64] = "layers/.tmp-XXXXXX", path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", s->root, tmp);
	if (!mkdtemp(path))
		return err_sys(e, errno, "%s: temporary directory in %s/layers", in->name, s->root);
	memcpy(tmp + 7, strrchr(path, '/') + 1, strlen(strrchr(path, '/') + 1) + 1);
	_cleanup_close_ int tmpfd = openat(s->dirfd, tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;
	/* The flock tells garbage collection this temporary is alive. */
	if (tmpfd < 0 || flock(tmpfd, LOCK_EX) < 0 || mkdirat(tmpfd, "diff", 0755) < 0) {
		r = err_sys(e, errno, "%s: %s", in->name, path);
		goto fail;
	}
	struct layer_writer w = {.rootless = pull_is_rootless(), .what = in->name};
	w.rootfd = openat(tmpfd, "diff", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w.rootfd < 0) {
		r = err_sys(e, errno, "%s: %s/diff", in->name, path);
		goto fail;
	}
	st.buf = malloc(BUFSZ);
	if (!st.buf || pull_hash_init(&st.raw_hash) < 0 || pull_hash_init(&st.tar_hash) < 0)
		r = err_sys(e, ENOMEM, "%s: buffers and sha256", in->name);
	else
		r = unpack_into(&st, &w, e);
	if (r == 0)
		r = layer_writer_finish(&w, e);
	layer_writer_free(&w);
	close(w.rootfd);
	if (r < 0)
		goto fail;

	char got[SHA256_DIGEST_STR], tar_got[SHA256_DIGEST_STR];
	if (pull_hash_final_str(&st.raw_hash, got) < 0 ||
	    pull_hash_final_str(&st.tar_hash, tar_got) < 0) {
		r = err_msg(e, EIO, "%s: sha256 failed", in->name);
		goto fail;
	}
	if (in->digest && strcmp(got, in->digest) != 0) {
		r = err_msg(e, EIO, "%s: digest mismatch: expected %s, got %s", in->name,
			    in->digest, got);
		goto fail;
	}
	memcpy(got, tar_got, sizeof(got));
	if (in->diff_id && strcmp(got, in->diff_id) != 0) {
		r = err_msg(e, EIO, "%s: diff ID mismatch: the config says %s, the content is %s",
			    in->name, in->diff_id, got);
		goto fail;
	}
	if (!in->diff_id) {
		memcpy(out->diff_id, got, sizeof(got));
		chain_id_next(in->parent_chain, got, out->chain_id);
		if ((lock = layer_lock(s, out->chain_id, e)) < 0) {
			r = lock;
			goto fail;
		}
	}
	if ((r = write_meta(tmpfd, out, in->parent_chain, w.size, e)) < 0)
		goto fail;
	memcpy(out->tmp, tmp, sizeof(out->tmp));
	if (in->locked) {
		/* The caller syncs, then publishes; the flock on tmpfd keeps
		 * GC away from the temporary until then. */
		out->tmpfd = steal_fd(&tmpfd);
		return 0;
	}
	/* No syncfs here: it would flush every dirty page of the file
	 * system, not just ours.  A killed unpack leaves a temporary
	 * directory (GC removes it); the rename is what publishes. */
	return layer_publish(s, out, e);
fail:
	rm_rf_at(s->dirfd, tmp);
	return r;
}
