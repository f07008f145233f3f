/* auth.h — registry authentication: WWW-Authenticate challenges, Bearer
 * tokens (Docker Hub's flow) cached per scope, and Basic credentials.
 *
 * A registry answers 401 with `WWW-Authenticate: Bearer realm="…",
 * service="…",scope="…"` (token flow) or `Basic realm="…"`.  The client
 * parses the challenge, fetches a token from the realm (with the user's
 * credentials if it has any, anonymously otherwise), caches it under its
 * scope until it expires, and retries.  Pure parsing lives here so it can
 * be unit tested; the HTTP round trip is in registry.c.
 */
#ifndef CAPSA_PULL_AUTH_H
#define CAPSA_PULL_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct err;

enum auth_scheme { AUTH_NONE, AUTH_BASIC, AUTH_BEARER };

/* A parsed challenge; strings are malloc'd (auth_challenge_free). */
struct auth_challenge {
	enum auth_scheme scheme;
	char *realm;
	char *service;
	char *scope;
};

/* Parse one WWW-Authenticate header value (without the header name).
 * Unknown schemes and malformed parameter lists are errors. */
int auth_parse_challenge(const char *value, struct auth_challenge *out, struct err *e);
void auth_challenge_free(struct auth_challenge *c);

/* A token endpoint's JSON answer: {"token"|"access_token", "expires_in"}.
 * Tokens without expires_in live 60 s (the distribution spec's default). */
int auth_parse_token(const char *body, size_t len, time_t now, char **token, time_t *expiry,
		     struct err *e);

/* Tokens by scope; a token is reused while it has >= 10 s left. */
struct auth_token {
	char *scope;
	char *token;
	time_t expiry;
	struct auth_token *next;
};

struct auth_cache {
	struct auth_token *head;
};

const char *auth_cache_get(const struct auth_cache *c, const char *scope, time_t now);
int auth_cache_put(struct auth_cache *c, const char *scope, const char *token, time_t expiry);
void auth_cache_free(struct auth_cache *c);

/* "user:pass" -> base64, and back (for auth.json's "auth" field). */
char *base64_encode(const void *data, size_t len);
/* Returns the decoded bytes NUL-terminated, or NULL on bad input. */
char *base64_decode(const char *s, size_t *len);

#endif
