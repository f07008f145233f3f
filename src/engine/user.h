/* user.h — `-u USER[:GROUP]` (or the image's User) resolved against the
 * container's own /etc/passwd and /etc/group, as docker does: names are
 * looked up inside the root filesystem, never on the host.
 */
#ifndef CAPSA_ENGINE_USER_H
#define CAPSA_ENGINE_USER_H

#include <stddef.h>
#include <sys/types.h>

struct err;

#define USER_MAX_GROUPS 64

struct user_ids {
	uid_t uid;
	gid_t gid;
	gid_t groups[USER_MAX_GROUPS]; /* supplementary groups from /etc/group */
	size_t n_groups;
	char home[256]; /* from passwd; "/" when unknown */
};

/* `spec`: "", "name", "uid", "name:group", "uid:gid" ("" = root).  A
 * numeric uid need not exist in passwd; a name must. */
int user_resolve(const char *rootfs, const char *spec, struct user_ids *out, struct err *e);

#endif
