/* test_pull_gunzip.c — the ISA-L gzip decoder of capsa-pull (pull/gunzip.h):
 * concatenated members, input in any pieces, corrupt and cut streams. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pull/gunzip.h"

#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <stdlib.h>
#include <string.h>

#define N (300 * 1000)

static unsigned char plain[2 * N], gz[2 * N + 4096], out[2 * N + 100];

/* Compress p[0..n) as one gzip member at dst; its size. */
static size_t gzip_member(const unsigned char *p, size_t n, unsigned char *dst, size_t cap)
{
	struct isal_zstream z;
	isal_deflate_stateless_init(&z);
	z.gzip_flag = IGZIP_GZIP;
	z.end_of_stream = 1;
	z.next_in = (uint8_t *)p;
	z.avail_in = (uint32_t)n;
	z.next_out = dst;
	z.avail_out = (uint32_t)cap;
	assert_int_equal(isal_deflate_stateless(&z), COMP_OK);
	return cap - z.avail_out;
}

static void fill(void)
{
	uint32_t x = 88172645u;
	for (size_t i = 0; i < sizeof(plain); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		/* compressible: a small alphabet, runs */
		plain[i] = (unsigned char)("abcdefgh\n"[x % 9]);
	}
}

/* Decode gz[0..len) fed `step` bytes at a time; the bytes made or the
 * negative error. */
static long decode(size_t len, size_t step)
{
	struct gunzip *g = gunzip_new();
	assert_non_null(g);
	size_t in = 0, made = 0;
	bool done = false;
	long r = 0;
	while (!done) {
		bool eof = in == len;
		if (gunzip_need_input(g) && !eof) {
			size_t k = len - in < step ? len - in : step;
			gunzip_input(g, gz + in, k);
			in += k;
			eof = in == len;
		}
		r = gunzip_read(g, out + made,
				sizeof(out) - made > 4096 ? 4096 : sizeof(out) - made, eof, &done);
		if (r < 0)
			break;
		made += (size_t)r;
		if (r == 0 && !done && eof && !gunzip_need_input(g))
			fail_msg("no progress at the end of the input");
	}
	gunzip_free(g);
	return r < 0 ? r : (long)made;
}

static void test_one_member(void **state)
{
	fill();
	size_t len = gzip_member(plain, N, gz, sizeof(gz));
	size_t steps[] = {1, 7, 4096, len};
	for (size_t i = 0; i < 4; i++) {
		memset(out, 0, sizeof(out));
		assert_int_equal(decode(len, steps[i]), N);
		assert_memory_equal(out, plain, N);
	}
}

static void test_members_and_trailing_bytes(void **state)
{
	fill();
	size_t a = gzip_member(plain, N, gz, sizeof(gz));
	size_t b = gzip_member(plain + N, N, gz + a, sizeof(gz) - a);
	assert_int_equal(decode(a + b, 1000), 2 * N);
	assert_memory_equal(out, plain, 2 * N);
	/* Zero padding after the last member (as some registries' blobs
	 * have) is not another member: ignored. */
	memset(gz + a + b, 0, 512);
	assert_int_equal(decode(a + b + 512, 333), 2 * N);
	/* Trailing bytes that start like a member (0x1f), fed one byte at
	 * a time so the boundary falls between them. */
	memcpy(gz + a + b, "\x1f\x00garbage", 9);
	assert_int_equal(decode(a + b + 9, 1), 2 * N);
	assert_memory_equal(out, plain, 2 * N);
}

static void test_corrupt_and_cut(void **state)
{
	fill();
	size_t len = gzip_member(plain, N, gz, sizeof(gz));
	/* Cut inside the deflate data, and inside the trailer. */
	assert_int_equal(decode(len / 2, 4096), -EBADMSG);
	assert_int_equal(decode(len - 3, 4096), -EBADMSG);
	/* A wrong CRC-32 in the trailer. */
	gz[len - 8] ^= 0xff;
	assert_int_equal(decode(len, 4096), -EBADMSG);
	gz[len - 8] ^= 0xff;
	assert_int_equal(decode(len, 4096), N);
	/* A bad gzip header (compression method not deflate). */
	gz[2] = 7;
	assert_int_equal(decode(len, 4096), -EBADMSG);
}

static void test_magic(void **state)
{
	assert_true(gunzip_magic("\x1f\x8b\x08", 3));
	assert_false(gunzip_magic("\x1f", 1));
	assert_false(gunzip_magic("\x28\xb5\x2f\xfd", 4)); /* zstd */
	assert_false(gunzip_magic("usr/", 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_member),
	    cmocka_unit_test(test_members_and_trailing_bytes),
	    cmocka_unit_test(test_corrupt_and_cut),
	    cmocka_unit_test(test_magic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
