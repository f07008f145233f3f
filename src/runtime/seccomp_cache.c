/* seccomp_cache.c — compiled seccomp filters kept by content (see
 * seccomp_prepare in seccomp.h).
 *
 * The key hashes everything the compiled program depends on: the parsed
 * profile, libseccomp's version, and the kernel (release, build version
 * and machine), which fixes the API level libseccomp would probe for
 * (seccomp_api_get: ~9 seccomp(2) calls, so not asked on a hit).  What
 * could lower that level on the same kernel is a filter of our own
 * (capsa run inside a confined container), so whether one is in force
 * (PR_GET_SECCOMP) is part of the key too.  A file that is not a whole number
 * of BPF instructions, or too long, is ignored and replaced.
 */
#include "runtime/seccomp.h"

#include "base/arena.h"
#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/kernel.h"
#include "base/sha256.h"
#include "runtime/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_FORMAT "capsa-seccomp-3"

static void put_str(struct sha256 *h, const char *s)
{
	sha256_update(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

static void put_u64(struct sha256 *h, uint64_t v)
{
	sha256_update(h, &v, sizeof(v));
}

static void cache_key(const struct spec_seccomp *s, char out[SHA256_DIGEST_STR])
{
	struct sha256 h;
	sha256_init(&h);
	put_str(&h, CACHE_FORMAT);
	const struct scmp_version *v = seccomp_version();
	put_u64(&h, v ? ((uint64_t)v->major << 32) | (v->minor << 16) | v->micro : 0);
	put_u64(&h, (uint64_t)(int64_t)prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
	const struct utsname *u = kernel_uname();
	if (u) {
		put_str(&h, u->release);
		put_str(&h, u->version);
		put_str(&h, u->machine);
	}
	put_u64(&h, s->default_action);
	put_u64(&h, s->n_architectures);
	for (size_t i = 0; i < s->n_architectures; i++)
		put_str(&h, s->architectures[i]);
	put_u64(&h, s->n_flags);
	for (size_t i = 0; i < s->n_flags; i++)
		put_str(&h, s->flags[i]);
	put_u64(&h, s->n_rules);
	for (size_t i = 0; i < s->n_rules; i++) {
		const struct spec_seccomp_rule *r = &s->rules[i];
		put_u64(&h, r->action);
		put_u64(&h, r->n_names);
		for (size_t j = 0; j < r->n_names; j++)
			put_str(&h, r->names[j]);
		put_u64(&h, r->n_args);
		for (size_t j = 0; j < r->n_args; j++) {
			put_u64(&h, r->args[j].index);
			put_u64(&h, r->args[j].value);
			put_u64(&h, r->args[j].value_two);
			put_u64(&h, (uint64_t)(int64_t)r->args[j].op);
		}
	}
	sha256_final_str(&h, out);
}

/* A cache file: 4 bytes of SECCOMP_FILTER_FLAG_*, then the instructions. */
static bool usable(size_t len)
{
	size_t n = len - sizeof(uint32_t);
	return len > sizeof(uint32_t) && n % sizeof(struct sock_filter) == 0 &&
	       n / sizeof(struct sock_filter) <= BPF_MAXINSNS;
}

static int take(struct spec_seccomp *s, const char *buf, size_t len, struct arena *a, struct err *e)
{
	size_t n = len - sizeof(uint32_t);
	struct sock_filter *f = arena_alloc(a, n);
	if (!f)
		return err_sys(e, ENOMEM, "seccomp filter");
	uint32_t flags;
	memcpy(&flags, buf, sizeof(flags));
	memcpy(f, buf + sizeof(uint32_t), n);
	s->bpf = f;
	s->bpf_len = (unsigned short)(n / sizeof(struct sock_filter));
	s->bpf_flags = flags;
	return 0;
}

static int compile_to_cache(struct spec_seccomp *s, int dirfd, const char *name, struct arena *a,
			    struct err *e)
{
	_cleanup_close_ int fd = memfd_create("capsa-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return err_sys(e, errno, "seccomp: memfd");
	uint32_t flags = 0;
	if (write(fd, &flags, sizeof(flags)) != sizeof(flags))
		return err_sys(e, errno, "seccomp: memfd");
	unsigned int kflags;
	int r = seccomp_compile(s, fd, &kflags, e);
	if (r < 0)
		return r;
	flags = kflags;
	if (pwrite(fd, &flags, sizeof(flags), 0) != sizeof(flags) || lseek(fd, 0, SEEK_SET) < 0)
		return err_sys(e, errno, "seccomp: memfd");
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	if ((r = read_fd(fd, &buf, &len, e)) < 0)
		return r;
	if (!usable(len))
		return err_msg(e, E2BIG,
			       "seccomp: the compiled filter has %zu bytes, not a "
			       "program the kernel takes",
			       len);
	if ((r = take(s, buf, len, a, e)) < 0)
		return r;
	/* A cache that cannot be written costs speed, not correctness. */
	write_file_atomic(dirfd, name, buf, len, 0600, NULL);
	return 0;
}

int seccomp_prepare(struct spec_seccomp *s, const char *cache_dir, struct arena *a, struct err *e)
{
	if (!cache_dir || seccomp_wants_notify(s))
		return 0;
	char key[SHA256_DIGEST_STR], name[SHA256_DIGEST_STR + 8];
	cache_key(s, key);
	/* "sha256:<hex>" -> "<hex>.bpf" */
	const char *hex = strchr(key, ':');
	snprintf(name, sizeof(name), "%s.bpf", hex ? hex + 1 : key);
	_cleanup_close_ int dirfd = open(cache_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0 && errno == ENOENT && mkdir_p(cache_dir, 0700, NULL) == 0)
		dirfd = open(cache_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return 0; /* no cache: seccomp_apply compiles in the init */
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	if (read_file_at(dirfd, name, &buf, &len, NULL) == 0 && usable(len))
		return take(s, buf, len, a, e);
	return compile_to_cache(s, dirfd, name, a, e);
}
