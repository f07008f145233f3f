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

#include <stdbool.h>

struct arena;
struct err;
struct spec_seccomp;

/* Load the filter: the one seccomp_prepare() put in s->bpf when there
 * is one, else built with libseccomp now. */
int seccomp_apply(const struct spec_seccomp *s, int *notify_fd, struct err *e);

/* Does the profile need a notify fd (listenerPath, SCMP_ACT_NOTIFY)? */
bool seccomp_wants_notify(const struct spec_seccomp *s);

/* Compile the profile to BPF written to `fd` (libseccomp's export), and
 * the SECCOMP_FILTER_FLAG_* that loading it needs. */
int seccomp_compile(const struct spec_seccomp *s, int fd, unsigned int *flags, struct err *e);

/* Compiling the same profile again and again is the costliest step of a
 * start with docker's default profile (libseccomp builds a tree over
 * several hundred syscalls, ~1 ms and ~80 page faults).  With `cache_dir`
 * set, fill s->bpf from `<cache_dir>/<sha256 of the profile, libseccomp's
 * version and API level, the kernel>.bpf`, compiling and storing it on a
 * miss (temp file + rename).  Profiles that want a notify fd are left to
 * seccomp_apply's libseccomp path.  The arena holds the program. */
int seccomp_prepare(struct spec_seccomp *s, const char *cache_dir, struct arena *a, struct err *e);

/* Send a notify fd and the container state to listenerPath (SCM_RIGHTS
 * with the state JSON as payload, as the runtime spec describes). */
int seccomp_send_listener(const char *path, int notify_fd, const char *state_json, struct err *e);

#endif
