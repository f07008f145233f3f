/* clone_vm.c — see clone_vm.h. */
#include "runtime/clone_vm.h"

#include <errno.h>
#include <stddef.h>

#if defined(__x86_64__)
/* rdi = ca, rsi = size, rdx = fn, rcx = arg.  The syscall instruction
 * clobbers rcx and r11 only, so fn and arg wait in r8 and r9.  In the
 * child rsp is already the new stack's top: align it, clear the frame
 * pointer (the end of the call chain for unwinders), call fn(arg), and
 * exit(2) this thread with its result.  Returns the raw result: the
 * child's pid or -errno. */
long capsa_clone3_raw(struct clone_args *ca, size_t size, int (*fn)(void *), void *arg);
__asm__(".text\n"
	".globl capsa_clone3_raw\n"
	".hidden capsa_clone3_raw\n"
	".type capsa_clone3_raw,@function\n"
	"capsa_clone3_raw:\n"
	"	mov %rdx, %r8\n"
	"	mov %rcx, %r9\n"
	"	mov $435, %eax\n" /* __NR_clone3 */
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jnz 1f\n"
	"	xor %ebp, %ebp\n"
	"	and $-16, %rsp\n"
	"	mov %r9, %rdi\n"
	"	call *%r8\n"
	"	mov %eax, %edi\n"
	"	mov $60, %eax\n" /* __NR_exit */
	"	syscall\n"
	"	hlt\n"
	"1:	ret\n"
	".size capsa_clone3_raw, .-capsa_clone3_raw\n");

pid_t clone3_vm(struct clone_args *ca, int (*fn)(void *), void *arg)
{
	long r = capsa_clone3_raw(ca, sizeof(*ca), fn, arg);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return (pid_t)r;
}
#else
pid_t clone3_vm(struct clone_args *ca, int (*fn)(void *), void *arg)
{
	(void)ca;
	(void)fn;
	(void)arg;
	errno = ENOSYS;
	return -1;
}
#endif
