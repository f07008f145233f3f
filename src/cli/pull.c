/* pull.c — `capsa pull`, `capsa login`, `capsa logout`: the registry
 * commands.  Everything that touches the network runs in the capsa-pull
 * helper (DESIGN.md: libcurl and libcrypto stay off capsa's run path), so
 * these only resolve the store and exec it with the user's arguments,
 * which capsa-pull parses and checks. */
#include "cli/commands.h"

#include "base/error.h"
#include "image/helper.h"
#include "image/store.h"

#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* Take --storage DIR / --storage=DIR out of argv (capsa-pull gets the
 * resolved root from us) and exec `capsa-pull SUB`. */
static int exec_helper(const char *sub, int argc, char **argv)
{
	const char *opt = NULL;
	char **args = calloc((size_t)argc + 1, sizeof(char *));
	if (!args) {
		fprintf(stderr, "capsa %s: out of memory\n", sub);
		return 1;
	}
	size_t n = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--storage") && i + 1 < argc)
			opt = argv[++i];
		else if (!strncmp(argv[i], "--storage=", 10))
			opt = argv[i] + 10;
		else if (!strcmp(argv[i], "--")) {
			while (i < argc)
				args[n++] = argv[i++];
		} else
			args[n++] = argv[i];
	}
	struct err e = {0};
	char root[PATH_MAX];
	if (store_root_resolve(opt, root, sizeof(root), &e) < 0 ||
	    helper_exec(sub, root, args, &e) < 0) {
		fprintf(stderr, "capsa %s: %s\n", sub, e.msg);
		free(args);
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
