/* caps.h — capabilities for the container process (raw capset(2) and
 * prctl(2); no libcap: the five sets are five 64-bit masks).
 *
 * Order in the init (see init.c):  caps_drop_bounding() while still
 * privileged, then the uid/gid change with PR_SET_KEEPCAPS, then
 * caps_apply() for effective/permitted/inheritable and ambient.
 * Capabilities above the running kernel's CAP_LAST_CAP are ignored.
 */
#ifndef CAPSA_RUNTIME_CAPS_H
#define CAPSA_RUNTIME_CAPS_H

#include <stdint.h>

struct err;
struct spec_caps;

/* Highest capability number the running kernel knows. */
int caps_last_cap(void);

/* Drop every capability not in c->bounding from the bounding set.  The
 * first number the kernel refuses (EINVAL) ends the loop: then `*last`
 * (may be NULL) is the highest capability it knows, else -1. */
int caps_drop_bounding(const struct spec_caps *c, int *last, struct err *e);

/* Set effective, permitted and inheritable with capset(2), then raise
 * each ambient capability (and clear the others).  `last`: the highest
 * capability number as caps_drop_bounding learned it, or -1 to read it
 * (cap_last_cap: three system calls the start path can spare). */
int caps_apply(const struct spec_caps *c, int last, struct err *e);

#endif
