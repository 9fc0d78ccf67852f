/* The outbound proxy's settings and Moodle's proxybypass matching
 * (ext/core/net/proxy.c), against the cases of Moodle's own
 * moodlelib_test::is_proxybypass_provider() and more. */
#include "unit.h"
#include "proxy.h"

#include <arpa/inet.h>
#include <string.h>

static char err[256];

static mih_proxy *proxy_with(const char *bypass)
{
	mih_proxy_settings s = { "192.168.5.5", 11, 3128, NULL, 0, NULL, 0, NULL, 0 };
	mih_proxy *p = mih_proxy_new(&s, err, sizeof(err));

	if (p && bypass) {
		mih_proxy_parse_bypass(p, bypass);
	}
	return p;
}

static int bypassed(const char *list, const char *host)
{
	mih_proxy *p = proxy_with(list);
	int r = mih_proxy_bypassed(p, host);

	mih_proxy_free(p);
	return r;
}

/* moodlelib_test::is_proxybypass_provider(), the host as parse_url() gives it */
TEST(moodle_cases)
{
	CHECK_INT(bypassed("192.168.5.5,127.0.0.1", "192.168.5.5-fake-app-7f000101.nip.io"), 0);
	CHECK_INT(bypassed("app-7f000101.nip.io", "192.168.5.5-fake-app-7f000101.nip.io"), 0);
	CHECK_INT(bypassed("mydomain.com", "store.mydomain.com"), 0);
	CHECK_INT(bypassed("store.myweb.com", "myweb.com"), 0);
	CHECK_INT(bypassed("*.myweb.com", "myweb.com"), 0);
	CHECK_INT(bypassed("192.168.5.3", "192.168.5.5"), 0);
	CHECK_INT(bypassed("192.16", "192.168.5.5"), 0);
	CHECK_INT(bypassed("192.16.", "192.168.5.5"), 0);
	CHECK_INT(bypassed("store.mydomain.com", "store.mydomain.com"), 1);
	CHECK_INT(bypassed("*.mydomain.com", "store.mydomain.com"), 1);
	CHECK_INT(bypassed("*.mydomain.com", "another.store.mydomain.com"), 1);
	CHECK_INT(bypassed("127.0.0.1,*.mydomain.com", "store.mydomain.com"), 1);
	CHECK_INT(bypassed("192.168.5.5", "192.168.5.5"), 1);
	CHECK_INT(bypassed("192.168.", "192.168.5.5"), 1);
}

TEST(names_and_wildcards)
{
	CHECK_INT(bypassed("Store.Example.ORG", "store.example.org"), 1);
	CHECK_INT(bypassed("store.example.org", "STORE.example.org."), 1);
	CHECK_INT(bypassed(" localhost , 127.0.0.1 ", "localhost"), 1);
	CHECK_INT(bypassed("localhost,127.0.0.1", "localhost.localdomain"), 0);
	CHECK_INT(bypassed("*.example.org", "x.example.org"), 1);
	CHECK_INT(bypassed("*.example.org", "xexample.org"), 0);
	CHECK_INT(bypassed("*.example.org", "example.org"), 0);
	/* a name is never resolved: "localhost" is not 127.0.0.1 */
	CHECK_INT(bypassed("127.0.0.1", "localhost"), 0);
	CHECK_INT(bypassed("localhost", "127.0.0.1"), 0);
	/* a host Moodle's is_domain_name() refuses never matches */
	CHECK_INT(bypassed("a_b.example", "a_b.example"), 0);
	CHECK_INT(bypassed("", "example.org"), 0);
	CHECK_INT(bypassed("example.org", ""), 0);
}

TEST(addresses)
{
	CHECK_INT(bypassed("10.0.0.0/8", "10.200.3.4"), 1);
	CHECK_INT(bypassed("10.0.0.0/8", "11.0.0.1"), 0);
	CHECK_INT(bypassed("0.0.0.0/0", "8.8.8.8"), 1);
	CHECK_INT(bypassed("0.0.0.0/0", "0.0.0.0"), 0);
	CHECK_INT(bypassed("192.168.1.10-20", "192.168.1.15"), 1);
	CHECK_INT(bypassed("192.168.1.10-20", "192.168.1.21"), 0);
	CHECK_INT(bypassed("192.168", "192.168.9.9"), 1);
	CHECK_INT(bypassed("127.", "127.0.0.5"), 1);
	/* IPv4 rules never match IPv6 hosts and the other way round */
	CHECK_INT(bypassed("::ffff:127.0.0.1", "127.0.0.1"), 0);
	CHECK_INT(bypassed("fe80::/10", "[fe80::1234]"), 1);
	CHECK_INT(bypassed("fe80::/10", "[fec0::1]"), 0);
	CHECK_INT(bypassed("::1", "[::1]"), 1);
	CHECK_INT(bypassed("fe80::1-ff", "[fe80::fe]"), 1);
	CHECK_INT(bypassed("fe80::1-ff", "[fe80::100]"), 0);
	CHECK_INT(bypassed("fe80:1", "[fe80:1::5]"), 1);
	CHECK_INT(bypassed("fe80:1:", "[fe80:2::5]"), 0);
	CHECK_INT(bypassed("::1", "[::1%25lo]"), 1);
	/* odd IPv4 forms are not addresses (Moodle's cleanremoteaddr) nor names */
	CHECK_INT(bypassed("127.0.0.1", "127.1"), 0);
	CHECK_INT(bypassed("127.0.0.1", "0x7f000001"), 0);
}

TEST(unusable_entries_are_ignored)
{
	CHECK_INT(bypassed("10.0.0.0/33,example.org", "example.org"), 1);
	CHECK_INT(bypassed("10.0.0.0/33", "10.0.0.1"), 0);
	CHECK_INT(bypassed("1.2.3.4-2", "1.2.3.4"), 0);
	CHECK_INT(bypassed("1.2.3.4/8-9", "1.2.3.4"), 0);
	CHECK_INT(bypassed("*.*.example.org", "a.b.example.org"), 0);
	CHECK_INT(bypassed("bad host,ok.example", "ok.example"), 1);
	CHECK_INT(bypassed("1.2.3.4.5", "1.2.3.4"), 0);
}

TEST(no_proxy_bypasses_nothing)
{
	mih_proxy_settings s = { "", 0, 0, NULL, 0, NULL, 0, NULL, 0 };
	mih_proxy *p = mih_proxy_new(&s, err, sizeof(err));

	CHECK(p != NULL);
	mih_proxy_parse_bypass(p, "example.org");
	CHECK_INT(mih_proxy_enabled(p), 0);
	CHECK_INT(mih_proxy_bypassed(p, "example.org"), 0);
	CHECK_STR(mih_proxy_curl_url(p), "");
	CHECK_INT(mih_proxy_port(p), 0);
	mih_proxy_free(p);
	CHECK_INT(mih_proxy_bypassed(NULL, "example.org"), 0);
}

static mih_proxy *make(const char *host, long port, const char *type, const char *user, const char *pass)
{
	mih_proxy_settings s = { host, host ? strlen(host) : 0, port, type, type ? strlen(type) : 0,
		user, user ? strlen(user) : 0, pass, pass ? strlen(pass) : 0 };

	err[0] = '\0';
	return mih_proxy_new(&s, err, sizeof(err));
}

TEST(settings)
{
	mih_proxy *p = make("proxy.example", 3128, "HTTP", "u", "s3cret");

	CHECK(p != NULL);
	CHECK_STR(mih_proxy_curl_url(p), "proxy.example:3128");
	CHECK_STR(mih_proxy_display(p), "proxy.example:3128");
	CHECK_INT(mih_proxy_port(p), 3128);
	CHECK_STR(mih_proxy_user(p), "u");
	CHECK_STR(mih_proxy_password(p), "s3cret");
	CHECK_INT(mih_proxy_get_type(p), MIH_PROXY_HTTP);
	mih_proxy_free(p);

	p = make("::1", 0, "socks5", "u", "");
	CHECK(p != NULL);
	CHECK_STR(mih_proxy_curl_url(p), "[::1]");
	CHECK_STR(mih_proxy_display(p), "[::1]:1080");
	CHECK_INT(mih_proxy_port(p), 1080);
	CHECK_INT(mih_proxy_get_type(p), MIH_PROXY_SOCKS5);
	/* Moodle sends credentials only when both are set */
	CHECK(mih_proxy_user(p) == NULL && mih_proxy_password(p) == NULL);
	mih_proxy_free(p);

	p = make("[fe80::1]", 8080, NULL, NULL, NULL);
	CHECK(p != NULL);
	CHECK_STR(mih_proxy_curl_url(p), "[fe80::1]:8080");
	mih_proxy_free(p);
}

TEST(bad_settings_are_named_without_the_password)
{
	static const char *const bad_hosts[] = {
		"http://proxy.example", "proxy.example:3128", "pro xy", "proxy/x", "[::1", "[nothex::]", "a\tb",
		"u:topsecret", "[proxy.example]", "[127.0.0.1]"
	};
	size_t i;
	mih_proxy_settings s = { "proxy", 7, 3128, NULL, 0, "u", 1, "pa\0ss", 5 };

	CHECK(make("proxy", 65536, NULL, NULL, NULL) == NULL);
	CHECK_STR(err, "proxy_port 65536 is not a port number from 1 to 65535 (0: libcurl's default, 1080)");
	CHECK(make("proxy", -1, NULL, NULL, NULL) == NULL);
	CHECK(make("proxy", 1, "socks4", NULL, NULL) == NULL);
	CHECK_STR(err, "proxy_type \"socks4\" is not http or socks5");
	CHECK(make("", 3128, NULL, NULL, NULL) == NULL);
	CHECK_STR(err, "proxy_port 3128 is given without proxy_host");
	CHECK(make(NULL, 0, NULL, "u", "topsecret") == NULL);
	CHECK_STR(err, "proxy_user or proxy_password is given without proxy_host");
	for (i = 0; i < sizeof(bad_hosts) / sizeof(bad_hosts[0]); i++) {
		CHECK(make(bad_hosts[i], 1, NULL, "u", "topsecret") == NULL);
		CHECK(strstr(err, "is not a host name or an IP address") != NULL);
		CHECK(strstr(err, "topsecret") == NULL);
	}
	CHECK(make("user:topsecret@proxy", 1, NULL, NULL, NULL) == NULL);
	CHECK_STR(err, "proxy_host must not contain credentials (\"...@\"): give them as proxy_user and proxy_password");
	CHECK(mih_proxy_new(&s, err, sizeof(err)) == NULL);
	CHECK_STR(err, "proxy_password contains a NUL byte or a control character");
	s.password = "ok";
	s.password_len = 2;
	s.user = "u\0";
	s.user_len = 2;
	CHECK(mih_proxy_new(&s, err, sizeof(err)) == NULL);
	CHECK_STR(err, "proxy_user contains a NUL byte or a control character");
	s.host = "pr\0xy";
	s.host_len = 5;
	s.user_len = 1;
	CHECK(mih_proxy_new(&s, err, sizeof(err)) == NULL);
	CHECK_STR(err, "proxy_host is not a host name or an IP address: it contains a NUL byte (give the port as "
		"proxy_port, no scheme or credentials; the value is not shown, it may hold a secret)");
}

TEST(target_check_resolves_the_name)
{
	mih_net_policy *pol = mih_net_policy_new();
	char why[256] = "";

	CHECK_INT(mih_proxy_check_target(pol, "localhost", why, sizeof(why)), MIH_NET_ALLOWED);
	mih_net_policy_parse_hosts(pol, "127.0.0.0/8", NULL, 0);
	/* from /etc/hosts: no query leaves this host */
	CHECK_INT(mih_proxy_check_target(pol, "localhost", why, sizeof(why)), MIH_NET_BLOCKED);
	CHECK(strstr(why, "blocked by rule \"127.0.0.0/8\"") != NULL);
	CHECK_INT(mih_proxy_check_target(pol, "127.0.0.9", why, sizeof(why)), MIH_NET_BLOCKED);
	CHECK_INT(mih_proxy_check_target(pol, "[::1]", why, sizeof(why)), MIH_NET_BLOCKED);
	mih_net_policy_free(pol);
}

/* What SOCKS5 transfers pin with CURLOPT_RESOLVE: the addresses checked. */
TEST(target_check_gives_the_addresses_checked)
{
	mih_net_policy *pol = mih_net_policy_new();
	char why[256] = "", addrs[256];
	bool resolved;

	mih_net_policy_parse_hosts(pol, "192.0.2.0/24", NULL, 0);
	CHECK_INT(mih_proxy_check_target_addrs(pol, "localhost", addrs, sizeof(addrs), &resolved, why, sizeof(why)),
		MIH_NET_ALLOWED);
	CHECK(resolved);
	CHECK(strstr(addrs, "127.0.0.1") != NULL || strstr(addrs, "[::1]") != NULL);
	/* a literal is not resolved by libcurl: nothing to pin */
	CHECK_INT(mih_proxy_check_target_addrs(pol, "127.0.0.9", addrs, sizeof(addrs), &resolved, why, sizeof(why)),
		MIH_NET_ALLOWED);
	CHECK(resolved && addrs[0] == '\0');
	CHECK_INT(mih_proxy_check_target_addrs(pol, "nowhere.invalid", addrs, sizeof(addrs), &resolved, why,
		sizeof(why)), MIH_NET_ALLOWED);
	CHECK(!resolved && addrs[0] == '\0');
	CHECK_INT(mih_proxy_check_target_addrs(pol, "192.0.2.7", addrs, sizeof(addrs), &resolved, why, sizeof(why)),
		MIH_NET_BLOCKED);
	CHECK(addrs[0] == '\0');
	mih_net_policy_free(pol);
}

/* The connection exempt from the site's lists is told by address, not
 * only by port. */
TEST(proxy_addresses)
{
	mih_proxy_settings s;
	struct sockaddr_storage addrs[8];
	struct sockaddr_in in;
	mih_proxy *p;
	size_t n;

	memset(&s, 0, sizeof(s));
	s.host = "127.0.0.2";
	s.host_len = strlen(s.host);
	s.port = 3128;
	p = mih_proxy_new(&s, err, sizeof(err));
	CHECK(p != NULL);
	n = mih_proxy_resolve(p, addrs, 8);
	CHECK_INT((long)n, 1);
	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_port = htons(3128);
	inet_pton(AF_INET, "127.0.0.2", &in.sin_addr);
	CHECK(mih_proxy_is_proxy_addr(addrs, n, (struct sockaddr *)&in));
	inet_pton(AF_INET, "127.0.0.1", &in.sin_addr);
	CHECK(!mih_proxy_is_proxy_addr(addrs, n, (struct sockaddr *)&in));
	CHECK_INT((long)mih_proxy_resolve(NULL, addrs, 8), 0);
	mih_proxy_free(p);
}

int main(void)
{
	RUN(moodle_cases);
	RUN(names_and_wildcards);
	RUN(addresses);
	RUN(unusable_entries_are_ignored);
	RUN(no_proxy_bypasses_nothing);
	RUN(settings);
	RUN(bad_settings_are_named_without_the_password);
	RUN(target_check_resolves_the_name);
	RUN(target_check_gives_the_addresses_checked);
	RUN(proxy_addresses);
	return UNIT_DONE("proxy");
}
