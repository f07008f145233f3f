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
};

struct layer_out {
	char diff_id[SHA256_DIGEST_STR];
	char chain_id[SHA256_DIGEST_STR];
	int existed; /* 1: already in the store, the stream was not unpacked */
};

int layer_unpack(struct store *s, const struct layer_in *in, struct layer_out *out, struct err *e);

#endif
