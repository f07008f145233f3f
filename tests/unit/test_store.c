/* test_store.c — the image store: root resolution, blobs, chain IDs,
 * images.json and image configs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/subid.h"
#include "image/config.h"
#include "image/index.h"
#include "image/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[64];

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/capsa-test-store.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	return rm_rf_at(AT_FDCWD, tmpdir);
}

static void test_root_resolve(void **state)
{
	char buf[4096];
	struct err e = {0};
	assert_int_equal(store_root_resolve("/x/y", buf, sizeof(buf), &e), 0);
	assert_string_equal(buf, "/x/y");
	setenv("CAPSA_STORAGE", "/from/env", 1);
	assert_int_equal(store_root_resolve(NULL, buf, sizeof(buf), &e), 0);
	assert_string_equal(buf, "/from/env");
	assert_int_equal(store_root_resolve("/opt", buf, sizeof(buf), &e), 0);
	assert_string_equal(buf, "/opt");
	unsetenv("CAPSA_STORAGE");
	assert_int_equal(store_root_resolve(NULL, buf, sizeof(buf), &e), 0);
	if (geteuid() == 0) {
		assert_string_equal(buf, "/var/lib/capsa");
	} else {
		setenv("XDG_DATA_HOME", "/xdg", 1);
		assert_int_equal(store_root_resolve(NULL, buf, sizeof(buf), &e), 0);
		assert_string_equal(buf, "/xdg/capsa");
		unsetenv("XDG_DATA_HOME");
		setenv("HOME", "/home/u", 1);
		assert_int_equal(store_root_resolve(NULL, buf, sizeof(buf), &e), 0);
		assert_string_equal(buf, "/home/u/.local/share/capsa");
	}
	assert_int_equal(store_root_resolve("rel", buf, sizeof(buf), &e), 0);
	assert_int_equal(buf[0], '/');
	assert_non_null(strstr(buf, "/rel"));
}

/* chain(L0) = diff(L0); chain(L1) = sha256("<chain0> <diff1>"), values
 * checked with sha256sum. */
static void test_chain_id(void **state)
{
	char out[SHA256_DIGEST_STR];
	const char *d0 = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
	const char *d1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
	chain_id_next(NULL, d0, out);
	assert_string_equal(out, d0);
	chain_id_next(d0, d1, out);
	assert_string_equal(
	    out, "sha256:f94b891e05f6e37c90d87edfd5bb98a02d618a437c35f3a94b3b00e48e894631");
}

static void test_blobs(void **state)
{
	struct store s;
	struct err e = {0};
	char root[128], d[SHA256_DIGEST_STR];
	snprintf(root, sizeof(root), "%s/s1", tmpdir);
	assert_int_equal(store_open(&s, root, &e), 0);
	assert_int_equal(store_blob_put(&s, "abc", 3, d, &e), 0);
	assert_string_equal(
	    d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_true(store_blob_exists(&s, d));
	char *buf = NULL;
	size_t n;
	assert_int_equal(store_blob_read(&s, d, 100, &buf, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(buf, "abc", 3);
	free(buf);
	assert_true(store_blob_read(&s, d, 2, &buf, &n, &e) < 0);
	/* A corrupted blob is caught on read. */
	char path[4096];
	assert_int_equal(store_blob_path(&s, d, path, sizeof(path)), 0);
	assert_int_equal(write_file(path, "abd", 3, NULL), 0);
	assert_true(store_blob_read(&s, d, 100, &buf, &n, &e) < 0);
	assert_non_null(strstr(e.msg, "digest mismatch"));
	/* A writer with the wrong expected digest leaves nothing behind. */
	struct blob_writer w;
	assert_int_equal(blob_writer_open(&s, &w, &e), 0);
	assert_int_equal(blob_writer_write(&w, "xyz", 3, &e), 0);
	assert_true(blob_writer_commit(&w, d, path, &e) < 0);
	assert_non_null(strstr(e.msg, "digest mismatch"));
	int tmpfd = openat(s.dirfd, "tmp", O_RDONLY | O_DIRECTORY);
	assert_true(tmpfd >= 0);
	assert_int_equal(unlinkat(tmpfd, w.tmp + 4, 0), -1);
	close(tmpfd);
	store_close(&s);
}

static char **strv(const char *a, const char *b)
{
	char **v = calloc(3, sizeof(char *));
	v[0] = a ? strdup(a) : NULL;
	v[1] = b ? strdup(b) : NULL;
	return v;
}

#define ID1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define ID2 "sha256:1122222222222222222222222222222222222222222222222222222222222222"

static void test_index(void **state)
{
	struct store s;
	struct err e = {0};
	char root[128];
	snprintf(root, sizeof(root), "%s/s2", tmpdir);
	assert_int_equal(store_open(&s, root, &e), 0);
	struct image_index x;
	assert_int_equal(index_load(&s, &x, &e), 0);
	assert_int_equal(x.n, 0);
	struct image_rec r1 = {
	    .id = strdup(ID1), .layers = strv(ID2, NULL), .n_layers = 1, .size = 42};
	assert_int_equal(index_put(&x, &r1, "docker.io/library/a:latest", &e), 0);
	struct image_rec r2 = {.id = strdup(ID2), .layers = strv(NULL, NULL)};
	assert_int_equal(index_put(&x, &r2, "docker.io/library/b:1", &e), 0);
	/* Re-tagging moves the name. */
	struct image_rec r3 = {.id = strdup(ID2), .layers = strv(NULL, NULL)};
	assert_int_equal(index_put(&x, &r3, "docker.io/library/a:latest", &e), 0);
	assert_int_equal(x.n, 2);
	assert_int_equal(x.v[0].n_names, 0);
	assert_int_equal(x.v[1].n_names, 2);
	assert_int_equal(index_save(&s, &x, &e), 0);
	index_free(&x);

	assert_int_equal(index_load(&s, &x, &e), 0);
	assert_int_equal(x.n, 2);
	assert_int_equal(x.v[0].size, 42);
	assert_string_equal(x.v[0].layers[0], ID2);
	assert_int_equal(index_find(&x, "a", &e), 1);
	assert_int_equal(index_find(&x, "b:1", &e), 1);
	assert_int_equal(index_find(&x, "111", &e), 0);
	assert_int_equal(index_find(&x, ID1, &e), 0);
	assert_int_equal(index_find(&x, "11", &e), -ENOENT);
	assert_int_equal(index_find(&x, "112", &e), 1);
	assert_int_equal(index_find(&x, "11111", &e), 0);
	assert_int_equal(index_find(&x, "b:2", &e), -ENOENT);
	assert_non_null(strstr(e.msg, "no such image"));
	index_free(&x);
	/* A malformed index is an error, not an empty store. */
	assert_int_equal(write_file_atomic(s.dirfd, "images.json", "{\"images\":[{\"id\":\"x\"}]}",
					   23, 0600, &e),
			 0);
	assert_true(index_load(&s, &x, &e) < 0);
	assert_non_null(strstr(e.msg, "malformed"));
	store_close(&s);
}

static void test_config(void **state)
{
	const char *json =
	    "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-01T00:00:00Z\","
	    "\"config\":{\"Entrypoint\":[\"/bin/sh\",\"-c\"],\"Cmd\":[\"echo hi\"],"
	    "\"Env\":[\"PATH=/bin\",\"A=b\"],\"WorkingDir\":\"/w\",\"User\":\"1000:1000\","
	    "\"ExposedPorts\":{\"80/tcp\":{}},\"Volumes\":{\"/data\":{}},"
	    "\"Labels\":{\"k\":\"v\"},\"StopSignal\":\"SIGINT\"},"
	    "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" ID1 "\"]}}";
	struct image_config c;
	struct err e = {0};
	assert_int_equal(image_config_parse(json, strlen(json), "cfg", &c, &e), 0);
	assert_string_equal(c.entrypoint[0], "/bin/sh");
	assert_string_equal(c.cmd[0], "echo hi");
	assert_string_equal(c.env[1], "A=b");
	assert_string_equal(c.working_dir, "/w");
	assert_string_equal(c.user, "1000:1000");
	assert_string_equal(c.exposed_ports[0], "80/tcp");
	assert_string_equal(c.volumes[0], "/data");
	assert_int_equal(c.n_labels, 1);
	assert_string_equal(c.labels[0].value, "v");
	assert_string_equal(c.stop_signal, "SIGINT");
	assert_int_equal(c.n_diff_ids, 1);
	assert_string_equal(c.architecture, "amd64");
	image_config_free(&c);

	const char *bad = "{\"config\":{\"Cmd\":\"echo\"},\"rootfs\":{\"type\":\"layers\","
			  "\"diff_ids\":[]}}";
	assert_true(image_config_parse(bad, strlen(bad), "cfg", &c, &e) < 0);
	assert_string_equal(e.msg, "cfg: config.Cmd: expected array, got string");
	const char *bad2 = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:x\"]}}";
	assert_true(image_config_parse(bad2, strlen(bad2), "cfg", &c, &e) < 0);
	assert_non_null(strstr(e.msg, "not a sha256 digest"));
	assert_true(image_config_parse("{", 1, "cfg", &c, &e) < 0);
	assert_non_null(strstr(e.msg, "invalid JSON"));
	const char *nolayers = "{\"config\":{}}";
	assert_true(image_config_parse(nolayers, strlen(nolayers), "cfg", &c, &e) < 0);
	assert_string_equal(e.msg, "cfg: rootfs: missing");
}

static void test_idmap_record(void **state)
{
	char root[128];
	snprintf(root, sizeof(root), "%s/idmap", tmpdir);
	struct store s;
	struct err e = {0};
	assert_int_equal(store_open(&s, root, &e), 0);
	struct id_mapping single, ranges;
	id_mapping_build(&single, 1500, 1500, NULL, NULL, NULL);
	id_mapping_build(&ranges, 1500, 1500, NULL, "1500:100000:65536\n", "1500:100000:65536\n");
	/* No record, no layers: anything goes; `record` writes it. */
	assert_int_equal(store_idmap_check(&s, &ranges, 0, &e), 0);
	assert_int_equal(faccessat(s.dirfd, "idmap", F_OK, 0), -1);
	/* No record but layers: made before the record, by the user alone. */
	assert_int_equal(mkdirat(s.dirfd, "layers/0123", 0700), 0);
	assert_true(store_idmap_check(&s, &ranges, 1, &e) < 0);
	assert_non_null(strstr(e.msg,
			       "\"uid 0:1500:1;gid 0:1500:1\" but yours is now "
			       "\"uid 0:1500:1 1:100000:65536;gid 0:1500:1 1:100000:65536\""));
	assert_int_equal(store_idmap_check(&s, &single, 1, &e), 0);
	_cleanup_free_ char *rec = NULL;
	assert_int_equal(read_file_at(s.dirfd, "idmap", &rec, NULL, &e), 0);
	assert_string_equal(rec, "uid 0:1500:1\ngid 0:1500:1\n");
	/* The record decides while there are layers … */
	assert_true(store_idmap_check(&s, &ranges, 1, &e) < 0);
	assert_int_equal(e.code, EINVAL);
	/* … and is rewritten once they are gone. */
	assert_int_equal(unlinkat(s.dirfd, "layers/0123", AT_REMOVEDIR), 0);
	assert_int_equal(store_idmap_check(&s, &ranges, 1, &e), 0);
	assert_int_equal(mkdirat(s.dirfd, "layers/0123", 0700), 0);
	assert_int_equal(store_idmap_check(&s, &ranges, 0, &e), 0);
	assert_true(store_idmap_check(&s, &single, 0, &e) < 0);
	store_close(&s);
}

/* A missing root is made; in an existing one every missing directory is
 * made, whatever is there already (a tool that made only tmp/). */
static void test_open_makes_dirs(void **state)
{
	struct store s;
	struct err e = {0};
	char root[128], tmp[160];
	snprintf(root, sizeof(root), "%s/new/deep", tmpdir);
	assert_int_equal(store_open(&s, root, &e), 0);
	assert_int_equal(faccessat(s.dirfd, "blobs/sha256", F_OK, 0), 0);
	store_close(&s);
	snprintf(root, sizeof(root), "%s/partial", tmpdir);
	snprintf(tmp, sizeof(tmp), "%s/tmp", root);
	assert_int_equal(mkdir(root, 0700), 0);
	assert_int_equal(mkdir(tmp, 0700), 0);
	assert_int_equal(store_open(&s, root, &e), 0);
	assert_int_equal(faccessat(s.dirfd, "blobs/sha256", F_OK, 0), 0);
	assert_int_equal(faccessat(s.dirfd, "layers", F_OK, 0), 0);
	assert_int_equal(faccessat(s.dirfd, "containers", F_OK, 0), 0);
	store_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_root_resolve),    cmocka_unit_test(test_chain_id),
	    cmocka_unit_test(test_blobs),	    cmocka_unit_test(test_index),
	    cmocka_unit_test(test_config),	    cmocka_unit_test(test_idmap_record),
	    cmocka_unit_test(test_open_makes_dirs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
