/* sync.h — the socket between the runtime and the container's init while
 * the container is being set up.
 *
 * One SOCK_SEQPACKET pair, one message per packet, so there is no framing
 * to get wrong.  The init's end is close-on-exec: once the init has exec'd
 * the user's program, the runtime reads end-of-file.  Every failure in the
 * init is sent as SYNC_ERROR before the init exits, so the user sees the
 * cause instead of a bare exit status.
 */
#ifndef CAPSA_RUNTIME_SYNC_H
#define CAPSA_RUNTIME_SYNC_H

#include <stdint.h>

struct err;

enum sync_type {
	SYNC_IDMAP_DONE = 1, /* runtime -> init: uid/gid maps written */
	SYNC_HOOKS,	     /* init -> runtime: run prestart/createRuntime now */
	SYNC_HOOKS_DONE,     /* runtime -> init: they succeeded */
	SYNC_PTY,	     /* init -> runtime: pty master attached (SCM_RIGHTS) */
	SYNC_SECCOMP_FD,     /* init -> runtime: seccomp notify fd attached */
	SYNC_PIDFD,	     /* child -> runtime: the real process is my sibling (pidfd, pid) */
	SYNC_READY,	     /* init -> runtime: set up */
	SYNC_GO,	     /* runtime -> init: go on to exec (shared address space) */
	SYNC_ACK,	     /* runtime -> init: the message before was handled */
	SYNC_ERROR,	     /* init -> runtime: failed; code + message */
	SYNC_ABORT,	     /* runtime -> init: give up, exit */
};

struct sync_msg {
	uint32_t type;
	int32_t code; /* SYNC_ERROR: positive errno; exit code hint in `status` */
	int32_t status;
	char msg[1024];
};

/* Send a message, optionally with an fd (-1 for none).  Retries EINTR. */
int sync_send(int sock, enum sync_type type, int code, const char *msg, int fd);

/* Receive one message; *fd gets an attached fd or -1 (may be NULL).
 * Returns 1 on a message, 0 on end-of-file, -errno on error. */
int sync_recv(int sock, struct sync_msg *m, int *fd);

/* Wait for a message of `want`; a SYNC_ERROR or EOF becomes an error in
 * `e`.  Used by the init, which only ever waits for one thing at a time. */
int sync_expect(int sock, enum sync_type want, struct err *e);

#endif
