/* ports.c — published port specs and host port checks (see ports.h). */
#include "net/ports.h"

#include "base/cleanup.h"
#include "base/error.h"
#include "net/cidr.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int parse_port(const char *s, size_t len, uint16_t *out)
{
	if (len == 0 || len > 5)
		return -1;
	unsigned v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int port_parse(const char *spec, struct net_port *out, struct err *e)
{
	struct net_port p = {.proto = IPPROTO_TCP};
	char buf[128];
	if (strlen(spec) >= sizeof(buf))
		goto bad;
	snprintf(buf, sizeof(buf), "%s", spec);
	char *slash = strchr(buf, '/');
	if (slash) {
		*slash++ = 0;
		if (!strcmp(slash, "udp"))
			p.proto = IPPROTO_UDP;
		else if (strcmp(slash, "tcp"))
			return err_msg(e, EINVAL,
				       "invalid port \"%s\": protocol must be tcp or udp", spec);
	}
	/* Split from the right: [IP:]HOST:CTR or CTR. */
	char *c2 = strrchr(buf, ':');
	if (!c2) {
		if (parse_port(buf, strlen(buf), &p.ctr_port) < 0)
			goto bad;
		*out = p;
		return 0;
	}
	*c2 = 0;
	if (parse_port(c2 + 1, strlen(c2 + 1), &p.ctr_port) < 0)
		goto bad;
	char *c1 = strrchr(buf, ':');
	const char *host = buf;
	if (c1) {
		*c1 = 0;
		host = c1 + 1;
		if (buf[0] && ip4_parse(buf, &p.host_ip, NULL) < 0)
			return err_msg(e, EINVAL, "invalid port \"%s\": bad host address \"%s\"",
				       spec, buf);
	}
	if (*host && parse_port(host, strlen(host), &p.host_port) < 0)
		goto bad;
	*out = p;
	return 0;
bad:
	return err_msg(e, EINVAL,
		       "invalid port \"%s\": expected [IP:]HOSTPORT:CONTAINERPORT[/tcp|udp] "
		       "with ports 1-65535",
		       spec);
}

char *port_format(const struct net_port *p, char buf[48])
{
	char ip[16];
	snprintf(buf, 48, "%s:%u->%u/%s", ip4_format(p->host_ip, ip), p->host_port, p->ctr_port,
		 p->proto == IPPROTO_UDP ? "udp" : "tcp");
	return buf;
}

int port_check_free(struct net_port *p, struct err *e)
{
	int type = p->proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	_cleanup_close_ int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_sys(e, errno, "port check: socket");
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(p->host_port),
				 .sin_addr.s_addr = htonl(p->host_ip)};
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		char b[48];
		return err_sys(e, errno, "publish %s: host port %u/%s", port_format(p, b),
			       p->host_port, p->proto == IPPROTO_UDP ? "udp" : "tcp");
	}
	if (p->host_port == 0) {
		socklen_t l = sizeof(sa);
		if (getsockname(fd, (struct sockaddr *)&sa, &l) < 0)
			return err_sys(e, errno, "port check: getsockname");
		p->host_port = ntohs(sa.sin_port);
	}
	return 0;
}
