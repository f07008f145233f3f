/* idmap.c — see idmap.h. */
#include "runtime/idmap.h"

#include "base/error.h"
#include "base/fs.h"
#include "base/subid.h"
#include "base/userns.h"
#include "runtime/spec.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static bool own_id_only(const struct spec_idmap *m, size_t n, unsigned id)
{
	return n == 1 && m[0].host_id == id && m[0].size == 1;
}

static bool direct(const struct spec_idmap *m, size_t n, unsigned id)
{
	return geteuid() == 0 || own_id_only(m, n, id);
}

bool idmap_needs_setgroups_deny(const struct spec *s)
{
	return geteuid() != 0 &&
	       own_id_only(s->lnx.gid_mappings, s->lnx.n_gid_mappings, (unsigned)getegid());
}

static int write_map(pid_t pid, const char *file, const struct spec_idmap *m, size_t n,
		     struct err *e)
{
	char buf[4096], path[64];
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n", m[i].container_id,
				 m[i].host_id, m[i].size);
		if (w < 0 || (size_t)w >= sizeof(buf) - len)
			return err_msg(e, E2BIG, "%s: too many mappings", file);
		len += (size_t)w;
	}
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	int r = write_file(path, buf, len, NULL);
	if (r < 0)
		return err_sys(e, -r, "write %s", file);
	return 0;
}

/* The helpers take the spec's lines (linux.uidMappings / gidMappings). */
static int run_helper(const char *helper, pid_t pid, const struct spec_idmap *m, size_t n,
		      struct err *e)
{
	struct id_range r[341];
	if (n > 340)
		return err_msg(e, E2BIG, "%s: too many mappings", helper);
	for (size_t i = 0; i < n; i++)
		r[i] = (struct id_range){m[i].container_id, m[i].host_id, m[i].size};
	if (idmap_run_helper(helper, pid, r, n, e) < 0)
		return err_prefix(e, "linux.%s", helper[3] == 'u' ? "uidMappings" : "gidMappings");
	return 0;
}

int idmap_write(const struct spec *s, pid_t pid, bool deny_setgroups, struct err *e)
{
	const struct spec_linux *x = &s->lnx;
	int r;
	if (deny_setgroups) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
		if ((r = write_file(path, "deny", 4, NULL)) < 0)
			return err_sys(e, -r, "write setgroups");
	}
	if (direct(x->gid_mappings, x->n_gid_mappings, (unsigned)getegid()))
		r = write_map(pid, "gid_map", x->gid_mappings, x->n_gid_mappings, e);
	else
		r = run_helper("newgidmap", pid, x->gid_mappings, x->n_gid_mappings, e);
	if (r < 0)
		return r;
	if (direct(x->uid_mappings, x->n_uid_mappings, (unsigned)geteuid()))
		return write_map(pid, "uid_map", x->uid_mappings, x->n_uid_mappings, e);
	return run_helper("newuidmap", pid, x->uid_mappings, x->n_uid_mappings, e);
}
