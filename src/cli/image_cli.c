/* image_cli.c — see image_cli.h. */
#include "cli/image_cli.h"

#include "base/error.h"
#include "image/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int cli_take_storage(const char *cmd, int *argc, char **argv)
{
	int n = 1;
	for (int i = 1; i < *argc; i++) {
		const char *v = NULL;
		if (!strcmp(argv[i], "--")) {
			while (i < *argc)
				argv[n++] = argv[i++];
			break;
		}
		if (!strcmp(argv[i], "--storage") && i + 1 < *argc)
			v = argv[++i];
		else if (!strncmp(argv[i], "--storage=", 10))
			v = argv[i] + 10;
		if (!v) {
			argv[n++] = argv[i];
			continue;
		}
		if (setenv("CAPSA_STORAGE", v, 1) < 0) {
			fprintf(stderr, "capsa %s: --storage: %s\n", cmd, strerror(errno));
			return 1;
		}
	}
	*argc = n;
	argv[n] = NULL;
	return 0;
}

int cli_store_root(const char *cmd, char *buf, size_t len)
{
	struct err e = {0};
	if (store_root_resolve(NULL, buf, len, &e) < 0) {
		fprintf(stderr, "capsa %s: %s\n", cmd, e.msg);
		return 1;
	}
	return 0;
}

int cli_open_store(const char *cmd, struct store *s)
{
	char root[4096];
	struct err e = {0};
	int r = cli_store_root(cmd, root, sizeof(root));
	if (r)
		return r;
	if (store_open(s, root, &e) < 0) {
		fprintf(stderr, "capsa %s: %s\n", cmd, e.msg);
		return 1;
	}
	return 0;
}

const char *cli_size(uint64_t n, char *buf, size_t len)
{
	static const char *const unit[] = {"B", "kB", "MB", "GB", "TB"};
	double v = (double)n;
	size_t u = 0;
	while (v >= 1000 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, u ? "%.3g%s" : "%.0f%s", v, unit[u]);
	return buf;
}

const char *cli_ago(const char *t, char *buf, size_t len)
{
	struct tm tm = {0};
	if (!t || !strptime(t, "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(buf, len, "N/A");
		return buf;
	}
	time_t then = timegm(&tm), now = time(NULL);
	long long d = (long long)(now - then);
	static const struct {
		long long secs;
		const char *word;
	} steps[] = {{365LL * 86400, "year"}, {30LL * 86400, "month"}, {7LL * 86400, "week"},
		     {86400, "day"},	      {3600, "hour"},	       {60, "minute"}};
	if (d < 60) {
		snprintf(buf, len, "Less than a minute ago");
		return buf;
	}
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (d >= steps[i].secs) {
			long long n = d / steps[i].secs;
			snprintf(buf, len, "%lld %s%s ago", n, steps[i].word, n == 1 ? "" : "s");
			break;
		}
	return buf;
}
