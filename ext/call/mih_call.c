/* The synchronous call behind mih::request() and mih_request::dispatch():
 * argument and option parsing, payload encoding (the headers are built in
 * mih_headers.c), and the attempt loop with the circuit breaker and the retry policy. */
#include "mih_private.h"
#include "ext/standard/php_string.h"
#include "sign.h"
#include "mih_amqp.h"
#include "mih_soap.h"
#include "retry.h"
#include "clock.h"

#include <math.h>
#include <time.h>

#define MIH_DEFAULT_DEADLINE 30.0

void php_mih_call_init(php_mih_call *call)
{
	memset(call, 0, sizeof(*call));
	call->max_retries = -1;
}

/* ---- building one request ------------------------------------------- */

/* Request headers as a HashTable: lower-case name => "Name: value". */
typedef struct header_set {
	HashTable lines;
} header_set;

static bool payload_is_empty(zval *payload)
{
	return !payload || Z_TYPE_P(payload) == IS_NULL
		|| (Z_TYPE_P(payload) == IS_ARRAY && zend_hash_num_elements(Z_ARRVAL_P(payload)) == 0);
}

/* The request body, or the query string for GET and HEAD. */
static zend_result encode_payload(zval *payload, uint32_t argnum, const char *method, smart_str *body,
	smart_str *query)
{
	if (payload_is_empty(payload)) {
		return SUCCESS;
	}
	if (Z_TYPE_P(payload) == IS_STRING) {
		smart_str_append(php_mih_method_has_body(method) ? body : query, Z_STR_P(payload));
		smart_str_0(php_mih_method_has_body(method) ? body : query);
		return SUCCESS;
	}
	if (php_mih_method_has_body(method)) {
		return php_mih_encode_payload(payload, body, argnum);
	}
	php_mih_build_query(payload, query);
	return SUCCESS;
}

static char *build_url(const mih_service *svc, zend_string *path, smart_str *query)
{
	char *url = mih_http_join_url(svc->base_url, ZSTR_VAL(path), ZSTR_LEN(path));
	size_t len;
	char *full;

	if (!url || !query->s || ZSTR_LEN(query->s) == 0) {
		return url;
	}
	len = strlen(url);
	full = malloc(len + 1 + ZSTR_LEN(query->s) + 1);
	if (!full) {
		free(url);
		return NULL;
	}
	memcpy(full, url, len);
	full[len] = strchr(url, '?') ? '&' : '?';
	memcpy(full + len + 1, ZSTR_VAL(query->s), ZSTR_LEN(query->s) + 1);
	free(url);
	return full;
}

/* ---- the attempt loop ----------------------------------------------- */

static CURL *process_easy_handle(void)
{
	if (!MIH_G(curl_easy)) {
		MIH_G(curl_easy) = curl_easy_init();
	}
	return MIH_G(curl_easy);
}

/* The verdict on the last URL, kept for the process: a loop of calls to
 * one endpoint parses it once per policy (NULL when out of memory: the URL
 * is then checked every time). */
static mih_http_url_memo *process_url_memo(void)
{
	if (!MIH_G(url_memo)) {
		MIH_G(url_memo) = calloc(1, sizeof(mih_http_url_memo));
	}
	return MIH_G(url_memo);
}

/* The URL parsed on the process's handle (NULL when out of memory: the
 * URL is then set as a string every time). */
static mih_http_handle_url *process_handle_url(void)
{
	if (!MIH_G(curl_easy_url)) {
		MIH_G(curl_easy_url) = calloc(1, sizeof(mih_http_handle_url));
	}
	return MIH_G(curl_easy_url);
}

static mih_retry_outcome retry_outcome(const mih_http_response *resp)
{
	switch (resp->outcome) {
		case MIH_HTTP_ANSWERED: return MIH_RETRY_RESPONSE;
		case MIH_HTTP_CONNECT_ERROR: return MIH_RETRY_CONNECT_ERROR;
		case MIH_HTTP_TIMEOUT: return MIH_RETRY_TIMEOUT;
		default: return MIH_RETRY_FATAL_ERROR;
	}
}

bool php_mih_is_retryable(const mih_service *svc, const mih_http_response *resp)
{
	if (resp->outcome != MIH_HTTP_ANSWERED) {
		return mih_retry_is_retryable(retry_outcome(resp), 0, NULL, 0);
	}
	/* The service's own list is honoured as given (classes such as "5xx" included). */
	return mih_status_list_has(&svc->retry_statuses, resp->status);
}

/* The server's Retry-After, when it sent a valid one. */
bool php_mih_retry_after(const mih_http_response *resp, int64_t *delay_ms)
{
	const char *v = mih_http_response_header(resp, "retry-after");

	return v && mih_retry_parse_retry_after(v, strlen(v), mih_clock_real_ms(NULL), delay_ms) == 0;
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts;

	if (ms <= 0) {
		return;
	}
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

static void point_lines(HashTable *lines, const char ***out, size_t *n)
{
	zval *line;

	*out = erealloc(*out, MAX(zend_hash_num_elements(lines), 1) * sizeof(char *));
	*n = 0;
	ZEND_HASH_FOREACH_VAL(lines, line) {
		(*out)[(*n)++] = Z_STRVAL_P(line);
	} ZEND_HASH_FOREACH_END();
}

static void log_call(mih_store *st, const mih_service *svc, const php_mih_call *call, const char *method,
	const mih_http_response *resp, bool success, double latency_ms, zend_long attempts)
{
	mih_store_log_row row;

	memset(&row, 0, sizeof(row));
	row.serviceid = svc->id;
	row.servicename = (char *)svc->name;
	row.endpoint = ZSTR_VAL(call->path);
	row.http_method = (char *)method;
	row.http_status = resp->outcome == MIH_HTTP_ANSWERED ? (int)resp->status : 0;
	row.latency_ms = (long)(latency_ms + 0.5);
	row.success = success;
	row.error_message = success ? NULL : (char *)resp->error;
	row.attempt_count = (long)attempts;
	php_mih_log_buffer(st, &row);
}

/* The attempt loop of one synchronous call: the breaker is asked before
 * every attempt and told every outcome; retryable failures are retried
 * with jittered backoff (Retry-After honoured, capped by retry_cap) while
 * the call's deadline allows. */
static void run_attempts(mih_store *st, const mih_service *svc, php_mih_call *call, mih_http_request *req,
	HashTable *lines, zval *return_value)
{
	mih_http_response resp;
	CURL *easy = process_easy_handle();
	const char **line_ptrs = NULL;
	size_t nlines = 0;
	int64_t start = mih_clock_real_ms(NULL);
	double mono_start = mih_clock_monotonic_s();
	int64_t deadline_ms = (int64_t)((call->deadline > 0 ? call->deadline : MIH_DEFAULT_DEADLINE) * 1000.0);
	double timeout = call->timeout > 0 ? call->timeout : svc->timeout;
	double connect_timeout = call->connect_timeout > 0 ? call->connect_timeout : svc->connect_timeout;
	zend_long max_retries = call->max_retries >= 0 ? call->max_retries : svc->max_retries;
	zend_long attempts = 0;
	bool success = false, have_response = false;
	char msg_id[MIH_SIGN_MSG_ID_SIZE];

	if (!easy) {
		php_mih_throw(php_mih_transport_exception_ce, 0, "libcurl could not create a handle");
		return;
	}
	/* An amqp message always carries an id (its message-id), the same on every attempt. */
	if ((json_array_size(svc->signing_secrets) > 0 || svc->type == MIH_SERVICE_AMQP)
			&& mih_sign_new_msg_id(msg_id, sizeof(msg_id)) != 0) {
		php_mih_throw(php_mih_transport_exception_ce, 0, "could not generate a webhook id");
		return;
	}
	mih_http_response_init(&resp);
	for (;;) {
		mih_breaker_permit permit;
		int64_t retry_after = 0, delay;
		double remaining = (double)(deadline_ms - (mih_clock_real_ms(NULL) - start)) / 1000.0;
		double attempt_timeout = MIN(timeout, remaining);

		if (php_mih_breaker_allow(st, svc, &permit, &retry_after) == MIH_BREAKER_REJECT) {
			if (!have_response) {
				php_mih_throw_circuit_open(svc->name, retry_after);
				efree(line_ptrs);
				return;
			}
			/* Opened between two attempts: stop with the last failure. */
			break;
		}
		if (json_array_size(svc->signing_secrets) > 0) {
			php_mih_headers_sign(lines, svc, msg_id, req->body, req->body_len);
		}
		point_lines(lines, &line_ptrs, &nlines);
		req->headers = line_ptrs;
		req->nheaders = nlines;
		req->timeout_ms = (long)ceil(MAX(attempt_timeout, 0.001) * 1000.0);
		req->connect_timeout_ms = (long)ceil(MAX(MIN(connect_timeout, attempt_timeout), 0.001) * 1000.0);
		mih_http_response_dispose(&resp);
		if (svc->type == MIH_SERVICE_AMQP) {
			php_mih_amqp_item item = { ZSTR_VAL(call->path), req->body, req->body_len, msg_id, lines, &resp };
			php_mih_amqp_send(svc, &item, 1, MAX(attempt_timeout, 0.001));
		} else if (svc->type == MIH_SERVICE_SOAP) {
			php_mih_soap_call(svc, ZSTR_VAL(call->path), req->body, req->body_len, lines, MAX(attempt_timeout, 0.001),
				MIN(connect_timeout, MAX(attempt_timeout, 0.001)), &resp);
		} else {
			mih_http_perform(easy, req, &resp);
		}
		attempts++;
		have_response = true;
		/* Also for a setup error: not an outcome, but a probe's permit goes back. */
		php_mih_breaker_record(st, svc, &permit, &resp);
		if (resp.outcome == MIH_HTTP_SETUP_ERROR) {
			php_mih_throw(php_mih_transport_exception_ce, resp.curl_code, "%s", resp.error);
			mih_http_response_dispose(&resp);
			efree(line_ptrs);
			return;
		}
		success = resp.outcome == MIH_HTTP_ANSWERED && resp.status >= 200 && resp.status <= 299;
		if (success || !php_mih_is_retryable(svc, &resp) || attempts > max_retries) {
			break;
		}
		{
			int64_t ra_ms = 0;
			mih_random rnd = { mih_retry_random_system, NULL };
			bool has_ra = php_mih_retry_after(&resp, &ra_ms);
			delay = mih_retry_next_delay_ms((unsigned)(attempts - 1), (int64_t)(svc->retry_backoff * 1000.0),
				(int64_t)(svc->retry_cap * 1000.0), has_ra, ra_ms, &rnd);
		}
		if (!mih_retry_fits_deadline(start, deadline_ms, mih_clock_real_ms(NULL), delay)) {
			break;
		}
		sleep_ms(delay);
	}
	{
		double latency = (mih_clock_monotonic_s() - mono_start) * 1000.0;
		log_call(st, svc, call, req->method, &resp, success, latency, attempts);
		php_mih_response_from_http(return_value, &resp, success, latency, attempts);
	}
	mih_http_response_dispose(&resp);
	efree(line_ptrs);
}

void php_mih_call_execute(php_mih_call *call, zval *return_value)
{
	mih_service buf;
	const mih_service *svc;
	const char *method;
	smart_str body = {0}, query = {0};
	header_set hs;
	char *url = NULL;
	mih_http_request req;
	mih_store *st;

	/* Borrowed, not copied: the cache keeps it while the call runs. The
	 * store comes with it, so the call asks for it (and checks the process
	 * for a fork, a getpid()) once. */
	if (php_mih_borrow_service(call->service, &buf, &svc, true, &st) != SUCCESS) {
		return;
	}
	method = call->method ? ZSTR_VAL(call->method) : svc->method;
	if (php_mih_check_query_payload(call->payload, method, call->payload_argnum) != SUCCESS
			|| encode_payload(call->payload, call->payload_argnum, method, &body, &query) != SUCCESS) {
		goto done;
	}
	url = build_url(svc, call->path, &query);
	if (!url) {
		php_mih_throw(php_mih_transport_exception_ce, 0, "out of memory building the URL");
		goto done;
	}
	php_mih_headers_build(&hs.lines, svc, call->headers, NULL);

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	if (php_mih_method_has_body(method) && body.s) {
		req.body = ZSTR_VAL(body.s);
		req.body_len = ZSTR_LEN(body.s);
	}
	req.follow_redirects = svc->follow_redirects;
	req.max_response = (size_t)MIH_G(max_response_size);
	req.policy = php_mih_policy();
	req.proxy = php_mih_proxy();
	req.proxy_policy = php_mih_proxy_policy();
	req.policy_gen = MIH_G(policy_gen);
	req.memo = process_url_memo();
	/* Only mih_http_perform() sets up the process's handle. */
	req.handle_ready = &MIH_G(curl_easy_ready);
	req.handle_url = process_handle_url();
	/* An API's answer may be large: let it come compressed. */
	req.accept_compressed = true;
	run_attempts(st, svc, call, &req, &hs.lines, return_value);

	zend_hash_destroy(&hs.lines);
done:
	free(url);
	smart_str_free(&body);
	smart_str_free(&query);
	php_mih_service_return(&buf, svc);
}

/* ---- mih::request() options ----------------------------------------- */

static zend_result option_seconds(zval *v, const char *key, double *out)
{
	double d;

	if (Z_TYPE_P(v) == IS_LONG) {
		d = (double)Z_LVAL_P(v);
	} else if (Z_TYPE_P(v) == IS_DOUBLE) {
		d = Z_DVAL_P(v);
	} else {
		zend_argument_type_error(5, "option \"%s\" must be of type int|float, %s given", key, zend_zval_type_name(v));
		return FAILURE;
	}
	if (!(d > 0) || d > 3600) {
		zend_argument_value_error(5, "option \"%s\" must be greater than 0 and at most 3600 seconds", key);
		return FAILURE;
	}
	*out = d;
	return SUCCESS;
}

static zend_result check_call_headers(HashTable *headers, uint32_t argnum)
{
	zend_string *name;
	zval *value;

	ZEND_HASH_FOREACH_STR_KEY_VAL(headers, name, value) {
		if (!name) {
			zend_argument_value_error(argnum, "option \"headers\" must be an array of name => value");
			return FAILURE;
		}
		if (Z_TYPE_P(value) != IS_STRING) {
			zend_argument_type_error(argnum, "option \"headers\" value of \"%s\" must be of type string, %s given",
				ZSTR_VAL(name), zend_zval_type_name(value));
			return FAILURE;
		}
		if (php_mih_check_header(ZSTR_VAL(name), ZSTR_LEN(name), Z_STRVAL_P(value), Z_STRLEN_P(value), argnum,
				argnum) != SUCCESS) {
			return FAILURE;
		}
	} ZEND_HASH_FOREACH_END();
	return SUCCESS;
}

static zend_result parse_call_options(HashTable *options, php_mih_call *call)
{
	zend_string *key;
	zval *v;

	ZEND_HASH_FOREACH_STR_KEY_VAL(options, key, v) {
		if (!key) {
			zend_argument_value_error(5, "must be an array of option => value");
			return FAILURE;
		}
		if (zend_string_equals_literal(key, "headers")) {
			if (Z_TYPE_P(v) != IS_ARRAY) {
				zend_argument_type_error(5, "option \"headers\" must be of type array, %s given",
					zend_zval_type_name(v));
				return FAILURE;
			}
			if (check_call_headers(Z_ARRVAL_P(v), 5) != SUCCESS) {
				return FAILURE;
			}
			call->headers = Z_ARRVAL_P(v);
		} else if (zend_string_equals_literal(key, "timeout")) {
			if (option_seconds(v, "timeout", &call->timeout) != SUCCESS) {
				return FAILURE;
			}
		} else if (zend_string_equals_literal(key, "connect_timeout")) {
			if (option_seconds(v, "connect_timeout", &call->connect_timeout) != SUCCESS) {
				return FAILURE;
			}
		} else if (zend_string_equals_literal(key, "deadline")) {
			if (option_seconds(v, "deadline", &call->deadline) != SUCCESS) {
				return FAILURE;
			}
		} else if (zend_string_equals_literal(key, "max_retries")) {
			if (Z_TYPE_P(v) != IS_LONG) {
				zend_argument_type_error(5, "option \"max_retries\" must be of type int, %s given",
					zend_zval_type_name(v));
				return FAILURE;
			}
			if (Z_LVAL_P(v) < 0 || Z_LVAL_P(v) > 10) {
				zend_argument_value_error(5, "option \"max_retries\" must be between 0 and 10");
				return FAILURE;
			}
			call->max_retries = Z_LVAL_P(v);
		} else {
			zend_argument_value_error(5, "contains unknown option \"%s\" (known: headers, timeout, "
				"connect_timeout, deadline, max_retries)", ZSTR_VAL(key));
			return FAILURE;
		}
	} ZEND_HASH_FOREACH_END();
	return SUCCESS;
}

zend_result php_mih_call_parse(zend_execute_data *execute_data, php_mih_call *call, zval *default_payload,
	bool with_options)
{
	zend_string *service, *path = NULL, *method = NULL;
	zval *payload = NULL;
	HashTable *options = NULL;

	ZEND_PARSE_PARAMETERS_START(1, with_options ? 5 : 4)
		Z_PARAM_PATH_STR(service)
		Z_PARAM_OPTIONAL
		Z_PARAM_PATH_STR(path)
		Z_PARAM_ZVAL(payload)
		Z_PARAM_PATH_STR_OR_NULL(method)
		Z_PARAM_ARRAY_HT(options)
	ZEND_PARSE_PARAMETERS_END_EX(return FAILURE);

	if (path && php_mih_check_line(path, 2) != SUCCESS) {
		return FAILURE;
	}
	if (payload && Z_TYPE_P(payload) != IS_ARRAY && Z_TYPE_P(payload) != IS_STRING && Z_TYPE_P(payload) != IS_NULL) {
		zend_argument_type_error(3, "must be of type array|string|null, %s given", zend_zval_type_name(payload));
		return FAILURE;
	}
	php_mih_call_init(call);
	call->service = service;
	call->payload_argnum = 3;
	call->path = path ? path : ZSTR_CHAR('/');
	ZVAL_EMPTY_ARRAY(default_payload);
	call->payload = payload ? payload : default_payload;
	if (method) {
		call->method = php_mih_check_method(method, 4);
		if (!call->method) {
			return FAILURE;
		}
	}
	if (options && parse_call_options(options, call) != SUCCESS) {
		php_mih_call_release(call);
		return FAILURE;
	}
	return SUCCESS;
}

void php_mih_call_release(php_mih_call *call)
{
	if (call->method) {
		zend_string_release(call->method);
		call->method = NULL;
	}
}

