/* cidr.c — IPv4 address and subnet arithmetic (see cidr.h). */
#include "net/cidr.h"

#include "base/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int ip4_parse(const char *s, uint32_t *out, struct err *e)
{
	uint32_t a = 0;
	const char *p = s;
	for (int i = 0; i < 4; i++) {
		if (*p < '0' || *p > '9')
			goto bad;
		unsigned v = 0;
		int digits = 0;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (unsigned)(*p++ - '0');
			if (++digits > 3 || v > 255)
				goto bad;
		}
		/* No leading zeros: "010" is octal to some parsers. */
		if (digits > 1 && p[-digits] == '0')
			goto bad;
		a = a << 8 | v;
		if (i < 3 && *p++ != '.')
			goto bad;
	}
	if (*p)
		goto bad;
	*out = a;
	return 0;
bad:
	return err_msg(e, EINVAL, "invalid IPv4 address \"%s\"", s);
}

char *ip4_format(uint32_t a, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return buf;
}

uint32_t cidr_mask(uint8_t prefix)
{
	return prefix ? ~0u << (32 - prefix) : 0;
}

int cidr_parse(const char *s, struct cidr *out, struct err *e)
{
	const char *slash = strchr(s, '/');
	char ip[16];
	if (!slash || (size_t)(slash - s) >= sizeof(ip))
		return err_msg(e, EINVAL, "invalid subnet \"%s\": expected ADDRESS/PREFIX", s);
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = 0;
	uint32_t a;
	if (ip4_parse(ip, &a, NULL) < 0)
		return err_msg(e, EINVAL, "invalid subnet \"%s\": bad address \"%s\"", s, ip);
	const char *p = slash + 1;
	unsigned n = 0;
	if (!*p || strlen(p) > 2)
		return err_msg(e, EINVAL, "invalid subnet \"%s\": bad prefix length", s);
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return err_msg(e, EINVAL, "invalid subnet \"%s\": bad prefix length", s);
		n = n * 10 + (unsigned)(*p - '0');
	}
	if (n < 8 || n > 30)
		return err_msg(e, EINVAL, "invalid subnet \"%s\": prefix length %u outside 8..30",
			       s, n);
	if (a & ~cidr_mask((uint8_t)n))
		return err_msg(e, EINVAL,
			       "invalid subnet \"%s\": host bits set (did you mean %s/%u?)", s,
			       ip4_format(a & cidr_mask((uint8_t)n), ip), n);
	out->addr = a;
	out->prefix = (uint8_t)n;
	return 0;
}

char *cidr_format(const struct cidr *c, char buf[20])
{
	char ip[16];
	snprintf(buf, 20, "%s/%u", ip4_format(c->addr, ip), c->prefix);
	return buf;
}

bool cidr_contains(const struct cidr *c, uint32_t a)
{
	return (a & cidr_mask(c->prefix)) == c->addr;
}

bool cidr_overlap(const struct cidr *a, const struct cidr *b)
{
	uint8_t p = a->prefix < b->prefix ? a->prefix : b->prefix;
	return ((a->addr ^ b->addr) & cidr_mask(p)) == 0;
}

uint32_t cidr_size(const struct cidr *c)
{
	return c->prefix ? 1u << (32 - c->prefix) : 0;
}
