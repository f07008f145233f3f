/* usage.c — see usage.h. */
#include "cli/usage.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

int cli_usage_error(enum usage_family family, const char *cmd, const char *fmt, ...)
{
	static const struct {
		const char *prog, *tag;
		bool hint_own_line; /* docker's "See '…'." line */
		int status;
	} fam[] = {
	    [USAGE_ENGINE] = {"capsa", "", true, 125},
	    [USAGE_IMAGE] = {"capsa", "usage error: ", false, 2},
	    [USAGE_OCI] = {"capsa oci", "", false, 1},
	};
	va_list ap;
	fprintf(stderr, "%s %s: %s", fam[family].prog, cmd, fam[family].tag);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (fam[family].hint_own_line)
		fprintf(stderr, "\nSee '%s %s --help'.\n", fam[family].prog, cmd);
	else
		fprintf(stderr, " (see %s %s --help)\n", fam[family].prog, cmd);
	return fam[family].status;
}
