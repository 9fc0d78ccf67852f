/* Unit tests of the outbound network policy (ext/core/net/netpolicy.c). */
#include "unit.h"
#include "netpolicy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

static char why[256];
static char err[256];

static mih_net_policy *policy_from(const char *hosts, const char *ports)
{
	mih_net_policy *p = mih_net_policy_new();

	CHECK(p != NULL);
	CHECK_INT(mih_net_policy_parse_hosts(p, hosts, err, sizeof(err)), 0);
	CHECK_INT(mih_net_policy_parse_ports(p, ports, err, sizeof(err)), 0);
	return p;
}

static mih_net_policy *moodle_defaults(void)
{
	return policy_from(MIH_NET_MOODLE_BLOCKED_HOSTS, MIH_NET_MOODLE_ALLOWED_PORTS);
}

/* Checks a textual address through a real sockaddr of its family. */
static int check_ip(const mih_net_policy *p, const char *ip)
{
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;

	why[0] = '\0';
	memset(&in4, 0, sizeof(in4));
	memset(&in6, 0, sizeof(in6));
	if (inet_pton(AF_INET, ip, &in4.sin_addr) == 1) {
		in4.sin_family = AF_INET;
		in4.sin_port = htons(443);
		return mih_net_check_addr(p, (const struct sockaddr *)&in4, sizeof(in4), why, sizeof(why));
	}
	if (inet_pton(AF_INET6, ip, &in6.sin6_addr) == 1) {
		in6.sin6_family = AF_INET6;
		in6.sin6_port = htons(443);
		return mih_net_check_addr(p, (const struct sockaddr *)&in6, sizeof(in6), why, sizeof(why));
	}
	fprintf(stderr, "test bug: %s is not an address\n", ip);
	return -1;
}

static int check_host(const mih_net_policy *p, const char *host)
{
	why[0] = '\0';
	return mih_net_check_host(p, host, why, sizeof(why));
}

TEST(moodle_defaults_block_private_addresses)
{
	static const char *const blocked[] = {
		"127.0.0.1", "127.5.5.5", "127.255.255.255", "10.1.2.3", "172.16.0.1", "172.31.255.255",
		"192.168.1.1", "0.0.0.0", "169.254.169.254", "::1", "::ffff:127.0.0.1", "::ffff:10.9.9.9",
		"0.0.0.1", "::", "::ffff:0.0.0.0"
	};
	static const char *const allowed[] = {
		"172.32.0.1", "172.15.255.255", "8.8.8.8", "169.254.169.253", "192.169.0.1", "11.0.0.1",
		"::ffff:8.8.8.8", "2001:4860:4860::8888", "::2", "1.0.0.0"
	};
	mih_net_policy *p = moodle_defaults();
	size_t i;

	for (i = 0; i < sizeof(blocked) / sizeof(blocked[0]); i++) {
		if (check_ip(p, blocked[i]) != MIH_NET_BLOCKED) {
			fprintf(stderr, "%s should be blocked\n", blocked[i]);
			CHECK(0);
		}
	}
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		if (check_ip(p, allowed[i]) != MIH_NET_ALLOWED) {
			fprintf(stderr, "%s should be allowed: %s\n", allowed[i], why);
			CHECK(0);
		}
	}
	mih_net_policy_free(p);
}

TEST(why_names_the_address_and_rule)
{
	mih_net_policy *p = moodle_defaults();

	CHECK_INT(check_ip(p, "127.0.0.1"), MIH_NET_BLOCKED);
	CHECK_STR(why, "destination 127.0.0.1 is blocked by rule \"127.0.0.0/8\"");
	CHECK_INT(check_ip(p, "::ffff:127.0.0.1"), MIH_NET_BLOCKED);
	CHECK_STR(why, "destination ::ffff:127.0.0.1 is blocked by rule \"127.0.0.0/8\"");
	CHECK_INT(check_ip(p, "::1"), MIH_NET_BLOCKED);
	CHECK_STR(why, "destination ::1 is blocked by rule \"::1\"");
	CHECK_INT(check_ip(p, "169.254.169.254"), MIH_NET_BLOCKED);
	CHECK_STR(why, "destination 169.254.169.254 is blocked by rule \"169.254.169.254\"");
	mih_net_policy_free(p);
}

TEST(first_matching_rule_is_reported)
{
	mih_net_policy *p = policy_from("10.0.0.0/8, 10.1.0.0/16", "");

	CHECK_INT(check_ip(p, "10.1.1.1"), MIH_NET_BLOCKED);
	CHECK(strstr(why, "\"10.0.0.0/8\"") != NULL);
	mih_net_policy_free(p);
}

TEST(moodle_defaults_block_host_names_and_literals)
{
	static const char *const blocked[] = {
		"localhost", "LOCALHOST", "localhost.", "127.0.0.1", "[::1]", "::1", "[0:0:0:0:0:0:0:1]",
		"127.1", "0x7f000001", "2130706433", "0177.0.0.1", "0", "[::ffff:127.0.0.1]", "10.0.0.1",
		"169.254.169.254", "[::1%25lo]"
	};
	static const char *const allowed[] = {
		"example.org", "localhost.example.org", "mylocalhost", "8.8.8.8", "[2001:db8::1]",
		"172.32.0.1", "xn--caf-dma.example"
	};
	mih_net_policy *p = moodle_defaults();
	size_t i;

	for (i = 0; i < sizeof(blocked) / sizeof(blocked[0]); i++) {
		if (check_host(p, blocked[i]) != MIH_NET_BLOCKED) {
			fprintf(stderr, "host %s should be blocked\n", blocked[i]);
			CHECK(0);
		}
	}
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		if (check_host(p, allowed[i]) != MIH_NET_ALLOWED) {
			fprintf(stderr, "host %s should be allowed: %s\n", allowed[i], why);
			CHECK(0);
		}
	}
	CHECK_INT(check_host(p, "LocalHost."), MIH_NET_BLOCKED);
	CHECK_STR(why, "host LocalHost is blocked by rule \"localhost\"");
	CHECK_INT(check_host(p, "0x7f.1"), MIH_NET_BLOCKED);
	CHECK_STR(why, "destination 127.0.0.1 is blocked by rule \"127.0.0.0/8\"");
	mih_net_policy_free(p);
}

TEST(malformed_hosts_are_blocked)
{
	static const char *const bad[] = {
		"", "a b", "exa\tmple.org", "[::1", "[zz::]", "[]", "[127.0.0.1]", "host:80", "a\x7f"
	};
	mih_net_policy *p = moodle_defaults();
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(check_host(p, bad[i]), MIH_NET_BLOCKED);
		CHECK(why[0] != '\0');
	}
	CHECK_INT(mih_net_check_host(p, NULL, why, sizeof(why)), MIH_NET_BLOCKED);
	CHECK_STR(why, "the URL has no host");
	mih_net_policy_free(p);
}

TEST(long_host_is_quoted_truncated)
{
	mih_net_policy *p = policy_from("*.example.org", "");
	char host[300];

	memset(host, 'a', 200);
	strcpy(host + 200, ".example.org");
	CHECK_INT(check_host(p, host), MIH_NET_BLOCKED);
	CHECK(strstr(why, "...") != NULL);
	CHECK(strlen(why) < 120);
	mih_net_policy_free(p);
}

TEST(wildcards_match_sub_domains_only)
{
	mih_net_policy *p = policy_from("*.Example.ORG\nIntranet.Local.", "");

	CHECK_INT(check_host(p, "a.example.org"), MIH_NET_BLOCKED);
	CHECK_STR(why, "host a.example.org is blocked by rule \"*.Example.ORG\"");
	CHECK_INT(check_host(p, "A.B.EXAMPLE.ORG."), MIH_NET_BLOCKED);
	CHECK_INT(check_host(p, "example.org"), MIH_NET_ALLOWED);
	CHECK_INT(check_host(p, "badexample.org"), MIH_NET_ALLOWED);
	CHECK_INT(check_host(p, "example.org.evil.com"), MIH_NET_ALLOWED);
	CHECK_INT(check_host(p, "intranet.local"), MIH_NET_BLOCKED);
	CHECK_INT(check_host(p, "INTRANET.LOCAL."), MIH_NET_BLOCKED);
	CHECK_INT(check_host(p, "x.intranet.local"), MIH_NET_ALLOWED);
	CHECK_INT(check_host(p, "intranet.locals"), MIH_NET_ALLOWED);
	/* Name rules never block an address: that is the address rules' job. */
	CHECK_INT(check_ip(p, "127.0.0.1"), MIH_NET_ALLOWED);
	mih_net_policy_free(p);
}

TEST(ipv6_cidr_ranges)
{
	mih_net_policy *p = policy_from("fe80::/10, 2001:DB8::/32, fc00::/7", "");

	CHECK_INT(check_ip(p, "fe80::1"), MIH_NET_BLOCKED);
	CHECK_INT(check_ip(p, "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), MIH_NET_BLOCKED);
	CHECK_INT(check_ip(p, "fec0::"), MIH_NET_ALLOWED);
	CHECK_INT(check_ip(p, "fe7f::"), MIH_NET_ALLOWED);
	CHECK_INT(check_ip(p, "2001:db8:ffff::1"), MIH_NET_BLOCKED);
	CHECK_STR(why, "destination 2001:db8:ffff::1 is blocked by rule \"2001:DB8::/32\"");
	CHECK_INT(check_ip(p, "2001:db9::1"), MIH_NET_ALLOWED);
	CHECK_INT(check_ip(p, "fd12:3456::1"), MIH_NET_BLOCKED);
	CHECK_INT(check_host(p, "[fe80::1%25eth0]"), MIH_NET_BLOCKED);
	CHECK_INT(check_ip(p, "127.0.0.1"), MIH_NET_ALLOWED);
	mih_net_policy_free(p);
}

TEST(ipv4_cidr_edges)
{
	mih_net_policy *p = policy_from("10.1.2.3/8,203.0.113.7/32,198.51.100.0/31", "");

	CHECK_INT(check_ip(p, "10.200.0.1"), MIH_NET_BLOCKED);
	CHECK_INT(check_ip(p, "203.0.113.7"), MIH_NET_BLOCKED);
	CHECK_INT(check_ip(p, "203.0.113.8"), MIH_NET_ALLOWED);
	CHECK_INT(check_ip(p, "198.51.100.1"), MIH_NET_BLOCKED);
	CHECK_INT(check_ip(p, "198.51.100.2"), MIH_NET_ALLOWED);
	mih_net_policy_free(p);

	p = policy_from("0.0.0.0/0", "");
	CHECK_INT(check_ip(p, "8.8.8.8"), MIH_NET_BLOCKED);
	CHECK_INT(check_ip(p, "::ffff:8.8.8.8"), MIH_NET_BLOCKED);
	CHECK_INT(check_ip(p, "2001:db8::1"), MIH_NET_ALLOWED);
	mih_net_policy_free(p);

	p = policy_from("::/0", "");
	CHECK_INT(check_ip(p, "8.8.8.8"), MIH_NET_BLOCKED);
	CHECK_INT(check_ip(p, "2001:db8::1"), MIH_NET_BLOCKED);
	mih_net_policy_free(p);
}

TEST(mapped_rule_blocks_plain_ipv4)
{
	mih_net_policy *p = policy_from("::ffff:10.0.0.1, ::ffff:192.0.2.0/120", "");

	CHECK_INT(check_ip(p, "10.0.0.1"), MIH_NET_BLOCKED);
	CHECK_STR(why, "destination 10.0.0.1 is blocked by rule \"::ffff:10.0.0.1\"");
	CHECK_INT(check_ip(p, "192.0.2.200"), MIH_NET_BLOCKED);
	CHECK_INT(check_ip(p, "10.0.0.2"), MIH_NET_ALLOWED);
	mih_net_policy_free(p);
}

TEST(last_group_ranges)
{
	mih_net_policy *p = policy_from("192.168.1.1-20, fe80::1-ff, 10.0.0.5-5", "");

	CHECK_INT(check_ip(p, "192.168.1.1"), MIH_NET_BLOCKED);
	CHECK_STR(why, "destination 192.168.1.1 is blocked by rule \"192.168.1.1-20\"");
	CHECK_INT(check_ip(p, "192.168.1.20"), MIH_NET_BLOCKED);
	CHECK_INT(check_ip(p, "192.168.1.0"), MIH_NET_ALLOWED);
	CHECK_INT(check_ip(p, "192.168.1.21"), MIH_NET_ALLOWED);
	CHECK_INT(check_ip(p, "192.168.2.5"), MIH_NET_ALLOWED);
	CHECK_INT(check_ip(p, "fe80::ff"), MIH_NET_BLOCKED);
	CHECK_INT(check_ip(p, "fe80::100"), MIH_NET_ALLOWED);
	CHECK_INT(check_ip(p, "fe80::"), MIH_NET_ALLOWED);
	CHECK_INT(check_ip(p, "10.0.0.5"), MIH_NET_BLOCKED);
	CHECK_INT(check_ip(p, "10.0.0.6"), MIH_NET_ALLOWED);
	mih_net_policy_free(p);
}

TEST(bad_entries_are_named)
{
	static const struct {
		const char *entry;
		const char *why;
	} bad[] = {
		{ "10.0.0.256", "not a valid IPv4 address" }, { "1.2.3", "not a valid IPv4 address" },
		{ "010.0.0.1", "not a valid IPv4 address" }, { "-", "not a valid IPv4 address" },
		{ "10.0.0.0/33", "prefix length from 0 to 32" }, { "10.0.0.0/", "prefix length" },
		{ "10.0.0.0/8/8", "prefix length" }, { "10.0.0.0/-1", "mixes" },
		{ "1.2.3.10-5", "from 10 to 255" }, { "1.2.3.4-256", "range" }, { "1.2.3.4-", "range" },
		{ "1.2.3.4/8-9", "mixes a CIDR prefix and a range" },
		{ "fe80::/129", "prefix length from 0 to 128" }, { "fe80::1::2", "not a valid IPv6 address" },
		{ "fe80::1-fffff", "range" }, { "fe80::10-f", "from 16 to 65535" },
		{ "fe80::1%eth0", "not a valid IPv6 address" }, { "*.", "wildcard" }, { "*", "wildcard" },
		{ "*foo.org", "wildcard" }, { "*.*.org", "wildcard" }, { "foo.*.org", "not an IP address" },
		{ "foo bar", "not an IP address" }, { "http://example.org", "IPv6" },
		{ "-foo.org", "not an IP address" }, { "foo-.org", "not an IP address" },
		{ "exa$mple.org", "not an IP address" }, { "foo..org", "not an IP address" },
		{ "example.123", "not an IP address" }, { "\x01" "foo", "control or non-ASCII" },
		{ "caf\xc3\xa9.org", "control or non-ASCII" }, { ".", "not a valid IPv4 address" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mih_net_policy *p = mih_net_policy_new();

		err[0] = '\0';
		CHECK_INT(mih_net_policy_add_blocked(p, bad[i].entry, strlen(bad[i].entry), err, sizeof(err)), -1);
		if (!strstr(err, bad[i].why) || !strstr(err, "blocked host \"")) {
			fprintf(stderr, "entry \"%s\": got \"%s\", expected \"%s\"\n", bad[i].entry, err, bad[i].why);
			CHECK(0);
		}
		CHECK(mih_net_policy_is_empty(p));
		mih_net_policy_free(p);
	}
}

TEST(bad_entry_message_quotes_the_entry)
{
	mih_net_policy *p = mih_net_policy_new();

	CHECK_INT(mih_net_policy_add_blocked(p, "foo bar", 7, err, sizeof(err)), -1);
	CHECK_STR(err, "blocked host \"foo bar\" is not an IP address, CIDR range, address range, "
		"host name or *.wildcard");
	CHECK_INT(mih_net_policy_add_blocked(p, "a\nb", 3, err, sizeof(err)), -1);
	CHECK(strstr(err, "\"a?b\"") != NULL);
	CHECK_INT(mih_net_policy_add_blocked(p, "localhost\0", 10, err, sizeof(err)), -1);
	CHECK(strstr(err, "\"localhost?\" contains a control") != NULL);
	mih_net_policy_free(p);
}

TEST(label_and_entry_length_limits)
{
	mih_net_policy *p = mih_net_policy_new();
	char entry[400];

	memset(entry, 'a', 63);
	strcpy(entry + 63, ".org");
	CHECK_INT(mih_net_policy_add_blocked(p, entry, strlen(entry), err, sizeof(err)), 0);
	memset(entry, 'a', 64);
	strcpy(entry + 64, ".org");
	CHECK_INT(mih_net_policy_add_blocked(p, entry, strlen(entry), err, sizeof(err)), -1);
	memset(entry, 'a', 300);
	entry[300] = '\0';
	CHECK_INT(mih_net_policy_add_blocked(p, entry, 300, err, sizeof(err)), -1);
	CHECK(strstr(err, "longer than 255") != NULL);
	CHECK(strstr(err, "...") != NULL);
	mih_net_policy_free(p);
}

TEST(entries_are_trimmed_and_empty_ones_ignored)
{
	mih_net_policy *p = mih_net_policy_new();

	CHECK_INT(mih_net_policy_add_blocked(p, "   ", 3, err, sizeof(err)), 0);
	CHECK_INT(mih_net_policy_add_blocked(p, "", 0, err, sizeof(err)), 0);
	CHECK_INT(mih_net_policy_parse_hosts(p, ",, \n\r\n ,\t", err, sizeof(err)), 0);
	CHECK(mih_net_policy_is_empty(p));
	CHECK_INT(mih_net_policy_add_blocked(p, " \tlocalhost \r\n", 14, err, sizeof(err)), 0);
	CHECK(!mih_net_policy_is_empty(p));
	CHECK_INT(check_host(p, "localhost"), MIH_NET_BLOCKED);
	CHECK_STR(why, "host localhost is blocked by rule \"localhost\"");
	/* Only len bytes are read: the entry needs no NUL. */
	CHECK_INT(mih_net_policy_add_blocked(p, "10.0.0.1junk", 8, err, sizeof(err)), 0);
	CHECK_INT(check_ip(p, "10.0.0.1"), MIH_NET_BLOCKED);
	mih_net_policy_free(p);
}

TEST(bad_host_list_adds_nothing)
{
	mih_net_policy *p = mih_net_policy_new();

	CHECK_INT(mih_net_policy_parse_hosts(p, "localhost,\nbad entry,10.0.0.0/8", err, sizeof(err)), -1);
	CHECK(strstr(err, "\"bad entry\"") != NULL);
	CHECK(mih_net_policy_is_empty(p));
	CHECK_INT(check_host(p, "localhost"), MIH_NET_ALLOWED);
	CHECK_INT(mih_net_policy_parse_hosts(p, "localhost", err, sizeof(err)), 0);
	CHECK_INT(mih_net_policy_parse_hosts(p, "example.org,nope!", err, sizeof(err)), -1);
	CHECK_INT(check_host(p, "localhost"), MIH_NET_BLOCKED);
	CHECK_INT(check_host(p, "example.org"), MIH_NET_ALLOWED);
	mih_net_policy_free(p);
}

TEST(many_rules_grow_the_policy)
{
	mih_net_policy *p = mih_net_policy_new();
	char entry[32];
	int i;

	for (i = 0; i < 200; i++) {
		snprintf(entry, sizeof(entry), "10.0.%d.0/24", i);
		CHECK_INT(mih_net_policy_add_blocked(p, entry, strlen(entry), err, sizeof(err)), 0);
	}
	CHECK_INT(check_ip(p, "10.0.199.9"), MIH_NET_BLOCKED);
	CHECK_STR(why, "destination 10.0.199.9 is blocked by rule \"10.0.199.0/24\"");
	CHECK_INT(check_ip(p, "10.0.200.9"), MIH_NET_ALLOWED);
	mih_net_policy_free(p);
}

TEST(ports)
{
	mih_net_policy *p = moodle_defaults();

	CHECK_INT(mih_net_check_port(p, 443, why, sizeof(why)), MIH_NET_ALLOWED);
	CHECK_INT(mih_net_check_port(p, 80, why, sizeof(why)), MIH_NET_ALLOWED);
	CHECK_INT(mih_net_check_port(p, 8080, why, sizeof(why)), MIH_NET_BLOCKED);
	CHECK_STR(why, "port 8080 is not in the allowed ports");
	CHECK_INT(mih_net_check_port(p, 0, why, sizeof(why)), MIH_NET_BLOCKED);
	CHECK_STR(why, "port 0 is not a valid port number");
	CHECK_INT(mih_net_check_port(p, 65536, why, sizeof(why)), MIH_NET_BLOCKED);
	CHECK_INT(mih_net_check_port(p, -80, why, sizeof(why)), MIH_NET_BLOCKED);
	CHECK_INT(mih_net_policy_add_allowed_port(p, 8080, err, sizeof(err)), 0);
	CHECK_INT(mih_net_policy_add_allowed_port(p, 8080, err, sizeof(err)), 0);
	CHECK_INT(mih_net_check_port(p, 8080, why, sizeof(why)), MIH_NET_ALLOWED);
	CHECK_INT(mih_net_policy_add_allowed_port(p, 0, err, sizeof(err)), -1);
	CHECK_STR(err, "allowed port 0 is not a number from 1 to 65535");
	CHECK_INT(mih_net_policy_add_allowed_port(p, 65536, err, sizeof(err)), -1);
	CHECK_INT(mih_net_policy_add_allowed_port(p, 65535, err, sizeof(err)), 0);
	CHECK_INT(mih_net_policy_add_allowed_port(p, 1, err, sizeof(err)), 0);
	CHECK_INT(mih_net_check_port(p, 1, why, sizeof(why)), MIH_NET_ALLOWED);
	CHECK_INT(mih_net_check_port(p, 65535, why, sizeof(why)), MIH_NET_ALLOWED);
	mih_net_policy_free(p);
}

TEST(no_allowed_ports_means_every_port)
{
	mih_net_policy *p = policy_from("localhost", " , \n");

	CHECK_INT(mih_net_check_port(p, 8080, why, sizeof(why)), MIH_NET_ALLOWED);
	CHECK_INT(mih_net_check_port(p, 1, why, sizeof(why)), MIH_NET_ALLOWED);
	CHECK_INT(mih_net_check_port(p, 0, why, sizeof(why)), MIH_NET_BLOCKED);
	mih_net_policy_free(p);
}

TEST(port_lists)
{
	static const char *const bad[] = { "80,abc", "80\n0", "65536", "+80", "-1", "8 0", "123456", "0x50" };
	mih_net_policy *p = mih_net_policy_new();
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(mih_net_policy_parse_ports(p, bad[i], err, sizeof(err)), -1);
		CHECK(strstr(err, "allowed port \"") != NULL);
		CHECK(mih_net_policy_is_empty(p));
	}
	CHECK_INT(mih_net_policy_parse_ports(p, "80,abc", err, sizeof(err)), -1);
	CHECK_STR(err, "allowed port \"abc\" is not a number from 1 to 65535");
	CHECK_INT(mih_net_policy_parse_ports(p, " 80 ,\r\n443\n\n8443, 0080", err, sizeof(err)), 0);
	CHECK_INT(mih_net_check_port(p, 8443, why, sizeof(why)), MIH_NET_ALLOWED);
	CHECK_INT(mih_net_check_port(p, 80, why, sizeof(why)), MIH_NET_ALLOWED);
	CHECK_INT(mih_net_check_port(p, 81, why, sizeof(why)), MIH_NET_BLOCKED);
	mih_net_policy_free(p);
}

TEST(restricted_ports_never_widen)
{
	mih_net_policy *limit = policy_from("", "80,443");
	mih_net_policy *every = mih_net_policy_new();
	mih_net_policy *p = policy_from("", "443,8443");
	mih_net_policy *none = policy_from("localhost", "8080");

	/* an empty list takes the limit's */
	CHECK_INT(mih_net_policy_restrict_ports(every, limit), 0);
	CHECK_INT(mih_net_check_port(every, 80, why, sizeof(why)), MIH_NET_ALLOWED);
	CHECK_INT(mih_net_check_port(every, 8080, why, sizeof(why)), MIH_NET_BLOCKED);
	/* two lists keep what both allow */
	CHECK_INT(mih_net_policy_restrict_ports(p, limit), 0);
	CHECK_INT(mih_net_check_port(p, 443, why, sizeof(why)), MIH_NET_ALLOWED);
	CHECK_INT(mih_net_check_port(p, 8443, why, sizeof(why)), MIH_NET_BLOCKED);
	CHECK_INT(mih_net_check_port(p, 80, why, sizeof(why)), MIH_NET_BLOCKED);
	/* nothing in common refuses every port instead of allowing them all */
	CHECK_INT(mih_net_policy_restrict_ports(none, limit), 0);
	CHECK_INT(mih_net_check_port(none, 8080, why, sizeof(why)), MIH_NET_BLOCKED);
	CHECK_STR(why, "port 8080 is not in the allowed ports");
	CHECK_INT(mih_net_check_port(none, 80, why, sizeof(why)), MIH_NET_BLOCKED);
	CHECK(!mih_net_policy_is_empty(none));
	CHECK_INT(mih_net_policy_restrict_ports(every, none), 0);
	CHECK_INT(mih_net_check_port(every, 80, why, sizeof(why)), MIH_NET_BLOCKED);
	/* an unrestricted limit changes nothing */
	mih_net_policy_free(limit);
	limit = mih_net_policy_new();
	CHECK_INT(mih_net_policy_restrict_ports(p, limit), 0);
	CHECK_INT(mih_net_check_port(p, 443, why, sizeof(why)), MIH_NET_ALLOWED);
	CHECK_INT(mih_net_check_port(p, 80, why, sizeof(why)), MIH_NET_BLOCKED);
	CHECK_INT(mih_net_policy_restrict_ports(NULL, limit), -1);
	CHECK_INT(mih_net_policy_restrict_ports(p, NULL), -1);
	mih_net_policy_free(limit);
	mih_net_policy_free(every);
	mih_net_policy_free(p);
	mih_net_policy_free(none);
}

/* 0.0.0.0/8 and :: reach this host as the loopback addresses do: blocking
 * any loopback address blocks them, in every form. */
TEST(unspecified_addresses_are_this_host)
{
	static const char *const local[] = {
		"0.0.0.0", "0.1.2.3", "0.255.255.255", "::", "::ffff:0.0.0.0", "::ffff:0.255.255.255",
		"127.0.0.1", "127.255.0.9", "::ffff:127.0.0.1", "::ffff:127.1.2.3", "::1"
	};
	static const char *const rules[] = { "127.0.0.0/8", "::1", "127.0.0.1", "::ffff:127.0.0.1",
		"127.0.0.9-20", "0.0.0.0/0" };
	static const char *const elsewhere[] = { "1.0.0.0", "::2", "::ffff:1.0.0.0", "128.0.0.0", "::127.0.0.1" };
	size_t i, j;

	for (j = 0; j < sizeof(rules) / sizeof(rules[0]); j++) {
		mih_net_policy *p = policy_from(rules[j], "");

		for (i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
			if (check_ip(p, local[i]) != MIH_NET_BLOCKED) {
				fprintf(stderr, "%s should be blocked by \"%s\"\n", local[i], rules[j]);
				CHECK(0);
			}
		}
		for (i = 0; i < sizeof(elsewhere) / sizeof(elsewhere[0]) && strcmp(rules[j], "0.0.0.0/0") != 0; i++) {
			if (check_ip(p, elsewhere[i]) != MIH_NET_ALLOWED) {
				fprintf(stderr, "%s should be allowed by \"%s\": %s\n", elsewhere[i], rules[j], why);
				CHECK(0);
			}
		}
		mih_net_policy_free(p);
	}
}

TEST(this_host_is_named_in_why)
{
	mih_net_policy *p = policy_from("10.0.0.0/8, 127.0.0.0/8", "");

	CHECK_INT(check_ip(p, "0.0.0.0"), MIH_NET_BLOCKED);
	CHECK_STR(why, "destination 0.0.0.0 is this host, blocked by rule \"127.0.0.0/8\"");
	CHECK_INT(check_ip(p, "::"), MIH_NET_BLOCKED);
	CHECK_STR(why, "destination :: is this host, blocked by rule \"127.0.0.0/8\"");
	CHECK_INT(check_ip(p, "::ffff:0.0.0.0"), MIH_NET_BLOCKED);
	CHECK_STR(why, "destination ::ffff:0.0.0.0 is this host, blocked by rule \"127.0.0.0/8\"");
	CHECK_INT(check_ip(p, "::1"), MIH_NET_BLOCKED);
	CHECK_STR(why, "destination ::1 is this host, blocked by rule \"127.0.0.0/8\"");
	/* A rule naming the address itself is reported as such. */
	CHECK_INT(check_ip(p, "127.0.0.1"), MIH_NET_BLOCKED);
	CHECK_STR(why, "destination 127.0.0.1 is blocked by rule \"127.0.0.0/8\"");
	mih_net_policy_free(p);

	p = moodle_defaults();
	CHECK_INT(check_ip(p, "0.0.0.0"), MIH_NET_BLOCKED);
	CHECK_STR(why, "destination 0.0.0.0 is blocked by rule \"0.0.0.0\"");
	CHECK_INT(check_ip(p, "0.0.0.7"), MIH_NET_BLOCKED);
	CHECK_STR(why, "destination 0.0.0.7 is this host, blocked by rule \"127.0.0.0/8\"");
	mih_net_policy_free(p);
}

TEST(this_host_by_url_literal)
{
	static const char *const hosts[] = { "0.0.0.0", "0", "0x0", "[::]", "[0:0:0:0:0:0:0:0]",
		"[::ffff:0.0.0.0]", "[::ffff:0:0]", "[::%25lo]", "[::ffff:127.0.0.1]", "0.1" };
	mih_net_policy *p = policy_from("::1", "");
	size_t i;

	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		if (check_host(p, hosts[i]) != MIH_NET_BLOCKED) {
			fprintf(stderr, "host %s should be blocked\n", hosts[i]);
			CHECK(0);
		}
	}
	CHECK_INT(check_host(p, "[::]"), MIH_NET_BLOCKED);
	CHECK_STR(why, "destination :: is this host, blocked by rule \"::1\"");
	CHECK_INT(check_host(p, "0"), MIH_NET_BLOCKED);
	CHECK_STR(why, "destination 0.0.0.0 is this host, blocked by rule \"::1\"");
	mih_net_policy_free(p);
}

TEST(this_host_allowed_without_a_loopback_rule)
{
	mih_net_policy *p = policy_from("10.0.0.0/8, localhost, 2001:db8::/32, 126.255.255.255, 128.0.0.0", "");

	CHECK_INT(check_ip(p, "0.0.0.0"), MIH_NET_ALLOWED);
	CHECK_INT(check_ip(p, "::"), MIH_NET_ALLOWED);
	CHECK_INT(check_ip(p, "127.0.0.1"), MIH_NET_ALLOWED);
	CHECK_INT(check_host(p, "[::]"), MIH_NET_ALLOWED);
	CHECK_INT(check_host(p, "0.0.0.0"), MIH_NET_ALLOWED);
	mih_net_policy_free(p);
	p = policy_from("0.0.0.0", "");
	CHECK_INT(check_ip(p, "0.0.0.0"), MIH_NET_BLOCKED);
	CHECK_INT(check_ip(p, "::"), MIH_NET_ALLOWED);
	CHECK_INT(check_ip(p, "127.0.0.1"), MIH_NET_ALLOWED);
	mih_net_policy_free(p);
}

TEST(empty_policy_allows_everything)
{
	mih_net_policy *p = mih_net_policy_new();
	struct sockaddr_un un;

	CHECK(mih_net_policy_is_empty(p));
	CHECK(mih_net_policy_is_empty(NULL));
	CHECK_INT(check_host(p, "localhost"), MIH_NET_ALLOWED);
	CHECK_INT(check_host(p, ""), MIH_NET_ALLOWED);
	CHECK_INT(check_ip(p, "127.0.0.1"), MIH_NET_ALLOWED);
	CHECK_INT(mih_net_check_port(p, 0, why, sizeof(why)), MIH_NET_ALLOWED);
	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	CHECK_INT(mih_net_check_addr(p, (const struct sockaddr *)&un, sizeof(un), why, sizeof(why)),
		MIH_NET_ALLOWED);
	mih_net_policy_free(p);
	mih_net_policy_free(NULL);
}

TEST(odd_socket_addresses_are_blocked)
{
	mih_net_policy *p = moodle_defaults();
	struct sockaddr_in in4;
	struct sockaddr_un un;

	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	CHECK_INT(mih_net_check_addr(p, (const struct sockaddr *)&un, sizeof(un), why, sizeof(why)),
		MIH_NET_BLOCKED);
	CHECK(strstr(why, "not an IPv4 or IPv6 address") != NULL);
	memset(&in4, 0, sizeof(in4));
	in4.sin_family = AF_INET;
	inet_pton(AF_INET, "8.8.8.8", &in4.sin_addr);
	CHECK_INT(mih_net_check_addr(p, (const struct sockaddr *)&in4, sizeof(in4), why, sizeof(why)),
		MIH_NET_ALLOWED);
	CHECK_INT(mih_net_check_addr(p, (const struct sockaddr *)&in4, sizeof(in4) - 9, why, sizeof(why)),
		MIH_NET_BLOCKED);
	CHECK_INT(mih_net_check_addr(p, (const struct sockaddr *)&in4, 1, why, sizeof(why)), MIH_NET_BLOCKED);
	CHECK_INT(mih_net_check_addr(p, NULL, 0, why, sizeof(why)), MIH_NET_BLOCKED);
	CHECK_STR(why, "no destination address to check");
	mih_net_policy_free(p);
}

TEST(null_arguments_are_errors)
{
	mih_net_policy *p = mih_net_policy_new();

	CHECK_INT(mih_net_policy_add_blocked(NULL, "x.org", 5, err, sizeof(err)), -1);
	CHECK_INT(mih_net_policy_add_blocked(p, NULL, 3, err, sizeof(err)), -1);
	CHECK_INT(mih_net_policy_add_blocked(p, NULL, 0, err, sizeof(err)), 0);
	CHECK_INT(mih_net_policy_parse_hosts(p, NULL, err, sizeof(err)), -1);
	CHECK_INT(mih_net_policy_parse_ports(NULL, "80", err, sizeof(err)), -1);
	CHECK_INT(mih_net_policy_add_allowed_port(NULL, 80, err, sizeof(err)), -1);
	CHECK_INT(mih_net_policy_add_blocked(p, "bad entry", 9, NULL, 0), -1);
	mih_net_policy_free(p);
}

int main(void)
{
	RUN(moodle_defaults_block_private_addresses);
	RUN(why_names_the_address_and_rule);
	RUN(first_matching_rule_is_reported);
	RUN(moodle_defaults_block_host_names_and_literals);
	RUN(malformed_hosts_are_blocked);
	RUN(long_host_is_quoted_truncated);
	RUN(wildcards_match_sub_domains_only);
	RUN(ipv6_cidr_ranges);
	RUN(ipv4_cidr_edges);
	RUN(mapped_rule_blocks_plain_ipv4);
	RUN(last_group_ranges);
	RUN(bad_entries_are_named);
	RUN(bad_entry_message_quotes_the_entry);
	RUN(label_and_entry_length_limits);
	RUN(entries_are_trimmed_and_empty_ones_ignored);
	RUN(bad_host_list_adds_nothing);
	RUN(many_rules_grow_the_policy);
	RUN(ports);
	RUN(no_allowed_ports_means_every_port);
	RUN(port_lists);
	RUN(restricted_ports_never_widen);
	RUN(unspecified_addresses_are_this_host);
	RUN(this_host_is_named_in_why);
	RUN(this_host_by_url_literal);
	RUN(this_host_allowed_without_a_loopback_rule);
	RUN(empty_policy_allows_everything);
	RUN(odd_socket_addresses_are_blocked);
	RUN(null_arguments_are_errors);
	return UNIT_DONE("netpolicy");
}
