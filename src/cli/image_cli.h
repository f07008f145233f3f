/* image_cli.h — what the image commands (images, rmi, image …, load,
 * import) share: the store from --storage / CAPSA_STORAGE, and the way
 * they print sizes and times. */
#ifndef CAPSA_CLI_IMAGE_CLI_H
#define CAPSA_CLI_IMAGE_CLI_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* Open the store named by `opt` (a command's --storage value, may be
 * NULL), CAPSA_STORAGE or the default.  Prints the error; returns 0 or
 * an exit code. */
int cli_open_store(const char *cmd, const char *opt, struct store *s);

/* The store root only (for capsa-pull), same rules; exit code on error. */
int cli_store_root(const char *cmd, const char *opt, char *buf, size_t len);

/* "1.98MB", as docker prints sizes (powers of 1000). */
const char *cli_size(uint64_t n, char *buf, size_t len);

/* "3 days ago" for an RFC 3339 time; "N/A" when absent or unreadable. */
const char *cli_ago(const char *rfc3339, char *buf, size_t len);

/* Print "capsa CMD: usage error: MSG" and return 2. */
int cli_usage(const char *cmd, const char *msg);

#endif
