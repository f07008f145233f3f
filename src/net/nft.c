/* nft.c — nf_tables NAT rules over netlink (see nft.h).
 *
 * Why not libnftables: it parses nft's language at run time and pulls
 * in a parser, gmp and jansson; a static capsa would grow by megabytes
 * for the four rule shapes used here.  The messages are short enough to
 * build directly with nl.h. */
#include "net/nft.h"

#include "base/error.h"
#include "net/nl.h"
#include "net/ports.h"

#include <endian.h>
#include <errno.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#define NFT_TYPE(m) ((uint16_t)((NFNL_SUBSYS_NFTABLES << 8) | (m)))

static void *msg(struct nlbuf *b, struct nl *n, uint16_t type, uint16_t flags, uint8_t family)
{
	struct nfgenmsg g = {.nfgen_family = family,
			     .version = NFNETLINK_V0,
			     .res_id =
				 htobe16(type == NFNL_MSG_BATCH_BEGIN || type == NFNL_MSG_BATCH_END
					     ? NFNL_SUBSYS_NFTABLES
					     : 0)};
	return nlb_msg(b, n, type, flags, &g, sizeof(g));
}

static void batch_begin(struct nlbuf *b, struct nl *n)
{
	nlb_init(b);
	msg(b, n, NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, AF_UNSPEC);
}

static void batch_end(struct nlbuf *b, struct nl *n)
{
	msg(b, n, NFNL_MSG_BATCH_END, NLM_F_REQUEST, AF_UNSPEC);
}

static void add_chain(struct nlbuf *b, struct nl *n, const char *name, uint32_t hook, int32_t prio)
{
	msg(b, n, NFT_TYPE(NFT_MSG_NEWCHAIN), NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK,
	    NFPROTO_IPV4);
	nlb_str(b, NFTA_CHAIN_TABLE, NFT_TABLE);
	nlb_str(b, NFTA_CHAIN_NAME, name);
	size_t h = nlb_nest(b, NFTA_CHAIN_HOOK);
	nlb_be32(b, NFTA_HOOK_HOOKNUM, hook);
	nlb_be32(b, NFTA_HOOK_PRIORITY, (uint32_t)prio);
	nlb_end(b, h);
	nlb_str(b, NFTA_CHAIN_TYPE, "nat");
}

/* The table and its chains; NLM_F_CREATE without EXCL keeps what exists. */
static void ensure_table(struct nlbuf *b, struct nl *n)
{
	msg(b, n, NFT_TYPE(NFT_MSG_NEWTABLE), NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK,
	    NFPROTO_IPV4);
	nlb_str(b, NFTA_TABLE_NAME, NFT_TABLE);
	add_chain(b, n, "prerouting", NF_INET_PRE_ROUTING, -100);
	add_chain(b, n, "output", NF_INET_LOCAL_OUT, -100);
	add_chain(b, n, "postrouting", NF_INET_POST_ROUTING, 100);
}

/* --- expressions --------------------------------------------------------- */

static size_t expr_begin(struct nlbuf *b, const char *name, size_t *data)
{
	size_t el = nlb_nest(b, NFTA_LIST_ELEM);
	nlb_str(b, NFTA_EXPR_NAME, name);
	*data = nlb_nest(b, NFTA_EXPR_DATA);
	return el;
}

static void expr_end(struct nlbuf *b, size_t el, size_t data)
{
	nlb_end(b, data);
	nlb_end(b, el);
}

static void data_value(struct nlbuf *b, uint16_t type, const void *v, size_t len)
{
	size_t d = nlb_nest(b, type);
	nlb_attr(b, NFTA_DATA_VALUE, v, len);
	nlb_end(b, d);
}

static void e_payload(struct nlbuf *b, uint32_t base, uint32_t off, uint32_t len)
{
	size_t d, el = expr_begin(b, "payload", &d);
	nlb_be32(b, NFTA_PAYLOAD_DREG, NFT_REG_1);
	nlb_be32(b, NFTA_PAYLOAD_BASE, base);
	nlb_be32(b, NFTA_PAYLOAD_OFFSET, off);
	nlb_be32(b, NFTA_PAYLOAD_LEN, len);
	expr_end(b, el, d);
}

static void e_cmp(struct nlbuf *b, uint32_t op, const void *v, size_t len)
{
	size_t d, el = expr_begin(b, "cmp", &d);
	nlb_be32(b, NFTA_CMP_SREG, NFT_REG_1);
	nlb_be32(b, NFTA_CMP_OP, op);
	data_value(b, NFTA_CMP_DATA, v, len);
	expr_end(b, el, d);
}

static void e_mask(struct nlbuf *b, uint32_t mask_be)
{
	uint32_t zero = 0;
	size_t d, el = expr_begin(b, "bitwise", &d);
	nlb_be32(b, NFTA_BITWISE_SREG, NFT_REG_1);
	nlb_be32(b, NFTA_BITWISE_DREG, NFT_REG_1);
	nlb_be32(b, NFTA_BITWISE_LEN, 4);
	data_value(b, NFTA_BITWISE_MASK, &mask_be, 4);
	data_value(b, NFTA_BITWISE_XOR, &zero, 4);
	expr_end(b, el, d);
}

/* ip saddr|daddr & mask op net */
static void e_ip_in(struct nlbuf *b, uint32_t off, uint32_t net, uint8_t prefix, uint32_t op)
{
	uint32_t mask = htobe32(prefix ? ~0u << (32 - prefix) : 0), v = htobe32(net);
	e_payload(b, NFT_PAYLOAD_NETWORK_HEADER, off, 4);
	e_mask(b, mask);
	e_cmp(b, op, &v, 4);
}

static void e_immediate(struct nlbuf *b, uint32_t reg, const void *v, size_t len)
{
	size_t d, el = expr_begin(b, "immediate", &d);
	nlb_be32(b, NFTA_IMMEDIATE_DREG, reg);
	data_value(b, NFTA_IMMEDIATE_DATA, v, len);
	expr_end(b, el, d);
}

static void e_masq(struct nlbuf *b)
{
	size_t d, el = expr_begin(b, "masq", &d);
	expr_end(b, el, d);
}

static size_t rule_begin(struct nlbuf *b, struct nl *n, const char *chain)
{
	msg(b, n, NFT_TYPE(NFT_MSG_NEWRULE),
	    NLM_F_REQUEST | NLM_F_CREATE | NLM_F_APPEND | NLM_F_ECHO | NLM_F_ACK, NFPROTO_IPV4);
	nlb_str(b, NFTA_RULE_TABLE, NFT_TABLE);
	nlb_str(b, NFTA_RULE_CHAIN, chain);
	return nlb_nest(b, NFTA_RULE_EXPRESSIONS);
}

/* --- echo: the handles of the rules just made ------------------------------ */

struct echo {
	struct nft_handle *h;
	int max, got;
};

static int on_echo(const struct nlmsghdr *hdr, void *arg)
{
	struct echo *ec = arg;
	if (hdr->nlmsg_type != NFT_TYPE(NFT_MSG_NEWRULE) || ec->got >= ec->max)
		return 0;
	struct nlattr_view v;
	nl_parse_msg(hdr, sizeof(struct nfgenmsg), &v);
	if (!v.tb[NFTA_RULE_HANDLE] || !v.tb[NFTA_RULE_CHAIN])
		return 0;
	struct nft_handle *h = &ec->h[ec->got++];
	uint64_t be;
	memcpy(&be, nla_data(v.tb[NFTA_RULE_HANDLE]), 8);
	h->handle = be64toh(be);
	snprintf(h->chain, sizeof(h->chain), "%.*s", (int)nla_len(v.tb[NFTA_RULE_CHAIN]),
		 (const char *)nla_data(v.tb[NFTA_RULE_CHAIN]));
	return 0;
}

static int send_rules(struct nl *n, struct nlbuf *b, struct nft_handle *h, int count,
		      const char *what, struct err *e)
{
	batch_end(b, n);
	struct echo ec = {h, count, 0};
	int r = nl_talk(n, b, 0, on_echo, &ec);
	if (r < 0)
		return err_sys(e, -r, "nftables: %s", what);
	if (ec.got != count) {
		/* Keep nothing half-made: remove what did come back. */
		nft_del(n, h, ec.got, NULL);
		return err_msg(e, EPROTO, "nftables: %s: kernel returned %d of %d rule handles",
			       what, ec.got, count);
	}
	return 0;
}

int nft_masq_add(struct nl *n, const struct cidr *subnet, struct nft_handle h[2], struct err *e)
{
	struct nlbuf b;
	batch_begin(&b, n);
	ensure_table(&b, n);
	/* ip saddr SUBNET ip daddr != SUBNET masquerade */
	size_t ex = rule_begin(&b, n, "postrouting");
	e_ip_in(&b, 12, subnet->addr, subnet->prefix, NFT_CMP_EQ);
	e_ip_in(&b, 16, subnet->addr, subnet->prefix, NFT_CMP_NEQ);
	e_masq(&b);
	nlb_end(&b, ex);
	/* ip saddr 127.0.0.0/8 ip daddr SUBNET masquerade: a connection from
	 * the host's loopback to a published port, once DNATed, must not
	 * reach the container with a loopback source it cannot answer. */
	ex = rule_begin(&b, n, "postrouting");
	e_ip_in(&b, 12, 127u << 24, 8, NFT_CMP_EQ);
	e_ip_in(&b, 16, subnet->addr, subnet->prefix, NFT_CMP_EQ);
	e_masq(&b);
	nlb_end(&b, ex);
	char c[20];
	char what[64];
	snprintf(what, sizeof(what), "masquerade for %s", cidr_format(subnet, c));
	return send_rules(n, &b, h, 2, what, e);
}

static void dnat_rule(struct nlbuf *b, struct nl *n, const char *chain, const struct net_port *p,
		      uint32_t ctr_ip)
{
	size_t ex = rule_begin(b, n, chain);
	if (p->host_ip) {
		uint32_t v = htobe32(p->host_ip);
		e_payload(b, NFT_PAYLOAD_NETWORK_HEADER, 16, 4);
		e_cmp(b, NFT_CMP_EQ, &v, 4);
	} else {
		/* fib daddr type local */
		size_t d, el = expr_begin(b, "fib", &d);
		nlb_be32(b, NFTA_FIB_DREG, NFT_REG_1);
		nlb_be32(b, NFTA_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
		nlb_be32(b, NFTA_FIB_FLAGS, NFTA_FIB_F_DADDR);
		expr_end(b, el, d);
		uint32_t local = RTN_LOCAL;
		e_cmp(b, NFT_CMP_EQ, &local, 4);
	}
	/* meta l4proto P th dport HOSTPORT */
	size_t d, el = expr_begin(b, "meta", &d);
	nlb_be32(b, NFTA_META_DREG, NFT_REG_1);
	nlb_be32(b, NFTA_META_KEY, NFT_META_L4PROTO);
	expr_end(b, el, d);
	e_cmp(b, NFT_CMP_EQ, &p->proto, 1);
	uint16_t hp = htobe16(p->host_port), cp = htobe16(p->ctr_port);
	uint32_t ip = htobe32(ctr_ip);
	e_payload(b, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
	e_cmp(b, NFT_CMP_EQ, &hp, 2);
	/* dnat to CTRIP:CTRPORT */
	e_immediate(b, NFT_REG_1, &ip, 4);
	e_immediate(b, NFT_REG_2, &cp, 2);
	el = expr_begin(b, "nat", &d);
	nlb_be32(b, NFTA_NAT_TYPE, NFT_NAT_DNAT);
	nlb_be32(b, NFTA_NAT_FAMILY, NFPROTO_IPV4);
	nlb_be32(b, NFTA_NAT_REG_ADDR_MIN, NFT_REG_1);
	nlb_be32(b, NFTA_NAT_REG_PROTO_MIN, NFT_REG_2);
	expr_end(b, el, d);
	nlb_end(b, ex);
}

int nft_dnat_add(struct nl *n, const struct net_port *p, uint32_t ctr_ip, struct nft_handle h[2],
		 struct err *e)
{
	struct nlbuf b;
	batch_begin(&b, n);
	ensure_table(&b, n);
	dnat_rule(&b, n, "prerouting", p, ctr_ip);
	dnat_rule(&b, n, "output", p, ctr_ip);
	char pb[48], what[80];
	snprintf(what, sizeof(what), "publish %s", port_format(p, pb));
	return send_rules(n, &b, h, 2, what, e);
}

int nft_del(struct nl *n, const struct nft_handle *h, int count, struct err *e)
{
	int first = 0;
	/* One batch per rule: a rule already gone (ENOENT) must not undo
	 * the deletion of the others, as it would inside one batch. */
	for (int i = 0; i < count; i++) {
		if (!h[i].handle)
			continue;
		struct nlbuf b;
		batch_begin(&b, n);
		msg(&b, n, NFT_TYPE(NFT_MSG_DELRULE), NLM_F_REQUEST | NLM_F_ACK, NFPROTO_IPV4);
		nlb_str(&b, NFTA_RULE_TABLE, NFT_TABLE);
		nlb_str(&b, NFTA_RULE_CHAIN, h[i].chain);
		nlb_be64(&b, NFTA_RULE_HANDLE, h[i].handle);
		batch_end(&b, n);
		int r = nl_talk(n, &b, 0, NULL, NULL);
		if (r < 0 && r != -ENOENT && !first)
			first = err_sys(e, -r, "nftables: delete rule %s/%llu", h[i].chain,
					(unsigned long long)h[i].handle);
	}
	return first;
}
