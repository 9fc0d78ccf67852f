/* HTTP transport over libcurl (no Zend types).
 *
 * Safety rules applied to every transfer: only http and https, also on
 * redirects; redirects only when the service allows them; TLS verification
 * on; a cap on the body size; and the outbound policy checked both on the
 * URL's host name and on every address libcurl actually connects to (the
 * open-socket callback), so a DNS name cannot resolve around a blocked
 * range. A redirect's target is checked the same way (scheme, host name,
 * port) before libcurl follows it.
 *
 * Why this file is long: one transfer is one idea: the URL checks, the
 * policy callbacks (open-socket, redirect), the header and body collection
 * and the result all act on the same mih_http_transfer, set up by one
 * function and finished by another; the synchronous call and the worker
 * share it. Split, the callbacks would have to publish the transfer's
 * internals. */
#include "mih_http.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

/* The host part as libcurl resolves it: an IDN name in punycode
 * ("xn--bcher-kva.example"), so the policy checks the name looked up. */
#ifdef CURLU_PUNYCODE
#define HOST_FLAGS CURLU_PUNYCODE
#else
#define HOST_FLAGS 0
#endif

void mih_http_response_init(mih_http_response *resp)
{
	memset(resp, 0, sizeof(*resp));
}

static void clear_headers(mih_http_response *resp)
{
	resp->nheaders = 0;
	resp->hbuf_len = 0;
}

void mih_http_response_dispose(mih_http_response *resp)
{
	free(resp->headers);
	free(resp->hbuf);
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}

const char *mih_http_response_header(const mih_http_response *resp, const char *lower_name)
{
	size_t i;

	for (i = 0; i < resp->nheaders; i++) {
		if (strcmp(mih_http_response_header_name(resp, i), lower_name) == 0) {
			return mih_http_response_header_value(resp, i);
		}
	}
	return NULL;
}

const char *mih_http_reason_phrase(long status)
{
	switch (status) {
		case 100: return "Continue";
		case 101: return "Switching Protocols";
		case 200: return "OK";
		case 201: return "Created";
		case 202: return "Accepted";
		case 203: return "Non-Authoritative Information";
		case 204: return "No Content";
		case 205: return "Reset Content";
		case 206: return "Partial Content";
		case 300: return "Multiple Choices";
		case 301: return "Moved Permanently";
		case 302: return "Found";
		case 303: return "See Other";
		case 304: return "Not Modified";
		case 307: return "Temporary Redirect";
		case 308: return "Permanent Redirect";
		case 400: return "Bad Request";
		case 401: return "Unauthorized";
		case 402: return "Payment Required";
		case 403: return "Forbidden";
		case 404: return "Not Found";
		case 405: return "Method Not Allowed";
		case 406: return "Not Acceptable";
		case 407: return "Proxy Authentication Required";
		case 408: return "Request Timeout";
		case 409: return "Conflict";
		case 410: return "Gone";
		case 411: return "Length Required";
		case 412: return "Precondition Failed";
		case 413: return "Content Too Large";
		case 414: return "URI Too Long";
		case 415: return "Unsupported Media Type";
		case 416: return "Range Not Satisfiable";
		case 417: return "Expectation Failed";
		case 418: return "I'm a teapot";
		case 421: return "Misdirected Request";
		case 422: return "Unprocessable Content";
		case 423: return "Locked";
		case 424: return "Failed Dependency";
		case 425: return "Too Early";
		case 426: return "Upgrade Required";
		case 428: return "Precondition Required";
		case 429: return "Too Many Requests";
		case 431: return "Request Header Fields Too Large";
		case 451: return "Unavailable For Legal Reasons";
		case 500: return "Internal Server Error";
		case 501: return "Not Implemented";
		case 502: return "Bad Gateway";
		case 503: return "Service Unavailable";
		case 504: return "Gateway Timeout";
		case 505: return "HTTP Version Not Supported";
		case 507: return "Insufficient Storage";
		case 508: return "Loop Detected";
		case 511: return "Network Authentication Required";
		default: return "";
	}
}

char *mih_http_join_url(const char *base, const char *path, size_t path_len)
{
	size_t base_len = strlen(base);
	char *url;
	size_t n = 0;

	while (base_len > 0 && base[base_len - 1] == '/') {
		base_len--;
	}
	while (path_len > 0 && *path == '/') {
		path++;
		path_len--;
	}
	url = malloc(base_len + path_len + 2);
	if (!url) {
		return NULL;
	}
	memcpy(url, base, base_len);
	n = base_len;
	/* A path made only of a query or fragment attaches without a slash. */
	if (path_len == 0 || (path[0] != '?' && path[0] != '#')) {
		url[n++] = '/';
	}
	memcpy(url + n, path, path_len);
	url[n + path_len] = '\0';
	return url;
}

static bool grow(char **buf, size_t *cap, size_t need)
{
	size_t ncap = *cap ? *cap : 1024;
	char *nbuf;

	if (need <= *cap) {
		return true;
	}
	while (ncap < need) {
		ncap *= 2;
	}
	nbuf = realloc(*buf, ncap);
	if (!nbuf) {
		return false;
	}
	*buf = nbuf;
	*cap = ncap;
	return true;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	mih_http_transfer *t = ctx;
	mih_http_response *resp = t->resp;
	size_t len = size * nmemb;

	if (resp->body_len + len > t->req->max_response) {
		t->too_large = true;
		return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	if (!grow(&resp->body, &t->body_cap, resp->body_len + len + 1)) {
		return 0;
	}
	memcpy(resp->body + resp->body_len, data, len);
	resp->body_len += len;
	resp->body[resp->body_len] = '\0';
	return len;
}

static void trim(const char **s, size_t *len)
{
	while (*len > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'
			|| (*s)[*len - 1] == '\r' || (*s)[*len - 1] == '\n')) {
		(*len)--;
	}
}

/* "HTTP/1.1 404 Not Found": a new response block starts (after a redirect
 * or a 100 Continue), so earlier headers are dropped. */
static void on_status_line(mih_http_transfer *t, const char *line, size_t len)
{
	mih_http_response *resp = t->resp;
	const char *sp = memchr(line, ' ', len);
	size_t rest;

	clear_headers(resp);
	resp->reason[0] = '\0';
	t->block_status = 0;
	t->location_seen = false;
	if (!sp) {
		return;
	}
	if (len - (size_t)(sp - line) >= 4 && isdigit((unsigned char)sp[1]) && isdigit((unsigned char)sp[2])
			&& isdigit((unsigned char)sp[3])) {
		t->block_status = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
	}
	rest = len - (size_t)(sp - line);
	/* skip " NNN" */
	if (rest > 4) {
		const char *reason = sp + 4;
		size_t rlen = rest - 4;
		trim(&reason, &rlen);
		if (rlen >= sizeof(resp->reason)) {
			rlen = sizeof(resp->reason) - 1;
		}
		memcpy(resp->reason, reason, rlen);
		resp->reason[rlen] = '\0';
	}
}

/* Room for need more bytes in the header buffer (which may move). */
static bool hbuf_reserve(mih_http_response *resp, size_t need)
{
	size_t cap = resp->hbuf_cap ? resp->hbuf_cap : 512;
	char *buf;

	if (need > SIZE_MAX - resp->hbuf_len) {
		return false;
	}
	need += resp->hbuf_len;
	if (need <= resp->hbuf_cap) {
		return true;
	}
	while (cap < need) {
		if (cap > SIZE_MAX / 2) {
			return false;
		}
		cap *= 2;
	}
	buf = realloc(resp->hbuf, cap);
	if (!buf) {
		return false;
	}
	resp->hbuf = buf;
	resp->hbuf_cap = cap;
	return true;
}

static int add_header(mih_http_transfer *t, const char *name, size_t nlen, const char *value, size_t vlen)
{
	mih_http_response *resp = t->resp;
	mih_http_header *h;
	size_t i;
	char *lname;

	/* The lower-case name goes at the end of the buffer: kept if new,
	 * dropped again (hbuf_len unchanged) if the name was seen. */
	if (vlen > SIZE_MAX / 2 || !hbuf_reserve(resp, nlen + 1 + vlen + 1)) {
		return -1;
	}
	lname = resp->hbuf + resp->hbuf_len;
	for (i = 0; i < nlen; i++) {
		lname[i] = (char)tolower((unsigned char)name[i]);
	}
	lname[nlen] = '\0';
	for (i = 0; i < resp->nheaders; i++) {
		if (strcmp(mih_http_response_header_name(resp, i), lname) == 0) {
			/* Repeated: "old, new" as a new value at the end. */
			size_t old = resp->headers[i].value_len, off;
			if (!hbuf_reserve(resp, old + 2 + vlen + 1)) {
				return -1;
			}
			off = resp->hbuf_len;
			memmove(resp->hbuf + off, resp->hbuf + resp->headers[i].value_off, old);
			memcpy(resp->hbuf + off + old, ", ", 2);
			memcpy(resp->hbuf + off + old + 2, value, vlen);
			resp->hbuf[off + old + 2 + vlen] = '\0';
			resp->headers[i].value_off = off;
			resp->headers[i].value_len = old + 2 + vlen;
			resp->hbuf_len = off + old + 2 + vlen + 1;
			return 0;
		}
	}
	if (resp->nheaders == resp->headers_cap) {
		size_t ncap = resp->headers_cap ? resp->headers_cap * 2 : 16;
		mih_http_header *grown = realloc(resp->headers, ncap * sizeof(*grown));
		if (!grown) {
			return -1;
		}
		resp->headers = grown;
		resp->headers_cap = ncap;
	}
	h = &resp->headers[resp->nheaders++];
	h->name_off = resp->hbuf_len;
	h->value_off = resp->hbuf_len + nlen + 1;
	h->value_len = vlen;
	memcpy(resp->hbuf + h->value_off, value, vlen);
	resp->hbuf[h->value_off + vlen] = '\0';
	resp->hbuf_len = h->value_off + vlen + 1;
	return 0;
}

/* A redirect's next hop under the policy, as the first was checked: its
 * host name and port and, when it goes through the proxy, the addresses
 * its name resolves to here (the proxy connects to it, not libcurl).
 * libcurl keeps one transfer's route for all its hops, so a hop the
 * bypass list would send the other way is refused rather than sent
 * where the site did not configure it to go. */
static bool hop_refused(mih_http_transfer *t, const char *host, long port, char *why, size_t whylen)
{
	const mih_net_policy *policy = t->req->policy;
	bool via;

	if (policy && (mih_net_check_host(policy, host, why, whylen) != MIH_NET_ALLOWED
			|| mih_net_check_port(policy, port, why, whylen) != MIH_NET_ALLOWED)) {
		return true;
	}
	if (!mih_proxy_enabled(t->req->proxy)) {
		return false;
	}
	via = !mih_proxy_bypassed(t->req->proxy, host);
	if (via != t->via_proxy) {
		snprintf(why, whylen, "%.100s %s the proxy (proxy_bypass) and this request %s",
			host, via ? "goes through" : "bypasses", t->via_proxy ? "went through it" : "went direct");
		return true;
	}
	if (!via || mih_proxy_check_target(policy, host, why, whylen) != MIH_NET_ALLOWED) {
		return via;
	}
	/* Through SOCKS5 libcurl resolves the hop's name itself, after this
	 * check, and only the first target's addresses are pinned: a hop to
	 * another name could resolve anywhere. */
	if (policy && !mih_net_policy_is_empty(policy) && mih_proxy_get_type(t->req->proxy) == MIH_PROXY_SOCKS5
			&& !mih_net_is_ip_literal(host) && (strcasecmp(host, t->pinned_host) != 0 || port != t->pinned_port)) {
		snprintf(why, whylen, "%.80s:%ld is not the host checked for this request (through a SOCKS5 "
			"proxy only its checked addresses are used)", host, port);
		return true;
	}
	return false;
}

/* The target of a redirect libcurl is about to follow (value is the
 * Location header, resolved against the current URL as libcurl resolves
 * it): refused unless http or https and allowed by the policy. The refusal
 * names the host or address and the rule, never the URL (its query may
 * carry a token). */
static bool redirect_refused(mih_http_transfer *t, const char *value, size_t vlen)
{
	char *location = NULL, *current = NULL, *scheme = NULL, *host = NULL, *port = NULL;
	char why[sizeof(t->blocked_why) - 32];
	CURLU *u = NULL;
	bool refused = false, evaluated = false;

	if (vlen == 0) {
		return false;	/* nothing to follow */
	}
	if (!(location = malloc(vlen + 1)) || !(u = curl_url())) {
		free(location);
		/* Direct, libcurl fails the same way and every address it connects
		 * to is checked; through the proxy an unchecked hop is refused. */
		if (t->via_proxy) {
			snprintf(t->blocked_why, sizeof(t->blocked_why), "redirect refused: out of memory to check it");
		}
		return t->via_proxy;
	}
	memcpy(location, value, vlen);
	location[vlen] = '\0';
	curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &current);
	if (current && curl_url_set(u, CURLUPART_URL, current, 0) == CURLUE_OK
			&& curl_url_set(u, CURLUPART_URL, location, CURLU_URLENCODE | CURLU_ALLOW_SPACE) == CURLUE_OK
			&& curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK) {
		if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
			snprintf(t->blocked_why, sizeof(t->blocked_why),
				"redirect to a scheme other than http or https refused");
			refused = true;
		} else if (curl_url_get(u, CURLUPART_HOST, &host, HOST_FLAGS) == CURLUE_OK
				&& curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
			evaluated = true;
			if (hop_refused(t, host, strtol(port, NULL, 10), why, sizeof(why))) {
				snprintf(t->blocked_why, sizeof(t->blocked_why), "redirect refused: %s", why);
				refused = true;
			}
		}
	}
	/* Direct, a Location libcurl cannot parse fails the transfer there (and
	 * every address is checked on connecting); through the proxy nothing
	 * checks the hop after this, so one not evaluated is refused. */
	if (!refused && !evaluated && t->via_proxy) {
		snprintf(t->blocked_why, sizeof(t->blocked_why), "redirect refused: its target could not be checked");
		refused = true;
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	free(location);
	return refused;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
	mih_http_transfer *t = ctx;
	size_t len = size * nmemb;
	const char *colon, *value;
	size_t nlen, vlen;

	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		on_status_line(t, data, len);
		return len;
	}
	colon = memchr(data, ':', len);
	if (!colon || colon == data) {
		return len; /* the blank line closing the block, or junk: ignored */
	}
	nlen = (size_t)(colon - data);
	value = colon + 1;
	vlen = len - nlen - 1;
	trim(&value, &vlen);
	/* libcurl follows the first Location of a 3xx answer. */
	if (t->req->follow_redirects && t->block_status >= 300 && t->block_status <= 399 && !t->location_seen
			&& nlen == 8 && strncasecmp(data, "location", 8) == 0) {
		t->location_seen = true;
		if (redirect_refused(t, value, vlen)) {
			t->blocked = true;
			return 0; /* aborts the transfer before it follows */
		}
	}
	if (add_header(t, data, nlen, value, vlen) != 0) {
		return 0;
	}
	return len;
}

static curl_socket_t on_open_socket(void *ctx, curlsocktype purpose, struct curl_sockaddr *addr)
{
	mih_http_transfer *t = ctx;
	const mih_net_policy *policy = t->req->policy;
	long port = 0;

	if (addr->addr.sa_family == AF_INET) {
		port = ntohs(((struct sockaddr_in *)&addr->addr)->sin_port);
	} else if (addr->addr.sa_family == AF_INET6) {
		port = ntohs(((struct sockaddr_in6 *)&addr->addr)->sin6_port);
	}
	/* Through the proxy libcurl connects to the proxy alone: the target
	 * was checked before the transfer and at every redirect instead. The
	 * connection to the proxy (its address and port, as resolved at set-up)
	 * is exempt from the site's lists, which configured it, never from the
	 * host's (proxy_policy, NULL for the host's own proxy). Any other
	 * connection is checked in full, should libcurl ever open one. */
	if (t->via_proxy && port == mih_proxy_port(t->req->proxy)
			&& mih_proxy_is_proxy_addr(t->proxy_addrs, t->nproxy_addrs, &addr->addr)) {
		policy = t->req->proxy_policy;
	}
	if (policy && purpose == CURLSOCKTYPE_IPCXN) {
		if (mih_net_check_addr(policy, &addr->addr, addr->addrlen, t->blocked_why,
				sizeof(t->blocked_why)) != 0
				|| mih_net_check_port(policy, port, t->blocked_why, sizeof(t->blocked_why)) != 0) {
			t->blocked = true;
			return CURL_SOCKET_BAD;
		}
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

static int setup_failed(mih_http_response *resp, const char *what, CURLcode code)
{
	resp->outcome = MIH_HTTP_SETUP_ERROR;
	resp->curl_code = code;
	snprintf(resp->error, sizeof(resp->error), "could not set up the request: %s (%s)", what,
		curl_easy_strerror(code));
	return -1;
}

void mih_http_url_memo_dispose(mih_http_url_memo *memo)
{
	free(memo->url);
	memset(memo, 0, sizeof(*memo));
}

void mih_http_handle_url_dispose(mih_http_handle_url *hu)
{
	curl_url_cleanup(hu->uh);
	free(hu->url);
	memset(hu, 0, sizeof(*hu));
}

/* The URL of this transfer onto the handle: as a string (libcurl parses it
 * and writes it out normalized at every transfer), or parsed once into the
 * caller's handle_url, whose CURLU stays set on the handle while its URL
 * does not change. It is modified only between transfers: libcurl reads it
 * when a transfer starts. check_url_host() parsed the URL with the same
 * flags (none), so it only fails here when memory does. */
static CURLcode set_url(CURL *easy, const mih_http_request *req)
{
	mih_http_handle_url *hu = req->handle_url;
	char *copy;
	CURLcode rc;

	if (!hu) {
		return curl_easy_setopt(easy, CURLOPT_URL, req->url);
	}
	if (hu->url && strcmp(hu->url, req->url) == 0) {
		return CURLE_OK;
	}
	free(hu->url);
	hu->url = NULL;
	if (!hu->uh && !(hu->uh = curl_url())) {
		return CURLE_OUT_OF_MEMORY;
	}
	if (curl_url_set(hu->uh, CURLUPART_URL, req->url, 0) != CURLUE_OK || !(copy = strdup(req->url))) {
		return CURLE_OUT_OF_MEMORY;
	}
	rc = curl_easy_setopt(easy, CURLOPT_CURLU, hu->uh);
	if (rc == CURLE_OK) {
		hu->url = copy;
	} else {
		free(copy);
	}
	return rc;
}

/* The URL's own host is checked before anything is sent, so a blocked
 * name fails the same way whatever it resolves to. */
static int parse_url_host(mih_http_transfer *t)
{
	CURLU *u;
	char *host = NULL, *port = NULL, *scheme = NULL;
	int rc = 0;

	u = curl_url();
	if (!u) {
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, t->req->url, 0) != CURLUE_OK
			|| curl_url_get(u, CURLUPART_HOST, &host, HOST_FLAGS) != CURLUE_OK
			|| curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
		snprintf(t->resp->error, sizeof(t->resp->error), "invalid URL \"%.200s\"", t->req->url);
		t->resp->outcome = MIH_HTTP_SETUP_ERROR;
		rc = -1;
	} else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
		snprintf(t->resp->error, sizeof(t->resp->error), "URL scheme \"%.20s\" is not http or https", scheme);
		t->resp->outcome = MIH_HTTP_SETUP_ERROR;
		rc = -1;
	} else {
		t->via_proxy = mih_proxy_enabled(t->req->proxy) && !mih_proxy_bypassed(t->req->proxy, host);
	}
	if (rc == 0 && t->req->policy) {
		long portnum;
		if (mih_net_check_host(t->req->policy, host, t->blocked_why, sizeof(t->blocked_why)) != 0) {
			t->blocked = true;
		} else if (curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
			portnum = strtol(port, NULL, 10);
			if (mih_net_check_port(t->req->policy, portnum, t->blocked_why, sizeof(t->blocked_why)) != 0) {
				t->blocked = true;
			}
		}
	}
	curl_free(host);
	curl_free(port);
	curl_free(scheme);
	curl_url_cleanup(u);
	return rc;
}

static void memo_replay(mih_http_transfer *t, const mih_http_url_memo *memo)
{
	t->via_proxy = memo->via_proxy;
	if (memo->invalid) {
		snprintf(t->resp->error, sizeof(t->resp->error), "%s", memo->why);
		t->resp->outcome = MIH_HTTP_SETUP_ERROR;
	} else if (memo->blocked) {
		t->blocked = true;
		snprintf(t->blocked_why, sizeof(t->blocked_why), "%.255s", memo->why);
	}
}

static void memo_store(const mih_http_transfer *t, mih_http_url_memo *memo, int rc)
{
	char *url;

	if (rc != 0 && t->resp->error[0] == '\0') {
		return;   /* out of memory, not a verdict on the URL */
	}
	url = strdup(t->req->url);
	if (!url) {
		return;   /* nothing remembered: the next transfer parses again */
	}
	mih_http_url_memo_dispose(memo);
	memo->url = url;
	memo->policy = t->req->policy;
	memo->proxy = t->req->proxy;
	memo->policy_gen = t->req->policy_gen;
	memo->via_proxy = t->via_proxy;
	memo->invalid = rc != 0;
	memo->blocked = t->blocked;
	snprintf(memo->why, sizeof(memo->why), "%s", memo->invalid ? t->resp->error : t->blocked_why);
}

static int check_url_host(mih_http_transfer *t)
{
	mih_http_url_memo *memo = t->req->memo;
	int rc;

	if (memo && memo->url && memo->policy == t->req->policy && memo->proxy == t->req->proxy
			&& memo->policy_gen == t->req->policy_gen && strcmp(memo->url, t->req->url) == 0) {
		memo_replay(t, memo);
		return memo->invalid ? -1 : 0;
	}
	rc = parse_url_host(t);
	if (memo) {
		memo_store(t, memo, rc);
	}
	return rc;
}

/* What Moodle's curl_security_helper checks of a URL it sends through a
 * proxy: the addresses the target's name resolves to here. Never kept in
 * the memo: a name may resolve elsewhere next time. Through SOCKS5 libcurl
 * resolves the name itself, after this: it is held to the addresses that
 * passed (CURLOPT_RESOLVE), and a name that does not resolve here is
 * refused rather than left unchecked. Anything that cannot be checked
 * refuses the transfer. */
static void check_proxied_target(mih_http_transfer *t)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;
	char addrs[1024], entry[1400];
	bool resolved = true;
	bool socks = mih_proxy_get_type(t->req->proxy) == MIH_PROXY_SOCKS5;

	t->blocked = true;
	if (!u || curl_url_set(u, CURLUPART_URL, t->req->url, 0) != CURLUE_OK
			|| curl_url_get(u, CURLUPART_HOST, &host, HOST_FLAGS) != CURLUE_OK
			|| curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
		snprintf(t->blocked_why, sizeof(t->blocked_why), "the target of this request could not be checked");
	} else if (mih_proxy_check_target_addrs(t->req->policy, host, addrs, sizeof(addrs), &resolved,
			t->blocked_why, sizeof(t->blocked_why)) != MIH_NET_ALLOWED) {
		/* blocked_why names the rule */
	} else if (socks && !resolved) {
		snprintf(t->blocked_why, sizeof(t->blocked_why), "host %.100s does not resolve here (a SOCKS5 "
			"proxy connects to the address resolved here)", host);
	} else if (socks && addrs[0]) {
		snprintf(entry, sizeof(entry), "%s:%s:%s", host, port, addrs);
		if (!(t->resolve_list = curl_slist_append(NULL, entry))) {
			snprintf(t->blocked_why, sizeof(t->blocked_why), "out of memory to check the target");
		} else {
			snprintf(t->pinned_host, sizeof(t->pinned_host), "%s", host);
			t->pinned_port = strtol(port, NULL, 10);
			t->blocked = false;
		}
	} else {
		t->blocked = false;
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
}

/* The route of every transfer, set each time (a reused handle must not
 * keep another transfer's): through the proxy, or direct with "" so that
 * libcurl never reads the proxy environment variables; NOPROXY "" so that
 * NO_PROXY cannot send a proxied transfer direct, past the exemption of
 * the proxy's connection from the address check. As Moodle's curl class:
 * no tunnel for http URLs through an HTTP proxy, Basic or NTLM proxy
 * authentication when a user and password are set. */
static CURLcode set_route(mih_http_transfer *t, CURL *easy)
{
	const mih_proxy *proxy = t->via_proxy ? t->req->proxy : NULL;
	const char *user = mih_proxy_user(proxy), *password = mih_proxy_password(proxy);
	CURLcode rc = CURLE_OK;

#define SETOPT(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(easy, opt, val); } while (0)
	SETOPT(CURLOPT_PROXY, proxy ? mih_proxy_curl_url(proxy) : "");
	SETOPT(CURLOPT_NOPROXY, "");
	SETOPT(CURLOPT_PROXYTYPE, mih_proxy_get_type(proxy) == MIH_PROXY_SOCKS5 ? (long)CURLPROXY_SOCKS5
		: (long)CURLPROXY_HTTP);
	SETOPT(CURLOPT_HTTPPROXYTUNNEL, 0L);
	SETOPT(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	SETOPT(CURLOPT_PROXYUSERNAME, user);
	SETOPT(CURLOPT_PROXYPASSWORD, password);
	SETOPT(CURLOPT_PROXYAUTH, user ? (long)(CURLAUTH_BASIC | CURLAUTH_NTLM) : (long)CURLAUTH_BASIC);
#undef SETOPT
	return rc;
}

static int transfer_setup(mih_http_transfer *t, CURL *easy, const mih_http_request *req,
	mih_http_response *resp)
{
	CURLcode rc = CURLE_OK;
	size_t i;
	bool reuse;
	void *user = t->user;

	memset(t, 0, sizeof(*t));
	t->user = user;
	t->easy = easy;
	t->req = req;
	t->resp = resp;
	mih_http_response_init(resp);

	if (check_url_host(t) != 0) {
		return -1;
	}
	if (t->via_proxy && !t->blocked && req->policy && !mih_net_policy_is_empty(req->policy)) {
		check_proxied_target(t);
		t->nproxy_addrs = mih_proxy_resolve(req->proxy, t->proxy_addrs,
			sizeof(t->proxy_addrs) / sizeof(t->proxy_addrs[0]));
	}
	reuse = req->handle_ready && *req->handle_ready;
	if (!reuse) {
		curl_easy_reset(easy);
		if (req->handle_url) {
			free(req->handle_url->url);   /* the handle has no URL now */
			req->handle_url->url = NULL;
		}
	}
	if (req->handle_ready) {
		*req->handle_ready = false;   /* until every option below is set */
	}
	for (i = 0; i < req->nheaders; i++) {
		struct curl_slist *next = curl_slist_append(t->header_list, req->headers[i]);
		if (!next) {
			return setup_failed(resp, "out of memory for headers", CURLE_OUT_OF_MEMORY);
		}
		t->header_list = next;
	}
	/* libcurl would otherwise add Expect: 100-continue to larger bodies and
	 * wait a second for an answer many receivers never send (smaller ones
	 * never get it: the line would only be work for libcurl). */
	if (req->body && req->body_len >= 1024) {
		struct curl_slist *next = curl_slist_append(t->header_list, "Expect:");
		if (!next) {
			return setup_failed(resp, "out of memory for headers", CURLE_OUT_OF_MEMORY);
		}
		t->header_list = next;
	}

#define SETOPT(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(easy, opt, val); } while (0)
	if (!reuse) {
		/* The same for every request. */
		SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
		SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
		SETOPT(CURLOPT_MAXREDIRS, 5L);
		SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
		SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
		SETOPT(CURLOPT_NOSIGNAL, 1L);
		SETOPT(CURLOPT_WRITEFUNCTION, on_body);
		SETOPT(CURLOPT_HEADERFUNCTION, on_header);
		SETOPT(CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
	}
	if (rc == CURLE_OK) {
		rc = set_url(easy, req);
	}
	SETOPT(CURLOPT_FOLLOWLOCATION, req->follow_redirects ? 1L : 0L);
	SETOPT(CURLOPT_TIMEOUT_MS, req->timeout_ms);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms);
	SETOPT(CURLOPT_HTTPHEADER, t->header_list);
	SETOPT(CURLOPT_WRITEDATA, t);
	SETOPT(CURLOPT_HEADERDATA, t);
	SETOPT(CURLOPT_OPENSOCKETDATA, t);
	SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)req->max_response);
	if (req->accept_compressed) {
		/* gzip alone, not "" (every encoding libcurl has: "deflate, gzip,
		 * br, zstd"): every server that compresses offers gzip, and libcurl
		 * writes the line character by character, twice per request, about
		 * 100 instructions a character. An answer in another encoding is
		 * decoded all the same. */
		SETOPT(CURLOPT_ACCEPT_ENCODING, "gzip");
	} else if (reuse) {
		SETOPT(CURLOPT_ACCEPT_ENCODING, (char *)NULL);
	}
	SETOPT(CURLOPT_PRIVATE, t);
	/* Set every time: a reused handle must not point at the list of a
	 * transfer before (freed by finish()). */
	SETOPT(CURLOPT_RESOLVE, t->resolve_list);
	if (rc == CURLE_OK) {
		rc = set_route(t, easy);
	}
	if (reuse) {
		/* Back to a plain GET without a body, as curl_easy_reset leaves it:
		 * the previous request's method, body and NOBODY are gone. */
		SETOPT(CURLOPT_POSTFIELDS, (char *)NULL);
		SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)-1);
		SETOPT(CURLOPT_CUSTOMREQUEST, (char *)NULL);
		SETOPT(CURLOPT_HTTPGET, 1L);
	}
	if (strcmp(req->method, "GET") == 0) {
		SETOPT(CURLOPT_HTTPGET, 1L);
	} else if (strcmp(req->method, "HEAD") == 0) {
		SETOPT(CURLOPT_NOBODY, 1L);
	} else {
		SETOPT(CURLOPT_CUSTOMREQUEST, req->method);
		if (req->body) {
			SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
			SETOPT(CURLOPT_POSTFIELDS, req->body);
		}
	}
#undef SETOPT
	if (rc != CURLE_OK) {
		return setup_failed(resp, "a libcurl option was refused", rc);
	}
	if (req->handle_ready) {
		*req->handle_ready = true;
	}
	return 0;
}

static void drop_resolve_list(mih_http_transfer *t)
{
	if (t->resolve_list) {
		curl_easy_setopt(t->easy, CURLOPT_RESOLVE, (struct curl_slist *)NULL);
		curl_slist_free_all(t->resolve_list);
		t->resolve_list = NULL;
	}
}

int mih_http_transfer_setup(mih_http_transfer *t, CURL *easy, const mih_http_request *req,
	mih_http_response *resp)
{
	int rc = transfer_setup(t, easy, req, resp);

	if (rc != 0) {
		drop_resolve_list(t);
	}
	return rc;
}

/* "host:port" of a URL, for messages when libcurl knows no address. */
static void url_host_port(const char *url, char *out, size_t outlen)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;

	snprintf(out, outlen, "the server");
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK
			&& curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK
			&& curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		snprintf(out, outlen, "%s:%s", host, port);
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
}

static void describe_connect_error(mih_http_transfer *t, CURLcode code)
{
	mih_http_response *resp = t->resp;
	char *ip = NULL;
	long port = 0, oserr = 0;
	char where[128];

	curl_easy_getinfo(t->easy, CURLINFO_PRIMARY_IP, &ip);
	curl_easy_getinfo(t->easy, CURLINFO_PRIMARY_PORT, &port);
	curl_easy_getinfo(t->easy, CURLINFO_OS_ERRNO, &oserr);
	if (ip && *ip) {
		snprintf(where, sizeof(where), strchr(ip, ':') ? "[%s]:%ld" : "%s:%ld", ip, port);
	} else {
		url_host_port(t->req->url, where, sizeof(where));
	}
	if (code == CURLE_COULDNT_RESOLVE_HOST) {
		char *host = NULL;
		CURLU *u = curl_url();
		if (u && curl_url_set(u, CURLUPART_URL, t->req->url, 0) == CURLUE_OK) {
			curl_url_get(u, CURLUPART_HOST, &host, 0);
		}
		snprintf(resp->error, sizeof(resp->error), "could not resolve host %s", host ? host : "(unknown)");
		curl_free(host);
		curl_url_cleanup(u);
	} else if (oserr == ECONNREFUSED) {
		snprintf(resp->error, sizeof(resp->error), "connection refused to %s", where);
	} else if (code == CURLE_COULDNT_CONNECT) {
		snprintf(resp->error, sizeof(resp->error), "could not connect to %s: %s", where,
			oserr ? strerror((int)oserr) : curl_easy_strerror(code));
	} else {
		snprintf(resp->error, sizeof(resp->error), "connection to %s failed: %s", where,
			oserr ? strerror((int)oserr) : curl_easy_strerror(code));
	}
}

/* A failure of the proxy itself, named by its host and port (never with
 * credentials: they are not part of the proxy's URL). true when code is one. */
static bool describe_proxy_error(mih_http_transfer *t, CURLcode code)
{
	mih_http_response *resp = t->resp;
	const char *where = mih_proxy_display(t->req->proxy);
	long oserr = 0, connect_code = 0;

	curl_easy_getinfo(t->easy, CURLINFO_OS_ERRNO, &oserr);
	curl_easy_getinfo(t->easy, CURLINFO_HTTP_CONNECTCODE, &connect_code);
	if (code == CURLE_COULDNT_RESOLVE_PROXY) {
		snprintf(resp->error, sizeof(resp->error), "could not resolve the proxy host of %s", where);
	} else if (code == CURLE_COULDNT_CONNECT && oserr == ECONNREFUSED) {
		snprintf(resp->error, sizeof(resp->error), "connection refused by the proxy %s", where);
	} else if (code == CURLE_COULDNT_CONNECT) {
		snprintf(resp->error, sizeof(resp->error), "could not connect to the proxy %s: %s", where,
			oserr ? strerror((int)oserr) : curl_easy_strerror(code));
	} else if (connect_code >= 300) {
		snprintf(resp->error, sizeof(resp->error), "the proxy %s refused the tunnel: HTTP %ld %s", where,
			connect_code, mih_http_reason_phrase(connect_code));
	} else if (code == CURLE_PROXY) {
		snprintf(resp->error, sizeof(resp->error), "the proxy %s failed: %s", where, curl_easy_strerror(code));
	} else {
		return false;
	}
	resp->outcome = MIH_HTTP_CONNECT_ERROR;
	return true;
}

void mih_http_transfer_finish(mih_http_transfer *t, CURLcode code)
{
	mih_http_response *resp = t->resp;
	double total = 0;

	resp->curl_code = code;
	curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME, &total);
	resp->elapsed_ms = total * 1000.0;
	if (t->blocked) {
		resp->outcome = MIH_HTTP_BLOCKED;
		snprintf(resp->error, sizeof(resp->error), "%s", t->blocked_why);
	} else if (t->too_large || code == CURLE_FILESIZE_EXCEEDED) {
		resp->outcome = MIH_HTTP_TOO_LARGE;
		snprintf(resp->error, sizeof(resp->error),
			"response larger than mih.max_response_size (%zu bytes)", t->req->max_response);
	} else if (code == CURLE_OK) {
		long status = 0;
		curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
		resp->outcome = MIH_HTTP_ANSWERED;
		resp->status = status;
		if (resp->reason[0] == '\0') {
			snprintf(resp->reason, sizeof(resp->reason), "%s", mih_http_reason_phrase(status));
		}
		if (status < 200 || status > 299) {
			snprintf(resp->error, sizeof(resp->error), "HTTP %ld%s%s%s%s%s", status,
				resp->reason[0] ? " " : "", resp->reason,
				t->via_proxy && status == 407 ? " (from the proxy " : "",
				t->via_proxy && status == 407 ? mih_proxy_display(t->req->proxy) : "",
				t->via_proxy && status == 407 ? ")" : "");
		}
	} else if (t->via_proxy && describe_proxy_error(t, code)) {
		/* resp->outcome and resp->error set */
	} else if (code == CURLE_OPERATION_TIMEDOUT) {
		curl_off_t connect_us = 0;
		curl_easy_getinfo(t->easy, CURLINFO_CONNECT_TIME_T, &connect_us);
		resp->outcome = MIH_HTTP_TIMEOUT;
		if (connect_us == 0 && t->req->connect_timeout_ms < t->req->timeout_ms) {
			snprintf(resp->error, sizeof(resp->error), "connect timed out after %ld ms",
				t->req->connect_timeout_ms);
		} else {
			snprintf(resp->error, sizeof(resp->error), "timed out after %ld ms", t->req->timeout_ms);
		}
	} else if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST
			|| code == CURLE_SEND_ERROR || code == CURLE_RECV_ERROR || code == CURLE_GOT_NOTHING) {
		resp->outcome = MIH_HTTP_CONNECT_ERROR;
		if (code == CURLE_GOT_NOTHING) {
			snprintf(resp->error, sizeof(resp->error), "empty reply from server");
		} else {
			describe_connect_error(t, code);
		}
	} else if (code == CURLE_UNSUPPORTED_PROTOCOL) {
		/* Only a redirect gets here (the URL's own scheme is checked first),
		 * and redirect_refused() normally catches it before. */
		resp->outcome = MIH_HTTP_BLOCKED;
		snprintf(resp->error, sizeof(resp->error), "redirect to a scheme other than http or https refused");
	} else if (code == CURLE_TOO_MANY_REDIRECTS) {
		resp->outcome = MIH_HTTP_PROTOCOL_ERROR;
		snprintf(resp->error, sizeof(resp->error), "more than 5 redirects");
	} else if (code == CURLE_PARTIAL_FILE) {
		resp->outcome = MIH_HTTP_CONNECT_ERROR;
		snprintf(resp->error, sizeof(resp->error), "connection closed before the whole response arrived");
	} else {
		resp->outcome = MIH_HTTP_PROTOCOL_ERROR;
		snprintf(resp->error, sizeof(resp->error), "%s", curl_easy_strerror(code));
	}
	if (resp->outcome != MIH_HTTP_ANSWERED) {
		resp->status = 0;
		clear_headers(resp);
	}
	curl_slist_free_all(t->header_list);
	t->header_list = NULL;
	drop_resolve_list(t);
}

void mih_http_perform(CURL *easy, const mih_http_request *req, mih_http_response *resp)
{
	mih_http_transfer t;
	CURLcode code;

	t.user = NULL;
	if (mih_http_transfer_setup(&t, easy, req, resp) != 0) {
		curl_slist_free_all(t.header_list);
		return;
	}
	if (t.blocked) {
		/* The URL's host or port is refused: nothing is sent. */
		mih_http_transfer_finish(&t, CURLE_COULDNT_CONNECT);
		return;
	}
	code = curl_easy_perform(easy);
	mih_http_transfer_finish(&t, code);
}
