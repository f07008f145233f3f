/* network.c — named network configuration (see network.h). */
#include "net/network.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "net/ipam.h"
#include "net/link.h"
#include "net/nl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int network_path(const char *root, const char *name, const char *file, char *buf, size_t len,
		 struct err *e)
{
	int n;
	if (!name)
		n = snprintf(buf, len, "%s/networks", root);
	else if (!file)
		n = snprintf(buf, len, "%s/networks/%s", root, name);
	else
		n = snprintf(buf, len, "%s/networks/%s/%s", root, name, file);
	if (n < 0 || (size_t)n >= len)
		return err_msg(e, ENAMETOOLONG, "state root %s: path too long", root);
	return 0;
}

int network_name_check(const char *name, struct err *e)
{
	size_t n = strlen(name);
	if (n == 0 || n >= NET_NAME_MAX)
		return err_msg(e, EINVAL, "invalid network name \"%s\": 1 to %d characters", name,
			       NET_NAME_MAX - 1);
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || (i > 0 && (c == '_' || c == '.' || c == '-'));
		if (!ok)
			return err_msg(e, EINVAL,
				       "invalid network name \"%s\": use letters, digits and _.- "
				       "(not first)",
				       name);
	}
	return 0;
}

static int parse_config(const char *name, const char *text, struct network *out, struct err *e)
{
	json_object *o = json_tokener_parse(text);
	if (!o)
		return err_msg(e, EINVAL, "network %s: config.json: not valid JSON", name);
	json_object *s = NULL, *b = NULL;
	int r = 0;
	if (!json_object_object_get_ex(o, "subnet", &s) ||
	    !json_object_is_type(s, json_type_string) ||
	    !json_object_object_get_ex(o, "bridge", &b) ||
	    !json_object_is_type(b, json_type_string) ||
	    strlen(json_object_get_string(b)) >= sizeof(out->bridge)) {
		r = err_msg(e, EINVAL, "network %s: config.json: missing subnet or bridge", name);
		goto out;
	}
	if ((r = cidr_parse(json_object_get_string(s), &out->subnet, e)) < 0) {
		r = err_prefix(e, "network %s: config.json", name);
		goto out;
	}
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->bridge, sizeof(out->bridge), "%s", json_object_get_string(b));
	out->gateway = out->subnet.addr + 1;
out:
	json_object_put(o);
	return r;
}

static int read_config(const char *root, const char *name, struct network *out, struct err *e)
{
	char path[4096];
	int r = network_path(root, name, "config.json", path, sizeof(path), e);
	if (r < 0)
		return r;
	_cleanup_free_ char *text = NULL;
	r = read_file_at(AT_FDCWD, path, &text, NULL, NULL);
	if (r == -ENOENT)
		return err_msg(e, ENOENT, "network %s: no such network", name);
	if (r < 0)
		return err_sys(e, -r, "network %s: read %s", name, path);
	return parse_config(name, text, out, e);
}

/* The global lock for creating and removing networks (not held while
 * containers attach: they lock their network's allocator). */
static int lock_networks(const char *root, struct err *e)
{
	char dir[4096], lock[4200];
	int r = network_path(root, NULL, NULL, dir, sizeof(dir), e);
	if (r < 0)
		return r;
	if ((r = mkdir_p(dir, 0755, e)) < 0)
		return r;
	snprintf(lock, sizeof(lock), "%s/.lock", dir);
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_sys(e, errno, "open %s", lock);
	if (flock(fd, LOCK_EX) < 0) {
		int er = err_sys(e, errno, "lock %s", lock);
		close(fd);
		return er;
	}
	return fd;
}

static int list_names(const char *root, char ***names, size_t *n, struct err *e);

static int write_network(const char *root, const struct network *nw, struct err *e)
{
	char dir[4096], tmp[4200], fin[4200];
	int r = network_path(root, NULL, NULL, dir, sizeof(dir), e);
	if (r < 0)
		return r;
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, nw->name);
	snprintf(fin, sizeof(fin), "%s/%s", dir, nw->name);
	rm_rf_at(AT_FDCWD, tmp);
	if (mkdir(tmp, 0755) < 0)
		return err_sys(e, errno, "network %s: create %s", nw->name, tmp);
	char sub[20], gw[16];
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(nw->name));
	json_object_object_add(o, "subnet", json_object_new_string(cidr_format(&nw->subnet, sub)));
	json_object_object_add(o, "gateway", json_object_new_string(ip4_format(nw->gateway, gw)));
	json_object_object_add(o, "bridge", json_object_new_string(nw->bridge));
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);
	_cleanup_close_ int dfd = open(tmp, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (dfd < 0)
		r = err_sys(e, errno, "open %s", tmp);
	else
		r = write_file_atomic(dfd, "config.json", text, strlen(text), 0644, e);
	json_object_put(o);
	if (r == 0 && rename(tmp, fin) < 0)
		r = err_sys(e, errno, "network %s: rename into place", nw->name);
	if (r < 0)
		rm_rf_at(AT_FDCWD, tmp);
	return r;
}

static int check_overlap(const char *root, const struct network *nw, struct err *e)
{
	_cleanup_strv_ char **names = NULL;
	size_t n = 0;
	int r = list_names(root, &names, &n, e);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		struct network other;
		if (!strcmp(names[i], nw->name))
			return err_msg(e, EEXIST, "network %s: already exists", nw->name);
		if (read_config(root, names[i], &other, NULL) < 0)
			continue;
		if (cidr_overlap(&other.subnet, &nw->subnet)) {
			char a[20], b[20];
			return err_msg(e, EEXIST, "network %s: subnet %s overlaps network %s (%s)",
				       nw->name, cidr_format(&nw->subnet, a), other.name,
				       cidr_format(&other.subnet, b));
		}
		if (!strcmp(other.bridge, nw->bridge))
			return err_msg(e, EEXIST, "network %s: bridge %s is used by network %s",
				       nw->name, nw->bridge, other.name);
	}
	return 0;
}

/* A bridge name no other network uses: capsaN, N from 1. */
static int pick_bridge(const char *root, struct network *nw, struct err *e)
{
	_cleanup_strv_ char **names = NULL;
	size_t n = 0;
	int r = list_names(root, &names, &n, e);
	if (r < 0)
		return r;
	for (unsigned k = 1; k < 100000; k++) {
		snprintf(nw->bridge, sizeof(nw->bridge), "capsa%u", k);
		int used = 0;
		for (size_t i = 0; i < n && !used; i++) {
			struct network other;
			used = read_config(root, names[i], &other, NULL) == 0 &&
			       !strcmp(other.bridge, nw->bridge);
		}
		if (!used)
			return 0;
	}
	return err_msg(e, ENOSPC, "network %s: no free bridge name", nw->name);
}

static int create_locked(const char *root, const char *name, const char *subnet,
			 struct network *out, struct err *e)
{
	struct network nw = {0};
	snprintf(nw.name, sizeof(nw.name), "%s", name);
	int r;
	if (!strcmp(name, NET_DEFAULT_NAME)) {
		snprintf(nw.bridge, sizeof(nw.bridge), "%s", NET_DEFAULT_BRIDGE);
		if ((r = cidr_parse(subnet ? subnet : NET_DEFAULT_SUBNET, &nw.subnet, e)) < 0)
			return err_prefix(e, "network %s", name);
	} else if ((r = pick_bridge(root, &nw, e)) < 0) {
		return r;
	}
	if (subnet && strcmp(name, NET_DEFAULT_NAME)) {
		if ((r = cidr_parse(subnet, &nw.subnet, e)) < 0)
			return err_prefix(e, "network %s", name);
	} else if (!subnet && strcmp(name, NET_DEFAULT_NAME)) {
		/* The first 10.89.N.0/24 that overlaps nothing. */
		struct err dummy;
		for (unsigned k = 0; k < 256; k++) {
			nw.subnet = (struct cidr){(10u << 24) | (89u << 16) | (k << 8), 24};
			if ((r = check_overlap(root, &nw, &dummy)) == 0)
				break;
			if (r == -EEXIST && strstr(dummy.msg, "already exists"))
				return err_msg(e, EEXIST, "network %s: already exists", name);
		}
		if (r < 0)
			return err_msg(e, ENOSPC,
				       "network %s: no free subnet in 10.89.0.0/16; "
				       "give one with --subnet",
				       name);
	}
	nw.gateway = nw.subnet.addr + 1;
	if ((r = check_overlap(root, &nw, e)) < 0)
		return r;
	if ((r = write_network(root, &nw, e)) < 0)
		return r;
	if (out)
		*out = nw;
	return 0;
}

int network_create(const char *root, const char *name, const char *subnet, struct network *out,
		   struct err *e)
{
	int r = network_name_check(name, e);
	if (r < 0)
		return r;
	/* The default network first, so that new subnets avoid its own. */
	struct network def;
	if (strcmp(name, NET_DEFAULT_NAME) &&
	    (r = network_load(root, NET_DEFAULT_NAME, &def, e)) < 0)
		return r;
	_cleanup_close_ int lock = lock_networks(root, e);
	if (lock < 0)
		return lock;
	return create_locked(root, name, subnet, out, e);
}

int network_load(const char *root, const char *name, struct network *out, struct err *e)
{
	int r = network_name_check(name, e);
	if (r < 0)
		return r;
	r = read_config(root, name, out, e);
	if (r != -ENOENT || strcmp(name, NET_DEFAULT_NAME))
		return r;
	_cleanup_close_ int lock = lock_networks(root, e);
	if (lock < 0)
		return lock;
	if (read_config(root, name, out, NULL) == 0)
		return 0; /* made by someone else meanwhile */
	return create_locked(root, name, NULL, out, e);
}

static int list_names(const char *root, char ***names, size_t *n, struct err *e)
{
	char dir[4096];
	int r = network_path(root, NULL, NULL, dir, sizeof(dir), e);
	if (r < 0)
		return r;
	*names = calloc(1, sizeof(char *));
	*n = 0;
	if (!*names)
		return err_sys(e, ENOMEM, "list networks");
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : err_sys(e, errno, "open %s", dir);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char **nv = realloc(*names, (*n + 2) * sizeof(char *));
		if (!nv || !(nv[*n] = strdup(de->d_name))) {
			if (nv)
				*names = nv;
			closedir(d);
			return err_sys(e, ENOMEM, "list networks");
		}
		*names = nv;
		(*names)[++*n] = NULL;
	}
	closedir(d);
	return 0;
}

static int cmp_net(const void *a, const void *b)
{
	return strcmp(((const struct network *)a)->name, ((const struct network *)b)->name);
}

int network_list(const char *root, struct network **out, size_t *count, struct err *e)
{
	struct network def;
	int r = network_load(root, NET_DEFAULT_NAME, &def, e);
	if (r < 0)
		return r;
	_cleanup_strv_ char **names = NULL;
	size_t n = 0;
	if ((r = list_names(root, &names, &n, e)) < 0)
		return r;
	*out = calloc(n + 1, sizeof(struct network));
	if (!*out)
		return err_sys(e, ENOMEM, "list networks");
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (read_config(root, names[i], &(*out)[k], NULL) == 0)
			k++;
	qsort(*out, k, sizeof(**out), cmp_net);
	*count = k;
	return 0;
}

int network_members(const char *root, const char *name, uint32_t *count, char **members,
		    struct err *e)
{
	struct network nw;
	char path[4096];
	int r = network_load(root, name, &nw, e);
	if (r < 0)
		return r;
	if ((r = network_path(root, name, "ipam", path, sizeof(path), e)) < 0)
		return r;
	_cleanup_close_ int fd = ipam_open(path, &nw.subnet, e);
	if (fd < 0)
		return fd;
	if ((r = ipam_count(fd, count, e)) < 0)
		return r;
	if (!members)
		return 0;
	if ((r = network_path(root, name, "members", path, sizeof(path), e)) < 0)
		return r;
	r = read_file_at(AT_FDCWD, path, members, NULL, NULL);
	if (r == -ENOENT)
		*members = strdup("");
	else if (r < 0)
		return err_sys(e, -r, "network %s: read %s", name, path);
	return *members ? 0 : err_sys(e, ENOMEM, "network %s", name);
}

int network_remove(const char *root, const char *name, struct err *e)
{
	int r = network_name_check(name, e);
	if (r < 0)
		return r;
	if (!strcmp(name, NET_DEFAULT_NAME))
		return err_msg(e, EPERM, "network %s: the default network cannot be removed", name);
	_cleanup_close_ int lock = lock_networks(root, e);
	if (lock < 0)
		return lock;
	struct network nw;
	if ((r = read_config(root, name, &nw, e)) < 0)
		return r;
	char path[4096];
	if ((r = network_path(root, name, "ipam", path, sizeof(path), e)) < 0)
		return r;
	_cleanup_close_ int fd = ipam_open(path, &nw.subnet, e);
	if (fd < 0)
		return fd;
	uint32_t count;
	if ((r = ipam_count(fd, &count, e)) < 0)
		return r;
	if (count > 0)
		return err_msg(e, EBUSY, "network %s: %u container(s) attached", name, count);
	struct nl n;
	if ((r = nl_open(&n, NETLINK_ROUTE, e)) < 0)
		return r;
	r = link_del(&n, nw.bridge, e);
	nl_close(&n);
	if (r < 0)
		return err_prefix(e, "network %s", name);
	if ((r = network_path(root, name, NULL, path, sizeof(path), e)) < 0)
		return r;
	if ((r = rm_rf_at(AT_FDCWD, path)) < 0)
		return err_sys(e, -r, "network %s: remove %s", name, path);
	return 0;
}
