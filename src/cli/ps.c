/* ps.c — `capsa ps [-a] [-q] [--format json]` (alias: list). */
#include "base/cleanup.h"
#include "base/error.h"
#include "cli/commands.h"
#include "cli/engine_cli.h"
#include "engine/ctr.h"
#include "engine/store.h"

#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

static void usage(const char *cmd, FILE *f)
{
	fprintf(f,
		"usage: capsa %s [-a] [-q] [--format json]\n\n"
		"List running containers (-a: all of them).\n\n"
		"Options:\n"
		"  -a, --all            every container, not only running ones\n"
		"  -q, --quiet          IDs only\n"
		"      --no-trunc       full IDs and commands\n"
		"      --format json    one JSON array of the records\n"
		"      --help           this help\n",
		cmd);
}

/* STATUS as docker shows it: "Up 5 minutes (Paused)" for a frozen one. */
static void status_line(struct ctr_store *s, const struct record *r, char *buf, size_t len,
			bool *paused)
{
	*paused = false;
	record_status_line(r, buf, len);
	if (r->state == CS_RUNNING && ctr_live(s, r->id, NULL, paused) && *paused)
		snprintf(buf + strlen(buf), len - strlen(buf), " (Paused)");
}

static json_object *to_json(struct ctr_store *s, const struct record *r)
{
	json_object *o = json_object_new_object(), *cmd = json_object_new_array();
	json_object_object_add(o, "Id", json_object_new_string(r->id));
	json_object_object_add(o, "Name", json_object_new_string(r->name));
	json_object_object_add(o, "Image", json_object_new_string(r->image ? r->image : r->rootfs));
	for (char **p = r->command; p && *p; p++)
		json_object_array_add(cmd, json_object_new_string(*p));
	json_object_object_add(o, "Command", cmd);
	char st[96];
	bool paused;
	status_line(s, r, st, sizeof(st), &paused);
	json_object_object_add(o, "State",
			       json_object_new_string(paused ? "paused" : ctr_state_name(r->state)));
	json_object_object_add(o, "Status", json_object_new_string(st));
	json_object_object_add(o, "Created", json_object_new_string(r->created ? r->created : ""));
	json_object_object_add(o, "ExitCode", json_object_new_int(r->exit_code));
	return o;
}

static void command_line(const struct record *r, char *buf, size_t len, bool trunc)
{
	size_t n = 0;
	buf[0] = '\0';
	for (char **p = r->command; p && *p && n + 1 < len; p++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", p == r->command ? "" : " ", *p);
	if (trunc && strlen(buf) > 20)
		strcpy(buf + 17, "...");
}

int cmd_ps(int argc, char **argv)
{
	const char *cmd = argv[0];
	static const struct option opts[] = {
	    {"all", no_argument, NULL, 'a'},	  {"quiet", no_argument, NULL, 'q'},
	    {"no-trunc", no_argument, NULL, 'N'}, {"format", required_argument, NULL, 'F'},
	    {"help", no_argument, NULL, 'H'},	  {0}};
	bool all = false, quiet = false, json = false, trunc = true;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "aq", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'N':
			trunc = false;
			break;
		case 'F':
			if (strcmp(optarg, "json"))
				return eng_usage(cmd, "--format \"%s\": only json is supported",
						 optarg);
			json = true;
			break;
		case 'H':
			usage(cmd, stdout);
			return 0;
		default:
			return eng_usage(cmd, "unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return eng_usage(cmd, "takes no arguments");
	struct ctr_store s;
	int rc = cli_store(cmd, &s);
	if (rc)
		return rc;
	struct err e = {0};
	char **ids = NULL;
	if (ctr_store_list(&s, &ids, &e) < 0) {
		ctr_store_close(&s);
		return cli_fail(cmd, &e, 1);
	}
	json_object *arr = json ? json_object_new_array() : NULL;
	if (!json && !quiet)
		printf("%-12s   %-20s   %-20s   %-18s   %-24s   %s\n", "CONTAINER ID", "IMAGE",
		       "COMMAND", "CREATED", "STATUS", "NAMES");
	for (char **p = ids; *p; p++) {
		struct record r;
		/* A container being created or removed right now has no
		 * record yet (or any more): not listed. */
		if (ctr_load(&s, *p, &r, NULL) < 0)
			continue;
		if (all || r.state == CS_RUNNING) {
			if (json) {
				json_object_array_add(arr, to_json(&s, &r));
			} else if (quiet) {
				printf("%.*s\n", trunc ? ID_SHORT : ID_HEX, r.id);
			} else {
				char cl[256], st[96], img[256], ago[48];
				record_ago(r.created, ago, sizeof(ago));
				command_line(&r, cl, sizeof(cl), trunc);
				bool paused;
				status_line(&s, &r, st, sizeof(st), &paused);
				snprintf(img, sizeof(img), "%s", r.image ? r.image : r.rootfs);
				if (trunc && strlen(img) > 20)
					strcpy(img + 17, "...");
				printf("%-12.*s   %-20s   \"%s\"%*s   %-18.18s   %-24s   %s\n",
				       trunc ? ID_SHORT : ID_HEX, r.id, img, cl,
				       (int)(18 - strlen(cl) > 18 ? 0 : 18 - strlen(cl)), "", ago,
				       st, r.name);
			}
		}
		record_free(&r);
	}
	if (json) {
		puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(arr);
	}
	strv_freep(&ids);
	ctr_store_close(&s);
	return 0;
}
