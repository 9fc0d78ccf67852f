/* libFuzzer harness for the network policy's entry and list parsers
 * (netpolicy.c). The input is tried as one blocked entry, as a host list, as
 * a port list and as a URL host; every built policy is then queried. */
#include "netpolicy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void query(const mih_net_policy *policy, const char *host)
{
	static const char *const hosts[] = { "localhost", "a.example.org", "[::1]", "127.1", "8.8.8.8" };
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
	char why[128];
	size_t i;

	memset(&in4, 0, sizeof(in4));
	in4.sin_family = AF_INET;
	inet_pton(AF_INET, "10.1.2.3", &in4.sin_addr);
	memset(&in6, 0, sizeof(in6));
	in6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::ffff:192.168.1.7", &in6.sin6_addr);
	mih_net_check_addr(policy, (const struct sockaddr *)&in4, sizeof(in4), why, sizeof(why));
	mih_net_check_addr(policy, (const struct sockaddr *)&in6, sizeof(in6), why, sizeof(why));
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		mih_net_check_host(policy, hosts[i], why, sizeof(why));
	}
	mih_net_check_host(policy, host, why, sizeof(why));
	mih_net_check_port(policy, 8080, why, sizeof(why));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mih_net_policy *entry_policy = mih_net_policy_new();
	mih_net_policy *list_policy = mih_net_policy_new();
	char *text = malloc(size + 1);
	char err[256];

	if (!entry_policy || !list_policy || !text) {
		abort();
	}
	memcpy(text, data, size);
	text[size] = '\0';

	err[0] = '\0';
	if (mih_net_policy_add_blocked(entry_policy, (const char *)data, size, err, sizeof(err)) != 0
			&& err[0] == '\0') {
		abort();
	}
	query(entry_policy, text);

	if (mih_net_policy_parse_hosts(list_policy, text, err, sizeof(err)) != 0
			&& !mih_net_policy_is_empty(list_policy)) {
		abort();
	}
	mih_net_policy_parse_ports(list_policy, text, err, sizeof(err));
	query(list_policy, text);

	mih_net_policy_free(entry_policy);
	mih_net_policy_free(list_policy);
	free(text);
	return 0;
}
