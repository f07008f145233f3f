/* hooks.h — OCI lifecycle hooks.
 *
 * Each hook is fork+exec'd with its args and env, the container state
 * JSON on stdin, and killed (SIGKILL) when it outlives its timeout.  Hooks
 * of one kind run in order; the first failure stops the list.
 */
#ifndef CAPSA_RUNTIME_HOOKS_H
#define CAPSA_RUNTIME_HOOKS_H

#include <stddef.h>

struct err;
struct spec_hook;

/* `kind` names the list in errors ("prestart", "poststop" …).
 * Returns 0, or <0 with "<kind> hook <path>: <cause>" (exit status,
 * signal, timeout, exec failure). */
int hooks_run(const char *kind, const struct spec_hook *hooks, size_t n, const char *state_json,
	      struct err *e);

#endif
