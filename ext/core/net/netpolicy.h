/* Outbound network policy: the protection of Moodle's curl security helper
 * (curlsecurityblockedhosts / curlsecurityallowedport) for connections the
 * extension makes itself.
 *
 * Blocked entries are IPv4/IPv6 addresses, CIDR ranges ("10.0.0.0/8",
 * "fe80::/10"), last-group ranges ("192.168.1.1-20", "fe80::1-ff"), host
 * names (case-insensitive, exact) and wildcards ("*.example.org" matches
 * sub-domains only). IPv4 rules live in the IPv4-mapped IPv6 space, so
 * "::ffff:127.0.0.1" is blocked by "127.0.0.0/8" and "::ffff:10.0.0.1" blocks
 * 10.0.0.1 as well.
 *
 * The local host is one destination however it is addressed: a connection
 * to the unspecified addresses 0.0.0.0/8 or :: (mapped ::ffff:0.0.0.0/104
 * included) reaches this host as loopback does, so when any address rule
 * covers a loopback address (127.0.0.0/8 or ::1, in any form), every one of
 * those addresses is blocked ("destination :: is this host, blocked by rule
 * ...").
 *
 * Check the URL host by name with mih_net_check_host() before connecting,
 * and the address actually connected to with mih_net_check_addr() (from the
 * libcurl open-socket callback), so that a DNS name cannot get around an
 * address rule.
 *
 * A policy is built once and then only read: the check functions take it
 * const and may be called from several threads at a time. A policy with no
 * blocked entry and no allowed port allows everything (as in Moodle); an
 * empty allowed-port list allows every valid port. */
#ifndef MIH_NETPOLICY_H
#define MIH_NETPOLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Moodle's defaults for curlsecurityblockedhosts and curlsecurityallowedport. */
#define MIH_NET_MOODLE_BLOCKED_HOSTS \
	"127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,0.0.0.0,localhost,169.254.169.254,::1"
#define MIH_NET_MOODLE_ALLOWED_PORTS "443,80"

/* Longest blocked-host entry, after trimming. */
#define MIH_NET_MAX_ENTRY_LEN 255

typedef enum {
	MIH_NET_ALLOWED = 0,
	MIH_NET_BLOCKED = 1
} mih_net_verdict;

typedef struct mih_net_policy mih_net_policy;

/* An IPv4 (ipv4 true) or IPv6 address in text, as 16 bytes, IPv4 mapped
 * to ::ffff:a.b.c.d; -1 when text is not one (inet_pton's forms only). */
int mih_net_parse_ip(bool ipv4, const char *text, unsigned char out[16]);
/* Whether host is an IPv4 or IPv6 literal, an IPv6 one with or without
 * brackets: a name libcurl does not resolve. */
bool mih_net_is_ip_literal(const char *host);

/* NULL when out of memory. */
mih_net_policy *mih_net_policy_new(void);
void mih_net_policy_free(mih_net_policy *policy);
/* 1 when the policy has no blocked entry and no allowed port, else 0. */
int mih_net_policy_is_empty(const mih_net_policy *policy);

/* Adds one blocked entry of len bytes (no NUL needed). Surrounding
 * whitespace is trimmed and an empty entry is ignored (0). 0, or -1 with err
 * quoting the bad entry (the policy is unchanged). */
int mih_net_policy_add_blocked(mih_net_policy *policy, const char *entry, size_t len,
	char *err, size_t errlen);
/* Adds one allowed port, 1..65535 (adding it twice is harmless). 0 or -1. */
int mih_net_policy_add_allowed_port(mih_net_policy *policy, long port, char *err, size_t errlen);

/* Keeps only the allowed ports that limit allows too, so that policy can
 * never allow a port limit refuses: limit's empty list (every port)
 * changes nothing, policy's empty list becomes limit's, and two lists with
 * no port in common leave a policy that refuses every port. 0, or -1 when
 * an argument is NULL. */
int mih_net_policy_restrict_ports(mih_net_policy *policy, const mih_net_policy *limit);

/* Whole lists as found in INI or Moodle settings: entries separated by commas
 * or line breaks, each trimmed, empty ones ignored. Either every entry is
 * added or, on the first bad one, none is: -1 with err quoting it. */
int mih_net_policy_parse_hosts(mih_net_policy *policy, const char *list, char *err, size_t errlen);
int mih_net_policy_parse_ports(mih_net_policy *policy, const char *list, char *err, size_t errlen);

/* Checks a URL host: a name, an IPv4 literal in any form the resolver takes
 * ("127.1", "0x7f000001", ...) or an IPv6 literal with or without brackets
 * (a "%zone" suffix is ignored). Names are matched against the name rules,
 * literals against the address rules. An empty host or one with spaces or
 * control characters is blocked. MIH_NET_BLOCKED with why naming the rule. */
mih_net_verdict mih_net_check_host(const mih_net_policy *policy, const char *host,
	char *why, size_t whylen);

/* Checks an AF_INET or AF_INET6 address (the port in it is ignored: use
 * mih_net_check_port()). Other families and truncated addresses are
 * blocked unless the policy is empty. */
mih_net_verdict mih_net_check_addr(const mih_net_policy *policy, const struct sockaddr *sa,
	socklen_t len, char *why, size_t whylen);

/* Ports outside 1..65535 are blocked unless the policy is empty; others are
 * blocked only when the allowed list is non-empty and lacks them. */
mih_net_verdict mih_net_check_port(const mih_net_policy *policy, long port, char *why, size_t whylen);

#endif
