/* ref.h — image references, normalised as docker does.
 *
 *   alpine                    -> docker.io/library/alpine:latest
 *   user/app:1.0              -> docker.io/user/app:1.0
 *   quay.io/org/app           -> quay.io/org/app:latest
 *   localhost:5000/app@sha256:<64 hex>   (digest: no default tag)
 *
 * The first path component is a registry host when it contains '.' or ':'
 * or is "localhost"; otherwise the registry is docker.io, whose single-
 * component names live under "library/".  "docker.io" (and the legacy
 * "index.docker.io") is served by registry-1.docker.io.
 */
#ifndef CAPSA_IMAGE_REF_H
#define CAPSA_IMAGE_REF_H

#include <stddef.h>

struct err;

#define REF_DOMAIN_MAX 256
#define REF_PATH_MAX   256 /* docker's limit on a whole name is 255 */
#define REF_TAG_MAX    129 /* 128 characters + NUL */
#define REF_DIGEST_MAX 72  /* "sha256:" + 64 hex + NUL */
#define REF_STR_MAX    (REF_DOMAIN_MAX + REF_PATH_MAX + REF_TAG_MAX + REF_DIGEST_MAX)

struct image_ref {
	char domain[REF_DOMAIN_MAX]; /* "docker.io", "quay.io", "127.0.0.1:5000" */
	char path[REF_PATH_MAX];     /* "library/alpine" */
	char tag[REF_TAG_MAX];	     /* "latest"; "" when only a digest was given */
	char digest[REF_DIGEST_MAX]; /* "sha256:<hex>" or "" */
};

/* Parse and normalise `s`.  Errors name the reference and the rule it
 * breaks ("reference \"Alpine\": repository name must be lowercase"). */
int ref_parse(const char *s, struct image_ref *r, struct err *e);

/* "docker.io/library/alpine:latest", "host/x@sha256:…" or
 * "host/x:tag@sha256:…".  Returns the length, or -ENAMETOOLONG. */
int ref_format(const struct image_ref *r, char *buf, size_t len);

/* "docker.io/library/alpine": domain/path, no tag or digest. */
int ref_repository(const struct image_ref *r, char *buf, size_t len);

/* The host[:port] to connect to: registry-1.docker.io for docker.io,
 * the domain itself otherwise. */
const char *ref_registry_host(const struct image_ref *r);

/* True when `s` is "sha256:" followed by 64 lowercase hex digits. */
int ref_is_digest(const char *s);

#endif
