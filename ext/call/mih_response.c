/* local_integrationhub\mih_response: the read-only result of one call. */
#include "mih_private.h"
#include "ext/json/php_json.h"

/* Property slots, in the order the stub declares them. */
enum {
	PROP_SUCCESS = 0,
	PROP_HTTPSTATUS,
	PROP_BODY,
	PROP_ERROR,
	PROP_LATENCYMS,
	PROP_ATTEMPTS,
	PROP_HEADERS
};

void php_mih_response_from_http(zval *out, const mih_http_response *resp, bool success,
	double latency_ms, zend_long attempts)
{
	zend_object *obj;
	zval headers;
	size_t i;

	object_init_ex(out, php_mih_response_ce);
	obj = Z_OBJ_P(out);
	ZVAL_BOOL(OBJ_PROP_NUM(obj, PROP_SUCCESS), success);
	if (resp->outcome == MIH_HTTP_ANSWERED) {
		ZVAL_LONG(OBJ_PROP_NUM(obj, PROP_HTTPSTATUS), resp->status);
		if (resp->body) {
			ZVAL_STRINGL(OBJ_PROP_NUM(obj, PROP_BODY), resp->body, resp->body_len);
		} else {
			ZVAL_EMPTY_STRING(OBJ_PROP_NUM(obj, PROP_BODY));
		}
	} else {
		ZVAL_NULL(OBJ_PROP_NUM(obj, PROP_HTTPSTATUS));
		ZVAL_NULL(OBJ_PROP_NUM(obj, PROP_BODY));
	}
	if (resp->error[0] != '\0' && !success) {
		ZVAL_STRING(OBJ_PROP_NUM(obj, PROP_ERROR), resp->error);
	} else {
		ZVAL_NULL(OBJ_PROP_NUM(obj, PROP_ERROR));
	}
	ZVAL_DOUBLE(OBJ_PROP_NUM(obj, PROP_LATENCYMS), latency_ms);
	ZVAL_LONG(OBJ_PROP_NUM(obj, PROP_ATTEMPTS), attempts);
	array_init_size(&headers, (uint32_t)resp->nheaders);
	for (i = 0; i < resp->nheaders; i++) {
		add_assoc_stringl(&headers, mih_http_response_header_name(resp, i), mih_http_response_header_value(resp, i),
			resp->headers[i].value_len);
	}
	ZVAL_COPY_VALUE(OBJ_PROP_NUM(obj, PROP_HEADERS), &headers);
}

ZEND_METHOD(local_integrationhub_mih_response, __construct)
{
	(void)return_value;
	ZEND_PARSE_PARAMETERS_NONE();
}

ZEND_METHOD(local_integrationhub_mih_response, is_ok)
{
	zval *success;

	ZEND_PARSE_PARAMETERS_NONE();
	success = OBJ_PROP_NUM(Z_OBJ_P(ZEND_THIS), PROP_SUCCESS);
	RETURN_BOOL(Z_TYPE_P(success) == IS_TRUE);
}

ZEND_METHOD(local_integrationhub_mih_response, json)
{
	bool assoc = true;
	zval *body;

	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_BOOL(assoc)
	ZEND_PARSE_PARAMETERS_END();

	body = OBJ_PROP_NUM(Z_OBJ_P(ZEND_THIS), PROP_BODY);
	/* No answer decodes like an empty body: a \JsonException "Syntax error". */
	php_json_decode_ex(return_value, Z_TYPE_P(body) == IS_STRING ? Z_STRVAL_P(body) : "",
		Z_TYPE_P(body) == IS_STRING ? Z_STRLEN_P(body) : 0,
		(assoc ? PHP_JSON_OBJECT_AS_ARRAY : 0) | PHP_JSON_THROW_ON_ERROR,
		PHP_JSON_PARSER_DEFAULT_DEPTH);
}

ZEND_METHOD(local_integrationhub_mih_response, header)
{
	zend_string *name, *lower;
	zval *headers, *value;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_STR(name)
	ZEND_PARSE_PARAMETERS_END();

	headers = OBJ_PROP_NUM(Z_OBJ_P(ZEND_THIS), PROP_HEADERS);
	if (Z_TYPE_P(headers) != IS_ARRAY) {
		RETURN_NULL();
	}
	lower = zend_string_tolower(name);
	value = zend_hash_find(Z_ARRVAL_P(headers), lower);
	zend_string_release(lower);
	if (!value) {
		RETURN_NULL();
	}
	RETURN_COPY(value);
}
