/* tinyinit.c — see tinyinit.h. */
#include "engine/tinyinit.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* PID 1 of a pid namespace does not get signals it has no handler for:
 * a handler makes them deliverable; they stay blocked and are taken
 * with sigwaitinfo(). */
static void nothing(int sig)
{
	(void)sig;
}

int tinyinit_main(int argc, char **argv)
{
	int first = 1;
	if (first < argc && !strcmp(argv[first], "--"))
		first++;
	if (first >= argc) {
		fputs("capsa init: no command\n", stderr);
		return 125;
	}
	sigset_t all, old;
	sigfillset(&all);
	struct sigaction sa = {.sa_handler = nothing};
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &sa, NULL);
	if (sigprocmask(SIG_BLOCK, &all, &old) < 0) {
		perror("capsa init: sigprocmask");
		return 125;
	}
	pid_t child = fork();
	if (child < 0) {
		perror("capsa init: fork");
		return 125;
	}
	if (child == 0) {
		struct sigaction dfl = {.sa_handler = SIG_DFL};
		for (int s = 1; s < NSIG; s++)
			if (s != SIGKILL && s != SIGSTOP)
				sigaction(s, &dfl, NULL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		/* Its own process group, so a terminal's signals reach it. */
		setpgid(0, 0);
		execvp(argv[first], argv + first);
		int err = errno;
		fprintf(stderr, "capsa init: exec %s: %s\n", argv[first], strerror(err));
		_exit(err == ENOENT ? 127 : 126);
	}
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);
		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(child, sig);
			continue;
		}
		int ws;
		pid_t p;
		while ((p = waitpid(-1, &ws, WNOHANG)) > 0)
			if (p == child)
				return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	}
}
