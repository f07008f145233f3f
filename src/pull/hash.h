/* hash.h — SHA-256 through libcrypto for capsa-pull.
 *
 * capsa-pull hashes every byte it downloads (the blob digest) and every
 * byte it unpacks (the diff ID).  libcrypto picks the fastest code for
 * the CPU (SHA-NI where present, else AVX2/SSSE3), several times faster
 * than the portable base/sha256.c, which stays for build/capsa (that must
 * not link libcrypto).  Both produce the same digests (tests/unit/
 * test_pull_hash.c).
 */
#ifndef CAPSA_PULL_HASH_H
#define CAPSA_PULL_HASH_H

#include "base/sha256.h" /* SHA256_DIGEST_STR */

#include <stddef.h>

struct pull_hash {
	void *md; /* EVP_MD_CTX */
};

/* 0, or -ENOMEM / -EIO when libcrypto cannot start a SHA-256. */
int pull_hash_init(struct pull_hash *h);
/* 0, or -EIO (libcrypto failed; the digest is then unusable). */
int pull_hash_update(struct pull_hash *h, const void *data, size_t n);
/* "sha256:" + 64 lowercase hex digits; 0 or -EIO.  The context is reset
 * for a new digest. */
int pull_hash_final_str(struct pull_hash *h, char out[SHA256_DIGEST_STR]);
void pull_hash_free(struct pull_hash *h);

#endif
