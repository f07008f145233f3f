/* unpack_entry.h — writing one tar entry into a layer directory, never
 * outside it (internal to unpack.c). */
#ifndef CAPSA_PULL_UNPACK_ENTRY_H
#define CAPSA_PULL_UNPACK_ENTRY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct archive;
struct archive_entry;
struct err;

/* A directory whose mode and times are set last, once its children are
 * written (a 0555 directory could not take them otherwise). */
struct dir_fix {
	char *path;
	unsigned mode;
	struct timespec mtime;
};

struct layer_writer {
	int rootfd;	  /* the layer's diff/ directory */
	int rootless;	  /* not uid 0: no device nodes, user.* xattrs, squash owners */
	const char *what; /* "layer 2 (sha256:…)" for messages */
	uint64_t size;	  /* bytes of regular files */
	struct dir_fix *dirs;
	size_t n_dirs;
	int warned_owner, warned_xattr;
};

/* Write the entry whose header libarchive just returned (data read from
 * `a`). */
int layer_write_entry(struct layer_writer *w, struct archive *a, struct archive_entry *ent,
		      struct err *e);

/* Apply the deferred directory modes and times; free the list. */
int layer_writer_finish(struct layer_writer *w, struct err *e);
void layer_writer_free(struct layer_writer *w);

/* Normalise a tar path in place: strip "./" and leading "/", refuse ".."
 * components.  Returns 0, 1 for the layer root itself, or -EINVAL. */
int layer_clean_path(char *p);

#endif
