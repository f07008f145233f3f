/* helper.c — see helper.h. */
#include "image/helper.h"

#include "base/cleanup.h"
#include "base/error.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int helper_path(char *buf, size_t len, struct err *e)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			int m = snprintf(buf, len, "%s/capsa-pull", self);
			if (m > 0 && (size_t)m < len && access(buf, X_OK) == 0)
				return 0;
		}
	}
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *end = strchrnul(path, ':');
		int m = snprintf(buf, len, "%.*s/capsa-pull", (int)(end - path), path);
		if (end > path && m > 0 && (size_t)m < len && access(buf, X_OK) == 0)
			return 0;
		path = *end ? end + 1 : end;
	}
	return err_msg(e, ENOENT,
		       "capsa-pull: not found next to capsa nor in PATH (it is installed with "
		       "capsa by make install)");
}

int helper_exec(const char *sub, const char *storage, char *const *args, struct err *e)
{
	char path[PATH_MAX];
	int r = helper_path(path, sizeof(path), e);
	if (r < 0)
		return r;
	size_t n = 0;
	while (args && args[n])
		n++;
	_cleanup_free_ char **argv = calloc(n + 5, sizeof(char *));
	if (!argv)
		return err_sys(e, ENOMEM, "exec %s", path);
	argv[0] = path;
	argv[1] = (char *)sub;
	argv[2] = "--storage";
	argv[3] = (char *)storage;
	for (size_t i = 0; i < n; i++)
		argv[4 + i] = args[i];
	execv(path, argv);
	return err_sys(e, errno, "exec %s", path);
}

int helper_run(const char *sub, const char *storage, char *const *args, struct err *e)
{
	pid_t pid = fork();
	if (pid < 0)
		return err_sys(e, errno, "capsa-pull %s", sub);
	if (pid == 0) {
		struct err ce = {0};
		helper_exec(sub, storage, args, &ce);
		fprintf(stderr, "capsa: %s\n", ce.msg);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return err_sys(e, errno, "wait for capsa-pull %s", sub);
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFSIGNALED(st))
		return err_msg(e, EIO, "capsa-pull %s: killed by signal %d", sub, WTERMSIG(st));
	return err_msg(e, EIO, "capsa-pull %s failed (exit status %d)", sub, WEXITSTATUS(st));
}
