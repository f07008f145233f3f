/* process.h — turning the current process into the container's process:
 * the last steps before execve(2), shared by the container's init and by
 * `exec` into a running container.
 */
#ifndef CAPSA_RUNTIME_PROCESS_H
#define CAPSA_RUNTIME_PROCESS_H

#include <stdbool.h>
#include <stddef.h>

struct err;
struct spec_process;
struct spec_seccomp;

/* Find args[0] along the PATH in the process's env (or the default
 * PATH) in the current root; check it is an executable regular file.
 * Errors: `exec "nope": no such file or directory` (ENOENT) or
 * `exec "/etc": permission denied` (EACCES). */
int process_resolve(const struct spec_process *p, char *path, size_t len, struct err *e);

/* rlimits, I/O priority and scheduler, then seccomp when no_new_privs is
 * off (it needs CAP_SYS_ADMIN), the bounding set, groups and ids with
 * PR_SET_KEEPCAPS, the other capability sets, the working directory, the
 * umask, no_new_privs, and seccomp when no_new_privs is on (last, so the
 * filter sees only the exec).  `setgroups_ok` is false when the user
 * namespace denies setgroups(2).  `notify_fd` receives a seccomp notify
 * fd (or -1). */
int process_setup(const struct spec_process *p, const struct spec_seccomp *sc, bool setgroups_ok,
		  int *notify_fd, struct err *e);

/* execve; returns only on failure. */
int process_exec(const struct spec_process *p, const char *path, struct err *e);

/* The exit status a runtime reports for an exec failure:
 * 127 not found, 126 not executable, 1 anything else. */
int process_exit_status(int errnum);

#endif
