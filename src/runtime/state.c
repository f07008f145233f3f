/* state.c — see state.h. */
#include "runtime/state.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/json.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

const char *rt_status_name(enum rt_status s)
{
	static const char *const names[] = {"creating", "created", "running", "paused", "stopped"};
	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

void rt_state_free(struct rt_state *s)
{
	free(s->id);
	free(s->bundle);
	free(s->rootfs);
	free(s->created);
	if (s->annotations)
		json_object_put(s->annotations);
	memset(s, 0, sizeof(*s));
}

char *state_default_root(void)
{
	char *r = NULL;
	const char *env = getenv("CAPSA_ROOT");
	if (env && *env) {
		if (asprintf(&r, "%s/oci", env) < 0)
			return NULL;
		return r;
	}
	if (geteuid() == 0)
		return strdup("/run/capsa/oci");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n = xdg && *xdg ? asprintf(&r, "%s/capsa/oci", xdg)
			    : asprintf(&r, "/tmp/capsa-%u/oci", (unsigned)geteuid());
	return n < 0 ? NULL : r;
}

int state_check_id(const char *id, struct err *e)
{
	size_t n = strlen(id);
	if (n == 0 || n > 1024 || !strcmp(id, ".") || !strcmp(id, ".."))
		return err_msg(e, EINVAL, "invalid container ID \"%s\"", id);
	for (const char *p = id; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '+' || c == '-' || c == '.'))
			return err_msg(e, EINVAL,
				       "invalid container ID \"%s\": only letters, digits and _+-. "
				       "are allowed",
				       id);
	}
	return 0;
}

static int open_root(const char *root, bool create, struct err *e)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT || !create)
		return fd >= 0 ? fd : err_sys(e, errno, "state root %s", root);
	int r = mkdir_p(root, 0711, e);
	if (r < 0)
		return r;
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd >= 0 ? fd : err_sys(e, errno, "state root %s", root);
}

int state_create_dir(const char *root, const char *id, int *dirfd, struct err *e)
{
	int r = state_check_id(id, e);
	if (r < 0)
		return r;
	/* By path, not under an fd of the root: two system calls fewer on
	 * the start path; the root is made only when mkdir says it is not
	 * there. */
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s", root, id) >= (int)sizeof(path))
		return err_msg(e, ENAMETOOLONG, "state directory %s/%s: path too long", root, id);
	r = mkdir(path, 0711);
	if (r < 0 && errno == ENOENT) {
		_cleanup_close_ int rootfd = open_root(root, true, e);
		if (rootfd < 0)
			return rootfd;
		r = mkdirat(rootfd, id, 0711);
	}
	if (r < 0) {
		if (errno == EEXIST)
			return err_msg(e, EEXIST, "container \"%s\" already exists", id);
		return err_sys(e, errno, "create state directory %s/%s", root, id);
	}
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return err_sys(e, errno, "open state directory %s/%s", root, id);
	if (flock(fd, LOCK_EX) < 0) {
		r = errno;
		close(fd);
		return err_sys(e, r, "lock container \"%s\"", id);
	}
	*dirfd = fd;
	return 0;
}

int state_open(const char *root, const char *id, bool lock, int *dirfd, struct err *e)
{
	int r = state_check_id(id, e);
	if (r < 0)
		return r;
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", root, id);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return err_msg(e, ENOENT, "container \"%s\" does not exist", id);
		return err_sys(e, errno, "open state of container \"%s\"", id);
	}
	if (lock && flock(fd, LOCK_EX) < 0) {
		r = errno;
		close(fd);
		return err_sys(e, r, "lock container \"%s\"", id);
	}
	*dirfd = fd;
	return 0;
}

static char *jstrdup(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || json_object_get_type(v) != json_type_string)
		return NULL;
	return strdup(json_object_get_string(v));
}

static long long jint(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	return json_object_get_int64(v);
}

int state_read(int dirfd, const char *id, struct rt_state *s, struct err *e)
{
	memset(s, 0, sizeof(*s));
	s->id = strdup(id);
	if (!s->id)
		return err_sys(e, ENOMEM, "state");
	_cleanup_free_ char *buf = NULL;
	int r = read_file_at(dirfd, STATE_FILE, &buf, NULL, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return err_sys(e, -r, "read state of container \"%s\"", id);
	json_object *doc = json_tokener_parse(buf);
	if (!doc || json_object_get_type(doc) != json_type_object) {
		if (doc)
			json_object_put(doc);
		return err_msg(e, EINVAL, "state of container \"%s\" is corrupt", id);
	}
	s->has_state = true;
	s->pid = (pid_t)jint(doc, "pid");
	s->pid_start = (unsigned long long)jint(doc, "pidStartTime");
	s->owner = (uid_t)jint(doc, "ownerUID");
	s->ns_flags = (int)jint(doc, "namespaces");
	s->bundle = jstrdup(doc, "bundle");
	s->rootfs = jstrdup(doc, "rootfs");
	s->created = jstrdup(doc, "created");
	json_object *a;
	if (json_object_object_get_ex(doc, "annotations", &a) &&
	    json_object_get_type(a) == json_type_object)
		s->annotations = json_object_get(a);
	json_object_put(doc);
	return 0;
}

int state_write(int dirfd, const struct rt_state *s, struct err *e)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "ociVersion", json_object_new_string("1.2.0"));
	json_object_object_add(o, "id", json_object_new_string(s->id));
	json_object_object_add(o, "pid", json_object_new_int(s->pid));
	json_object_object_add(o, "pidStartTime", json_object_new_uint64(s->pid_start));
	json_object_object_add(o, "bundle", json_object_new_string(s->bundle ? s->bundle : ""));
	json_object_object_add(o, "rootfs", json_object_new_string(s->rootfs ? s->rootfs : ""));
	json_object_object_add(o, "created", json_object_new_string(s->created ? s->created : ""));
	json_object_object_add(o, "ownerUID", json_object_new_int64(s->owner));
	json_object_object_add(o, "namespaces", json_object_new_int(s->ns_flags));
	if (s->annotations)
		json_object_object_add(o, "annotations", json_object_get(s->annotations));
	const char *str = json_compact(o);
	int r = write_file_atomic(dirfd, STATE_FILE, str, strlen(str), 0600, e);
	json_object_put(o);
	if (r < 0)
		return err_prefix(e, "save state of container \"%s\"", s->id);
	return 0;
}

int state_remove(const char *root, const char *id, struct err *e)
{
	/* The common case is a directory holding only state.json: two
	 * system calls, no directory listing.  Anything else (an exec fifo,
	 * a leftover of a crash) takes the recursive way. */
	int r = state_check_id(id, e);
	if (r < 0)
		return r;
	char path[4096];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s/state.json", root, id) < sizeof(path)) {
		if (unlink(path) < 0 && errno != ENOENT)
			goto recursive;
		path[strlen(path) - strlen("/state.json")] = '\0';
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
	}
recursive:;
	_cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return errno == ENOENT ? 0 : err_sys(e, errno, "state root %s", root);
	r = rm_rf_at(rootfd, id);
	if (r < 0)
		return err_sys(e, -r, "remove state of container \"%s\"", id);
	return 0;
}

unsigned long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The command name may contain spaces and parentheses: fields
	 * start after the last ')'.  Field 3 is the state, 22 starttime. */
	char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return 0;
	p += 2;
	if (*p == 'Z' || *p == 'X')
		return 0; /* exited; a zombie is not a running container */
	int field = 3;
	while (*p && field < 22) {
		if (*p++ == ' ')
			field++;
	}
	return strtoull(p, NULL, 10);
}

enum rt_status state_status(int dirfd, const struct rt_state *s)
{
	if (!s->has_state) {
		/* No state.json: a create is in progress if it holds the lock;
		 * otherwise it died half-way and the container is dead. */
		if (flock(dirfd, LOCK_EX | LOCK_NB) < 0)
			return ST_CREATING;
		flock(dirfd, LOCK_UN);
		return ST_STOPPED;
	}
	if (s->pid <= 0)
		return ST_STOPPED;
	unsigned long long st = proc_start_time(s->pid);
	if (st == 0 || (s->pid_start && st != s->pid_start))
		return ST_STOPPED;
	if (faccessat(dirfd, STATE_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return ST_CREATED;
	return ST_RUNNING;
}

json_object *state_to_json(const struct rt_state *s, enum rt_status st, bool full)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "ociVersion", json_object_new_string("1.2.0"));
	json_object_object_add(o, "id", json_object_new_string(s->id));
	json_object_object_add(o, "pid", json_object_new_int(st == ST_STOPPED ? 0 : s->pid));
	json_object_object_add(o, "status", json_object_new_string(rt_status_name(st)));
	json_object_object_add(o, "bundle", json_object_new_string(s->bundle ? s->bundle : ""));
	if (full) {
		json_object_object_add(o, "rootfs",
				       json_object_new_string(s->rootfs ? s->rootfs : ""));
		json_object_object_add(o, "created",
				       json_object_new_string(s->created ? s->created : ""));
		json_object_object_add(o, "owner", json_object_new_string(""));
	}
	if (s->annotations && json_object_object_length(s->annotations) > 0)
		json_object_object_add(o, "annotations", json_object_get(s->annotations));
	return o;
}

int state_pidfd(const struct rt_state *s)
{
	if (s->pid <= 0)
		return -ESRCH;
	int fd = (int)syscall(SYS_pidfd_open, s->pid, 0);
	if (fd < 0)
		return -errno;
	/* Checked after opening: if the start time still matches now, the
	 * pidfd refers to the container's init and not a recycled pid. */
	unsigned long long st = proc_start_time(s->pid);
	if (st == 0 || (s->pid_start && st != s->pid_start)) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

/* Days since 1970-01-01 -> proleptic Gregorian date, by 400-year eras
 * (146097 days each).  gmtime_r would do, but glibc's gmtime loads
 * /etc/localtime (for leap seconds) on first use: six system calls and a
 * file parse on every container start. */
static void civil_from_days(long long z, int *y, unsigned *m, unsigned *d)
{
	z += 719468; /* shift the epoch to 0000-03-01 */
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);			      /* [0, 146096] */
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);		      /* [0, 365] */
	unsigned mp = (5 * doy + 2) / 153;				      /* [0, 11] */
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

void rfc3339_from(const struct timespec *ts, char buf[64])
{
	long long days = ts->tv_sec / 86400, secs = ts->tv_sec % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	int y;
	unsigned mo, d;
	civil_from_days(days, &y, &mo, &d);
	snprintf(buf, 64, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%09ldZ", y, mo, d, secs / 3600,
		 secs / 60 % 60, secs % 60, ts->tv_nsec);
}

void realtime_now(struct timespec *ts)
{
	/* The system call, not the vDSO: its first use maps two vvar pages
	 * (two page faults, ~20 us on a paravirtualised guest) where the
	 * call costs ~3 us, and a container start asks the time a few
	 * times only. */
	if (syscall(SYS_clock_gettime, CLOCK_REALTIME, ts) < 0)
		clock_gettime(CLOCK_REALTIME, ts);
}

void rfc3339_now(char buf[64])
{
	struct timespec ts;
	realtime_now(&ts);
	rfc3339_from(&ts, buf);
}
