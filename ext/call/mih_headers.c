/* The header lines of an outbound request: the defaults every request
 * starts with, the service's auth and headers, the caller's or the task's,
 * and the Standard Webhooks signature lines. Shared by the synchronous call
 * and the queue worker. */
#include "mih_private.h"
#include "ext/standard/base64.h"
#include "sign.h"

#include <time.h>

void php_mih_header_put(HashTable *lines, const char *name, size_t nlen, const char *value, size_t vlen)
{
	zend_string *key = zend_string_alloc(nlen, 0);
	zend_string *line = zend_string_concat3(name, nlen, ": ", 2, value, vlen);
	zval zv;

	zend_str_tolower_copy(ZSTR_VAL(key), name, nlen);
	/* Order follows first appearance; a later value for a name replaces it. */
	ZVAL_STR(&zv, line);
	zend_hash_update(lines, key, &zv);
	zend_string_release(key);
}

/* The lines every request starts with, made once per process and flagged
 * like the engine's permanent interned strings (hash computed, never
 * counted or freed by the engine, so threads may share them): putting them
 * costs no allocation, and a service's or a caller's header of the same
 * name replaces them like any other. Not zend_string_init_interned():
 * OPcache moves the interned strings it knows of into its shared memory
 * after MINIT, and a pointer kept here would not be among them. */
enum { FIXED_CONTENT_TYPE, FIXED_ACCEPT, FIXED_USER_AGENT, FIXED_COUNT };
static zend_string *fixed_keys[FIXED_COUNT], *fixed_lines[FIXED_COUNT];

static zend_string *fixed_string(const char *s)
{
	zend_string *z = zend_string_init(s, strlen(s), 1);

	zend_string_hash_val(z);
	GC_TYPE_INFO(z) = GC_STRING | ((IS_STR_INTERNED | IS_STR_PERSISTENT | IS_STR_PERMANENT) << GC_FLAGS_SHIFT);
	return z;
}

void php_mih_headers_minit(void)
{
	static const char *const keys[FIXED_COUNT] = { "content-type", "accept", "user-agent" };
	static const char *const lines[FIXED_COUNT] = {
		"Content-Type: application/json", "Accept: application/json", "User-Agent: mih/" PHP_MIH_VERSION
	};

	for (int i = 0; i < FIXED_COUNT; i++) {
		fixed_keys[i] = fixed_string(keys[i]);
		fixed_lines[i] = fixed_string(lines[i]);
	}
}

void php_mih_headers_mshutdown(void)
{
	for (int i = 0; i < FIXED_COUNT; i++) {
		free(fixed_keys[i]);
		free(fixed_lines[i]);
		fixed_keys[i] = fixed_lines[i] = NULL;
	}
}

static void header_put_fixed(HashTable *lines, int which)
{
	zval zv;

	ZVAL_INTERNED_STR(&zv, fixed_lines[which]);
	zend_hash_update(lines, fixed_keys[which], &zv);
}

void php_mih_headers_build(HashTable *lines, const mih_service *svc, HashTable *call_headers,
	const char *task_headers_json)
{
	const char *name;
	json_t *value;
	zend_string *zname;
	zval *zvalue;

	zend_hash_init(lines, 8, NULL, ZVAL_PTR_DTOR, 0);
	header_put_fixed(lines, FIXED_CONTENT_TYPE);
	header_put_fixed(lines, FIXED_ACCEPT);
	if (svc->auth_token) {
		if (svc->auth_type == MIH_AUTH_BEARER) {
			zend_string *v = zend_string_concat2("Bearer ", 7, svc->auth_token, strlen(svc->auth_token));
			php_mih_header_put(lines, "Authorization", 13, ZSTR_VAL(v), ZSTR_LEN(v));
			zend_string_release(v);
		} else if (svc->auth_type == MIH_AUTH_APIKEY) {
			php_mih_header_put(lines, svc->apikey_header, strlen(svc->apikey_header), svc->auth_token,
				strlen(svc->auth_token));
		} else if (svc->auth_type == MIH_AUTH_BASIC) {
			zend_string *b64 = php_base64_encode((const unsigned char *)svc->auth_token,
				strlen(svc->auth_token));
			zend_string *v = zend_string_concat2("Basic ", 6, ZSTR_VAL(b64), ZSTR_LEN(b64));
			php_mih_header_put(lines, "Authorization", 13, ZSTR_VAL(v), ZSTR_LEN(v));
			zend_string_release(v);
			zend_string_release(b64);
		}
	}
	json_object_foreach(svc->headers, name, value) {
		php_mih_header_put(lines, name, strlen(name), json_string_value(value), json_string_length(value));
	}
	if (call_headers) {
		ZEND_HASH_FOREACH_STR_KEY_VAL(call_headers, zname, zvalue) {
			if (zname && Z_TYPE_P(zvalue) == IS_STRING) {
				php_mih_header_put(lines, ZSTR_VAL(zname), ZSTR_LEN(zname), Z_STRVAL_P(zvalue), Z_STRLEN_P(zvalue));
			}
		} ZEND_HASH_FOREACH_END();
	}
	if (task_headers_json && *task_headers_json) {
		json_t *task_headers = json_loads(task_headers_json, 0, NULL);
		if (json_is_object(task_headers)) {
			json_object_foreach(task_headers, name, value) {
				if (json_is_string(value)) {
					php_mih_header_put(lines, name, strlen(name), json_string_value(value), json_string_length(value));
				}
			}
		}
		json_decref(task_headers);
	}
	header_put_fixed(lines, FIXED_USER_AGENT);
}

/* Standard Webhooks v1 headers over the exact body bytes, one signature per
 * secret (rotation). Secrets were validated when the service was saved. */
void php_mih_headers_sign(HashTable *lines, const mih_service *svc, const char *msg_id, const char *body, size_t len)
{
	size_t n = json_array_size(svc->signing_secrets), i;
	const char **secrets;
	char *sig, err[256], ts[32];
	int64_t now = (int64_t)time(NULL);

	if (n == 0) {
		return;
	}
	secrets = safe_emalloc(n, sizeof(char *), 0);
	for (i = 0; i < n; i++) {
		secrets[i] = json_string_value(json_array_get(svc->signing_secrets, i));
	}
	sig = emalloc(MIH_SIGN_HEADER_SIZE(n) + 1);
	if (mih_sign_sign(msg_id, now, body ? body : "", body ? len : 0, secrets, n, sig, MIH_SIGN_HEADER_SIZE(n) + 1,
			err, sizeof(err)) == 0) {
		snprintf(ts, sizeof(ts), "%lld", (long long)now);
		php_mih_header_put(lines, "webhook-id", 10, msg_id, strlen(msg_id));
		php_mih_header_put(lines, "webhook-timestamp", 17, ts, strlen(ts));
		php_mih_header_put(lines, "webhook-signature", 17, sig, strlen(sig));
	} else {
		php_error_docref(NULL, E_WARNING, "mih: could not sign the request to service \"%s\": %s", svc->name, err);
	}
	efree(sig);
	efree(secrets);
}
