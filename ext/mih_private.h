/* Internals shared by the Zend glue files of mih. */
#ifndef MIH_PRIVATE_H
#define MIH_PRIVATE_H

#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "php.h"
#include "php_ini.h"
#include "zend_exceptions.h"
#include "zend_smart_str.h"
#include "zend_interfaces.h"

#include <jansson.h>

#include "php_mih.h"
#include "service.h"
#include "mih_http.h"
#include "store.h"
#include "breaker.h"
#include "ext/json/php_json.h"

/* The per-process state every glue file below reads: the bound store, the
 * host-wide table, the service and rules caches, the keyring (ext/state/). */
#include "mih_state.h"

/* ---- exceptions (mih_exceptions.c) ---- */
/* Throws ce with a printf-style message; code is an HTTP status, a libcurl
 * code or 0. Messages never carry secrets: callers pass names, not values. */
void php_mih_throw(zend_class_entry *ce, zend_long code, const char *fmt, ...)
	ZEND_ATTRIBUTE_FORMAT(printf, 3, 4);

/* ---- argument checks (mih_args.c) ---- */
/* \ValueError for argument argnum when s holds a NUL byte (which C would
 * read as the end of the string): "must not contain any null bytes", the
 * engine's message for Z_PARAM_PATH_STR. */
zend_result php_mih_check_no_nul(const char *s, size_t len, uint32_t argnum);
/* The same for a string inside the argument: "<what> must not contain any
 * null bytes", what given printf-style (e.g. "filter \"service\""). */
zend_result php_mih_check_no_nul_in(const char *s, size_t len, uint32_t argnum, const char *what_fmt, ...)
	ZEND_ATTRIBUTE_FORMAT(printf, 4, 5);
/* A path (NUL already refused by Z_PARAM_PATH_STR): no CR or LF. */
zend_result php_mih_check_line(zend_string *s, uint32_t argnum);
/* A header name (a token) and value (no CR, LF or NUL); the \ValueError
 * names name_argnum or value_argnum, and never repeats the value. */
zend_result php_mih_check_header(const char *name, size_t nlen, const char *value, size_t vlen,
	uint32_t name_argnum, uint32_t value_argnum);
/* The same test without an exception. */
zend_result php_mih_check_header_silent(const char *name, size_t nlen, const char *value, size_t vlen);
/* Validates and upper-cases an HTTP method; throws \ValueError naming argnum. */
zend_string *php_mih_check_method(zend_string *method, uint32_t argnum);
/* A string payload that a GET or HEAD request puts in its query string:
 * no CR, LF or NUL. argnum 0: the payload was given to with(). */
zend_result php_mih_check_query_payload(const zval *payload, const char *method, uint32_t argnum);
/* POST, PUT, PATCH and DELETE carry the payload as a body; GET and HEAD in the query. */
bool php_mih_method_has_body(const char *method);
/* The keys and values of a list view's filter array (queue, DLQ, log,
 * rules): unknown keys and wrong types are a \ValueError naming argnum. */
zend_result php_mih_check_filter_keys(HashTable *filter, uint32_t argnum, const char *const *known, const char *list);
zend_result php_mih_filter_long(HashTable *filter, const char *key, uint32_t argnum, zend_long min, zend_long *out);
zend_result php_mih_filter_string(HashTable *filter, const char *key, uint32_t argnum, zend_string **out);
/* How a definition field is checked beyond "no NUL byte anywhere". */
typedef enum {
	PHP_MIH_FIELD_TEXT = 0,
	PHP_MIH_FIELD_LINE,     /* part of the request head (URL, path, header name or value): no CR or LF */
	PHP_MIH_FIELD_HEADERS   /* a map of header name => value, each without CR or LF */
} php_mih_field_kind;
typedef struct {
	const char *name;
	php_mih_field_kind kind;
} php_mih_field;
/* A definition array (service, rule) as a jansson tree, like
 * php_mih_zval_to_json, refusing a NUL byte in any field name or string
 * inside it, and CR or LF in the fields listed (NULL-terminated, other
 * fields are PHP_MIH_FIELD_TEXT) with a \ValueError naming the field. */
json_t *php_mih_definition_to_json(zval *def, uint32_t argnum, const php_mih_field *fields);

/* ---- templates (mih_template.c) ---- */
#include "template.h"
/* A compiled template from the per-process cache, valid until the next call. */
const mih_tpl *php_mih_template_get(const char *src, size_t len, mih_tpl_mode mode, mih_tpl_error *err);
/* Picks the fastest name lookup this PHP allows (see mih_tpl_name_hash). */
void php_mih_template_minit(void);
/* Drops the request's hold on recently rendered template strings. */
void php_mih_template_release_request(void);
/* PHP data rendered in place by the template core, checked once and then
 * read by any number of renders (mih::render, mih::render_each, mih::emit).
 * Whether a hash (not packed) array is a list takes a walk over its keys, and
 * lookups ask for the type of every context frame: the last answers are
 * kept, the data does not change while it is rendered. */
#define PHP_MIH_LIST_CACHE_SLOTS 4
typedef struct {
	HashTable views;	/* object handle -> its property table, built on first use */
	bool has_views;
	HashTable serialized;	/* object handle -> what its jsonSerialize() returned */
	bool has_serialized;
	const HashTable *list_tables[PHP_MIH_LIST_CACHE_SLOTS];
	bool list_answers[PHP_MIH_LIST_CACHE_SLOTS];
} php_mih_zval_ctx;
typedef struct {
	php_mih_zval_ctx ctx;
	const void *root;
} php_mih_tpl_data;
/* Checks data as the json_t conversion did (recursion, enums, resources,
 * INF/NAN, depth), throwing ValueError for argument argnum, and calls the
 * jsonSerialize() of every JsonSerializable object in it, once each: the
 * renders then read what it returned, as json_encode does, and run no PHP
 * code. A jsonSerialize() that throws is a template_exception naming the
 * value, with the exception as its previous. */
zend_result php_mih_tpl_data_init(php_mih_tpl_data *d, zval *data, uint32_t argnum);
/* mih_tpl_render_values_into over the data. */
int php_mih_tpl_data_render(php_mih_tpl_data *d, const mih_tpl *tpl, const json_t *partials,
	mih_tpl_buffer *buf, const char **out, size_t *outlen, mih_tpl_error *err);
void php_mih_tpl_data_destroy(php_mih_tpl_data *d);
/* Throws template_exception with template_line/template_column set. */
void php_mih_throw_template(const mih_tpl_error *err);

/* ---- conversions (mih_json.c) ---- */
/* PHP value -> jansson tree: lists become arrays, other arrays and objects
 * become objects, an empty array an empty list. Strings are copied as bytes
 * (not validated). Returns NULL and throws a \ValueError naming argnum when
 * the value cannot be represented (resource, closure, recursion). */
json_t *php_mih_zval_to_json(zval *zv, uint32_t argnum);
/* jansson tree -> PHP value (objects as arrays). */
void php_mih_json_to_zval(const json_t *j, zval *out);
/* json_encode($payload, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE),
 * the same bytes by construction; throws a \ValueError naming argnum. */
zend_result php_mih_encode_payload(zval *payload, smart_str *out, uint32_t argnum);
/* http_build_query($payload, '', '&', PHP_QUERY_RFC3986) */
void php_mih_build_query(zval *payload, smart_str *out);

/* ---- responses (mih_response.c) ---- */
void php_mih_response_from_http(zval *out, const mih_http_response *resp, bool success,
	double latency_ms, zend_long attempts);
void php_mih_response_register(void);

/* ---- request builder (mih_request.c) ---- */
void php_mih_request_register(void);
void php_mih_request_create(zval *out, zend_string *service);

/* ---- the synchronous call (mih_call.c) ---- */
typedef struct php_mih_call {
	zend_string *service;
	zend_string *path;
	zval *payload;          /* array, string or null */
	uint32_t payload_argnum; /* for messages; 0: given to with() */
	zend_string *method;    /* NULL: the service's */
	HashTable *headers;     /* name => value, may be NULL */
	double timeout;         /* <= 0: the service's */
	double connect_timeout; /* <= 0: the service's */
	double deadline;        /* <= 0: default */
	zend_long max_retries;  /* < 0: the service's */
} php_mih_call;

void php_mih_call_init(php_mih_call *call);
/* Parses (service, path, payload, method[, options]) into call; release after. */
zend_result php_mih_call_parse(zend_execute_data *execute_data, php_mih_call *call, zval *default_payload,
	bool with_options);
void php_mih_call_release(php_mih_call *call);
/* Performs the call into return_value (a mih_response) or throws. */
void php_mih_call_execute(php_mih_call *call, zval *return_value);
/* Request headers (lower-case name => "Name: value" line): defaults, auth,
 * the service's headers, the call's, a task's (JSON text), User-Agent. */
void php_mih_headers_build(HashTable *lines, const mih_service *svc, HashTable *call_headers,
	const char *task_headers_json);
/* The fixed header lines, made at MINIT and freed at MSHUTDOWN. */
void php_mih_headers_minit(void);
void php_mih_headers_mshutdown(void);
void php_mih_header_put(HashTable *lines, const char *name, size_t nlen, const char *value, size_t vlen);
/* Adds webhook-id/-timestamp/-signature when the service has signing secrets. */
void php_mih_headers_sign(HashTable *lines, const mih_service *svc, const char *msg_id, const char *body, size_t len);
/* Retryable per the service: connection errors, timeouts, retry_statuses. */
bool php_mih_is_retryable(const mih_service *svc, const mih_http_response *resp);
/* The server's Retry-After in ms from now, when it sent a valid one. */
bool php_mih_retry_after(const mih_http_response *resp, int64_t *delay_ms);

/* The outbound policy in force (never NULL unless out of memory). */
mih_net_policy *php_mih_policy(void);
/* What the connection to the proxy in force is checked against (the
 * request's proxy_policy): NULL for the host's own (INI) proxy, the host's
 * INI lists alone for a site's (configure()) proxy. */
const mih_net_policy *php_mih_proxy_policy(void);
void php_mih_policy_invalidate(void);

/* ---- the outbound proxy (mih_proxy.c) ---- */
/* The proxy in force; NULL: direct (libcurl's proxy environment ignored). */
const mih_proxy *php_mih_proxy(void);
void php_mih_proxy_invalidate(void);
bool php_mih_is_proxy_key(const zend_string *key);
/* group: the proxy_* keys of one configure() call. Validate throws. */
zend_result php_mih_proxy_validate(HashTable *group);
void php_mih_proxy_configure(HashTable *group);
void php_mih_proxy_release_request(void);
ZEND_INI_MH(php_mih_on_update_proxy_host);
ZEND_INI_MH(php_mih_on_update_proxy_port);
ZEND_INI_MH(php_mih_on_update_proxy_type);
ZEND_INI_MH(php_mih_on_update_proxy_string);
ZEND_INI_DISP(php_mih_display_proxy_password);

/* ---- the store's PHP API (mih_store_api.c) ---- */
int64_t php_mih_service_id(mih_store *st, const char *name);
zend_string *php_mih_normalise_eventname(const char *name, size_t len, char *err, size_t errlen);
/* A headers column (JSON object text) as a PHP array, credentials masked. */
void php_mih_add_masked_headers(zval *arr, const char *key, const char *json_text);

/* ---- the queue and DLQ views (mih_queue_api.c) ---- */
/* A task as mih::task() shows it (payload included, headers redacted). */
void php_mih_task_to_zval(zval *out, const mih_store_task *t);
/* A dead letter as mih::dead_letters() shows it. */
void php_mih_dead_to_zval(zval *out, const mih_store_dead *d);

/* ---- the event bridge and enqueue (mih_emit.c) ---- */
zend_long php_mih_enqueue_call(php_mih_call *call);

/* ---- circuit breaker (mih_breaker.c) ---- */
mih_breaker_decision php_mih_breaker_allow(mih_store *st, const mih_service *svc, mih_breaker_permit *permit,
	int64_t *retry_after_ms);
void php_mih_breaker_record(mih_store *st, const mih_service *svc, const mih_breaker_permit *permit,
	const mih_http_response *resp);
bool php_mih_breaker_is_failure(const mih_service *svc, const mih_http_response *resp);
int64_t php_mih_breaker_next_allowed_ms(mih_store *st, const mih_service *svc);
void php_mih_throw_circuit_open(const char *service, int64_t retry_after_ms);
void php_mih_circuit_array(const mih_service *svc, zval *out);

#endif
