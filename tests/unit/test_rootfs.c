/* test_rootfs.c — container root filesystems from layer dirs: overlay
 * (as root, and inside a user namespace with userxattr) and the copy
 * fallback, each showing whiteouts and opaque directories as overlayfs
 * defines them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/error.h"
#include "base/fs.h"
#include "image/gc.h"
#include "image/index.h"
#include "image/rootfs.h"
#include "image/rootfs_copy.h"
#include "image/spare.h"
#include "image/store.h"
#include "image/trash.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define L1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define L2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

static char tmpdir[64];
static struct store st;

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* L1: a, d/x, d/z.  L2: whiteout of a, d opaque with d/y, b. */
static int setup(void **state)
{
	char p[8400];
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/capsa-test-rootfs.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	chmod(tmpdir, 0755);
	snprintf(p, sizeof(p), "%s/store", tmpdir);
	struct err e = {0};
	if (store_open(&st, p, &e) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/layers/%s/diff/d", st.root, L1 + 7);
	mkdir_p(p, 0755, NULL);
	snprintf(p, sizeof(p), "%s/layers/%s/diff/a", st.root, L1 + 7);
	put(p, "a\n");
	snprintf(p, sizeof(p), "%s/layers/%s/diff/d/x", st.root, L1 + 7);
	put(p, "x\n");
	snprintf(p, sizeof(p), "%s/layers/%s/diff/d/z", st.root, L1 + 7);
	put(p, "z\n");
	snprintf(p, sizeof(p), "%s/layers/%s/diff/d", st.root, L2 + 7);
	mkdir_p(p, 0755, NULL);
	if (geteuid() == 0 && setxattr(p, "trusted.overlay.opaque", "y", 1, 0) < 0)
		return -1;
	if (setxattr(p, "user.overlay.opaque", "y", 1, 0) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/layers/%s/diff/d/y", st.root, L2 + 7);
	put(p, "y\n");
	snprintf(p, sizeof(p), "%s/layers/%s/diff/b", st.root, L2 + 7);
	put(p, "b\n");
	snprintf(p, sizeof(p), "%s/layers/%s/diff/a", st.root, L2 + 7);
	if (mknod(p, S_IFCHR, makedev(0, 0)) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	store_close(&st);
	return rm_rf_at(AT_FDCWD, tmpdir);
}

static char *layers[] = {L1, L2, NULL};
static struct image_rec img = {
    .id = "sha256:3333333333333333333333333333333333333333333333333333333333333333",
    .layers = layers,
    .n_layers = 2};

static int exists(const char *dir, const char *name)
{
	char p[16800];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

/* The merged view both layers should give. */
static int view_ok(const char *t)
{
	return !exists(t, "a") && exists(t, "b") && exists(t, "d/y") && !exists(t, "d/x") &&
	       !exists(t, "d/z");
}

/* A child in a private mount namespace, so a test's mounts stay its own:
 * returns 0 in the child (which exits 10 if the namespace cannot be made)
 * and the child's pid in the parent. */
static pid_t fork_private_mounts(void)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0 &&
	    (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0))
		_exit(10);
	return pid;
}

/* The child `pid` exited with 0 (its other codes say which step failed). */
static void assert_child_ok(pid_t pid)
{
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_overlay_root(void **state)
{
	if (geteuid() != 0)
		skip();
	struct rootfs r;
	struct err e = {0};
	assert_int_equal(rootfs_prepare(&st, "c1", &img, &r, &e), 0);
	assert_non_null(strstr(r.options, "lowerdir="));
	/* Top layer first. */
	assert_true(strstr(r.lowerdir, L2 + 7) < strstr(r.lowerdir, L1 + 7));
	/* A private mount namespace keeps the test's mount to itself. */
	pid_t pid = fork_private_mounts();
	if (pid == 0) {
		if (rootfs_mount(&r, 0, &e) < 0 || r.kind != ROOTFS_OVERLAY)
			_exit(11);
		if (!view_ok(r.target))
			_exit(12);
		char p[8400];
		snprintf(p, sizeof(p), "%s/new", r.target);
		int fd = open(p, O_WRONLY | O_CREAT, 0644);
		if (fd < 0)
			_exit(13);
		close(fd);
		if (rootfs_unmount(&r, &e) < 0 || exists(r.target, "b"))
			_exit(14);
		snprintf(p, sizeof(p), "%s/upper", r.dir);
		_exit(exists(p, "new") ? 0 : 15);
	}
	assert_child_ok(pid);
	/* In use until removed. */
	char cid[128];
	assert_int_equal(store_image_in_use(&st, img.id, cid, sizeof(cid)), 1);
	assert_string_equal(cid, "c1");
	assert_int_equal(rootfs_remove(&st, "c1", &e), 1);
	assert_false(exists(r.dir, "."));
	assert_int_equal(store_image_in_use(&st, img.id, cid, sizeof(cid)), 0);
	rootfs_free(&r);
}

/* Rootless: mounted inside a user namespace, with userxattr. */
static void test_overlay_userns(void **state)
{
	struct rootfs r;
	struct err e = {0};
	assert_int_equal(rootfs_prepare(&st, "c2", &img, &r, &e), 0);
	uid_t uid = geteuid();
	gid_t gid = getegid();
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char map[64];
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
			_exit(10);
		int n = snprintf(map, sizeof(map), "0 %u 1\n", uid);
		if (write_file("/proc/self/setgroups", "deny", 4, NULL) < 0 ||
		    write_file("/proc/self/uid_map", map, (size_t)n, NULL) < 0)
			_exit(11);
		n = snprintf(map, sizeof(map), "0 %u 1\n", gid);
		if (write_file("/proc/self/gid_map", map, (size_t)n, NULL) < 0)
			_exit(12);
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(13);
		if (rootfs_mount(&r, ROOTFS_USERNS, &e) < 0) {
			fprintf(stderr, "%s\n", e.msg);
			_exit(14);
		}
		if (r.kind != ROOTFS_OVERLAY)
			_exit(15);
		_exit(view_ok(r.target) ? 0 : 16);
	}
	assert_child_ok(pid);
	assert_int_equal(rootfs_remove(&st, "c2", &e), 1);
	rootfs_free(&r);
}

/* ROOTFS_VOLATILE: the mount carries overlay's "volatile" (this kernel
 * has it), shows the layers as a plain one does, and the trash takes
 * what volatile leaves in the work dir. */
static void test_overlay_volatile(void **state)
{
	if (geteuid() != 0)
		skip();
	struct rootfs r;
	struct err e = {0};
	assert_int_equal(rootfs_prepare(&st, "c5", &img, &r, &e), 0);
	pid_t pid = fork_private_mounts();
	if (pid == 0) {
		if (rootfs_mount(&r, ROOTFS_VOLATILE, &e) < 0 || r.kind != ROOTFS_OVERLAY)
			_exit(11);
		if (!view_ok(r.target))
			_exit(12);
		char *mounts = NULL;
		size_t len = 0;
		if (read_file_at(AT_FDCWD, "/proc/self/mounts", &mounts, &len, NULL) < 0)
			_exit(13);
		char *line = strstr(mounts, r.target);
		int ok = line && strstr(line, "volatile") &&
			 (!strchr(line, '\n') || strstr(line, "volatile") < strchr(line, '\n'));
		free(mounts);
		if (!ok)
			_exit(14);
		_exit(rootfs_unmount(&r, &e) < 0 ? 15 : 0);
	}
	assert_child_ok(pid);
	assert_int_equal(rootfs_remove(&st, "c5", &e), 1);
	assert_false(exists(r.dir, "."));
	/* What volatile leaves in the work dir goes with the trash. */
	assert_true(trash_empty(&st, &e) >= 1);
	assert_false(exists(st.root, "trash/c5"));
	rootfs_free(&r);
}

static void test_copy_fallback(void **state)
{
	struct rootfs r;
	struct err e = {0};
	assert_int_equal(rootfs_prepare(&st, "c3", &img, &r, &e), 0);
	assert_int_equal(rootfs_own_target(&st, &r, &e), 0);
	char want[8400];
	snprintf(want, sizeof(want), "%s/rootfs", r.dir);
	assert_string_equal(r.target, want);
	assert_int_equal(rootfs_copy_layers(r.lowerdir, r.target, &e), 0);
	assert_true(view_ok(r.target));
	assert_int_equal(rootfs_remove(&st, "c3", &e), 1);
	rootfs_free(&r);
}

/* A start makes upper/, work/ and one "image" file (the image ID, then
 * the layers): the mount point is the store's shared mnt/. */
static void test_layout(void **state)
{
	struct rootfs r;
	struct err e = {0};
	assert_int_equal(rootfs_prepare(&st, "c6", &img, &r, &e), 0);
	char want[8400];
	snprintf(want, sizeof(want), "%s/" ROOTFS_SHARED_TARGET, st.root);
	assert_string_equal(r.target, want);
	assert_true(exists(r.target, "."));
	assert_true(exists(r.dir, "upper") && exists(r.dir, "work"));
	assert_false(exists(r.dir, "rootfs") || exists(r.dir, "layers") || exists(r.dir, "empty"));
	char rel[PATH_MAX + 16], *buf = NULL;
	snprintf(rel, sizeof(rel), "%s/image", r.dir);
	assert_int_equal(read_file_at(AT_FDCWD, rel, &buf, NULL, NULL), 0);
	assert_string_equal(
	    buf, "sha256:3333333333333333333333333333333333333333333333333333333333333333\n" L1
		 "\n" L2 "\n");
	free(buf);
	assert_int_equal(rootfs_remove(&st, "c6", &e), 1);
	assert_false(exists(r.dir, "."));
	/* The shared mount point stays. */
	assert_true(exists(r.target, "."));
	rootfs_free(&r);
}

/* As root: the first probe mounts and unmounts on the container's own
 * rootfs/, leaves nothing mounted or made, and writes the marker; the
 * next one only looks at the marker. */
static void test_overlay_probe(void **state)
{
	if (geteuid() != 0)
		skip();
	struct rootfs r;
	struct err e = {0};
	pid_t pid = fork_private_mounts();
	if (pid == 0) {
		unlinkat(st.dirfd, ROOTFS_OVERLAY_OK, 0);
		if (rootfs_prepare(&st, "c7", &img, &r, &e) < 0)
			_exit(11);
		if (rootfs_overlay_probe(&st, &r, &e) != 1)
			_exit(12);
		if (exists(r.dir, "rootfs") || !strstr(r.target, "/" ROOTFS_SHARED_TARGET))
			_exit(13);
		if (faccessat(st.dirfd, ROOTFS_OVERLAY_OK, F_OK, 0) < 0)
			_exit(14);
		char *mounts = NULL;
		if (read_file_at(AT_FDCWD, "/proc/self/mounts", &mounts, NULL, NULL) < 0 ||
		    strstr(mounts, st.root))
			_exit(15);
		free(mounts);
		/* Known now: no mount, not even a failing one. */
		struct rootfs r2;
		if (rootfs_prepare(&st, "c8", &img, &r2, &e) < 0)
			_exit(16);
		free(r2.options);
		r2.options = strdup("lowerdir=/nonexistent");
		if (rootfs_overlay_probe(&st, &r2, &e) != 1)
			_exit(17);
		rootfs_free(&r2);
		rootfs_free(&r);
		_exit(0);
	}
	assert_child_ok(pid);
	assert_int_equal(rootfs_remove(&st, "c7", &e), 1);
	assert_int_equal(rootfs_remove(&st, "c8", &e), 1);
	/* Where overlayfs does not mount, the probe says so and gives the
	 * container its own mount point for the fallbacks. */
	unlinkat(st.dirfd, ROOTFS_OVERLAY_OK, 0);
	assert_int_equal(rootfs_prepare(&st, "c9", &img, &r, &e), 0);
	free(r.options);
	r.options = strdup("lowerdir=/nonexistent-capsa-layer,upperdir=/nonexistent,workdir=/x");
	assert_int_equal(rootfs_overlay_probe(&st, &r, &e), 0);
	assert_true(exists(r.dir, "rootfs"));
	assert_non_null(strstr(r.target, "/rootfs"));
	assert_int_not_equal(faccessat(st.dirfd, ROOTFS_OVERLAY_OK, F_OK, 0), 0);
	assert_int_equal(rootfs_remove(&st, "c9", &e), 1);
	assert_false(exists(r.dir, "."));
	rootfs_free(&r);
}

static void test_bad_input(void **state)
{
	struct rootfs r;
	struct err e = {0};
	assert_true(rootfs_prepare(&st, "../x", &img, &r, &e) < 0);
	assert_non_null(strstr(e.msg, "invalid ID"));
	char *missing[] = {
	    "sha256:4444444444444444444444444444444444444444444444444444444444444444", NULL};
	struct image_rec bad = {.id = img.id, .layers = missing, .n_layers = 1};
	assert_true(rootfs_prepare(&st, "c4", &bad, &r, &e) < 0);
	assert_non_null(strstr(e.msg, "not in the store"));
	rootfs_remove(&st, "c4", &e);
}

/* rootfs_remove is one rename into the trash; trash_empty removes the
 * tree (whatever the container wrote), the lock file stays. */
static void test_trash(void **state)
{
	struct rootfs r;
	struct err e = {0};
	assert_int_equal(rootfs_prepare(&st, "c10", &img, &r, &e), 0);
	char p[8400];
	snprintf(p, sizeof(p), "%s/upper/a", r.dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/upper/a/file", r.dir);
	put(p, "written by the container");
	assert_int_equal(rootfs_remove(&st, "c10", &e), 1);
	assert_false(exists(r.dir, "."));
	assert_true(exists(st.root, "trash/c10/upper/a/file"));
	/* Gone already: nothing more to move. */
	assert_int_equal(rootfs_remove(&st, "c10", &e), 0);
	assert_true(trash_empty(&st, &e) >= 1);
	assert_false(exists(st.root, "trash/c10"));
	assert_true(exists(st.root, "trash/.lock"));
	assert_int_equal(trash_empty(&st, &e), 0);
	rootfs_free(&r);
}

/* The reaper's spare directory: made once, taken by the next prepare in
 * one rename (upper/ and work/ with it), made again; a stale temporary
 * of a killed maker goes. */
static void test_spare(void **state)
{
	struct rootfs r;
	struct err e = {0};
	char p[8400];
	snprintf(p, sizeof(p), "%s/" SPARE_DIR, st.root);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/" SPARE_DIR "/.tmp-1/upper", st.root);
	assert_int_equal(mkdir_p(p, 0700, &e), 0);
	assert_int_equal(spare_make(&st, &e), 1);
	assert_true(exists(st.root, SPARE_DIR "/next/upper"));
	assert_true(exists(st.root, SPARE_DIR "/next/work"));
	assert_false(exists(st.root, SPARE_DIR "/.tmp-1"));
	assert_int_equal(spare_make(&st, &e), 0); /* one is enough */
	assert_int_equal(rootfs_prepare(&st, "c11", &img, &r, &e), 0);
	assert_false(exists(st.root, SPARE_DIR "/next"));
	assert_true(exists(r.dir, "upper"));
	assert_true(exists(r.dir, "work"));
	assert_true(exists(r.dir, "image"));
	assert_int_equal(spare_make(&st, &e), 1);
	assert_int_equal(rootfs_remove(&st, "c11", &e), 1);
	assert_true(trash_empty(&st, &e) >= 1);
	rootfs_free(&r);
}

static bool has_topdir(const char *root, const char *rel)
{
	char p[8400];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fl = 0;
	assert_true(fd >= 0);
	int r = ioctl(fd, FS_IOC_GETFLAGS, &fl);
	close(fd);
	return r == 0 && (fl & FS_TOPDIR_FL);
}

/* containers/ and spare/ carry ext4's "top of hierarchies" mark where
 * the file system has it (store.h: store_spread); elsewhere nothing
 * fails for its absence. */
static void test_spread(void **state)
{
	char p[8400];
	snprintf(p, sizeof(p), "%s/probe-topdir", tmpdir);
	assert_int_equal(mkdir(p, 0700), 0);
	int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	bool can = fs_mark_topdir(fd);
	close(fd);
	rmdir(p);
	struct err e = {0};
	struct store s2;
	snprintf(p, sizeof(p), "%s/store-spread", tmpdir);
	assert_int_equal(store_open(&s2, p, &e), 0);
	assert_int_equal(has_topdir(s2.root, "containers"), can);
	assert_int_equal(spare_make(&s2, &e), 1);
	assert_int_equal(has_topdir(s2.root, SPARE_DIR), can);
	if (!can)
		fprintf(stderr, "# %s: no FS_TOPDIR_FL here; checked that its absence is harmless\n",
			tmpdir);
	store_close(&s2);
	assert_int_equal(rm_rf_at(AT_FDCWD, p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_overlay_root),
	    cmocka_unit_test(test_overlay_userns),
	    cmocka_unit_test(test_overlay_volatile),
	    cmocka_unit_test(test_copy_fallback),
	    cmocka_unit_test(test_layout),
	    cmocka_unit_test(test_overlay_probe),
	    cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_trash),
	    cmocka_unit_test(test_spare),
	    cmocka_unit_test(test_spread),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
