/* AMQP: the broker URL parser (always), and publishing with confirms
 * against the real RabbitMQ that scripts/test.sh starts (MIH_TEST_AMQP_URL,
 * MIH_TEST_AMQP_CTL), consumed back with librabbitmq. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "unit.h"
#include "amqp_confirm.h"

static int parse(const char *url, mih_amqp_url *u, char *err, size_t errlen)
{
	return mih_amqp_url_parse(url, strlen(url), u, err, errlen);
}

TEST(url_full)
{
	mih_amqp_url u;
	char err[256];

	CHECK_INT(parse("amqps://bob:s%40cret@broker.example.org:5679/prod%2Feu?exchange=ex&routing_key=a.b"
		"&queue_declare=q1", &u, err, sizeof(err)), 0);
	CHECK(u.tls);
	CHECK_STR(u.host, "broker.example.org");
	CHECK_INT(u.port, 5679);
	CHECK_STR(u.user, "bob");
	CHECK_STR(u.password, "s@cret");
	CHECK(u.has_password);
	CHECK_STR(u.vhost, "prod/eu");
	CHECK_STR(u.exchange, "ex");
	CHECK_STR(u.routing_key, "a.b");
	CHECK_STR(u.queue_declare, "q1");
	CHECK_STR(mih_amqp_routing_key(&u, "/custom.key"), "custom.key");
	CHECK_STR(mih_amqp_routing_key(&u, "/"), "a.b");
	mih_amqp_url_dispose(&u);
}

TEST(url_defaults_as_the_php_plugin)
{
	mih_amqp_url u;
	char err[256];

	CHECK_INT(parse("amqp://localhost", &u, err, sizeof(err)), 0);
	CHECK(!u.tls);
	CHECK_INT(u.port, 5672);
	CHECK_STR(u.user, "guest");
	CHECK_STR(u.password, "guest");
	CHECK(!u.has_password);
	CHECK_STR(u.vhost, "/");
	CHECK_STR(u.exchange, "");
	CHECK_STR(mih_amqp_routing_key(&u, ""), "");
	mih_amqp_url_dispose(&u);
	/* The PHP plugin's builder wrote the default vhost as an empty path. */
	CHECK_INT(parse("amqp://u:p@[::1]:5673/?queue_declare=jobs", &u, err, sizeof(err)), 0);
	CHECK_STR(u.host, "::1");
	CHECK_INT(u.port, 5673);
	CHECK_STR(u.vhost, "/");
	CHECK_STR(mih_amqp_routing_key(&u, "/"), "jobs");
	mih_amqp_url_dispose(&u);
	CHECK_INT(parse("amqps://h/%2F", &u, err, sizeof(err)), 0);
	CHECK_INT(u.port, 5671);
	CHECK_STR(u.vhost, "/");
	mih_amqp_url_dispose(&u);
}

TEST(url_errors_name_the_part_never_the_password)
{
	static const struct { const char *url; const char *msg; } bad[] = {
		{ "http://h/", "must start with amqp:// or amqps://" },
		{ "amqp://u:topsecret@/", "has no host" },
		{ "amqp://u:topsecret@h:0/", "port must be a number from 1 to 65535" },
		{ "amqp://u:topsecret@h:99999/", "port must be a number" },
		{ "amqp://u:topsecret@h/?dlq=x", "unknown parameter \"dlq\"" },
		{ "amqp://u:top%zzsecret@h/", "bad %-escape" },
		{ "amqp://u:p@h/v%00x", "bad %-escape" },
		{ "amqp://u:p@h/ v", "spaces or control characters" },
		{ "amqp://u:p@h/#frag", "#fragment" },
		{ "amqp://u:p@[::1/", "bad IPv6 address" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mih_amqp_url u;
		char err[256] = "";
		CHECK_INT(parse(bad[i].url, &u, err, sizeof(err)), -1);
		if (!strstr(err, bad[i].msg)) {
			fprintf(stderr, "  %s: got \"%s\"\n", bad[i].url, err);
			CHECK(strstr(err, bad[i].msg) != NULL);
		}
		CHECK(strstr(err, "topsecret") == NULL);
	}
}

TEST(url_password_kept_apart)
{
	char *s = mih_amqp_url_with_password("amqp://bob:pw@h:1/v?exchange=e", NULL);
	CHECK_STR(s, "amqp://bob@h:1/v?exchange=e");
	free(s);
	s = mih_amqp_url_with_password("amqp://bob@h:1/v", "****");
	CHECK_STR(s, "amqp://bob:****@h:1/v");
	free(s);
	s = mih_amqp_url_with_password("amqps://h", "x");
	CHECK_STR(s, "amqps://guest:x@h");
	free(s);
	s = mih_amqp_url_with_password("amqp://h/", NULL);
	CHECK_STR(s, "amqp://h/");
	free(s);
	CHECK(mih_amqp_url_with_password("nothing", NULL) == NULL);
	CHECK_STR(mih_amqp_outcome_name(MIH_AMQP_RETURNED), "returned");
	CHECK_STR(mih_amqp_outcome_name(MIH_AMQP_BLOCKED), "blocked");
}

#ifdef HAVE_MIH_AMQP
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>

static const char *broker_url;

/* A plain librabbitmq consumer connection, independent of the code under test. */
static amqp_connection_state_t consumer(void)
{
	struct amqp_connection_info ci;
	char *copy = strdup(broker_url);
	amqp_connection_state_t st = amqp_new_connection();
	amqp_socket_t *sock = amqp_tcp_socket_new(st);

	if (amqp_parse_url(copy, &ci) != AMQP_STATUS_OK || amqp_socket_open(sock, ci.host, ci.port) != AMQP_STATUS_OK
			|| amqp_login(st, "/", 0, AMQP_DEFAULT_FRAME_SIZE, 0, AMQP_SASL_METHOD_PLAIN, ci.user,
				ci.password).reply_type != AMQP_RESPONSE_NORMAL) {
		fprintf(stderr, "consumer: cannot connect\n");
		exit(2);
	}
	free(copy);
	amqp_channel_open(st, 1);
	amqp_get_rpc_reply(st);
	return st;
}

static void consumer_declare(amqp_connection_state_t st, const char *queue, amqp_table_t args)
{
	amqp_queue_declare(st, 1, amqp_cstring_bytes(queue), 0, 1, 0, 0, args);
	CHECK_INT(amqp_get_rpc_reply(st).reply_type, AMQP_RESPONSE_NORMAL);
}

/* Takes every message of queue (acking it); their message ids, one a line, in ids. */
static long drain_queue(amqp_connection_state_t st, const char *queue, char *ids, size_t idslen, char *first_body,
	size_t bodylen, char *first_header, size_t hlen)
{
	long n = 0;
	size_t used = 0;

	ids[0] = '\0';
	for (;;) {
		amqp_rpc_reply_t r = amqp_basic_get(st, 1, amqp_cstring_bytes(queue), 1);
		amqp_message_t msg;
		if (r.reply_type != AMQP_RESPONSE_NORMAL || r.reply.id == AMQP_BASIC_GET_EMPTY_METHOD) {
			break;
		}
		if (amqp_read_message(st, 1, &msg, 0).reply_type != AMQP_RESPONSE_NORMAL) {
			break;
		}
		if (n == 0 && first_body) {
			snprintf(first_body, bodylen, "%.*s", (int)msg.body.len, (char *)msg.body.bytes);
			first_header[0] = '\0';
			if (msg.properties._flags & AMQP_BASIC_HEADERS_FLAG) {
				for (int i = 0; i < msg.properties.headers.num_entries; i++) {
					amqp_table_entry_t *e = &msg.properties.headers.entries[i];
					size_t l = strlen(first_header);
					snprintf(first_header + l, hlen - l, "%.*s=%.*s;", (int)e->key.len, (char *)e->key.bytes,
						(int)e->value.value.bytes.len, (char *)e->value.value.bytes.bytes);
				}
			}
			CHECK_INT(msg.properties.delivery_mode, 2);
			CHECK(msg.properties.content_type.len == 16
				&& memcmp(msg.properties.content_type.bytes, "application/json", 16) == 0);
		}
		if (msg.properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG) {
			used += (size_t)snprintf(ids + used, used < idslen ? idslen - used : 0, "%.*s\n",
				(int)msg.properties.message_id.len, (char *)msg.properties.message_id.bytes);
		}
		amqp_destroy_message(&msg);
		amqp_maybe_release_buffers(st);
		n++;
	}
	return n;
}

static mih_amqp_conn *open_to(const char *suffix, mih_amqp_url *u)
{
	char url[512], err[256];

	snprintf(url, sizeof(url), "%s%s", broker_url, suffix);
	if (mih_amqp_url_parse(url, strlen(url), u, err, sizeof(err)) != 0) {
		fprintf(stderr, "bad test URL: %s\n", err);
		exit(2);
	}
	return mih_amqp_conn_new(u, 5, NULL, NULL);
}

static void unique_name(char *out, size_t len, const char *what)
{
	snprintf(out, len, "mihtest.%s.%ld.%d", what, (long)getpid(), rand());
}

TEST(publish_confirmed_each_once)
{
	char queue[96], suffix[160], ids[64 * 1024], body[256], hdr[256], expect[64 * 1024];
	mih_amqp_message msgs[200];
	mih_amqp_result res[200];
	char idbuf[200][32];
	static const mih_amqp_header headers[] = { { "webhook-id", "msg_1" }, { "webhook-timestamp", "1700000000" } };
	mih_amqp_url u;
	mih_amqp_conn *c;
	amqp_connection_state_t st = consumer();
	size_t i, used = 0;

	unique_name(queue, sizeof(queue), "once");
	snprintf(suffix, sizeof(suffix), "?queue_declare=%s", queue);
	c = open_to(suffix, &u);
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < 200; i++) {
		snprintf(idbuf[i], sizeof(idbuf[i]), "task-%zu", i);
		msgs[i].routing_key = mih_amqp_routing_key(&u, "/");
		msgs[i].body = "{\"n\":1}";
		msgs[i].body_len = 7;
		msgs[i].message_id = idbuf[i];
		msgs[i].headers = headers;
		msgs[i].nheaders = 2;
		used += (size_t)snprintf(expect + used, sizeof(expect) - used, "%s\n", idbuf[i]);
	}
	/* Two batches on one connection. */
	CHECK_INT(mih_amqp_publish_batch(c, msgs, 150, 5, res), 150);
	CHECK_INT(mih_amqp_publish_batch(c, msgs + 150, 50, 5, res + 150), 50);
	for (i = 0; i < 200; i++) {
		CHECK_INT(res[i].outcome, MIH_AMQP_ACK);
	}
	CHECK_INT(mih_amqp_conn_opens(c), 1);
	CHECK_INT(drain_queue(st, queue, ids, sizeof(ids), body, sizeof(body), hdr, sizeof(hdr)), 200);
	CHECK_STR(ids, expect);
	CHECK_STR(body, "{\"n\":1}");
	CHECK_STR(hdr, "webhook-id=msg_1;webhook-timestamp=1700000000;");
	mih_amqp_conn_free(c);
	mih_amqp_url_dispose(&u);
	amqp_queue_delete(st, 1, amqp_cstring_bytes(queue), 0, 0);
	amqp_destroy_connection(st);
}

TEST(unroutable_is_returned_not_acked)
{
	char rk[96];
	mih_amqp_message m[3];
	mih_amqp_result res[3];
	mih_amqp_url u;
	mih_amqp_conn *c = open_to("", &u);
	char queue[96], ids[256];
	amqp_connection_state_t st = consumer();

	unique_name(queue, sizeof(queue), "routable");
	consumer_declare(st, queue, amqp_empty_table);
	unique_name(rk, sizeof(rk), "noqueue");
	memset(m, 0, sizeof(m));
	m[0].routing_key = queue;
	m[0].message_id = "a";
	m[1].routing_key = rk;        /* default exchange, no such queue */
	m[1].message_id = "b";
	m[2].routing_key = queue;
	m[2].message_id = "c";
	for (int i = 0; i < 3; i++) {
		m[i].body = "{}";
		m[i].body_len = 2;
	}
	CHECK_INT(mih_amqp_publish_batch(c, m, 3, 5, res), 2);
	CHECK_INT(res[0].outcome, MIH_AMQP_ACK);
	CHECK_INT(res[1].outcome, MIH_AMQP_RETURNED);
	CHECK(strstr(res[1].detail, "312 NO_ROUTE") != NULL);
	CHECK(strstr(res[1].detail, rk) != NULL);
	CHECK_INT(res[2].outcome, MIH_AMQP_ACK);
	CHECK(mih_amqp_conn_is_open(c));
	CHECK_INT(drain_queue(st, queue, ids, sizeof(ids), NULL, 0, NULL, 0), 2);
	CHECK_STR(ids, "a\nc\n");
	mih_amqp_conn_free(c);
	mih_amqp_url_dispose(&u);
	amqp_queue_delete(st, 1, amqp_cstring_bytes(queue), 0, 0);
	amqp_destroy_connection(st);
}

TEST(nack_from_a_full_queue)
{
	char queue[96], ids[256];
	amqp_table_entry_t e[2];
	amqp_table_t args;
	mih_amqp_message m[2];
	mih_amqp_result res[2];
	mih_amqp_url u;
	mih_amqp_conn *c = open_to("", &u);
	amqp_connection_state_t st = consumer();

	unique_name(queue, sizeof(queue), "full");
	e[0].key = amqp_cstring_bytes("x-max-length");
	e[0].value.kind = AMQP_FIELD_KIND_I32;
	e[0].value.value.i32 = 1;
	e[1].key = amqp_cstring_bytes("x-overflow");
	e[1].value.kind = AMQP_FIELD_KIND_UTF8;
	e[1].value.value.bytes = amqp_cstring_bytes("reject-publish");
	args.num_entries = 2;
	args.entries = e;
	consumer_declare(st, queue, args);
	memset(m, 0, sizeof(m));
	for (int i = 0; i < 2; i++) {
		m[i].routing_key = queue;
		m[i].body = "{}";
		m[i].body_len = 2;
		m[i].message_id = i ? "second" : "first";
	}
	CHECK_INT(mih_amqp_publish_batch(c, m, 2, 5, res), 1);
	CHECK_INT(res[0].outcome, MIH_AMQP_ACK);
	CHECK_INT(res[1].outcome, MIH_AMQP_NACK);
	CHECK(strstr(res[1].detail, "basic.nack") != NULL);
	CHECK_INT(drain_queue(st, queue, ids, sizeof(ids), NULL, 0, NULL, 0), 1);
	CHECK_STR(ids, "first\n");
	mih_amqp_conn_free(c);
	mih_amqp_url_dispose(&u);
	amqp_queue_delete(st, 1, amqp_cstring_bytes(queue), 0, 0);
	amqp_destroy_connection(st);
}

TEST(missing_exchange_loses_the_channel_then_reconnects)
{
	char ex[96], suffix[160], queue[96];
	mih_amqp_message m;
	mih_amqp_result res;
	mih_amqp_url u, u2;
	mih_amqp_conn *c;

	unique_name(ex, sizeof(ex), "noex");
	unique_name(queue, sizeof(queue), "after");
	snprintf(suffix, sizeof(suffix), "?queue_declare=%s", queue);
	c = open_to(suffix, &u);
	memset(&m, 0, sizeof(m));
	m.exchange = ex;
	m.routing_key = "k";
	m.body = "{}";
	m.body_len = 2;
	m.message_id = "x";
	CHECK_INT(mih_amqp_publish_batch(c, &m, 1, 5, &res), 0);
	CHECK_INT(res.outcome, MIH_AMQP_LOST);
	CHECK(strstr(res.detail, "404 NOT_FOUND") != NULL);
	CHECK(!mih_amqp_conn_is_open(c));
	m.exchange = "";
	m.routing_key = queue;
	CHECK_INT(mih_amqp_publish_batch(c, &m, 1, 5, &res), 1);
	CHECK_INT(mih_amqp_conn_opens(c), 2);
	mih_amqp_conn_free(c);
	mih_amqp_url_dispose(&u);
	(void)u2;
	{
		amqp_connection_state_t st = consumer();
		amqp_queue_delete(st, 1, amqp_cstring_bytes(queue), 0, 0);
		amqp_destroy_connection(st);
	}
}

TEST(bad_password_refused_without_showing_it)
{
	char url[512], err[256];
	const char *at = strchr(broker_url + 7, '@');
	mih_amqp_url u;
	mih_amqp_conn *c;
	mih_amqp_message m;
	mih_amqp_result res;

	snprintf(url, sizeof(url), "amqp://mih:wrongpassword%s", at);
	CHECK_INT(mih_amqp_url_parse(url, strlen(url), &u, err, sizeof(err)), 0);
	c = mih_amqp_conn_new(&u, 5, NULL, NULL);
	memset(&m, 0, sizeof(m));
	m.routing_key = "x";
	m.body = "{}";
	m.body_len = 2;
	CHECK_INT(mih_amqp_publish_batch(c, &m, 1, 5, &res), 0);
	CHECK_INT(res.outcome, MIH_AMQP_UNSENT);
	CHECK(strstr(res.detail, "broker login failed") != NULL);
	CHECK(strstr(res.detail, "wrongpassword") == NULL);
	mih_amqp_conn_free(c);
	mih_amqp_url_dispose(&u);
}

static int refuse_all(void *ud, const struct sockaddr *sa, const char *host, int port, char *why, size_t whylen)
{
	(void)sa;
	(void)port;
	(*(int *)ud)++;
	snprintf(why, whylen, "destination %s blocked by rule \"test\"", host);
	return -1;
}

TEST(policy_refusal_and_refused_port)
{
	int asked = 0, fd;
	char url[128], err[256];
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	mih_amqp_url u;
	mih_amqp_conn *c = open_to("", &u);
	mih_amqp_message m;
	mih_amqp_result res;

	mih_amqp_conn_free(c);
	c = mih_amqp_conn_new(&u, 5, refuse_all, &asked);
	memset(&m, 0, sizeof(m));
	m.routing_key = "x";
	m.body = "{}";
	m.body_len = 2;
	CHECK_INT(mih_amqp_publish_batch(c, &m, 1, 5, &res), 0);
	CHECK_INT(res.outcome, MIH_AMQP_BLOCKED);
	CHECK_STR(res.detail, "destination 127.0.0.1 blocked by rule \"test\"");
	CHECK_INT(asked, 1);
	mih_amqp_conn_free(c);
	mih_amqp_url_dispose(&u);

	/* A port nobody listens on. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	getsockname(fd, (struct sockaddr *)&sa, &salen);
	close(fd);
	snprintf(url, sizeof(url), "amqp://127.0.0.1:%d/", ntohs(sa.sin_port));
	CHECK_INT(mih_amqp_url_parse(url, strlen(url), &u, err, sizeof(err)), 0);
	c = mih_amqp_conn_new(&u, 2, NULL, NULL);
	CHECK_INT(mih_amqp_publish_batch(c, &m, 1, 5, &res), 0);
	CHECK_INT(res.outcome, MIH_AMQP_UNSENT);
	CHECK(strstr(res.detail, "could not connect to the broker at 127.0.0.1") != NULL);
	mih_amqp_conn_free(c);
	mih_amqp_url_dispose(&u);
}

TEST(silent_server_times_out)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	char url[128], err[256];
	mih_amqp_url u;
	mih_amqp_conn *c;
	mih_amqp_message m;
	mih_amqp_result res;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	listen(fd, 4);   /* the kernel completes the TCP handshake; nobody speaks AMQP */
	getsockname(fd, (struct sockaddr *)&sa, &salen);
	snprintf(url, sizeof(url), "amqp://127.0.0.1:%d/", ntohs(sa.sin_port));
	CHECK_INT(mih_amqp_url_parse(url, strlen(url), &u, err, sizeof(err)), 0);
	c = mih_amqp_conn_new(&u, 0.3, NULL, NULL);
	memset(&m, 0, sizeof(m));
	m.routing_key = "x";
	m.body = "{}";
	m.body_len = 2;
	CHECK_INT(mih_amqp_publish_batch(c, &m, 1, 1, &res), 0);
	CHECK_INT(res.outcome, MIH_AMQP_UNSENT);
	CHECK(strstr(res.detail, "broker login failed") != NULL);
	CHECK(strstr(res.detail, "timed out") != NULL || strstr(res.detail, "timeout") != NULL);
	mih_amqp_conn_free(c);
	mih_amqp_url_dispose(&u);
	close(fd);
}

/* The broker restarts between two batches: the kept connection is found
 * dead and opened again, and nothing is reported delivered that was not. */
TEST(broker_restart_reopens)
{
	const char *ctl = getenv("MIH_TEST_AMQP_CTL");
	char queue[96], suffix[160], cmd[2048], ids[256];
	mih_amqp_message m;
	mih_amqp_result res;
	mih_amqp_url u;
	mih_amqp_conn *c;
	amqp_connection_state_t st;

	if (!ctl) {
		fprintf(stderr, "broker_restart_reopens: MIH_TEST_AMQP_CTL not set\n");
		CHECK(ctl != NULL);
		return;
	}
	unique_name(queue, sizeof(queue), "restart");
	snprintf(suffix, sizeof(suffix), "?queue_declare=%s", queue);
	c = open_to(suffix, &u);
	memset(&m, 0, sizeof(m));
	m.routing_key = queue;
	m.body = "{}";
	m.body_len = 2;
	m.message_id = "before";
	CHECK_INT(mih_amqp_publish_batch(c, &m, 1, 5, &res), 1);
	snprintf(cmd, sizeof(cmd), "%s stop_app >/dev/null 2>&1", ctl);
	CHECK_INT(system(cmd), 0);
	/* While it is down: a failure, never an ack. */
	m.message_id = "during";
	CHECK_INT(mih_amqp_publish_batch(c, &m, 1, 2, &res), 0);
	CHECK(res.outcome != MIH_AMQP_ACK);
	snprintf(cmd, sizeof(cmd), "%s start_app >/dev/null 2>&1 && %s await_startup >/dev/null 2>&1", ctl, ctl);
	CHECK_INT(system(cmd), 0);
	m.message_id = "after";
	CHECK_INT(mih_amqp_publish_batch(c, &m, 1, 5, &res), 1);
	CHECK_INT(mih_amqp_conn_opens(c), 2);
	st = consumer();
	CHECK_INT(drain_queue(st, queue, ids, sizeof(ids), NULL, 0, NULL, 0), 2);
	CHECK_STR(ids, "before\nafter\n");
	amqp_queue_delete(st, 1, amqp_cstring_bytes(queue), 0, 0);
	amqp_destroy_connection(st);
	mih_amqp_conn_free(c);
	mih_amqp_url_dispose(&u);
}
#endif

int main(void)
{
	RUN(url_full);
	RUN(url_defaults_as_the_php_plugin);
	RUN(url_errors_name_the_part_never_the_password);
	RUN(url_password_kept_apart);
#ifdef HAVE_MIH_AMQP
	broker_url = getenv("MIH_TEST_AMQP_URL");
	if (broker_url && *broker_url) {
		srand((unsigned)getpid());
		RUN(publish_confirmed_each_once);
		RUN(unroutable_is_returned_not_acked);
		RUN(nack_from_a_full_queue);
		RUN(missing_exchange_loses_the_channel_then_reconnects);
		RUN(bad_password_refused_without_showing_it);
		RUN(policy_refusal_and_refused_port);
		RUN(silent_server_times_out);
		RUN(broker_restart_reopens);
	} else if (getenv("MIH_TEST_AMQP_REQUIRED")) {
		fprintf(stderr, "test_amqp: MIH_TEST_AMQP_REQUIRED is set but MIH_TEST_AMQP_URL is not\n");
		unit_failed++;
	} else {
		fprintf(stderr, "test_amqp: broker tests skipped: MIH_TEST_AMQP_URL not set (scripts/test.sh starts a broker)\n");
	}
#else
	fprintf(stderr, "test_amqp: broker tests skipped: built without librabbitmq (install librabbitmq-dev)\n");
#endif
	return UNIT_DONE("amqp");
}
