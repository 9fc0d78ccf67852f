/* Broker URLs of amqp services: parsing, the password kept apart, the
 * routing key of one delivery, and the names of the outcomes. Built with or
 * without librabbitmq. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "amqp_confirm.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes [s, s+len) into a new string; NULL on a bad escape or a
 * NUL it would produce. With plus, '+' is a space (query strings). */
static char *decode(const char *s, size_t len, bool plus)
{
	char *out = malloc(len + 1), *p = out;
	size_t i;

	if (!out) {
		return NULL;
	}
	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			int hi, lo;
			if (i + 2 >= len) {
				free(out);
				return NULL;
			}
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				free(out);
				return NULL;
			}
			*p++ = (char)(hi * 16 + lo);
			i += 2;
		} else if (plus && s[i] == '+') {
			*p++ = ' ';
		} else {
			*p++ = s[i];
		}
	}
	*p = '\0';
	return out;
}

static void fail(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
}

void mih_amqp_url_dispose(mih_amqp_url *u)
{
	free(u->host);
	free(u->user);
	if (u->password) {
		memset(u->password, 0, strlen(u->password));
		free(u->password);
	}
	free(u->vhost);
	free(u->exchange);
	free(u->routing_key);
	free(u->queue_declare);
	memset(u, 0, sizeof(*u));
}

/* One key=value of the query string. */
static int query_param(mih_amqp_url *u, const char *p, size_t len, char *err, size_t errlen)
{
	const char *eq = memchr(p, '=', len);
	size_t klen = eq ? (size_t)(eq - p) : len;
	char **slot = NULL, *value;

	if (klen == 8 && memcmp(p, "exchange", 8) == 0) {
		slot = &u->exchange;
	} else if (klen == 11 && memcmp(p, "routing_key", 11) == 0) {
		slot = &u->routing_key;
	} else if (klen == 13 && memcmp(p, "queue_declare", 13) == 0) {
		slot = &u->queue_declare;
	} else {
		snprintf(err, errlen, "unknown parameter \"%.*s\" in the broker URL (known: exchange, routing_key, "
			"queue_declare)", (int)(klen > 40 ? 40 : klen), p);
		return -1;
	}
	value = decode(eq ? eq + 1 : p + len, eq ? len - klen - 1 : 0, true);
	if (!value) {
		snprintf(err, errlen, "the broker URL's parameter \"%.*s\" has a bad %%-escape", (int)klen, p);
		return -1;
	}
	if (strlen(value) > 255) {
		free(value);
		snprintf(err, errlen, "the broker URL's parameter \"%.*s\" is longer than 255 bytes", (int)klen, p);
		return -1;
	}
	free(*slot);
	*slot = value;
	return 0;
}

static int parse_port(const char *p, size_t len, int *port)
{
	long v = 0;

	if (len == 0 || len > 5) {
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)p[i])) {
			return -1;
		}
		v = v * 10 + (p[i] - '0');
	}
	if (v < 1 || v > 65535) {
		return -1;
	}
	*port = (int)v;
	return 0;
}

/* host[:port] or [v6][:port] */
static int parse_hostport(mih_amqp_url *u, const char *p, size_t len, char *err, size_t errlen)
{
	const char *hend, *colon = NULL;

	if (len > 0 && p[0] == '[') {
		const char *close = memchr(p, ']', len);
		if (!close || close == p + 1) {
			fail(err, errlen, "the broker URL has a bad IPv6 address (expected [address])");
			return -1;
		}
		u->host = decode(p + 1, (size_t)(close - p - 1), false);
		hend = close + 1;
		if (hend < p + len) {
			if (*hend != ':') {
				fail(err, errlen, "the broker URL has text after its IPv6 address");
				return -1;
			}
			colon = hend;
		}
	} else {
		colon = memchr(p, ':', len);
		u->host = decode(p, colon ? (size_t)(colon - p) : len, false);
	}
	if (!u->host || u->host[0] == '\0') {
		fail(err, errlen, "the broker URL has no host (expected amqp://user:password@host:port/vhost)");
		return -1;
	}
	for (const char *h = u->host; *h; h++) {
		if ((unsigned char)*h <= ' ' || strchr("/?#@[]\\", *h)) {
			fail(err, errlen, "the broker URL's host contains a character not allowed in a host name");
			return -1;
		}
	}
	if (colon && parse_port(colon + 1, (size_t)(p + len - colon - 1), &u->port) != 0) {
		fail(err, errlen, "the broker URL's port must be a number from 1 to 65535");
		return -1;
	}
	return 0;
}

int mih_amqp_url_parse(const char *url, size_t len, mih_amqp_url *u, char *err, size_t errlen)
{
	const char *p, *end = url + len, *auth_end, *at = NULL, *q;
	size_t i;

	memset(u, 0, sizeof(*u));
	if (len > MIH_AMQP_MAX_URL) {
		snprintf(err, errlen, "the broker URL is longer than %d bytes", MIH_AMQP_MAX_URL);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)url[i] <= ' ' || url[i] == 0x7f) {
			fail(err, errlen, "the broker URL must not contain spaces or control characters");
			return -1;
		}
	}
	if (len >= 7 && strncasecmp(url, "amqp://", 7) == 0) {
		p = url + 7;
	} else if (len >= 8 && strncasecmp(url, "amqps://", 8) == 0) {
		u->tls = true;
		p = url + 8;
	} else {
		fail(err, errlen, "the broker URL must start with amqp:// or amqps://");
		return -1;
	}
	if (memchr(p, '#', (size_t)(end - p))) {
		fail(err, errlen, "the broker URL must not have a #fragment");
		goto bad;
	}
	auth_end = p;
	while (auth_end < end && *auth_end != '/' && *auth_end != '?') {
		auth_end++;
	}
	for (const char *s = p; s < auth_end; s++) {
		if (*s == '@') {
			at = s;   /* the last one: a password may not hold a raw @, but be lenient */
		}
	}
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));
		u->user = decode(p, colon ? (size_t)(colon - p) : (size_t)(at - p), false);
		if (colon) {
			u->password = decode(colon + 1, (size_t)(at - colon - 1), false);
			u->has_password = true;
		}
		if (!u->user || (colon && !u->password)) {
			fail(err, errlen, "the broker URL's user or password has a bad %-escape");
			goto bad;
		}
		p = at + 1;
	}
	if (!u->user || u->user[0] == '\0') {
		free(u->user);
		u->user = strdup("guest");
	}
	if (!u->password) {
		u->password = strdup("guest");
	}
	u->port = u->tls ? 5671 : 5672;
	if (parse_hostport(u, p, (size_t)(auth_end - p), err, errlen) != 0) {
		goto bad;
	}
	p = auth_end;
	q = memchr(p, '?', (size_t)(end - p));
	if (p < end && *p == '/') {
		size_t plen = (size_t)((q ? q : end) - p - 1);
		u->vhost = plen == 0 ? strdup("/") : decode(p + 1, plen, false);
		if (!u->vhost) {
			fail(err, errlen, "the broker URL's vhost has a bad %-escape");
			goto bad;
		}
	} else {
		u->vhost = strdup("/");
	}
	u->exchange = strdup("");
	u->routing_key = strdup("");
	u->queue_declare = strdup("");
	if (q) {
		const char *s = q + 1;
		while (s < end) {
			const char *amp = memchr(s, '&', (size_t)(end - s));
			size_t plen = (size_t)((amp ? amp : end) - s);
			if (plen > 0 && query_param(u, s, plen, err, errlen) != 0) {
				goto bad;
			}
			s = amp ? amp + 1 : end;
		}
	}
	if (!u->user || !u->password || !u->vhost || !u->exchange || !u->routing_key || !u->queue_declare) {
		fail(err, errlen, "out of memory parsing the broker URL");
		goto bad;
	}
	if (strlen(u->vhost) > 255) {
		fail(err, errlen, "the broker URL's vhost is longer than 255 bytes");
		goto bad;
	}
	return 0;
bad:
	mih_amqp_url_dispose(u);
	return -1;
}

char *mih_amqp_url_with_password(const char *url, const char *pass)
{
	const char *sep = strstr(url, "://"), *auth, *auth_end, *at = NULL, *colon;
	size_t ulen;
	char *out;

	if (!sep) {
		return NULL;
	}
	auth = sep + 3;
	auth_end = auth + strcspn(auth, "/?#");
	for (const char *s = auth; s < auth_end; s++) {
		if (*s == '@') {
			at = s;
		}
	}
	if (!at) {
		/* No user part: the password needs one (the PHP plugin's default). */
		if (!pass) {
			return strdup(url);
		}
		ulen = strlen(url) + strlen(pass) + 8;
		out = malloc(ulen);
		if (out) {
			snprintf(out, ulen, "%.*sguest:%s@%s", (int)(auth - url), url, pass, auth);
		}
		return out;
	}
	colon = memchr(auth, ':', (size_t)(at - auth));
	if (!colon) {
		colon = at;
	}
	ulen = strlen(url) + (pass ? strlen(pass) : 0) + 2;
	out = malloc(ulen);
	if (!out) {
		return NULL;
	}
	if (pass) {
		snprintf(out, ulen, "%.*s:%s%s", (int)(colon - url), url, pass, at);
	} else {
		snprintf(out, ulen, "%.*s%s", (int)(colon - url), url, at);
	}
	return out;
}

const char *mih_amqp_routing_key(const mih_amqp_url *u, const char *endpoint)
{
	while (endpoint && *endpoint == '/') {
		endpoint++;
	}
	if (endpoint && *endpoint) {
		return endpoint;
	}
	if (u->routing_key && *u->routing_key) {
		return u->routing_key;
	}
	return u->queue_declare ? u->queue_declare : "";
}

const char *mih_amqp_outcome_name(mih_amqp_outcome o)
{
	switch (o) {
		case MIH_AMQP_ACK: return "ack";
		case MIH_AMQP_NACK: return "nack";
		case MIH_AMQP_RETURNED: return "returned";
		case MIH_AMQP_TIMEOUT: return "timeout";
		case MIH_AMQP_LOST: return "lost";
		case MIH_AMQP_BLOCKED: return "blocked";
		default: return "unsent";
	}
}
