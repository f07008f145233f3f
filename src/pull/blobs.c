/* blobs.c — the download loop (see blobs.h). */
#include "pull/blobs.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "pull/manifest.h"
#include "pull/progress.h"
#include "pull/registry.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_ATTEMPTS 6

struct xfer {
	size_t idx;
	const struct descriptor *d;
	char *final, *part;
	int fd;
	EVP_MD_CTX *md;
	int64_t have;	   /* bytes in the partial file and in the hash */
	int64_t have_prev; /* at the start of this attempt */
	CURL *h;
	struct curl_slist *hl;
	char *www_auth;
	int attempts;
	double not_before;
	bool active, finished;
	bool too_big, io_error, discard;
	int io_errno;
};

struct loop {
	const struct blob_fetch *f;
	struct xfer *x;
	size_t n;
	CURLM *multi;
	unsigned running;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *hex_of(const struct descriptor *d)
{
	return d->digest + 7;
}

static int hash_reset(struct xfer *x)
{
	x->have = 0;
	return EVP_DigestInit_ex(x->md, EVP_sha256(), NULL) == 1 ? 0 : -EIO;
}

/* Open and lock the partial file and feed what it already holds into the
 * hash, so the download resumes after it.  Returns 1 when a concurrent
 * pull finished the blob meanwhile. */
static int open_partial(struct loop *l, struct xfer *x, struct err *e)
{
	/* Another pull of the same blob holds the lock while it downloads:
	 * wait for it, then use what it left (the blob, or a partial file). */
	for (;;) {
		x->fd = open(x->part, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (x->fd < 0)
			return err_sys(e, errno, "blob %s: open %s", x->d->digest, x->part);
		if (flock(x->fd, LOCK_EX) < 0)
			return err_sys(e, errno, "blob %s: lock %s", x->d->digest, x->part);
		struct stat a, b;
		if (stat(x->final, &a) == 0 && a.st_size == x->d->size) {
			close(x->fd);
			x->fd = -1;
			return 1;
		}
		if (fstat(x->fd, &a) == 0 && stat(x->part, &b) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev)
			break;
		close(x->fd); /* renamed or removed while we waited: again */
	}
	if (hash_reset(x) < 0)
		return err_msg(e, EIO, "blob %s: sha256 init", x->d->digest);
	char buf[1 << 16];
	bool too_long = false;
	for (;;) {
		ssize_t r = read(x->fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return err_sys(e, errno, "blob %s: read %s", x->d->digest, x->part);
		if (r == 0)
			break;
		if (x->have + r > x->d->size) {
			too_long = true; /* not a prefix of this blob: start over */
			break;
		}
		EVP_DigestUpdate(x->md, buf, (size_t)r);
		x->have += r;
	}
	if (too_long) {
		if (ftruncate(x->fd, 0) < 0 || lseek(x->fd, 0, SEEK_SET) < 0 || hash_reset(x) < 0)
			return err_sys(e, errno, "blob %s: truncate %s", x->d->digest, x->part);
	}
	(void)l;
	return 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;
	if (len > 16 && !strncasecmp(p, "WWW-Authenticate:", 17)) {
		const char *v = p + 17;
		while (*v == ' ')
			v++;
		size_t vl = (size_t)(p + len - v);
		while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
			vl--;
		free(x->www_auth);
		x->www_auth = strndup(v, vl);
	}
	return len;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;
	long status = 0;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200 && status != 206) {
		x->discard = true; /* an error page: not blob bytes */
		return len;
	}
	if (status == 200 && x->have > 0 && x->have == x->have_prev) {
		/* The server ignored our Range: start the file over. */
		if (ftruncate(x->fd, 0) < 0 || lseek(x->fd, 0, SEEK_SET) < 0 || hash_reset(x) < 0) {
			x->io_error = true;
			x->io_errno = errno;
			return 0;
		}
		x->have_prev = 0;
	}
	if (x->have + (int64_t)len > x->d->size) {
		x->too_big = true;
		return 0;
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = write(x->fd, p + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			x->io_error = true;
			x->io_errno = errno;
			return 0;
		}
		off += (size_t)w;
	}
	EVP_DigestUpdate(x->md, p, len);
	x->have += (int64_t)len;
	return len;
}

static int start(struct loop *l, struct xfer *x, struct err *e)
{
	struct registry *r = l->f->reg;
	x->h = curl_easy_init();
	if (!x->h)
		return err_sys(e, ENOMEM, "blob %s", x->d->digest);
	int ret = reg_setup_handle(r, x->h, e);
	if (ret < 0)
		return ret;
	_cleanup_free_ char *url = NULL, *auth = reg_auth_header(r), *range = NULL;
	if (asprintf(&url, "%s/v2/%s/blobs/%s", r->base, r->repo, x->d->digest) < 0)
		return err_sys(e, ENOMEM, "blob %s", x->d->digest);
	if (auth)
		x->hl = curl_slist_append(x->hl, auth);
	x->have_prev = x->have;
	x->discard = x->too_big = x->io_error = false;
	if (x->have > 0 && asprintf(&range, "%lld-", (long long)x->have) > 0)
		curl_easy_setopt(x->h, CURLOPT_RANGE, range);
	curl_easy_setopt(x->h, CURLOPT_URL, url);
	curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, x->hl);
	curl_easy_setopt(x->h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(x->h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(x->h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->h, CURLOPT_PRIVATE, x);
	/* Blobs are megabytes: read and write them in big pieces rather
	 * than curl's default 16 KiB (fewer recv/write/hash calls). */
	curl_easy_setopt(x->h, CURLOPT_BUFFERSIZE, 512L * 1024);
	if (curl_multi_add_handle(l->multi, x->h) != CURLM_OK)
		return err_msg(e, EIO, "blob %s: curl multi", x->d->digest);
	x->active = true;
	l->running++;
	progress_update(l->f->progress, x->idx, x->have);
	return 0;
}

static void stop(struct loop *l, struct xfer *x)
{
	if (x->h) {
		curl_multi_remove_handle(l->multi, x->h);
		curl_easy_cleanup(x->h);
		x->h = NULL;
	}
	curl_slist_free_all(x->hl);
	x->hl = NULL;
	free(x->www_auth);
	x->www_auth = NULL;
	if (x->active)
		l->running--;
	x->active = false;
}

/* Size and digest check, then the rename into the store. */
static int finish(struct loop *l, struct xfer *x, struct err *e)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char hex[65];
	if (EVP_DigestFinal_ex(x->md, md, &mdlen) != 1 || mdlen != 32)
		return err_msg(e, EIO, "blob %s: sha256", x->d->digest);
	for (unsigned i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	if (strcmp(hex, hex_of(x->d))) {
		unlink(x->part);
		return err_msg(e, EBADMSG, "blob %s: digest mismatch: the registry sent sha256:%s",
			       x->d->digest, hex);
	}
	if (!l->f->caller_syncs && fsync(x->fd) < 0)
		return err_sys(e, errno, "blob %s: fsync %s", x->d->digest, x->part);
	/* Rename while still holding the partial's lock: a concurrent pull
	 * waiting for it must find the blob in place when it gets the lock,
	 * not a complete partial file that we are about to move away. */
	int rr = rename(x->part, x->final);
	int saved = errno;
	close(x->fd);
	x->fd = -1;
	if (rr < 0) {
		struct stat st;
		if (!(saved == ENOENT && stat(x->final, &st) == 0 && st.st_size == x->d->size))
			return err_sys(e, saved, "blob %s: rename %s to %s", x->d->digest,
				       x->part, x->final);
	}
	x->finished = true;
	progress_done(l->f->progress, x->idx, "downloaded");
	if (l->f->done)
		return l->f->done(l->f->arg, x->idx, x->final, e);
	return 0;
}

static bool retryable_curl(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return true;
	default:
		return false;
	}
}

/* A transfer ended: finish it, schedule a retry, or fail. */
static int ended(struct loop *l, struct xfer *x, CURLcode c, struct err *e)
{
	long status = 0;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	_cleanup_free_ char *www = steal_ptr(x->www_auth);
	bool progressed = x->have > x->have_prev;
	stop(l, x);
	const char *dg = x->d->digest;
	if (x->too_big) {
		unlink(x->part);
		return err_msg(e, EBADMSG,
			       "blob %s: the registry sent more than the %lld bytes "
			       "the manifest gives",
			       dg, (long long)x->d->size);
	}
	if (x->io_error)
		return err_sys(e, x->io_errno, "blob %s: write %s", dg, x->part);
	if (c == CURLE_OK && (status == 200 || status == 206)) {
		if (x->have == x->d->size)
			return finish(l, x, e);
		/* Short body: treat as a broken connection. */
		c = CURLE_PARTIAL_FILE;
	}
	if (c == CURLE_OK && status == 401) {
		int ret = reg_reauth(l->f->reg, www, e);
		if (ret < 0)
			return err_prefix(e, "blob %s", dg);
	} else if (c == CURLE_OK && status == 416) {
		if (ftruncate(x->fd, 0) < 0 || lseek(x->fd, 0, SEEK_SET) < 0 || hash_reset(x) < 0)
			return err_sys(e, errno, "blob %s: truncate %s", dg, x->part);
	} else if (c == CURLE_OK && status == 404) {
		return err_msg(e, ENOENT, "blob %s: not found in %s/%s", dg, l->f->reg->name,
			       l->f->reg->repo);
	} else if (c == CURLE_OK && status != 429 && status < 500) {
		return err_msg(e, EPROTO, "blob %s: HTTP %ld", dg, status);
	} else if (c != CURLE_OK && !retryable_curl(c)) {
		return err_msg(e, EIO, "blob %s: %s", dg, curl_easy_strerror(c));
	}
	/* A retry that made progress starts the count again: a connection
	 * cut every few megabytes still completes. */
	x->attempts = progressed ? 1 : x->attempts + 1;
	if (x->attempts >= MAX_ATTEMPTS) {
		if (c != CURLE_OK)
			return err_msg(e, EIO, "blob %s: %s (gave up after %d attempts)", dg,
				       curl_easy_strerror(c), x->attempts);
		return err_msg(e, EIO, "blob %s: HTTP %ld (gave up after %d attempts)", dg, status,
			       x->attempts);
	}
	double backoff = 0.25 * (double)(1 << (x->attempts - 1));
	x->not_before = now_s() + (backoff > 8 ? 8 : backoff);
	return 0;
}

static int prepare(struct loop *l, struct xfer *x, struct err *e)
{
	const char *hex = hex_of(x->d);
	struct stat st;
	if (asprintf(&x->final, "%s/%s", l->f->blob_dir, hex) < 0 ||
	    asprintf(&x->part, "%s/%s.partial", l->f->tmp_dir, hex) < 0)
		return err_sys(e, ENOMEM, "blob %s", x->d->digest);
	if (stat(x->final, &st) == 0 && st.st_size == x->d->size) {
		x->finished = true;
		progress_done(l->f->progress, x->idx, "exists");
		if (l->f->done)
			return l->f->done(l->f->arg, x->idx, x->final, e);
		return 0;
	}
	if (!(x->md = EVP_MD_CTX_new()))
		return err_sys(e, ENOMEM, "blob %s", x->d->digest);
	int ret = open_partial(l, x, e);
	if (ret < 0)
		return ret;
	if (ret == 1) {
		x->finished = true;
		progress_done(l->f->progress, x->idx, "exists");
		return l->f->done ? l->f->done(l->f->arg, x->idx, x->final, e) : 0;
	}
	if (x->have == x->d->size)
		return finish(l, x, e);
	return 0;
}

static int by_digest(const void *a, const void *b)
{
	const struct xfer *const *x = a, *const *y = b;
	return strcmp((*x)->d->digest, (*y)->d->digest);
}

static int run(struct loop *l, struct err *e)
{
	/* Partial files are locked in digest order, the same in every pull,
	 * so two pulls sharing blobs cannot wait on each other in a cycle. */
	_cleanup_free_ struct xfer **order = calloc(l->n ? l->n : 1, sizeof(*order));
	if (!order)
		return err_sys(e, ENOMEM, "blob download");
	for (size_t i = 0; i < l->n; i++)
		order[i] = &l->x[i];
	qsort(order, l->n, sizeof(*order), by_digest);
	for (size_t i = 0; i < l->n; i++) {
		int ret = prepare(l, order[i], e);
		if (ret < 0)
			return ret;
	}
	for (;;) {
		double t = now_s(), wake = 0;
		bool pending = false;
		for (size_t i = 0; i < l->n; i++) {
			struct xfer *x = &l->x[i];
			if (x->finished || x->active)
				continue;
			pending = true;
			if (l->running >= l->f->parallel)
				continue;
			if (x->not_before > t) {
				if (wake == 0 || x->not_before < wake)
					wake = x->not_before;
				continue;
			}
			int ret = start(l, x, e);
			if (ret < 0)
				return ret;
		}
		if (!pending && l->running == 0)
			return 0;
		int still = 0;
		if (curl_multi_perform(l->multi, &still) != CURLM_OK)
			return err_msg(e, EIO, "blob download: curl multi failed");
		CURLMsg *m;
		int left;
		while ((m = curl_multi_info_read(l->multi, &left))) {
			if (m->msg != CURLMSG_DONE)
				continue;
			struct xfer *x = NULL;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			int ret = ended(l, x, m->data.result, e);
			if (ret < 0)
				return ret;
		}
		for (size_t i = 0; i < l->n; i++)
			if (l->x[i].active)
				progress_update(l->f->progress, i, l->x[i].have);
		progress_tick(l->f->progress);
		int ms = 100;
		if (l->running == 0 && wake > 0)
			ms = (int)((wake - now_s()) * 1000) + 1;
		if (ms < 1)
			ms = 1;
		if (curl_multi_poll(l->multi, NULL, 0, ms, NULL) != CURLM_OK)
			return err_msg(e, EIO, "blob download: curl poll failed");
	}
}

int blobs_fetch(const struct blob_fetch *f, const struct descriptor *const *ds, size_t n,
		struct err *e)
{
	struct loop l = {.f = f, .n = n};
	l.x = calloc(n ? n : 1, sizeof(*l.x));
	l.multi = curl_multi_init();
	if (!l.x || !l.multi) {
		free(l.x);
		if (l.multi)
			curl_multi_cleanup(l.multi);
		return err_sys(e, ENOMEM, "blob download");
	}
	for (size_t i = 0; i < n; i++) {
		l.x[i].idx = i;
		l.x[i].d = ds[i];
		l.x[i].fd = -1;
		char label[24];
		snprintf(label, sizeof(label), "%.19s", ds[i]->digest);
		progress_item(f->progress, i, label, ds[i]->size);
	}
	int ret = run(&l, e);
	for (size_t i = 0; i < n; i++) {
		struct xfer *x = &l.x[i];
		stop(&l, x);
		if (x->fd >= 0)
			close(x->fd);
		EVP_MD_CTX_free(x->md);
		free(x->final);
		free(x->part);
	}
	curl_multi_cleanup(l.multi);
	free(l.x);
	return ret;
}
