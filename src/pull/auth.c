/* auth.c — WWW-Authenticate parsing, token answers, the token cache and
 * base64 (see auth.h). */
#include "pull/auth.h"

#include "base/cleanup.h"
#include "base/error.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

void auth_challenge_free(struct auth_challenge *c)
{
	free(c->realm);
	free(c->service);
	free(c->scope);
	memset(c, 0, sizeof(*c));
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Read a token or a quoted-string (with backslash escapes) into a new
 * string; *pp is left after it. */
static char *read_value(const char **pp)
{
	const char *p = *pp;
	size_t cap = strlen(p) + 1, n = 0;
	char *v = malloc(cap);
	if (!v)
		return NULL;
	if (*p == '"') {
		p++;
		while (*p && *p != '"') {
			if (*p == '\\' && p[1])
				p++;
			v[n++] = *p++;
		}
		if (*p != '"') {
			free(v);
			return NULL;
		}
		p++;
	} else {
		while (*p && *p != ',' && *p != ' ' && *p != '\t')
			v[n++] = *p++;
	}
	v[n] = '\0';
	*pp = p;
	return v;
}

int auth_parse_challenge(const char *value, struct auth_challenge *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	const char *p = skip_ws(value);
	size_t slen = strcspn(p, " \t");
	if (slen == 6 && !strncasecmp(p, "Bearer", 6))
		out->scheme = AUTH_BEARER;
	else if (slen == 5 && !strncasecmp(p, "Basic", 5))
		out->scheme = AUTH_BASIC;
	else
		return err_msg(e, EPROTO, "authentication challenge \"%.*s\": unsupported scheme",
			       (int)slen, p);
	p = skip_ws(p + slen);
	while (*p) {
		const char *k = p;
		while (*p && (isalnum((unsigned char)*p) || *p == '_' || *p == '-'))
			p++;
		size_t klen = (size_t)(p - k);
		p = skip_ws(p);
		if (klen == 0 || *p != '=') {
			auth_challenge_free(out);
			return err_msg(e, EPROTO, "authentication challenge \"%s\": malformed",
				       value);
		}
		p = skip_ws(p + 1);
		char *v = read_value(&p);
		if (!v) {
			auth_challenge_free(out);
			return err_msg(e, EPROTO, "authentication challenge \"%s\": malformed",
				       value);
		}
		char **slot = NULL;
		if (klen == 5 && !strncasecmp(k, "realm", 5))
			slot = &out->realm;
		else if (klen == 7 && !strncasecmp(k, "service", 7))
			slot = &out->service;
		else if (klen == 5 && !strncasecmp(k, "scope", 5))
			slot = &out->scope;
		if (slot) {
			free(*slot);
			*slot = v;
		} else {
			free(v);
		}
		p = skip_ws(p);
		if (*p == ',')
			p = skip_ws(p + 1);
		else if (*p) {
			auth_challenge_free(out);
			return err_msg(e, EPROTO, "authentication challenge \"%s\": malformed",
				       value);
		}
	}
	if (out->scheme == AUTH_BEARER && (!out->realm || !*out->realm)) {
		auth_challenge_free(out);
		return err_msg(e, EPROTO, "authentication challenge \"%s\": Bearer without realm",
			       value);
	}
	return 0;
}

int auth_parse_token(const char *body, size_t len, time_t now, char **token, time_t *expiry,
		     struct err *e)
{
	struct json_tokener *tok = json_tokener_new();
	if (!tok)
		return err_sys(e, ENOMEM, "token answer");
	json_object *o = json_tokener_parse_ex(tok, body, (int)len);
	json_tokener_free(tok);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return err_msg(e, EPROTO, "token answer: not a JSON object");
	}
	json_object *t = NULL, *x = NULL;
	if (!json_object_object_get_ex(o, "token", &t) || !json_object_is_type(t, json_type_string))
		if (!json_object_object_get_ex(o, "access_token", &t) ||
		    !json_object_is_type(t, json_type_string)) {
			json_object_put(o);
			return err_msg(e, EPROTO, "token answer: no token");
		}
	int64_t ttl = 60;
	if (json_object_object_get_ex(o, "expires_in", &x) && json_object_is_type(x, json_type_int))
		ttl = json_object_get_int64(x);
	if (ttl < 0 || ttl > 10 * 365 * 86400)
		ttl = 60;
	*token = strdup(json_object_get_string(t));
	json_object_put(o);
	if (!*token)
		return err_sys(e, ENOMEM, "token answer");
	*expiry = now + (time_t)ttl;
	return 0;
}

const char *auth_cache_get(const struct auth_cache *c, const char *scope, time_t now)
{
	for (const struct auth_token *t = c->head; t; t = t->next)
		if (!strcmp(t->scope, scope) && t->expiry - 10 > now)
			return t->token;
	return NULL;
}

int auth_cache_put(struct auth_cache *c, const char *scope, const char *token, time_t expiry)
{
	for (struct auth_token *t = c->head; t; t = t->next)
		if (!strcmp(t->scope, scope)) {
			char *nt = strdup(token);
			if (!nt)
				return -ENOMEM;
			free(t->token);
			t->token = nt;
			t->expiry = expiry;
			return 0;
		}
	struct auth_token *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->scope = strdup(scope);
	t->token = strdup(token);
	if (!t->scope || !t->token) {
		free(t->scope);
		free(t->token);
		free(t);
		return -ENOMEM;
	}
	t->expiry = expiry;
	t->next = c->head;
	c->head = t;
	return 0;
}

void auth_cache_free(struct auth_cache *c)
{
	while (c->head) {
		struct auth_token *t = c->head;
		c->head = t->next;
		free(t->scope);
		free(t->token);
		free(t);
	}
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const void *data, size_t len)
{
	const unsigned char *s = data;
	char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < len)
			v |= s[i + 2];
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = i + 1 < len ? b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < len ? b64[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

char *base64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s);
	char *out = malloc(n / 4 * 3 + 4);
	if (!out)
		return NULL;
	size_t o = 0, bits = 0;
	uint32_t acc = 0;
	bool pad = false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=') {
			pad = true;
			continue;
		}
		const char *c = memchr(b64, s[i], 64);
		if (!c || pad) {
			free(out);
			return NULL;
		}
		acc = acc << 6 | (uint32_t)(c - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)(acc >> bits & 0xff);
		}
	}
	out[o] = '\0';
	if (len)
		*len = o;
	return out;
}
