/* record.c — see record.h. */
#include "engine/record.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "runtime/state.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RECORD_FILE "record.json"

static const char *const state_names[] = {"created", "running", "exited"};

const char *ctr_state_name(enum ctr_state s)
{
	return state_names[s];
}

void record_free(struct record *r)
{
	free(r->name);
	free(r->image);
	free(r->rootfs);
	free(r->storage);
	strv_freep(&r->command);
	free(r->created);
	free(r->started);
	free(r->finished);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

static char *jstr(json_object *o, const char *k)
{
	json_object *v;
	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return strdup(json_object_get_string(v));
}

static long long jnum(json_object *o, const char *k)
{
	json_object *v;
	if (!json_object_object_get_ex(o, k, &v))
		return 0;
	return json_object_get_int64(v);
}

static bool jbool(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_get_boolean(v);
}

int record_read(int dirfd, const char *id, struct record *r, struct err *e)
{
	memset(r, 0, sizeof(*r));
	_cleanup_free_ char *buf = NULL;
	int rc = read_file_at(dirfd, RECORD_FILE, &buf, NULL, e);
	if (rc < 0)
		return err_prefix(e, "container %.12s", id);
	json_object *o = json_tokener_parse(buf);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return err_msg(e, EINVAL, "container %.12s: record.json: not a JSON object", id);
	}
	snprintf(r->id, sizeof(r->id), "%s", id);
	r->name = jstr(o, "name");
	r->image = jstr(o, "image");
	r->rootfs = jstr(o, "rootfs");
	r->storage = jstr(o, "storage");
	r->created = jstr(o, "created");
	r->started = jstr(o, "started");
	r->finished = jstr(o, "finished");
	r->error = jstr(o, "error");
	_cleanup_free_ char *st = jstr(o, "state");
	r->state = CS_CREATED;
	for (size_t i = 0; st && i < ARRAY_SIZE(state_names); i++)
		if (!strcmp(st, state_names[i]))
			r->state = (enum ctr_state)i;
	r->exit_code = (int)jnum(o, "exit_code");
	r->oom_killed = jbool(o, "oom_killed");
	r->auto_remove = jbool(o, "auto_remove");
	r->tty = jbool(o, "tty");
	r->interactive = jbool(o, "interactive");
	r->stop_signal = (int)jnum(o, "stop_signal");
	r->stop_timeout = (int)jnum(o, "stop_timeout");
	r->owner = (pid_t)jnum(o, "owner");
	r->owner_start = (unsigned long long)jnum(o, "owner_start");
	r->pid = (pid_t)jnum(o, "pid");
	r->log_max = jnum(o, "log_max");
	json_object *cmd;
	if (json_object_object_get_ex(o, "command", &cmd) &&
	    json_object_is_type(cmd, json_type_array)) {
		size_t n = json_object_array_length(cmd);
		r->command = calloc(n + 1, sizeof(char *));
		for (size_t i = 0; r->command && i < n; i++)
			r->command[i] =
			    strdup(json_object_get_string(json_object_array_get_idx(cmd, i)));
	}
	json_object_put(o);
	if (!r->name)
		return err_msg(e, EINVAL, "container %.12s: record.json: no name", id);
	return 0;
}

static void put_str(json_object *o, const char *k, const char *v)
{
	if (v)
		json_object_object_add(o, k, json_object_new_string(v));
}

int record_write(int dirfd, const struct record *r, struct err *e)
{
	json_object *o = json_object_new_object();
	if (!o)
		return err_sys(e, ENOMEM, "container %.12s: record", r->id);
	put_str(o, "id", r->id);
	put_str(o, "name", r->name);
	put_str(o, "image", r->image);
	put_str(o, "rootfs", r->rootfs);
	put_str(o, "storage", r->storage);
	put_str(o, "created", r->created);
	put_str(o, "started", r->started);
	put_str(o, "finished", r->finished);
	put_str(o, "error", r->error);
	put_str(o, "state", ctr_state_name(r->state));
	json_object_object_add(o, "exit_code", json_object_new_int(r->exit_code));
	json_object_object_add(o, "oom_killed", json_object_new_boolean(r->oom_killed));
	json_object_object_add(o, "auto_remove", json_object_new_boolean(r->auto_remove));
	json_object_object_add(o, "tty", json_object_new_boolean(r->tty));
	json_object_object_add(o, "interactive", json_object_new_boolean(r->interactive));
	json_object_object_add(o, "stop_signal", json_object_new_int(r->stop_signal));
	json_object_object_add(o, "stop_timeout", json_object_new_int(r->stop_timeout));
	json_object_object_add(o, "owner", json_object_new_int64(r->owner));
	json_object_object_add(o, "owner_start", json_object_new_int64((int64_t)r->owner_start));
	json_object_object_add(o, "pid", json_object_new_int64(r->pid));
	json_object_object_add(o, "log_max", json_object_new_int64(r->log_max));
	json_object *cmd = json_object_new_array();
	for (char **p = r->command; p && *p; p++)
		json_object_array_add(cmd, json_object_new_string(*p));
	json_object_object_add(o, "command", cmd);
	size_t len;
	const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
	int rc = s ? write_file_atomic(dirfd, RECORD_FILE, s, len, 0600, e)
		   : err_sys(e, ENOMEM, "container %.12s: record", r->id);
	json_object_put(o);
	if (rc < 0)
		return err_prefix(e, "container %.12s", r->id);
	return 0;
}

bool record_owner_alive(const struct record *r)
{
	if (r->owner <= 0)
		return false;
	unsigned long long st = proc_start_time(r->owner);
	return st != 0 && (r->owner_start == 0 || st == r->owner_start);
}

/* Seconds since an RFC 3339 UTC time, or -1. */
static long long age(const char *t)
{
	struct tm tm = {0};
	if (!t || !strptime(t, "%Y-%m-%dT%H:%M:%S", &tm))
		return -1;
	return (long long)(time(NULL) - timegm(&tm));
}

static void human(long long s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "a while");
	else if (s < 60)
		snprintf(buf, len, "%lld second%s", s, s == 1 ? "" : "s");
	else if (s < 3600)
		snprintf(buf, len, "%lld minute%s", s / 60, s / 60 == 1 ? "" : "s");
	else if (s < 86400)
		snprintf(buf, len, "%lld hour%s", s / 3600, s / 3600 == 1 ? "" : "s");
	else
		snprintf(buf, len, "%lld days", s / 86400);
}

void record_ago(const char *t, char *buf, size_t len)
{
	char h[32];
	human(age(t), h, sizeof(h));
	snprintf(buf, len, "%s ago", h);
}

void record_status_line(const struct record *r, char *buf, size_t len)
{
	char h[32];
	switch (r->state) {
	case CS_CREATED:
		snprintf(buf, len, "Created");
		break;
	case CS_RUNNING:
		human(age(r->started), h, sizeof(h));
		snprintf(buf, len, "Up %s", h);
		break;
	case CS_EXITED:
		human(age(r->finished), h, sizeof(h));
		snprintf(buf, len, "Exited (%d) %s ago", r->exit_code, h);
		break;
	}
}
