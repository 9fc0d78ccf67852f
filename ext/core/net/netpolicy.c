/* Outbound network policy: see netpolicy.h.
 *
 * Why this file is long: it is one parser and matcher of Moodle's two
 * settings (blocked hosts and ranges, allowed ports) with their entry kinds
 * side by side: names, IPv4 and IPv6 addresses and CIDR ranges, ports and
 * port ranges. The sections (entry parsing, ports, addresses, host names)
 * share the policy struct and its entry types, which netpolicy.h keeps
 * opaque. */
#include "netpolicy.h"
#include "text.h"
#include "err.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADDR_BYTES 16
#define PORT_MAX 65535
/* Longest part of an entry or host quoted back in a message. */
#define HOST_NAME_MAX_LEN 253
#define LABEL_MAX_LEN 63
#define LIST_SEPARATORS ",\r\n"

typedef enum {
	RULE_ADDRESS,
	RULE_NAME,
	RULE_WILDCARD
} rule_kind;

/* Address rules are ranges [lo, hi] of 128-bit big-endian numbers: IPv6 as
 * is, IPv4 mapped to ::ffff:a.b.c.d, so one comparison serves both. Name
 * rules hold the lower-case name, wildcards the suffix with its dot
 * (".example.org"). */
typedef struct {
	rule_kind kind;
	unsigned char lo[ADDR_BYTES];
	unsigned char hi[ADDR_BYTES];
	char name[MIH_NET_MAX_ENTRY_LEN + 1];
	char text[MIH_NET_MAX_ENTRY_LEN + 1];
} rule;

struct mih_net_policy {
	rule *rules;
	size_t nrules;
	size_t capacity;
	unsigned char ports[(PORT_MAX + 1) / 8];
	size_t nports;
	int no_port;    /* narrowed to an empty allowed list: every port is refused */
};

static const unsigned char ipv4_mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void trim(const char **s, size_t *len)
{
	while (*len > 0 && is_space(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && is_space((*s)[*len - 1])) {
		(*len)--;
	}
}

/* ---- policy ---- */

mih_net_policy *mih_net_policy_new(void)
{
	return calloc(1, sizeof(mih_net_policy));
}

void mih_net_policy_free(mih_net_policy *policy)
{
	if (policy) {
		free(policy->rules);
		free(policy);
	}
}

int mih_net_policy_is_empty(const mih_net_policy *policy)
{
	return !policy || (policy->nrules == 0 && policy->nports == 0 && !policy->no_port);
}

/* ---- entry parsing ---- */

static void map_ipv4(const struct in_addr *in, unsigned char out[ADDR_BYTES])
{
	memcpy(out, ipv4_mapped_prefix, sizeof(ipv4_mapped_prefix));
	memcpy(out + sizeof(ipv4_mapped_prefix), &in->s_addr, 4);
}

static void set_prefix_range(rule *r, const unsigned char addr[ADDR_BYTES], unsigned int bits)
{
	unsigned int i;

	for (i = 0; i < ADDR_BYTES; i++) {
		unsigned int mask;

		if (bits >= 8 * (i + 1)) {
			mask = 0xff;
		} else if (bits <= 8 * i) {
			mask = 0;
		} else {
			mask = (0xffu << (8 - (bits - 8 * i))) & 0xff;
		}
		r->lo[i] = (unsigned char)(addr[i] & mask);
		r->hi[i] = (unsigned char)(addr[i] | (~mask & 0xff));
	}
}

/* 1 to max_digits digits of the given base (10 or 16), at most max. */
static int parse_number(const char *s, int base, int max_digits, unsigned int max, unsigned int *out)
{
	unsigned int value = 0;
	int n;

	for (n = 0; s[n]; n++) {
		char c = ascii_lower(s[n]);
		unsigned int digit;

		if (is_digit(c)) {
			digit = (unsigned int)(c - '0');
		} else if (base == 16 && c >= 'a' && c <= 'f') {
			digit = (unsigned int)(c - 'a' + 10);
		} else {
			return -1;
		}
		if (n == max_digits) {
			return -1;
		}
		value = value * (unsigned int)base + digit;
	}
	if (n == 0 || value > max) {
		return -1;
	}
	*out = value;
	return 0;
}

typedef struct {
	int family;
	const char *family_name;
	unsigned int prefix_bits;	/* of the address family */
	unsigned int mapped_offset;	/* prefix bits added when stored as IPv6 */
	int range_base;			/* the last group of a range: decimal byte or hex group */
	int range_digits;
	unsigned int range_max;
} address_syntax;

static const address_syntax ipv4_syntax = { AF_INET, "IPv4", 32, 96, 10, 3, 0xff };
static const address_syntax ipv6_syntax = { AF_INET6, "IPv6", 128, 0, 16, 4, 0xffff };

int mih_net_parse_ip(bool ipv4, const char *text, unsigned char out[ADDR_BYTES])
{
	struct in_addr in4;

	if (ipv4) {
		if (inet_pton(AF_INET, text, &in4) != 1) {
			return -1;
		}
		map_ipv4(&in4, out);
		return 0;
	}
	return inet_pton(AF_INET6, text, out) == 1 ? 0 : -1;
}

bool mih_net_is_ip_literal(const char *host)
{
	unsigned char buf[ADDR_BYTES];
	char name[64];
	size_t len = strlen(host);

	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len >= sizeof(name)) {
		return false;
	}
	memcpy(name, host, len);
	name[len] = '\0';
	return mih_net_parse_ip(true, name, buf) == 0 || mih_net_parse_ip(false, name, buf) == 0;
}

static int parse_address(const address_syntax *syn, const char *text, unsigned char out[ADDR_BYTES])
{
	return mih_net_parse_ip(syn->family == AF_INET, text, out);
}

/* "addr", "addr/bits" or "addr-last": the last group of addr up to last. */
static int parse_address_rule(const address_syntax *syn, rule *r, char *err, size_t errlen)
{
	char addr[MIH_NET_MAX_ENTRY_LEN + 1], *slash, *dash;
	unsigned char bytes[ADDR_BYTES];
	unsigned int n, last;

	strcpy(addr, r->text);
	slash = strchr(addr, '/');
	dash = strchr(addr, '-');
	if (slash && dash) {
		mih_set_err(err, errlen, "blocked host \"%s\" mixes a CIDR prefix and a range", r->text);
		return -1;
	}
	if (slash || dash) {
		*(slash ? slash : dash) = '\0';
	}
	if (parse_address(syn, addr, bytes) != 0) {
		mih_set_err(err, errlen, "blocked host \"%s\" is not a valid %s address", r->text, syn->family_name);
		return -1;
	}
	r->kind = RULE_ADDRESS;
	if (slash) {
		if (parse_number(slash + 1, 10, 3, syn->prefix_bits, &n) != 0) {
			mih_set_err(err, errlen, "blocked host \"%s\" needs a prefix length from 0 to %u after '/'",
				r->text, syn->prefix_bits);
			return -1;
		}
		set_prefix_range(r, bytes, n + syn->mapped_offset);
		return 0;
	}
	set_prefix_range(r, bytes, 128);
	if (dash) {
		last = syn->family == AF_INET ? bytes[15] : (unsigned int)(bytes[14] << 8 | bytes[15]);
		if (parse_number(dash + 1, syn->range_base, syn->range_digits, syn->range_max, &n) != 0
				|| n < last) {
			mih_set_err(err, errlen, "blocked host \"%s\" must end its range with a last %s group "
				"from %u to %u", r->text, syn->family_name, last, syn->range_max);
			return -1;
		}
		if (syn->family == AF_INET6) {
			r->hi[14] = (unsigned char)(n >> 8);
		}
		r->hi[15] = (unsigned char)n;
	}
	return 0;
}

/* Labels of letters, digits, '-' and '_' (not starting or ending with '-'),
 * the last starting with a letter so that a bad IP is never taken for a name;
 * one trailing dot allowed. */
static int valid_host_name(const char *s, size_t len)
{
	size_t i, label_start = 0;

	if (len > 0 && s[len - 1] == '.') {
		len--;
	}
	if (len == 0 || len > HOST_NAME_MAX_LEN) {
		return 0;
	}
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			size_t label_len = i - label_start;

			if (label_len == 0 || label_len > LABEL_MAX_LEN || s[label_start] == '-' || s[i - 1] == '-') {
				return 0;
			}
			if (i == len && !is_alpha(s[label_start])) {
				return 0;
			}
			label_start = i + 1;
		} else if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '-' && s[i] != '_') {
			return 0;
		}
	}
	return 1;
}

/* Stores the name lower-case without its trailing dot, after prefix. */
static void set_name(rule *r, const char *prefix, const char *name)
{
	size_t n = strlen(prefix), i;

	memcpy(r->name, prefix, n);
	for (i = 0; name[i]; i++) {
		r->name[n + i] = ascii_lower(name[i]);
	}
	if (i > 0 && r->name[n + i - 1] == '.') {
		i--;
	}
	r->name[n + i] = '\0';
}

static int parse_name_rule(rule *r, char *err, size_t errlen)
{
	const char *text = r->text;

	if (text[0] == '*') {
		if (text[1] != '.' || !valid_host_name(text + 2, strlen(text + 2))) {
			mih_set_err(err, errlen, "blocked host \"%s\" is not a wildcard of the form *.example.org", text);
			return -1;
		}
		r->kind = RULE_WILDCARD;
		set_name(r, ".", text + 2);
		return 0;
	}
	if (!valid_host_name(text, strlen(text))) {
		mih_set_err(err, errlen, "blocked host \"%s\" is not an IP address, CIDR range, address range, "
			"host name or *.wildcard", text);
		return -1;
	}
	r->kind = RULE_NAME;
	set_name(r, "", text);
	return 0;
}

static int looks_like_ipv4(const char *text)
{
	return text[strspn(text, "0123456789./-")] == '\0';
}

static int has_control_or_non_ascii(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f) {
			return 1;
		}
	}
	return 0;
}

/* entry is trimmed and non-empty. */
static int parse_entry(const char *entry, size_t len, rule *r, char *err, size_t errlen)
{
	char quoted[MIH_QUOTE_MAX + 4];

	memset(r, 0, sizeof(*r));
	if (len > MIH_NET_MAX_ENTRY_LEN) {
		mih_quote(entry, len, quoted);
		mih_set_err(err, errlen, "blocked host \"%s\" is longer than %d characters", quoted,
			MIH_NET_MAX_ENTRY_LEN);
		return -1;
	}
	if (has_control_or_non_ascii(entry, len)) {
		mih_quote(entry, len, quoted);
		mih_set_err(err, errlen, "blocked host \"%s\" contains a control or non-ASCII character", quoted);
		return -1;
	}
	memcpy(r->text, entry, len);
	r->text[len] = '\0';
	if (strchr(r->text, ':')) {
		return parse_address_rule(&ipv6_syntax, r, err, errlen);
	}
	if (looks_like_ipv4(r->text)) {
		return parse_address_rule(&ipv4_syntax, r, err, errlen);
	}
	return parse_name_rule(r, err, errlen);
}

static int append_rule(mih_net_policy *policy, const rule *r, char *err, size_t errlen)
{
	if (policy->nrules == policy->capacity) {
		size_t capacity = policy->capacity ? policy->capacity * 2 : 8;
		rule *rules = realloc(policy->rules, capacity * sizeof(rule));

		if (!rules) {
			mih_set_err(err, errlen, "out of memory adding blocked host \"%s\"", r->text);
			return -1;
		}
		policy->rules = rules;
		policy->capacity = capacity;
	}
	policy->rules[policy->nrules++] = *r;
	return 0;
}

int mih_net_policy_add_blocked(mih_net_policy *policy, const char *entry, size_t len,
	char *err, size_t errlen)
{
	rule r;

	if (!policy || (!entry && len > 0)) {
		mih_set_err(err, errlen, "no policy or entry given");
		return -1;
	}
	trim(&entry, &len);
	if (len == 0) {
		return 0;
	}
	if (parse_entry(entry, len, &r, err, errlen) != 0) {
		return -1;
	}
	return append_rule(policy, &r, err, errlen);
}

int mih_net_policy_parse_hosts(mih_net_policy *policy, const char *list, char *err, size_t errlen)
{
	size_t before, len;

	if (!policy || !list) {
		mih_set_err(err, errlen, "no policy or host list given");
		return -1;
	}
	before = policy->nrules;
	for (;;) {
		len = strcspn(list, LIST_SEPARATORS);
		if (mih_net_policy_add_blocked(policy, list, len, err, errlen) != 0) {
			policy->nrules = before;
			return -1;
		}
		if (!list[len]) {
			return 0;
		}
		list += len + 1;
	}
}

/* ---- ports ---- */

static int port_allowed(const mih_net_policy *policy, unsigned int port)
{
	return (policy->ports[port / 8] >> (port % 8)) & 1;
}

int mih_net_policy_add_allowed_port(mih_net_policy *policy, long port, char *err, size_t errlen)
{
	if (!policy) {
		mih_set_err(err, errlen, "no policy given");
		return -1;
	}
	if (port < 1 || port > PORT_MAX) {
		mih_set_err(err, errlen, "allowed port %ld is not a number from 1 to %d", port, PORT_MAX);
		return -1;
	}
	if (!port_allowed(policy, (unsigned int)port)) {
		policy->ports[port / 8] |= (unsigned char)(1u << (port % 8));
		policy->nports++;
	}
	return 0;
}

int mih_net_policy_restrict_ports(mih_net_policy *policy, const mih_net_policy *limit)
{
	size_t i, n = 0;

	if (!policy || !limit) {
		return -1;
	}
	if (limit->nports == 0 && !limit->no_port) {
		return 0;
	}
	if (policy->nports == 0 && !policy->no_port) {
		memcpy(policy->ports, limit->ports, sizeof(policy->ports));
		policy->nports = limit->nports;
		policy->no_port = limit->no_port;
		return 0;
	}
	for (i = 0; i < sizeof(policy->ports); i++) {
		unsigned char both = (unsigned char)(policy->ports[i] & limit->ports[i]);
		policy->ports[i] = both;
		for (; both; both &= (unsigned char)(both - 1)) {
			n++;
		}
	}
	policy->nports = n;
	/* An empty list would allow every port again: refuse them all instead. */
	policy->no_port = n == 0;
	return 0;
}

/* Reads the port in list[0..len) (trimmed); 0 for an empty entry. */
static int parse_port_entry(const char *entry, size_t len, unsigned int *port, char *err, size_t errlen)
{
	char digits[8], quoted[MIH_QUOTE_MAX + 4];

	*port = 0;
	trim(&entry, &len);
	if (len == 0) {
		return 0;
	}
	if (len < sizeof(digits)) {
		memcpy(digits, entry, len);
		digits[len] = '\0';
		if (parse_number(digits, 10, 5, PORT_MAX, port) == 0 && *port > 0) {
			return 0;
		}
	}
	mih_quote(entry, len, quoted);
	mih_set_err(err, errlen, "allowed port \"%s\" is not a number from 1 to %d", quoted, PORT_MAX);
	return -1;
}

int mih_net_policy_parse_ports(mih_net_policy *policy, const char *list, char *err, size_t errlen)
{
	const char *p;
	unsigned int port;
	size_t len;
	int pass;

	if (!policy || !list) {
		mih_set_err(err, errlen, "no policy or port list given");
		return -1;
	}
	/* Validate everything first so that a bad entry adds nothing. */
	for (pass = 0; pass < 2; pass++) {
		for (p = list;; p += len + 1) {
			len = strcspn(p, LIST_SEPARATORS);
			if (parse_port_entry(p, len, &port, err, errlen) != 0) {
				return -1;
			}
			if (pass == 1 && port > 0) {
				mih_net_policy_add_allowed_port(policy, (long)port, NULL, 0);
			}
			if (!p[len]) {
				break;
			}
		}
	}
	return 0;
}

mih_net_verdict mih_net_check_port(const mih_net_policy *policy, long port, char *why, size_t whylen)
{
	if (mih_net_policy_is_empty(policy)) {
		return MIH_NET_ALLOWED;
	}
	if (port < 1 || port > PORT_MAX) {
		mih_set_err(why, whylen, "port %ld is not a valid port number", port);
		return MIH_NET_BLOCKED;
	}
	if ((policy->nports > 0 || policy->no_port) && !port_allowed(policy, (unsigned int)port)) {
		mih_set_err(why, whylen, "port %ld is not in the allowed ports", port);
		return MIH_NET_BLOCKED;
	}
	return MIH_NET_ALLOWED;
}

/* ---- addresses ---- */

/* The addresses a connection to which reaches this host: the loopback
 * ranges 127.0.0.0/8 and ::1, and the unspecified ones, 0.0.0.0/8 and ::,
 * which the kernel sends to the local host too. IPv4 in its mapped form, so
 * ::ffff:127.0.0.1 and ::ffff:0.0.0.0 are covered as well. */
static const struct {
	unsigned char lo[ADDR_BYTES];
	unsigned char hi[ADDR_BYTES];
	int loopback;
} local_host_ranges[] = {
	/* 127.0.0.0/8 */
	{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 0 },
	  { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0xff, 0xff, 0xff }, 1 },
	/* ::1 */
	{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
	  { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 1 },
	/* 0.0.0.0/8 */
	{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0 },
	  { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0xff, 0xff, 0xff }, 0 },
	/* :: */
	{ { 0 }, { 0 }, 0 }
};
#define LOCAL_HOST_RANGES (sizeof(local_host_ranges) / sizeof(local_host_ranges[0]))

static int in_range(const unsigned char addr[ADDR_BYTES], const unsigned char lo[ADDR_BYTES],
	const unsigned char hi[ADDR_BYTES])
{
	return memcmp(lo, addr, ADDR_BYTES) <= 0 && memcmp(addr, hi, ADDR_BYTES) <= 0;
}

static int is_local_host(const unsigned char addr[ADDR_BYTES])
{
	size_t i;

	for (i = 0; i < LOCAL_HOST_RANGES; i++) {
		if (in_range(addr, local_host_ranges[i].lo, local_host_ranges[i].hi)) {
			return 1;
		}
	}
	return 0;
}

static const rule *find_address_rule(const mih_net_policy *policy, const unsigned char addr[ADDR_BYTES])
{
	size_t i;

	for (i = 0; i < policy->nrules; i++) {
		const rule *r = &policy->rules[i];

		if (r->kind == RULE_ADDRESS && in_range(addr, r->lo, r->hi)) {
			return r;
		}
	}
	return NULL;
}

/* The first address rule blocking any loopback address: a policy that
 * blocks one way to this host blocks every way to it. */
static const rule *find_loopback_rule(const mih_net_policy *policy)
{
	size_t i, j;

	for (i = 0; i < policy->nrules; i++) {
		const rule *r = &policy->rules[i];

		if (r->kind != RULE_ADDRESS) {
			continue;
		}
		for (j = 0; j < LOCAL_HOST_RANGES; j++) {
			/* the rule's range and the loopback range overlap */
			if (local_host_ranges[j].loopback && memcmp(r->lo, local_host_ranges[j].hi, ADDR_BYTES) <= 0
					&& memcmp(local_host_ranges[j].lo, r->hi, ADDR_BYTES) <= 0) {
				return r;
			}
		}
	}
	return NULL;
}

/* as_ipv4: show a mapped address the way the caller gave it, dotted. */
static mih_net_verdict check_address(const mih_net_policy *policy, const unsigned char addr[ADDR_BYTES],
	int as_ipv4, char *why, size_t whylen)
{
	char text[INET6_ADDRSTRLEN];
	const rule *r = find_address_rule(policy, addr);
	int local = 0;

	if (!r && is_local_host(addr)) {
		r = find_loopback_rule(policy);
		local = 1;
	}
	if (!r) {
		return MIH_NET_ALLOWED;
	}
	if (as_ipv4) {
		inet_ntop(AF_INET, addr + sizeof(ipv4_mapped_prefix), text, sizeof(text));
	} else {
		inet_ntop(AF_INET6, addr, text, sizeof(text));
	}
	if (local) {
		mih_set_err(why, whylen, "destination %s is this host, blocked by rule \"%s\"", text, r->text);
	} else {
		mih_set_err(why, whylen, "destination %s is blocked by rule \"%s\"", text, r->text);
	}
	return MIH_NET_BLOCKED;
}

mih_net_verdict mih_net_check_addr(const mih_net_policy *policy, const struct sockaddr *sa,
	socklen_t len, char *why, size_t whylen)
{
	size_t family_end = offsetof(struct sockaddr, sa_family) + sizeof(sa_family_t);
	unsigned char addr[ADDR_BYTES];
	sa_family_t family;

	if (mih_net_policy_is_empty(policy)) {
		return MIH_NET_ALLOWED;
	}
	if (!sa || (size_t)len < family_end) {
		mih_set_err(why, whylen, "no destination address to check");
		return MIH_NET_BLOCKED;
	}
	/* Copied field by field: the caller's buffer need not be aligned. */
	memcpy(&family, (const char *)sa + offsetof(struct sockaddr, sa_family), sizeof(family));
	if (family == AF_INET && (size_t)len >= sizeof(struct sockaddr_in)) {
		struct in_addr in4;

		memcpy(&in4, (const char *)sa + offsetof(struct sockaddr_in, sin_addr), sizeof(in4));
		map_ipv4(&in4, addr);
		return check_address(policy, addr, 1, why, whylen);
	}
	if (family == AF_INET6 && (size_t)len >= sizeof(struct sockaddr_in6)) {
		memcpy(addr, (const char *)sa + offsetof(struct sockaddr_in6, sin6_addr), ADDR_BYTES);
		return check_address(policy, addr, 0, why, whylen);
	}
	mih_set_err(why, whylen, "destination address family %d (length %u) is not an IPv4 or IPv6 address",
		(int)family, (unsigned int)len);
	return MIH_NET_BLOCKED;
}

/* ---- host names ---- */

static int equal_ignoring_case(const char *a, const char *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (ascii_lower(a[i]) != ascii_lower(b[i])) {
			return 0;
		}
	}
	return 1;
}

static const rule *find_name_rule(const mih_net_policy *policy, const char *host, size_t len)
{
	size_t i;

	for (i = 0; i < policy->nrules; i++) {
		const rule *r = &policy->rules[i];
		size_t n = strlen(r->name);

		if (r->kind == RULE_NAME && len == n && equal_ignoring_case(host, r->name, n)) {
			return r;
		}
		if (r->kind == RULE_WILDCARD && len > n && equal_ignoring_case(host + len - n, r->name, n)) {
			return r;
		}
	}
	return NULL;
}

static mih_net_verdict check_name(const mih_net_policy *policy, const char *host, size_t len,
	char *why, size_t whylen)
{
	char quoted[MIH_QUOTE_MAX + 4];
	const rule *r;

	if (len > 0 && host[len - 1] == '.') {
		len--;
	}
	if (!(r = find_name_rule(policy, host, len))) {
		return MIH_NET_ALLOWED;
	}
	mih_quote(host, len, quoted);
	mih_set_err(why, whylen, "host %s is blocked by rule \"%s\"", quoted, r->text);
	return MIH_NET_BLOCKED;
}

/* An IPv6 literal of len bytes, "%zone" dropped. -1 when it is not one. */
static int parse_ipv6_literal(const char *s, size_t len, unsigned char out[ADDR_BYTES])
{
	char text[INET6_ADDRSTRLEN + 1];
	const char *zone = memchr(s, '%', len);

	if (zone) {
		len = (size_t)(zone - s);
	}
	if (len >= sizeof(text)) {
		return -1;
	}
	memcpy(text, s, len);
	text[len] = '\0';
	return inet_pton(AF_INET6, text, out) == 1 ? 0 : -1;
}

static int has_space_or_control(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] == 0x7f) {
			return 1;
		}
	}
	return 0;
}

mih_net_verdict mih_net_check_host(const mih_net_policy *policy, const char *host,
	char *why, size_t whylen)
{
	char quoted[MIH_QUOTE_MAX + 4];
	unsigned char addr[ADDR_BYTES];
	struct in_addr in4;
	size_t len;

	if (mih_net_policy_is_empty(policy)) {
		return MIH_NET_ALLOWED;
	}
	if (!host || !*host) {
		mih_set_err(why, whylen, "the URL has no host");
		return MIH_NET_BLOCKED;
	}
	len = strlen(host);
	if (has_space_or_control(host, len)) {
		mih_quote(host, len, quoted);
		mih_set_err(why, whylen, "host \"%s\" contains a space or control character", quoted);
		return MIH_NET_BLOCKED;
	}
	if (host[0] == '[' || memchr(host, ':', len)) {
		int bracketed = host[0] == '[';

		if ((bracketed && (len < 2 || host[len - 1] != ']'))
				|| parse_ipv6_literal(host + bracketed, len - 2 * (size_t)bracketed, addr) != 0) {
			mih_quote(host, len, quoted);
			mih_set_err(why, whylen, "host %s is not a valid IPv6 address", quoted);
			return MIH_NET_BLOCKED;
		}
		return check_address(policy, addr, 0, why, whylen);
	}
	/* The resolver reads "127.1", "0x7f.0.0.1" or "2130706433" as IPv4 too. */
	if (inet_aton(host, &in4)) {
		map_ipv4(&in4, addr);
		return check_address(policy, addr, 1, why, whylen);
	}
	return check_name(policy, host, len, why, whylen);
}
