/* exec.c — `capsa oci exec`: run a process in a running container. */
#include "base/error.h"
#include "cli/oci/oci.h"
#include "runtime/container.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fputs("usage: capsa oci exec [OPTIONS] CONTAINER-ID [COMMAND [ARG...]]\n\n"
	      "Run a process in a running container's namespaces, with its\n"
	      "capabilities, seccomp filter and rlimits unless told otherwise.\n\n"
	      "Options:\n"
	      "  -p, --process FILE        the process as runtime-spec JSON (instead of\n"
	      "                            COMMAND and the flags below)\n"
	      "  -t, --tty                 allocate a pseudo-terminal\n"
	      "      --console-socket SOCK send the terminal's master fd to SOCK\n"
	      "      --cwd DIR             working directory in the container\n"
	      "  -e, --env KEY=VALUE       set an environment variable (repeatable)\n"
	      "  -u, --user UID[:GID]      run as this user\n"
	      "  -g, --additional-gids GID add a supplementary group (repeatable)\n"
	      "  -c, --cap CAP             add a capability (repeatable)\n"
	      "      --no-new-privs        set no_new_privs\n"
	      "  -d, --detach              return once the process runs\n"
	      "      --pid-file FILE       write the process's pid to FILE\n"
	      "      --preserve-fds N      pass N extra fds (3..N+2)\n",
	      f);
}

static int push(char ***v, size_t *n, char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(char *));
	if (!nv)
		return -1;
	nv[(*n)++] = s;
	nv[*n] = NULL;
	*v = nv;
	return 0;
}

int oci_cmd_exec(struct oci_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"process", required_argument, NULL, 'p'},
	    {"tty", no_argument, NULL, 't'},
	    {"console-socket", required_argument, NULL, 'S'},
	    {"cwd", required_argument, NULL, 'w'},
	    {"env", required_argument, NULL, 'e'},
	    {"user", required_argument, NULL, 'u'},
	    {"additional-gids", required_argument, NULL, 'g'},
	    {"cap", required_argument, NULL, 'c'},
	    {"no-new-privs", no_argument, NULL, 'N'},
	    {"detach", no_argument, NULL, 'd'},
	    {"pid-file", required_argument, NULL, 'P'},
	    {"preserve-fds", required_argument, NULL, 'F'},
	    {"process-label", required_argument, NULL, 'L'},
	    {"apparmor", required_argument, NULL, 'A'},
	    {"cgroup", required_argument, NULL, 'G'},
	    {"ignore-paused", no_argument, NULL, 'I'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct rt_exec_opts o = {.root = g->root, .id = NULL};
	size_t ne = 0, nc = 0, ng = 0;
	char pidfile[PATH_MAX];
	int c, ret = 1;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+p:te:u:g:c:dh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o.process_file = optarg;
			break;
		case 't':
			o.tty = true;
			break;
		case 'S':
			o.console_socket = optarg;
			break;
		case 'w':
			o.cwd = optarg;
			break;
		case 'e':
			if (push(&o.env, &ne, optarg) < 0)
				goto out;
			break;
		case 'u':
			o.user = optarg;
			break;
		case 'g':
			if (push(&o.additional_gids, &ng, optarg) < 0)
				goto out;
			break;
		case 'c':
			if (push(&o.caps, &nc, optarg) < 0)
				goto out;
			break;
		case 'N':
			o.no_new_privs = true;
			break;
		case 'd':
			o.detach = true;
			break;
		case 'P':
			if (optarg[0] != '/' && getcwd(pidfile, sizeof(pidfile) - 256)) {
				strncat(pidfile, "/", sizeof(pidfile) - strlen(pidfile) - 1);
				strncat(pidfile, optarg, sizeof(pidfile) - strlen(pidfile) - 1);
				o.pid_file = pidfile;
			} else {
				o.pid_file = optarg;
			}
			break;
		case 'F':
			o.preserve_fds = atoi(optarg);
			if (o.preserve_fds < 0) {
				ret = oci_usage("exec", "--preserve-fds: \"%s\" is not a count",
						optarg);
				goto out;
			}
			break;
		case 'L':
		case 'A':
		case 'G':
		case 'I':
			break;
		case 'h':
			usage(stdout);
			ret = 0;
			goto out;
		default:
			ret = oci_usage("exec", "bad option");
			goto out;
		}
	}
	if (optind >= argc) {
		ret = oci_usage("exec", "expects CONTAINER-ID");
		goto out;
	}
	o.id = argv[optind];
	o.args = argv + optind + 1;
	if (!o.process_file && !o.args[0]) {
		ret = oci_usage("exec", "expects a COMMAND or --process FILE");
		goto out;
	}
	struct err e = {0};
	int status = 0;
	if (rt_exec(&o, &status, &e) < 0)
		ret = oci_fail(g, &e, status ? status : 1);
	else
		ret = status;
out:
	free(o.env);
	free(o.caps);
	free(o.additional_gids);
	return ret;
}
