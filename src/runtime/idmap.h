/* idmap.h — writing a new user namespace's uid and gid maps.
 *
 * Root writes /proc/PID/{uid,gid}_map directly.  An unprivileged user may
 * write one line mapping its own id; for gid that needs setgroups "deny"
 * first.  Anything else (subordinate ranges from /etc/subuid and
 * /etc/subgid) goes through the setuid helpers newuidmap/newgidmap,
 * the only processes exec'd on this path, and only then.
 */
#ifndef CAPSA_RUNTIME_IDMAP_H
#define CAPSA_RUNTIME_IDMAP_H

#include <stdbool.h>
#include <sys/types.h>

struct err;
struct spec;

/* True when the gid map will be written directly by an unprivileged
 * user, which the kernel allows only with setgroups denied. */
bool idmap_needs_setgroups_deny(const struct spec *s);

int idmap_write(const struct spec *s, pid_t pid, bool deny_setgroups, struct err *e);

#endif
