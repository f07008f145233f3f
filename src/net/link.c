/* link.c — rtnetlink requests (see link.h). */
#include "net/link.h"

#include "base/error.h"
#include "net/nl.h"

#include <endian.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/ipv6.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <string.h>
#include <sys/socket.h>

struct link_info {
	int index;
	int mtu;
};

static int on_link(const struct nlmsghdr *h, void *arg)
{
	struct link_info *li = arg;
	if (h->nlmsg_type != RTM_NEWLINK)
		return 0;
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct nlattr_view v;
	nl_parse_msg(h, sizeof(*ifi), &v);
	li->index = ifi->ifi_index;
	if (v.tb[IFLA_MTU])
		memcpy(&li->mtu, nla_data(v.tb[IFLA_MTU]), 4);
	return 0;
}

static int get_link(struct nl *n, const char *name, int index, struct link_info *li)
{
	struct nlbuf b;
	nlb_init(&b);
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = index};
	nlb_msg(&b, n, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi, sizeof(ifi));
	if (name)
		nlb_str(&b, IFLA_IFNAME, name);
	li->index = 0;
	li->mtu = 0;
	int r = nl_talk(n, &b, 0, on_link, li);
	if (r < 0)
		return r;
	return li->index > 0 ? 0 : -ENODEV;
}

int link_index(struct nl *n, const char *name)
{
	struct link_info li;
	int r = get_link(n, name, 0, &li);
	return r < 0 ? r : li.index;
}

int link_mtu(struct nl *n, int index)
{
	struct link_info li;
	int r = get_link(n, NULL, index, &li);
	return r < 0 ? r : li.mtu;
}

int link_bridge_add(struct nl *n, const char *name, struct err *e)
{
	struct nlbuf b;
	nlb_init(&b);
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	nlb_msg(&b, n, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &ifi,
		sizeof(ifi));
	nlb_str(&b, IFLA_IFNAME, name);
	size_t li = nlb_nest(&b, IFLA_LINKINFO);
	nlb_str(&b, IFLA_INFO_KIND, "bridge");
	nlb_end(&b, li);
	int r = nl_talk(n, &b, 0, NULL, NULL);
	if (r < 0 && r != -EEXIST)
		return err_sys(e, -r, "create bridge %s", name);
	return r;
}

int link_veth_add(struct nl *n, const char *host, int master, const char *peer, int peer_nsfd,
		  int mtu, struct err *e)
{
	struct nlbuf b;
	nlb_init(&b);
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	nlb_msg(&b, n, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &ifi,
		sizeof(ifi));
	nlb_str(&b, IFLA_IFNAME, host);
	/* One queue each way, asked for: veth otherwise allocates one per
	 * CPU and then cuts the real number to 1, and that cut waits for
	 * an expedited RCU grace period under the rtnl lock, for each end. */
	nlb_u32(&b, IFLA_NUM_TX_QUEUES, 1);
	nlb_u32(&b, IFLA_NUM_RX_QUEUES, 1);
	if (mtu > 0)
		nlb_u32(&b, IFLA_MTU, (uint32_t)mtu);
	if (master > 0)
		nlb_u32(&b, IFLA_MASTER, (uint32_t)master);
	size_t li = nlb_nest(&b, IFLA_LINKINFO);
	nlb_str(&b, IFLA_INFO_KIND, "veth");
	size_t data = nlb_nest(&b, IFLA_INFO_DATA);
	size_t pe = nlb_nest(&b, VETH_INFO_PEER);
	struct ifinfomsg pifi = {.ifi_family = AF_UNSPEC};
	/* VETH_INFO_PEER holds an ifinfomsg, then the peer's attributes. */
	nlb_raw(&b, &pifi, sizeof(pifi));
	nlb_str(&b, IFLA_IFNAME, peer);
	nlb_u32(&b, IFLA_NUM_TX_QUEUES, 1);
	nlb_u32(&b, IFLA_NUM_RX_QUEUES, 1);
	if (peer_nsfd >= 0)
		nlb_u32(&b, IFLA_NET_NS_FD, (uint32_t)peer_nsfd);
	if (mtu > 0)
		nlb_u32(&b, IFLA_MTU, (uint32_t)mtu);
	nlb_end(&b, pe);
	nlb_end(&b, data);
	nlb_end(&b, li);
	int r = nl_talk(n, &b, 0, NULL, NULL);
	if (r < 0)
		return err_sys(e, -r, "create veth pair %s/%s", host, peer);
	return 0;
}

int link_up(struct nl *n, int index, struct err *e)
{
	struct nlbuf b;
	nlb_init(&b);
	struct ifinfomsg ifi = {
	    .ifi_family = AF_UNSPEC, .ifi_index = index, .ifi_flags = IFF_UP, .ifi_change = IFF_UP};
	nlb_msg(&b, n, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi, sizeof(ifi));
	int r = nl_talk(n, &b, 0, NULL, NULL);
	if (r < 0)
		return err_sys(e, -r, "set interface %d up", index);
	return 0;
}

int link_up_noaddrconf(struct nl *n, int index, struct err *e)
{
	struct nlbuf b;
	nlb_init(&b);
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = index};
	nlb_msg(&b, n, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi, sizeof(ifi));
	size_t af = nlb_nest(&b, IFLA_AF_SPEC);
	size_t in6 = nlb_nest(&b, AF_INET6);
	nlb_u8(&b, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
	nlb_end(&b, in6);
	nlb_end(&b, af);
	/* Up in a second message of the same request: in one message the
	 * kernel would bring it up (and make the address) first. */
	ifi.ifi_flags = IFF_UP;
	ifi.ifi_change = IFF_UP;
	nlb_msg(&b, n, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi, sizeof(ifi));
	int r = nl_talk(n, &b, 0, NULL, NULL);
	if (r == -EAFNOSUPPORT) /* no IPv6 in this kernel: nothing to turn off */
		return link_up(n, index, e);
	if (r < 0)
		return err_sys(e, -r, "set interface %d up", index);
	return 0;
}

int link_del(struct nl *n, const char *name, struct err *e)
{
	struct nlbuf b;
	nlb_init(&b);
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	nlb_msg(&b, n, RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi, sizeof(ifi));
	nlb_str(&b, IFLA_IFNAME, name);
	int r = nl_talk(n, &b, 0, NULL, NULL);
	if (r == -ENODEV || r == -ENOENT)
		return 0;
	if (r < 0)
		return err_sys(e, -r, "delete interface %s", name);
	return 0;
}

int addr_add(struct nl *n, int index, uint32_t addr, uint8_t prefix, struct err *e)
{
	struct nlbuf b;
	nlb_init(&b);
	struct ifaddrmsg ifa = {.ifa_family = AF_INET,
				.ifa_prefixlen = prefix,
				.ifa_index = (uint32_t)index,
				.ifa_scope = RT_SCOPE_UNIVERSE};
	nlb_msg(&b, n, RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &ifa,
		sizeof(ifa));
	nlb_be32(&b, IFA_LOCAL, addr);
	nlb_be32(&b, IFA_ADDRESS, addr);
	if (prefix < 31)
		nlb_be32(&b, IFA_BROADCAST, addr | ~(prefix ? ~0u << (32 - prefix) : 0));
	int r = nl_talk(n, &b, 0, NULL, NULL);
	if (r < 0 && r != -EEXIST)
		return err_sys(e, -r, "add address to interface %d", index);
	return 0;
}

int route_add_default(struct nl *n, uint32_t gw, struct err *e)
{
	struct nlbuf b;
	nlb_init(&b);
	struct rtmsg rt = {.rtm_family = AF_INET,
			   .rtm_table = RT_TABLE_MAIN,
			   .rtm_protocol = RTPROT_BOOT,
			   .rtm_scope = RT_SCOPE_UNIVERSE,
			   .rtm_type = RTN_UNICAST};
	nlb_msg(&b, n, RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &rt,
		sizeof(rt));
	nlb_be32(&b, RTA_GATEWAY, gw);
	int r = nl_talk(n, &b, 0, NULL, NULL);
	if (r < 0 && r != -EEXIST)
		return err_sys(e, -r, "add default route");
	return 0;
}
