/* load_archive.h — one pass over an image archive (docker-archive or
 * oci-archive tar): members named blobs/sha256/<hex> go straight into the
 * store as verified blobs, the others into a temporary directory under
 * the store's tmp/, symlinks are remembered; then members are opened by
 * name (internal to load.c). */
#ifndef CAPSA_PULL_LOAD_ARCHIVE_H
#define CAPSA_PULL_LOAD_ARCHIVE_H

#include <stddef.h>

struct err;
struct store;

struct la_link {
	char *name, *target; /* clean member paths */
};

struct load_archive {
	char tmp[64]; /* "tmp/load-XXXXXX", relative to the store root */
	int tmpfd;
	struct la_link *links;
	size_t n_links;
};

/* Read `path` ("-": stdin) through once. */
int load_archive_scan(struct load_archive *la, struct store *s, const char *path, struct err *e);

/* Is member `name` there (a file or a blob)? */
int load_archive_has(struct load_archive *la, const char *name);

/* Open member `name`, or blob `digest` when name is NULL.  An fd or <0. */
int load_archive_open(struct load_archive *la, struct store *s, const char *name,
		      const char *digest, struct err *e);

/* Read member `name` (or blob `digest`) whole, at most `max` bytes. */
int load_archive_read(struct load_archive *la, struct store *s, const char *name,
		      const char *digest, size_t max, char **out, size_t *len, struct err *e);

/* Remove the temporary directory. */
void load_archive_free(struct load_archive *la, struct store *s);

#endif
