/* clone_vm.h — clone3 for a child that shares the caller's memory.
 *
 * glibc's clone() runs a function on a new stack but speaks clone(2),
 * which cannot place the child in a cgroup.  clone3(2) can
 * (CLONE_INTO_CGROUP: the child is born in the cgroup v2 directory, and
 * the kernel takes the global cgroup_threadgroup_rwsem for reading only,
 * where writing a pid to cgroup.procs takes it for writing and waits for
 * an RCU grace period).  With CLONE_VM the child cannot return from the
 * system call into the caller's stack frame: a few instructions of
 * assembly switch to the new stack, call fn(arg) and exit.
 */
#ifndef CAPSA_RUNTIME_CLONE_VM_H
#define CAPSA_RUNTIME_CLONE_VM_H

#include <linux/sched.h>
#include <sys/types.h>

/* `ca` must set CLONE_VM, exit_signal, and stack/stack_size (the lowest
 * address and the size: the child starts at the top, 16-byte aligned).
 * The child runs fn(arg) and exits with its result.  Returns the child's
 * pid, or -1 with errno; ENOSYS also on an architecture without the
 * entry (today only x86_64 has one): the caller falls back to clone(). */
pid_t clone3_vm(struct clone_args *ca, int (*fn)(void *), void *arg);

#endif
