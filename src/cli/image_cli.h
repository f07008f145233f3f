/* image_cli.h — what the image commands (images, rmi, image …, load,
 * import) share: the store from --storage / CAPSA_STORAGE, and the way
 * they print sizes and times. */
#ifndef CAPSA_CLI_IMAGE_CLI_H
#define CAPSA_CLI_IMAGE_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "cli/usage.h" /* cli_usage */

struct store;

/* A command's own --storage DIR / --storage=DIR (before "--"), taken
 * out of argv and handed down as CAPSA_STORAGE, as main does with the
 * global one: every image command reads it the same way.  A --storage
 * without a value stays for the command's parser to reject.  Returns 0
 * or an exit code (error printed). */
int cli_take_storage(const char *cmd, int *argc, char **argv);

/* Open the store: CAPSA_STORAGE or the default.  Prints the error;
 * returns 0 or an exit code. */
int cli_open_store(const char *cmd, struct store *s);

/* The store root only (for capsa-pull), same rules; exit code on error. */
int cli_store_root(const char *cmd, char *buf, size_t len);

/* "1.98MB", as docker prints sizes (powers of 1000). */
const char *cli_size(uint64_t n, char *buf, size_t len);

/* "3 days ago" for an RFC 3339 time; "N/A" when absent or unreadable. */
const char *cli_ago(const char *rfc3339, char *buf, size_t len);

#endif
