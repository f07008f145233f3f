/* wait.c — `capsa wait CONTAINER...`: block until each exits, print
 * its exit code. */
#include "base/error.h"
#include "cli/commands.h"
#include "cli/engine_cli.h"
#include "engine/ctr.h"
#include "engine/exits.h"
#include "engine/store.h"

#include <errno.h>
#include <string.h>

int cmd_wait(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		puts("usage: capsa wait CONTAINER...\n\n"
		     "Wait until each container exits and print its exit code.  A --rm\n"
		     "container removed in the last 5 minutes still answers by its full ID.");
		return 0;
	}
	if (argc > 1 && argv[1][0] == '-')
		return eng_usage("wait", "unknown option %s", argv[1]);
	if (argc < 2)
		return eng_usage("wait", "expects at least one CONTAINER");
	struct ctr_store s;
	int rc = cli_store("wait", &s);
	if (rc)
		return rc;
	for (int i = 1; i < argc; i++) {
		struct err e = {0};
		char id[ID_HEX + 1];
		int code;
		int r = ctr_store_lookup(&s, argv[i], id, &e);
		/* A full ID removed already (--rm, exited before we looked):
		 * its kept exit code (engine/exits.h). */
		if (r == -ENOENT && strlen(argv[i]) == ID_HEX && exits_get(&s, argv[i], &code) == 0)
			r = 1;
		else if (r == 0)
			r = ctr_wait(&s, id, &code, &e);
		if (r < 0)
			rc = cli_fail("wait", &e, 1);
		else
			printf("%d\n", code);
	}
	ctr_store_close(&s);
	return rc;
}
