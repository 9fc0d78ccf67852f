/* AMQP 0-9-1 publishing with publisher confirms, on librabbitmq. No Zend
 * types: the queue worker and the synchronous call use it through a small
 * connection cache, and tests/c/test_amqp.c drives it against a real broker.
 *
 * The URL parser (mih_amqp_url_*) is always built, so that a service of type
 * amqp can be validated, stored and shown by a build without librabbitmq;
 * everything that talks to a broker exists only when HAVE_MIH_AMQP is set
 * (config.m4 defines it when pkg-config finds librabbitmq). */
#ifndef MIH_AMQP_CONFIRM_H
#define MIH_AMQP_CONFIRM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* A broker URL, in the form the PHP plugin stored:
 *   amqp[s]://[user[:password]@]host[:port][/vhost][?exchange=E&routing_key=R&queue_declare=Q]
 * user and password default to guest (as the PHP plugin's), the port to
 * 5672 (5671 for amqps), the vhost to "/" (an empty path or "/"; "%2F" is
 * "/" too). Every part is percent-decoded. */
typedef struct mih_amqp_url {
	bool tls;
	char *host;            /* without the brackets of an IPv6 literal */
	int port;
	char *user;
	char *password;        /* secret: never printed */
	bool has_password;     /* the URL itself gave one */
	char *vhost;
	char *exchange;        /* "" for the default exchange */
	char *routing_key;     /* the default when the endpoint gives none; may be "" */
	char *queue_declare;   /* a durable queue to declare once per connection, or "" */
} mih_amqp_url;

#define MIH_AMQP_MAX_URL 1333  /* the base_url column */

/* Parses url (len bytes, no NUL inside). Returns 0, or -1 with a message
 * naming what is wrong in err (never the password). */
int mih_amqp_url_parse(const char *url, size_t len, mih_amqp_url *out, char *err, size_t errlen);
void mih_amqp_url_dispose(mih_amqp_url *u);

/* The URL with its password part replaced by pass (NULL: no password
 * part), everything else as given; malloc'd, NULL when url does not parse
 * as scheme://authority. Used to keep the password out of base_url (it is
 * kept, sealed, as the service's secret) and to show a masked one. */
char *mih_amqp_url_with_password(const char *url, const char *pass);

/* The routing key of one delivery: the endpoint without its leading
 * slashes; when that is empty, the URL's routing_key, then its
 * queue_declare (publishing to the default exchange names a queue). */
const char *mih_amqp_routing_key(const mih_amqp_url *u, const char *endpoint);

/* ---- the broker (HAVE_MIH_AMQP) ---------------------------------------------------- */

typedef enum {
	MIH_AMQP_ACK = 0,       /* confirmed: the broker has the message */
	MIH_AMQP_NACK,          /* the broker refused it (basic.nack) */
	MIH_AMQP_RETURNED,      /* mandatory and unroutable: basic.return */
	MIH_AMQP_TIMEOUT,       /* no confirm in time: the connection is closed */
	MIH_AMQP_LOST,          /* the connection or channel failed before a confirm */
	MIH_AMQP_UNSENT,        /* never reached the wire (connect or login failed) */
	MIH_AMQP_BLOCKED        /* the address check refused the broker: nothing sent */
} mih_amqp_outcome;

const char *mih_amqp_outcome_name(mih_amqp_outcome o);

typedef struct mih_amqp_header {
	const char *name;
	const char *value;
} mih_amqp_header;

typedef struct mih_amqp_message {
	const char *exchange;
	const char *routing_key;
	const void *body;
	size_t body_len;
	const char *message_id;       /* the task's idempotency key; NULL: none */
	const char *content_type;     /* NULL: application/json */
	const mih_amqp_header *headers;
	size_t nheaders;
	int64_t timestamp;            /* seconds; 0: none */
} mih_amqp_message;

/* Asked for every address a connection would use: return 0 to allow, or
 * -1 with the reason in why (the outbound policy's verdict). */
typedef int (*mih_amqp_addr_check)(void *ud, const struct sockaddr *sa, const char *host, int port,
	char *why, size_t whylen);

typedef struct mih_amqp_conn mih_amqp_conn;

/* One outcome per published message, in publish order. */
typedef struct mih_amqp_result {
	mih_amqp_outcome outcome;
	char detail[256];             /* why, for anything but an ack */
} mih_amqp_result;

bool mih_amqp_available(void);
/* "0.11.0", or NULL when built without librabbitmq. */
const char *mih_amqp_library_version(void);

/* A closed connection object; opened on first use by mih_amqp_publish_batch. */
mih_amqp_conn *mih_amqp_conn_new(const mih_amqp_url *u, double connect_timeout, mih_amqp_addr_check check,
	void *check_ud);
/* Closes it politely (connection.close) when open and owned by this process. */
void mih_amqp_conn_free(mih_amqp_conn *c);
bool mih_amqp_conn_is_open(const mih_amqp_conn *c);
/* How many times it (re)connected: 1 after the first use, +1 per reconnect. */
long mih_amqp_conn_opens(const mih_amqp_conn *c);
/* A forked child must not speak on its parent's socket: drops the
 * connection without a word when it was opened by another process. */
void mih_amqp_conn_forget_if_foreign(mih_amqp_conn *c);

/* Publishes msgs[0..n) (persistent, mandatory) on the confirm-mode channel
 * and waits up to timeout seconds for their confirms, filling results[i].
 * Opens the connection first when needed; a connection found dead before
 * anything is sent (the broker restarted since the last batch) is opened
 * again once. After a timeout or a lost connection the connection is closed
 * (unconfirmed messages are never assumed delivered) and the next batch
 * opens a new one. Returns the number of acks. */
size_t mih_amqp_publish_batch(mih_amqp_conn *c, const mih_amqp_message *msgs, size_t n, double timeout,
	mih_amqp_result *results);

#endif
