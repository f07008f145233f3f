/* nethelper.c — drives src/net/net.h for the integration tests until the
 * engine calls it:
 *   nethelper setup ROOT ID NAME MODE [-p SPEC]...   print the result
 *   nethelper teardown ROOT ID
 *   nethelper ports ROOT ID
 *   nethelper attach ROOT ID PID                      (pasta)
 *   nethelper cycle ROOT ID MODE       setup then teardown (bench/net.sh)
 *   nethelper time ROOT MODE N         median of N in-process net_setup
 *                                      calls in microseconds (bench/net.sh)
 * Prints "key=value" lines; errors as "nethelper: MESSAGE", exit 1. */
#include "base/error.h"
#include "net/net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int fail(struct err *e)
{
	fprintf(stderr, "nethelper: %s\n", e->msg);
	return 1;
}

int main(int argc, char **argv)
{
	struct err e = {0};
	if (argc >= 6 && !strcmp(argv[1], "setup")) {
		struct net_port ports[32];
		size_t n = 0;
		for (int i = 6; i < argc; i++) {
			if (strcmp(argv[i], "-p") || i + 1 >= argc || n >= 32) {
				fprintf(stderr, "nethelper: bad argument '%s'\n", argv[i]);
				return 2;
			}
			if (port_parse(argv[++i], &ports[n++], &e) < 0)
				return fail(&e);
		}
		struct net_opts o = {.root = argv[2],
				     .id = argv[3],
				     .name = argv[4],
				     .hostname = argv[3],
				     .mode = argv[5],
				     .ports = ports,
				     .nports = n,
				     .host_resolv = getenv("NETHELPER_RESOLV")};
		struct net_result r;
		if (net_setup(&o, &r, &e) < 0)
			return fail(&e);
		printf("netns=%s\nip=%s\ngateway=%s\nprefix=%d\nhosts=%s\nresolv=%s\n"
		       "runtime_netns=%d\n",
		       r.netns, r.ip, r.gateway, r.prefix, r.hosts, r.resolv, r.runtime_netns);
		for (size_t i = 0; i < r.nports; i++) {
			char b[48];
			printf("port=%s\n", port_format(&r.ports[i], b));
		}
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "teardown"))
		return net_teardown(argv[2], argv[3], &e) < 0 ? fail(&e) : 0;
	if (argc == 4 && !strcmp(argv[1], "ports")) {
		struct net_port p[32];
		size_t n;
		if (net_ports(argv[2], argv[3], p, 32, &n, &e) < 0)
			return fail(&e);
		for (size_t i = 0; i < n; i++) {
			char b[48];
			puts(port_format(&p[i], b));
		}
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "cycle")) {
		struct net_opts o = {
		    .root = argv[2], .id = argv[3], .name = argv[3], .mode = argv[4]};
		struct net_result r;
		if (net_setup(&o, &r, &e) < 0 || net_teardown(argv[2], argv[3], &e) < 0)
			return fail(&e);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "time")) {
		int n = atoi(argv[4]);
		if (n < 1 || n > 10000)
			return 2;
		double *us = calloc((size_t)n, sizeof(double));
		if (!us)
			return 1;
		for (int i = 0; i < n; i++) {
			char id[32];
			snprintf(id, sizeof(id), "time%d", i);
			struct net_opts o = {
			    .root = argv[2], .id = id, .name = id, .mode = argv[3]};
			struct net_result r;
			struct timespec a, b;
			clock_gettime(CLOCK_MONOTONIC, &a);
			int rc = net_setup(&o, &r, &e);
			clock_gettime(CLOCK_MONOTONIC, &b);
			if (rc < 0 || net_teardown(argv[2], id, &e) < 0) {
				free(us);
				return fail(&e);
			}
			us[i] = (double)(b.tv_sec - a.tv_sec) * 1e6 +
				(double)(b.tv_nsec - a.tv_nsec) / 1e3;
		}
		qsort(us, (size_t)n, sizeof(double), cmp_double);
		printf("%.0f\n", us[n / 2]);
		free(us);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "attach"))
		return net_attach_pid(argv[2], argv[3], atoi(argv[4]), &e) < 0 ? fail(&e) : 0;
	fputs("usage: nethelper setup ROOT ID NAME MODE [-p SPEC]... | teardown ROOT ID |\n"
	      "       ports ROOT ID | attach ROOT ID PID | cycle ROOT ID MODE | time ROOT MODE N\n",
	      stderr);
	return 2;
}
