/* manifest.h — image manifests and indexes as registries serve them.
 *
 * Accepted: Docker schema 2 manifests and manifest lists, OCI image
 * manifests and indexes.  Docker schema 1 (signed or not) is a clear
 * error.  Every digest is checked to be sha256:<64 hex> and every size
 * non-negative before anything is fetched with them.
 */
#ifndef CAPSA_PULL_MANIFEST_H
#define CAPSA_PULL_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;

#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST	   "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_OCI_MANIFEST	   "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX	   "application/vnd.oci.image.index.v1+json"
/* What a manifest GET asks for, best first. */
#define MANIFEST_ACCEPT                                                                            \
	MT_OCI_INDEX ", " MT_DOCKER_LIST ", " MT_OCI_MANIFEST ", " MT_DOCKER_MANIFEST

/* Layers the unpacker understands: tar, optionally gzip or zstd. */
enum layer_comp { COMP_NONE, COMP_GZIP, COMP_ZSTD };

struct descriptor {
	char *media_type;
	char *digest; /* "sha256:<hex>" */
	int64_t size;
	enum layer_comp comp;	   /* layers only */
	char *os, *arch, *variant; /* index entries only */
};

struct manifest {
	bool is_index;
	char *media_type;
	struct descriptor config; /* image manifests */
	struct descriptor *layers;
	size_t n_layers;
	struct descriptor *entries; /* indexes */
	size_t n_entries;
};

/* Parse `body` (served with `content_type`, which may be NULL: the body's
 * mediaType decides then).  `what` names the document in errors. */
int manifest_parse(const char *what, const char *body, size_t len, const char *content_type,
		   struct manifest *m, struct err *e);
void manifest_free(struct manifest *m);

/* "linux/amd64", "linux/arm64/v8", "linux/arm/v7"; NULL or "": the host's. */
struct platform {
	char os[32], arch[32], variant[32];
};
int platform_parse(const char *s, struct platform *p, struct err *e);
void platform_host(struct platform *p);

/* The index entry for `p` (variant matched when both name one; arm64
 * treats "" and "v8" alike); an error listing what the index offers when
 * none fits. */
int manifest_select(const char *what, const struct manifest *index, const struct platform *p,
		    const struct descriptor **out, struct err *e);

/* "sha256:<64 lowercase hex>". */
bool digest_valid(const char *d);

#endif
