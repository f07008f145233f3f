/* create.c — `capsa oci create` and `capsa oci run`: the same flags, run
 * adds --detach and --keep. */
#include "base/error.h"
#include "cli/oci/oci.h"
#include "runtime/container.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(const char *cmd, FILE *f)
{
	bool run = !strcmp(cmd, "run");
	fprintf(f,
		"usage: capsa oci %s [OPTIONS] CONTAINER-ID\n\n"
		"%s\n\n"
		"Options:\n"
		"  -b, --bundle DIR          the bundle (config.json + rootfs); default: .\n"
		"      --pid-file FILE       write the container's init pid to FILE\n"
		"      --console-socket SOCK send the terminal's master fd to the AF_UNIX\n"
		"                            socket SOCK (when process.terminal is true)\n"
		"      --no-pivot            chroot instead of pivot_root (rootfs on ramfs)\n"
		"      --no-new-keyring      keep the caller's session keyring\n"
		"      --preserve-fds N      pass N fds after stdio (3..N+2) to the process\n"
		"%s",
		cmd,
		run ? "Create and start a container.  Without --detach, wait for it, pass "
		      "signals on,\nand exit with its status (127: executable not found, 126: "
		      "not executable,\n128+N: killed by signal N); the container is deleted "
		      "afterwards unless --keep."
		    : "Create a container: set everything up and leave its init waiting for\n"
		      "`capsa oci start`.",
		run ? "  -d, --detach              return once the process runs\n"
		      "      --keep                do not delete the container when it exits\n"
		    : "");
}

/* The runtime changes directory to the bundle: anchor a relative path
 * to where we were called. */
static const char *absolute(const char *path, char *buf, size_t len)
{
	char cwd[PATH_MAX];
	if (path[0] == '/')
		return path;
	if (!getcwd(cwd, sizeof(cwd)) || snprintf(buf, len, "%s/%s", cwd, path) >= (int)len)
		return NULL;
	return buf;
}

static int create_or_run(struct oci_global *g, int argc, char **argv, bool run)
{
	static const struct option opts[] = {
	    {"bundle", required_argument, NULL, 'b'},
	    {"pid-file", required_argument, NULL, 'p'},
	    {"console-socket", required_argument, NULL, 'c'},
	    {"no-pivot", no_argument, NULL, 'P'},
	    {"no-new-keyring", no_argument, NULL, 'K'},
	    {"preserve-fds", required_argument, NULL, 'F'},
	    {"detach", no_argument, NULL, 'd'},
	    {"keep", no_argument, NULL, 'k'},
	    {"no-subreaper", no_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const char *cmd = argv[0];
	struct rt_create_opts o = {.root = g->root, .no_cgroup = g->no_cgroup};
	bool detach = false, keep = false;
	char pidfile[PATH_MAX], sockpath[PATH_MAX];
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, run ? "+b:dh" : "+b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o.bundle = optarg;
			break;
		case 'p':
			if (!(o.pid_file = absolute(optarg, pidfile, sizeof(pidfile))))
				return oci_usage(cmd, "--pid-file: path too long");
			break;
		case 'c':
			if (!(o.console_socket = absolute(optarg, sockpath, sizeof(sockpath))))
				return oci_usage(cmd, "--console-socket: path too long");
			break;
		case 'P':
			o.no_pivot = true;
			break;
		case 'K':
			o.no_new_keyring = true;
			break;
		case 'F': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 0 || n > 65536)
				return oci_usage(cmd, "--preserve-fds: \"%s\" is not a count",
						 optarg);
			o.preserve_fds = (int)n;
			break;
		}
		case 'd':
			detach = true;
			break;
		case 'k':
			keep = true;
			break;
		case 'S':
			break;
		case 'h':
			usage(cmd, stdout);
			return 0;
		default:
			return oci_usage(cmd, "bad option");
		}
	}
	if (optind + 1 != argc)
		return oci_usage(cmd, "expects exactly one CONTAINER-ID");
	o.id = argv[optind];
	struct err e = {0};
	if (!run) {
		if (rt_create(&o, &e) < 0)
			return oci_fail(g, &e, 1);
		return 0;
	}
	int status = 0;
	if (rt_run(&o, detach, keep, &status, &e) < 0)
		return oci_fail(g, &e, status ? status : 1);
	return status;
}

int oci_cmd_create(struct oci_global *g, int argc, char **argv)
{
	return create_or_run(g, argc, argv, false);
}

int oci_cmd_run(struct oci_global *g, int argc, char **argv)
{
	return create_or_run(g, argc, argv, true);
}
