/* hosts.h — /etc/hosts and /etc/resolv.conf contents for containers. */
#ifndef CAPSA_NET_HOSTS_H
#define CAPSA_NET_HOSTS_H

#include <stddef.h>

struct err;

/* resolv.conf for a container from the host's `host_resolv`: nameserver
 * lines on loopback (127.0.0.53 of systemd-resolved, ::1) cannot work
 * from another namespace and are dropped; if none is left, the servers
 * of `fallback_resolv` (systemd-resolved's upstream file), else
 * 8.8.8.8 and 8.8.4.4.  Other lines (search, options) are kept.
 * Returns a malloc'd string. */
int resolv_contents(const char *host_resolv, const char *fallback_resolv, char **out,
		    struct err *e);

/* The hosts file of a network from its members list ("IP ID NAME
 * [ALIAS]" lines): localhost entries, then "IP NAME [ALIAS]" for each. */
int hosts_contents(const char *members, char **out, struct err *e);

/* Replace the contents of `path` in place (it may be bind-mounted into
 * running containers, so rename(2) would not reach them). */
int hosts_rewrite(const char *path, const char *text, struct err *e);

#endif
