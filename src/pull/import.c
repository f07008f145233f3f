/* import.c — `capsa-pull import --storage DIR FILE|- [NAME[:TAG]]`: a
 * root filesystem tar (plain, gzip or zstd) becomes a one-layer image,
 * as `docker import` makes it. */
#include "base/cleanup.h"
#include "base/error.h"
#include "base/sha256.h"
#include "image/index.h"
#include "image/ref.h"
#include "image/store.h"
#include "pull/commands.h"
#include "pull/common.h"
#include "pull/unpack.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int make_config(struct store *s, const char *diff_id, char digest[SHA256_DIGEST_STR],
		       struct err *e)
{
	char created[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	json_object *c = json_object_new_object(), *rootfs = json_object_new_object(),
		    *ids = json_object_new_array(), *hist = json_object_new_array(),
		    *h = json_object_new_object();
	json_object_object_add(c, "architecture", json_object_new_string(host_arch()));
	json_object_object_add(c, "os", json_object_new_string("linux"));
	json_object_object_add(c, "created", json_object_new_string(created));
	json_object_object_add(c, "config", json_object_new_object());
	json_object_array_add(ids, json_object_new_string(diff_id));
	json_object_object_add(rootfs, "type", json_object_new_string("layers"));
	json_object_object_add(rootfs, "diff_ids", ids);
	json_object_object_add(c, "rootfs", rootfs);
	json_object_object_add(h, "created", json_object_new_string(created));
	json_object_object_add(h, "created_by", json_object_new_string("capsa import"));
	json_object_array_add(hist, h);
	json_object_object_add(c, "history", hist);
	const char *text = json_object_to_json_string_ext(c, JSON_C_TO_STRING_PLAIN |
								 JSON_C_TO_STRING_NOSLASHESCAPE);
	int r = text ? store_blob_put(s, text, strlen(text), digest, e)
		     : err_sys(e, ENOMEM, "image config");
	json_object_put(c);
	return r;
}

int pull_import_main(int argc, char **argv)
{
	struct store s;
	int rc = pull_open_store(&argc, argv, &s);
	if (rc)
		return rc;
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: capsa-pull import --storage DIR FILE|- [NAME[:TAG]]\n");
		store_close(&s);
		return 2;
	}
	struct err e = {0};
	if (pull_enter_userns(&s, &e) < 0) {
		store_close(&s);
		return pull_fail("import", &e);
	}
	struct image_ref ref;
	char name[REF_STR_MAX];
	if (argc == 3 &&
	    (ref_parse(argv[2], &ref, &e) < 0 || ref_format(&ref, name, sizeof(name)) < 0)) {
		store_close(&s);
		return pull_fail("import", &e);
	}
	_cleanup_close_ int fd =
	    strcmp(argv[1], "-") ? open(argv[1], O_RDONLY | O_CLOEXEC) : dup(STDIN_FILENO);
	if (fd < 0) {
		err_sys(&e, errno, "open \"%s\"", argv[1]);
		store_close(&s);
		return pull_fail("import", &e);
	}
	char what[PATH_MAX + 16];
	snprintf(what, sizeof(what), "\"%s\"", argv[1]);
	struct layer_in in = {.fd = fd, .name = what};
	struct layer_out out;
	char config[SHA256_DIGEST_STR];
	int r = layer_unpack(&s, &in, &out, &e);
	if (r == 0)
		r = make_config(&s, out.diff_id, config, &e);
	if (r == 0)
		r = index_commit_image(&s, config, NULL, argc == 3 ? name : NULL, &e);
	store_close(&s);
	if (r < 0)
		return pull_fail("import", &e);
	printf("%s\n", config);
	return 0;
}
