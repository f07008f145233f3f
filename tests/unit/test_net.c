/* test_net.c — CIDR parsing and overlap, -p specs, the address
 * allocator (also under concurrent processes), hosts and resolv.conf
 * contents, and netlink message building. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/cleanup.h"
#include "base/error.h"
#include "base/fs.h"
#include "net/cidr.h"
#include "net/helper.h"
#include "net/hosts.h"
#include "net/ipam.h"
#include "net/net.h"
#include "net/network.h"
#include "net/nl.h"
#include "net/ports.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/capsa-test-net.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	return rm_rf_at(AT_FDCWD, dir);
}

static void test_cidr(void **state)
{
	struct err e = {0};
	struct cidr c, d;
	char buf[20];
	assert_int_equal(cidr_parse("10.88.0.0/16", &c, &e), 0);
	assert_int_equal(c.addr, 0x0a580000u);
	assert_int_equal(c.prefix, 16);
	assert_string_equal(cidr_format(&c, buf), "10.88.0.0/16");
	assert_int_equal(cidr_size(&c), 65536);
	assert_int_equal(cidr_parse("10.88.0.1/16", &c, &e), -EINVAL);
	assert_string_equal(
	    e.msg, "invalid subnet \"10.88.0.1/16\": host bits set (did you mean 10.88.0.0/16?)");
	assert_int_equal(cidr_parse("10.88.0.0", &c, &e), -EINVAL);
	assert_int_equal(cidr_parse("10.88.0.0/33", &c, &e), -EINVAL);
	assert_int_equal(cidr_parse("10.88.0.0/31", &c, &e), -EINVAL); /* no room */
	assert_int_equal(cidr_parse("256.0.0.0/8", &c, &e), -EINVAL);
	assert_int_equal(cidr_parse("10.088.0.0/16", &c, &e), -EINVAL);
	assert_int_equal(cidr_parse("10.88.0.0/1x", &c, &e), -EINVAL);
	assert_int_equal(cidr_parse("1.2.3.0/24", &c, NULL), 0);
	assert_int_equal(cidr_parse("1.2.0.0/16", &d, NULL), 0);
	assert_true(cidr_overlap(&c, &d));
	assert_true(cidr_overlap(&d, &c));
	assert_int_equal(cidr_parse("1.3.0.0/16", &d, NULL), 0);
	assert_false(cidr_overlap(&c, &d));
	assert_true(cidr_contains(&d, 0x0103ffffu));
	assert_false(cidr_contains(&d, 0x0104000u));
	uint32_t a;
	assert_int_equal(ip4_parse("192.168.1.254", &a, &e), 0);
	assert_string_equal(ip4_format(a, buf), "192.168.1.254");
	assert_int_equal(ip4_parse("1.2.3", &a, &e), -EINVAL);
	assert_int_equal(ip4_parse("1.2.3.4.5", &a, &e), -EINVAL);
}

static void test_ports(void **state)
{
	struct err e = {0};
	struct net_port p;
	char b[48];
	assert_int_equal(port_parse("8080:80", &p, &e), 0);
	assert_string_equal(port_format(&p, b), "0.0.0.0:8080->80/tcp");
	assert_int_equal(port_parse("127.0.0.1:53:5353/udp", &p, &e), 0);
	assert_int_equal(p.proto, IPPROTO_UDP);
	assert_string_equal(port_format(&p, b), "127.0.0.1:53->5353/udp");
	assert_int_equal(port_parse("80", &p, &e), 0);
	assert_int_equal(p.host_port, 0);
	assert_int_equal(p.ctr_port, 80);
	assert_int_equal(port_parse("::80", &p, &e), 0); /* empty IP and host port */
	assert_int_equal(port_parse("8080:80/sctp", &p, &e), -EINVAL);
	assert_string_equal(e.msg, "invalid port \"8080:80/sctp\": protocol must be tcp or udp");
	assert_int_equal(port_parse("0:80", &p, &e), -EINVAL);
	assert_int_equal(port_parse("65536:80", &p, &e), -EINVAL);
	assert_int_equal(port_parse("x:80", &p, &e), -EINVAL);
	assert_int_equal(port_parse("1.2.3:80:80", &p, &e), -EINVAL);
	assert_int_equal(port_parse("", &p, &e), -EINVAL);
}

static void test_ipam_sequence(void **state)
{
	struct err e = {0};
	struct cidr c;
	char path[128], ip[16];
	assert_int_equal(cidr_parse("10.9.0.0/29", &c, NULL), 0); /* .2 to .6 usable */
	snprintf(path, sizeof(path), "%s/ipam", dir);
	int fd = ipam_open(path, &c, &e);
	assert_true(fd >= 0);
	uint32_t a[6], n;
	for (int i = 0; i < 5; i++)
		assert_int_equal(ipam_alloc(fd, &c, &a[i], &e), 0);
	assert_string_equal(ip4_format(a[0], ip), "10.9.0.2");
	assert_string_equal(ip4_format(a[4], ip), "10.9.0.6");
	assert_int_equal(ipam_alloc(fd, &c, &a[5], &e), -ENOSPC);
	assert_string_equal(e.msg, "subnet 10.9.0.0/29: no free address (5 in use)");
	assert_int_equal(ipam_release(fd, &c, a[1], &e), 0);
	assert_int_equal(ipam_release(fd, &c, a[1], &e), 0); /* twice: no-op */
	assert_int_equal(ipam_count(fd, &n, &e), 0);
	assert_int_equal(n, 4);
	assert_int_equal(ipam_alloc(fd, &c, &a[5], &e), 0); /* wraps to the freed one */
	assert_string_equal(ip4_format(a[5], ip), "10.9.0.3");
	close(fd);
	/* Persistent: a new open sees the same state. */
	fd = ipam_open(path, &c, &e);
	assert_int_equal(ipam_count(fd, &n, &e), 0);
	assert_int_equal(n, 5);
	close(fd);
	struct cidr other;
	cidr_parse("10.9.0.0/24", &other, NULL);
	assert_int_equal(ipam_open(path, &other, &e), -EINVAL);
}

/* 20 processes take 10 addresses each under the lock: 200 distinct. */
static void test_ipam_concurrent(void **state)
{
	struct cidr c;
	char path[128];
	assert_int_equal(cidr_parse("10.10.0.0/16", &c, NULL), 0);
	snprintf(path, sizeof(path), "%s/ipam2", dir);
	int pipefd[2];
	assert_int_equal(pipe(pipefd), 0);
	for (int k = 0; k < 20; k++) {
		pid_t p = fork();
		assert_true(p >= 0);
		if (p == 0) {
			for (int i = 0; i < 10; i++) {
				struct err e;
				uint32_t a;
				int fd = ipam_open(path, &c, &e);
				if (fd < 0 || ipam_alloc(fd, &c, &a, &e) < 0)
					_exit(1);
				close(fd);
				if (write(pipefd[1], &a, 4) != 4)
					_exit(1);
			}
			_exit(0);
		}
	}
	close(pipefd[1]);
	int st, bad = 0;
	while (wait(&st) > 0)
		bad |= !WIFEXITED(st) || WEXITSTATUS(st);
	assert_int_equal(bad, 0);
	static uint8_t seen[65536];
	uint32_t a;
	int got = 0;
	while (read(pipefd[0], &a, 4) == 4) {
		assert_true(cidr_contains(&c, a));
		assert_int_equal(seen[a & 0xffff], 0);
		seen[a & 0xffff] = 1;
		got++;
	}
	close(pipefd[0]);
	assert_int_equal(got, 200);
}

static void test_hosts(void **state)
{
	struct err e = {0};
	_cleanup_free_ char *h = NULL;
	assert_int_equal(hosts_contents("10.88.0.2 abc web abc123\n10.88.0.3 def db db\n", &h, &e),
			 0);
	assert_string_equal(h, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
			       "10.88.0.2\tweb abc123\n10.88.0.3\tdb\n");
	char path[128];
	snprintf(path, sizeof(path), "%s/hosts", dir);
	assert_int_equal(hosts_rewrite(path, "a long first version\n", &e), 0);
	assert_int_equal(hosts_rewrite(path, "short\n", &e), 0);
	_cleanup_free_ char *back = NULL;
	assert_int_equal(read_file_at(AT_FDCWD, path, &back, NULL, &e), 0);
	assert_string_equal(back, "short\n");
}

static int put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void test_resolv(void **state)
{
	struct err e = {0};
	char host[128], fb[128];
	snprintf(host, sizeof(host), "%s/resolv", dir);
	snprintf(fb, sizeof(fb), "%s/upstream", dir);
	const char *h = "# comment\nnameserver 127.0.0.53\nsearch lan\noptions edns0\n";
	assert_int_equal(put(host, h), 0);
	_cleanup_free_ char *out = NULL;
	assert_int_equal(resolv_contents(host, fb, &out, &e), 0);
	assert_string_equal(out, "# comment\nsearch lan\noptions edns0\nnameserver 8.8.8.8\n"
				 "nameserver 8.8.4.4\n");
	const char *u = "nameserver 192.0.2.1\nsearch ignored\n";
	assert_int_equal(put(fb, u), 0);
	_cleanup_free_ char *out2 = NULL;
	assert_int_equal(resolv_contents(host, fb, &out2, &e), 0);
	assert_string_equal(out2, "# comment\nsearch lan\noptions edns0\nnameserver 192.0.2.1\n");
	const char *k = "nameserver 10.0.0.1\nnameserver ::1\n";
	assert_int_equal(put(host, k), 0);
	_cleanup_free_ char *out3 = NULL;
	assert_int_equal(resolv_contents(host, fb, &out3, &e), 0);
	assert_string_equal(out3, "nameserver 10.0.0.1\n");
}

/* net_plan: the paths a bundle names, per mode, and nothing made. */
static void test_plan(void **state)
{
	struct err e = {0};
	struct net_result r;
	char want[PATH_MAX];
	assert_int_equal(net_plan(dir, "c1", "bridge", &r, &e), 0);
	snprintf(want, sizeof(want), "%s/net/c1.netns", dir);
	assert_string_equal(r.netns, want);
	assert_false(r.runtime_netns);
	snprintf(want, sizeof(want), "%s/networks/capsa/hosts", dir);
	assert_string_equal(r.hosts, want);
	snprintf(want, sizeof(want), "%s/net/c1.resolv", dir);
	assert_string_equal(r.resolv, want);
	snprintf(want, sizeof(want), "%s/net/c1.netns", dir);
	assert_int_equal(access(want, F_OK), -1); /* planned, not made */

	assert_int_equal(net_plan(dir, "c2", "pasta", &r, &e), 0);
	assert_true(r.runtime_netns);
	assert_string_equal(r.netns, "");
	snprintf(want, sizeof(want), "%s/net/c2.hosts", dir);
	assert_string_equal(r.hosts, want);

	assert_int_equal(net_plan(dir, "c3", "ns:/proc/1/ns/net", &r, &e), 0);
	assert_string_equal(r.netns, "/proc/1/ns/net");
	assert_string_equal(r.hosts, "");

	assert_int_equal(net_plan(dir, "c4", "host", &r, &e), 0);
	assert_string_equal(r.netns, "");
	assert_string_equal(r.hosts, "/etc/hosts");

	assert_int_equal(net_plan(dir, "c5", "nosuchnet", &r, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "network nosuchnet: no such network"));
	assert_int_equal(net_plan(dir, "c6", "ns:relative", &r, &e), -EINVAL);
	assert_int_equal(net_plan(dir, "c7", "slirp4netns", &r, &e), 0);
	assert_true(r.runtime_netns);
	assert_string_equal(r.netns, "");
	snprintf(want, sizeof(want), "%s/net/c7.hosts", dir);
	assert_string_equal(r.hosts, want);
	snprintf(want, sizeof(want), "%s/net/c7.resolv", dir);
	assert_string_equal(r.resolv, want);
}

/* An executable file named `name` in the test directory. */
static void make_exe(const char *name)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chmod(path, 0755), 0);
}

/* Rootless without --network: pasta, else slirp4netns, else none; the
 * helpers are found on PATH, executable ones only. */
static void test_rootless_order(void **state)
{
	char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL, buf[256];
	setenv("PATH", dir, 1);
	assert_string_equal(net_rootless_mode(), "none");
	assert_int_equal(helper_find("slirp4netns", buf, sizeof(buf)), -ENOENT);
	char path[128];
	snprintf(path, sizeof(path), "%s/slirp4netns", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644); /* not executable */
	assert_true(fd >= 0);
	close(fd);
	assert_string_equal(net_rootless_mode(), "none");
	make_exe("slirp4netns");
	assert_string_equal(net_rootless_mode(), "slirp4netns");
	assert_int_equal(helper_find("slirp4netns", buf, sizeof(buf)), 0);
	assert_string_equal(buf, path);
	make_exe("pasta");
	assert_string_equal(net_rootless_mode(), "pasta");
	/* not a helper: this test's own pid */
	assert_false(helper_is(getpid(), "slirp4netns"));
	assert_false(helper_is(getpid(), "pasta"));
	if (old)
		setenv("PATH", old, 1);
	free(old);
}

static void test_network_names(void **state)
{
	struct err e = {0};
	assert_int_equal(network_name_check("front-end_1.x", &e), 0);
	assert_int_equal(network_name_check("-x", &e), -EINVAL);
	assert_int_equal(network_name_check("a/b", &e), -EINVAL);
	assert_int_equal(network_name_check("", &e), -EINVAL);
	assert_int_equal(network_name_check("../etc", &e), -EINVAL);
}

/* The builder lays out messages and nested attributes as the kernel
 * expects: lengths include headers, attributes are 4-byte aligned. */
static void test_nl_builder(void **state)
{
	struct nl n = {.fd = -1, .seq = 7};
	static struct nlbuf b;
	nlb_init(&b);
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = 3};
	nlb_msg(&b, &n, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi, sizeof(ifi));
	nlb_str(&b, IFLA_IFNAME, "abc");
	size_t nest = nlb_nest(&b, IFLA_LINKINFO);
	nlb_str(&b, IFLA_INFO_KIND, "veth");
	nlb_end(&b, nest);
	const struct nlmsghdr *h = (const void *)b.buf;
	assert_int_equal(h->nlmsg_len, b.len);
	assert_int_equal(h->nlmsg_seq, 7);
	assert_int_equal(b.nmsgs_ack, 1);
	/* header 16 + ifinfomsg 16 + "abc\0" attr 8 + nest (4 + "veth\0" attr 12) */
	assert_int_equal(b.len, 16 + 16 + 8 + 16);
	struct nlattr_view v;
	nl_parse_msg(h, sizeof(ifi), &v);
	assert_non_null(v.tb[IFLA_IFNAME]);
	assert_string_equal(nla_data(v.tb[IFLA_IFNAME]), "abc");
	assert_non_null(v.tb[IFLA_LINKINFO]);
	assert_int_equal(v.tb[IFLA_LINKINFO]->nla_len, 16);
	struct nlattr_view in;
	nl_parse(nla_data(v.tb[IFLA_LINKINFO]), nla_len(v.tb[IFLA_LINKINFO]), &in);
	assert_string_equal(nla_data(in.tb[IFLA_INFO_KIND]), "veth");
	/* Overflow is remembered, not written past the buffer. */
	char big[4096] = {0};
	for (int i = 0; i < 8; i++)
		nlb_attr(&b, 1, big, sizeof(big));
	assert_true(b.overflow);
	assert_true(b.len <= sizeof(b.buf));
	assert_int_equal(nl_talk(&n, &b, 0, NULL, NULL), -EMSGSIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cidr),
	    cmocka_unit_test(test_ports),
	    cmocka_unit_test_setup_teardown(test_ipam_sequence, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ipam_concurrent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hosts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_resolv, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_plan, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rootless_order, setup, teardown),
	    cmocka_unit_test(test_network_names),
	    cmocka_unit_test(test_nl_builder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
