/* spec_default.h — the config.json that `capsa oci spec` writes: what
 * `runc spec` (and `runc spec --rootless`) would, with capsa's names.
 */
#ifndef CAPSA_RUNTIME_SPEC_DEFAULT_H
#define CAPSA_RUNTIME_SPEC_DEFAULT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

/* A new document (the caller puts it).  `rootless`: a user namespace
 * mapping `uid`/`gid` to root, the host's network, /sys bound from the
 * host, no cgroup resources.  NULL only when out of memory. */
json_object *spec_default(bool rootless, uid_t uid, gid_t gid);

#endif
