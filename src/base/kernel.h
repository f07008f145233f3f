/* kernel.h — the running kernel's release, for the features that depend
 * on it.
 *
 * One uname(2) per process, kept: the kernel does not change under a
 * running process, and the start path asks three times (the store's
 * overlay check, the cgroup layout, the seccomp cache key).  The release
 * is parsed by hand: sscanf would bring the C library's 35 KiB scanf
 * machinery onto the start path for two numbers.
 */
#ifndef CAPSA_BASE_KERNEL_H
#define CAPSA_BASE_KERNEL_H

#include <stdbool.h>
#include <sys/utsname.h>

/* uname(2) of this process's kernel; NULL if it failed. */
const struct utsname *kernel_uname(void);

/* "6.1.0-13-amd64" -> 6, 1.  False, and 0.0, for a release that does not
 * start with MAJOR.MINOR. */
bool kernel_release_parse(const char *release, unsigned *major, unsigned *minor);

/* Whether this kernel is at least major.minor (false when unknown). */
bool kernel_at_least(unsigned major, unsigned minor);

#endif
