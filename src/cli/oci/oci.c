/* oci.c — global flags and dispatch of `capsa oci` / `capsa-oci`. */
#include "cli/oci/oci.h"

#include "base/error.h"
#include "cli/commands.h"
#include "runtime/state.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const struct {
	const char *name;
	int (*fn)(struct oci_global *, int, char **);
	const char *help;
} commands[] = {
    {"spec", oci_cmd_spec, "create a new specification file (config.json)"},
    {"create", oci_cmd_create, "create a container; its process waits for start"},
    {"start", oci_cmd_start, "start the process of a created container"},
    {"run", oci_cmd_run, "create and start a container"},
    {"state", oci_cmd_state, "print the state of a container"},
    {"kill", oci_cmd_kill, "send a signal to a container's init (or all its processes)"},
    {"delete", oci_cmd_delete, "delete a container and what it holds"},
    {"list", oci_cmd_list, "list the containers under --root"},
    {"ps", oci_cmd_ps, "list the processes of a container"},
    {"exec", oci_cmd_exec, "run a process in a running container"},
    {"pause", oci_cmd_pause, "freeze every process of a container"},
    {"resume", oci_cmd_resume, "thaw a paused container"},
    {"update", oci_cmd_update, "change a running container's resource limits"},
    {"events", oci_cmd_events, "usage statistics (--stats) and OOM events as JSON"},
    {"features", oci_cmd_features, "describe what this runtime supports (JSON)"},
};

static void usage(FILE *f)
{
	fputs("usage: capsa-oci [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n"
	      "       capsa oci [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n\n"
	      "An OCI runtime with runc's command line.\n\nCommands:\n",
	      f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fputs("\nGlobal options:\n"
	      "  --root DIR          state directory (default /run/capsa/oci, rootless\n"
	      "                      $XDG_RUNTIME_DIR/capsa/oci; CAPSA_ROOT replaces /run/capsa)\n"
	      "  --log FILE          also write errors to FILE\n"
	      "  --log-format FMT    text (default) or json\n"
	      "  --debug             accepted for compatibility (capsa reports errors only)\n"
	      "  --systemd-cgroup    accepted for compatibility: capsa writes cgroupfs\n"
	      "                      itself and never asks a systemd manager\n"
	      "  --cgroup-manager M  cgroupfs (default) or systemd (both write cgroupfs,\n"
	      "                      as above), or disabled: containers get no cgroup and\n"
	      "                      linux.resources is checked but not applied (as crun)\n"
	      "  --rootless VALUE    accepted for compatibility (rootless is detected)\n"
	      "  -h, --help          this help;  -v, --version  the version\n"
	      "\ncgroups (linux.cgroupsPath, linux.resources):\n"
	      "  The layout is detected per controller: v1, v2, or hybrid (v1 controllers\n"
	      "  plus a v2 unified hierarchy).  cgroupsPath \"/a/b\" is taken from each\n"
	      "  hierarchy's root, \"a/b\" from the caller's own cgroup, and none means\n"
	      "  \"capsa/<id>\" under the caller's cgroup.  systemd's \"slice:prefix:name\"\n"
	      "  is accepted and mapped to the cgroupfs path <slice>/<prefix>-<name>.scope\n"
	      "  (no systemd manager is used).  Rootless: limits need a delegated cgroup\n"
	      "  v2 subtree; without one, a container without limits gets no cgroup.\n",
	      f);
}

int oci_fail(const struct oci_global *g, const struct err *e, int status)
{
	fprintf(stderr, "capsa: %s\n", e->msg);
	if (g && g->log_path) {
		int fd = open(g->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0) {
			char now[64];
			rfc3339_now(now);
			if (g->log_json) {
				/* A minimal JSON string escape for the message. */
				char esc[2 * ERR_MSG_MAX];
				size_t k = 0;
				for (const char *p = e->msg; *p && k + 7 < sizeof(esc); p++) {
					unsigned char c = (unsigned char)*p;
					if (c == '"' || c == '\\') {
						esc[k++] = '\\';
						esc[k++] = (char)c;
					} else if (c < 0x20) {
						k += (size_t)snprintf(esc + k, sizeof(esc) - k,
								      "\\u%04x", c);
					} else {
						esc[k++] = (char)c;
					}
				}
				esc[k] = '\0';
				dprintf(fd,
					"{\"level\":\"error\",\"msg\":\"%s\",\"time\":\"%s\"}\n",
					esc, now);
			} else {
				dprintf(fd, "time=\"%s\" level=error msg=\"%s\"\n", now, e->msg);
			}
			close(fd);
		}
	}
	return status;
}

bool oci_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	}
	return false;
}

int oci_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"root", required_argument, NULL, 'r'},
	    {"log", required_argument, NULL, 'l'},
	    {"log-format", required_argument, NULL, 'f'},
	    {"debug", no_argument, NULL, 'd'},
	    {"systemd-cgroup", no_argument, NULL, 's'},
	    {"cgroup-manager", required_argument, NULL, 'M'},
	    {"rootless", required_argument, NULL, 'R'},
	    {"criu", required_argument, NULL, 'C'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'v'},
	    {0},
	};
	struct oci_global g = {0};
	int c;
	optind = 0;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "+hv", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			g.root = optarg;
			break;
		case 'l':
			g.log_path = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "text"))
				return oci_usage("", "--log-format: \"%s\" is not text or json",
						 optarg);
			g.log_json = !strcmp(optarg, "json");
			break;
		case 'd':
			g.debug = true;
			break;
		case 's':
			g.systemd_cgroup = true;
			break;
		case 'M':
			if (!strcmp(optarg, "systemd"))
				g.systemd_cgroup = true;
			else if (!strcmp(optarg, "disabled"))
				g.no_cgroup = true;
			else if (strcmp(optarg, "cgroupfs"))
				return oci_usage("", "--cgroup-manager: \"%s\" is not cgroupfs, "
						     "systemd or disabled",
						 optarg);
			break;
		case 'R':
		case 'C':
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'v':
			printf("capsa version %s\nspec: 1.2.0\n", CAPSA_VERSION);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	char *root = NULL;
	if (!g.root) {
		root = state_default_root();
		g.root = root;
	} else if (g.root[0] != '/') {
		/* create/run change directory to the bundle: anchor --root. */
		char cwd[4096];
		if (getcwd(cwd, sizeof(cwd)) && asprintf(&root, "%s/%s", cwd, g.root) > 0)
			g.root = root;
	}
	if (!g.root) {
		fprintf(stderr, "capsa oci: cannot determine the state root\n");
		return 1;
	}
	const char *cmd = argv[optind];
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(cmd, commands[i].name)) {
			int r = commands[i].fn(&g, argc - optind, argv + optind);
			free(root);
			return r;
		}
	}
	free(root);
	fprintf(stderr, "capsa oci: unknown command '%s' (see capsa oci --help)\n", cmd);
	return 1;
}
