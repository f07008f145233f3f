/* store.h — the image store on disk (DESIGN.md, "Where things live"):
 *
 *   ROOT/blobs/sha256/<hex>        content-addressed blobs (manifests,
 *                                  configs, layer archives), verified
 *   ROOT/layers/<chain-hex>/diff/  an unpacked layer, read-only once there
 *   ROOT/layers/<chain-hex>/layer.json   {"diff_id", "parent", "size"}
 *   ROOT/images.json               the image index (index.h)
 *   ROOT/containers/<id>/          a container's upper/work dirs (rootfs.h)
 *   ROOT/tmp/                      temporary names, renamed into place
 *   ROOT/.lock                     flock(2) for images.json and GC
 *   ROOT/idmap                     the id mapping layers were unpacked
 *                                  with (subid.h), as id_mapping_format
 *
 * Everything lands by rename from tmp/ or a temporary sibling, so a store
 * killed at any moment holds complete objects or none.
 */
#ifndef CAPSA_IMAGE_STORE_H
#define CAPSA_IMAGE_STORE_H

#include "base/sha256.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

struct err;
struct id_mapping;

struct store {
	char root[PATH_MAX];
	int dirfd; /* O_DIRECTORY fd of root */
};

/* The store root: `opt` (--storage) if set, else $CAPSA_STORAGE, else
 * /var/lib/capsa for root and ${XDG_DATA_HOME:-$HOME/.local/share}/capsa
 * otherwise.  A relative path is made absolute. */
int store_root_resolve(const char *opt, char *buf, size_t len, struct err *e);

/* Open (creating if needed) the store at `root`.  store_close frees it. */
int store_open(struct store *s, const char *root, struct err *e);
/* Open the store at `root` as it is, making nothing: for work on what is
 * in it already (a container's removal, the reaper), where a store
 * removed meanwhile must stay removed and the directories store_open
 * makes are not needed.  -errno (ENOENT: no store there). */
int store_attach(struct store *s, const char *root, struct err *e);
void store_close(struct store *s);

/* Exclusive flock on ROOT/.lock; returns the fd to close to unlock. */
int store_lock(struct store *s, struct err *e);

/* Layer files carry host ids: a store unpacked under one id mapping
 * (subid.h) and used under another (subordinate ranges added or removed
 * since) would show wrong owners.  Fails with a message saying so when
 * ROOT/idmap records another mapping than `m` and the store holds
 * layers; a store without the record that holds layers was made before
 * it existed, by the same user without ranges (or by root).  `record`:
 * write `m` as the store's mapping when it has no layers yet.  One small
 * read when the record matches. */
int store_idmap_check(struct store *s, const struct id_mapping *m, int record, struct err *e);

/* --- blobs ---------------------------------------------------------------- */

/* ROOT/blobs/sha256/<hex> for a "sha256:<hex>" digest (checked). */
int store_blob_path(const struct store *s, const char *digest, char *buf, size_t len);
int store_blob_exists(const struct store *s, const char *digest);

/* Read a blob whole and check its digest; at most `max` bytes (configs
 * and manifests are small; a bigger blob is an error). */
int store_blob_read(struct store *s, const char *digest, size_t max, char **out, size_t *len,
		    struct err *e);

/* Write a blob by streaming: open, write…, commit (verifies `want` if not
 * NULL and renames into place) or abort (removes the temporary). */
struct blob_writer {
	struct store *s;
	int fd;
	char tmp[64];
	struct sha256 hash;
	uint64_t size;
};
int blob_writer_open(struct store *s, struct blob_writer *w, struct err *e);
int blob_writer_write(struct blob_writer *w, const void *buf, size_t n, struct err *e);
int blob_writer_commit(struct blob_writer *w, const char *want, char digest[SHA256_DIGEST_STR],
		       struct err *e);
void blob_writer_abort(struct blob_writer *w);

/* Whole buffer as a blob; `digest` receives its address. */
int store_blob_put(struct store *s, const void *buf, size_t n, char digest[SHA256_DIGEST_STR],
		   struct err *e);

/* --- layers --------------------------------------------------------------- */

/* chain(L0) = diff_id(L0); chain(Ln) = sha256(chain(Ln-1) + " " + diff_id(Ln)). */
void chain_id_next(const char *parent, const char *diff_id, char out[SHA256_DIGEST_STR]);

/* ROOT/layers/<hex>/diff for a chain ID "sha256:<hex>". */
int store_layer_diff_path(const struct store *s, const char *chain_id, char *buf, size_t len);
int store_layer_exists(const struct store *s, const char *chain_id);

#endif
