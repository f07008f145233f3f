/* cgroup_devices_bpf.c — device rules on cgroup v2: a
 * BPF_PROG_TYPE_CGROUP_DEVICE program assembled here by hand and loaded
 * with raw bpf(2).  No libbpf: the program is a straight list of
 * compare-and-return blocks, one per rule, which does not need a
 * compiler, an ELF loader or BTF.
 *
 * The program sees struct bpf_cgroup_dev_ctx { access_type (access << 16
 * | type), major, minor } and returns 1 (allow) or 0 (deny).  Rules keep
 * v1's meaning: a later rule overrides an earlier one, so the blocks are
 * emitted last rule first and the first match decides; the last
 * catch-all rule ("a", any major/minor) sets what happens when nothing
 * matches (allow when there is none, as a v1 child starts out).
 */
#include "runtime/cgroup.h"

#include "base/cleanup.h"
#include "base/error.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct prog {
	struct bpf_insn *i;
	size_t n, cap;
};

static int emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct bpf_insn *x = realloc(p->i, cap * sizeof(*x));
		if (!x)
			return -ENOMEM;
		p->i = x;
		p->cap = cap;
	}
	p->i[p->n++] =
	    (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
	return 0;
}

enum { R0, R1, R2, R3, R4, R5, R6 };

#define LDX_W(d, s, o) emit(p, BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define AND_K(d, k)    emit(p, BPF_ALU64 | BPF_AND | BPF_K, d, 0, 0, k)
#define RSH_K(d, k)    emit(p, BPF_ALU64 | BPF_RSH | BPF_K, d, 0, 0, k)
#define MOV_K(d, k)    emit(p, BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, k)
#define MOV_X(d, s)    emit(p, BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define JNE_K(d, k, o) emit(p, BPF_JMP | BPF_JNE | BPF_K, d, 0, o, k)
#define JEQ_K(d, k, o) emit(p, BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, k)
#define EXIT()	       emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static int access_bits(const char *a)
{
	int m = 0;
	for (; *a; a++)
		m |= *a == 'r'	 ? BPF_DEVCG_ACC_READ
		     : *a == 'w' ? BPF_DEVCG_ACC_WRITE
				 : BPF_DEVCG_ACC_MKNOD;
	return m;
}

/* One rule: fall through to the next block unless it matches; on a
 * match return its verdict. */
static int block(struct prog *p, const struct cg_dev_rule *d)
{
	int checks = (d->type != 'a') + (d->major >= 0) + (d->minor >= 0);
	int acc = access_bits(d->access);
	bool all_access = acc == (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD);
	/* Instructions after each check's jump: the rest of the block. */
	int len = checks + (all_access ? 0 : 3) + 2;
	int x = 0, k = 0;
	if (d->type != 'a')
		x |= JNE_K(R2, d->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR,
			   (int16_t)(len - ++k));
	if (!all_access) {
		x |= MOV_X(R6, R3);
		if (d->allow) {
			/* allow: every requested bit must be granted */
			x |= AND_K(R6, ~acc);
			x |= JNE_K(R6, 0, (int16_t)(len - k - 3));
		} else {
			/* deny: any requested bit that is denied */
			x |= AND_K(R6, acc);
			x |= JEQ_K(R6, 0, (int16_t)(len - k - 3));
		}
		k += 3;
	}
	if (d->major >= 0)
		x |= JNE_K(R4, (int32_t)d->major, (int16_t)(len - ++k));
	if (d->minor >= 0)
		x |= JNE_K(R5, (int32_t)d->minor, (int16_t)(len - ++k));
	x |= MOV_K(R0, d->allow ? 1 : 0);
	x |= EXIT();
	return x;
}

static int assemble(struct prog *p, const struct cg_resources *r)
{
	int x = 0;
	x |= LDX_W(R2, R1, 0); /* access_type */
	x |= AND_K(R2, 0xffff);
	x |= LDX_W(R3, R1, 0);
	x |= RSH_K(R3, 16);
	x |= LDX_W(R4, R1, 4); /* major */
	x |= LDX_W(R5, R1, 8); /* minor */
	const struct cg_dev_rule *defs;
	size_t nd = cg_default_devices(&defs);
	for (size_t i = nd; i-- > 0;)
		x |= block(p, &defs[i]);
	bool fallback = true;
	size_t first = 0;
	for (size_t i = r->n_devices; i-- > 0;) {
		const struct cg_dev_rule *d = &r->devices[i];
		if (d->type == 'a' && d->major < 0 && d->minor < 0 && !strcmp(d->access, "rwm")) {
			fallback = d->allow;
			first = i + 1;
			break;
		}
	}
	for (size_t i = r->n_devices; i-- > first;)
		x |= block(p, &r->devices[i]);
	x |= MOV_K(R0, fallback ? 1 : 0);
	x |= EXIT();
	return x;
}

int cg_devices_bpf_attach(int cgfd, const struct cg_resources *r, struct err *e)
{
	struct prog p = {0};
	if (assemble(&p, r) < 0) {
		free(p.i);
		return err_sys(e, ENOMEM, "device program");
	}
	char log[4096] = "";
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)p.i;
	a.insn_cnt = (uint32_t)p.n;
	a.license = (uint64_t)(uintptr_t) "GPL";
	/* No verifier log on the start path; only to explain a refusal. */
	_cleanup_close_ int prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	int saved = errno;
	if (prog < 0) {
		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = sizeof(log);
		a.log_level = 1;
		int again = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
		if (again >= 0) {
			close(again);
			log[0] = '\0';
		}
	}
	free(p.i);
	if (prog < 0)
		return err_sys(e, saved, "linux.resources.devices: load the device program%s%s",
			       log[0] ? ": " : "", log);
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgfd;
	a.attach_bpf_fd = (uint32_t)prog;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &a, sizeof(a)) < 0)
		return err_sys(e, errno, "linux.resources.devices: attach the device program");
	return 0;
}
