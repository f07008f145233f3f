/* image_inspect.c — `capsa image inspect IMAGE…`: a JSON array with one
 * object per image, in docker's words (Id, RepoTags, RepoDigests,
 * Created, Architecture, Os, Size, Config, RootFS). */
#include "base/cleanup.h"
#include "base/error.h"
#include "cli/commands.h"
#include "cli/image_cli.h"
#include "image/index.h"
#include "image/store.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static const char usage[] = "usage: capsa image inspect [--storage DIR] IMAGE...\n\n"
			    "Print the images' metadata and configuration as JSON.";

static void copy_key(json_object *from, const char *key, json_object *to, const char *as)
{
	json_object *v;
	if (from && json_object_object_get_ex(from, key, &v) && v)
		json_object_object_add(to, as, json_object_get(v));
}

static json_object *inspect_one(struct store *s, const struct image_rec *r, struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	if (store_blob_read(s, r->id, 4 << 20, &buf, &len, e) < 0)
		return NULL;
	json_object *cfg = json_tokener_parse(buf);
	if (!cfg) {
		err_msg(e, EINVAL, "image config %.19s: invalid JSON", r->id);
		return NULL;
	}
	json_object *o = json_object_new_object(), *tags = json_object_new_array(),
		    *digests = json_object_new_array(), *rootfs = json_object_new_object(),
		    *rf = NULL;
	json_object_object_add(o, "Id", json_object_new_string(r->id));
	for (size_t j = 0; j < r->n_names; j++) {
		json_object_array_add(tags, json_object_new_string(r->names[j]));
		if (r->manifest) {
			char d[1024];
			const char *at = strrchr(r->names[j], '/');
			const char *colon = strrchr(at ? at : r->names[j], ':');
			int n = colon ? (int)(colon - r->names[j]) : (int)strlen(r->names[j]);
			snprintf(d, sizeof(d), "%.*s@%s", n, r->names[j], r->manifest);
			json_object_array_add(digests, json_object_new_string(d));
		}
	}
	json_object_object_add(o, "RepoTags", tags);
	json_object_object_add(o, "RepoDigests", digests);
	copy_key(cfg, "created", o, "Created");
	copy_key(cfg, "author", o, "Author");
	copy_key(cfg, "architecture", o, "Architecture");
	copy_key(cfg, "variant", o, "Variant");
	copy_key(cfg, "os", o, "Os");
	json_object_object_add(o, "Size", json_object_new_int64((int64_t)r->size));
	copy_key(cfg, "config", o, "Config");
	json_object_object_add(rootfs, "Type", json_object_new_string("layers"));
	if (json_object_object_get_ex(cfg, "rootfs", &rf))
		copy_key(rf, "diff_ids", rootfs, "Layers");
	json_object_object_add(o, "RootFS", rootfs);
	json_object_put(cfg);
	return o;
}

int cmd_image_inspect(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'}, {0}};
	int c;
	if (cli_take_storage("image inspect", &argc, argv))
		return 1;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h')
			return puts(usage), 0;
		else
			return cli_usage("image inspect", "unknown option");
	}
	if (optind >= argc)
		return cli_usage("image inspect", "no image given");
	struct store s;
	int rc = cli_open_store("image inspect", &s);
	if (rc)
		return rc;
	struct err e = {0};
	struct image_index x;
	if (index_load(&s, &x, &e) < 0) {
		fprintf(stderr, "capsa image inspect: %s\n", e.msg);
		store_close(&s);
		return 1;
	}
	json_object *arr = json_object_new_array();
	for (int i = optind; i < argc; i++) {
		int k = index_find(&x, argv[i], &e);
		json_object *o = k < 0 ? NULL : inspect_one(&s, &x.v[k], &e);
		if (!o) {
			fprintf(stderr, "capsa image inspect: %s\n", e.msg);
			rc = 1;
			continue;
		}
		json_object_array_add(arr, o);
	}
	puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
						     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	index_free(&x);
	store_close(&s);
	return rc;
}
