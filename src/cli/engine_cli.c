/* engine_cli.c — see engine_cli.h. */
#include "cli/engine_cli.h"

#include "base/error.h"
#include "engine/store.h"

#include <stdlib.h>
#include <string.h>

int cli_store(const char *cmd, struct ctr_store *s)
{
	struct err e = {0};
	if (ctr_store_open(s, &e) < 0) {
		ctr_store_close(s);
		return cli_fail(cmd, &e, 125);
	}
	return 0;
}

int cli_fail(const char *cmd, const struct err *e, int status)
{
	fprintf(stderr, "capsa %s: %s\n", cmd, e->msg[0] ? e->msg : "failed");
	return status;
}

int cli_time_arg(const char *cmd, const char *arg, int *out)
{
	char *end;
	long v = strtol(arg, &end, 10);
	if (!*arg || *end || v < 0 || v > 1 << 30)
		return eng_usage(cmd, "--time \"%s\": expected seconds", arg);
	*out = (int)v;
	return 0;
}

bool cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--help"))
			return true;
	}
	return false;
}

int cli_each(const char *cmd, struct ctr_store *s, int argc, char **argv, int first, bool echo,
	     int (*fn)(struct ctr_store *s, const char *id, void *arg, struct err *e), void *arg)
{
	int rc = 0;
	for (int i = first; i < argc; i++) {
		struct err e = {0};
		char id[ID_HEX + 1];
		if (ctr_store_lookup(s, argv[i], id, &e) < 0 || fn(s, id, arg, &e) < 0) {
			cli_fail(cmd, &e, 1);
			rc = 1;
			continue;
		}
		if (echo)
			printf("%s\n", argv[i]);
	}
	return rc;
}
