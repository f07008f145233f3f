/* registry.h — a client for one registry repository over the Registry v2 /
 * OCI distribution API, on libcurl.
 *
 * It owns the connection settings (https with the system CAs plus a
 * per-registry CA from certs.d, plain http for localhost or when TLS
 * verification is off, proxies from the environment as curl reads them),
 * the credentials from auth.json and the token cache.  reg_get() does one
 * GET with the authentication dance: on 401 it parses the challenge,
 * fetches a Bearer token (or switches to Basic) and retries once.  Blob
 * downloads (blobs.c) reuse reg_setup_handle() and reg_auth_header() on
 * their own curl handles so they can run concurrently.
 */
#ifndef CAPSA_PULL_REGISTRY_H
#define CAPSA_PULL_REGISTRY_H

#include "pull/auth.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

struct err;

struct reg_opts {
	bool tls_verify;  /* false: --tls-verify=false (also allows http) */
	const char *user; /* explicit credentials (login); NULL: auth.json */
	const char *pass;
};

struct registry {
	char *name;	/* as in the reference: "docker.io", "127.0.0.1:5000" */
	char *host;	/* where it is served: "registry-1.docker.io" */
	char *repo;	/* "library/alpine" */
	char *base;	/* "https://registry-1.docker.io" */
	char *cert_dir; /* certs.d/<name>: *.crt CAs, client.cert/key */
	bool tls_verify;
	char *user, *pass; /* NULL when anonymous */
	char *basic;	   /* "Basic …" once the registry asked for it */
	char *scope;	   /* "repository:<repo>:pull" */
	struct auth_cache tokens;
	CURLSH *share; /* connections, DNS and TLS sessions shared by handles */
};

/* A growable buffer for small bodies (manifests, tokens). */
struct buf {
	char *data;
	size_t len, cap, max;
};

struct reg_response {
	long status;
	char *content_type; /* malloc'd, NULL when absent */
	char *digest;	    /* Docker-Content-Digest, malloc'd or NULL */
	struct buf body;
};

void reg_response_free(struct reg_response *r);

/* `name`: the registry as named in the reference; `repo`: the repository
 * path.  Reads credentials from auth.json unless opts gives them. */
int reg_open(struct registry *r, const char *name, const char *repo, const struct reg_opts *o,
	     struct err *e);
void reg_close(struct registry *r);

/* GET base + path with `accept` (NULL: none); bodies above max_body bytes
 * are an error.  Authenticates as needed.  Any status is returned; the
 * caller judges it. */
int reg_get(struct registry *r, const char *path, const char *accept, size_t max_body,
	    struct reg_response *out, struct err *e);

/* The /v2/ probe, authenticated: 0 when the registry accepts us (login
 * uses it to verify credentials). */
int reg_ping(struct registry *r, struct err *e);

/* Apply TLS, proxy, timeouts and the share to a fresh easy handle. */
int reg_setup_handle(struct registry *r, CURL *h, struct err *e);

/* The Authorization header line for our scope ("Authorization: …"),
 * malloc'd, or NULL when anonymous. */
char *reg_auth_header(struct registry *r);

/* Re-run the authentication after a 401 on a blob (token expired). */
int reg_reauth(struct registry *r, const char *www_authenticate, struct err *e);

#endif
