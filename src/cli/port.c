/* port.c — `capsa port CONTAINER [PRIVATE_PORT[/PROTO]]`: the published
 * ports of a running container, as docker prints them
 * ("80/tcp -> 0.0.0.0:32768"; with PRIVATE_PORT only "0.0.0.0:32768"). */
#include "base/error.h"
#include "cli/commands.h"
#include "cli/engine_cli.h"
#include "engine/ctr.h"
#include "engine/store.h"
#include "net/cidr.h"
#include "net/net.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* "80", "80/tcp", "53/udp" */
static int parse_private(const char *s, uint16_t *port, uint8_t *proto, struct err *e)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (end == s || errno || v == 0 || v > 65535)
		return err_msg(e, EINVAL, "invalid port \"%s\": expected PORT[/tcp|udp]", s);
	*port = (uint16_t)v;
	*proto = IPPROTO_TCP;
	if (!*end || !strcmp(end, "/tcp"))
		return 0;
	if (!strcmp(end, "/udp")) {
		*proto = IPPROTO_UDP;
		return 0;
	}
	return err_msg(e, EINVAL, "invalid port \"%s\": expected PORT[/tcp|udp]", s);
}

int cmd_port(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		puts("usage: capsa port CONTAINER [PRIVATE_PORT[/PROTO]]\n\n"
		     "List the published ports of a running container, or the host\n"
		     "addresses one of its ports is published on.");
		return 0;
	}
	if (argc > 1 && argv[1][0] == '-')
		return eng_usage("port", "unknown option %s", argv[1]);
	if (argc < 2 || argc > 3)
		return eng_usage("port", "expects CONTAINER [PRIVATE_PORT[/PROTO]]");
	struct err e = {0};
	uint16_t want = 0;
	uint8_t proto = 0;
	if (argc == 3 && parse_private(argv[2], &want, &proto, &e) < 0)
		return cli_fail("port", &e, 1);
	struct ctr_store s;
	int rc = cli_store("port", &s);
	if (rc)
		return rc;
	char id[ID_HEX + 1];
	struct record r;
	struct net_result *res = calloc(1, sizeof(*res)); /* large: off the stack */
	size_t n = 0;
	if (!res) {
		err_sys(&e, ENOMEM, "port");
		rc = cli_fail("port", &e, 1);
		goto out;
	}
	if (ctr_store_lookup(&s, argv[1], id, &e) < 0 || ctr_load(&s, id, &r, &e) < 0) {
		rc = cli_fail("port", &e, 1);
		goto out;
	}
	bool running = r.state == CS_RUNNING;
	char name[160];
	snprintf(name, sizeof(name), "%s", r.name);
	record_free(&r);
	/* A container that does not run holds no port (released at exit). */
	if (running &&
	    net_ports(s.root, id, res->ports, sizeof(res->ports) / sizeof(res->ports[0]), &n, &e) <
		0 &&
	    e.code != ENOENT) {
		rc = cli_fail("port", &e, 1);
		goto out;
	}
	bool found = false;
	for (size_t i = 0; i < n; i++) {
		const struct net_port *p = &res->ports[i];
		char ip[16];
		const char *pr = p->proto == IPPROTO_UDP ? "udp" : "tcp";
		if (want && (p->ctr_port != want || p->proto != proto))
			continue;
		found = true;
		if (want)
			printf("%s:%u\n", ip4_format(p->host_ip, ip), p->host_port);
		else
			printf("%u/%s -> %s:%u\n", p->ctr_port, pr, ip4_format(p->host_ip, ip),
			       p->host_port);
	}
	if (want && !found) {
		err_msg(&e, ENOENT, "no public port '%u/%s' published for %s", want,
			proto == IPPROTO_UDP ? "udp" : "tcp", name);
		rc = cli_fail("port", &e, 1);
	}
out:
	free(res);
	ctr_store_close(&s);
	return rc;
}
