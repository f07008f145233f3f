/* test_sha256.c — SHA-256 against the FIPS 180-4 / NIST vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/sha256.h"

#include <string.h>

static void check(const char *msg, const char *want)
{
	char got[SHA256_DIGEST_STR];
	sha256_str(msg, strlen(msg), got);
	assert_string_equal(got + 7, want);
	assert_memory_equal(got, "sha256:", 7);
}

static void test_vectors(void **state)
{
	check("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	check("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmn"
	      "opqrlmnopqrsmnopqrstnopqrstu",
	      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

/* A million 'a's fed in uneven pieces exercises the buffering. */
static void test_million_a(void **state)
{
	static char a[1000];
	memset(a, 'a', sizeof(a));
	struct sha256 c;
	sha256_init(&c);
	size_t left = 1000000, step = 1;
	while (left) {
		size_t n = step < left ? step : left;
		if (n > sizeof(a))
			n = sizeof(a);
		sha256_update(&c, a, n);
		left -= n;
		step = step * 7 % 997 + 1;
	}
	char got[SHA256_DIGEST_STR];
	sha256_final_str(&c, got);
	assert_string_equal(
	    got, "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vectors),
	    cmocka_unit_test(test_million_a),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
