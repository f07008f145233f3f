/* rmi.c — `capsa rmi [-f] REF|ID…` (also `capsa image rm`): untag or
 * remove images, then remove the layers and blobs nothing uses. */
#include "base/cleanup.h"
#include "base/error.h"
#include "cli/commands.h"
#include "cli/image_cli.h"
#include "image/gc.h"
#include "image/index.h"
#include "image/ref.h"
#include "image/store.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: capsa rmi [-f] [--storage DIR] IMAGE...\n\n"
    "Remove images by name or ID.  A name of an image that has others is only\n"
    "untagged.  -f removes images that containers use, and every name of an\n"
    "image given by ID.";

/* Is `what` one of the image's names (after normalisation)? */
static int named(const struct image_rec *r, const char *what, char *name, size_t len)
{
	struct image_ref ref;
	struct err ignored = {0};
	if (ref_parse(what, &ref, &ignored) < 0 || ref_format(&ref, name, len) < 0)
		return 0;
	for (size_t j = 0; j < r->n_names; j++)
		if (!strcmp(r->names[j], name))
			return 1;
	return 0;
}

static int remove_one(struct store *s, struct image_index *x, const char *what, int force)
{
	struct err e = {0};
	int i = index_find(x, what, &e);
	if (i < 0) {
		fprintf(stderr, "capsa rmi: %s\n", e.msg);
		return 1;
	}
	struct image_rec *r = &x->v[i];
	char name[REF_STR_MAX];
	if (named(r, what, name, sizeof(name)) && r->n_names > 1) {
		index_untag(x, name);
		printf("Untagged: %s\n", name);
		return 0;
	}
	if (!force && r->n_names > 1) {
		fprintf(stderr,
			"capsa rmi: image %.12s: has %zu names; remove them by name or use -f\n",
			r->id + 7, r->n_names);
		return 1;
	}
	char cid[128];
	if (store_image_in_use(s, r->id, cid, sizeof(cid)) && !force) {
		fprintf(stderr, "capsa rmi: image %s: in use by container %s (use -f)\n", what,
			cid);
		return 1;
	}
	for (size_t j = 0; j < r->n_names; j++)
		printf("Untagged: %s\n", r->names[j]);
	printf("Deleted: %s\n", r->id);
	index_remove(x, (size_t)i);
	return 0;
}

int cmd_rmi(int argc, char **argv)
{
	static const struct option opts[] = {{"force", no_argument, NULL, 'f'},
					     {"help", no_argument, NULL, 'h'},
					     {0}};
	int force = 0, c;
	if (cli_take_storage("rmi", &argc, argv))
		return 1;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = 1;
			break;
		case 'h':
			puts(usage);
			return 0;
		default:
			return cli_usage("rmi", "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage("rmi", "no image given");
	struct store s;
	int rc = cli_open_store("rmi", &s);
	if (rc)
		return rc;
	struct err e = {0};
	_cleanup_close_ int lock = store_lock(&s, &e);
	struct image_index x = {0};
	if (lock < 0 || index_load(&s, &x, &e) < 0) {
		fprintf(stderr, "capsa rmi: %s\n", e.msg);
		store_close(&s);
		return 1;
	}
	for (int i = optind; i < argc; i++)
		rc |= remove_one(&s, &x, argv[i], force);
	struct gc_stats st;
	if (index_save(&s, &x, &e) < 0 || store_gc(&s, &x, &st, &e) < 0) {
		fprintf(stderr, "capsa rmi: %s\n", e.msg);
		rc = 1;
	}
	index_free(&x);
	store_close(&s);
	return rc;
}
