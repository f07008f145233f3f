/* error.h — the error object every fallible function fills.
 *
 * Functions that can fail return a negative errno-style code and, when
 * given a non-NULL `struct err *`, leave a message that names the object
 * and the cause: "exec \"/bin/nope\": no such file or directory".
 * Callers add context on the way up with err_prefix().
 */
#ifndef CAPSA_BASE_ERROR_H
#define CAPSA_BASE_ERROR_H

#include <stddef.h>

#define ERR_MSG_MAX 1024

struct err {
	int code;	       /* positive errno value, 0 when unset */
	char msg[ERR_MSG_MAX]; /* human message, no trailing newline */
};

/* Set `e` to "<fmt>: <strerror(errnum)>" (lower-cased); returns -errnum. */
int err_sys(struct err *e, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Set `e` to "<fmt>" with code `errnum` (no strerror); returns -errnum. */
int err_msg(struct err *e, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prepend "<fmt>: " to the message already in `e`; returns -e->code. */
int err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* strerror() with the first letter lower-cased, as messages use it. */
const char *err_str(int errnum, char *buf, size_t len);

void err_clear(struct err *e);

#endif
