/* AMQP delivery glue: one connection (one confirm-mode channel) per broker
 * and credentials, kept for the life of the process, so that a worker run
 * and every synchronous call of a PHP-FPM worker reuse it; the outbound
 * policy is asked about every broker address; outcomes are reported in the
 * HTTP transport's terms (see mih_amqp.h). */
#include "mih_private.h"
#include "mih_amqp.h"
#include "amqp_confirm.h"
#include "netpolicy.h"

#include <time.h>
#include <netinet/in.h>

#define AMQP_KEPT_CONNECTIONS 16

typedef struct kept_conn {
	char *key;                /* base_url, password, connect timeout: in memory only */
	mih_amqp_conn *conn;
	uint64_t used;            /* for LRU */
} kept_conn;

static kept_conn kept[AMQP_KEPT_CONNECTIONS];
static uint64_t kept_clock;
static long opened_total;

long php_mih_amqp_connections_opened(void)
{
	long n = opened_total;

	for (size_t i = 0; i < AMQP_KEPT_CONNECTIONS; i++) {
		n += kept[i].conn ? mih_amqp_conn_opens(kept[i].conn) : 0;
	}
	return n;
}

static void kept_release(kept_conn *k)
{
	if (k->conn) {
		opened_total += mih_amqp_conn_opens(k->conn);
		mih_amqp_conn_forget_if_foreign(k->conn);
		mih_amqp_conn_free(k->conn);
	}
	if (k->key) {
		memset(k->key, 0, strlen(k->key));
		free(k->key);
	}
	memset(k, 0, sizeof(*k));
}

void php_mih_amqp_shutdown(void)
{
	for (size_t i = 0; i < AMQP_KEPT_CONNECTIONS; i++) {
		kept_release(&kept[i]);
	}
}

/* The outbound policy on every address of the broker and on its port. */
static int check_addr(void *ud, const struct sockaddr *sa, const char *host, int port, char *why, size_t whylen)
{
	mih_net_policy *policy = php_mih_policy();
	socklen_t len = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	char reason[256];

	(void)ud;
	if (!policy || mih_net_policy_is_empty(policy)) {
		return 0;
	}
	if (mih_net_check_host(policy, host, reason, sizeof(reason)) == MIH_NET_BLOCKED
			|| mih_net_check_port(policy, port, reason, sizeof(reason)) == MIH_NET_BLOCKED
			|| mih_net_check_addr(policy, sa, len, reason, sizeof(reason)) == MIH_NET_BLOCKED) {
		snprintf(why, whylen, "%s", reason);
		return -1;
	}
	return 0;
}

static mih_amqp_conn *kept_for(const mih_service *svc, const mih_amqp_url *u)
{
	smart_str key = {0};
	kept_conn *slot = NULL;
	size_t i;

	smart_str_appends(&key, svc->base_url);
	smart_str_appendc(&key, '\n');
	smart_str_appends(&key, u->password);
	smart_str_append_printf(&key, "\n%.3f", svc->connect_timeout);
	smart_str_0(&key);
	for (i = 0; i < AMQP_KEPT_CONNECTIONS; i++) {
		if (kept[i].key && strcmp(kept[i].key, ZSTR_VAL(key.s)) == 0) {
			kept[i].used = ++kept_clock;
			smart_str_free_ex(&key, 0);
			mih_amqp_conn_forget_if_foreign(kept[i].conn);
			return kept[i].conn;
		}
		if (!slot || !kept[i].key || (slot->key && kept[i].used < slot->used)) {
			slot = &kept[i];
		}
	}
	kept_release(slot);
	slot->conn = mih_amqp_conn_new(u, svc->connect_timeout, check_addr, NULL);
	slot->key = slot->conn ? strdup(ZSTR_VAL(key.s)) : NULL;
	slot->used = ++kept_clock;
	smart_str_free_ex(&key, 0);
	if (!slot->key) {
		kept_release(slot);
		return NULL;
	}
	return slot->conn;
}

static void fail_all(php_mih_amqp_item *items, size_t n, mih_http_outcome outcome, const char *msg)
{
	for (size_t i = 0; i < n; i++) {
		items[i].resp->outcome = outcome;
		items[i].resp->status = 0;
		snprintf(items[i].resp->error, sizeof(items[i].resp->error), "%s", msg);
	}
}

/* The message headers: every header line but those that describe an HTTP
 * exchange (the content type is a message property). */
static mih_amqp_header *message_headers(HashTable *lines, size_t *count)
{
	mih_amqp_header *out;
	zval *line;
	size_t n = 0;

	*count = 0;
	if (!lines || zend_hash_num_elements(lines) == 0) {
		return NULL;
	}
	out = safe_emalloc(zend_hash_num_elements(lines), sizeof(*out), 0);
	ZEND_HASH_FOREACH_VAL(lines, line) {
		char *text = Z_STRVAL_P(line), *colon = strchr(text, ':');
		size_t nlen;
		if (!colon) {
			continue;
		}
		nlen = (size_t)(colon - text);
		if ((nlen == 12 && strncasecmp(text, "Content-Type", 12) == 0) || (nlen == 6 && strncasecmp(text, "Accept", 6) == 0)
				|| (nlen == 10 && strncasecmp(text, "User-Agent", 10) == 0)
				|| (nlen == 15 && strncasecmp(text, "Idempotency-Key", 15) == 0)) {
			continue;
		}
		out[n].name = estrndup(text, nlen);
		out[n].value = estrdup(colon[1] == ' ' ? colon + 2 : colon + 1);
		n++;
	} ZEND_HASH_FOREACH_END();
	*count = n;
	return out;
}

void php_mih_amqp_send(const mih_service *svc, php_mih_amqp_item *items, size_t n, double timeout)
{
	mih_amqp_url u;
	mih_amqp_conn *conn;
	mih_amqp_message *msgs;
	mih_amqp_result *results;
	mih_amqp_header **headers;
	char err[256];
	size_t i;

	if (n == 0) {
		return;
	}
	if (!mih_amqp_available()) {
		fail_all(items, n, MIH_HTTP_SETUP_ERROR,
			"AMQP is not available: this mih was built without librabbitmq (install librabbitmq-dev and rebuild)");
		return;
	}
	if (mih_amqp_url_parse(svc->base_url, strlen(svc->base_url), &u, err, sizeof(err)) != 0) {
		fail_all(items, n, MIH_HTTP_SETUP_ERROR, err);
		return;
	}
	if (svc->auth_token) {
		free(u.password);
		u.password = strdup(svc->auth_token);
	}
	conn = u.password ? kept_for(svc, &u) : NULL;
	if (!conn) {
		mih_amqp_url_dispose(&u);
		fail_all(items, n, MIH_HTTP_SETUP_ERROR, "out of memory for an AMQP connection");
		return;
	}
	msgs = safe_emalloc(n, sizeof(*msgs), 0);
	results = safe_emalloc(n, sizeof(*results), 0);
	headers = safe_emalloc(n, sizeof(*headers), 0);
	memset(msgs, 0, n * sizeof(*msgs));
	for (i = 0; i < n; i++) {
		msgs[i].exchange = u.exchange;
		msgs[i].routing_key = mih_amqp_routing_key(&u, items[i].endpoint);
		msgs[i].body = items[i].body ? items[i].body : "";
		msgs[i].body_len = items[i].body_len;
		msgs[i].message_id = items[i].message_id && *items[i].message_id ? items[i].message_id : NULL;
		msgs[i].timestamp = (int64_t)time(NULL);
		headers[i] = message_headers(items[i].lines, &msgs[i].nheaders);
		msgs[i].headers = headers[i];
	}
	mih_amqp_publish_batch(conn, msgs, n, timeout, results);
	for (i = 0; i < n; i++) {
		mih_http_response *resp = items[i].resp;
		resp->status = 0;
		resp->error[0] = '\0';
		switch (results[i].outcome) {
			case MIH_AMQP_ACK:
				resp->outcome = MIH_HTTP_ANSWERED;
				resp->status = 200;
				snprintf(resp->reason, sizeof(resp->reason), "OK");
				break;
			case MIH_AMQP_TIMEOUT:
				resp->outcome = MIH_HTTP_TIMEOUT;
				snprintf(resp->error, sizeof(resp->error), "%s", results[i].detail);
				break;
			case MIH_AMQP_BLOCKED:
				resp->outcome = MIH_HTTP_BLOCKED;
				snprintf(resp->error, sizeof(resp->error), "%s", results[i].detail);
				break;
			default:
				/* nack, returned, lost, unsent: retryable, and the breaker counts them */
				resp->outcome = MIH_HTTP_CONNECT_ERROR;
				snprintf(resp->error, sizeof(resp->error), "%s", results[i].detail);
				break;
		}
		for (size_t h = 0; h < msgs[i].nheaders; h++) {
			efree((char *)headers[i][h].name);
			efree((char *)headers[i][h].value);
		}
		if (headers[i]) {
			efree(headers[i]);
		}
	}
	efree(headers);
	efree(results);
	efree(msgs);
	mih_amqp_url_dispose(&u);
}
