/* list.c — `capsa oci list` and `capsa oci ps`. */
#include "base/cleanup.h"
#include "base/error.h"
#include "base/json.h"
#include "cli/oci/oci.h"
#include "runtime/container.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

static int parse_format(const char *cmd, int argc, char **argv, bool *json, bool *quiet,
			const char *help)
{
	static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
					     {"quiet", no_argument, NULL, 'q'},
					     {"help", no_argument, NULL, 'h'},
					     {0}};
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+f:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "table"))
				return oci_usage(cmd, "--format: \"%s\" is not table or json",
						 optarg);
			*json = !strcmp(optarg, "json");
			break;
		case 'q':
			*quiet = true;
			break;
		case 'h':
			puts(help);
			return 0;
		default:
			return oci_usage(cmd, "bad option");
		}
	}
	return -1;
}

int oci_cmd_list(struct oci_global *g, int argc, char **argv)
{
	bool json = false, quiet = false;
	int r = parse_format("list", argc, argv, &json, &quiet,
			     "usage: capsa oci list [--format table|json] [--quiet]\n\n"
			     "List the containers under --root.");
	if (r >= 0)
		return r;
	struct err e = {0};
	json_object *arr;
	if (rt_list(g->root, &arr, &e) < 0)
		return oci_fail(g, &e, 1);
	if (json) {
		puts(json_compact(arr));
	} else if (quiet) {
		for (size_t i = 0; i < json_object_array_length(arr); i++)
			puts(jstr(json_object_array_get_idx(arr, i), "id"));
	} else {
		printf("%-20s %-8s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE",
		       "CREATED", "OWNER");
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			json_object *o = json_object_array_get_idx(arr, i);
			printf("%-20s %-8s %-10s %-40s %-30s %s\n", jstr(o, "id"), jstr(o, "pid"),
			       jstr(o, "status"), jstr(o, "bundle"), jstr(o, "created"),
			       jstr(o, "owner"));
		}
	}
	json_object_put(arr);
	return 0;
}

/* Table format: ps(1)'s own output filtered to the container's pids,
 * as runc does (ps options after the ID are passed to ps). */
static int ps_table(pid_t *pids, size_t n, int argc, char **argv)
{
	int p[2];
	if (pipe(p) < 0)
		return 1;
	pid_t c = fork();
	if (c == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		char *def[] = {"ps", "-ef", NULL};
		char **av = def;
		if (argc > 0) {
			av = calloc((size_t)argc + 2, sizeof(char *));
			av[0] = "ps";
			for (int i = 0; i < argc; i++)
				av[i + 1] = argv[i];
		}
		execvp("ps", av);
		_exit(127);
	}
	close(p[1]);
	FILE *f = fdopen(p[0], "r");
	char line[4096];
	int pid_col = -1;
	while (f && fgets(line, sizeof(line), f)) {
		if (pid_col < 0) {
			/* Find the PID column in the header. */
			char tmp[4096];
			snprintf(tmp, sizeof(tmp), "%s", line);
			int col = 0;
			for (char *s = NULL, *t = strtok_r(tmp, " \t\n", &s); t;
			     t = strtok_r(NULL, " \t\n", &s), col++)
				if (!strcmp(t, "PID"))
					pid_col = col;
			fputs(line, stdout);
			continue;
		}
		char tmp[4096];
		snprintf(tmp, sizeof(tmp), "%s", line);
		int col = 0;
		long pid = -1;
		for (char *s = NULL, *t = strtok_r(tmp, " \t\n", &s); t;
		     t = strtok_r(NULL, " \t\n", &s), col++)
			if (col == pid_col) {
				pid = strtol(t, NULL, 10);
				break;
			}
		for (size_t i = 0; i < n; i++)
			if (pids[i] == pid) {
				fputs(line, stdout);
				break;
			}
	}
	if (f)
		fclose(f);
	int st;
	waitpid(c, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

int oci_cmd_ps(struct oci_global *g, int argc, char **argv)
{
	bool json = false, quiet = false;
	int r =
	    parse_format("ps", argc, argv, &json, &quiet,
			 "usage: capsa oci ps [--format table|json] CONTAINER-ID [PS-OPTIONS]\n\n"
			 "List the processes of a container (table: ps -ef, or ps with the\n"
			 "given options, filtered to the container; json: an array of pids).");
	if (r >= 0)
		return r;
	if (optind >= argc)
		return oci_usage("ps", "expects CONTAINER-ID");
	struct err e = {0};
	pid_t *pids;
	size_t n;
	if (rt_pids(g->root, argv[optind], &pids, &n, &e) < 0)
		return oci_fail(g, &e, 1);
	if (json) {
		if (argc - optind > 1) {
			free(pids);
			return oci_usage("ps", "ps options do not go with --format json");
		}
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		printf("]\n");
		free(pids);
		return 0;
	}
	r = ps_table(pids, n, argc - optind - 1, argv + optind + 1);
	free(pids);
	return r;
}
