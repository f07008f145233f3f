/* hash.c — see hash.h. */
#include "pull/hash.h"

#include <errno.h>
#include <openssl/evp.h>
#include <string.h>

int pull_hash_init(struct pull_hash *h)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	h->md = c;
	if (!c)
		return -ENOMEM;
	return EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 ? 0 : -EIO;
}

int pull_hash_update(struct pull_hash *h, const void *data, size_t n)
{
	if (n == 0)
		return 0;
	return EVP_DigestUpdate(h->md, data, n) == 1 ? 0 : -EIO;
}

int pull_hash_final_str(struct pull_hash *h, char out[SHA256_DIGEST_STR])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (EVP_DigestFinal_ex(h->md, md, &len) != 1 || len != 32 ||
	    EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) != 1)
		return -EIO;
	memcpy(out, "sha256:", 7);
	for (unsigned i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[71] = '\0';
	return 0;
}

void pull_hash_free(struct pull_hash *h)
{
	EVP_MD_CTX_free(h->md);
	h->md = NULL;
}
