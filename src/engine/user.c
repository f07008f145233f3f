/* user.c — see user.h. */
#include "engine/user.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool numeric(const char *s, unsigned long *out)
{
	if (!*s || !isdigit((unsigned char)*s))
		return false;
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (*end || errno || v > 0xfffffffeUL)
		return false;
	*out = v;
	return true;
}

/* The file's content, or NULL with *missing set when it does not exist
 * in the root (a rootfs without /etc/passwd is allowed). */
static int read_in_root(int root, const char *path, char **out, struct err *e)
{
	*out = NULL;
	_cleanup_close_ int fd = open_in_root(root, path, O_RDONLY | O_CLOEXEC, 0);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return err_sys(e, -fd, "%s in the container", path);
	return read_fd(fd, out, NULL, e);
}

/* Split a colon-separated line into at most `max` fields in place. */
static size_t fields(char *line, char **f, size_t max)
{
	size_t n = 0;
	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == ':') {
			*p = '\0';
			f[n++] = p + 1;
		}
	return n;
}

/* Walk the lines of `buf` (modified). */
#define for_each_line(buf, line, save)                                                             \
	for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line;                          \
	     line = strtok_r(NULL, "\n", &save))

int user_resolve(const char *rootfs, const char *spec, struct user_ids *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->home, sizeof(out->home), "/");
	_cleanup_free_ char *u = strdup(spec ? spec : "");
	if (!u)
		return err_sys(e, ENOMEM, "user %s", spec);
	char *g = strchr(u, ':');
	if (g)
		*g++ = '\0';
	if (g && !*g)
		return err_msg(e, EINVAL, "user \"%s\": empty group", spec);
	_cleanup_free_ char *passwd = NULL, *group = NULL;
	_cleanup_close_ int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return err_sys(e, errno, "root filesystem %s", rootfs);
	int r = read_in_root(root, "/etc/passwd", &passwd, e);
	if (r < 0 || (r = read_in_root(root, "/etc/group", &group, e)) < 0)
		return r;

	unsigned long num;
	bool uid_numeric = !*u || numeric(u, &num);
	out->uid = !*u ? 0 : uid_numeric ? (uid_t)num : (uid_t)-1;
	out->gid = out->uid == 0 ? 0 : out->uid;
	bool found = false;
	char name[128] = "";
	if (passwd) {
		for_each_line(passwd, line, s1)
		{
			char *f[7];
			if (fields(line, f, 7) < 7)
				continue;
			unsigned long pu, pg;
			if (!numeric(f[2], &pu) || !numeric(f[3], &pg))
				continue;
			if (uid_numeric ? pu != out->uid : strcmp(f[0], u))
				continue;
			out->uid = (uid_t)pu;
			out->gid = (gid_t)pg;
			snprintf(out->home, sizeof(out->home), "%s", *f[5] ? f[5] : "/");
			snprintf(name, sizeof(name), "%s", f[0]);
			found = true;
			break;
		}
	}
	if (!uid_numeric && !found)
		return err_msg(e, ENOENT,
			       "user \"%s\": no such user in the container's /etc/passwd", u);
	bool gid_numeric = g && numeric(g, &num);
	if (gid_numeric)
		out->gid = (gid_t)num;
	bool group_found = !g || gid_numeric;
	if (group) {
		for_each_line(group, line, s2)
		{
			char *f[4];
			if (fields(line, f, 4) < 4)
				continue;
			unsigned long gg;
			if (!numeric(f[2], &gg))
				continue;
			if (g && !gid_numeric && !strcmp(f[0], g)) {
				out->gid = (gid_t)gg;
				group_found = true;
			}
			if (!*name || g)
				continue;
			/* Supplementary groups: those listing the user by name, and
			 * only when no group was given (as docker and runc do: an
			 * explicit group is the process's only one). */
			for (char *s3 = NULL, *m = strtok_r(f[3], ",", &s3); m;
			     m = strtok_r(NULL, ",", &s3))
				if (!strcmp(m, name) && out->n_groups < USER_MAX_GROUPS)
					out->groups[out->n_groups++] = (gid_t)gg;
		}
	}
	if (!group_found)
		return err_msg(e, ENOENT,
			       "user \"%s\": group \"%s\": no such group in the container's "
			       "/etc/group",
			       spec, g);
	return 0;
}
