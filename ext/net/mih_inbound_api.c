/* The receiving side of a service, and the pure-PHP plugin's entry points.
 *
 * mih::verify_inbound() checks an inbound call against the service's own
 * credentials, which never leave the extension: a Standard Webhooks v1
 * signature with its signing_secrets (the signing core, sign.c), or the
 * upgraded plugin's per-service token (inbound.c). mih::log_inbound() writes
 * the call's request-log row with direction "inbound", at once and in the
 * caller's transaction, so an endpoint can answer 2xx only once it is
 * recorded. mih::instance() and execute_request() keep the pure-PHP plugin's
 * singleton API over mih::request(). */
#include "mih_private.h"
#include "sign.h"
#include "inbound.h"

#include <time.h>

/* The header's value, looked up case-insensitively; NULL when absent (or an
 * error thrown, with *bad set, when it is not a string or holds a NUL). */
static const char *inbound_header(HashTable *headers, const char *wanted, size_t *len, bool *bad)
{
	zend_string *name;
	zval *value;

	ZEND_HASH_FOREACH_STR_KEY_VAL(headers, name, value) {
		if (!name || strncasecmp(ZSTR_VAL(name), wanted, strlen(wanted) + 1) != 0) {
			continue;
		}
		ZVAL_DEREF(value);
		if (Z_TYPE_P(value) == IS_ARRAY) {
			/* Some frameworks keep every header as a list of values. */
			value = zend_hash_index_find(Z_ARRVAL_P(value), 0);
		}
		if (!value || Z_TYPE_P(value) != IS_STRING) {
			zend_argument_type_error(2, "header \"%s\" must be a string", wanted);
			*bad = true;
			return NULL;
		}
		if (php_mih_check_no_nul_in(Z_STRVAL_P(value), Z_STRLEN_P(value), 2, "header \"%s\"", wanted) != SUCCESS) {
			*bad = true;
			return NULL;
		}
		if (len) {
			*len = Z_STRLEN_P(value);
		}
		return Z_STRVAL_P(value);
	} ZEND_HASH_FOREACH_END();
	return NULL;
}

static void throw_rejected(const char *reason, const char *why)
{
	zend_object *ex;
	zval zreason;

	ex = zend_throw_exception_ex(php_mih_signature_exception_ce, 0, "webhook rejected: %s", why);
	ZVAL_STRING(&zreason, reason);
	zend_update_property(php_mih_signature_exception_ce, ex, ZEND_STRL("reason"), &zreason);
	zval_ptr_dtor(&zreason);
}

static zend_result verify_signature(const mih_service *svc, HashTable *headers, zend_string *body,
	zend_long tolerance, zval *result)
{
	const char *id, *timestamp, *signature;
	const char **secrets;
	size_t n, i;
	bool bad = false;
	mih_sign_result rc;
	char err[256];

	n = svc->signing_secrets ? json_array_size(svc->signing_secrets) : 0;
	if (n == 0) {
		snprintf(err, sizeof(err), "service \"%s\" has no signing secret", svc->name);
		throw_rejected("not_configured", err);
		return FAILURE;
	}
	id = inbound_header(headers, "webhook-id", NULL, &bad);
	timestamp = bad ? NULL : inbound_header(headers, "webhook-timestamp", NULL, &bad);
	signature = bad ? NULL : inbound_header(headers, "webhook-signature", NULL, &bad);
	if (bad) {
		return FAILURE;
	}
	secrets = safe_emalloc(n, sizeof(char *), 0);
	for (i = 0; i < n; i++) {
		secrets[i] = json_string_value(json_array_get(svc->signing_secrets, i));
		if (!secrets[i]) {
			secrets[i] = "";
		}
	}
	rc = mih_sign_verify(id, timestamp, signature, ZSTR_VAL(body), ZSTR_LEN(body), secrets, n,
		(int64_t)time(NULL), (int64_t)tolerance, err, sizeof(err));
	efree(secrets);
	if (rc != MIH_SIGN_OK) {
		throw_rejected(mih_sign_result_name(rc), err);
		return FAILURE;
	}
	add_assoc_string(result, "auth", "signature");
	add_assoc_string(result, "webhook_id", (char *)id);
	add_assoc_long(result, "timestamp", (zend_long)ZEND_STRTOL(timestamp, NULL, 10));
	return SUCCESS;
}

static zend_result verify_token(const mih_service *svc, HashTable *headers, zval *result)
{
	const char *authz, *apikey, *id, *token;
	size_t alen = 0, klen = 0, tlen = 0, expected_len;
	bool bad = false, given = false, ok = false;
	char err[256];

	expected_len = svc->auth_token ? strlen(svc->auth_token) : 0;
	if (expected_len == 0) {
		snprintf(err, sizeof(err), "service \"%s\" has no token", svc->name);
		throw_rejected("not_configured", err);
		return FAILURE;
	}
	authz = inbound_header(headers, "authorization", &alen, &bad);
	apikey = bad ? NULL : inbound_header(headers, "x-api-key", &klen, &bad);
	id = bad ? NULL : inbound_header(headers, "webhook-id", NULL, &bad);
	if (bad) {
		return FAILURE;
	}
	/* As the pure-PHP plugin did: a Bearer token first, then X-API-Key. */
	if (mih_inbound_bearer(authz, alen, &token, &tlen)) {
		given = true;
		ok = mih_inbound_token_equals(svc->auth_token, expected_len, token, tlen);
	}
	if (!ok && apikey) {
		token = mih_inbound_trim(apikey, klen, &tlen);
		if (tlen > 0) {
			given = true;
			ok = mih_inbound_token_equals(svc->auth_token, expected_len, token, tlen);
		}
	}
	if (!given) {
		throw_rejected("missing_header", "no \"Authorization: Bearer\" or X-API-Key header");
		return FAILURE;
	}
	if (!ok) {
		throw_rejected("no_match", "the token does not match");
		return FAILURE;
	}
	add_assoc_string(result, "auth", "token");
	if (id && *id) {
		add_assoc_string(result, "webhook_id", (char *)id);
	} else {
		add_assoc_null(result, "webhook_id");
	}
	add_assoc_null(result, "timestamp");
	return SUCCESS;
}

ZEND_METHOD(local_integrationhub_mih, verify_inbound)
{
	zend_string *service, *body, *auth = NULL;
	HashTable *headers;
	zend_long tolerance = 300;
	mih_service svc;
	bool by_token;
	zend_result rc;

	ZEND_PARSE_PARAMETERS_START(3, 5)
		Z_PARAM_PATH_STR(service)
		Z_PARAM_ARRAY_HT(headers)
		Z_PARAM_STR(body)
		Z_PARAM_OPTIONAL
		Z_PARAM_STR(auth)
		Z_PARAM_LONG(tolerance)
	ZEND_PARSE_PARAMETERS_END();

	by_token = auth && zend_string_equals_literal(auth, "token");
	if (auth && !by_token && !zend_string_equals_literal(auth, "signature")) {
		zend_argument_value_error(4, "must be \"signature\" or \"token\"");
		RETURN_THROWS();
	}
	if (tolerance < 0) {
		zend_argument_value_error(5, "must be greater than or equal to 0");
		RETURN_THROWS();
	}
	/* A disabled service is still verified: the caller decides what to answer. */
	if (php_mih_load_service(service, &svc, false, NULL) != SUCCESS) {
		RETURN_THROWS();
	}
	array_init(return_value);
	add_assoc_string(return_value, "service", svc.name);
	add_assoc_long(return_value, "serviceid", (zend_long)svc.id);
	add_assoc_bool(return_value, "enabled", svc.enabled);
	rc = by_token ? verify_token(&svc, headers, return_value)
		: verify_signature(&svc, headers, body, tolerance, return_value);
	mih_service_dispose(&svc);
	if (rc != SUCCESS) {
		zval_ptr_dtor(return_value);
		ZVAL_NULL(return_value);
		RETURN_THROWS();
	}
}

/* One optional string field of log_inbound()'s entry; NULL when absent or null. */
static zend_result entry_string(HashTable *entry, const char *key, const char **out)
{
	zval *v = zend_hash_str_find_deref(entry, key, strlen(key));

	*out = NULL;
	if (!v || Z_TYPE_P(v) == IS_NULL) {
		return SUCCESS;
	}
	if (Z_TYPE_P(v) != IS_STRING) {
		zend_argument_type_error(2, "field \"%s\" must be of type ?string, %s given", key, zend_zval_type_name(v));
		return FAILURE;
	}
	if (php_mih_check_no_nul_in(Z_STRVAL_P(v), Z_STRLEN_P(v), 2, "field \"%s\"", key) != SUCCESS) {
		return FAILURE;
	}
	*out = Z_STRVAL_P(v);
	return SUCCESS;
}

static zend_result entry_long(HashTable *entry, const char *key, zend_long min, zend_long max, zend_long *out)
{
	zval *v = zend_hash_str_find_deref(entry, key, strlen(key));

	if (!v || Z_TYPE_P(v) == IS_NULL) {
		return SUCCESS;
	}
	if (Z_TYPE_P(v) != IS_LONG) {
		zend_argument_type_error(2, "field \"%s\" must be of type ?int, %s given", key, zend_zval_type_name(v));
		return FAILURE;
	}
	if (Z_LVAL_P(v) < min || Z_LVAL_P(v) > max) {
		zend_argument_value_error(2, "field \"%s\" must be between " ZEND_LONG_FMT " and " ZEND_LONG_FMT,
			key, min, max);
		return FAILURE;
	}
	*out = Z_LVAL_P(v);
	return SUCCESS;
}

static const char *const log_inbound_keys[] = {
	"endpoint", "method", "httpstatus", "success", "error", "latencyms", NULL
};

ZEND_METHOD(local_integrationhub_mih, log_inbound)
{
	zend_string *service, *key;
	HashTable *entry;
	mih_store_log_row row;
	mih_store *st;
	const char *endpoint, *method, *error;
	zend_long status = 0, latency = 0;
	zval *success;
	int64_t id;
	char err[256];

	ZEND_PARSE_PARAMETERS_START(2, 2)
		Z_PARAM_PATH_STR(service)
		Z_PARAM_ARRAY_HT(entry)
	ZEND_PARSE_PARAMETERS_END();

	ZEND_HASH_FOREACH_STR_KEY(entry, key) {
		const char *const *k;
		bool known = false;
		for (k = log_inbound_keys; key && *k; k++) {
			if (zend_string_equals_cstr(key, *k, strlen(*k))) {
				known = true;
				break;
			}
		}
		if (!known) {
			zend_argument_value_error(2, "contains unknown field \"%s\" (known: endpoint, method, httpstatus, "
				"success, error, latencyms)", key ? ZSTR_VAL(key) : "(numeric key)");
			RETURN_THROWS();
		}
	} ZEND_HASH_FOREACH_END();
	success = zend_hash_str_find_deref(entry, ZEND_STRL("success"));
	if (!success || (Z_TYPE_P(success) != IS_TRUE && Z_TYPE_P(success) != IS_FALSE)) {
		zend_argument_value_error(2, "field \"success\" must be given as a bool");
		RETURN_THROWS();
	}
	if (entry_string(entry, "endpoint", &endpoint) != SUCCESS || entry_string(entry, "method", &method) != SUCCESS
			|| entry_string(entry, "error", &error) != SUCCESS
			|| entry_long(entry, "httpstatus", 100, 599, &status) != SUCCESS
			|| entry_long(entry, "latencyms", 0, ZEND_LONG_MAX, &latency) != SUCCESS) {
		RETURN_THROWS();
	}
	st = php_mih_store();
	if (!st) {
		RETURN_THROWS();
	}
	id = php_mih_service_id(st, ZSTR_VAL(service));
	if (EG(exception)) {
		RETURN_THROWS();
	}
	/* Buffered outbound rows first, so the log keeps the order of events. */
	php_mih_log_flush();
	memset(&row, 0, sizeof(row));
	row.serviceid = id > 0 ? id : 0;
	row.servicename = ZSTR_VAL(service);
	row.endpoint = (char *)(endpoint ? endpoint : "webhook");
	row.http_method = (char *)(method ? method : "POST");
	row.http_status = (int)status;
	row.latency_ms = (long)latency;
	row.success = Z_TYPE_P(success) == IS_TRUE;
	row.error_message = (char *)error;
	row.attempt_count = 1;
	row.direction = "inbound";
	/* Unlike an outbound row, this one is the record the endpoint answers on:
	 * a failed write is the caller's failure. */
	if (mih_store_log_append(st, &row, err, sizeof(err)) != 0) {
		php_mih_store_throw("could not write the inbound request-log row", err);
		RETURN_THROWS();
	}
}

ZEND_METHOD(local_integrationhub_mih, instance)
{
	zval *current, fresh;

	ZEND_PARSE_PARAMETERS_NONE();

	current = zend_read_static_property(php_mih_ce, ZEND_STRL("instance"), true);
	if (current && Z_TYPE_P(current) == IS_OBJECT) {
		RETURN_COPY(current);
	}
	object_init_ex(&fresh, php_mih_ce);
	if (zend_update_static_property(php_mih_ce, ZEND_STRL("instance"), &fresh) != SUCCESS) {
		zval_ptr_dtor(&fresh);
		RETURN_THROWS();
	}
	RETURN_COPY_VALUE(&fresh);
}

/* The pure-PHP plugin's execute_request(): mih::request() with its
 * arguments, where an empty method meant "the default". */
ZEND_METHOD(local_integrationhub_mih, execute_request)
{
	zend_string *service, *endpoint = NULL, *method = NULL;
	zval *payload = NULL;
	zend_function *request;
	zval args[4];

	ZEND_PARSE_PARAMETERS_START(1, 4)
		Z_PARAM_PATH_STR(service)
		Z_PARAM_OPTIONAL
		Z_PARAM_PATH_STR(endpoint)
		Z_PARAM_ARRAY(payload)
		Z_PARAM_PATH_STR(method)
	ZEND_PARSE_PARAMETERS_END();

	request = zend_hash_str_find_ptr(&php_mih_ce->function_table, ZEND_STRL("request"));
	ZEND_ASSERT(request != NULL);
	ZVAL_STR(&args[0], service);
	if (endpoint) {
		ZVAL_STR(&args[1], endpoint);
	} else {
		ZVAL_STRINGL(&args[1], "/", 1);
	}
	if (payload) {
		/* As given (the empty array may be the immutable one: never ZVAL_ARR it). */
		ZVAL_COPY_VALUE(&args[2], payload);
	} else {
		ZVAL_EMPTY_ARRAY(&args[2]);
	}
	if (method && ZSTR_LEN(method) > 0) {
		ZVAL_STR(&args[3], method);
	} else {
		ZVAL_NULL(&args[3]);
	}
	zend_call_known_function(request, NULL, php_mih_ce, return_value, 4, args, NULL);
	if (!endpoint) {
		zval_ptr_dtor(&args[1]);
	}
}

/* The pure-PHP plugin's circuit_breaker::record_success() / record_failure():
 * one outcome of a call the caller made itself, told to the service's breaker
 * as a call of mih::request() would be (a failure is a connection error). An
 * open circuit still cooling down takes no outcome: only a probe can close it.
 * Returns the circuit as mih::circuit() does. */
ZEND_METHOD(local_integrationhub_mih, record_outcome)
{
	zend_string *name;
	bool success;
	mih_service svc;
	mih_store *st;
	mih_breaker_permit permit;
	mih_http_response resp;
	int64_t retry_after_ms;

	ZEND_PARSE_PARAMETERS_START(2, 2)
		Z_PARAM_PATH_STR(name)
		Z_PARAM_BOOL(success)
	ZEND_PARSE_PARAMETERS_END();

	if (php_mih_load_service(name, &svc, false, &st) != SUCCESS) {
		RETURN_THROWS();
	}
	if (php_mih_breaker_allow(st, &svc, &permit, &retry_after_ms) != MIH_BREAKER_REJECT) {
		memset(&resp, 0, sizeof(resp));
		resp.outcome = success ? MIH_HTTP_ANSWERED : MIH_HTTP_CONNECT_ERROR;
		resp.status = success ? 200 : 0;
		php_mih_breaker_record(st, &svc, &permit, &resp);
	}
	php_mih_circuit_array(&svc, return_value);
	mih_service_dispose(&svc);
}
