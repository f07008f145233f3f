/* spare.h — a container directory made ahead of time.
 *
 * A container's directory in the store is containers/<id> with upper/
 * and work/ in it (rootfs.h).  The engine's reaper (engine/reap.h), after
 * emptying the trash, makes one more such directory, STORE/spare/next;
 * the next rootfs_prepare takes it with one rename instead of three
 * mkdirs.  On this project's test disk (ext4 without a journal) each
 * mkdir scans for an inode that was not freed recently; the rename does
 * not allocate.  Two starts never get the same spare (the rename is
 * atomic: the loser makes its own directories, as without a spare).
 */
#ifndef CAPSA_IMAGE_SPARE_H
#define CAPSA_IMAGE_SPARE_H

struct err;
struct store;

#define SPARE_DIR "spare"

/* Move the spare to `rel` (relative to the store root, which must not
 * exist).  1 when it did, 0 when there was none. */
int spare_take(struct store *s, const char *rel);

/* Make the spare if there is none.  Its own flock keeps two makers
 * apart; a maker killed half-way leaves a temporary the next one
 * removes. */
int spare_make(struct store *s, struct err *e);

#endif
