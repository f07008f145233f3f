/* nl.h — a minimal netlink client: a socket, a message builder with
 * nested attributes, and a request/acknowledge exchange.  Used for
 * rtnetlink (links, addresses, routes) and nf_tables (NAT rules); no
 * library and no `ip`/`nft` subprocess on the container start path.
 */
#ifndef CAPSA_NET_NL_H
#define CAPSA_NET_NL_H

#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>

struct err;

#define NL_BUF_MAX 16384

struct nl {
	int fd;
	uint32_t seq;
};

/* A request: one or more messages (an nf_tables batch) in one buffer. */
struct nlbuf {
	size_t len;
	size_t msg; /* offset of the message being built */
	int overflow;
	uint32_t nmsgs_ack; /* messages that asked for an acknowledgement */
	unsigned char buf[NL_BUF_MAX] __attribute__((aligned(NLMSG_ALIGNTO)));
};

/* Open a netlink socket of `proto` (NETLINK_ROUTE, NETLINK_NETFILTER) in
 * the caller's current network namespace; a socket stays bound to the
 * namespace it was made in. */
int nl_open(struct nl *n, int proto, struct err *e);
void nl_close(struct nl *n);

void nlb_init(struct nlbuf *b);
/* Start a message: header, then `hdrlen` bytes of the family header. */
void *nlb_msg(struct nlbuf *b, struct nl *n, uint16_t type, uint16_t flags, const void *hdr,
	      size_t hdrlen);
void nlb_attr(struct nlbuf *b, uint16_t type, const void *data, size_t len);
/* Raw bytes inside the current attribute (a nested family header). */
void nlb_raw(struct nlbuf *b, const void *data, size_t len);
void nlb_u8(struct nlbuf *b, uint16_t type, uint8_t v);
void nlb_u32(struct nlbuf *b, uint16_t type, uint32_t v);
void nlb_be16(struct nlbuf *b, uint16_t type, uint16_t host_order);
void nlb_be32(struct nlbuf *b, uint16_t type, uint32_t host_order);
void nlb_be64(struct nlbuf *b, uint16_t type, uint64_t host_order);
void nlb_str(struct nlbuf *b, uint16_t type, const char *s);
/* Nested attribute: start returns a cookie for end. */
size_t nlb_nest(struct nlbuf *b, uint16_t type);
void nlb_end(struct nlbuf *b, size_t cookie);

/* Called for every non-error, non-done message of a reply. */
typedef int (*nl_cb)(const struct nlmsghdr *h, void *arg);

/* Send the buffer; read replies until every message that asked for an
 * acknowledgement has one (or, with `dump`, until NLMSG_DONE).  Returns
 * 0 or the first negative errno the kernel reported; no message is set
 * (the caller names the object). */
int nl_talk(struct nl *n, struct nlbuf *b, int dump, nl_cb cb, void *arg);

/* Attribute walking over a message's payload after `hdrlen`. */
struct nlattr_view {
	const struct nlattr *tb[64];
};
void nl_parse(const void *attrs, size_t len, struct nlattr_view *v);
void nl_parse_msg(const struct nlmsghdr *h, size_t hdrlen, struct nlattr_view *v);
static inline const void *nla_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}
static inline size_t nla_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

#endif
