/* image_prune.c — `capsa image prune [-a]`: remove images without a name
 * (with -a: every image no container uses), then every layer, blob and
 * dead temporary nothing references. */
#include "base/cleanup.h"
#include "base/error.h"
#include "cli/commands.h"
#include "cli/image_cli.h"
#include "image/gc.h"
#include "image/index.h"
#include "image/store.h"

#include <getopt.h>
#include <stdio.h>

static const char usage[] =
    "usage: capsa image prune [-a] [-f] [--storage DIR]\n\n"
    "Remove unnamed images (-a: all images no container uses) and the layers\n"
    "and blobs nothing references.  -f is accepted for docker's sake: capsa\n"
    "never asks.";

int cmd_image_prune(int argc, char **argv)
{
	static const struct option opts[] = {{"all", no_argument, NULL, 'a'},
					     {"force", no_argument, NULL, 'f'},
					     {"help", no_argument, NULL, 'h'},
					     {0}};
	int all = 0, c;
	if (cli_take_storage("image prune", &argc, argv))
		return 1;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+afh", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = 1;
			break;
		case 'f':
			break;
		case 'h':
			puts(usage);
			return 0;
		default:
			return cli_usage("image prune", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage("image prune", "unexpected argument");
	struct store s;
	int rc = cli_open_store("image prune", &s);
	if (rc)
		return rc;
	struct err e = {0};
	_cleanup_close_ int lock = store_lock(&s, &e);
	struct image_index x = {0};
	if (lock < 0 || index_load(&s, &x, &e) < 0) {
		fprintf(stderr, "capsa image prune: %s\n", e.msg);
		store_close(&s);
		return 1;
	}
	for (size_t i = x.n; i-- > 0;) {
		char cid[128];
		if ((x.v[i].n_names && !all) || store_image_in_use(&s, x.v[i].id, cid, sizeof(cid)))
			continue;
		for (size_t j = 0; j < x.v[i].n_names; j++)
			printf("Untagged: %s\n", x.v[i].names[j]);
		printf("Deleted: %s\n", x.v[i].id);
		index_remove(&x, i);
	}
	struct gc_stats st;
	if (index_save(&s, &x, &e) < 0 || store_gc(&s, &x, &st, &e) < 0) {
		fprintf(stderr, "capsa image prune: %s\n", e.msg);
		rc = 1;
	} else {
		char size[32];
		printf("Removed %zu layers, %zu blobs, %zu temporaries\n", st.layers, st.blobs,
		       st.temps);
		printf("Total reclaimed space: %s\n", cli_size(st.bytes, size, sizeof(size)));
	}
	index_free(&x);
	store_close(&s);
	return rc;
}
