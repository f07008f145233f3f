/* test_pull_client.c — the registry client's pure parts: WWW-Authenticate
 * challenges, token answers and their cache, base64, auth.json files,
 * manifests and platform choice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "pull/auth.h"
#include "pull/creds.h"
#include "pull/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define DG  "sha256:" H64

static void test_challenge_bearer(void **state)
{
	struct auth_challenge c;
	struct err e = {0};
	assert_int_equal(auth_parse_challenge("Bearer realm=\"https://auth.docker.io/token\","
					      "service=\"registry.docker.io\","
					      "scope=\"repository:library/alpine:pull,push\"",
					      &c, &e),
			 0);
	assert_int_equal(c.scheme, AUTH_BEARER);
	assert_string_equal(c.realm, "https://auth.docker.io/token");
	assert_string_equal(c.service, "registry.docker.io");
	/* The comma inside the quoted scope does not split it. */
	assert_string_equal(c.scope, "repository:library/alpine:pull,push");
	auth_challenge_free(&c);

	/* Unquoted values, odd spacing, case-insensitive scheme, unknown keys. */
	assert_int_equal(
	    auth_parse_challenge("bearer  realm=http://x/t , error=\"insufficient_scope\"", &c, &e),
	    0);
	assert_string_equal(c.realm, "http://x/t");
	assert_null(c.service);
	auth_challenge_free(&c);
}

static void test_challenge_basic_and_bad(void **state)
{
	struct auth_challenge c;
	struct err e = {0};
	assert_int_equal(auth_parse_challenge("Basic realm=\"Registry Realm\"", &c, &e), 0);
	assert_int_equal(c.scheme, AUTH_BASIC);
	auth_challenge_free(&c);
	assert_true(auth_parse_challenge("Negotiate abc", &c, &e) < 0);
	assert_non_null(strstr(e.msg, "unsupported scheme"));
	assert_true(auth_parse_challenge("Bearer service=\"x\"", &c, &e) < 0);
	assert_non_null(strstr(e.msg, "without realm"));
	assert_true(auth_parse_challenge("Bearer realm=\"unterminated", &c, &e) < 0);
	assert_true(auth_parse_challenge("Bearer realm=\"a\" junk", &c, &e) < 0);
}

static void test_token_and_cache(void **state)
{
	struct err e = {0};
	char *tok = NULL;
	time_t exp = 0;
	const char *a = "{\"token\":\"T1\",\"expires_in\":300}";
	assert_int_equal(auth_parse_token(a, strlen(a), 1000, &tok, &exp, &e), 0);
	assert_string_equal(tok, "T1");
	assert_int_equal(exp, 1300);
	free(tok);
	const char *b = "{\"access_token\":\"T2\"}";
	assert_int_equal(auth_parse_token(b, strlen(b), 1000, &tok, &exp, &e), 0);
	assert_string_equal(tok, "T2");
	assert_int_equal(exp, 1060);
	free(tok);
	assert_true(auth_parse_token("{}", 2, 0, &tok, &exp, &e) < 0);
	assert_true(auth_parse_token("nope", 4, 0, &tok, &exp, &e) < 0);

	struct auth_cache c = {0};
	assert_int_equal(auth_cache_put(&c, "repository:a:pull", "TA", 1300), 0);
	assert_int_equal(auth_cache_put(&c, "repository:b:pull", "TB", 1300), 0);
	assert_string_equal(auth_cache_get(&c, "repository:a:pull", 1000), "TA");
	assert_string_equal(auth_cache_get(&c, "repository:b:pull", 1000), "TB");
	assert_null(auth_cache_get(&c, "repository:c:pull", 1000));
	/* Expired, or about to: not used. */
	assert_null(auth_cache_get(&c, "repository:a:pull", 1295));
	assert_int_equal(auth_cache_put(&c, "repository:a:pull", "TA2", 2000), 0);
	assert_string_equal(auth_cache_get(&c, "repository:a:pull", 1295), "TA2");
	auth_cache_free(&c);
}

static void test_base64(void **state)
{
	static const char *const v[][2] = {
	    {"", ""},	     {"f", "Zg=="},	   {"fo", "Zm8="},
	    {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"user:pa ss", "dXNlcjpwYSBzcw=="}};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *enc = base64_encode(v[i][0], strlen(v[i][0]));
		assert_string_equal(enc, v[i][1]);
		size_t n;
		char *dec = base64_decode(enc, &n);
		assert_int_equal(n, strlen(v[i][0]));
		assert_string_equal(dec, v[i][0]);
		free(enc);
		free(dec);
	}
	assert_null(base64_decode("Zm9v!", NULL));
}

static void write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(s, f);
	fclose(f);
}

static void test_creds_files(void **state)
{
	char dir[] = "/tmp/capsa-creds-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char home[256], xdg[256], docker[300], authf[300];
	snprintf(home, sizeof(home), "%s/home", dir);
	snprintf(xdg, sizeof(xdg), "%s/run", dir);
	assert_int_equal(mkdir(home, 0700), 0);
	assert_int_equal(mkdir(xdg, 0700), 0);
	snprintf(docker, sizeof(docker), "%s/.docker", home);
	assert_int_equal(mkdir(docker, 0700), 0);
	snprintf(docker, sizeof(docker), "%s/.docker/config.json", home);
	/* docker files Docker Hub under its v1 index URL. */
	write_file(docker,
		   "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"aHViOmh1YnB3\"},"
		   "\"q.example:5000\":{\"auth\":\"cTpxcHc=\"}}}");
	unsetenv("REGISTRY_AUTH_FILE");
	setenv("HOME", home, 1);
	setenv("XDG_RUNTIME_DIR", xdg, 1);
	struct err e = {0};
	char *u = NULL, *p = NULL;
	assert_int_equal(creds_lookup("docker.io", &u, &p, &e), 1);
	assert_string_equal(u, "hub");
	assert_string_equal(p, "hubpw");
	free(u);
	free(p);
	assert_int_equal(creds_lookup("other.example", &u, &p, &e), 0);

	/* login writes podman's file; it now wins over docker's. */
	assert_int_equal(creds_store("q.example:5000", "me", "s:ecret", &e), 0);
	snprintf(authf, sizeof(authf), "%s/containers/auth.json", xdg);
	assert_int_equal(access(authf, R_OK), 0);
	assert_int_equal(creds_lookup("q.example:5000", &u, &p, &e), 1);
	assert_string_equal(u, "me");
	assert_string_equal(p, "s:ecret");
	free(u);
	free(p);
	/* logout removes it from both files. */
	assert_int_equal(creds_remove("q.example:5000", &e), 1);
	assert_int_equal(creds_lookup("q.example:5000", &u, &p, &e), 0);
	assert_int_equal(creds_remove("q.example:5000", &e), 0);
	assert_int_equal(creds_lookup("docker.io", &u, &p, &e), 1);
	free(u);
	free(p);

	/* A malformed file is an error naming it. */
	write_file(authf, "{\"auths\":{\"bad.example\":{\"auth\":\"!!\"}}}");
	assert_true(creds_lookup("bad.example", &u, &p, &e) < 0);
	assert_non_null(strstr(e.msg, authf));
	write_file(authf, "[1]");
	assert_true(creds_lookup("bad.example", &u, &p, &e) < 0);

	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static const char *manifest_json =
    "{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_MANIFEST "\","
    "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\","
    "\"digest\":\"" DG "\",\"size\":100},"
    "\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\","
    "\"digest\":\"" DG "\",\"size\":5},"
    "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\",\"digest\":\"" DG "\","
    "\"size\":7}]}";

static void test_manifest(void **state)
{
	struct manifest m;
	struct err e = {0};
	assert_int_equal(manifest_parse("m", manifest_json, strlen(manifest_json), NULL, &m, &e),
			 0);
	assert_false(m.is_index);
	assert_int_equal(m.n_layers, 2);
	assert_int_equal(m.layers[0].comp, COMP_GZIP);
	assert_int_equal(m.layers[1].comp, COMP_ZSTD);
	assert_int_equal(m.config.size, 100);
	manifest_free(&m);

	const char *s1 = "{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}";
	assert_true(manifest_parse("img", s1, strlen(s1), NULL, &m, &e) < 0);
	assert_non_null(strstr(e.msg, "schema 1"));
	const char *s1b = "{\"schemaVersion\":2}";
	assert_true(manifest_parse("img", s1b, strlen(s1b),
				   "application/vnd.docker.distribution.manifest.v1+prettyjws", &m,
				   &e) < 0);
	assert_non_null(strstr(e.msg, "schema 1"));
	const char *bad = "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\","
			  "\"config\":{\"digest\":\"sha256:../../etc\",\"size\":1},\"layers\":[]}";
	assert_true(manifest_parse("img", bad, strlen(bad), NULL, &m, &e) < 0);
	assert_non_null(strstr(e.msg, "not a sha256 digest"));
	const char *neg = "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\","
			  "\"config\":{\"digest\":\"" DG "\",\"size\":-1},\"layers\":[]}";
	assert_true(manifest_parse("img", neg, strlen(neg), NULL, &m, &e) < 0);
	const char *mt =
	    "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\","
	    "\"config\":{\"digest\":\"" DG "\",\"size\":1},\"layers\":[{\"digest\":\"" DG
	    "\",\"size\":1,\"mediaType\":\"application/x-foo\"}]}";
	assert_true(manifest_parse("img", mt, strlen(mt), NULL, &m, &e) < 0);
	assert_non_null(strstr(e.msg, "unsupported media type"));
}

static const char *index_json =
    "{\"schemaVersion\":2,\"manifests\":["
    "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"sha256:"
    "1111111111111111111111111111111111111111111111111111111111111111\",\"size\":1,"
    "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}},"
    "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"sha256:"
    "2222222222222222222222222222222222222222222222222222222222222222\",\"size\":1,"
    "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
    "{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"sha256:"
    "3333333333333333333333333333333333333333333333333333333333333333\",\"size\":1,"
    "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v7\"}}]}";

static void test_index_select(void **state)
{
	struct manifest m;
	struct err e = {0};
	/* No mediaType in the body: the content type says index. */
	assert_int_equal(
	    manifest_parse("i", index_json, strlen(index_json), MT_OCI_INDEX "; x=y", &m, &e), 0);
	assert_true(m.is_index);
	assert_int_equal(m.n_entries, 3);
	struct platform p;
	const struct descriptor *d;
	assert_int_equal(platform_parse("linux/amd64", &p, &e), 0);
	assert_int_equal(manifest_select("i", &m, &p, &d, &e), 0);
	assert_int_equal(d->digest[7], '2');
	assert_int_equal(platform_parse("linux/arm64", &p, &e), 0);
	assert_int_equal(manifest_select("i", &m, &p, &d, &e), 0);
	assert_int_equal(d->digest[7], '1');
	assert_int_equal(platform_parse("linux/arm/v7", &p, &e), 0);
	assert_int_equal(manifest_select("i", &m, &p, &d, &e), 0);
	assert_int_equal(d->digest[7], '3');
	assert_int_equal(platform_parse("linux/arm/v6", &p, &e), 0);
	assert_true(manifest_select("i", &m, &p, &d, &e) < 0);
	assert_non_null(strstr(e.msg, "linux/arm/v6"));
	assert_non_null(strstr(e.msg, "linux/amd64"));
	assert_int_equal(platform_parse("linux/s390x", &p, &e), 0);
	assert_true(manifest_select("i", &m, &p, &d, &e) < 0);
	manifest_free(&m);

	assert_true(platform_parse("linux", &p, &e) < 0);
	assert_true(platform_parse("linux/", &p, &e) < 0);
	assert_true(platform_parse("linux/arm/v7/x", &p, &e) < 0);
	assert_int_equal(platform_parse(NULL, &p, &e), 0);
	assert_string_equal(p.os, "linux");
	assert_true(p.arch[0] != '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_challenge_bearer), cmocka_unit_test(test_challenge_basic_and_bad),
	    cmocka_unit_test(test_token_and_cache),  cmocka_unit_test(test_base64),
	    cmocka_unit_test(test_creds_files),	     cmocka_unit_test(test_manifest),
	    cmocka_unit_test(test_index_select),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
