/*
 * ref-clone: the reference for container start time, "what the kernel
 * itself costs".  It does the least a container start must do and nothing
 * more: clone into fresh mount, UTS, IPC, PID, network and cgroup
 * namespaces, pivot_root into ROOTFS, mount /proc, set the hostname, exec.
 *
 *     ref-clone ROOTFS CMD [ARGS...]
 *
 * The parent waits and exits with the child's status (128+N for a signal).
 * A setup failure in the child is printed and exits 125; a failed exec
 * exits 127 (ENOENT) or 126, as a shell would.
 *
 * Built static (gcc -O2 -static) by bench/run.sh, so that the dynamic
 * loader is not part of the reference either.  Not part of capsa.
 */
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NS_FLAGS                                                                                   \
	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)

enum { EXIT_SETUP = 125, EXIT_NOEXEC = 126, EXIT_NOENT = 127 };

static void die(const char *what, const char *obj, int code)
{
	int saved = errno;

	if (obj)
		fprintf(stderr, "ref-clone: %s \"%s\": %s\n", what, obj, strerror(saved));
	else
		fprintf(stderr, "ref-clone: %s: %s\n", what, strerror(saved));
	_exit(code);
}

/*
 * Fork-like clone (no new stack): the child returns here with 0, on a
 * copy-on-write copy of our stack.  clone3 first; plain clone where the
 * kernel or seccomp filter does not know clone3.
 */
static pid_t clone_ns(void)
{
	struct clone_args args;
	long pid;

	memset(&args, 0, sizeof(args));
	args.flags = NS_FLAGS;
	args.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid >= 0 || (errno != ENOSYS && errno != EPERM))
		return (pid_t)pid;
	/* x86-64 argument order: flags, stack, parent_tid, child_tid, tls. */
	return (pid_t)syscall(SYS_clone, NS_FLAGS | SIGCHLD, 0, NULL, NULL, 0);
}

static void enter_rootfs(const char *rootfs)
{
	/* Keep our mounts from propagating back to the host's namespace. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make / private", NULL, EXIT_SETUP);
	/* pivot_root needs the new root to be a mount point. */
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		die("bind-mount", rootfs, EXIT_SETUP);
	if (chdir(rootfs) < 0)
		die("chdir", rootfs, EXIT_SETUP);
	/*
	 * Stack the old root under the new one, then detach it: no
	 * put_old directory is needed inside the rootfs.
	 */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die("pivot_root", rootfs, EXIT_SETUP);
	if (umount2(".", MNT_DETACH) < 0)
		die("detach old root", NULL, EXIT_SETUP);
	if (chdir("/") < 0)
		die("chdir", "/", EXIT_SETUP);
}

static void child(char **argv)
{
	static const char hostname[] = "container";

	enter_rootfs(argv[1]);
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die("mount", "/proc", EXIT_SETUP);
	if (sethostname(hostname, sizeof(hostname) - 1) < 0)
		die("sethostname", hostname, EXIT_SETUP);
	execvp(argv[2], &argv[2]);
	die("exec", argv[2], errno == ENOENT ? EXIT_NOENT : EXIT_NOEXEC);
}

static int wait_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("ref-clone: waitpid");
			return EXIT_SETUP;
		}
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: ref-clone ROOTFS CMD [ARGS...]\n");
		return 2;
	}
	pid = clone_ns();
	if (pid < 0) {
		perror("ref-clone: clone");
		return EXIT_SETUP;
	}
	if (pid == 0)
		child(argv);
	return wait_status(pid);
}
