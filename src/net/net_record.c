/* net_record.c — a container's network record (see record.h). */
#include "net/net_record.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "net/cidr.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int record_path(const char *root, const char *id, const char *suffix, char *buf, size_t len,
		struct err *e)
{
	int n = snprintf(buf, len, "%s/net/%s%s", root, id ? id : "", suffix ? suffix : "");
	if (n < 0 || (size_t)n >= len)
		return err_msg(e, ENAMETOOLONG, "container %s: network state path too long",
			       id ? id : "");
	return 0;
}

static json_object *jstr(const char *s)
{
	return json_object_new_string(s);
}

int net_record_write(const char *root, const char *id, const struct net_record *r, struct err *e)
{
	char dir[PATH_MAX], name[300], ip[16];
	int rc = record_path(root, NULL, NULL, dir, sizeof(dir), e);
	if (rc < 0)
		return rc;
	snprintf(name, sizeof(name), "%s.json", id);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "mode", jstr(r->mode));
	json_object_object_add(o, "network", jstr(r->network));
	json_object_object_add(o, "ip", jstr(r->ip ? ip4_format(r->ip, ip) : ""));
	json_object_object_add(o, "veth", jstr(r->veth));
	json_object_object_add(o, "netns", jstr(r->netns));
	json_object_object_add(o, "own_netns", json_object_new_boolean(r->own_netns));
	json_object_object_add(o, "helper", json_object_new_int(r->helper));
	json_object *ports = json_object_new_array();
	for (size_t i = 0; i < r->nports; i++) {
		const struct net_port *p = &r->ports[i];
		json_object *po = json_object_new_object();
		json_object_object_add(po, "proto", json_object_new_int(p->proto));
		json_object_object_add(po, "host_ip", jstr(ip4_format(p->host_ip, ip)));
		json_object_object_add(po, "host_port", json_object_new_int(p->host_port));
		json_object_object_add(po, "ctr_port", json_object_new_int(p->ctr_port));
		json_object *rules = json_object_new_array();
		for (int k = 0; k < 2; k++) {
			json_object *ro = json_object_new_object();
			json_object_object_add(ro, "chain", jstr(r->rules[i][k].chain));
			json_object_object_add(
			    ro, "handle", json_object_new_int64((int64_t)r->rules[i][k].handle));
			json_object_array_add(rules, ro);
		}
		json_object_object_add(po, "rules", rules);
		json_object_array_add(ports, po);
	}
	json_object_object_add(o, "ports", ports);
	const char *text = json_object_to_json_string(o);
	_cleanup_close_ int dfd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (dfd < 0)
		rc = err_sys(e, errno, "open %s", dir);
	else
		rc = write_file_atomic(dfd, name, text, strlen(text), 0644, e);
	json_object_put(o);
	return rc;
}

static const char *sget(json_object *o, const char *k)
{
	json_object *v;
	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

static int64_t iget(json_object *o, const char *k)
{
	json_object *v;
	if (!json_object_object_get_ex(o, k, &v))
		return 0;
	return json_object_get_int64(v);
}

int net_record_read(const char *root, const char *id, struct net_record *r, struct err *e)
{
	char path[PATH_MAX];
	int rc = record_path(root, id, ".json", path, sizeof(path), e);
	if (rc < 0)
		return rc;
	_cleanup_free_ char *text = NULL;
	rc = read_file_at(AT_FDCWD, path, &text, NULL, NULL);
	if (rc == -ENOENT)
		return rc;
	if (rc < 0)
		return err_sys(e, -rc, "read %s", path);
	json_object *o = json_tokener_parse(text);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return err_msg(e, EINVAL, "%s: not a network record", path);
	}
	memset(r, 0, sizeof(*r));
	snprintf(r->mode, sizeof(r->mode), "%s", sget(o, "mode"));
	snprintf(r->network, sizeof(r->network), "%s", sget(o, "network"));
	if (*sget(o, "ip"))
		ip4_parse(sget(o, "ip"), &r->ip, NULL);
	snprintf(r->veth, sizeof(r->veth), "%s", sget(o, "veth"));
	snprintf(r->netns, sizeof(r->netns), "%s", sget(o, "netns"));
	r->own_netns = iget(o, "own_netns") != 0;
	r->helper = (pid_t)iget(o, "helper");
	json_object *ports;
	if (json_object_object_get_ex(o, "ports", &ports) &&
	    json_object_is_type(ports, json_type_array)) {
		size_t n = json_object_array_length(ports);
		for (size_t i = 0; i < n && i < NET_MAX_PORTS; i++) {
			json_object *po = json_object_array_get_idx(ports, i);
			struct net_port *p = &r->ports[i];
			p->proto = (uint8_t)iget(po, "proto");
			ip4_parse(sget(po, "host_ip"), &p->host_ip, NULL);
			p->host_port = (uint16_t)iget(po, "host_port");
			p->ctr_port = (uint16_t)iget(po, "ctr_port");
			json_object *rules;
			if (json_object_object_get_ex(po, "rules", &rules))
				for (size_t k = 0; k < 2 && k < json_object_array_length(rules);
				     k++) {
					json_object *ro = json_object_array_get_idx(rules, k);
					snprintf(r->rules[i][k].chain, sizeof(r->rules[i][k].chain),
						 "%s", sget(ro, "chain"));
					r->rules[i][k].handle = (uint64_t)iget(ro, "handle");
				}
			r->nports = i + 1;
		}
	}
	json_object_put(o);
	return 0;
}

int record_remove(const char *root, const char *id, struct err *e)
{
	char path[PATH_MAX];
	int rc = record_path(root, id, ".json", path, sizeof(path), e);
	if (rc < 0)
		return rc;
	if (unlink(path) < 0 && errno != ENOENT)
		return err_sys(e, errno, "remove %s", path);
	return 0;
}
