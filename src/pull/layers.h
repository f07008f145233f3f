/* layers.h — an image's layers from the registry into the store.
 *
 * Chain IDs come from the config's diff_ids, so a layer already unpacked
 * in the store (shared with another image) is neither downloaded nor
 * unpacked again.  The others download concurrently (blobs.c); each
 * verified blob goes to a pool of unpack threads (one per CPU, at most 4)
 * the moment it lands, so unpacking overlaps the remaining downloads and
 * independent layers unpack side by side.
 */
#ifndef CAPSA_PULL_LAYERS_H
#define CAPSA_PULL_LAYERS_H

#include "pull/progress.h"

struct blob_fetch;
struct err;
struct manifest;
struct store;

/* `diff_ids`: one per layer, bottom first (validated sha256 digests).
 * `bf` gives the registry, the directories and the parallelism; its
 * done/arg/progress are set here (`mode`: how downloads are shown). */
int layers_fetch(struct store *s, const struct blob_fetch *bf, const struct manifest *m,
		 char **diff_ids, enum progress_mode mode, struct err *e);

#endif
