/* nft.h — the NAT rules of capsa's networks, as nf_tables netlink
 * batches: table "ip capsa" with nat chains prerouting, output and
 * postrouting.  Each rule is created with NLM_F_ECHO so its handle can
 * be kept and the rule deleted alone later. */
#ifndef CAPSA_NET_NFT_H
#define CAPSA_NET_NFT_H

#include <stdint.h>

#include "net/cidr.h"

struct nl;
struct err;
struct net_port;

#define NFT_TABLE "capsa"

/* A rule as kept for deletion: chain name and handle. */
struct nft_handle {
	char chain[16];
	uint64_t handle;
};

/* Masquerade traffic from `subnet` leaving it, and traffic from the
 * host's loopback (127/8) DNATed into it.  Two rules into h[0..1]. */
int nft_masq_add(struct nl *n, const struct cidr *subnet, struct nft_handle h[2], struct err *e);

/* DNAT for one published port to ctr_ip (host order), in prerouting and
 * output (the latter makes it reachable from the host itself, loopback
 * included).  Two rules into h[0..1]. */
int nft_dnat_add(struct nl *n, const struct net_port *p, uint32_t ctr_ip, struct nft_handle h[2],
		 struct err *e);

/* Delete rules by handle; rules already gone are success. */
int nft_del(struct nl *n, const struct nft_handle *h, int count, struct err *e);

#endif
