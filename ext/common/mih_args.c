/* Argument checks shared by the entry points: strings the C side reads as
 * C strings (so a NUL would silently cut them short), strings that become
 * part of an HTTP request head (paths, header names and values: no CR or
 * LF either), HTTP methods, and the string fields of definitions.
 *
 * Plain string arguments are declared with Z_PARAM_PATH_STR, whose engine
 * message ("must not contain any null bytes") the helpers here repeat for
 * strings inside arrays. Payloads and event or template data are not
 * checked: they travel with their length and may hold any bytes. */
#include "mih_private.h"

/* The index of the first CR, LF or (with nul) NUL byte, or len. */
static size_t first_break(const char *s, size_t len, bool nul)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\r' || s[i] == '\n' || (nul && s[i] == '\0')) {
			break;
		}
	}
	return i;
}

zend_result php_mih_check_no_nul(const char *s, size_t len, uint32_t argnum)
{
	if (memchr(s, '\0', len)) {
		zend_argument_value_error(argnum, "must not contain any null bytes");
		return FAILURE;
	}
	return SUCCESS;
}

zend_result php_mih_check_no_nul_in(const char *s, size_t len, uint32_t argnum, const char *what_fmt, ...)
{
	va_list ap;
	zend_string *what;

	if (!memchr(s, '\0', len)) {
		return SUCCESS;
	}
	va_start(ap, what_fmt);
	what = zend_vstrpprintf(0, what_fmt, ap);
	va_end(ap);
	/* The string itself is not repeated: it may be a credential. */
	zend_argument_value_error(argnum, "%s must not contain any null bytes", ZSTR_VAL(what));
	zend_string_release(what);
	return FAILURE;
}

zend_result php_mih_check_line(zend_string *s, uint32_t argnum)
{
	if (first_break(ZSTR_VAL(s), ZSTR_LEN(s), false) != ZSTR_LEN(s)) {
		zend_argument_value_error(argnum, "must not contain CR or LF");
		return FAILURE;
	}
	return SUCCESS;
}

/* RFC 7230 token characters, the only ones allowed in a header name. */
static bool is_token(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0 || !(isalnum(c) || strchr("!#$%&'*+-.^_`|~", c))) {
			return false;
		}
	}
	return len > 0;
}

zend_result php_mih_check_header(const char *name, size_t nlen, const char *value, size_t vlen,
	uint32_t name_argnum, uint32_t value_argnum)
{
	size_t shown = first_break(name, nlen, true);

	if (nlen == 0) {
		zend_argument_value_error(name_argnum, "must not contain an empty header name");
		return FAILURE;
	}
	if (shown != nlen) {
		/* Only the part before the break is quoted: the message must not
		 * carry the line break (or what follows it) into a log. */
		zend_argument_value_error(name_argnum, "must not contain CR, LF or NUL in header name \"%.*s\"",
			(int)MIN(shown, 64), name);
		return FAILURE;
	}
	if (!is_token(name, nlen)) {
		zend_argument_value_error(name_argnum, "contains an invalid header name \"%.*s\"",
			(int)MIN(nlen, 64), name);
		return FAILURE;
	}
	if (first_break(value, vlen, true) != vlen) {
		/* The value itself is not repeated: it may be a credential. */
		zend_argument_value_error(value_argnum, "must not contain CR, LF or NUL in the value of header \"%.*s\"",
			(int)MIN(nlen, 64), name);
		return FAILURE;
	}
	return SUCCESS;
}

zend_result php_mih_check_header_silent(const char *name, size_t nlen, const char *value, size_t vlen)
{
	return is_token(name, nlen) && first_break(value, vlen, true) == vlen ? SUCCESS : FAILURE;
}

zend_string *php_mih_check_method(zend_string *method, uint32_t argnum)
{
	const char *canon = mih_method_canonical(ZSTR_VAL(method), ZSTR_LEN(method));

	if (!canon) {
		zend_argument_value_error(argnum, "must be one of GET, POST, PUT, PATCH, DELETE, HEAD, \"%.*s\" given",
			(int)MIN(ZSTR_LEN(method), 32), ZSTR_VAL(method));
		return NULL;
	}
	return zend_string_init(canon, strlen(canon), 0);
}

zend_result php_mih_check_query_payload(const zval *payload, const char *method, uint32_t argnum)
{
	const char *space, *class_name;

	if (php_mih_method_has_body(method) || !payload || Z_TYPE_P(payload) != IS_STRING
			|| first_break(Z_STRVAL_P(payload), Z_STRLEN_P(payload), true) == Z_STRLEN_P(payload)) {
		return SUCCESS;
	}
	if (argnum) {
		zend_argument_value_error(argnum, "must not contain CR, LF or NUL when a %s request sends it in the "
			"query string", method);
		return FAILURE;
	}
	/* The payload came from an earlier with() call. */
	class_name = get_active_class_name(&space);
	zend_value_error("%s%s%s(): the payload given to with() must not contain CR, LF or NUL when a %s request "
		"sends it in the query string", class_name, space, get_active_function_name(), method);
	return FAILURE;
}

/* ---- definitions ------------------------------------------------------ */

static bool holds_nul(const json_t *v)
{
	const char *key;
	size_t klen, i;
	json_t *item;

	switch (json_typeof(v)) {
		case JSON_STRING:
			return memchr(json_string_value(v), '\0', json_string_length(v)) != NULL;
		case JSON_ARRAY:
			json_array_foreach(v, i, item) {
				if (holds_nul(item)) {
					return true;
				}
			}
			return false;
		case JSON_OBJECT:
			json_object_keylen_foreach((json_t *)v, key, klen, item) {
				if (memchr(key, '\0', klen) || holds_nul(item)) {
					return true;
				}
			}
			return false;
		default:
			return false;
	}
}

static php_mih_field_kind field_kind(const php_mih_field *fields, const char *name)
{
	for (; fields && fields->name; fields++) {
		if (strcmp(fields->name, name) == 0) {
			return fields->kind;
		}
	}
	return PHP_MIH_FIELD_TEXT;
}

static zend_result check_header_map(const json_t *map, const char *field, uint32_t argnum)
{
	const char *name;
	size_t nlen, shown;
	json_t *value;

	json_object_keylen_foreach((json_t *)map, name, nlen, value) {
		shown = first_break(name, nlen, false);
		if (shown != nlen) {
			zend_argument_value_error(argnum, "field \"%s\" must not contain CR or LF in header name \"%.*s\"",
				field, (int)MIN(shown, 64), name);
			return FAILURE;
		}
		if (json_is_string(value)
				&& first_break(json_string_value(value), json_string_length(value), false) != json_string_length(value)) {
			zend_argument_value_error(argnum, "field \"%s\" must not contain CR or LF in the value of header \"%.*s\"",
				field, (int)MIN(nlen, 64), name);
			return FAILURE;
		}
	}
	return SUCCESS;
}

static zend_result check_definition(const json_t *def, uint32_t argnum, const php_mih_field *fields)
{
	const char *key;
	size_t klen;
	json_t *value;

	json_object_keylen_foreach((json_t *)def, key, klen, value) {
		php_mih_field_kind kind;

		if (memchr(key, '\0', klen)) {
			zend_argument_value_error(argnum, "must not contain any null bytes in a field name");
			return FAILURE;
		}
		if (holds_nul(value)) {
			/* The value is not repeated: it may be a credential. */
			zend_argument_value_error(argnum, "field \"%.64s\" must not contain any null bytes", key);
			return FAILURE;
		}
		kind = field_kind(fields, key);
		if (kind == PHP_MIH_FIELD_LINE && json_is_string(value)
				&& first_break(json_string_value(value), json_string_length(value), false) != json_string_length(value)) {
			zend_argument_value_error(argnum, "field \"%s\" must not contain CR or LF", key);
			return FAILURE;
		}
		if (kind == PHP_MIH_FIELD_HEADERS && json_is_object(value) && check_header_map(value, key, argnum) != SUCCESS) {
			return FAILURE;
		}
	}
	return SUCCESS;
}

json_t *php_mih_definition_to_json(zval *def, uint32_t argnum, const php_mih_field *fields)
{
	json_t *j = php_mih_zval_to_json(def, argnum);

	if (j && json_is_object(j) && check_definition(j, argnum, fields) != SUCCESS) {
		json_decref(j);
		return NULL;
	}
	return j;
}

bool php_mih_method_has_body(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/* ---- the filter arrays of the list views (queue, DLQ, log, rules) ---- */

/* Filter arrays: known keys only; each getter validates its type. */
zend_result php_mih_check_filter_keys(HashTable *filter, uint32_t argnum, const char *const *known, const char *list)
{
	zend_string *key;

	ZEND_HASH_FOREACH_STR_KEY(filter, key) {
		const char *const *k;
		bool ok = false;
		if (key) {
			for (k = known; *k; k++) {
				if (zend_string_equals_cstr(key, *k, strlen(*k))) {
					ok = true;
					break;
				}
			}
		}
		if (!ok) {
			zend_argument_value_error(argnum, "contains unknown filter \"%s\" (known: %s)",
				key ? ZSTR_VAL(key) : "(numeric key)", list);
			return FAILURE;
		}
	} ZEND_HASH_FOREACH_END();
	return SUCCESS;
}

zend_result php_mih_filter_long(HashTable *filter, const char *key, uint32_t argnum, zend_long min, zend_long *out)
{
	zval *v = zend_hash_str_find(filter, key, strlen(key));

	if (!v) {
		return SUCCESS;
	}
	if (Z_TYPE_P(v) != IS_LONG) {
		zend_argument_type_error(argnum, "filter \"%s\" must be of type int, %s given", key, zend_zval_type_name(v));
		return FAILURE;
	}
	if (Z_LVAL_P(v) < min) {
		zend_argument_value_error(argnum, "filter \"%s\" must be at least " ZEND_LONG_FMT, key, min);
		return FAILURE;
	}
	*out = Z_LVAL_P(v);
	return SUCCESS;
}

zend_result php_mih_filter_string(HashTable *filter, const char *key, uint32_t argnum, zend_string **out)
{
	zval *v = zend_hash_str_find(filter, key, strlen(key));

	if (!v) {
		return SUCCESS;
	}
	if (Z_TYPE_P(v) != IS_STRING) {
		zend_argument_type_error(argnum, "filter \"%s\" must be of type string, %s given", key, zend_zval_type_name(v));
		return FAILURE;
	}
	if (php_mih_check_no_nul_in(Z_STRVAL_P(v), Z_STRLEN_P(v), argnum, "filter \"%s\"", key) != SUCCESS) {
		return FAILURE;
	}
	*out = Z_STR_P(v);
	return SUCCESS;
}
