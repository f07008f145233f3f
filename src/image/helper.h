/* helper.h — running capsa-pull, the helper that holds the heavy
 * libraries (DESIGN.md).  capsa looks for it next to its own executable
 * (the directory of /proc/self/exe), then in PATH. */
#ifndef CAPSA_IMAGE_HELPER_H
#define CAPSA_IMAGE_HELPER_H

#include <stddef.h>

struct err;

/* Path of the capsa-pull binary into `buf`. */
int helper_path(char *buf, size_t len, struct err *e);

/* Replace this process with `capsa-pull SUB --storage STORAGE ARGS…`
 * (`args` NULL-terminated).  Returns only on failure. */
int helper_exec(const char *sub, const char *storage, char *const *args, struct err *e);

/* Run `capsa-pull SUB --storage STORAGE ARGS…` as a child and wait for
 * it.  Its own messages go to our stderr; a failure here only says that
 * it failed (and with what status). */
int helper_run(const char *sub, const char *storage, char *const *args, struct err *e);

#endif
