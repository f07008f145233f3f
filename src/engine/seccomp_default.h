/* seccomp_default.h — the default seccomp profile of engine containers.
 *
 * Same intent as docker's default profile: the syscalls that docker
 * documents as blocked (kernel modules, clocks, keyrings, mount and
 * namespace changes, ptrace and process_vm_*, bpf, perf, reboot, swap,
 * kexec, ...) fail with EPERM, clone with a namespace flag fails with
 * EPERM, clone3 fails with ENOSYS (so libc falls back to clone, whose
 * flags a filter can see).  Written as a deny list rather than docker's
 * allow list of ~350 names: what is blocked is the same set.
 */
#ifndef CAPSA_ENGINE_SECCOMP_DEFAULT_H
#define CAPSA_ENGINE_SECCOMP_DEFAULT_H

#include <json-c/json.h>

/* A new linux.seccomp object, or NULL when out of memory.  It prints as
 * the profile but holds no members: for json-c's printing only. */
json_object *seccomp_default_profile(void);

#endif
