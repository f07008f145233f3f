/* test_unpack.c — layer unpacking (capsa-pull): what each tar entry
 * becomes, whiteouts, digests, and the entries that must be refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "base/fs.h"
#include "base/sha256.h"
#include "image/store.h"
#include "pull/common.h"
#include "pull/unpack.h"
#include "pull/unpack_entry.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

static char tmpdir[64];
static struct store st;
static char buf[1 << 20];
static size_t used;

enum kind { F, D, L, H };

struct ent {
	enum kind k;
	const char *path;
	const char *data; /* file content, or link target */
	unsigned mode;
};

/* A tar (optionally gzip) of `ents` into buf/used. */
static void mktar(const struct ent *ents, size_t n, int gzip)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	if (gzip)
		archive_write_add_filter_gzip(a);
	archive_write_set_bytes_in_last_block(a, 1);
	assert_int_equal(archive_write_open_memory(a, buf, sizeof(buf), &used), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, ents[i].path);
		archive_entry_set_mtime(e, 1000, 0);
		archive_entry_set_uid(e, 0);
		archive_entry_set_gid(e, 0);
		archive_entry_set_perm(e, ents[i].mode ? ents[i].mode : 0644);
		size_t len = 0;
		switch (ents[i].k) {
		case F:
			archive_entry_set_filetype(e, AE_IFREG);
			len = strlen(ents[i].data);
			archive_entry_set_size(e, (la_int64_t)len);
			if (!strcmp(ents[i].path, "d/f"))
				archive_entry_xattr_add_entry(e, "user.k", "v", 1);
			break;
		case D:
			archive_entry_set_filetype(e, AE_IFDIR);
			break;
		case L:
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, ents[i].data);
			break;
		case H:
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, ents[i].data);
			break;
		}
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (len)
			assert_int_equal(archive_write_data(a, ents[i].data, len), (la_ssize_t)len);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
}

/* buf as an fd to read. */
static int buf_fd(void)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/in.tar", tmpdir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, used), (ssize_t)used);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/var/tmp/capsa-test-unpack.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	char root[128];
	snprintf(root, sizeof(root), "%s/store", tmpdir);
	struct err e = {0};
	return store_open(&st, root, &e);
}

static int teardown(void **state)
{
	store_close(&st);
	return rm_rf_at(AT_FDCWD, tmpdir);
}

static const char *lp(const struct layer_out *o, const char *rel)
{
	static char p[8400];
	snprintf(p, sizeof(p), "%s/layers/%s/diff/%s", st.root, o->chain_id + 7, rel);
	return p;
}

static void no_temporaries(void)
{
	char p[4200];
	snprintf(p, sizeof(p), "%s/layers", st.root);
	DIR *d = opendir(p);
	assert_non_null(d);
	struct dirent *de;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, ".tmp-", 5))
			fail_msg("temporary left: %s", de->d_name);
	closedir(d);
}

static void test_entries(void **state)
{
	static const struct ent ents[] = {
	    {D, "d", NULL, 0555},	  {F, "d/f", "hello", 0640}, {L, "l", "/abs/target", 0777},
	    {H, "h", "d/f", 0},		  {F, "d/.wh.gone", "", 0},  {D, "o", NULL, 0755},
	    {F, "o/.wh..wh..opq", "", 0}, {F, "o/keep", "k", 0600},  {F, "./x/y/deep", "z", 0},
	};
	mktar(ents, sizeof(ents) / sizeof(ents[0]), 0);
	char want[SHA256_DIGEST_STR];
	sha256_str(buf, used, want);
	int fd = buf_fd();
	struct layer_in in = {.fd = fd, .name = "t1"};
	struct layer_out out;
	struct err e = {0};
	int r = layer_unpack(&st, &in, &out, &e);
	if (r < 0)
		fail_msg("%s", e.msg);
	close(fd);
	assert_string_equal(out.diff_id, want);
	assert_string_equal(out.chain_id, want); /* bottom layer: chain = diff */
	struct stat sb, sh;
	assert_int_equal(lstat(lp(&out, "d"), &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0555);
	assert_int_equal(sb.st_mtime, 1000);
	assert_int_equal(lstat(lp(&out, "d/f"), &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0640);
	assert_int_equal(sb.st_size, 5);
	assert_int_equal(sb.st_mtime, 1000);
	assert_int_equal(lstat(lp(&out, "h"), &sh), 0);
	assert_int_equal(sb.st_ino, sh.st_ino);
	char v[8];
	ssize_t xl = getxattr(lp(&out, "d/f"), "user.k", v, sizeof(v));
	if (xl != -1 || errno != ENOTSUP)
		assert_int_equal(xl, 1);
	char t[64];
	ssize_t n = readlink(lp(&out, "l"), t, sizeof(t) - 1);
	assert_int_equal(n, 11);
	t[n] = '\0';
	assert_string_equal(t, "/abs/target");
	/* Whiteout: a 0/0 character device; opaque: the xattr, no marker file. */
	assert_int_equal(lstat(lp(&out, "d/gone"), &sb), 0);
	assert_true(S_ISCHR(sb.st_mode));
	assert_int_equal(sb.st_rdev, makedev(0, 0));
	assert_int_equal(lstat(lp(&out, "d/.wh.gone"), &sb), -1);
	assert_int_equal(lstat(lp(&out, "o/.wh..wh..opq"), &sb), -1);
	const char *attr = pull_is_rootless() ? "user.overlay.opaque" : "trusted.overlay.opaque";
	assert_int_equal(getxattr(lp(&out, "o"), attr, v, sizeof(v)), 1);
	assert_int_equal(v[0], 'y');
	/* Missing parents are made. */
	assert_int_equal(lstat(lp(&out, "x/y/deep"), &sb), 0);
	no_temporaries();

	/* Again, with the diff ID known: found, not unpacked. */
	fd = buf_fd();
	struct layer_in again = {.fd = fd, .name = "t1", .diff_id = want};
	assert_int_equal(layer_unpack(&st, &again, &out, &e), 0);
	assert_int_equal(out.existed, 1);
	close(fd);
}

static void test_digests(void **state)
{
	static const struct ent ents[] = {{F, "a", "gz", 0}};
	mktar(ents, 1, 1);
	char dgst[SHA256_DIGEST_STR];
	sha256_str(buf, used, dgst);
	struct err e = {0};
	struct layer_out out;
	char parent[] = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
	/* Right blob digest, wrong diff ID: refused, nothing left. */
	int fd = buf_fd();
	struct layer_in in = {
	    .fd = fd,
	    .name = "t2",
	    .parent_chain = parent,
	    .digest = dgst,
	    .diff_id = "sha256:2222222222222222222222222222222222222222222222222222222222222222"};
	assert_true(layer_unpack(&st, &in, &out, &e) < 0);
	assert_non_null(strstr(e.msg, "diff ID mismatch"));
	assert_false(store_layer_exists(&st, out.chain_id));
	close(fd);
	no_temporaries();
	/* Wrong blob digest. */
	fd = buf_fd();
	struct layer_in in2 = {.fd = fd, .name = "t2", .digest = parent};
	assert_true(layer_unpack(&st, &in2, &out, &e) < 0);
	assert_non_null(strstr(e.msg, "digest mismatch"));
	close(fd);
	/* Both right: the chain ID follows from the parent. */
	fd = buf_fd();
	struct layer_in in3 = {.fd = fd, .name = "t2", .parent_chain = parent, .digest = dgst};
	assert_int_equal(layer_unpack(&st, &in3, &out, &e), 0);
	char chain[SHA256_DIGEST_STR];
	chain_id_next(parent, out.diff_id, chain);
	assert_string_equal(out.chain_id, chain);
	assert_true(store_layer_exists(&st, chain));
	close(fd);
}

static void refused(const struct ent *ents, size_t n, const char *msg)
{
	mktar(ents, n, 0);
	int fd = buf_fd();
	struct layer_in in = {.fd = fd, .name = "evil"};
	struct layer_out out;
	struct err e = {0};
	assert_true(layer_unpack(&st, &in, &out, &e) < 0);
	if (!strstr(e.msg, msg))
		fail_msg("\"%s\" lacks \"%s\"", e.msg, msg);
	close(fd);
	no_temporaries();
}

static void test_refused(void **state)
{
	static const struct ent dotdot[] = {{F, "a/../../escape", "x", 0}};
	refused(dotdot, 1, "path with \"..\" refused");
	static const struct ent through[] = {{L, "etc", "/etc", 0}, {F, "etc/passwd", "x", 0}};
	refused(through, 2, "path leads through a symlink");
	static const struct ent rel[] = {{L, "up", "..", 0}, {F, "up/x", "x", 0}};
	refused(rel, 2, "path leads through a symlink");
	static const struct ent hard[] = {{H, "h", "/etc/passwd", 0}};
	refused(hard, 1, "not a file in the layer");
	static const struct ent hard2[] = {{H, "h", "../x", 0}};
	refused(hard2, 1, "hard link to \"../x\" refused");
}

static void test_clean_path(void **state)
{
	char p[64];
	strcpy(p, "./a//b/./c/");
	assert_int_equal(layer_clean_path(p), 0);
	assert_string_equal(p, "a/b/c");
	strcpy(p, "/abs");
	assert_int_equal(layer_clean_path(p), 0);
	assert_string_equal(p, "abs");
	strcpy(p, "./");
	assert_int_equal(layer_clean_path(p), 1);
	strcpy(p, "a/..");
	assert_int_equal(layer_clean_path(p), -EINVAL);
	strcpy(p, "a/..b");
	assert_int_equal(layer_clean_path(p), 0);
}

/* A later entry of the same name replaces an earlier one (file over
 * file, file over symlink, file over empty directory); gzip layers (the
 * ISA-L path) give the same tree and diff ID as plain ones. */
static void test_replaced(void **state)
{
	static const struct ent ents[] = {
	    {F, "a", "first", 0},  {F, "a", "second!", 0600}, {L, "b", "/etc/passwd", 0},
	    {F, "b", "a file", 0}, {D, "e", NULL, 0755},      {F, "e", "was a dir", 0},
	};
	char diff[2][SHA256_DIGEST_STR];
	for (int gz = 0; gz < 2; gz++) {
		mktar(ents, sizeof(ents) / sizeof(ents[0]), gz);
		int fd = buf_fd();
		struct layer_in in = {.fd = fd, .name = gz ? "t5gz" : "t5"};
		struct layer_out out;
		struct err e = {0};
		if (layer_unpack(&st, &in, &out, &e) < 0)
			fail_msg("%s", e.msg);
		close(fd);
		memcpy(diff[gz], out.diff_id, SHA256_DIGEST_STR);
		struct stat sb;
		assert_int_equal(lstat(lp(&out, "a"), &sb), 0);
		assert_true(S_ISREG(sb.st_mode));
		assert_int_equal(sb.st_size, 7);
		assert_int_equal(sb.st_mode & 07777, 0600);
		assert_int_equal(lstat(lp(&out, "b"), &sb), 0);
		assert_true(S_ISREG(sb.st_mode));
		assert_int_equal(sb.st_size, 6);
		assert_int_equal(lstat(lp(&out, "e"), &sb), 0);
		assert_true(S_ISREG(sb.st_mode));
		assert_int_equal(sb.st_size, 9);
	}
	assert_string_equal(diff[0], diff[1]);
	no_temporaries();
}

/* With the lock held by the caller, the layer waits in a temporary
 * until layer_publish renames it (layer_discard removes it). */
static void test_locked_publish(void **state)
{
	static const struct ent ents[] = {{F, "p", "publish me", 0}};
	mktar(ents, 1, 1);
	char dgst[SHA256_DIGEST_STR], diff[SHA256_DIGEST_STR];
	sha256_str(buf, used, dgst);
	/* The diff ID: the uncompressed tar's digest (unpack once, unlocked). */
	mktar(ents, 1, 0);
	sha256_str(buf, used, diff);
	mktar(ents, 1, 1);
	struct err e = {0};
	struct layer_out out;
	char parent[] = "sha256:3333333333333333333333333333333333333333333333333333333333333333";
	struct layer_in in = {
	    .name = "t6", .parent_chain = parent, .diff_id = diff, .digest = dgst, .locked = 1};
	char chain[SHA256_DIGEST_STR];
	chain_id_next(parent, diff, chain);
	for (int publish = 0; publish < 2; publish++) {
		int lock = layer_lock(&st, chain, &e);
		assert_true(lock >= 0);
		in.fd = buf_fd();
		if (layer_unpack(&st, &in, &out, &e) < 0)
			fail_msg("%s", e.msg);
		close(in.fd);
		assert_false(store_layer_exists(&st, chain));
		assert_true(out.tmp[0] != '\0');
		assert_true(out.tmpfd >= 0);
		char tp[8400];
		snprintf(tp, sizeof(tp), "%s/%s/diff/p", st.root, out.tmp);
		assert_int_equal(access(tp, F_OK), 0);
		if (publish) {
			assert_int_equal(layer_publish(&st, &out, &e), 0);
			assert_true(store_layer_exists(&st, chain));
			assert_int_equal(access(lp(&out, "p"), F_OK), 0);
		} else {
			layer_discard(&st, &out);
			assert_int_equal(access(tp, F_OK), -1);
			assert_false(store_layer_exists(&st, chain));
		}
		assert_int_equal(out.tmpfd, -1);
		close(lock);
		no_temporaries();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clean_path), cmocka_unit_test(test_entries),
	    cmocka_unit_test(test_digests),    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_replaced),   cmocka_unit_test(test_locked_publish),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
