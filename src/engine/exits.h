/* exits.h — the exit codes of removed containers, kept a few minutes for
 * `capsa wait`.
 *
 * A --rm container's record goes the moment it exits, often before a
 * `capsa wait` started on it has looked (`id=$(capsa run -d --rm ...);
 * capsa wait $id`).  Every removal leaves the code behind as
 * <root>/exits/<minute>/<id> ("<code>\n"), minute = unix time / 60;
 * whole minute directories older than EXITS_KEEP_MIN are removed when a
 * new one is made, so the cost is four system calls a removal and a
 * directory walk a minute.  (podman keeps exit codes in its database
 * for five minutes for the same reason.)
 */
#ifndef CAPSA_ENGINE_EXITS_H
#define CAPSA_ENGINE_EXITS_H

#include "engine/store.h"

#define EXITS_KEEP_MIN 5

/* Best effort: a code that cannot be kept only makes a later wait fail. */
void exits_put(struct ctr_store *s, const char *id, int code);

/* 0 and *code when `id` (full) was removed in the last EXITS_KEEP_MIN
 * minutes; -ENOENT otherwise. */
int exits_get(struct ctr_store *s, const char *id, int *code);

#endif
