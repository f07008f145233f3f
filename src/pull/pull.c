/* pull.c — `capsa-pull pull`: one image from a registry into the store.
 *
 *   manifest (index -> the platform's manifest) -> config -> layers
 *
 * Layers whose chain ID is already unpacked in the store are not fetched
 * at all; the others download concurrently (blobs.c) and each is handed
 * to an unpack thread the moment it is complete and verified, so unpacking
 * overlaps the remaining downloads.  We download-then-unpack per layer
 * rather than streaming the socket into the unpacker: the verified blob
 * in the store is what a killed pull resumes from and what `load`/GC
 * already understand, a digest mismatch is known before a single file is
 * written, and the unpacker reads a local file at disk speed while the
 * other layers keep the network busy.  The image is registered only when
 * every layer is in place: a pull killed at any moment leaves no image.
 */
#include "pull/commands.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "image/index.h"
#include "image/ref.h"
#include "image/store.h"
#include "pull/blobs.h"
#include "pull/common.h"
#include "pull/layers.h"
#include "pull/manifest.h"
#include "pull/priv.h"
#include "pull/progress.h"
#include "pull/registry.h"

#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#define MANIFEST_MAX (4 << 20)
#define CONFIG_MAX   (8 << 20)

struct pull_opts {
	const char *storage;
	const char *platform;
	bool quiet;
	bool tls_verify;
	unsigned parallel;
};

static void sha256_hex(const void *data, size_t len, char out[72])
{
	unsigned char md[32];
	unsigned int n = 0;
	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	strcpy(out, "sha256:");
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
}

/* GET a manifest by tag or digest, check its digest, keep it in the
 * store.  `digest_out` receives its sha256. */
static int get_manifest(struct registry *r, struct store *s, const char *what, const char *ref,
			struct manifest *m, char digest_out[72], struct err *e)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "/v2/%s/manifests/%s", r->repo, ref) < 0)
		return err_sys(e, ENOMEM, "%s", what);
	struct reg_response resp = {0};
	int ret = reg_get(r, path, MANIFEST_ACCEPT, MANIFEST_MAX, &resp, e);
	if (ret < 0)
		goto out;
	if (resp.status == 404) {
		ret = err_msg(e, ENOENT, "%s: manifest unknown (no such tag or digest in %s/%s)",
			      what, r->name, r->repo);
		goto out;
	}
	if (resp.status != 200) {
		ret = err_msg(e, EPROTO, "%s: manifest: HTTP %ld", what, resp.status);
		goto out;
	}
	const char *body = resp.body.data ? resp.body.data : "";
	sha256_hex(body, resp.body.len, digest_out);
	/* By digest: the bytes must hash to it.  By tag: the registry's
	 * Docker-Content-Digest, when given, must agree with the bytes. */
	if (ref_is_digest(ref) && strcmp(ref, digest_out)) {
		ret = err_msg(e, EBADMSG, "%s: manifest digest mismatch: asked %s, got %s", what,
			      ref, digest_out);
		goto out;
	}
	if (resp.digest && ref_is_digest(resp.digest) && strcmp(resp.digest, digest_out)) {
		ret = err_msg(e, EBADMSG, "%s: manifest digest mismatch: registry says %s, got %s",
			      what, resp.digest, digest_out);
		goto out;
	}
	ret = manifest_parse(what, body, resp.body.len, resp.content_type, m, e);
	if (ret < 0)
		goto out;
	char stored[SHA256_DIGEST_STR];
	ret = store_blob_put(s, body, resp.body.len, stored, e);
out:
	reg_response_free(&resp);
	return ret;
}

/* The config's rootfs.diff_ids, one per layer. */
static int config_diff_ids(struct store *s, const char *what, const struct manifest *m, char ***out,
			   struct err *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int ret = store_blob_read(s, m->config.digest, CONFIG_MAX, &buf, &len, e);
	if (ret < 0)
		return ret;
	json_object *root = json_tokener_parse(buf), *rootfs, *ids;
	if (!root || !json_object_object_get_ex(root, "rootfs", &rootfs) ||
	    !json_object_object_get_ex(rootfs, "diff_ids", &ids) ||
	    !json_object_is_type(ids, json_type_array)) {
		json_object_put(root);
		return err_msg(e, EPROTO, "%s: config %s: no rootfs.diff_ids", what,
			       m->config.digest);
	}
	size_t n = json_object_array_length(ids);
	if (n != m->n_layers) {
		json_object_put(root);
		return err_msg(e, EPROTO, "%s: config has %zu diff_ids for %zu layers", what, n,
			       m->n_layers);
	}
	char **v = calloc(n + 1, sizeof(char *));
	if (!v) {
		json_object_put(root);
		return err_sys(e, ENOMEM, "%s", what);
	}
	for (size_t i = 0; i < n; i++) {
		const char *d = json_object_get_string(json_object_array_get_idx(ids, i));
		if (!digest_valid(d) || !(v[i] = strdup(d))) {
			json_object_put(root);
			char **vv = v;
			strv_freep(&vv);
			return err_msg(e, EPROTO,
				       "%s: config: diff_ids[%zu] is not a sha256 digest", what, i);
		}
	}
	json_object_put(root);
	*out = v;
	return 0;
}

static int pull_one(const struct pull_opts *o, const char *refstr, struct err *e)
{
	struct image_ref ref;
	int ret = ref_parse(refstr, &ref, e);
	if (ret < 0)
		return ret;
	char name[REF_STR_MAX];
	ret = ref_format(&ref, name, sizeof(name));
	if (ret < 0)
		return err_msg(e, ENAMETOOLONG, "reference \"%s\": too long", refstr);
	struct platform plat;
	ret = platform_parse(o->platform, &plat, e);
	if (ret < 0)
		return ret;
	struct store s;
	ret = store_open(&s, o->storage, e);
	if (ret < 0)
		return ret;
	struct registry r;
	struct reg_opts ro = {.tls_verify = o->tls_verify};
	struct manifest m = {0}, idx = {0};
	_cleanup_strv_ char **diff_ids = NULL;
	char mdigest[72], idigest[72];
	ret = reg_open(&r, ref.domain, ref.path, &ro, e);
	if (ret < 0)
		goto out;
	ret = get_manifest(&r, &s, name, ref.digest[0] ? ref.digest : ref.tag, &m, mdigest, e);
	if (ret < 0)
		goto out;
	if (m.is_index) {
		idx = m;
		memset(&m, 0, sizeof(m));
		memcpy(idigest, mdigest, sizeof(idigest));
		const struct descriptor *d;
		ret = manifest_select(name, &idx, &plat, &d, e);
		if (ret < 0)
			goto out;
		ret = get_manifest(&r, &s, name, d->digest, &m, mdigest, e);
		if (ret == 0 && m.is_index)
			ret = err_msg(e, EPROTO, "%s: index %s points to another index", name,
				      idigest);
		if (ret < 0)
			goto out;
	}
	char blob_dir[PATH_MAX + 16], tmp_dir[PATH_MAX + 16];
	snprintf(blob_dir, sizeof(blob_dir), "%s/blobs/sha256", s.root);
	snprintf(tmp_dir, sizeof(tmp_dir), "%s/tmp", s.root);
	struct blob_fetch bf = {.reg = &r,
				.blob_dir = blob_dir,
				.tmp_dir = tmp_dir,
				.parallel = o->parallel,
				.progress = NULL};
	const struct descriptor *cfg = &m.config;
	ret = blobs_fetch(&bf, &cfg, 1, e);
	if (ret == 0)
		ret = config_diff_ids(&s, name, &m, &diff_ids, e);
	if (ret == 0)
		ret = layers_fetch(&s, &bf, &m, diff_ids, o->quiet ? PROGRESS_QUIET : PROGRESS_BARS,
				   e);
	if (ret == 0)
		ret = index_commit_image(&s, m.config.digest, mdigest, name, e);
	if (ret == 0 && !o->quiet)
		fprintf(stderr, "pulled %s\n", name);
	if (ret == 0)
		printf("%s\n", m.config.digest);
out:
	if (ret < 0 && strncmp(e->msg, "pull ", 5))
		err_prefix(e, "pull %s", name);
	manifest_free(&m);
	manifest_free(&idx);
	reg_close(&r);
	store_close(&s);
	return ret;
}

static void usage(FILE *f)
{
	fputs("usage: capsa-pull pull --storage DIR [--platform OS/ARCH[/VARIANT]] [--quiet]\n"
	      "                       [--tls-verify=false] [--jobs N] REF\n",
	      f);
}

int pull_pull_main(int argc, char **argv)
{
	static const struct option longopts[] = {{"storage", required_argument, NULL, 's'},
						 {"platform", required_argument, NULL, 'p'},
						 {"quiet", no_argument, NULL, 'q'},
						 {"tls-verify", required_argument, NULL, 't'},
						 {"jobs", required_argument, NULL, 'j'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct pull_opts o = {.tls_verify = true, .parallel = 3};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "q", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.storage = optarg;
			break;
		case 'p':
			o.platform = optarg;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 't':
			if (strcmp(optarg, "true") && strcmp(optarg, "false")) {
				fprintf(stderr,
					"capsa pull: --tls-verify: expected true or false, "
					"got \"%s\"\n",
					optarg);
				return 2;
			}
			o.tls_verify = !strcmp(optarg, "true");
			break;
		case 'j': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || v < 1 || v > 16) {
				fprintf(stderr,
					"capsa pull: --jobs: expected 1 to 16, got \"%s\"\n",
					optarg);
				return 2;
			}
			o.parallel = (unsigned)v;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!o.storage || optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	struct err e = {0};
	/* Rootless: from here on inside a user namespace of our own (the
	 * user as root in it), as load and import unpack, so layers get the
	 * same owners whichever way they arrive.  Before curl starts any
	 * resolver thread: unshare(CLONE_NEWUSER) needs a single thread. */
	struct store st = {.dirfd = -1};
	int r = priv_drop_for_pull(&e);
	if (r == 0 && (r = store_open(&st, o.storage, &e)) == 0)
		r = pull_enter_userns(&st, &e);
	store_close(&st);
	if (r < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "capsa pull: %s\n", e.msg[0] ? e.msg : "curl init failed");
		return 1;
	}
	int ret = pull_one(&o, argv[optind], &e);
	curl_global_cleanup();
	if (ret < 0) {
		fprintf(stderr, "capsa: %s\n", e.msg);
		return 1;
	}
	return 0;
}
