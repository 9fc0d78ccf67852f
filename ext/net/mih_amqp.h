/* Delivering to a service of type amqp: publishes with publisher confirms
 * (ext/core/amqp_confirm.c) over connections kept per process, and reports
 * each outcome as the HTTP transport would, so that the retry policy, the
 * breaker, the request log and the DLQ treat both alike. */
#ifndef MIH_AMQP_GLUE_H
#define MIH_AMQP_GLUE_H

#include "php.h"
#include "mih_http.h"
#include "service.h"

typedef struct php_mih_amqp_item {
	const char *endpoint;          /* the routing key, as the rule's endpoint */
	const char *body;
	size_t body_len;
	const char *message_id;        /* the idempotency key */
	HashTable *lines;              /* "Name: value" header lines (php_mih_headers_build, signed) */
	mih_http_response *resp;       /* filled: see php_mih_amqp_send */
} php_mih_amqp_item;

/* Publishes items[0..n) to svc's broker in one batch and waits up to
 * timeout seconds for the confirms. Each resp becomes: a confirm, an
 * answered 200 "OK"; a nack, a returned (unroutable) message, a lost
 * connection or a failed connect or login, MIH_HTTP_CONNECT_ERROR; no
 * confirm in time, MIH_HTTP_TIMEOUT (all retryable failures the breaker
 * counts); a broker address refused by the outbound policy,
 * MIH_HTTP_BLOCKED; a build without librabbitmq or a URL that does not
 * parse, MIH_HTTP_SETUP_ERROR. The error never holds the password. */
void php_mih_amqp_send(const mih_service *svc, php_mih_amqp_item *items, size_t n, double timeout);

/* Connections opened by this process so far (tests: reuse within a process). */
long php_mih_amqp_connections_opened(void);

/* MSHUTDOWN: closes the kept connections. */
void php_mih_amqp_shutdown(void);

#endif
