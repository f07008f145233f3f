/* kernel.c — see kernel.h. */
#include "base/kernel.h"

#include <limits.h>
#include <stddef.h>

const struct utsname *kernel_uname(void)
{
	static struct utsname u;
	static int state; /* 0 unknown, 1 known, -1 failed */
	if (!state)
		state = uname(&u) == 0 ? 1 : -1;
	return state > 0 ? &u : NULL;
}

/* A decimal number at *p, which moves past it; false if there is none
 * or it does not fit. */
static bool number(const char **p, unsigned *out)
{
	unsigned v = 0;
	const char *s = *p;
	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT_MAX - 9) / 10)
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	*p = s;
	*out = v;
	return true;
}

bool kernel_release_parse(const char *release, unsigned *major, unsigned *minor)
{
	const char *p = release;
	unsigned a, b;
	*major = *minor = 0;
	if (!p || !number(&p, &a) || *p++ != '.' || !number(&p, &b))
		return false;
	*major = a;
	*minor = b;
	return true;
}

bool kernel_at_least(unsigned major, unsigned minor)
{
	const struct utsname *u = kernel_uname();
	unsigned a, b;
	if (!u || !kernel_release_parse(u->release, &a, &b))
		return false;
	return a > major || (a == major && b >= minor);
}
