/* creds.h — registry credentials in the auth.json files podman and docker
 * keep, so `capsa login` and `podman login` / `docker login` see each
 * other's logins.
 *
 * Read order (the first file that names the registry wins):
 *   $REGISTRY_AUTH_FILE (alone, when set, as podman does);
 *   ${XDG_RUNTIME_DIR}/containers/auth.json (root without XDG_RUNTIME_DIR:
 *   /run/containers/0/auth.json); ~/.config/containers/auth.json;
 *   ~/.docker/config.json.
 * Writes go to the first of those paths (login), removals to every file
 * that holds the registry (logout).  Credential helpers (credsStore) are
 * not run.
 */
#ifndef CAPSA_PULL_CREDS_H
#define CAPSA_PULL_CREDS_H

struct err;

/* `registry` as the reference names it: "docker.io", "quay.io",
 * "127.0.0.1:5000".  Returns 1 and malloc'd user/pass when found, 0 when
 * no file names it, <0 when a file is unreadable or malformed. */
int creds_lookup(const char *registry, char **user, char **pass, struct err *e);

/* Store user/pass for `registry` in the login file (created 0600 under a
 * temporary name and renamed; other entries are kept). */
int creds_store(const char *registry, const char *user, const char *pass, struct err *e);

/* Remove `registry` from every auth file; 1 when something was removed,
 * 0 when no file held it. */
int creds_remove(const char *registry, struct err *e);

/* The file creds_store writes (malloc'd). */
char *creds_store_path(void);

#endif
