/* exec.c — `capsa exec [-d] [-i] [-t] [-e K=V] [-w DIR] [-u USER]
 * CONTAINER COMMAND...`: another process in a running container's
 * namespaces and cgroup, with its capabilities and seccomp filter. */
#include "base/error.h"
#include "cli/commands.h"
#include "cli/engine_cli.h"
#include "engine/ctr.h"
#include "engine/opts.h"
#include "engine/store.h"
#include "engine/user.h"
#include "runtime/container.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fputs("usage: capsa exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\n"
	      "Run a command in a running container.  Exit status: the command's; 125\n"
	      "capsa's own error (e.g. the container is not running), 126/127 as run.\n\n"
	      "Options:\n"
	      "  -d, --detach              do not wait for the command\n"
	      "  -i, --interactive         keep stdin attached\n"
	      "  -t, --tty                 a pseudo-terminal\n"
	      "  -e, --env KEY[=VALUE]     set an environment variable\n"
	      "  -w, --workdir DIR         working directory\n"
	      "  -u, --user USER[:GROUP]   user (names from the container's /etc/passwd)\n"
	      "      --help                this help\n",
	      f);
}

int cmd_exec(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"detach", no_argument, NULL, 'd'},	       {"interactive", no_argument, NULL, 'i'},
	    {"tty", no_argument, NULL, 't'},	       {"env", required_argument, NULL, 'e'},
	    {"workdir", required_argument, NULL, 'w'}, {"user", required_argument, NULL, 'u'},
	    {"help", no_argument, NULL, 'H'},	       {0}};
	struct rt_exec_opts xo = {0};
	struct strv env = {0};
	struct err e = {0};
	bool interactive = false;
	const char *user = NULL;
	int c, rc = 0;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+dite:w:u:", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			xo.detach = true;
			break;
		case 'i':
			interactive = true;
			break;
		case 't':
			xo.tty = true;
			break;
		case 'e':
			if (parse_env(&env, optarg, &e) < 0) {
				strv_clear(&env);
				return eng_usage("exec", "%s", e.msg);
			}
			break;
		case 'w':
			xo.cwd = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'H':
			strv_clear(&env);
			usage(stdout);
			return 0;
		default:
			strv_clear(&env);
			return eng_usage("exec", "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind < 2) {
		strv_clear(&env);
		return eng_usage("exec", "expects CONTAINER and COMMAND");
	}
	if (xo.tty && xo.detach) {
		strv_clear(&env);
		return eng_usage("exec", "-t with -d is not supported (no terminal to attach)");
	}
	struct ctr_store s;
	if ((rc = cli_store("exec", &s)) != 0) {
		strv_clear(&env);
		return rc;
	}
	char id[ID_HEX + 1], ugid[32];
	struct record r = {0};
	if (ctr_store_lookup(&s, argv[optind], id, &e) < 0 || ctr_load(&s, id, &r, &e) < 0) {
		rc = cli_fail("exec", &e, EXIT_ENGINE);
		goto out;
	}
	if (r.state != CS_RUNNING) {
		err_msg(&e, EINVAL, "container %s is not running (%s)", r.name,
			ctr_state_name(r.state));
		rc = cli_fail("exec", &e, EXIT_ENGINE);
		goto out;
	}
	if (user) {
		struct user_ids u;
		/* The running container's own view of its root: a rootless
		 * overlay root is mounted only in its namespace. */
		char root[64];
		snprintf(root, sizeof(root), "/proc/%d/root", (int)r.pid);
		if (user_resolve(r.pid > 0 ? root : r.rootfs, user, &u, &e) < 0) {
			rc = cli_fail("exec", &e, EXIT_ENGINE);
			goto out;
		}
		snprintf(ugid, sizeof(ugid), "%u:%u", (unsigned)u.uid, (unsigned)u.gid);
		xo.user = ugid;
	}
	if (!interactive && !xo.tty) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, 0);
			close(null);
		}
	}
	xo.root = s.runtime;
	xo.seccomp_cache = s.seccomp;
	xo.id = id;
	xo.args = argv + optind + 1;
	xo.env = env.v;
	int status = 0;
	if (rt_exec(&xo, &status, &e) < 0) {
		rc = cli_fail("exec", &e,
			      status == EXIT_NOEXEC || status == EXIT_NOTFOUND ? status
									       : EXIT_ENGINE);
		goto out;
	}
	rc = status;
out:
	record_free(&r);
	strv_clear(&env);
	ctr_store_close(&s);
	return rc;
}
