/* Conversions between PHP values, jansson trees and JSON text.
 *
 * Request bodies are encoded with PHP's own JSON encoder: the contract is
 * "the same bytes as json_encode($payload, JSON_UNESCAPED_SLASHES |
 * JSON_UNESCAPED_UNICODE)", and reusing the encoder that defines those
 * bytes is the only way to guarantee it for every float and edge case. The
 * jansson trees feed the Zend-free cores (service definitions, templates). */
#include "mih_private.h"
#include "ext/json/php_json.h"
#include "ext/standard/php_http.h"
#include "ext/standard/url.h"

#define MIH_MAX_DEPTH 512

static json_t *convert(zval *zv, uint32_t argnum, int depth);

static json_t *convert_array(HashTable *ht, uint32_t argnum, int depth)
{
	json_t *out;
	zend_string *key;
	zend_ulong idx;
	zval *val;

	if (GC_IS_RECURSIVE(ht)) {
		zend_argument_value_error(argnum, "must not contain a recursive reference");
		return NULL;
	}
	if (zend_hash_num_elements(ht) == 0 || zend_array_is_list(ht)) {
		out = json_array();
		GC_TRY_PROTECT_RECURSION(ht);
		ZEND_HASH_FOREACH_VAL_IND(ht, val) {
			json_t *item = convert(val, argnum, depth + 1);
			if (!item) {
				GC_TRY_UNPROTECT_RECURSION(ht);
				json_decref(out);
				return NULL;
			}
			json_array_append_new(out, item);
		} ZEND_HASH_FOREACH_END();
		GC_TRY_UNPROTECT_RECURSION(ht);
		return out;
	}
	out = json_object();
	GC_TRY_PROTECT_RECURSION(ht);
	/* _IND: declared properties sit behind INDIRECT slots; unset ones are skipped. */
	ZEND_HASH_FOREACH_KEY_VAL_IND(ht, idx, key, val) {
		json_t *item = convert(val, argnum, depth + 1);
		char buf[MAX_LENGTH_OF_LONG + 1];
		if (!item) {
			GC_TRY_UNPROTECT_RECURSION(ht);
			json_decref(out);
			return NULL;
		}
		if (key && ZSTR_LEN(key) > 0 && ZSTR_VAL(key)[0] == '\0') {
			/* A protected or private property: json_encode leaves it out too. */
			json_decref(item);
		} else if (key) {
			json_object_setn_new_nocheck(out, ZSTR_VAL(key), ZSTR_LEN(key), item);
		} else {
			int n = snprintf(buf, sizeof(buf), ZEND_ULONG_FMT, idx);
			json_object_setn_new_nocheck(out, buf, (size_t)n, item);
		}
	} ZEND_HASH_FOREACH_END();
	GC_TRY_UNPROTECT_RECURSION(ht);
	return out;
}

static json_t *convert(zval *zv, uint32_t argnum, int depth)
{
	if (depth > MIH_MAX_DEPTH) {
		zend_argument_value_error(argnum, "is nested deeper than %d levels", MIH_MAX_DEPTH);
		return NULL;
	}
	ZVAL_DEREF(zv);
	switch (Z_TYPE_P(zv)) {
		case IS_NULL:
			return json_null();
		case IS_FALSE:
			return json_false();
		case IS_TRUE:
			return json_true();
		case IS_LONG:
			return json_integer((json_int_t)Z_LVAL_P(zv));
		case IS_DOUBLE:
			/* JSON (and jansson) has no INF or NAN. */
			if (!zend_finite(Z_DVAL_P(zv))) {
				zend_argument_value_error(argnum, "must not contain INF or NAN");
				return NULL;
			}
			return json_real(Z_DVAL_P(zv));
		case IS_STRING:
			return json_stringn_nocheck(Z_STRVAL_P(zv), Z_STRLEN_P(zv));
		case IS_ARRAY:
			return convert_array(Z_ARRVAL_P(zv), argnum, depth);
		case IS_OBJECT: {
			json_t *out;
			HashTable *props;
			if (Z_OBJ_P(zv)->ce->ce_flags & ZEND_ACC_ENUM) {
				zend_argument_value_error(argnum, "must not contain an enum (%s)",
					ZSTR_VAL(Z_OBJCE_P(zv)->name));
				return NULL;
			}
			props = zend_get_properties_for(zv, ZEND_PROP_PURPOSE_JSON);
			if (!props) {
				return json_object();
			}
			out = convert_array(props, argnum, depth);
			if (out && json_is_array(out) && json_array_size(out) == 0) {
				/* An object is a map even when it has no properties. */
				json_decref(out);
				out = json_object();
			}
			zend_release_properties(props);
			return out;
		}
		default:
			zend_argument_value_error(argnum, "must not contain a value of type %s",
				zend_zval_type_name(zv));
			return NULL;
	}
}

json_t *php_mih_zval_to_json(zval *zv, uint32_t argnum)
{
	return convert(zv, argnum, 0);
}

void php_mih_json_to_zval(const json_t *j, zval *out)
{
	switch (json_typeof(j)) {
		case JSON_OBJECT: {
			const char *key;
			size_t klen;
			json_t *val;
			array_init_size(out, (uint32_t)json_object_size(j));
			json_object_keylen_foreach((json_t *)j, key, klen, val) {
				zval item;
				php_mih_json_to_zval(val, &item);
				zend_symtable_str_update(Z_ARRVAL_P(out), key, klen, &item);
			}
			break;
		}
		case JSON_ARRAY: {
			size_t i;
			json_t *val;
			array_init_size(out, (uint32_t)json_array_size(j));
			json_array_foreach(j, i, val) {
				zval item;
				php_mih_json_to_zval(val, &item);
				zend_hash_next_index_insert(Z_ARRVAL_P(out), &item);
			}
			break;
		}
		case JSON_STRING:
			ZVAL_STRINGL(out, json_string_value(j), json_string_length(j));
			break;
		case JSON_INTEGER:
			ZVAL_LONG(out, (zend_long)json_integer_value(j));
			break;
		case JSON_REAL:
			ZVAL_DOUBLE(out, json_real_value(j));
			break;
		case JSON_TRUE:
			ZVAL_TRUE(out);
			break;
		case JSON_FALSE:
			ZVAL_FALSE(out);
			break;
		default:
			ZVAL_NULL(out);
	}
}

static const char *encode_error_text(php_json_error_code code)
{
	switch (code) {
		case PHP_JSON_ERROR_UTF8: return "contains invalid UTF-8";
		case PHP_JSON_ERROR_DEPTH: return "is nested too deeply";
		case PHP_JSON_ERROR_RECURSION: return "contains a recursive reference";
		case PHP_JSON_ERROR_INF_OR_NAN: return "contains INF or NAN, which JSON cannot represent";
		case PHP_JSON_ERROR_UNSUPPORTED_TYPE: return "contains a value JSON cannot represent";
		case PHP_JSON_ERROR_INVALID_PROPERTY_NAME: return "contains an invalid property name";
		case PHP_JSON_ERROR_UTF16: return "contains an invalid UTF-16 escape";
		default: return "cannot be encoded as JSON";
	}
}

zend_result php_mih_encode_payload(zval *payload, smart_str *out, uint32_t argnum)
{
	php_json_error_code saved = JSON_G(error_code);
	php_json_error_code code;

	JSON_G(error_code) = PHP_JSON_ERROR_NONE;
	php_json_encode_ex(out, payload, PHP_JSON_UNESCAPED_SLASHES | PHP_JSON_UNESCAPED_UNICODE,
		PHP_JSON_PARSER_DEFAULT_DEPTH);
	code = JSON_G(error_code);
	JSON_G(error_code) = saved;
	if (code != PHP_JSON_ERROR_NONE || EG(exception)) {
		if (!EG(exception)) {
			if (argnum) {
				zend_argument_value_error(argnum, "%s", encode_error_text(code));
			} else {
				/* The payload came from an earlier with() call. */
				const char *space;
				const char *class_name = get_active_class_name(&space);
				zend_value_error("%s%s%s(): the payload given to with() %s", class_name, space,
					get_active_function_name(), encode_error_text(code));
			}
		}
		return FAILURE;
	}
	smart_str_0(out);
	return SUCCESS;
}

void php_mih_build_query(zval *payload, smart_str *out)
{
	php_url_encode_hash_ex(Z_ARRVAL_P(payload), out, NULL, 0, NULL, 0, NULL, 0, NULL, "&",
		PHP_QUERY_RFC3986);
	smart_str_0(out);
}
