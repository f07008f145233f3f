/* unpack.h — a layer archive into STORE/layers/<chain-id>/diff.
 *
 * The stream may be gzip, zstd or plain tar (detected).  Whiteouts become
 * what overlayfs expects: ".wh.NAME" a 0/0 character device NAME,
 * ".wh..wh..opq" the opaque xattr on its directory ("trusted.overlay.
 * opaque" as root, "user.overlay.opaque" rootless, for a userxattr
 * mount).  Modes, owners, xattrs, hard links, symlinks and times are
 * kept.  Nothing is ever written outside the layer: entries with "..",
 * paths through a symlink, hard links to anything not already in the
 * layer, and device nodes when rootless are errors.
 *
 * The layer is unpacked into a temporary directory and renamed into
 * place.  With a known diff ID, a per-layer flock makes a second
 * concurrent unpack of the same layer wait, then find it done.
 *
 * A pull unpacks several layers, then makes them durable with one
 * syncfs before publishing any (docs/ARCHITECTURE.md, "Durability"): it
 * takes each layer's lock itself (layer_lock, bottom layer first, so two
 * pulls sharing a base never wait for each other crosswise), unpacks
 * with `locked` set, which stops short of the rename, then calls
 * layer_publish (or layer_discard) for each.
 */
#ifndef CAPSA_PULL_UNPACK_H
#define CAPSA_PULL_UNPACK_H

#include "base/sha256.h" /* SHA256_DIGEST_STR */

struct err;
struct store;

struct layer_in {
	int fd;			  /* the stream, read to its end */
	const char *name;	  /* for messages: "layer 2 (sha256:ab…)" */
	const char *parent_chain; /* chain ID of the layer below, NULL for the bottom */
	const char *diff_id;	  /* expected sha256 of the uncompressed tar, or NULL */
	const char *digest;	  /* expected sha256 of the bytes read, or NULL */
	int locked;		  /* 1: the caller holds the layer's lock (needs diff_id) and
				     publishes; the layer is left in out->tmp */
};

struct layer_out {
	char diff_id[SHA256_DIGEST_STR];
	char chain_id[SHA256_DIGEST_STR];
	int existed;  /* 1: already in the store, the stream was not unpacked */
	char tmp[32]; /* with in->locked: "layers/.tmp-XXXXXX", until published */
	int tmpfd;    /* its flock'd fd (GC leaves it alone), or -1 */
};

int layer_unpack(struct store *s, const struct layer_in *in, struct layer_out *out, struct err *e);

/* Lock layers/<hex>.lock (waits for a concurrent holder); the fd, or a
 * negative errno.  Closing the fd releases it. */
int layer_lock(struct store *s, const char *chain, struct err *e);

/* Rename out->tmp to layers/<chain hex> (someone else's copy already
 * there: ours is removed and out->existed set), or remove it. */
int layer_publish(struct store *s, struct layer_out *out, struct err *e);
void layer_discard(struct store *s, struct layer_out *out);

#endif
