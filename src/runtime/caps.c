/* caps.c — capabilities with raw capset(2) and prctl(2) (see caps.h).
 *
 * libcap is not used: the kernel interface is two 32-bit halves per set
 * (_LINUX_CAPABILITY_VERSION_3), which maps directly onto the spec's
 * 64-bit masks, and one library less is one less thing to load on the
 * run path.  When the kernel refuses, the message names the first
 * capability that explains why, not just "operation not permitted".
 */
#include "runtime/caps.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "runtime/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel never numbers a capability above 63 in a 64-bit mask. */
#define CAP_MASK_BITS 64

struct capsets {
	uint64_t effective, permitted, inheritable;
};

/* "CAP_SYS_ADMIN", or "capability 45" for a number the table lacks (a
 * kernel newer than capsa). */
static const char *cap_label(int n, char *buf, size_t len)
{
	const char *name = spec_cap_name(n);
	if (name)
		return name;
	snprintf(buf, len, "capability %d", n);
	return buf;
}

static int read_last_cap_file(void)
{
	_cleanup_close_ int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char buf[16];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	int v = 0, digits = 0;
	for (char *p = buf; *p >= '0' && *p <= '9'; p++, digits++)
		v = v * 10 + (*p - '0');
	return digits > 0 && digits < 3 && v < CAP_MASK_BITS ? v : -1;
}

int caps_last_cap(void)
{
	int v = read_last_cap_file();
	if (v >= 0)
		return v;
	/* No /proc (an init that has not mounted it yet): PR_CAPBSET_READ
	 * says EINVAL for a number the kernel does not know. */
	int n = 0;
	while (n + 1 < CAP_MASK_BITS && prctl(PR_CAPBSET_READ, n + 1, 0, 0, 0) >= 0)
		n++;
	return n;
}

/* Bits 0..last. */
static uint64_t known_mask(int last)
{
	return last >= CAP_MASK_BITS - 1 ? ~(uint64_t)0 : (((uint64_t)1 << (last + 1)) - 1);
}

int caps_drop_bounding(const struct spec_caps *c, int *last, struct err *e)
{
	if (last)
		*last = -1;
	/* Up to the first number the kernel does not know (EINVAL): no need
	 * to read cap_last_cap first. */
	for (int n = 0; n < CAP_MASK_BITS; n++) {
		if (c->bounding & ((uint64_t)1 << n))
			continue;
		/* One call per capability in the common case; only when the
		 * drop is refused ask whether it was already gone (a parent
		 * runtime dropped it, and we lack CAP_SETPCAP). */
		if (prctl(PR_CAPBSET_DROP, n, 0, 0, 0) == 0)
			continue;
		if (errno == EINVAL) {
			if (last)
				*last = n - 1;
			break;
		}
		int saved = errno;
		int had = prctl(PR_CAPBSET_READ, n, 0, 0, 0);
		if (had == 0)
			continue;
		if (had < 0 && errno == EINVAL) {
			if (last) /* EPERM comes before the range check */
				*last = n - 1;
			break;
		}
		char buf[32];
		return err_sys(e, saved, "drop capability %s from bounding set",
			       cap_label(n, buf, sizeof(buf)));
	}
	return 0;
}

static int capget_sets(struct capsets *out)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2] = {0};
	if (syscall(SYS_capget, &hdr, d) < 0)
		return -errno;
	out->effective = d[0].effective | (uint64_t)d[1].effective << 32;
	out->permitted = d[0].permitted | (uint64_t)d[1].permitted << 32;
	out->inheritable = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

static int capset_sets(const struct capsets *s)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2] = {
	    {(uint32_t)s->effective, (uint32_t)s->permitted, (uint32_t)s->inheritable},
	    {(uint32_t)(s->effective >> 32), (uint32_t)(s->permitted >> 32),
	     (uint32_t)(s->inheritable >> 32)},
	};
	return syscall(SYS_capset, &hdr, d) < 0 ? -errno : 0;
}

static int lowest_bit(uint64_t m)
{
	return __builtin_ctzll(m);
}

/* capset refused: find the capability the kernel's rules trip on. */
static int explain_capset(const struct capsets *want, int errnum, struct err *e)
{
	struct capsets cur = {0};
	char buf[32];
	uint64_t bad;
	if (capget_sets(&cur) < 0)
		return err_sys(e, errnum, "set capabilities");
	if ((bad = want->permitted & ~cur.permitted))
		return err_sys(e, errnum, "set capabilities: %s is not in the permitted set",
			       cap_label(lowest_bit(bad), buf, sizeof(buf)));
	if ((bad = want->effective & ~want->permitted))
		return err_sys(e, errnum, "set capabilities: effective %s is not permitted",
			       cap_label(lowest_bit(bad), buf, sizeof(buf)));
	bool setpcap = cur.effective & ((uint64_t)1 << CAP_SETPCAP);
	if (!setpcap && (bad = want->inheritable & ~(cur.inheritable | cur.permitted)))
		return err_sys(e, errnum,
			       "set capabilities: inheritable %s needs CAP_SETPCAP or to be "
			       "permitted",
			       cap_label(lowest_bit(bad), buf, sizeof(buf)));
	for (int n = 0; n < CAP_MASK_BITS; n++) {
		if ((want->inheritable & ((uint64_t)1 << n)) &&
		    !(cur.inheritable & ((uint64_t)1 << n)) &&
		    prctl(PR_CAPBSET_READ, n, 0, 0, 0) == 0)
			return err_sys(
			    e, errnum,
			    "set capabilities: inheritable %s is not in the bounding set",
			    cap_label(n, buf, sizeof(buf)));
	}
	return err_sys(e, errnum, "set capabilities");
}

static int set_ambient(const struct capsets *sets, uint64_t ambient, int last, struct err *e)
{
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
		/* A kernel without ambient capabilities (< 4.3) is fine as
		 * long as none are asked for. */
		if (errno == EINVAL && ambient == 0)
			return 0;
		return err_sys(e, errno, "clear ambient capabilities");
	}
	/* The kernel raises an ambient capability only when it is both
	 * permitted and inheritable.  Configs that ask for others are common
	 * (`runc spec` writes ambient without inheritable) and runc runs
	 * them, skipping what cannot be raised: so do we. */
	ambient &= sets->permitted & sets->inheritable;
	for (int n = 0; n <= last; n++) {
		if (!(ambient & ((uint64_t)1 << n)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, n, 0, 0) == 0)
			continue;
		char buf[32];
		return err_sys(e, errno, "raise ambient capability %s",
			       cap_label(n, buf, sizeof(buf)));
	}
	return 0;
}

int caps_apply(const struct spec_caps *c, int last, struct err *e)
{
	if (last < 0)
		last = caps_last_cap();
	uint64_t known = known_mask(last);
	struct capsets want = {
	    .effective = c->effective & known,
	    .permitted = c->permitted & known,
	    .inheritable = c->inheritable & known,
	};
	int r = capset_sets(&want);
	if (r < 0)
		return explain_capset(&want, -r, e);
	return set_ambient(&want, c->ambient & known, last, e);
}
