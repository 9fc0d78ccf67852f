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
#include "mih_registry.h"

/* ---- exceptions (mih_exceptions.c) ---- */
/* Throws ce with a printf-style message; code is an HTTP status, a libcurl
 * code or 0. Messages never carry secrets: callers pass names, not values. */
void php_mih_throw(zend_class_entry *ce, zend_long code, const char *fmt, ...)
	ZEND_ATTRIBUTE_FORMAT(printf, 3, 4);

/* ---- templates (mih_template.c) ---- */
#include "template.h"
/* A compiled template from the per-process cache, valid until the next call. */
const mih_tpl *php_mih_template_get(const char *src, size_t len, mih_tpl_mode mode, mih_tpl_error *err);
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

/* ---- the synchronous call (mih_class.c) ---- */
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
/* Performs the call into return_value (a mih_response) or throws. */
void php_mih_call_execute(php_mih_call *call, zval *return_value);
/* Validates a header name and value; throws \ValueError naming argnum. */
zend_result php_mih_check_header(const char *name, size_t nlen, const char *value, size_t vlen,
	uint32_t argnum);
/* Validates and upper-cases an HTTP method; throws \ValueError naming argnum. */
zend_string *php_mih_check_method(zend_string *method, uint32_t argnum);

/* The outbound policy in force (never NULL unless out of memory). */
mih_net_policy *php_mih_policy(void);
void php_mih_policy_invalidate(void);

/* The active service registry of this request. */
mih_registry *php_mih_registry(void);

#endif
