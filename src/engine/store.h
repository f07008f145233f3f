/* store.h — where the engine keeps containers, and how it finds and
 * locks them.
 *
 *   <root>/containers/<id>/   one directory per container: config.json
 *                             (the bundle), record.json, ctr.log[.1]
 *   <root>/names/<name>       symlink -> <id>: the name index
 *   <root>/names.lock         the one global lock (name reservation)
 *   <root>/oci/               the runtime's state root (same IDs)
 *
 * <root> is --root / CAPSA_ROOT, else /run/capsa (root) or
 * $XDG_RUNTIME_DIR/capsa (rootless, /tmp/capsa-UID without it).  Every
 * change to a container happens under its own lock: flock(2) on its
 * directory.  Removal renames the directory to a dot name first, so a
 * lookup never finds a half-removed container.
 */
#ifndef CAPSA_ENGINE_STORE_H
#define CAPSA_ENGINE_STORE_H

#include <limits.h>
#include <stdbool.h>

#include "engine/ids.h"

struct err;

struct ctr_store {
	char root[PATH_MAX];	/* state root */
	char storage[PATH_MAX]; /* image store (--storage / CAPSA_STORAGE) */
	char runtime[PATH_MAX]; /* <root>/oci */
	char seccomp[PATH_MAX]; /* <root>/seccomp: compiled filters (runtime/seccomp.h) */
	char self[PATH_MAX];	/* capsa's own binary: ctr_store_self() */
	int ctrs;		/* fd of <root>/containers */
	int names;		/* fd of <root>/names */
	/* Left for the reaper (engine/reap.h) when the store closes: a
	 * store whose trash got something ("" none), and a foreground --rm
	 * container's mount namespace (-1 none). */
	char reap[PATH_MAX];
	int mntns;
};

/* Resolve the roots from the environment and make the directories. */
int ctr_store_open(struct ctr_store *s, struct err *e);
/* The path of capsa's own binary (for the monitor, --init and the
 * network hook), asked of the kernel on first use only: a plain run
 * never needs it.  NULL if /proc/self/exe cannot be read. */
const char *ctr_store_self(struct ctr_store *s);
/* Close; start the reaper if something was left for it. */
void ctr_store_close(struct ctr_store *s);

/* Note that the image store at `storage` has something in its trash: the
 * reaper starts when this store closes (at once for another store noted
 * before).  "" does nothing. */
void ctr_store_reap_later(struct ctr_store *s, const char *storage);

/* Make containers/<id>/ and return it open and locked. */
int ctr_store_create(struct ctr_store *s, const char *id, int *dirfd, struct err *e);

/* Open containers/<id>/, locked (lock=true) or not.  ENOENT ->
 * "no such container". */
int ctr_store_lock(struct ctr_store *s, const char *id, bool lock, int *dirfd, struct err *e);

/* Full ID from a full ID, a name or a unique ID prefix. */
int ctr_store_lookup(struct ctr_store *s, const char *ref, char id[ID_HEX + 1], struct err *e);

/* Every container's ID (NULL-terminated, malloc'd strings). */
int ctr_store_list(struct ctr_store *s, char ***ids, struct err *e);

/* Remove containers/<id>/ (the caller holds no lock on it anymore). */
int ctr_store_remove(struct ctr_store *s, const char *id, struct err *e);

/* Names, under the global lock: reserve NAME for ID (EEXIST -> "name in
 * use by <id12>"), release it (only if it still points to ID), and
 * move it (rename). */
int names_reserve(struct ctr_store *s, const char *name, const char *id, struct err *e);
void names_release(struct ctr_store *s, const char *name, const char *id);
int names_rename(struct ctr_store *s, const char *from, const char *to, const char *id,
		 struct err *e);

#endif
