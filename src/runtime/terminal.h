/* terminal.h — the container's pseudo-terminal.
 *
 * The pty is allocated inside the container (its own devpts), so the
 * slave is /dev/pts/N there.  The master goes to the caller: sent to a
 * --console-socket with SCM_RIGHTS, as runc does, or proxied by capsa
 * itself to its own stdio for a foreground run.
 */
#ifndef CAPSA_RUNTIME_TERMINAL_H
#define CAPSA_RUNTIME_TERMINAL_H

#include <stddef.h>
#include <stdint.h>

struct err;

/* Open a new pty from /dev/ptmx; returns master and slave fds (both
 * O_CLOEXEC).  Sets the window size when rows/cols are non-zero. */
int pty_open(int *master, int *slave, uint16_t rows, uint16_t cols, struct err *e);

/* In the child: new session, `slave` as controlling tty and as fds 0-2. */
int pty_become_controlling(int slave, struct err *e);

/* Connect to the AF_UNIX socket at `path` and send `fd` with SCM_RIGHTS
 * (payload: the pty name, as runc's recvtty expects). */
int console_socket_send(const char *path, int fd, struct err *e);

/* Send / receive one fd over a connected AF_UNIX socket. */
int fd_send(int sock, int fd, const void *data, size_t len);
int fd_recv(int sock, int *fd, void *data, size_t len);

/* Foreground proxy: put our stdin in raw mode if it is a tty, copy
 * stdin -> master and master -> stdout, forward window size changes
 * (SIGWINCH), until the master hangs up or `stop_fd` (e.g. a pidfd)
 * becomes readable and the master is drained.  Restores the terminal. */
int console_proxy(int master, int stop_fd, struct err *e);

#endif
