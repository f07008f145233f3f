/* subid.h — subordinate id ranges (/etc/subuid, /etc/subgid) and the id
 * mapping a rootless user gets from them, as podman builds it:
 *
 *   container 0        -> the user's own uid (gid)
 *   container 1..N     -> the user's subordinate ranges, one after the other
 *
 * Without ranges in both files the mapping is the user alone ("0 uid 1").
 * As real root the mapping is the identity of every id.  The pull helper
 * unpacks layers under this mapping, the engine runs containers under it,
 * and the store records it (store_idmap_check), so all three agree.
 */
#ifndef CAPSA_BASE_SUBID_H
#define CAPSA_BASE_SUBID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct err;

struct id_range {
	uint32_t container_id, host_id, size;
};

/* newuidmap takes at most 340 lines (the kernel's limit); keep far below. */
#define ID_MAPPING_MAX 32

struct id_mapping {
	struct id_range uid[ID_MAPPING_MAX], gid[ID_MAPPING_MAX];
	size_t n_uid, n_gid;
};

/* The ranges of the user called `name` (may be NULL or "") with uid
 * `uid` in `text`, the contents of /etc/subuid or /etc/subgid: lines
 * "NAME_OR_UID:START:COUNT"; '#' comments, blank and malformed lines and
 * ranges of 0 ids or past 2^32 are skipped.  Up to `max` ranges go to
 * `out`, with container ids 0 (the caller numbers them); returns how many. */
size_t subid_parse(const char *text, const char *name, unsigned uid, struct id_range *out,
		   size_t max);

/* The user's name for `uid` in `passwd_text` (/etc/passwd contents) into
 * `out`; "" when not there. */
void subid_user_name(const char *passwd_text, unsigned uid, char *out, size_t len);

/* The mapping for the caller: identity as real root; else own ids plus
 * the ranges of /etc/subuid and /etc/subgid (both files must give the
 * user some), numbered from container id 1.  Files that are missing or
 * unreadable count as no ranges. */
void id_mapping_current(struct id_mapping *m);

/* Same, from file contents (NULL: no such file); for tests. */
void id_mapping_build(struct id_mapping *m, uid_t uid, gid_t gid, const char *passwd,
		      const char *subuid, const char *subgid);

/* True when the mapping holds subordinate ranges (more than the caller). */
bool id_mapping_has_ranges(const struct id_mapping *m);

/* "uid 0:1000:1 1:100000:65536\ngid 0:1000:1 1:100000:65536\n" into buf;
 * returns the length, or -ENAMETOOLONG if it does not fit. */
int id_mapping_format(const struct id_mapping *m, char *buf, size_t len);

#endif
