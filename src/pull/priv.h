/* priv.h — the pull helper parses untrusted network data, so it gives up
 * what it does not need before it talks to a registry.
 *
 * As root: every capability except those unpacking a layer needs (chown,
 * dac_override, fowner, fsetid, mknod, setfcap, and sys_admin for the
 * trusted.overlay.* xattrs of whiteouts) leaves the bounding, permitted,
 * effective, inheritable and ambient sets, no_new_privs is set, and a
 * seccomp filter refuses (EPERM) what a downloader never calls: mounts,
 * namespaces, ptrace, modules, kexec, bpf, keyrings, clocks ….
 * Rootless: the helper already runs as the user with no capabilities
 * outside the user namespace it then creates for unpacking
 * (pull_enter_userns), so there is nothing to drop.
 */
#ifndef CAPSA_PULL_PRIV_H
#define CAPSA_PULL_PRIV_H

struct err;

int priv_drop_for_pull(struct err *e);

#endif
