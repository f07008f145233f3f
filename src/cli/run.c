/* run.c — `capsa run` and `capsa create`: the same flags; run starts
 * the container too, in the foreground or (-d) under a monitor. */
#include "base/cleanup.h"
#include "base/error.h"
#include "cli/commands.h"
#include "cli/engine_cli.h"
#include "engine/ctr.h"
#include "engine/opts.h"
#include "engine/store.h"
#include "net/ports.h"
#include "runtime/signals.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(const char *cmd, FILE *f)
{
	bool run = !strcmp(cmd, "run");
	fprintf(
	    f,
	    "usage: capsa %s [OPTIONS] IMAGE [COMMAND [ARG...]]\n"
	    "       capsa %s [OPTIONS] --rootfs DIR COMMAND [ARG...]\n\n"
	    "%s\n\n"
	    "Options:\n"
	    "%s"
	    "      --rm                  remove the container when it exits\n"
	    "      --name NAME           name it (default: a generated name)\n"
	    "      --rootfs DIR          run DIR as the root filesystem instead of an image\n"
	    "      --image IMAGE         the image (as the IMAGE argument)\n"
	    "  -e, --env KEY[=VALUE]     set an environment variable (KEY alone: our value)\n"
	    "      --env-file FILE       read KEY=VALUE lines from FILE\n"
	    "  -w, --workdir DIR         working directory inside the container\n"
	    "  -u, --user USER[:GROUP]   user and group (names from the container's "
	    "/etc/passwd)\n"
	    "  -h, --hostname NAME       host name (default: the short ID)\n"
	    "  -v, --volume SRC:DST[:ro] bind mount the host path SRC at DST\n"
	    "      --mount SPEC          type=bind,source=S,target=T[,readonly] or\n"
	    "                            type=tmpfs,target=T[,tmpfs-size=N][,tmpfs-mode=M]\n"
	    "      --tmpfs DST[:OPTS]    a tmpfs at DST\n"
	    "      --read-only           mount the root filesystem read-only\n"
	    "  -i, --interactive         keep stdin attached\n"
	    "  -t, --tty                 give the container a pseudo-terminal\n"
	    "      --entrypoint CMD      replace the image's entrypoint\n"
	    "  -m, --memory SIZE         memory limit (512m, 1g ...)\n"
	    "      --cpus N              CPU limit in cores (1.5)\n"
	    "      --cpu PERCENT         CPU limit in percent of one core\n"
	    "      --pids-limit N        limit on the number of processes\n"
	    "      --cap-add CAP         add a capability (or ALL)\n"
	    "      --cap-drop CAP        drop a capability (or ALL)\n"
	    "      --privileged          every capability, no seccomp, no masked paths\n"
	    "      --security-opt OPT    seccomp=unconfined|FILE, no-new-privileges\n"
	    "      --ulimit NAME=S[:H]   a resource limit (nofile=1024:2048)\n"
	    "      --init                run a small init as PID 1 (reaps, forwards signals)\n"
	    "      --stop-signal SIG     the signal `stop` sends (default SIGTERM)\n"
	    "      --stop-timeout N      seconds `stop` waits before SIGKILL (default 10)\n"
	    "      --net, --network MODE bridge (the default as root: the network capsa,\n"
	    "                            bridge capsa0, 10.88.0.0/16), pasta (the default\n"
	    "                            rootless), slirp4netns (rootless without pasta),\n"
	    "                            none (lo only), host, a network's NAME,\n"
	    "                            container:NAME|ID, ns:PATH\n"
	    "  -p, --publish [IP:]HOST:CTR[/tcp|udp]  publish a container port\n"
	    "  -P, --publish-all         publish the image's exposed ports on free host ports\n"
	    "      --log-max-size SIZE   rotate the log at SIZE (default 10m)\n"
	    "      --pull POLICY         missing|always|never (images)\n"
	    "      --platform OS/ARCH    platform to run (pulled if the local image differs)\n"
	    "      --help                this help\n\n"
	    "Exit status: the container's; 125 capsa's own error, 126 the command cannot be\n"
	    "run, 127 not found, 128+N killed by signal N.\n",
	    cmd, cmd,
	    run ? "Create a container and start it.  Without -d, its stdio is ours and capsa\n"
		  "exits with its status; with -d a monitor process keeps its log and records\n"
		  "its exit, and the full ID is printed."
		: "Create a container (its bundle and record) without starting it; print its ID.\n"
		  "`capsa start` starts it.",
	    run ? "  -d, --detach              run in the background, print the ID\n" : "");
}

enum {
	O_RM = 256,
	O_NAME,
	O_ROOTFS,
	O_IMAGE,
	O_ENV_FILE,
	O_MOUNT,
	O_TMPFS,
	O_READ_ONLY,
	O_ENTRYPOINT,
	O_CPUS,
	O_CPU,
	O_PIDS,
	O_CAP_ADD,
	O_CAP_DROP,
	O_PRIVILEGED,
	O_SECURITY,
	O_ULIMIT,
	O_INIT,
	O_STOP_SIGNAL,
	O_STOP_TIMEOUT,
	O_PULL,
	O_PLATFORM,
	O_NET,
	O_PUBLISH,
	O_LOG_MAX,
	O_HELP,
};

static int add_vol(struct run_opts *o, struct vol *v)
{
	struct vol *n = realloc(o->vols, (o->n_vols + 1) * sizeof(*n));
	if (!n) {
		vol_free(v);
		return -1;
	}
	o->vols = n;
	o->vols[o->n_vols++] = *v;
	return 0;
}

static int parse_security(struct run_opts *o, const char *s, struct err *e)
{
	if (!strcmp(s, "no-new-privileges") || !strcmp(s, "no-new-privileges=true") ||
	    !strcmp(s, "no-new-privileges:true")) {
		o->no_new_privs = true;
		return 0;
	}
	if (!strncmp(s, "seccomp=", 8) || !strncmp(s, "seccomp:", 8)) {
		if (!strcmp(s + 8, "unconfined"))
			o->seccomp_unconfined = true;
		else
			o->seccomp_file = s + 8;
		return 0;
	}
	return err_msg(e, EINVAL,
		       "--security-opt \"%s\": unknown (seccomp=unconfined|FILE, "
		       "no-new-privileges)",
		       s);
}

static int parse_int(const char *flag, const char *s, long min, long max, long *out, struct err *e)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < min || v > max)
		return err_msg(e, EINVAL, "%s \"%s\": expected a whole number from %ld to %ld",
			       flag, s, min, max);
	*out = v;
	return 0;
}

/* Parse argv into `o`; returns 0, or the exit status of a usage error
 * (already reported), or -1 after --help. */
static int parse(const char *cmd, int argc, char **argv, struct run_opts *o)
{
	static const struct option opts[] = {
	    {"detach", no_argument, NULL, 'd'},
	    {"rm", no_argument, NULL, O_RM},
	    {"name", required_argument, NULL, O_NAME},
	    {"rootfs", required_argument, NULL, O_ROOTFS},
	    {"image", required_argument, NULL, O_IMAGE},
	    {"env", required_argument, NULL, 'e'},
	    {"env-file", required_argument, NULL, O_ENV_FILE},
	    {"workdir", required_argument, NULL, 'w'},
	    {"user", required_argument, NULL, 'u'},
	    {"hostname", required_argument, NULL, 'h'},
	    {"volume", required_argument, NULL, 'v'},
	    {"mount", required_argument, NULL, O_MOUNT},
	    {"tmpfs", required_argument, NULL, O_TMPFS},
	    {"read-only", no_argument, NULL, O_READ_ONLY},
	    {"interactive", no_argument, NULL, 'i'},
	    {"tty", no_argument, NULL, 't'},
	    {"entrypoint", required_argument, NULL, O_ENTRYPOINT},
	    {"memory", required_argument, NULL, 'm'},
	    {"cpus", required_argument, NULL, O_CPUS},
	    {"cpu", required_argument, NULL, O_CPU},
	    {"pids-limit", required_argument, NULL, O_PIDS},
	    {"cap-add", required_argument, NULL, O_CAP_ADD},
	    {"cap-drop", required_argument, NULL, O_CAP_DROP},
	    {"privileged", no_argument, NULL, O_PRIVILEGED},
	    {"security-opt", required_argument, NULL, O_SECURITY},
	    {"ulimit", required_argument, NULL, O_ULIMIT},
	    {"init", no_argument, NULL, O_INIT},
	    {"stop-signal", required_argument, NULL, O_STOP_SIGNAL},
	    {"stop-timeout", required_argument, NULL, O_STOP_TIMEOUT},
	    {"pull", required_argument, NULL, O_PULL},
	    {"platform", required_argument, NULL, O_PLATFORM},
	    {"net", required_argument, NULL, O_NET},
	    {"network", required_argument, NULL, O_NET},
	    {"publish", required_argument, NULL, 'p'},
	    {"publish-all", no_argument, NULL, 'P'},
	    {"log-max-size", required_argument, NULL, O_LOG_MAX},
	    {"help", no_argument, NULL, O_HELP},
	    {0},
	};
	bool run = !strcmp(cmd, "run");
	struct err e = {0};
	int c, r = 0;
	long n;
	o->stop_timeout = -1;
	optind = 0;
	opterr = 0;
	while (r == 0 &&
	       (c = getopt_long(argc, argv, run ? "+de:w:u:h:v:itm:p:P" : "+e:w:u:h:v:itm:p:P",
				opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->detach = true;
			break;
		case O_RM:
			o->rm = true;
			break;
		case O_NAME:
			o->name = optarg;
			break;
		case O_ROOTFS:
			o->rootfs = optarg;
			break;
		case O_IMAGE:
			o->image = optarg;
			break;
		case 'e':
			r = parse_env(&o->env, optarg, &e);
			break;
		case O_ENV_FILE:
			r = parse_env_file(&o->env, optarg, &e);
			break;
		case 'w':
			o->workdir = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'h':
			o->hostname = optarg;
			break;
		case 'v':
		case O_MOUNT:
		case O_TMPFS: {
			struct vol v;
			r = c == 'v'	   ? parse_volume(optarg, &v, &e)
			    : c == O_MOUNT ? parse_mount(optarg, &v, &e)
					   : parse_tmpfs(optarg, &v, &e);
			if (r == 0 && add_vol(o, &v) < 0)
				r = err_msg(&e, ENOMEM, "out of memory");
			break;
		}
		case O_READ_ONLY:
			o->read_only = true;
			break;
		case 'i':
			o->interactive = true;
			break;
		case 't':
			o->tty = true;
			break;
		case O_ENTRYPOINT:
			o->entrypoint = optarg;
			o->has_entrypoint = true;
			break;
		case 'm':
			r = parse_size("--memory", optarg, &o->memory, &e);
			if (r == 0 && o->memory < 6 * 1024 * 1024)
				r = err_msg(&e, EINVAL,
					    "--memory \"%s\": below the minimum of 6 MiB", optarg);
			break;
		case O_CPUS:
			r = parse_cpus(optarg, &o->cpu_quota, &o->cpu_period, &e);
			break;
		case O_CPU:
			r = parse_cpu_percent(optarg, &o->cpu_quota, &o->cpu_period, &e);
			break;
		case O_PIDS:
			if ((r = parse_int("--pids-limit", optarg, -1, 1L << 30, &n, &e)) == 0)
				o->pids_limit = n;
			break;
		case O_CAP_ADD:
			r = parse_cap("--cap-add", optarg, &o->cap_add, &e);
			break;
		case O_CAP_DROP:
			r = parse_cap("--cap-drop", optarg, &o->cap_drop, &e);
			break;
		case O_PRIVILEGED:
			o->privileged = true;
			break;
		case O_SECURITY:
			r = parse_security(o, optarg, &e);
			break;
		case O_ULIMIT: {
			struct ulimit u;
			if ((r = parse_ulimit(optarg, &u, &e)) < 0)
				break;
			struct ulimit *nu = realloc(o->ulimits, (o->n_ulimits + 1) * sizeof(u));
			if (!nu) {
				r = err_msg(&e, ENOMEM, "out of memory");
				break;
			}
			o->ulimits = nu;
			o->ulimits[o->n_ulimits++] = u;
			break;
		}
		case O_INIT:
			o->init = true;
			break;
		case O_STOP_SIGNAL:
			if ((o->stop_signal = signal_parse(optarg)) <= 0)
				r = err_msg(&e, EINVAL, "--stop-signal \"%s\": unknown signal",
					    optarg);
			break;
		case O_STOP_TIMEOUT:
			if ((r = parse_int("--stop-timeout", optarg, 0, 1 << 30, &n, &e)) == 0)
				o->stop_timeout = (int)n;
			break;
		case O_PULL:
			if (strcmp(optarg, "missing") && strcmp(optarg, "always") &&
			    strcmp(optarg, "never"))
				r = err_msg(&e, EINVAL,
					    "--pull \"%s\": expected missing, always or never",
					    optarg);
			o->pull = optarg;
			break;
		case O_PLATFORM:
			o->platform = optarg;
			break;
		case O_NET:
			o->net = optarg; /* checked by net_plan at create */
			break;
		case 'P':
			o->publish_all = true;
			break;
		case 'p':
			if (o->nports >= sizeof(o->ports) / sizeof(o->ports[0]))
				r = err_msg(&e, E2BIG, "-p %s: too many published ports", optarg);
			else
				r = port_parse(optarg, &o->ports[o->nports++], &e);
			break;
		case O_LOG_MAX:
			r = parse_size("--log-max-size", optarg, &o->log_max, &e);
			break;
		case O_HELP:
			usage(cmd, stdout);
			return -1;
		case ':':
			return eng_usage(cmd, "option %s needs a value", argv[optind - 1]);
		default:
			return eng_usage(cmd, "unknown option %s", argv[optind - 1]);
		}
	}
	if (r < 0)
		return eng_usage(cmd, "%s", e.msg);
	if (o->net && !strcmp(o->net, "host") && geteuid() != 0)
		return eng_usage(cmd, "--network host: needs root (a rootless container cannot "
				      "share the host's network in this build)");
	if (!o->rootfs && !o->image) {
		if (optind >= argc)
			return eng_usage(cmd, "expects an IMAGE (or --rootfs DIR) and a COMMAND");
		o->image = argv[optind++];
	}
	o->args = argv + optind;
	return 0;
}

static int create_or_run(int argc, char **argv)
{
	const char *cmd = argv[0];
	struct run_opts o = {0};
	int r = parse(cmd, argc, argv, &o);
	if (r != 0) {
		run_opts_free(&o);
		return r < 0 ? 0 : r;
	}
	struct ctr_store s;
	if ((r = cli_store(cmd, &s)) != 0) {
		run_opts_free(&o);
		return r;
	}
	struct err e = {0};
	char id[ID_HEX + 1];
	int status = 0;
	bool create = !strcmp(cmd, "create"), here = !create && !o.detach;
	/* run: the spec goes to the runtime in memory as well as on disk. */
	_cleanup_free_ char *config = NULL;
	size_t config_len = 0;
	if (ctr_create(&s, &o, NULL, id, here ? getpid() : 0, create ? NULL : &config, &config_len,
		       &e) < 0) {
		status = cli_fail(cmd, &e, EXIT_ENGINE);
		goto out;
	}
	if (create) {
		printf("%s\n", id);
		goto out;
	}
	if (o.detach) {
		if (ctr_start_detached(&s, id, config, config_len, &status, &e) < 0) {
			cli_fail(cmd, &e, status);
			if (o.rm)
				ctr_remove(&s, id, true, NULL);
			goto out;
		}
		printf("%s\n", id);
		goto out;
	}
	if (ctr_run_created(&s, &o, id, config, config_len, &status, &e) < 0)
		cli_fail(cmd, &e, status);
out:
	ctr_store_close(&s);
	run_opts_free(&o);
	return status;
}

int cmd_run(int argc, char **argv)
{
	return create_or_run(argc, argv);
}

int cmd_create(int argc, char **argv)
{
	return create_or_run(argc, argv);
}
