/* prefault.c — see prefault.h. */
#include "base/prefault.h"

#include <elf.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define PAGE	    4096UL
#define ENTRY_STACK (112UL << 10)

static void page_bounds(uintptr_t *start, uintptr_t *end)
{
	*start &= ~(PAGE - 1);
	*end = (*end + PAGE - 1) & ~(PAGE - 1);
}

void prefault_range(const void *start, const void *end, int how)
{
	uintptr_t s = (uintptr_t)start, e = (uintptr_t)end;

	page_bounds(&s, &e);
	if (e > s)
		(void)madvise((void *)s, e - s, how);
}

#if defined(__x86_64__)

/* Everything below runs before the C library is initialised: no libc
 * calls, no errno, no TLS, no stack protector (its canary is not set up
 * yet), and no loops the compiler could turn into memcmp/memset calls. */
#define ENTRY_FN                                                                                   \
	__attribute__((used, no_stack_protector, optimize("no-tree-loop-distribute-patterns")))

extern const ElfW(Ehdr) __ehdr_start;

ENTRY_FN static void entry_madvise(uintptr_t start, uintptr_t end, int how)
{
	long ret;

	page_bounds(&start, &end);
	if (end <= start)
		return;
	/* The result is ignored for the reason prefault_range gives. */
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"((long)SYS_madvise), "D"(start), "S"(end - start), "d"((long)how)
			 : "rcx", "r11", "memory");
	(void)ret;
}

ENTRY_FN static bool entry_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* The container's init ("init", bound at /dev/init) and the monitor
 * ("capsa _monitor ...") stay small: see main.c. */
ENTRY_FN static bool entry_small(long argc, char **argv)
{
	if (argc < 1 || !argv[0])
		return true;
	const char *base = argv[0];
	for (const char *p = argv[0]; *p; p++)
		if (*p == '/')
			base = p + 1;
	return entry_streq(base, "init") ||
	       (argc > 1 && (entry_streq(argv[1], "_monitor") || entry_streq(argv[1], "_reap")));
}

/* `sp` points at argc, as the kernel left the stack at the entry. */
ENTRY_FN void prefault_at_entry(long *sp)
{
	if (entry_small(sp[0], (char **)(sp + 1)))
		return;
	const ElfW(Ehdr) *eh = &__ehdr_start;
	const ElfW(Phdr) *ph = (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff);
	uintptr_t bias = 0, relro_start = 0, relro_end = 0;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0)
			bias = (uintptr_t)eh - ph[i].p_vaddr;
	/* The RELRO part is left out.  Linked dynamically, the loader has
	 * made it read-only before it jumps here: a write-populate would
	 * fail on it.  Linked statically, glibc's start-up makes it
	 * read-only itself, and an mprotect of present pages costs more than
	 * the few faults it saves on this project's test VM (shadow page
	 * tables: 0.15-0.37 ms against ref-clone's 0.07 ms).  GNU ld puts
	 * RELRO at the start of the writable segment; lld gives it a
	 * segment of its own, left out whole. */
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_GNU_RELRO) {
			relro_start = bias + ph[i].p_vaddr;
			relro_end = relro_start + ph[i].p_memsz;
		}
	/* Adjacent segments with the same access go in one call. */
	uintptr_t run_start = 0, run_end = 0;
	int run_how = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
			continue;
		uintptr_t s = bias + ph[i].p_vaddr, e = s + ph[i].p_memsz;
		int how = (ph[i].p_flags & PF_W) ? MADV_POPULATE_WRITE : MADV_POPULATE_READ;
		if (how == MADV_POPULATE_WRITE && s >= relro_start && s < relro_end) {
			if (e <= relro_end)
				continue;
			s = (relro_end + PAGE - 1) & ~(PAGE - 1);
		}
		if (how == run_how && (s & ~(PAGE - 1)) <= ((run_end + PAGE - 1) & ~(PAGE - 1))) {
			run_end = e;
			continue;
		}
		if (run_how)
			entry_madvise(run_start, run_end, run_how);
		run_start = s;
		run_end = e;
		run_how = how;
	}
	if (run_how)
		entry_madvise(run_start, run_end, run_how);
	/* The stack below us, which main and the runtime grow into; the
	 * page we are on is mapped already.  `capsa run` goes ~90 KiB deep
	 * (a few PATH_MAX buffers per frame).  Not deeper than the 128 KiB
	 * the kernel maps below the arguments at exec: past the stack's
	 * mapping the call fails and maps nothing. */
	uintptr_t here = (uintptr_t)sp;
	entry_madvise(here - ENTRY_STACK, here - PAGE, MADV_POPULATE_WRITE);
}

/* The ELF entry: the kernel's register state is what _start expects, so
 * keep %rsp and %rdx (the dynamic loader's exit hook, 0 when static)
 * and hand over to it.  %rsp is 16-byte aligned here, as a call needs. */
__asm__(".text\n"
	".globl prefault_entry\n"
	".type prefault_entry, @function\n"
	"prefault_entry:\n"
	"	mov %rdx, %r12\n"
	"	mov %rsp, %rdi\n"
	"	call prefault_at_entry\n"
	"	mov %r12, %rdx\n"
	"	jmp _start\n"
	".size prefault_entry, . - prefault_entry\n");

#endif
