/* test_pull_hash.c — capsa-pull's libcrypto SHA-256 (pull/hash.h) gives
 * the same digests as the portable base/sha256.c that build/capsa uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/sha256.h"
#include "pull/hash.h"

#include <stdlib.h>
#include <string.h>

static void portable(const void *p, size_t n, char out[SHA256_DIGEST_STR])
{
	sha256_str(p, n, out);
}

/* Feed `p` in pieces of 1, 2, 3 … bytes, wrapping around at `maxstep`. */
static void evp(const void *p, size_t n, size_t maxstep, char out[SHA256_DIGEST_STR])
{
	struct pull_hash h;
	assert_int_equal(pull_hash_init(&h), 0);
	const char *c = p;
	size_t step = 1;
	while (n) {
		size_t k = step < n ? step : n;
		assert_int_equal(pull_hash_update(&h, c, k), 0);
		c += k;
		n -= k;
		step = step % maxstep + 1;
	}
	assert_int_equal(pull_hash_final_str(&h, out), 0);
	pull_hash_free(&h);
}

static void test_known_vectors(void **state)
{
	char got[SHA256_DIGEST_STR];
	evp("", 0, 1, got);
	assert_string_equal(
	    got, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	evp("abc", 3, 1, got);
	assert_string_equal(
	    got, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* Every length around the 64-byte block and its padding boundary (55,
 * 56, 63, 64 …) and a few large ones, pseudo-random content. */
static void test_same_as_portable(void **state)
{
	size_t max = 3 * 1024 * 1024 + 7;
	unsigned char *buf = malloc(max);
	assert_non_null(buf);
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < max; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (unsigned char)x;
	}
	char a[SHA256_DIGEST_STR], b[SHA256_DIGEST_STR];
	for (size_t n = 0; n <= 300; n++) {
		portable(buf, n, a);
		evp(buf, n, 1 + n % 70, b);
		assert_string_equal(a, b);
	}
	size_t big[] = {4095, 65536, 65537, 1000003, max};
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		portable(buf, big[i], a);
		evp(buf, big[i], 100000, b);
		assert_string_equal(a, b);
	}
	/* Content changes show: not a constant. */
	buf[12345] ^= 1;
	evp(buf, max, 4096, b);
	assert_string_not_equal(a, b);
	free(buf);
}

/* After final the context starts a new digest. */
static void test_reuse_after_final(void **state)
{
	struct pull_hash h;
	char a[SHA256_DIGEST_STR], b[SHA256_DIGEST_STR];
	assert_int_equal(pull_hash_init(&h), 0);
	assert_int_equal(pull_hash_update(&h, "abc", 3), 0);
	assert_int_equal(pull_hash_final_str(&h, a), 0);
	assert_int_equal(pull_hash_update(&h, "abc", 3), 0);
	assert_int_equal(pull_hash_final_str(&h, b), 0);
	assert_string_equal(a, b);
	pull_hash_free(&h);
	pull_hash_free(&h); /* idempotent */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known_vectors),
	    cmocka_unit_test(test_same_as_portable),
	    cmocka_unit_test(test_reuse_after_final),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
