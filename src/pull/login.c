/* login.c — `capsa-pull login` and `capsa-pull logout`: credentials are
 * checked against the registry (an authenticated /v2/ probe, through
 * the token endpoint when the registry uses tokens) before they are
 * stored in auth.json (creds.h). */
#include "pull/commands.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "pull/creds.h"
#include "pull/registry.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* "https://host:port/" -> "host:port"; Docker Hub's aliases -> docker.io. */
static int registry_name(const char *arg, char *buf, size_t len, struct err *e)
{
	const char *p = arg;
	if (!strncmp(p, "https://", 8))
		p += 8;
	else if (!strncmp(p, "http://", 7))
		p += 7;
	size_t n = strcspn(p, "/");
	if (n == 0 || n >= len)
		return err_msg(e, EINVAL, "registry \"%s\": not a host[:port]", arg);
	memcpy(buf, p, n);
	buf[n] = '\0';
	for (char *c = buf; *c; c++)
		if (!(*c == '.' || *c == ':' || *c == '-' || *c == '[' || *c == ']' ||
		      (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
		      (*c >= 'A' && *c <= 'Z')))
			return err_msg(e, EINVAL, "registry \"%s\": not a host[:port]", arg);
	if (!strcmp(buf, "index.docker.io") || !strcmp(buf, "registry-1.docker.io"))
		snprintf(buf, len, "docker.io");
	return 0;
}

/* A line from `fd` without its newline (malloc'd). */
static char *read_line(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, f);
	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static char *prompt(const char *what, bool echo)
{
	_cleanup_fclose_ FILE *tty = fopen("/dev/tty", "r+e");
	if (!tty)
		return NULL;
	fprintf(tty, "%s: ", what);
	fflush(tty);
	struct termios old, t;
	bool restore = false;
	if (!echo && tcgetattr(fileno(tty), &old) == 0) {
		t = old;
		t.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(fileno(tty), TCSAFLUSH, &t) == 0;
	}
	char *s = read_line(tty);
	if (restore) {
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
		fputc('\n', tty);
	}
	return s;
}

int pull_login_main(int argc, char **argv)
{
	static const struct option longopts[] = {{"username", required_argument, NULL, 'u'},
						 {"password-stdin", no_argument, NULL, 'P'},
						 {"tls-verify", required_argument, NULL, 't'},
						 {"storage", required_argument, NULL, 's'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	const char *user_opt = NULL;
	bool from_stdin = false, tls_verify = true;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "u:", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			user_opt = optarg;
			break;
		case 'P':
			from_stdin = true;
			break;
		case 't':
			if (strcmp(optarg, "true") && strcmp(optarg, "false")) {
				fprintf(stderr,
					"capsa login: --tls-verify: expected true or false\n");
				return 2;
			}
			tls_verify = !strcmp(optarg, "true");
			break;
		case 's':
			break; /* capsa passes the store; login does not use it */
		case 'h':
			puts("usage: capsa login [-u USER] [--password-stdin] [--tls-verify=false] "
			     "REGISTRY");
			return 0;
		default:
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: capsa login [-u USER] [--password-stdin] REGISTRY\n");
		return 2;
	}
	struct err e = {0};
	char name[300];
	if (registry_name(argv[optind], name, sizeof(name), &e) < 0) {
		fprintf(stderr, "capsa login: %s\n", e.msg);
		return 2;
	}
	_cleanup_free_ char *user = user_opt ? strdup(user_opt) : prompt("Username", true);
	if (!user || !*user) {
		fprintf(stderr, "capsa login %s: no username (-u USER)\n", name);
		return 2;
	}
	_cleanup_free_ char *pass = from_stdin ? read_line(stdin) : prompt("Password", false);
	if (!pass || !*pass) {
		fprintf(stderr, "capsa login %s: no password (--password-stdin, or a terminal)\n",
			name);
		return 2;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "capsa login: curl init failed\n");
		return 1;
	}
	struct registry r;
	struct reg_opts ro = {.tls_verify = tls_verify, .user = user, .pass = pass};
	int ret = reg_open(&r, name, NULL, &ro, &e);
	if (ret == 0)
		ret = reg_ping(&r, &e);
	reg_close(&r);
	curl_global_cleanup();
	if (ret == 0)
		ret = creds_store(name, user, pass, &e);
	if (ret < 0) {
		fprintf(stderr, "capsa login: %s\n", e.msg);
		return 1;
	}
	printf("Login Succeeded!\n");
	return 0;
}

int pull_logout_main(int argc, char **argv)
{
	static const struct option longopts[] = {{"storage", required_argument, NULL, 's'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'h') {
			puts("usage: capsa logout REGISTRY");
			return 0;
		}
		if (c != 's')
			return 2;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: capsa logout REGISTRY\n");
		return 2;
	}
	struct err e = {0};
	char name[300];
	if (registry_name(argv[optind], name, sizeof(name), &e) < 0) {
		fprintf(stderr, "capsa logout: %s\n", e.msg);
		return 2;
	}
	int ret = creds_remove(name, &e);
	if (ret < 0) {
		fprintf(stderr, "capsa logout: %s\n", e.msg);
		return 1;
	}
	if (ret == 0) {
		fprintf(stderr, "capsa logout: not logged in to %s\n", name);
		return 1;
	}
	printf("Removed login credentials for %s\n", name);
	return 0;
}
