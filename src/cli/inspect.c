/* inspect.c — `capsa inspect CONTAINER...`: a JSON array, docker's
 * main field names. */
#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "cli/commands.h"
#include "cli/engine_cli.h"
#include "engine/ctr.h"
#include "engine/ctr_net.h"
#include "engine/store.h"
#include "net/cidr.h"
#include "net/net.h"

#include <json-c/json.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *ip_or_empty(uint32_t ip)
{
	char buf[16];
	return json_object_new_string(ip ? ip4_format(ip, buf) : "");
}

/* "IPAddress", "IPPrefixLen", "Gateway" into `o` (empty and 0 without
 * an address), as docker has them at the top and per network. */
static void add_address(json_object *o, const struct net_info *ni)
{
	uint32_t ip = ni ? ni->ip : 0;
	json_object_object_add(o, "IPAddress", ip_or_empty(ip));
	json_object_object_add(o, "IPPrefixLen", json_object_new_int(ip ? (int)ni->prefix : 0));
	json_object_object_add(o, "Gateway", ip_or_empty(ni ? ni->gateway : 0));
}

/* {"IPAddress", "IPPrefixLen", "Gateway", "Ports": {"80/tcp":
 * [{"HostIp", "HostPort"}]}, "Networks": {NAME: {the same three}}}. */
static json_object *net_settings(const struct net_info *ni)
{
	json_object *o = json_object_new_object(), *ports = json_object_new_object(),
		    *nets = json_object_new_object();
	add_address(o, ni);
	for (size_t i = 0; ni && i < ni->nports; i++) {
		const struct net_port *p = &ni->ports[i];
		char key[32], port[8], hip[16];
		snprintf(key, sizeof(key), "%u/%s", p->ctr_port,
			 p->proto == IPPROTO_UDP ? "udp" : "tcp");
		snprintf(port, sizeof(port), "%u", p->host_port);
		json_object *list;
		if (!json_object_object_get_ex(ports, key, &list)) {
			list = json_object_new_array();
			json_object_object_add(ports, key, list);
		}
		json_object *b = json_object_new_object();
		json_object_object_add(b, "HostIp", json_object_new_string(ip4_format(p->host_ip, hip)));
		json_object_object_add(b, "HostPort", json_object_new_string(port));
		json_object_array_add(list, b);
	}
	json_object_object_add(o, "Ports", ports);
	if (ni && ni->network[0]) {
		json_object *n = json_object_new_object();
		add_address(n, ni);
		json_object_object_add(nets, ni->network, n);
	}
	json_object_object_add(o, "Networks", nets);
	return o;
}

static json_object *inspect_one(struct ctr_store *s, const struct record *r)
{
	json_object *o = json_object_new_object(), *st = json_object_new_object();
	json_object_object_add(o, "Id", json_object_new_string(r->id));
	json_object_object_add(o, "Name", json_object_new_string(r->name));
	json_object_object_add(o, "Created", str_or_null(r->created));
	json_object_object_add(o, "Image", str_or_null(r->image));
	json_object_object_add(o, "Rootfs", str_or_null(r->rootfs));
	json_object *args = json_object_new_array();
	for (char **p = r->command && r->command[0] ? r->command + 1 : NULL; p && *p; p++)
		json_object_array_add(args, json_object_new_string(*p));
	json_object_object_add(o, "Path",
			       str_or_null(r->command && r->command[0] ? r->command[0] : NULL));
	json_object_object_add(o, "Args", args);
	/* The pid and the freezer are the runtime's to tell. */
	pid_t pid = 0;
	bool paused = false;
	bool running = r->state == CS_RUNNING && ctr_live(s, r->id, &pid, &paused);
	json_object_object_add(st, "Status", json_object_new_string(paused ? "paused"
									   : ctr_state_name(r->state)));
	json_object_object_add(st, "Running", json_object_new_boolean(r->state == CS_RUNNING));
	json_object_object_add(st, "Paused", json_object_new_boolean(paused));
	json_object_object_add(st, "Pid", json_object_new_int(running ? (int)pid : 0));
	json_object_object_add(st, "ExitCode", json_object_new_int(r->exit_code));
	json_object_object_add(st, "OOMKilled", json_object_new_boolean(r->oom_killed));
	json_object_object_add(st, "Error", json_object_new_string(r->error ? r->error : ""));
	json_object_object_add(st, "StartedAt", str_or_null(r->started));
	json_object_object_add(st, "FinishedAt", str_or_null(r->finished));
	json_object_object_add(o, "State", st);
	char path[PATH_MAX + 128];
	snprintf(path, sizeof(path), "%s/containers/%s/ctr.log", s->root, r->id);
	json_object_object_add(o, "LogPath", json_object_new_string(path));
	json_object *hc = json_object_new_object();
	json_object_object_add(hc, "AutoRemove", json_object_new_boolean(r->auto_remove));
	json_object_object_add(hc, "StopSignal", json_object_new_int(r->stop_signal));
	json_object_object_add(hc, "StopTimeout", json_object_new_int(r->stop_timeout));
	json_object_object_add(hc, "Tty", json_object_new_boolean(r->tty));
	/* The OCI spec it runs with, as generated. */
	snprintf(path, sizeof(path), "%s/containers/%s/config.json", s->root, r->id);
	json_object *spec = json_object_from_file(path);
	/* The network: docker's NetworkSettings, while it runs (released at
	 * exit: empty then, as docker shows a stopped container). */
	struct net_info ni;
	bool net = running && net_info(s->root, r->id, &ni, NULL) == 0;
	char mode[PATH_MAX + 96];
	if (net)
		snprintf(mode, sizeof(mode), "%s", ni.mode);
	else
		ctr_net_mode(s, r->id, spec, mode, sizeof(mode));
	json_object_object_add(hc, "NetworkMode", json_object_new_string(mode));
	json_object_object_add(o, "HostConfig", hc);
	json_object_object_add(o, "NetworkSettings", net_settings(net ? &ni : NULL));
	if (spec)
		json_object_object_add(o, "Spec", spec);
	return o;
}

int cmd_inspect(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		puts("usage: capsa inspect CONTAINER...\n\n"
		     "Print a JSON array describing the containers: Id, Name, State (Status,\n"
		     "Running, Paused, Pid, ExitCode, OOMKilled, StartedAt, FinishedAt), Path, Args,\n"
		     "HostConfig (NetworkMode ...), NetworkSettings (IPAddress, IPPrefixLen,\n"
		     "Gateway, Ports, Networks: while it runs), LogPath and the OCI Spec they run\n"
		     "with.");
		return 0;
	}
	if (argc > 1 && argv[1][0] == '-')
		return eng_usage("inspect", "unknown option %s", argv[1]);
	if (argc < 2)
		return eng_usage("inspect", "expects at least one CONTAINER");
	struct ctr_store s;
	int rc = cli_store("inspect", &s);
	if (rc)
		return rc;
	json_object *arr = json_object_new_array();
	for (int i = 1; i < argc; i++) {
		struct err e = {0};
		char id[ID_HEX + 1];
		struct record r;
		if (ctr_store_lookup(&s, argv[i], id, &e) < 0 || ctr_load(&s, id, &r, &e) < 0) {
			rc = cli_fail("inspect", &e, 1);
			continue;
		}
		json_object_array_add(arr, inspect_one(&s, &r));
		record_free(&r);
	}
	puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
						     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	ctr_store_close(&s);
	return rc;
}
