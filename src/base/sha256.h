/* sha256.h — SHA-256 (FIPS 180-4) for content addresses.  capsa must not
 * link libcrypto (DESIGN.md, performance rule 1), and the store verifies
 * blobs and computes chain IDs itself. */
#ifndef CAPSA_BASE_SHA256_H
#define CAPSA_BASE_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes hashed so far */
	uint8_t buf[64];
	size_t fill;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t n);
void sha256_final(struct sha256 *c, uint8_t out[32]);

/* Finish and write "sha256:" + 64 lowercase hex digits + NUL (72 bytes). */
#define SHA256_DIGEST_STR 72
void sha256_final_str(struct sha256 *c, char out[SHA256_DIGEST_STR]);

/* One-shot: digest string of a buffer. */
void sha256_str(const void *data, size_t n, char out[SHA256_DIGEST_STR]);

#endif
