/* hosts.c — hosts and resolv.conf contents (see hosts.h). */
#include "net/hosts.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int is_loopback_ns(const char *line)
{
	const char *p = line + strlen("nameserver");
	while (*p == ' ' || *p == '\t')
		p++;
	return !strncmp(p, "127.", 4) || !strncmp(p, "::1", 3);
}

static int is_ns(const char *line)
{
	return !strncmp(line, "nameserver", 10) && (line[10] == ' ' || line[10] == '\t');
}

/* Append the usable lines of `text` (nameservers only when `ns_only`). */
static int filter(FILE *f, const char *text, int ns_only)
{
	int kept = 0;
	const char *p = text;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[512];
		snprintf(line, sizeof(line), "%.*s", (int)(len < 511 ? len : 511), p);
		if (is_ns(line)) {
			if (!is_loopback_ns(line)) {
				fprintf(f, "%s\n", line);
				kept++;
			}
		} else if (!ns_only && line[0]) {
			fprintf(f, "%s\n", line);
		}
		p = nl ? nl + 1 : NULL;
	}
	return kept;
}

int resolv_contents(const char *host_resolv, const char *fallback_resolv, char **out, struct err *e)
{
	_cleanup_free_ char *host = NULL, *fb = NULL;
	int r = read_file_at(AT_FDCWD, host_resolv, &host, NULL, NULL);
	if (r < 0 && r != -ENOENT)
		return err_sys(e, -r, "read %s", host_resolv);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return err_sys(e, errno, "resolv.conf");
	int kept = filter(f, host, 0);
	if (!kept && fallback_resolv &&
	    read_file_at(AT_FDCWD, fallback_resolv, &fb, NULL, NULL) == 0)
		kept = filter(f, fb, 1);
	if (!kept)
		fputs("nameserver 8.8.8.8\nnameserver 8.8.4.4\n", f);
	if (fclose(f) != 0) {
		free(buf);
		return err_sys(e, ENOMEM, "resolv.conf");
	}
	*out = buf;
	return 0;
}

int hosts_contents(const char *members, char **out, struct err *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return err_sys(e, errno, "hosts");
	fputs("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n", f);
	const char *p = members;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		char line[512], ip[64], id[128], name[128], alias[128];
		snprintf(line, sizeof(line), "%.*s", (int)(l < 511 ? l : 511), p);
		int n = sscanf(line, "%63s %127s %127s %127s", ip, id, name, alias);
		if (n == 3)
			fprintf(f, "%s\t%s\n", ip, name);
		else if (n == 4 && strcmp(name, alias))
			fprintf(f, "%s\t%s %s\n", ip, name, alias);
		else if (n == 4)
			fprintf(f, "%s\t%s\n", ip, name);
		p = nl ? nl + 1 : NULL;
	}
	if (fclose(f) != 0) {
		free(buf);
		return err_sys(e, ENOMEM, "hosts");
	}
	*out = buf;
	return 0;
}

int hosts_rewrite(const char *path, const char *text, struct err *e)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_sys(e, errno, "open %s", path);
	size_t len = strlen(text), done = 0;
	while (done < len) {
		ssize_t w = pwrite(fd, text + done, len - done, (off_t)done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return err_sys(e, errno, "write %s", path);
		}
		done += (size_t)w;
	}
	if (ftruncate(fd, (off_t)len) < 0)
		return err_sys(e, errno, "truncate %s", path);
	return 0;
}
