/* libFuzzer harness for the broker URL parser of amqp services and the
 * password split (ext/core/net/amqp_url.c). Invariants: no crash or UB; a URL
 * that parses has a host, a port in 1..65535 and a vhost; the URL without
 * its password parses to the same host, port, user, vhost and parameters
 * (the password then being the default); with a password put back it
 * parses to that password (when still within the length limit); the parse is deterministic. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amqp_confirm.h"

static int same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mih_amqp_url u, v;
	char err[256];
	char *text = malloc(size + 1), *bare, *back;

	if (!text) {
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	if (memchr(text, '\0', size) || mih_amqp_url_parse(text, size, &u, err, sizeof(err)) != 0) {
		free(text);
		return 0;
	}
	if (!u.host || !*u.host || u.port < 1 || u.port > 65535 || !u.vhost) {
		abort();
	}
	(void)mih_amqp_routing_key(&u, "/x");
	bare = mih_amqp_url_with_password(text, NULL);
	if (!bare || mih_amqp_url_parse(bare, strlen(bare), &v, err, sizeof(err)) != 0) {
		abort();
	}
	if (!same(u.host, v.host) || u.port != v.port || !same(u.user, v.user) || !same(u.vhost, v.vhost)
			|| !same(u.exchange, v.exchange) || !same(u.routing_key, v.routing_key)
			|| !same(u.queue_declare, v.queue_declare) || v.has_password) {
		abort();
	}
	mih_amqp_url_dispose(&v);
	back = mih_amqp_url_with_password(bare, "pw");
	if (!back) {
		abort();
	}
	if (strlen(back) <= MIH_AMQP_MAX_URL) {   /* a password may push it past the limit */
		if (mih_amqp_url_parse(back, strlen(back), &v, err, sizeof(err)) != 0 || !same(v.password, "pw")
				|| !same(v.host, u.host)) {
			abort();
		}
		mih_amqp_url_dispose(&v);
	}
	free(back);
	free(bare);
	mih_amqp_url_dispose(&u);
	free(text);
	return 0;
}
