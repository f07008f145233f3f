/* spec.c — `capsa oci spec`: write a default config.json. */
#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "cli/oci/oci.h"
#include "runtime/spec_default.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int oci_cmd_spec(struct oci_global *g, int argc, char **argv)
{
	static const struct option opts[] = {{"rootless", no_argument, NULL, 'r'},
					     {"bundle", required_argument, NULL, 'b'},
					     {"help", no_argument, NULL, 'h'},
					     {0}};
	bool rootless = false;
	const char *bundle = ".";
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			rootless = true;
			break;
		case 'b':
			bundle = optarg;
			break;
		case 'h':
			puts("usage: capsa oci spec [--rootless] [--bundle DIR]\n\n"
			     "Write a default config.json into DIR (default: .), for a root\n"
			     "file system in DIR/rootfs.  --rootless: for an unprivileged user\n"
			     "(a user namespace mapping the caller to root, the host's network).");
			return 0;
		default:
			return oci_usage("spec", "bad option");
		}
	}
	if (optind != argc)
		return oci_usage("spec", "takes no arguments");
	struct err e = {0};
	_cleanup_close_ int dfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		err_sys(&e, errno, "bundle %s", bundle);
		return oci_fail(g, &e, 1);
	}
	if (faccessat(dfd, "config.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		err_msg(&e, EEXIST, "%s/config.json exists: remove it first", bundle);
		return oci_fail(g, &e, 1);
	}
	json_object *o = spec_default(rootless, geteuid(), getegid());
	const char *s = json_object_to_json_string_ext(
	    o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(s);
	char *buf = malloc(len + 2);
	int r = -ENOMEM;
	if (buf) {
		memcpy(buf, s, len);
		buf[len] = '\n';
		r = write_file_atomic(dfd, "config.json", buf, len + 1, 0644, &e);
		free(buf);
	} else {
		err_sys(&e, ENOMEM, "config.json");
	}
	json_object_put(o);
	return r < 0 ? oci_fail(g, &e, 1) : 0;
}
