/* pull.c — `capsa pull`, `capsa login`, `capsa logout`: the registry
 * commands.  Everything that touches the network runs in the capsa-pull
 * helper (DESIGN.md: libcurl and libcrypto stay off capsa's run path), so
 * these only resolve the store and exec it with the user's arguments,
 * which capsa-pull parses and checks. */
#include "cli/commands.h"

#include "base/error.h"
#include "cli/image_cli.h"
#include "image/helper.h"
#include "image/store.h"

#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* Exec `capsa-pull SUB` with our arguments but --storage: capsa-pull
 * gets the resolved store root from us. */
static int exec_helper(const char *sub, int argc, char **argv)
{
	if (cli_take_storage(sub, &argc, argv))
		return 1;
	struct err e = {0};
	char root[PATH_MAX];
	if (store_root_resolve(NULL, root, sizeof(root), &e) < 0 ||
	    helper_exec(sub, root, argv + 1, &e) < 0) {
		fprintf(stderr, "capsa %s: %s\n", sub, e.msg);
		return 1;
	}
	return 1;
}

int cmd_pull(int argc, char **argv)
{
	return exec_helper("pull", argc, argv);
}

int cmd_login(int argc, char **argv)
{
	return exec_helper("login", argc, argv);
}

int cmd_logout(int argc, char **argv)
{
	return exec_helper("logout", argc, argv);
}
