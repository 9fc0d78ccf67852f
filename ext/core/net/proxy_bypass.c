/* Moodle's proxybypass list: see proxy_bypass.h. */
#include "proxy_bypass.h"
#include "netpolicy.h"
#include "text.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define ADDR_BYTES 16
#define ENTRY_MAX 255

typedef enum {
	BYPASS_NAME,       /* name[]: exact, lower case */
	BYPASS_WILDCARD,   /* name[]: the suffix with its dot, ".example.org" */
	BYPASS_ADDRESS     /* [lo, hi], IPv4 mapped to ::ffff:a.b.c.d */
} bypass_kind;

typedef struct {
	bypass_kind kind;
	bool ipv4;
	unsigned char lo[ADDR_BYTES], hi[ADDR_BYTES];
	char name[ENTRY_MAX + 2];
} bypass_entry;

struct mih_proxy_bypass {
	bypass_entry *entries;
	size_t n, cap;
};

static const unsigned char ipv4_mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Moodle's ip_utils::is_domain_name(): labels of letters, digits and inner
 * hyphens, the last starting with a letter; one trailing dot ignored. */
static int is_domain_name(const char *s, size_t len)
{
	size_t i, start = 0;

	if (len > 0 && s[len - 1] == '.') {
		len--;
	}
	if (len == 0 || len > 253) {
		return 0;
	}
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			size_t n = i - start;
			if (n == 0 || n > 63 || !is_alnum(s[start]) || !is_alnum(s[i - 1])) {
				return 0;
			}
			if (i == len && !is_alpha(s[start])) {
				return 0;
			}
			start = i + 1;
		} else if (!is_alnum(s[i]) && s[i] != '-') {
			return 0;
		}
	}
	return 1;
}

mih_proxy_bypass *mih_proxy_bypass_new(void)
{
	return calloc(1, sizeof(mih_proxy_bypass));
}

void mih_proxy_bypass_free(mih_proxy_bypass *b)
{
	if (b) {
		free(b->entries);
		free(b);
	}
}

/* ---- bypass entries ---- */

static void set_range(bypass_entry *e, const unsigned char addr[ADDR_BYTES], unsigned int bits)
{
	unsigned int i;

	for (i = 0; i < ADDR_BYTES; i++) {
		unsigned int mask = bits >= 8 * (i + 1) ? 0xff : bits <= 8 * i ? 0 : (0xffu << (8 - (bits - 8 * i))) & 0xff;
		e->lo[i] = (unsigned char)(addr[i] & mask);
		e->hi[i] = (unsigned char)(addr[i] | (~mask & 0xff));
	}
}

/* 1..max_digits digits of base 10 or 16, value at most max. */
static int number(const char *s, int base, int max_digits, unsigned int max, unsigned int *out)
{
	unsigned int v = 0;
	int n;

	for (n = 0; s[n]; n++) {
		char c = lower(s[n]);
		unsigned int d;
		if (c >= '0' && c <= '9') {
			d = (unsigned int)(c - '0');
		} else if (base == 16 && c >= 'a' && c <= 'f') {
			d = (unsigned int)(c - 'a' + 10);
		} else {
			return -1;
		}
		if (n == max_digits) {
			return -1;
		}
		v = v * (unsigned int)base + d;
	}
	if (n == 0 || v > max) {
		return -1;
	}
	*out = v;
	return 0;
}

/* "192.168." or "192.168", "fe80:1" or "fe80:1:": leading groups. */
static int parse_partial(int ipv4, char *text, bypass_entry *e)
{
	char sep = ipv4 ? '.' : ':', *p = text, *next;
	unsigned char addr[ADDR_BYTES] = { 0 };
	unsigned int groups = 0, v, max_groups = ipv4 ? 3 : 7;
	size_t len = strlen(text);

	while (len > 0 && text[len - 1] == sep) {
		text[--len] = '\0';
	}
	if (len == 0) {
		return -1;
	}
	if (ipv4) {
		memcpy(addr, ipv4_mapped_prefix, sizeof(ipv4_mapped_prefix));
	}
	for (;;) {
		next = strchr(p, sep);
		if (next) {
			*next = '\0';
		}
		if (groups == max_groups || number(p, ipv4 ? 10 : 16, ipv4 ? 3 : 4, ipv4 ? 0xff : 0xffff, &v) != 0) {
			return -1;
		}
		if (ipv4) {
			addr[12 + groups] = (unsigned char)v;
		} else {
			addr[2 * groups] = (unsigned char)(v >> 8);
			addr[2 * groups + 1] = (unsigned char)v;
		}
		groups++;
		if (!next) {
			break;
		}
		p = next + 1;
	}
	set_range(e, addr, ipv4 ? 96 + 8 * groups : 16 * groups);
	return 0;
}

static int parse_address_entry(int ipv4, char *text, bypass_entry *e)
{
	char *slash = strchr(text, '/'), *dash = strchr(text, '-');
	unsigned char addr[ADDR_BYTES];
	unsigned int n, last;

	e->kind = BYPASS_ADDRESS;
	e->ipv4 = ipv4;
	if (slash && dash) {
		return -1;
	}
	if (slash || dash) {
		*(slash ? slash : dash) = '\0';
	}
	if (mih_net_parse_ip(ipv4, text, addr) != 0) {
		return slash || dash ? -1 : parse_partial(ipv4, text, e);
	}
	if (slash) {
		if (number(slash + 1, 10, 3, ipv4 ? 32 : 128, &n) != 0) {
			return -1;
		}
		set_range(e, addr, n + (ipv4 ? 96 : 0));
		return 0;
	}
	set_range(e, addr, 128);
	if (dash) {
		last = ipv4 ? addr[15] : (unsigned int)(addr[14] << 8 | addr[15]);
		if (number(dash + 1, ipv4 ? 10 : 16, ipv4 ? 3 : 4, ipv4 ? 0xff : 0xffff, &n) != 0 || n < last) {
			return -1;
		}
		if (!ipv4) {
			e->hi[14] = (unsigned char)(n >> 8);
		}
		e->hi[15] = (unsigned char)n;
	}
	return 0;
}

static void set_name(bypass_entry *e, const char *prefix, const char *s, size_t len)
{
	size_t n = strlen(prefix), i;

	if (len > 0 && s[len - 1] == '.') {
		len--;
	}
	memcpy(e->name, prefix, n);
	for (i = 0; i < len; i++) {
		e->name[n + i] = lower(s[i]);
	}
	e->name[n + len] = '\0';
}

/* entry is trimmed and non-empty; 0 when it is usable. */
static int parse_bypass(const char *entry, size_t len, bypass_entry *e)
{
	char text[ENTRY_MAX + 1];

	memset(e, 0, sizeof(*e));
	if (len > ENTRY_MAX || mih_has_control(entry, len)) {
		return -1;
	}
	memcpy(text, entry, len);
	text[len] = '\0';
	if (strchr(text, ':')) {
		return parse_address_entry(0, text, e);
	}
	if (text[strspn(text, "0123456789./-")] == '\0') {
		return parse_address_entry(1, text, e);
	}
	if (len > 2 && text[0] == '*' && text[1] == '.' && is_domain_name(text + 2, len - 2)) {
		e->kind = BYPASS_WILDCARD;
		set_name(e, ".", text + 2, len - 2);
		return 0;
	}
	if (is_domain_name(text, len)) {
		e->kind = BYPASS_NAME;
		set_name(e, "", text, len);
		return 0;
	}
	return -1;
}

int mih_proxy_bypass_add(mih_proxy_bypass *b, const char *entry, size_t len)
{
	bypass_entry e;

	if (!b || !entry) {
		return 0;
	}
	while (len > 0 && (*entry == ' ' || *entry == '\t' || *entry == '\r' || *entry == '\n')) {
		entry++;
		len--;
	}
	while (len > 0 && (entry[len - 1] == ' ' || entry[len - 1] == '\t' || entry[len - 1] == '\r'
			|| entry[len - 1] == '\n')) {
		len--;
	}
	if (len == 0 || parse_bypass(entry, len, &e) != 0) {
		return 0;   /* Moodle ignores what it cannot read */
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		bypass_entry *grown = realloc(b->entries, cap * sizeof(*grown));
		if (!grown) {
			return -1;
		}
		b->entries = grown;
		b->cap = cap;
	}
	b->entries[b->n++] = e;
	return 0;
}

int mih_proxy_bypass_parse(mih_proxy_bypass *b, const char *list)
{
	size_t len;

	if (!b || !list) {
		return 0;
	}
	for (;;) {
		len = strcspn(list, ",\r\n");
		if (mih_proxy_bypass_add(b, list, len) != 0) {
			return -1;
		}
		if (!list[len]) {
			return 0;
		}
		list += len + 1;
	}
}

/* ---- matching ---- */

static int in_range(const unsigned char a[ADDR_BYTES], const bypass_entry *e)
{
	return memcmp(e->lo, a, ADDR_BYTES) <= 0 && memcmp(a, e->hi, ADDR_BYTES) <= 0;
}

/* The host as an address: strict dotted IPv4 or bracketed IPv6. */
static int host_address(const char *host, unsigned char out[ADDR_BYTES], int *ipv4)
{
	char text[INET6_ADDRSTRLEN + 1];
	size_t len = strlen(host);

	if (host[0] == '[') {
		const char *zone;
		if (len < 3 || host[len - 1] != ']') {
			return -1;
		}
		zone = memchr(host + 1, '%', len - 2);
		len = (zone ? (size_t)(zone - host) : len - 1) - 1;
		if (len >= sizeof(text)) {
			return -1;
		}
		memcpy(text, host + 1, len);
		text[len] = '\0';
		*ipv4 = 0;
		return mih_net_parse_ip(0, text, out);
	}
	*ipv4 = 1;
	return mih_net_parse_ip(1, host, out);
}

static bool name_matches(const bypass_entry *e, const char *host, size_t len)
{
	size_t n = strlen(e->name), i;
	const char *h = host;

	if (e->kind == BYPASS_WILDCARD) {
		if (len <= n) {
			return false;
		}
		h = host + len - n;
	} else if (len != n) {
		return false;
	}
	for (i = 0; i < n; i++) {
		if (lower(h[i]) != e->name[i]) {
			return false;
		}
	}
	return true;
}

bool mih_proxy_bypass_match(const mih_proxy_bypass *b, const char *host)
{
	unsigned char addr[ADDR_BYTES];
	size_t i, len;
	int ipv4;

	if (!b || !host || !*host) {
		return false;
	}
	if (host_address(host, addr, &ipv4) == 0) {
		static const unsigned char any4[ADDR_BYTES] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0 };
		if (ipv4 && memcmp(addr, any4, ADDR_BYTES) == 0) {
			return false;   /* address_in_subnet() never matches 0.0.0.0 */
		}
		for (i = 0; i < b->n; i++) {
			if (b->entries[i].kind == BYPASS_ADDRESS && b->entries[i].ipv4 == (bool)ipv4
					&& in_range(addr, &b->entries[i])) {
				return true;
			}
		}
		return false;
	}
	len = strlen(host);
	if (!is_domain_name(host, len)) {
		return false;
	}
	if (host[len - 1] == '.') {
		len--;
	}
	for (i = 0; i < b->n; i++) {
		if (b->entries[i].kind != BYPASS_ADDRESS && name_matches(&b->entries[i], host, len)) {
			return true;
		}
	}
	return false;
}
