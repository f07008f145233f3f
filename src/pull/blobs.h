/* blobs.h — concurrent, verified, resumable blob downloads.
 *
 * Up to `parallel` blobs move at once over one curl multi handle (one
 * thread, shared connections).  Each is written to `tmp_dir/<hex>.partial`
 * while its sha256 is computed from the same bytes, then checked against
 * the descriptor's size and digest and renamed to `blob_dir/<hex>`; a blob
 * already there is reused (only verified blobs are ever renamed in).
 * Redirects are followed (the Authorization header is not sent to another
 * host).  5xx answers and broken connections are retried with backoff and
 * resumed with a Range request from the bytes already verified-in-hash;
 * a partial file left by a killed pull is resumed the same way.  A digest
 * or size mismatch is an error and the partial file is removed.
 */
#ifndef CAPSA_PULL_BLOBS_H
#define CAPSA_PULL_BLOBS_H

#include <stdbool.h>
#include <stddef.h>

struct descriptor;
struct err;
struct progress;
struct registry;

/* Called in the download thread as each blob lands in blob_dir (also for
 * blobs that were already there); a negative return aborts the fetch. */
typedef int (*blob_done_fn)(void *arg, size_t index, const char *path, struct err *e);

struct blob_fetch {
	struct registry *reg;
	const char *blob_dir; /* <store>/blobs/sha256 */
	const char *tmp_dir;  /* same filesystem as blob_dir */
	unsigned parallel;
	struct progress *progress; /* may be NULL */
	blob_done_fn done;	   /* may be NULL */
	void *arg;
	/* false: each blob is fsync'd before its rename.  true: the caller
	 * syncs the file system (syncfs) before anything that refers to
	 * the blobs is published, and checks their digests when it reads
	 * them (a blob renamed but not yet on disk when the machine
	 * crashed may be damaged). */
	bool caller_syncs;
};

int blobs_fetch(const struct blob_fetch *f, const struct descriptor *const *ds, size_t n,
		struct err *e);

#endif
