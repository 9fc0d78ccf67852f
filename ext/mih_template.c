/* mih::render() and mih::check_template(): PHP glue over the template core
 * (ext/core/template.c). Compiled templates are cached per process. */
#include "mih_private.h"
#include "template.h"

#define MIH_TEMPLATE_CACHE_SIZE 256

void php_mih_throw_template(const mih_tpl_error *err)
{
	zend_object *ex;
	zval line, column;

	ex = zend_throw_exception_ex(php_mih_template_exception_ce, 0, "%s at line %u, column %u",
		err->message, err->line, err->column);
	ZVAL_LONG(&line, err->line);
	ZVAL_LONG(&column, err->column);
	/* The properties are readonly: initialise them from the class's scope. */
	zend_update_property(php_mih_template_exception_ce, ex, ZEND_STRL("template_line"), &line);
	zend_update_property(php_mih_template_exception_ce, ex, ZEND_STRL("template_column"), &column);
}

/* Every lookup keys the cache by PHP's own string hash: a zend_string keeps
 * it once computed, so the template text is not hashed again per call. */
static const mih_tpl *template_get_hashed(const char *src, size_t len, zend_ulong hash,
	mih_tpl_mode mode, mih_tpl_error *err)
{
	if (!MIH_G(templates)) {
		MIH_G(templates) = mih_tpl_cache_new(MIH_TEMPLATE_CACHE_SIZE);
		if (!MIH_G(templates)) {
			snprintf(err->message, sizeof(err->message), "out of memory");
			err->line = err->column = 1;
			return NULL;
		}
	}
	return mih_tpl_cache_get_hashed(MIH_G(templates), src, len, (uint64_t)hash, mode, err);
}

const mih_tpl *php_mih_template_get(const char *src, size_t len, mih_tpl_mode mode, mih_tpl_error *err)
{
	return template_get_hashed(src, len, zend_hash_func(src, len), mode, err);
}

static const mih_tpl *template_get_str(zend_string *src, mih_tpl_mode mode, mih_tpl_error *err)
{
	return template_get_hashed(ZSTR_VAL(src), ZSTR_LEN(src), ZSTR_HASH(src), mode, err);
}

static zend_result parse_mode(zend_string *name, uint32_t argnum, mih_tpl_mode *mode)
{
	if (mih_tpl_mode_from_name(ZSTR_VAL(name), mode) != 0 || strlen(ZSTR_VAL(name)) != ZSTR_LEN(name)) {
		zend_argument_value_error(argnum, "must be one of \"json\", \"html\", \"url\", \"text\"");
		return FAILURE;
	}
	return SUCCESS;
}

static json_t *partials_to_json(HashTable *partials)
{
	json_t *out = json_object();
	zend_string *name;
	zval *src;

	ZEND_HASH_FOREACH_STR_KEY_VAL(partials, name, src) {
		if (!name || Z_TYPE_P(src) != IS_STRING) {
			json_decref(out);
			zend_argument_type_error(4, "must be an array of partial name => template string");
			return NULL;
		}
		json_object_setn_new_nocheck(out, ZSTR_VAL(name), ZSTR_LEN(name),
			json_stringn_nocheck(Z_STRVAL_P(src), Z_STRLEN_P(src)));
	} ZEND_HASH_FOREACH_END();
	return out;
}

ZEND_METHOD(local_integrationhub_mih, render)
{
	zend_string *template, *mode_name = NULL;
	zval *data;
	HashTable *partials = NULL;
	mih_tpl_mode mode = MIH_TPL_JSON;
	mih_tpl_error err;
	const mih_tpl *tpl;
	json_t *jdata, *jpartials = NULL;
	char *out = NULL;
	size_t outlen = 0;
	int rc;

	ZEND_PARSE_PARAMETERS_START(2, 4)
		Z_PARAM_STR(template)
		Z_PARAM_ZVAL(data)
		Z_PARAM_OPTIONAL
		Z_PARAM_STR(mode_name)
		Z_PARAM_ARRAY_HT(partials)
	ZEND_PARSE_PARAMETERS_END();

	if (mode_name && parse_mode(mode_name, 3, &mode) != SUCCESS) {
		RETURN_THROWS();
	}
	jdata = php_mih_zval_to_json(data, 2);
	if (!jdata) {
		RETURN_THROWS();
	}
	if (partials && zend_hash_num_elements(partials) > 0) {
		jpartials = partials_to_json(partials);
		if (!jpartials) {
			json_decref(jdata);
			RETURN_THROWS();
		}
	}
	tpl = template_get_str(template, mode, &err);
	if (!tpl) {
		json_decref(jdata);
		json_decref(jpartials);
		php_mih_throw_template(&err);
		RETURN_THROWS();
	}
	rc = mih_tpl_render(tpl, jdata, jpartials, &out, &outlen, &err);
	json_decref(jdata);
	json_decref(jpartials);
	if (rc != 0) {
		php_mih_throw_template(&err);
		RETURN_THROWS();
	}
	RETVAL_STRINGL(out, outlen);
	free(out);
}

ZEND_METHOD(local_integrationhub_mih, check_template)
{
	zend_string *template, *mode_name = NULL;
	mih_tpl_mode mode = MIH_TPL_JSON;
	mih_tpl_error err;

	ZEND_PARSE_PARAMETERS_START(1, 2)
		Z_PARAM_STR(template)
		Z_PARAM_OPTIONAL
		Z_PARAM_STR(mode_name)
	ZEND_PARSE_PARAMETERS_END();

	if (mode_name && parse_mode(mode_name, 2, &mode) != SUCCESS) {
		RETURN_THROWS();
	}
	if (!template_get_str(template, mode, &err)) {
		php_mih_throw_template(&err);
		RETURN_THROWS();
	}
}
