/* images.c — `capsa images [--format table|json] [-q]` (also `capsa
 * image ls`): the images in the store, newest first. */
#include "base/cleanup.h"
#include "base/error.h"
#include "cli/commands.h"
#include "cli/image_cli.h"
#include "image/index.h"
#include "image/ref.h"
#include "image/store.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "usage: capsa images [--format table|json] [-q] [--storage DIR]\n\n"
			    "List the images in the store.  -q prints only image IDs.";

/* "docker.io/library/alpine:3" -> repository and tag parts. */
static void split_name(const char *name, char *repo, size_t rlen, const char **tag)
{
	const char *at = strchr(name, '@');
	const char *slash = strrchr(name, '/');
	const char *colon = strrchr(slash ? slash : name, ':');
	size_t n = colon ? (size_t)(colon - name) : at ? (size_t)(at - name) : strlen(name);
	snprintf(repo, rlen, "%.*s", (int)n, name);
	*tag = colon ? colon + 1 : "<none>";
}

static int by_added(const void *a, const void *b)
{
	const struct image_rec *x = a, *y = b;
	return x->added < y->added ? 1 : x->added > y->added ? -1 : strcmp(x->id, y->id);
}

static void print_json(const struct image_index *x)
{
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < x->n; i++) {
		const struct image_rec *r = &x->v[i];
		json_object *o = json_object_new_object(), *names = json_object_new_array();
		json_object_object_add(o, "Id", json_object_new_string(r->id + 7));
		for (size_t j = 0; j < r->n_names; j++)
			json_object_array_add(names, json_object_new_string(r->names[j]));
		json_object_object_add(o, "Names", names);
		if (r->manifest)
			json_object_object_add(o, "Digest", json_object_new_string(r->manifest));
		json_object_object_add(o, "Size", json_object_new_int64((int64_t)r->size));
		if (r->created)
			json_object_object_add(o, "Created", json_object_new_string(r->created));
		json_object_object_add(o, "Layers", json_object_new_int64((int64_t)r->n_layers));
		json_object_array_add(arr, o);
	}
	puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
						     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
}

static void print_table(const struct image_index *x, int quiet)
{
	if (!quiet)
		printf("%-40s %-12s %-12s %-16s %s\n", "REPOSITORY", "TAG", "IMAGE ID", "CREATED",
		       "SIZE");
	for (size_t i = 0; i < x->n; i++) {
		const struct image_rec *r = &x->v[i];
		if (quiet) {
			printf("%.12s\n", r->id + 7);
			continue;
		}
		char repo[REF_STR_MAX], size[32], ago[48];
		cli_size(r->size, size, sizeof(size));
		cli_ago(r->created, ago, sizeof(ago));
		if (r->n_names == 0)
			printf("%-40s %-12s %.12s %-16s %s\n", "<none>", "<none>", r->id + 7, ago,
			       size);
		for (size_t j = 0; j < r->n_names; j++) {
			const char *tag;
			split_name(r->names[j], repo, sizeof(repo), &tag);
			printf("%-40s %-12s %.12s %-16s %s\n", repo, tag, r->id + 7, ago, size);
		}
	}
}

int cmd_images(int argc, char **argv)
{
	static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
					     {"quiet", no_argument, NULL, 'q'},
					     {"help", no_argument, NULL, 'h'},
					     {0}};
	int json = 0, quiet = 0, c;
	if (cli_take_storage("images", &argc, argv))
		return 1;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+f:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "table"))
				return cli_usage("images", "--format takes table or json");
			json = !strcmp(optarg, "json");
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			puts(usage);
			return 0;
		default:
			return cli_usage("images", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage("images", "unexpected argument");
	struct store s;
	int r = cli_open_store("images", &s);
	if (r)
		return r;
	struct image_index x;
	struct err e = {0};
	if (index_load(&s, &x, &e) < 0) {
		fprintf(stderr, "capsa images: %s\n", e.msg);
		store_close(&s);
		return 1;
	}
	if (x.n)
		qsort(x.v, x.n, sizeof(*x.v), by_added);
	if (json)
		print_json(&x);
	else
		print_table(&x, quiet);
	index_free(&x);
	store_close(&s);
	return 0;
}
