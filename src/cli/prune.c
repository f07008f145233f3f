/* prune.c — `capsa container prune`: remove every container that is
 * not running. */
#include "base/cleanup.h"
#include "base/error.h"
#include "cli/commands.h"
#include "cli/engine_cli.h"
#include "engine/ctr.h"
#include "engine/store.h"

#include <errno.h>
#include <string.h>

static int prune(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--force"))
			continue; /* no prompt to skip: capsa never asks */
		return eng_usage("container prune", "unknown option %s", argv[i]);
	}
	struct ctr_store s;
	int rc = cli_store("container prune", &s);
	if (rc)
		return rc;
	struct err e = {0};
	_cleanup_strv_ char **ids = NULL;
	if (ctr_store_list(&s, &ids, &e) < 0) {
		ctr_store_close(&s);
		return cli_fail("container prune", &e, 1);
	}
	for (char **p = ids; *p; p++) {
		struct record r;
		if (ctr_load(&s, *p, &r, NULL) < 0)
			continue;
		bool stopped = r.state != CS_RUNNING;
		record_free(&r);
		if (!stopped)
			continue;
		/* Not forced: one started meanwhile is refused, not killed. */
		if (ctr_remove(&s, *p, false, &e) < 0)
			rc = cli_fail("container prune", &e, 1);
		else
			printf("%s\n", *p);
	}
	ctr_store_close(&s);
	return rc;
}

int cmd_container(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "prune")) {
		if (cli_wants_help(argc - 1, argv + 1)) {
			puts("usage: capsa container prune [-f]\n\n"
			     "Remove every container that is not running; print their IDs.");
			return 0;
		}
		return prune(argc - 1, argv + 1);
	}
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		puts("usage: capsa container prune [-f]");
		return 0;
	}
	return eng_usage("container", "unknown subcommand %s", argc >= 2 ? argv[1] : "(none)");
}
