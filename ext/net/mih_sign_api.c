/* mih::verify_webhook(): the receiving side of Standard Webhooks v1, over
 * the signing core (ext/core/net/sign.c). */
#include "mih_private.h"
#include "sign.h"
#include "ext/standard/php_string.h"

#include <time.h>

/* The header's value, looked up case-insensitively; NULL when absent. */
static const char *find_header(HashTable *headers, const char *wanted, uint32_t argnum, bool *bad)
{
	zend_string *name;
	zval *value;

	ZEND_HASH_FOREACH_STR_KEY_VAL(headers, name, value) {
		if (!name || !zend_string_equals_cstr(name, wanted, strlen(wanted))) {
			if (!name || strncasecmp(ZSTR_VAL(name), wanted, strlen(wanted) + 1) != 0) {
				continue;
			}
		}
		ZVAL_DEREF(value);
		if (Z_TYPE_P(value) == IS_ARRAY) {
			/* Some frameworks keep every header as a list of values. */
			value = zend_hash_index_find(Z_ARRVAL_P(value), 0);
		}
		if (!value || Z_TYPE_P(value) != IS_STRING) {
			zend_argument_type_error(argnum, "header \"%s\" must be a string", wanted);
			*bad = true;
			return NULL;
		}
		/* Read as a C string: a NUL would cut what is verified short. */
		if (php_mih_check_no_nul_in(Z_STRVAL_P(value), Z_STRLEN_P(value), argnum, "header \"%s\"", wanted) != SUCCESS) {
			*bad = true;
			return NULL;
		}
		return Z_STRVAL_P(value);
	} ZEND_HASH_FOREACH_END();
	return NULL;
}

/* Strings only, each read as a C string by the signing core: no NUL. The
 * message never quotes a secret. */
static zend_result check_secrets(HashTable *list, zend_string *one)
{
	zval *entry;

	if (one) {
		return php_mih_check_no_nul(ZSTR_VAL(one), ZSTR_LEN(one), 3);
	}
	ZEND_HASH_FOREACH_VAL(list, entry) {
		if (Z_TYPE_P(entry) != IS_STRING) {
			zend_argument_type_error(3, "must contain only strings, %s given", zend_zval_type_name(entry));
			return FAILURE;
		}
		if (php_mih_check_no_nul(Z_STRVAL_P(entry), Z_STRLEN_P(entry), 3) != SUCCESS) {
			return FAILURE;
		}
	} ZEND_HASH_FOREACH_END();
	return SUCCESS;
}

static void throw_signature(mih_sign_result result, const char *why)
{
	zend_object *ex;
	zval reason;

	ex = zend_throw_exception_ex(php_mih_signature_exception_ce, 0, "webhook rejected: %s", why);
	ZVAL_STRING(&reason, mih_sign_result_name(result));
	zend_update_property(php_mih_signature_exception_ce, ex, ZEND_STRL("reason"), &reason);
	zval_ptr_dtor(&reason);
}

ZEND_METHOD(local_integrationhub_mih, verify_webhook)
{
	HashTable *headers, *secret_list = NULL;
	zend_string *body, *secret = NULL;
	zend_long tolerance = 300;
	const char *id, *timestamp, *signature;
	const char **secrets;
	zend_string **trimmed;
	size_t n = 0, i;
	zval *entry;
	bool bad = false;
	mih_sign_result result;
	char err[256];

	ZEND_PARSE_PARAMETERS_START(3, 4)
		Z_PARAM_ARRAY_HT(headers)
		Z_PARAM_STR(body)
		Z_PARAM_ARRAY_HT_OR_STR(secret_list, secret)
		Z_PARAM_OPTIONAL
		Z_PARAM_LONG(tolerance)
	ZEND_PARSE_PARAMETERS_END();

	if (tolerance < 0) {
		zend_argument_value_error(4, "must be greater than or equal to 0");
		RETURN_THROWS();
	}
	id = find_header(headers, "webhook-id", 1, &bad);
	timestamp = bad ? NULL : find_header(headers, "webhook-timestamp", 1, &bad);
	signature = bad ? NULL : find_header(headers, "webhook-signature", 1, &bad);
	if (bad) {
		RETURN_THROWS();
	}
	n = secret ? 1 : zend_hash_num_elements(secret_list);
	if (n == 0) {
		zend_argument_value_error(3, "must contain at least one secret");
		RETURN_THROWS();
	}
	if (check_secrets(secret_list, secret) != SUCCESS) {
		RETURN_THROWS();
	}
	secrets = safe_emalloc(n, sizeof(char *), 0);
	trimmed = safe_emalloc(n, sizeof(zend_string *), 0);
	if (secret) {
		trimmed[0] = php_trim(secret, NULL, 0, 3);
	} else {
		i = 0;
		ZEND_HASH_FOREACH_VAL(secret_list, entry) {
			trimmed[i++] = php_trim(Z_STR_P(entry), NULL, 0, 3);
		} ZEND_HASH_FOREACH_END();
	}
	for (i = 0; i < n; i++) {
		secrets[i] = ZSTR_VAL(trimmed[i]);
	}
	result = mih_sign_verify(id, timestamp, signature, ZSTR_VAL(body), ZSTR_LEN(body), secrets, n,
		(int64_t)time(NULL), (int64_t)tolerance, err, sizeof(err));
	for (i = 0; i < n; i++) {
		zend_string_release(trimmed[i]);
	}
	efree(secrets);
	efree(trimmed);
	if (result != MIH_SIGN_OK) {
		throw_signature(result, err);
		RETURN_THROWS();
	}
}
