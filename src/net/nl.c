/* nl.c — netlink socket, message builder and exchange (see nl.h). */
#include "net/nl.h"

#include "base/error.h"

#include <endian.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int nl_open(struct nl *n, int proto, struct err *e)
{
	n->seq = 1;
	n->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);
	if (n->fd < 0)
		return err_sys(e, errno, "netlink socket (protocol %d)", proto);
	int one = 1;
	/* Extended acks carry the kernel's reason; best effort. */
	(void)setsockopt(n->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	if (bind(n->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = err_sys(e, errno, "netlink bind");
		close(n->fd);
		n->fd = -1;
		return r;
	}
	return 0;
}

void nl_close(struct nl *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

void nlb_init(struct nlbuf *b)
{
	b->len = 0;
	b->msg = 0;
	b->overflow = 0;
	b->nmsgs_ack = 0;
}

static void *grow(struct nlbuf *b, size_t len)
{
	size_t al = NLMSG_ALIGN(len);
	if (b->overflow || b->len + al > sizeof(b->buf)) {
		b->overflow = 1;
		return NULL;
	}
	void *p = b->buf + b->len;
	memset(p, 0, al);
	b->len += al;
	((struct nlmsghdr *)(b->buf + b->msg))->nlmsg_len = (uint32_t)(b->len - b->msg);
	return p;
}

void *nlb_msg(struct nlbuf *b, struct nl *n, uint16_t type, uint16_t flags, const void *hdr,
	      size_t hdrlen)
{
	size_t need = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);
	if (b->overflow || b->len + need > sizeof(b->buf)) {
		b->overflow = 1;
		return NULL;
	}
	b->msg = b->len;
	struct nlmsghdr *h = (struct nlmsghdr *)(b->buf + b->len);
	memset(h, 0, need);
	b->len += need;
	h->nlmsg_len = (uint32_t)need;
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = n->seq++;
	if (flags & NLM_F_ACK)
		b->nmsgs_ack++;
	void *fam = (char *)h + NLMSG_HDRLEN;
	if (hdr)
		memcpy(fam, hdr, hdrlen);
	return fam;
}

void nlb_attr(struct nlbuf *b, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = grow(b, NLA_HDRLEN + len);
	if (!a)
		return;
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
}

void nlb_raw(struct nlbuf *b, const void *data, size_t len)
{
	void *p = grow(b, len);
	if (p)
		memcpy(p, data, len);
}

void nlb_u8(struct nlbuf *b, uint16_t type, uint8_t v)
{
	nlb_attr(b, type, &v, 1);
}

void nlb_u32(struct nlbuf *b, uint16_t type, uint32_t v)
{
	nlb_attr(b, type, &v, 4);
}

void nlb_be16(struct nlbuf *b, uint16_t type, uint16_t v)
{
	uint16_t x = htobe16(v);
	nlb_attr(b, type, &x, 2);
}

void nlb_be32(struct nlbuf *b, uint16_t type, uint32_t v)
{
	uint32_t x = htobe32(v);
	nlb_attr(b, type, &x, 4);
}

void nlb_be64(struct nlbuf *b, uint16_t type, uint64_t v)
{
	uint64_t x = htobe64(v);
	nlb_attr(b, type, &x, 8);
}

void nlb_str(struct nlbuf *b, uint16_t type, const char *s)
{
	nlb_attr(b, type, s, strlen(s) + 1);
}

size_t nlb_nest(struct nlbuf *b, uint16_t type)
{
	size_t off = b->len;
	struct nlattr *a = grow(b, NLA_HDRLEN);
	if (a)
		a->nla_type = type | NLA_F_NESTED;
	return off;
}

void nlb_end(struct nlbuf *b, size_t cookie)
{
	if (b->overflow)
		return;
	struct nlattr *a = (struct nlattr *)(b->buf + cookie);
	a->nla_len = (uint16_t)(b->len - cookie);
}

int nl_talk(struct nl *n, struct nlbuf *b, int dump, nl_cb cb, void *arg)
{
	if (b->overflow)
		return -EMSGSIZE;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	ssize_t w;
	do
		w = sendto(n->fd, b->buf, b->len, 0, (struct sockaddr *)&sa, sizeof(sa));
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	if ((size_t)w != b->len)
		return -EMSGSIZE;

	uint32_t acks = 0;
	int first_err = 0;
	static const size_t rbuf_len = 65536;
	char rbuf[65536] __attribute__((aligned(NLMSG_ALIGNTO)));
	/* The kernel handles a request in sendto() itself, so every reply
	 * to a non-dump request is queued by now: read without waiting, and
	 * a missing acknowledgement (a batch refused as a whole answers
	 * once) cannot block us. */
	int flags = dump ? 0 : MSG_DONTWAIT;
	while (dump || acks < b->nmsgs_ack) {
		ssize_t r = recv(n->fd, rbuf, rbuf_len, flags);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN && !dump)
				return first_err ? first_err : -EPROTO;
			return -errno;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)r);
		     h = NLMSG_NEXT(h, r)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				if (dump)
					return first_err;
				continue;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *me = NLMSG_DATA(h);
				acks++;
				if (me->error && !first_err)
					first_err = me->error;
				if (me->error && dump)
					return first_err;
				continue;
			}
			if (cb) {
				int cr = cb(h, arg);
				if (cr < 0 && !first_err)
					first_err = cr;
			}
		}
	}
	return first_err;
}

void nl_parse(const void *attrs, size_t len, struct nlattr_view *v)
{
	memset(v, 0, sizeof(*v));
	const struct nlattr *a = attrs;
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		uint16_t t = a->nla_type & NLA_TYPE_MASK;
		if (t < sizeof(v->tb) / sizeof(v->tb[0]))
			v->tb[t] = a;
		size_t step = NLA_ALIGN(a->nla_len);
		if (step > len)
			break;
		len -= step;
		a = (const struct nlattr *)((const char *)a + step);
	}
}

void nl_parse_msg(const struct nlmsghdr *h, size_t hdrlen, struct nlattr_view *v)
{
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);
	if (h->nlmsg_len < off) {
		memset(v, 0, sizeof(*v));
		return;
	}
	nl_parse((const char *)h + off, h->nlmsg_len - off, v);
}
