/* rename.c — `capsa rename CONTAINER NEW-NAME`. */
#include "base/cleanup.h"
#include "base/error.h"
#include "cli/commands.h"
#include "cli/engine_cli.h"
#include "engine/ctr.h"
#include "engine/store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cmd_rename(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		puts("usage: capsa rename CONTAINER NEW-NAME\n\nGive a container another name.");
		return 0;
	}
	if (argc != 3)
		return eng_usage("rename", "expects CONTAINER and NEW-NAME");
	struct ctr_store s;
	int rc = cli_store("rename", &s);
	if (rc)
		return rc;
	struct err e = {0};
	char id[ID_HEX + 1];
	_cleanup_close_ int dirfd = -1;
	struct record r = {0};
	if (ctr_store_lookup(&s, argv[1], id, &e) < 0 ||
	    ctr_store_lock(&s, id, true, &dirfd, &e) < 0 || record_read(dirfd, id, &r, &e) < 0 ||
	    names_rename(&s, r.name, argv[2], id, &e) < 0) {
		rc = cli_fail("rename", &e, 1);
		goto out;
	}
	char *old = r.name;
	if (!(r.name = strdup(argv[2]))) {
		r.name = old;
		rc = cli_fail("rename", &(struct err){.msg = "out of memory"}, 1);
		goto out;
	}
	if (record_write(dirfd, &r, &e) < 0) {
		/* Put the old name back: the record still says it. */
		names_rename(&s, argv[2], old, id, NULL);
		rc = cli_fail("rename", &e, 1);
	}
	free(old);
out:
	record_free(&r);
	ctr_store_close(&s);
	return rc;
}
