/* The outbound proxy: see proxy.h. Its bypass list is proxy_bypass.c. */
#include "proxy.h"
#include "text.h"
#include "proxy_bypass.h"
#include "err.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define ADDR_BYTES 16
#define PORT_MAX 65535
#define LIBCURL_DEFAULT_PROXY_PORT 1080

struct mih_proxy {
	char *host;                /* NULL: no proxy */
	char *curl_url;
	char *display;
	char *user, *password;     /* both set or both NULL */
	mih_proxy_type type;
	long port;                 /* as libcurl connects: 1080 when none was set */
	mih_proxy_bypass *bypass;  /* NULL until an entry is added */
};

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* ---- settings ---- */

/* A host name or an IPv4 or IPv6 address (IPv6 with or without brackets);
 * *ipv6 says whether it needs brackets in a URL. */
static int valid_proxy_host(const char *h, size_t len, int *ipv6)
{
	unsigned char buf[ADDR_BYTES];
	char text[INET6_ADDRSTRLEN + 3];
	size_t i;

	*ipv6 = 0;
	if (len > 0 && h[0] == '[') {
		/* Brackets hold an IPv6 literal and nothing else. */
		if (len < 3 || h[len - 1] != ']' || !memchr(h, ':', len)) {
			return 0;
		}
		h++;
		len -= 2;
	}
	if (memchr(h, ':', len)) {
		if (len >= sizeof(text)) {
			return 0;
		}
		memcpy(text, h, len);
		text[len] = '\0';
		*ipv6 = 1;
		return inet_pton(AF_INET6, text, buf) == 1;
	}
	/* Names and dotted IPv4 (Moodle's PARAM_HOST); '_' as resolvers take it. */
	for (i = 0; i < len; i++) {
		if (!is_alnum(h[i]) && h[i] != '-' && h[i] != '.' && h[i] != '_') {
			return 0;
		}
	}
	return len > 0 && len <= 253;
}

/* What is wrong with a host valid_proxy_host() refused. The value itself
 * is never quoted: a mistyped "user:password" or "http://user:pw@..." may
 * hold the password. */
static const char *host_problem(const char *h, size_t len)
{
	size_t i;

	for (i = 0; i + 3 <= len; i++) {
		if (memcmp(h + i, "://", 3) == 0) {
			return "it has a scheme (\"...://\")";
		}
	}
	if (memchr(h, '\0', len)) {
		return "it contains a NUL byte";
	}
	if (h[0] == '[' || memchr(h, ']', len)) {
		return "brackets hold only an IPv6 address";
	}
	if (memchr(h, ':', len)) {
		return "it has a ':' and is not an IPv6 address";
	}
	if (len > 253) {
		return "it is longer than 253 characters";
	}
	return "it has a character other than letters, digits, '-', '.' and '_'";
}

static int check_type(const mih_proxy_settings *s, mih_proxy_type *type, char *err, size_t errlen)
{
	char quoted[MIH_QUOTE_MAX + 4];

	*type = MIH_PROXY_HTTP;
	if (!s->type || s->type_len == 0) {
		return 0;
	}
	if (s->type_len == 4 && strncasecmp(s->type, "http", 4) == 0) {
		return 0;
	}
	if (s->type_len == 6 && strncasecmp(s->type, "socks5", 6) == 0) {
		*type = MIH_PROXY_SOCKS5;
		return 0;
	}
	mih_quote(s->type, s->type_len, quoted);
	mih_set_err(err, errlen, "proxy_type \"%s\" is not http or socks5", quoted);
	return -1;
}

static int check_settings(const mih_proxy_settings *s, mih_proxy_type *type, int *ipv6, char *err, size_t errlen)
{
	size_t hlen = s->host ? s->host_len : 0;

	if (check_type(s, type, err, errlen) != 0) {
		return -1;
	}
	if (s->port < 0 || s->port > PORT_MAX) {
		mih_set_err(err, errlen, "proxy_port %ld is not a port number from 1 to %d (0: libcurl's default, %d)",
			s->port, PORT_MAX, LIBCURL_DEFAULT_PROXY_PORT);
		return -1;
	}
	if ((s->user && memchr(s->user, '\0', s->user_len)) || (s->user && mih_has_control(s->user, s->user_len))) {
		mih_set_err(err, errlen, "proxy_user contains a NUL byte or a control character");
		return -1;
	}
	if (s->password && (memchr(s->password, '\0', s->password_len) || mih_has_control(s->password, s->password_len))) {
		mih_set_err(err, errlen, "proxy_password contains a NUL byte or a control character");
		return -1;
	}
	if (hlen == 0) {
		if (s->port != 0) {
			mih_set_err(err, errlen, "proxy_port %ld is given without proxy_host", s->port);
			return -1;
		}
		if ((s->user && s->user_len) || (s->password && s->password_len)) {
			mih_set_err(err, errlen, "proxy_user or proxy_password is given without proxy_host");
			return -1;
		}
		return 0;
	}
	if (memchr(s->host, '@', hlen)) {
		/* "user:password@host": not quoted, it may hold the password. */
		mih_set_err(err, errlen, "proxy_host must not contain credentials (\"...@\"): give them as "
			"proxy_user and proxy_password");
		return -1;
	}
	if (memchr(s->host, '\0', hlen) || !valid_proxy_host(s->host, hlen, ipv6)) {
		mih_set_err(err, errlen, "proxy_host is not a host name or an IP address: %s (give the port as "
			"proxy_port, no scheme or credentials; the value is not shown, it may hold a secret)",
			host_problem(s->host, hlen));
		return -1;
	}
	return 0;
}

static int build_urls(mih_proxy *p, const mih_proxy_settings *s, int ipv6)
{
	const char *h = s->host;
	size_t len = s->host_len, n = len + 16;
	const char *open = ipv6 && h[0] != '[' ? "[" : "", *close = ipv6 && h[0] != '[' ? "]" : "";

	p->host = mih_strndup(h, len);
	p->curl_url = malloc(n);
	p->display = malloc(n);
	if (!p->host || !p->curl_url || !p->display) {
		return -1;
	}
	if (s->port > 0) {
		snprintf(p->curl_url, n, "%s%s%s:%ld", open, p->host, close, s->port);
	} else {
		snprintf(p->curl_url, n, "%s%s%s", open, p->host, close);
	}
	snprintf(p->display, n, "%s%s%s:%ld", open, p->host, close, s->port > 0 ? s->port
		: (long)LIBCURL_DEFAULT_PROXY_PORT);
	return 0;
}

mih_proxy *mih_proxy_new(const mih_proxy_settings *s, char *err, size_t errlen)
{
	mih_proxy_type type;
	mih_proxy *p;
	int ipv6 = 0;

	if (err && errlen) {
		err[0] = '\0';
	}
	if (!s) {
		mih_set_err(err, errlen, "no proxy settings given");
		return NULL;
	}
	if (check_settings(s, &type, &ipv6, err, errlen) != 0) {
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		return NULL;
	}
	p->type = type;
	p->port = s->port > 0 ? s->port : LIBCURL_DEFAULT_PROXY_PORT;
	if (s->host && s->host_len > 0) {
		if (build_urls(p, s, ipv6) != 0) {
			mih_proxy_free(p);
			return NULL;
		}
		if (s->user && s->user_len && s->password && s->password_len) {
			p->user = mih_strndup(s->user, s->user_len);
			p->password = mih_strndup(s->password, s->password_len);
			if (!p->user || !p->password) {
				mih_proxy_free(p);
				return NULL;
			}
		}
	}
	return p;
}

void mih_proxy_free(mih_proxy *p)
{
	if (!p) {
		return;
	}
	if (p->password) {
		/* A secret: not left in freed memory. */
		volatile char *v = p->password;
		while (*v) {
			*v++ = '\0';
		}
	}
	free(p->host);
	free(p->curl_url);
	free(p->display);
	free(p->user);
	free(p->password);
	mih_proxy_bypass_free(p->bypass);
	free(p);
}

bool mih_proxy_enabled(const mih_proxy *p)
{
	return p && p->host;
}

const char *mih_proxy_curl_url(const mih_proxy *p)
{
	return mih_proxy_enabled(p) ? p->curl_url : "";
}

const char *mih_proxy_display(const mih_proxy *p)
{
	return mih_proxy_enabled(p) ? p->display : "";
}

mih_proxy_type mih_proxy_get_type(const mih_proxy *p)
{
	return p ? p->type : MIH_PROXY_HTTP;
}

long mih_proxy_port(const mih_proxy *p)
{
	return mih_proxy_enabled(p) ? p->port : 0;
}

const char *mih_proxy_user(const mih_proxy *p)
{
	return p ? p->user : NULL;
}

const char *mih_proxy_password(const mih_proxy *p)
{
	return p ? p->password : NULL;
}

/* ---- bypass ---- */

int mih_proxy_add_bypass(mih_proxy *p, const char *entry, size_t len)
{
	if (!p) {
		return 0;
	}
	if (!p->bypass && !(p->bypass = mih_proxy_bypass_new())) {
		return -1;
	}
	return mih_proxy_bypass_add(p->bypass, entry, len);
}

int mih_proxy_parse_bypass(mih_proxy *p, const char *list)
{
	if (!p || !list) {
		return 0;
	}
	if (!p->bypass && !(p->bypass = mih_proxy_bypass_new())) {
		return -1;
	}
	return mih_proxy_bypass_parse(p->bypass, list);
}

bool mih_proxy_bypassed(const mih_proxy *p, const char *host)
{
	return mih_proxy_enabled(p) && mih_proxy_bypass_match(p->bypass, host);
}

/* host without the brackets of an IPv6 literal, into name; false when it
 * does not fit. */
static bool unbracket(const char *host, char *name, size_t size)
{
	size_t len = strlen(host);

	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len == 0 || len >= size) {
		return false;
	}
	memcpy(name, host, len);
	name[len] = '\0';
	return true;
}

/* One address in CURLOPT_RESOLVE's form ("192.0.2.1", "[2001:db8::1]")
 * appended to list ("a,b"); false when it does not fit. */
static bool append_addr(char *list, size_t size, const struct sockaddr *sa)
{
	char text[INET6_ADDRSTRLEN];
	size_t used = strlen(list);
	const void *bytes = sa->sa_family == AF_INET6 ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
		: (const void *)&((const struct sockaddr_in *)sa)->sin_addr;
	int n;

	if (!inet_ntop(sa->sa_family, bytes, text, sizeof(text))) {
		return false;
	}
	n = snprintf(list + used, size - used, sa->sa_family == AF_INET6 ? "%s[%s]" : "%s%s",
		used ? "," : "", text);
	if (n < 0 || (size_t)n >= size - used) {
		list[used] = '\0';
		return false;
	}
	return true;
}

mih_net_verdict mih_proxy_check_target_addrs(const mih_net_policy *policy, const char *host,
	char *addrs, size_t addrslen, bool *resolved, char *why, size_t whylen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char name[256];
	mih_net_verdict v = MIH_NET_ALLOWED;

	if (addrs && addrslen) {
		addrs[0] = '\0';
	}
	if (resolved) {
		*resolved = true;
	}
	if (mih_net_policy_is_empty(policy) || !host || !unbracket(host, name, sizeof(name))) {
		return MIH_NET_ALLOWED;   /* mih_net_check_host() judged the name */
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(name, NULL, &hints, &res) != 0) {
		if (resolved) {
			*resolved = false;
		}
		return MIH_NET_ALLOWED;
	}
	/* An IP literal is not resolved by libcurl: nothing to pin. */
	addrslen = mih_net_is_ip_literal(name) ? 0 : addrslen;
	for (ai = res; ai && v == MIH_NET_ALLOWED; ai = ai->ai_next) {
		v = mih_net_check_addr(policy, ai->ai_addr, ai->ai_addrlen, why, whylen);
		if (v == MIH_NET_ALLOWED && addrs && addrslen && (ai->ai_family == AF_INET || ai->ai_family == AF_INET6)) {
			append_addr(addrs, addrslen, ai->ai_addr);   /* a subset pinned is as safe */
		}
	}
	freeaddrinfo(res);
	if (v != MIH_NET_ALLOWED && addrs && addrslen) {
		addrs[0] = '\0';
	}
	return v;
}

mih_net_verdict mih_proxy_check_target(const mih_net_policy *policy, const char *host,
	char *why, size_t whylen)
{
	return mih_proxy_check_target_addrs(policy, host, NULL, 0, NULL, why, whylen);
}

size_t mih_proxy_resolve(const mih_proxy *p, struct sockaddr_storage *out, size_t max)
{
	struct addrinfo hints, *res = NULL, *ai;
	char name[256];
	size_t n = 0;

	if (!mih_proxy_enabled(p) || !unbracket(p->host, name, sizeof(name))) {
		return 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(name, NULL, &hints, &res) != 0) {
		return 0;
	}
	for (ai = res; ai && n < max; ai = ai->ai_next) {
		if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) && ai->ai_addrlen <= sizeof(out[n])) {
			memset(&out[n], 0, sizeof(out[n]));
			memcpy(&out[n], ai->ai_addr, ai->ai_addrlen);
			n++;
		}
	}
	freeaddrinfo(res);
	return n;
}

bool mih_proxy_is_proxy_addr(const struct sockaddr_storage *addrs, size_t n, const struct sockaddr *sa)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct sockaddr *a = (const struct sockaddr *)&addrs[i];
		if (a->sa_family != sa->sa_family) {
			continue;
		}
		if (sa->sa_family == AF_INET && memcmp(&((const struct sockaddr_in *)a)->sin_addr,
				&((const struct sockaddr_in *)sa)->sin_addr, sizeof(struct in_addr)) == 0) {
			return true;
		}
		if (sa->sa_family == AF_INET6 && memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
				&((const struct sockaddr_in6 *)sa)->sin6_addr, sizeof(struct in6_addr)) == 0) {
			return true;
		}
	}
	return false;
}
