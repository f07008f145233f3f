/* seccomp.h — build a seccomp filter from the parsed spec with
 * libseccomp and load it into the calling process.
 *
 * Syscall names unknown to libseccomp or to the architecture are
 * skipped (as runc and crun do: profiles name syscalls of every kernel);
 * unknown flags or architectures are errors.  With a listenerPath the
 * filter is loaded with SCMP_ACT_NOTIFY support and the notify fd is
 * returned through `notify_fd` (-1 otherwise) so the caller can send it.
 */
#ifndef CAPSA_RUNTIME_SECCOMP_H
#define CAPSA_RUNTIME_SECCOMP_H

struct err;
struct spec_seccomp;

int seccomp_apply(const struct spec_seccomp *s, int *notify_fd, struct err *e);

/* Send a notify fd and the container state to listenerPath (SCM_RIGHTS
 * with the state JSON as payload, as the runtime spec describes). */
int seccomp_send_listener(const char *path, int notify_fd, const char *state_json, struct err *e);

#endif
