/* layers.c — download layers concurrently, unpack each as it lands (see
 * layers.h). */
#include "pull/layers.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "image/store.h"
#include "pull/blobs.h"
#include "pull/manifest.h"
#include "pull/progress.h"
#include "pull/unpack.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_UNPACKERS 4

struct job {
	size_t layer; /* index in the manifest */
	char *path;   /* the verified blob */
};

/* The queue between the download loop (producer) and the unpack threads. */
struct unpacker {
	struct store *s;
	const struct manifest *m;
	char **diff_ids;
	char (*chains)[SHA256_DIGEST_STR];
	size_t *blob_of;	/* layer index -> index of its blob, SIZE_MAX: not fetched */
	struct layer_out *outs; /* unpacked, not yet published (outs[i].tmp) */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *q;
	size_t head, tail;
	bool closed, failed;
	struct err err;
};

static int unpack_one(struct unpacker *u, const struct job *j, struct err *e)
{
	size_t i = j->layer;
	const struct descriptor *d = &u->m->layers[i];
	char name[128];
	snprintf(name, sizeof(name), "layer %zu (%.19s)", i + 1, d->digest);
	_cleanup_close_ int fd = open(j->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(e, errno, "%s: open %s", name, j->path);
	struct layer_in in = {.fd = fd,
			      .name = name,
			      .parent_chain = i ? u->chains[i - 1] : NULL,
			      .diff_id = u->diff_ids[i],
			      /* Checked again (SHA-NI: cheap): a blob kept by a pull
			       * that crashed before its syncfs may be damaged. */
			      .digest = d->digest,
			      .locked = 1};
	struct layer_out *out = &u->outs[i];
	int ret = layer_unpack(u->s, &in, out, e);
	if (ret == -EIO)
		unlink(j->path); /* damaged or lying: the next pull fetches it again */
	if (ret < 0)
		return ret;
	if (strcmp(out->chain_id, u->chains[i]))
		return err_msg(e, EBADMSG, "%s: chain ID %s, expected %s", name, out->chain_id,
			       u->chains[i]);
	return 0;
}

static void *unpack_thread(void *arg)
{
	struct unpacker *u = arg;
	for (;;) {
		pthread_mutex_lock(&u->lock);
		while (u->head == u->tail && !u->closed && !u->failed)
			pthread_cond_wait(&u->cond, &u->lock);
		if (u->failed || u->head == u->tail) {
			pthread_mutex_unlock(&u->lock);
			return NULL;
		}
		struct job j = u->q[u->head++];
		pthread_mutex_unlock(&u->lock);
		struct err e = {0};
		int ret = unpack_one(u, &j, &e);
		if (ret < 0) {
			pthread_mutex_lock(&u->lock);
			if (!u->failed)
				u->err = e;
			u->failed = true;
			pthread_cond_broadcast(&u->cond);
			pthread_mutex_unlock(&u->lock);
			return NULL;
		}
	}
}

/* blobs.c's callback: queue every layer made of this blob (an image may
 * repeat a layer); runs in the download thread. */
static int on_blob(void *arg, size_t index, const char *path, struct err *e)
{
	struct unpacker *u = arg;
	pthread_mutex_lock(&u->lock);
	if (u->failed) {
		*e = u->err;
		pthread_mutex_unlock(&u->lock);
		return -(e->code ? e->code : EIO);
	}
	for (size_t i = 0; i < u->m->n_layers; i++) {
		if (u->blob_of[i] != index)
			continue;
		char *p = strdup(path);
		if (!p) {
			pthread_mutex_unlock(&u->lock);
			return err_sys(e, ENOMEM, "layer");
		}
		u->q[u->tail].layer = i;
		u->q[u->tail].path = p;
		u->tail++;
	}
	pthread_cond_broadcast(&u->cond);
	pthread_mutex_unlock(&u->lock);
	return 0;
}

/* One syncfs makes every unpacked layer (and the blobs written before
 * them) durable, then the renames publish them, bottom first. */
static int publish_all(struct store *s, struct layer_out *outs, size_t n, struct err *e)
{
	int ret = 0;
	if (syncfs(s->dirfd) < 0)
		ret = err_sys(e, errno, "layers: syncfs %s", s->root);
	for (size_t i = 0; i < n; i++) {
		if (!outs[i].tmp[0])
			continue;
		if (ret == 0)
			ret = layer_publish(s, &outs[i], e);
		else
			layer_discard(s, &outs[i]);
	}
	return ret;
}

static void close_locks(int **locks)
{
	for (int *l = *locks; l && *l != INT_MIN; l++)
		if (*l >= 0)
			close(*l);
	free(*locks);
}

int layers_fetch(struct store *s, const struct blob_fetch *bf, const struct manifest *m,
		 char **diff_ids, enum progress_mode mode, struct err *e)
{
	size_t n = m->n_layers;
	_cleanup_free_ char(*chains)[SHA256_DIGEST_STR] = calloc(n + 1, SHA256_DIGEST_STR);
	_cleanup_free_ size_t *blob_of = calloc(n + 1, sizeof(size_t));
	_cleanup_free_ const struct descriptor **want = calloc(n + 1, sizeof(*want));
	_cleanup_free_ struct job *q = calloc(n + 1, sizeof(*q));
	_cleanup_free_ struct layer_out *outs = calloc(n + 1, sizeof(*outs));
	_cleanup_(close_locks) int *locks = calloc(n + 1, sizeof(int));
	if (!chains || !blob_of || !want || !q || !outs || !locks)
		return err_sys(e, ENOMEM, "layers");
	for (size_t i = 0; i < n; i++)
		locks[i] = outs[i].tmpfd = -1;
	locks[n] = INT_MIN;
	/* Each blob downloads once, however many layers use it.  The lock of
	 * every missing layer is taken here, bottom first, and held until
	 * it is published: a concurrent pull of an image with the same base
	 * waits, then finds those layers done.  Two images share only a
	 * bottom run of chain IDs, so locks taken in this order cannot wait
	 * on each other in a cycle. */
	size_t nwant = 0;
	for (size_t i = 0; i < n; i++) {
		chain_id_next(i ? chains[i - 1] : NULL, diff_ids[i], chains[i]);
		blob_of[i] = SIZE_MAX;
		if (store_layer_exists(s, chains[i]) > 0)
			continue;
		if ((locks[i] = layer_lock(s, chains[i], e)) < 0)
			return locks[i];
		if (store_layer_exists(s, chains[i]) > 0) {
			close(locks[i]); /* done by the pull we waited for */
			locks[i] = -1;
			continue;
		}
		size_t k = 0;
		while (k < nwant && strcmp(want[k]->digest, m->layers[i].digest))
			k++;
		if (k == nwant)
			want[nwant++] = &m->layers[i];
		blob_of[i] = k;
	}
	if (nwant == 0)
		return 0;
	struct unpacker u = {.s = s,
			     .m = m,
			     .diff_ids = diff_ids,
			     .chains = chains,
			     .blob_of = blob_of,
			     .outs = outs,
			     .q = q};
	pthread_mutex_init(&u.lock, NULL);
	pthread_cond_init(&u.cond, NULL);
	/* Unpacking (decompression and a few syscalls per file) is the CPU
	 * part of a pull: one thread per CPU, as layers are independent. */
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nth = cpus < 1 ? 1 : cpus > MAX_UNPACKERS ? MAX_UNPACKERS : (size_t)cpus;
	if (nth > nwant)
		nth = nwant;
	pthread_t th[MAX_UNPACKERS];
	size_t started = 0;
	int ret = 0;
	for (; started < nth; started++) {
		int r = pthread_create(&th[started], NULL, unpack_thread, &u);
		if (r != 0) {
			ret = err_sys(e, r, "layers: start an unpack thread");
			break;
		}
	}
	struct blob_fetch f = *bf;
	f.progress = progress_new(nwant, mode, stderr);
	f.done = on_blob;
	f.arg = &u;
	f.caller_syncs = true; /* publish_all */
	if (ret == 0)
		ret = blobs_fetch(&f, want, nwant, e);
	progress_free(f.progress);
	pthread_mutex_lock(&u.lock);
	u.closed = true;
	if (ret < 0)
		u.failed = true; /* stop after the layers in hand */
	pthread_cond_broadcast(&u.cond);
	pthread_mutex_unlock(&u.lock);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	if (ret == 0 && u.failed) {
		*e = u.err;
		ret = -(e->code ? e->code : EIO);
	}
	if (ret == 0)
		ret = publish_all(s, outs, n, e);
	else
		for (size_t i = 0; i < n; i++)
			layer_discard(s, &outs[i]);
	for (size_t i = 0; i < u.tail; i++)
		free(q[i].path);
	pthread_mutex_destroy(&u.lock);
	pthread_cond_destroy(&u.cond);
	return ret;
}
