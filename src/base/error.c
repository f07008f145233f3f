/* error.c — formatting of error messages (see error.h). */
#include "base/error.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *err_str(int errnum, char *buf, size_t len)
{
	const char *s = strerror_r(errnum, buf, len);
	if (s != buf) {
		snprintf(buf, len, "%s", s);
	}
	if (buf[0])
		buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

static int vset(struct err *e, int errnum, int with_str, const char *fmt, va_list ap)
{
	if (errnum <= 0)
		errnum = errnum < 0 ? -errnum : EINVAL;
	if (!e)
		return -errnum;
	e->code = errnum;
	int n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	if (with_str && n >= 0 && (size_t)n < sizeof(e->msg)) {
		char buf[128];
		snprintf(e->msg + n, sizeof(e->msg) - (size_t)n, ": %s",
			 err_str(errnum, buf, sizeof(buf)));
	}
	return -errnum;
}

int err_sys(struct err *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vset(e, errnum, 1, fmt, ap);
	va_end(ap);
	return r;
}

int err_msg(struct err *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vset(e, errnum, 0, fmt, ap);
	va_end(ap);
	return r;
}

int err_prefix(struct err *e, const char *fmt, ...)
{
	if (!e)
		return -EINVAL;
	if (e->code == 0)
		e->code = EINVAL;
	char old[ERR_MSG_MAX];
	memcpy(old, e->msg, sizeof(old));
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	size_t used = n < 0 ? 0 : (size_t)n;
	if (used + 3 < sizeof(e->msg)) {
		memcpy(e->msg + used, ": ", 2);
		size_t room = sizeof(e->msg) - used - 2;
		size_t ol = strnlen(old, room - 1);
		memcpy(e->msg + used + 2, old, ol);
		e->msg[used + 2 + ol] = '\0';
	}
	return -e->code;
}

void err_clear(struct err *e)
{
	if (e) {
		e->code = 0;
		e->msg[0] = '\0';
	}
}
