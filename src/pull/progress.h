/* progress.h — what a pull shows while it downloads.
 *
 * On a terminal: one bar per blob with bytes, rate and ETA, redrawn at
 * most ten times a second.  Otherwise: one line per finished blob.
 * Quiet: nothing.
 */
#ifndef CAPSA_PULL_PROGRESS_H
#define CAPSA_PULL_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

enum progress_mode { PROGRESS_QUIET, PROGRESS_LINES, PROGRESS_BARS };

struct progress;

/* `n` items; mode PROGRESS_BARS falls back to lines when `out` is not a
 * terminal. */
struct progress *progress_new(size_t n, enum progress_mode mode, FILE *out);
void progress_free(struct progress *p);

/* Name item i ("sha256:1234abcd") and its size. */
void progress_item(struct progress *p, size_t i, const char *label, int64_t total);
/* Item i now has `have` bytes. */
void progress_update(struct progress *p, size_t i, int64_t have);
/* Item i is finished: `state` is "downloaded", "exists" …. */
void progress_done(struct progress *p, size_t i, const char *state);
/* Redraw the bars when due (no-op unless PROGRESS_BARS). */
void progress_tick(struct progress *p);

#endif
