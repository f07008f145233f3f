/* registry.c — connection settings, the /v2/ probe and authenticated GETs
 * (see registry.h). */
#include "pull/registry.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "pull/creds.h"

#include <dirent.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define USER_AGENT "capsa/0.1.0"

void reg_response_free(struct reg_response *r)
{
	free(r->content_type);
	free(r->digest);
	free(r->body.data);
	memset(r, 0, sizeof(*r));
}

static bool is_loopback(const char *name)
{
	static const char *const loop[] = {"localhost", "127.", "[::1]"};
	for (size_t i = 0; i < ARRAY_SIZE(loop); i++)
		if (!strncmp(name, loop[i], strlen(loop[i])) &&
		    (loop[i][strlen(loop[i]) - 1] == '.' || name[strlen(loop[i])] == '\0' ||
		     name[strlen(loop[i])] == ':'))
			return true;
	return false;
}

/* The certs.d directory for `name`: $CAPSA_CERTS_DIR/<name> when that is
 * set (tests), else the user's then the system's. */
static char *find_cert_dir(const char *name)
{
	const char *roots[3] = {NULL, NULL, NULL};
	_cleanup_free_ char *user = NULL;
	const char *over = getenv("CAPSA_CERTS_DIR");
	if (over && *over) {
		roots[0] = over;
	} else {
		const char *home = getenv("HOME");
		if (home && geteuid() != 0 &&
		    asprintf(&user, "%s/.config/containers/certs.d", home) > 0)
			roots[0] = user;
		roots[roots[0] ? 1 : 0] = "/etc/containers/certs.d";
	}
	for (size_t i = 0; i < ARRAY_SIZE(roots) && roots[i]; i++) {
		char *d = NULL;
		struct stat st;
		if (asprintf(&d, "%s/%s", roots[i], name) < 0)
			return NULL;
		if (stat(d, &st) == 0 && S_ISDIR(st.st_mode))
			return d;
		free(d);
	}
	return NULL;
}

/* Add every *.crt of the registry's certs.d directory to the system CAs
 * curl already loaded into this TLS context. */
static CURLcode ssl_ctx_add_cas(CURL *h, void *sslctx, void *arg)
{
	(void)h;
	const char *dir = arg;
	X509_STORE *store = SSL_CTX_get_cert_store((SSL_CTX *)sslctx);
	DIR *d = opendir(dir);
	if (!d)
		return CURLE_OK;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n < 4 || strcmp(de->d_name + n - 4, ".crt"))
			continue;
		char *p = NULL;
		if (asprintf(&p, "%s/%s", dir, de->d_name) < 0)
			continue;
		/* A second load of the same CA into a cached store fails
		 * harmlessly ("already in hash table"). */
		X509_STORE_load_file(store, p);
		free(p);
	}
	closedir(d);
	ERR_clear_error();
	return CURLE_OK;
}

int reg_setup_handle(struct registry *r, CURL *h, struct err *e)
{
	CURLcode c = CURLE_OK;
#define SET(opt, val)                                                                              \
	do {                                                                                       \
		if (c == CURLE_OK)                                                                 \
			c = curl_easy_setopt(h, opt, val);                                         \
	} while (0)
	SET(CURLOPT_USERAGENT, USER_AGENT);
	SET(CURLOPT_FOLLOWLOCATION, 1L);
	SET(CURLOPT_MAXREDIRS, 10L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_CONNECTTIMEOUT, 30L);
	/* A transfer that moves nothing for 30 s is a broken connection:
	 * abort it so the retry logic can resume it. */
	SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
	SET(CURLOPT_LOW_SPEED_TIME, 30L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_SHARE, r->share);
	if (!r->tls_verify) {
		SET(CURLOPT_SSL_VERIFYPEER, 0L);
		SET(CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (r->cert_dir) {
		SET(CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_add_cas);
		SET(CURLOPT_SSL_CTX_DATA, r->cert_dir);
	}
	if (r->cert_dir) {
		_cleanup_free_ char *cert = NULL, *key = NULL;
		if (asprintf(&cert, "%s/client.cert", r->cert_dir) > 0 &&
		    asprintf(&key, "%s/client.key", r->cert_dir) > 0 && access(cert, R_OK) == 0 &&
		    access(key, R_OK) == 0) {
			SET(CURLOPT_SSLCERT, cert);
			SET(CURLOPT_SSLKEY, key);
		}
	}
#undef SET
	if (c != CURLE_OK)
		return err_msg(e, EINVAL, "registry %s: curl setup: %s", r->name,
			       curl_easy_strerror(c));
	return 0;
}

char *reg_auth_header(struct registry *r)
{
	char *h = NULL;
	const char *tok = auth_cache_get(&r->tokens, r->scope, time(NULL));
	if (tok) {
		if (asprintf(&h, "Authorization: Bearer %s", tok) < 0)
			return NULL;
	} else if (r->basic) {
		if (asprintf(&h, "Authorization: %s", r->basic) < 0)
			return NULL;
	}
	return h;
}

struct hdrs {
	struct reg_response *resp;
	char *www_auth;
};

static void set_hdr(char **slot, const char *v, size_t n)
{
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	free(*slot);
	*slot = strndup(v, n);
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct hdrs *h = arg;
	size_t len = size * n;
	/* A new status line starts a new response (redirects, 100-continue):
	 * forget the previous one's headers. */
	if (len > 5 && !strncmp(p, "HTTP/", 5)) {
		free(h->resp->content_type);
		free(h->resp->digest);
		free(h->www_auth);
		h->resp->content_type = h->resp->digest = h->www_auth = NULL;
		return len;
	}
	const char *colon = memchr(p, ':', len);
	if (!colon)
		return len;
	size_t klen = (size_t)(colon - p);
	const char *v = colon + 1;
	while (v < p + len && *v == ' ')
		v++;
	size_t vlen = (size_t)(p + len - v);
	if (klen == 12 && !strncasecmp(p, "Content-Type", 12))
		set_hdr(&h->resp->content_type, v, vlen);
	else if (klen == 21 && !strncasecmp(p, "Docker-Content-Digest", 21))
		set_hdr(&h->resp->digest, v, vlen);
	else if (klen == 16 && !strncasecmp(p, "WWW-Authenticate", 16))
		set_hdr(&h->www_auth, v, vlen);
	return len;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t len = size * n;
	if (b->len + len > b->max)
		return 0; /* aborts the transfer: too large */
	if (b->len + len + 1 > b->cap) {
		size_t cap = (b->len + len + 1) * 2;
		char *d = realloc(b->data, cap);
		if (!d)
			return 0;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
	return len;
}

static void curl_slist_freep(struct curl_slist **l)
{
	curl_slist_free_all(*l);
}

static void curl_easy_cleanupp(CURL **h)
{
	if (*h)
		curl_easy_cleanup(*h);
}

/* One GET; fills out (status, headers, body) and the raw challenge. */
static int do_get(struct registry *r, const char *url, const char *accept, const char *basic_up,
		  size_t max_body, struct reg_response *out, char **www_auth, struct err *e)
{
	_cleanup_(curl_easy_cleanupp) CURL *h = curl_easy_init();
	_cleanup_(curl_slist_freep) struct curl_slist *hl = NULL;
	if (!h)
		return err_sys(e, ENOMEM, "registry %s: curl", r->name);
	int ret = reg_setup_handle(r, h, e);
	if (ret < 0)
		return ret;
	_cleanup_free_ char *acc = NULL, *auth = NULL;
	if (accept && asprintf(&acc, "Accept: %s", accept) > 0)
		hl = curl_slist_append(hl, acc);
	if (!basic_up && (auth = reg_auth_header(r)))
		hl = curl_slist_append(hl, auth);
	struct hdrs hd = {.resp = out};
	out->body.max = max_body;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &hd);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &out->body);
	if (basic_up) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERPWD, basic_up);
	}
	CURLcode c = curl_easy_perform(h);
	if (www_auth)
		*www_auth = hd.www_auth;
	else
		free(hd.www_auth);
	if (c == CURLE_WRITE_ERROR && out->body.len + 1 > out->body.max)
		return err_msg(e, EFBIG, "GET %s: answer larger than %zu bytes", url, max_body);
	if (c != CURLE_OK)
		return err_msg(e, c == CURLE_COULDNT_CONNECT ? ECONNREFUSED : EIO, "GET %s: %s",
			       url, curl_easy_strerror(c));
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
	return 0;
}

static int fetch_token(struct registry *r, const struct auth_challenge *ch, struct err *e)
{
	CURLU *u = curl_url();
	if (!u)
		return err_sys(e, ENOMEM, "token");
	_cleanup_free_ char *svc = NULL, *scp = NULL;
	const char *scope = ch->scope ? ch->scope : r->scope;
	if (curl_url_set(u, CURLUPART_URL, ch->realm, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		return err_msg(e, EPROTO, "registry %s: token realm \"%s\" is not a URL", r->name,
			       ch->realm);
	}
	if (ch->service && asprintf(&svc, "service=%s", ch->service) > 0)
		curl_url_set(u, CURLUPART_QUERY, svc, CURLU_APPENDQUERY | CURLU_URLENCODE);
	if (scope && *scope && asprintf(&scp, "scope=%s", scope) > 0)
		curl_url_set(u, CURLUPART_QUERY, scp, CURLU_APPENDQUERY | CURLU_URLENCODE);
	char *url = NULL;
	curl_url_get(u, CURLUPART_URL, &url, 0);
	curl_url_cleanup(u);
	if (!url)
		return err_sys(e, ENOMEM, "token");
	_cleanup_free_ char *up = NULL;
	if (r->user && asprintf(&up, "%s:%s", r->user, r->pass ? r->pass : "") < 0)
		up = NULL;
	struct reg_response resp = {0};
	int ret = do_get(r, url, "application/json", up ? up : NULL, 1 << 20, &resp, NULL, e);
	if (ret == 0 && (resp.status == 401 || resp.status == 403))
		ret = r->user ? err_msg(e, EACCES,
					"registry %s: login as %s refused: wrong username or "
					"password",
					r->name, r->user)
			      : err_msg(e, EACCES,
					"registry %s: anonymous access refused (capsa login %s)",
					r->name, r->name);
	else if (ret == 0 && resp.status != 200)
		ret = err_msg(e, EPROTO, "registry %s: token endpoint %s answered HTTP %ld",
			      r->name, ch->realm, resp.status);
	if (ret == 0) {
		char *tok = NULL;
		time_t exp;
		ret = auth_parse_token(resp.body.data ? resp.body.data : "", resp.body.len,
				       time(NULL), &tok, &exp, e);
		if (ret == 0) {
			if (auth_cache_put(&r->tokens, r->scope, tok, exp) < 0)
				ret = err_sys(e, ENOMEM, "token");
			free(tok);
		} else {
			err_prefix(e, "registry %s", r->name);
		}
	}
	curl_free(url);
	reg_response_free(&resp);
	return ret;
}

int reg_reauth(struct registry *r, const char *www_authenticate, struct err *e)
{
	if (!www_authenticate)
		return err_msg(e, EACCES, "registry %s: 401 without a WWW-Authenticate challenge",
			       r->name);
	struct auth_challenge ch;
	int ret = auth_parse_challenge(www_authenticate, &ch, e);
	if (ret < 0)
		return err_prefix(e, "registry %s", r->name);
	if (ch.scheme == AUTH_BEARER) {
		ret = fetch_token(r, &ch, e);
	} else if (!r->user) {
		ret = err_msg(e, EACCES, "registry %s: authentication required (capsa login %s)",
			      r->name, r->name);
	} else {
		_cleanup_free_ char *up = NULL;
		if (asprintf(&up, "%s:%s", r->user, r->pass ? r->pass : "") < 0)
			ret = err_sys(e, ENOMEM, "credentials");
		else {
			free(r->basic);
			r->basic = NULL;
			char *b = base64_encode(up, strlen(up));
			if (!b || asprintf(&r->basic, "Basic %s", b) < 0)
				ret = err_sys(e, ENOMEM, "credentials");
			free(b);
		}
	}
	auth_challenge_free(&ch);
	return ret;
}

int reg_get(struct registry *r, const char *path, const char *accept, size_t max_body,
	    struct reg_response *out, struct err *e)
{
	_cleanup_free_ char *url = NULL;
	if (asprintf(&url, "%s%s", r->base, path) < 0)
		return err_sys(e, ENOMEM, "url");
	for (int attempt = 0;; attempt++) {
		_cleanup_free_ char *www = NULL;
		reg_response_free(out);
		int ret = do_get(r, url, accept, NULL, max_body, out, &www, e);
		if (ret < 0)
			return ret;
		if (out->status != 401)
			return 0;
		if (attempt > 0)
			return r->user
				   ? err_msg(e, EACCES,
					     "registry %s: login as %s refused: wrong username "
					     "or password",
					     r->name, r->user)
				   : err_msg(e, EACCES,
					     "registry %s: access denied to %s (capsa login %s)",
					     r->name, r->repo ? r->repo : "/v2/", r->name);
		ret = reg_reauth(r, www, e);
		if (ret < 0)
			return ret;
	}
}

int reg_ping(struct registry *r, struct err *e)
{
	struct reg_response resp = {0};
	int ret = reg_get(r, "/v2/", NULL, 1 << 16, &resp, e);
	if (ret == 0 && resp.status != 200)
		ret = err_msg(e, EPROTO, "registry %s: /v2/ answered HTTP %ld: not a registry",
			      r->name, resp.status);
	reg_response_free(&resp);
	return ret;
}

/* Pick https or http: https first; loopback registries and
 * --tls-verify=false fall back to http when the server does not speak
 * TLS at all (a certificate that fails verification is never skipped). */
static int choose_scheme(struct registry *r, struct err *e)
{
	bool may_http = is_loopback(r->name) || !r->tls_verify;
	struct reg_response resp = {0};
	_cleanup_free_ char *url = NULL;
	if (asprintf(&r->base, "https://%s", r->host) < 0 || asprintf(&url, "%s/v2/", r->base) < 0)
		return err_sys(e, ENOMEM, "url");
	_cleanup_(curl_easy_cleanupp) CURL *h = curl_easy_init();
	if (!h)
		return err_sys(e, ENOMEM, "curl");
	int ret = reg_setup_handle(r, h, e);
	if (ret < 0)
		return ret;
	struct hdrs hd = {.resp = &resp};
	resp.body.max = 1 << 16;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &hd);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp.body);
	CURLcode c = curl_easy_perform(h);
	free(hd.www_auth);
	reg_response_free(&resp);
	if (c == CURLE_OK)
		return 0;
	if (may_http &&
	    (c == CURLE_SSL_CONNECT_ERROR || c == CURLE_RECV_ERROR || c == CURLE_GOT_NOTHING)) {
		free(r->base);
		if (asprintf(&r->base, "http://%s", r->host) < 0)
			return err_sys(e, ENOMEM, "url");
		return 0;
	}
	return err_msg(e, c == CURLE_COULDNT_CONNECT ? ECONNREFUSED : EIO,
		       "registry %s: GET %s: %s%s", r->name, url, curl_easy_strerror(c),
		       c == CURLE_PEER_FAILED_VERIFICATION
			   ? " (put its CA in certs.d/<host:port>/ca.crt or use --tls-verify=false)"
			   : "");
}

int reg_open(struct registry *r, const char *name, const char *repo, const struct reg_opts *o,
	     struct err *e)
{
	memset(r, 0, sizeof(*r));
	r->tls_verify = o->tls_verify;
	r->name = strdup(name);
	r->host = strdup(strcmp(name, "docker.io") ? name : "registry-1.docker.io");
	r->repo = repo ? strdup(repo) : NULL;
	if (!r->name || !r->host || (repo && !r->repo))
		return err_sys(e, ENOMEM, "registry %s", name);
	if (repo && asprintf(&r->scope, "repository:%s:pull", repo) < 0)
		return err_sys(e, ENOMEM, "registry %s", name);
	if (!repo && !(r->scope = strdup("")))
		return err_sys(e, ENOMEM, "registry %s", name);
	r->cert_dir = find_cert_dir(name);
	if (o->user) {
		r->user = strdup(o->user);
		r->pass = strdup(o->pass ? o->pass : "");
		if (!r->user || !r->pass)
			return err_sys(e, ENOMEM, "registry %s", name);
	} else {
		int ret = creds_lookup(name, &r->user, &r->pass, e);
		if (ret < 0)
			return ret;
	}
	r->share = curl_share_init();
	if (!r->share)
		return err_sys(e, ENOMEM, "registry %s: curl", name);
	/* Shared between the easy handles of one thread (the multi loop), so
	 * no lock callbacks are needed. */
	curl_share_setopt(r->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(r->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(r->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	return choose_scheme(r, e);
}

void reg_close(struct registry *r)
{
	if (r->share)
		curl_share_cleanup(r->share);
	free(r->name);
	free(r->host);
	free(r->repo);
	free(r->base);
	free(r->cert_dir);
	free(r->user);
	free(r->pass);
	free(r->basic);
	free(r->scope);
	auth_cache_free(&r->tokens);
	memset(r, 0, sizeof(*r));
}
