/* creds.c — auth.json reading and writing (see creds.h). */
#include "pull/creds.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "pull/auth.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define _cleanup_json_ _cleanup_(json_putp)

static char *home_path(const char *rel)
{
	const char *home = getenv("HOME");
	if (!home || !*home)
		return NULL;
	char *p = NULL;
	if (asprintf(&p, "%s/%s", home, rel) < 0)
		return NULL;
	return p;
}

char *creds_store_path(void)
{
	const char *f = getenv("REGISTRY_AUTH_FILE");
	if (f && *f)
		return strdup(f);
	const char *x = getenv("XDG_RUNTIME_DIR");
	char *p = NULL;
	if (x && *x) {
		if (asprintf(&p, "%s/containers/auth.json", x) < 0)
			return NULL;
		return p;
	}
	if (geteuid() == 0)
		return strdup("/run/containers/0/auth.json");
	return home_path(".config/containers/auth.json");
}

/* The candidate files in read order, NULL-terminated (malloc'd). */
static char **auth_files(void)
{
	char **v = calloc(4, sizeof(char *));
	if (!v)
		return NULL;
	size_t n = 0;
	v[n++] = creds_store_path();
	const char *f = getenv("REGISTRY_AUTH_FILE");
	if (!(f && *f)) {
		v[n] = home_path(".config/containers/auth.json");
		if (v[n] && v[0] && strcmp(v[n], v[0]))
			n++;
		else
			free(v[n]);
		v[n] = home_path(".docker/config.json");
		if (v[n])
			n++;
	}
	v[n] = NULL;
	return v;
}

/* Load a JSON file; *out NULL when it does not exist. */
static int load_json(const char *path, json_object **out, struct err *e)
{
	*out = NULL;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return err_sys(e, errno, "auth file %s", path);
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		return err_sys(e, errno, "auth file %s", path);
	if (st.st_size > (1 << 20))
		return err_msg(e, EFBIG, "auth file %s: larger than 1 MiB", path);
	_cleanup_free_ char *buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return err_sys(e, ENOMEM, "auth file %s", path);
	size_t n = 0;
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return err_sys(e, errno, "auth file %s", path);
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (n == 0) {
		*out = json_object_new_object();
		return *out ? 0 : err_sys(e, ENOMEM, "auth file %s", path);
	}
	json_object *o = json_tokener_parse(buf);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return err_msg(e, EINVAL, "auth file %s: not a JSON object", path);
	}
	*out = o;
	return 0;
}

/* The keys a registry may be filed under (docker writes Docker Hub as
 * its v1 index URL; some tools prefix a scheme). */
static int key_matches(const char *key, const char *registry)
{
	const char *k = key;
	if (!strncmp(k, "https://", 8))
		k += 8;
	else if (!strncmp(k, "http://", 7))
		k += 7;
	size_t rl = strlen(registry);
	if (!strncmp(k, registry, rl) && (k[rl] == '\0' || !strcmp(k + rl, "/") ||
					  !strncmp(k + rl, "/v1", 3) || !strncmp(k + rl, "/v2", 3)))
		return 1;
	if (!strcmp(registry, "docker.io"))
		return key_matches(key, "index.docker.io") ||
		       key_matches(key, "registry-1.docker.io");
	return 0;
}

static int entry_creds(const char *path, const char *key, json_object *ent, char **user,
		       char **pass, struct err *e)
{
	json_object *a = NULL;
	if (!json_object_object_get_ex(ent, "auth", &a) ||
	    !json_object_is_type(a, json_type_string))
		return 0;
	size_t len;
	_cleanup_free_ char *dec = base64_decode(json_object_get_string(a), &len);
	char *colon = dec ? memchr(dec, ':', len) : NULL;
	if (!colon)
		return err_msg(e, EINVAL,
			       "auth file %s: auths.%s.auth: not base64 of user:password", path,
			       key);
	*colon = '\0';
	*user = strdup(dec);
	*pass = strdup(colon + 1);
	if (!*user || !*pass) {
		free(*user);
		free(*pass);
		return err_sys(e, ENOMEM, "auth file %s", path);
	}
	return 1;
}

int creds_lookup(const char *registry, char **user, char **pass, struct err *e)
{
	_cleanup_strv_ char **files = auth_files();
	if (!files)
		return err_sys(e, ENOMEM, "auth files");
	for (char **f = files; *f; f++) {
		_cleanup_json_ json_object *root = NULL;
		int r = load_json(*f, &root, e);
		if (r < 0)
			return r;
		json_object *auths = NULL;
		if (!root || !json_object_object_get_ex(root, "auths", &auths) ||
		    !json_object_is_type(auths, json_type_object))
			continue;
		json_object_object_foreach(auths, key, ent)
		{
			if (!key_matches(key, registry) ||
			    !json_object_is_type(ent, json_type_object))
				continue;
			r = entry_creds(*f, key, ent, user, pass, e);
			if (r != 0)
				return r;
		}
	}
	return 0;
}

static int mkdir_parents(char *path, struct err *e)
{
	for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		int r = mkdir(path, 0700);
		int saved = errno;
		*s = '/';
		if (r < 0 && saved != EEXIST)
			return err_sys(e, saved, "create %.*s", (int)(s - path), path);
	}
	return 0;
}

static int save_json(const char *path, json_object *root, struct err *e)
{
	_cleanup_free_ char *p = strdup(path);
	_cleanup_free_ char *tmp = NULL;
	if (!p || asprintf(&tmp, "%s.tmp-%d", path, (int)getpid()) < 0)
		return err_sys(e, ENOMEM, "auth file %s", path);
	int r = mkdir_parents(p, e);
	if (r < 0)
		return r;
	const char *s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_NOSLASHESCAPE);
	_cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_sys(e, errno, "auth file %s", tmp);
	size_t len = strlen(s);
	if (write(fd, s, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || fsync(fd) < 0) {
		int saved = errno ? errno : EIO;
		unlink(tmp);
		return err_sys(e, saved, "write auth file %s", tmp);
	}
	if (rename(tmp, path) < 0) {
		int saved = errno;
		unlink(tmp);
		return err_sys(e, saved, "rename %s to %s", tmp, path);
	}
	return 0;
}

int creds_store(const char *registry, const char *user, const char *pass, struct err *e)
{
	_cleanup_free_ char *path = creds_store_path();
	if (!path)
		return err_msg(e, EINVAL, "login %s: no place for the auth file (HOME unset)",
			       registry);
	_cleanup_json_ json_object *root = NULL;
	int r = load_json(path, &root, e);
	if (r < 0)
		return r;
	if (!root && !(root = json_object_new_object()))
		return err_sys(e, ENOMEM, "auth file %s", path);
	json_object *auths = NULL;
	if (!json_object_object_get_ex(root, "auths", &auths) ||
	    !json_object_is_type(auths, json_type_object)) {
		auths = json_object_new_object();
		if (!auths || json_object_object_add(root, "auths", auths) < 0)
			return err_sys(e, ENOMEM, "auth file %s", path);
	}
	_cleanup_free_ char *up = NULL;
	if (asprintf(&up, "%s:%s", user, pass) < 0)
		return err_sys(e, ENOMEM, "auth file %s", path);
	_cleanup_free_ char *enc = base64_encode(up, strlen(up));
	json_object *ent = json_object_new_object();
	if (!enc || !ent || json_object_object_add(ent, "auth", json_object_new_string(enc)) < 0 ||
	    json_object_object_add(auths, registry, ent) < 0)
		return err_sys(e, ENOMEM, "auth file %s", path);
	return save_json(path, root, e);
}

int creds_remove(const char *registry, struct err *e)
{
	_cleanup_strv_ char **files = auth_files();
	if (!files)
		return err_sys(e, ENOMEM, "auth files");
	int removed = 0;
	for (char **f = files; *f; f++) {
		_cleanup_json_ json_object *root = NULL;
		int r = load_json(*f, &root, e);
		if (r < 0)
			return r;
		json_object *auths = NULL;
		if (!root || !json_object_object_get_ex(root, "auths", &auths) ||
		    !json_object_is_type(auths, json_type_object))
			continue;
		int here = 0;
		for (int again = 1; again;) {
			again = 0;
			json_object_object_foreach(auths, key, ent)
			{
				(void)ent;
				if (key_matches(key, registry)) {
					json_object_object_del(auths, key);
					here = again = 1;
					break;
				}
			}
		}
		if (here) {
			r = save_json(*f, root, e);
			if (r < 0)
				return r;
			removed = 1;
		}
	}
	return removed;
}
