/* Publishing with publisher confirms on librabbitmq: one connection with
 * one channel in confirm mode per broker URL, opened on first use, checked
 * before each batch and opened again when the broker dropped it. A message
 * counts as delivered only when the broker acked it; a nack, a basic.return
 * (every message is mandatory), a timeout or a lost connection is a
 * failure, and the connection is closed after a timeout or a loss so that a
 * late confirm can never be taken for another message's. */
#include "amqp_confirm.h"

#include <stdio.h>
#include <string.h>

#ifndef HAVE_MIH_AMQP

bool mih_amqp_available(void)
{
	return false;
}

const char *mih_amqp_library_version(void)
{
	return NULL;
}

#else

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/time.h>
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>

#define CHANNEL 1
#define CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

struct mih_amqp_conn {
	bool tls;
	char *host, *user, *password, *vhost, *queue_declare;
	int port;
	double connect_timeout;
	mih_amqp_addr_check check;
	void *check_ud;
	amqp_connection_state_t st;
	pid_t pid;
	uint64_t next_tag;
	long opens;
};

typedef struct pending {
	uint64_t tag;
	const char *message_id;
	bool returned;
	bool settled;
} pending;

bool mih_amqp_available(void)
{
	return true;
}

const char *mih_amqp_library_version(void)
{
	return amqp_version();
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct timeval to_timeval(double seconds)
{
	struct timeval tv;

	if (seconds < 0) {
		seconds = 0;
	}
	tv.tv_sec = (time_t)seconds;
	tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
	return tv;
}

mih_amqp_conn *mih_amqp_conn_new(const mih_amqp_url *u, double connect_timeout, mih_amqp_addr_check check,
	void *check_ud)
{
	mih_amqp_conn *c = calloc(1, sizeof(*c));

	if (!c) {
		return NULL;
	}
	c->tls = u->tls;
	c->host = strdup(u->host);
	c->user = strdup(u->user);
	c->password = strdup(u->password);
	c->vhost = strdup(u->vhost);
	c->queue_declare = strdup(u->queue_declare ? u->queue_declare : "");
	c->port = u->port;
	c->connect_timeout = connect_timeout > 0 ? connect_timeout : 10;
	c->check = check;
	c->check_ud = check_ud;
	if (!c->host || !c->user || !c->password || !c->vhost || !c->queue_declare) {
		mih_amqp_conn_free(c);
		return NULL;
	}
	return c;
}

/* Drops the connection without a word (a dead socket, or a foreign one). */
static void drop(mih_amqp_conn *c)
{
	if (c->st) {
		amqp_destroy_connection(c->st);
		c->st = NULL;
	}
}

/* Says goodbye (connection.close, bounded by the RPC timeout), then drops. */
static void close_politely(mih_amqp_conn *c)
{
	if (c->st && c->pid == getpid()) {
		amqp_connection_close(c->st, AMQP_REPLY_SUCCESS);
	}
	drop(c);
}

void mih_amqp_conn_free(mih_amqp_conn *c)
{
	if (!c) {
		return;
	}
	close_politely(c);
	free(c->host);
	free(c->user);
	if (c->password) {
		memset(c->password, 0, strlen(c->password));
		free(c->password);
	}
	free(c->vhost);
	free(c->queue_declare);
	free(c);
}

bool mih_amqp_conn_is_open(const mih_amqp_conn *c)
{
	return c && c->st != NULL;
}

long mih_amqp_conn_opens(const mih_amqp_conn *c)
{
	return c ? c->opens : 0;
}

void mih_amqp_conn_forget_if_foreign(mih_amqp_conn *c)
{
	if (c && c->st && c->pid != getpid()) {
		drop(c);
	}
}

/* The text of a failed RPC, never with a credential (the broker's replies
 * name the user and the vhost, not the password). */
static void reply_text(amqp_rpc_reply_t r, const char *what, char *out, size_t outlen)
{
	switch (r.reply_type) {
		case AMQP_RESPONSE_NORMAL:
			snprintf(out, outlen, "%s: no error", what);
			return;
		case AMQP_RESPONSE_NONE:
			snprintf(out, outlen, "%s: no reply from the broker", what);
			return;
		case AMQP_RESPONSE_LIBRARY_EXCEPTION:
			snprintf(out, outlen, "%s: %s", what, amqp_error_string2(r.library_error));
			return;
		case AMQP_RESPONSE_SERVER_EXCEPTION:
			if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
				amqp_connection_close_t *m = r.reply.decoded;
				snprintf(out, outlen, "%s: the broker closed the connection: %u %.*s", what, m->reply_code,
					(int)m->reply_text.len, (const char *)m->reply_text.bytes);
			} else if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
				amqp_channel_close_t *m = r.reply.decoded;
				snprintf(out, outlen, "%s: the broker closed the channel: %u %.*s", what, m->reply_code,
					(int)m->reply_text.len, (const char *)m->reply_text.bytes);
			} else {
				snprintf(out, outlen, "%s: the broker answered method 0x%08x", what, (unsigned)r.reply.id);
			}
			return;
	}
}

/* Resolves the host and asks the policy about every address; returns the
 * first allowed address as text in addr (TCP connects there, so that a name
 * cannot resolve elsewhere between the check and the connect). */
static int resolve_checked(mih_amqp_conn *c, char *addr, size_t addrlen, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char port[8], why[256];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%d", c->port);
	rc = getaddrinfo(c->host, port, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "could not resolve broker host %s: %s", c->host, gai_strerror(rc));
		return -1;
	}
	addr[0] = '\0';
	for (ai = res; ai; ai = ai->ai_next) {
		if (c->check && c->check(c->check_ud, ai->ai_addr, c->host, c->port, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s", why);
			freeaddrinfo(res);
			return -2;
		}
		if (addr[0] == '\0') {
			const void *in = ai->ai_family == AF_INET6
				? (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr
				: (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr;
			inet_ntop(ai->ai_family, in, addr, (socklen_t)addrlen);
		}
	}
	freeaddrinfo(res);
	if (addr[0] == '\0') {
		snprintf(err, errlen, "broker host %s has no address", c->host);
		return -1;
	}
	return 0;
}

/* 0, -1 with err, or -2 when the address check refused the broker. */
static int open_conn(mih_amqp_conn *c, char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN + 1];
	struct timeval tv = to_timeval(c->connect_timeout);
	amqp_socket_t *sock;
	amqp_rpc_reply_t r;
	int rc;

	rc = resolve_checked(c, addr, sizeof(addr), err, errlen);
	if (rc != 0) {
		return rc;
	}
	c->st = amqp_new_connection();
	if (!c->st) {
		snprintf(err, errlen, "out of memory for an AMQP connection");
		return -1;
	}
	c->pid = getpid();
	if (c->tls) {
		sock = amqp_ssl_socket_new(c->st);
		if (sock) {
			amqp_ssl_socket_set_verify_peer(sock, 1);
			amqp_ssl_socket_set_verify_hostname(sock, 1);
			if (access(CA_BUNDLE, R_OK) == 0 && amqp_ssl_socket_set_cacert(sock, CA_BUNDLE) != AMQP_STATUS_OK) {
				snprintf(err, errlen, "could not load the CA bundle %s", CA_BUNDLE);
				drop(c);
				return -1;
			}
		}
	} else {
		sock = amqp_tcp_socket_new(c->st);
	}
	if (!sock) {
		snprintf(err, errlen, "could not create an AMQP socket");
		drop(c);
		return -1;
	}
	/* TLS checks the certificate against the name, so it connects by name. */
	rc = amqp_socket_open_noblock(sock, c->tls ? c->host : addr, c->port, &tv);
	if (rc != AMQP_STATUS_OK) {
		snprintf(err, errlen, "could not connect to the broker at %s:%d: %s", c->host, c->port,
			rc == AMQP_STATUS_SOCKET_ERROR && errno ? strerror(errno) : amqp_error_string2(rc));
		drop(c);
		return -1;
	}
	amqp_set_handshake_timeout(c->st, &tv);
	amqp_set_rpc_timeout(c->st, &tv);
	r = amqp_login(c->st, c->vhost, 0, AMQP_DEFAULT_FRAME_SIZE, 0, AMQP_SASL_METHOD_PLAIN, c->user, c->password);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		reply_text(r, "broker login failed", err, errlen);
		drop(c);
		return -1;
	}
	amqp_channel_open(c->st, CHANNEL);
	r = amqp_get_rpc_reply(c->st);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		reply_text(r, "could not open a channel", err, errlen);
		drop(c);
		return -1;
	}
	amqp_confirm_select(c->st, CHANNEL);
	r = amqp_get_rpc_reply(c->st);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		reply_text(r, "the broker refused publisher confirms", err, errlen);
		drop(c);
		return -1;
	}
	if (c->queue_declare[0]) {
		amqp_queue_declare(c->st, CHANNEL, amqp_cstring_bytes(c->queue_declare), 0, 1, 0, 0, amqp_empty_table);
		r = amqp_get_rpc_reply(c->st);
		if (r.reply_type != AMQP_RESPONSE_NORMAL) {
			reply_text(r, "could not declare the queue", err, errlen);
			drop(c);
			return -1;
		}
	}
	c->next_tag = 1;
	c->opens++;
	return 0;
}

/* Before a batch on a connection kept from earlier: whatever the broker
 * sent meanwhile can only be a close (or an EOF); such a connection is
 * dropped. Returns true when it is still good. */
static bool still_open(mih_amqp_conn *c)
{
	struct pollfd pfd;

	if (!c->st) {
		return false;
	}
	if (c->pid != getpid()) {
		drop(c);
		return false;
	}
	pfd.fd = amqp_get_sockfd(c->st);
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (pfd.fd < 0) {
		drop(c);
		return false;
	}
	if (poll(&pfd, 1, 0) == 0 && !amqp_frames_enqueued(c->st) && !amqp_data_in_buffer(c->st)) {
		return true;
	}
	for (;;) {
		amqp_frame_t frame;
		struct timeval zero = { 0, 0 };
		int rc = amqp_simple_wait_frame_noblock(c->st, &frame, &zero);
		if (rc == AMQP_STATUS_TIMEOUT) {
			return true;
		}
		if (rc != AMQP_STATUS_OK || (frame.frame_type == AMQP_FRAME_METHOD
				&& (frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD
					|| frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD))) {
			drop(c);
			return false;
		}
	}
}

static void settle(pending *p, size_t n, uint64_t tag, bool multiple, mih_amqp_outcome ok_outcome,
	mih_amqp_result *results, const char *nack_detail)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i].settled || p[i].tag == 0 || (multiple ? p[i].tag > tag : p[i].tag != tag)) {
			continue;
		}
		p[i].settled = true;
		if (ok_outcome == MIH_AMQP_ACK && p[i].returned) {
			results[i].outcome = MIH_AMQP_RETURNED;   /* detail written at the return */
		} else {
			results[i].outcome = ok_outcome;
			if (ok_outcome != MIH_AMQP_ACK) {
				snprintf(results[i].detail, sizeof(results[i].detail), "%s", nack_detail);
			}
		}
	}
}

/* A basic.return: its message follows (header and body frames); it is
 * matched to a pending publish by message id. */
static int on_return(mih_amqp_conn *c, amqp_frame_t *frame, pending *p, size_t n, mih_amqp_result *results)
{
	amqp_basic_return_t *m = frame->payload.method.decoded;
	amqp_message_t msg;
	amqp_rpc_reply_t r;
	char detail[256];

	snprintf(detail, sizeof(detail), "the broker returned the message as unroutable: %u %.*s (exchange \"%.*s\", "
		"routing key \"%.*s\")", m->reply_code, (int)m->reply_text.len, (const char *)m->reply_text.bytes,
		(int)m->exchange.len, (const char *)m->exchange.bytes, (int)m->routing_key.len,
		(const char *)m->routing_key.bytes);
	r = amqp_read_message(c->st, frame->channel, &msg, 0);
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		amqp_bytes_t id = msg.properties.message_id;
		bool has_id = (msg.properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG) != 0;
		if (p[i].settled || p[i].returned || p[i].tag == 0 || !p[i].message_id || !has_id
				|| strlen(p[i].message_id) != id.len || memcmp(p[i].message_id, id.bytes, id.len) != 0) {
			continue;
		}
		p[i].returned = true;
		snprintf(results[i].detail, sizeof(results[i].detail), "%s", detail);
		break;
	}
	amqp_destroy_message(&msg);
	return 0;
}

static void fail_unsettled(pending *p, size_t n, mih_amqp_result *results, mih_amqp_outcome o, const char *why)
{
	for (size_t i = 0; i < n; i++) {
		if (!p[i].settled) {
			p[i].settled = true;
			results[i].outcome = p[i].tag == 0 && o != MIH_AMQP_BLOCKED ? MIH_AMQP_UNSENT : o;
			snprintf(results[i].detail, sizeof(results[i].detail), "%s", why);
		}
	}
}

static int publish_one(mih_amqp_conn *c, const mih_amqp_message *m)
{
	amqp_basic_properties_t props;
	amqp_table_entry_t *entries = NULL;
	amqp_bytes_t body;
	int rc;

	memset(&props, 0, sizeof(props));
	props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_APP_ID_FLAG;
	props.content_type = amqp_cstring_bytes(m->content_type ? m->content_type : "application/json");
	props.delivery_mode = 2;   /* persistent */
	props.app_id = amqp_cstring_bytes("mih");
	if (m->message_id) {
		props._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
		props.message_id = amqp_cstring_bytes(m->message_id);
	}
	if (m->timestamp > 0) {
		props._flags |= AMQP_BASIC_TIMESTAMP_FLAG;
		props.timestamp = (uint64_t)m->timestamp;
	}
	if (m->nheaders > 0) {
		entries = calloc(m->nheaders, sizeof(*entries));
		if (!entries) {
			return AMQP_STATUS_NO_MEMORY;
		}
		for (size_t i = 0; i < m->nheaders; i++) {
			entries[i].key = amqp_cstring_bytes(m->headers[i].name);
			entries[i].value.kind = AMQP_FIELD_KIND_UTF8;
			entries[i].value.value.bytes = amqp_cstring_bytes(m->headers[i].value);
		}
		props._flags |= AMQP_BASIC_HEADERS_FLAG;
		props.headers.num_entries = (int)m->nheaders;
		props.headers.entries = entries;
	}
	body.bytes = (void *)m->body;
	body.len = m->body_len;
	rc = amqp_basic_publish(c->st, CHANNEL, amqp_cstring_bytes(m->exchange ? m->exchange : ""),
		amqp_cstring_bytes(m->routing_key ? m->routing_key : ""), 1, 0, &props, body);
	free(entries);
	return rc;
}

size_t mih_amqp_publish_batch(mih_amqp_conn *c, const mih_amqp_message *msgs, size_t n, double timeout,
	mih_amqp_result *results)
{
	pending *p;
	char err[256];
	size_t sent = 0, acks = 0, i;
	double deadline;
	bool reused;

	if (n == 0) {
		return 0;
	}
	memset(results, 0, n * sizeof(*results));
	p = calloc(n, sizeof(*p));
	if (!p) {
		for (i = 0; i < n; i++) {
			results[i].outcome = MIH_AMQP_UNSENT;
			snprintf(results[i].detail, sizeof(results[i].detail), "out of memory");
		}
		return 0;
	}
	reused = still_open(c);
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!c->st) {
			int rc = open_conn(c, err, sizeof(err));
			if (rc != 0) {
				fail_unsettled(p, n, results, rc == -2 ? MIH_AMQP_BLOCKED : MIH_AMQP_UNSENT, err);
				goto done;
			}
		}
		for (sent = 0; sent < n; sent++) {
			int rc = publish_one(c, &msgs[sent]);
			if (rc != AMQP_STATUS_OK) {
				snprintf(err, sizeof(err), "publishing failed: %s", amqp_error_string2(rc));
				break;
			}
			p[sent].tag = c->next_tag++;
			p[sent].message_id = msgs[sent].message_id;
		}
		if (sent == n) {
			break;
		}
		drop(c);
		if (sent == 0 && reused && attempt == 0) {
			continue;   /* a kept connection the broker had dropped: one more, on a new one */
		}
		fail_unsettled(p, n, results, MIH_AMQP_LOST, err);
		goto done;
	}
	deadline = mono_now() + (timeout > 0 ? timeout : 10);
	for (;;) {
		amqp_frame_t frame;
		struct timeval tv;
		size_t open_count = 0;
		int rc;

		for (i = 0; i < n; i++) {
			open_count += !p[i].settled;
		}
		if (open_count == 0) {
			break;
		}
		tv = to_timeval(deadline - mono_now());
		rc = amqp_simple_wait_frame_noblock(c->st, &frame, &tv);
		if (rc == AMQP_STATUS_TIMEOUT) {
			snprintf(err, sizeof(err), "no confirm from the broker within %.0f ms", (timeout > 0 ? timeout : 10) * 1000);
			drop(c);
			fail_unsettled(p, n, results, MIH_AMQP_TIMEOUT, err);
			break;
		}
		if (rc != AMQP_STATUS_OK) {
			snprintf(err, sizeof(err), "connection to the broker lost before the confirm: %s", amqp_error_string2(rc));
			drop(c);
			fail_unsettled(p, n, results, MIH_AMQP_LOST, err);
			break;
		}
		if (frame.frame_type != AMQP_FRAME_METHOD) {
			continue;
		}
		switch (frame.payload.method.id) {
			case AMQP_BASIC_ACK_METHOD: {
				amqp_basic_ack_t *m = frame.payload.method.decoded;
				settle(p, n, m->delivery_tag, m->multiple, MIH_AMQP_ACK, results, NULL);
				break;
			}
			case AMQP_BASIC_NACK_METHOD: {
				amqp_basic_nack_t *m = frame.payload.method.decoded;
				settle(p, n, m->delivery_tag, m->multiple, MIH_AMQP_NACK, results,
					"the broker refused the message (basic.nack)");
				break;
			}
			case AMQP_BASIC_RETURN_METHOD:
				if (on_return(c, &frame, p, n, results) != 0) {
					drop(c);
					fail_unsettled(p, n, results, MIH_AMQP_LOST, "connection to the broker lost reading a return");
				}
				break;
			case AMQP_CHANNEL_CLOSE_METHOD: {
				amqp_channel_close_t *m = frame.payload.method.decoded;
				snprintf(err, sizeof(err), "the broker closed the channel: %u %.*s", m->reply_code,
					(int)m->reply_text.len, (const char *)m->reply_text.bytes);
				drop(c);
				fail_unsettled(p, n, results, MIH_AMQP_LOST, err);
				break;
			}
			case AMQP_CONNECTION_CLOSE_METHOD: {
				amqp_connection_close_t *m = frame.payload.method.decoded;
				snprintf(err, sizeof(err), "the broker closed the connection: %u %.*s", m->reply_code,
					(int)m->reply_text.len, (const char *)m->reply_text.bytes);
				drop(c);
				fail_unsettled(p, n, results, MIH_AMQP_LOST, err);
				break;
			}
			default:
				break;
		}
		if (!c->st) {
			break;
		}
	}
done:
	if (c->st) {
		amqp_maybe_release_buffers(c->st);
	}
	for (i = 0; i < n; i++) {
		acks += results[i].outcome == MIH_AMQP_ACK;
	}
	free(p);
	return acks;
}

#endif
