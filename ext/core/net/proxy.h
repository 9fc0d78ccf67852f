/* The outbound proxy, as Moodle's web proxy settings (proxyhost, proxyport,
 * proxytype, proxyuser, proxypassword, proxybypass) and its curl class apply
 * them: one proxy for every outbound HTTP transfer except those whose URL
 * host is in the bypass list (is_proxybypass() in Moodle's moodlelib.php).
 *
 * Bypass entries (comma- or line-separated, each trimmed; entries Moodle
 * would not understand are ignored, as Moodle ignores them):
 * - a host name: that name exactly, case-insensitive ("store.example.org"
 *   does not cover "www.store.example.org");
 * - "*.example.org": any name ending in ".example.org" (not the name itself);
 * - an IPv4 address "192.168.1.5", a CIDR range "192.168.0.0/16", a range of
 *   the last group "192.168.1.1-20", or a partial address "192.168." or
 *   "192.168" (those leading groups);
 * - the same for IPv6 ("fe80::1", "fe80::/10", "fe80::1-ff", "fe80:1").
 * Names match names and addresses match literal addresses: a name is never
 * resolved to decide (neither does Moodle). One deviation: Moodle never
 * matches a URL whose host is a bracketed IPv6 literal (parse_url keeps the
 * brackets); here "[fe80::1]" matches the address rules.
 *
 * No Zend types; the proxy is built once and then only read. */
#ifndef MIH_PROXY_H
#define MIH_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "netpolicy.h"

typedef enum {
	MIH_PROXY_HTTP = 0,    /* CURLPROXY_HTTP, no tunnel for http URLs (as Moodle) */
	MIH_PROXY_SOCKS5 = 1   /* CURLPROXY_SOCKS5: target names resolved here */
} mih_proxy_type;

typedef struct mih_proxy mih_proxy;

/* The settings of one proxy. host NULL or "" means no proxy (then port,
 * user and password must be unset too). port 0: libcurl's default (1080,
 * as Moodle leaves it). user and password are used only when both are
 * non-empty (Moodle's rule). Lengths are given so that a NUL inside is
 * caught. */
typedef struct mih_proxy_settings {
	const char *host;
	size_t host_len;
	long port;
	const char *type;      /* "http" or "socks5", any case; NULL or "": http */
	size_t type_len;
	const char *user;
	size_t user_len;
	const char *password;
	size_t password_len;
} mih_proxy_settings;

/* Checks settings and builds the proxy (without bypass entries). NULL with
 * err naming what is wrong (never quoting the password), or NULL with err
 * empty when out of memory. A proxy with no host is valid: "direct". */
mih_proxy *mih_proxy_new(const mih_proxy_settings *settings, char *err, size_t errlen);
void mih_proxy_free(mih_proxy *proxy);

/* Adds bypass entries; unusable ones are ignored (Moodle's rule). -1 only
 * when out of memory. _add takes one entry of len bytes, _parse a list. */
int mih_proxy_add_bypass(mih_proxy *proxy, const char *entry, size_t len);
int mih_proxy_parse_bypass(mih_proxy *proxy, const char *list);

/* true when a host is configured. */
bool mih_proxy_enabled(const mih_proxy *proxy);
/* The URL host (as libcurl's URL parser gives it, IPv6 in brackets) goes
 * direct, not through the proxy. false when no proxy is enabled. */
bool mih_proxy_bypassed(const mih_proxy *proxy, const char *host);
/* libcurl's CURLOPT_PROXY value, "host:port" or "host" ("[::1]:3128" for an
 * IPv6 literal): no credentials in it, so no error text can show them.
 * "" when no proxy is enabled. */
const char *mih_proxy_curl_url(const mih_proxy *proxy);
/* "host:port" for messages (the port libcurl uses: 1080 when none). */
const char *mih_proxy_display(const mih_proxy *proxy);
mih_proxy_type mih_proxy_get_type(const mih_proxy *proxy);
/* The port libcurl connects to (1080 when none is set); 0 without a proxy. */
long mih_proxy_port(const mih_proxy *proxy);
/* NULL unless both are set. */
const char *mih_proxy_user(const mih_proxy *proxy);
const char *mih_proxy_password(const mih_proxy *proxy);

/* The check Moodle's curl_security_helper makes of a target it does not
 * connect to itself: every address host resolves to here (getaddrinfo) is
 * checked against the policy's address rules. A name that does not resolve
 * here passes (Moodle's helper lets it through too: the proxy resolves it,
 * and the name rules were checked before). An IP literal is checked as
 * such. MIH_NET_BLOCKED with why naming the rule. Blocking (DNS). */
mih_net_verdict mih_proxy_check_target(const mih_net_policy *policy, const char *host,
	char *why, size_t whylen);
/* The same check, also giving what libcurl must connect to when it
 * resolves the name itself (SOCKS5): addrs gets the addresses that passed,
 * comma-separated in CURLOPT_RESOLVE's form ("192.0.2.1,[2001:db8::1]"),
 * "" for an IP literal, an empty policy, a refusal or a name that did not
 * resolve; *resolved is false for the last. addrs, resolved may be NULL. */
mih_net_verdict mih_proxy_check_target_addrs(const mih_net_policy *policy, const char *host,
	char *addrs, size_t addrslen, bool *resolved, char *why, size_t whylen);

/* The addresses the proxy's host resolves to here (at most max; 0 when
 * none or no proxy), so that its connection is told from any other by
 * address and port. Blocking (DNS). */
size_t mih_proxy_resolve(const mih_proxy *proxy, struct sockaddr_storage *out, size_t max);
/* sa's address (the port aside) is one of addrs. */
bool mih_proxy_is_proxy_addr(const struct sockaddr_storage *addrs, size_t n, const struct sockaddr *sa);

#endif
