/* trash.h — removing container directories off the critical path.
 *
 * A container's directory in the store (containers/<id>: its upper and
 * work directories, or a copied root) is removed by one rename into
 * STORE/trash/, which frees no block; the tree itself is removed later by
 * whoever empties the trash: the engine's detached reaper (`capsa _reap`,
 * engine/reap.h) right after, or the image garbage collection.  Whoever
 * empties it holds an exclusive flock on STORE/trash/.lock, so two never
 * walk the same tree, and a remover killed half-way leaves entries the
 * next one finds.  On this project's test disk (ext4 without a journal,
 * online discard) every freed directory block is a synchronous discard:
 * the rename keeps them out of `capsa run --rm`'s own time.
 */
#ifndef CAPSA_IMAGE_TRASH_H
#define CAPSA_IMAGE_TRASH_H

struct err;
struct store;

#define TRASH_DIR "trash"

/* Move `rel` (relative to the store root) into the trash as `name`.
 * Returns 1 when it moved, 0 when `rel` does not exist. */
int trash_put(struct store *s, const char *rel, const char *name, struct err *e);

/* Remove everything in the trash, waiting for a remover that holds the
 * lock first.  Rootless, trees owned by subordinate ids are removed in a
 * user namespace (userns_rm_rf_at).  Returns the number of entries this
 * call removed. */
int trash_empty(struct store *s, struct err *e);

#endif
