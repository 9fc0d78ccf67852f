/* mih::render() and mih::check_template(): PHP glue over the template core
 * (ext/core/template/). Compiled templates are cached per process. */
#include "mih_private.h"
#include "template.h"
#include "ext/json/php_json.h"
#include "zend_exceptions.h"
#include "zend_interfaces.h"

#define MIH_TEMPLATE_CACHE_SIZE 256
/* mih::render keeps its output buffer between calls up to this size. */
#define MIH_RENDER_BUFFER_KEPT (256 * 1024)

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

/* The same string (held by the memo, so not freed and reused meanwhile, and
 * PHP strings shared like this are never changed in place) in the same mode
 * is the same template, as long as the cache has evicted nothing since.
 * A template holding a NUL byte is refused (NULL, *nul set) before it is
 * compiled: rules keep templates as C strings, and what check_template()
 * accepts must be what save_rule() stores. A memo hit was checked then. */
static const mih_tpl *template_get_str(zend_string *src, mih_tpl_mode mode, mih_tpl_error *err, bool *nul)
{
	struct php_mih_template_memo *m = &MIH_G(template_memo)[ZSTR_HASH(src) % 8];
	const mih_tpl *tpl;

	*nul = false;
	if (m->src == src && m->mode == (int)mode
		&& m->evictions == mih_tpl_cache_evictions(MIH_G(templates))) {
		return m->tpl;
	}
	if (memchr(ZSTR_VAL(src), '\0', ZSTR_LEN(src))) {
		*nul = true;
		return NULL;
	}
	tpl = template_get_hashed(ZSTR_VAL(src), ZSTR_LEN(src), ZSTR_HASH(src), mode, err);
	if (tpl) {
		if (m->src) {
			zend_string_release(m->src);
		}
		m->src = zend_string_copy(src);
		m->mode = (int)mode;
		m->tpl = tpl;
		m->evictions = mih_tpl_cache_evictions(MIH_G(templates));
	}
	return tpl;
}

void php_mih_template_release_request(void)
{
	size_t i;

	for (i = 0; i < sizeof(MIH_G(template_memo)) / sizeof(MIH_G(template_memo)[0]); i++) {
		if (MIH_G(template_memo)[i].src) {
			zend_string_release(MIH_G(template_memo)[i].src);
			MIH_G(template_memo)[i].src = NULL;
		}
	}
}

static zend_result parse_mode(zend_string *name, uint32_t argnum, mih_tpl_mode *mode)
{
	if (mih_tpl_mode_from_name(ZSTR_VAL(name), mode) != 0) {
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
		if (memchr(ZSTR_VAL(name), '\0', ZSTR_LEN(name))) {
			zend_argument_value_error(4, "must not contain any null bytes in a partial name");
			json_decref(out);
			return NULL;
		}
		if (php_mih_check_no_nul_in(Z_STRVAL_P(src), Z_STRLEN_P(src), 4, "partial \"%.60s\"", ZSTR_VAL(name)) != SUCCESS) {
			json_decref(out);
			return NULL;
		}
		json_object_setn_new_nocheck(out, ZSTR_VAL(name), ZSTR_LEN(name),
			json_stringn_nocheck(Z_STRVAL_P(src), Z_STRLEN_P(src)));
	} ZEND_HASH_FOREACH_END();
	return out;
}

/* mih::render's output buffer, kept between calls while it stays of common
 * payload size. */
static void render_buffer_take(mih_tpl_buffer *buf)
{
	buf->data = MIH_G(render_buf);
	buf->cap = MIH_G(render_buf_cap);
	/* owned by the render until kept again: a bailout in between leaks it
	 * rather than leaving the global pointing at a moved block */
	MIH_G(render_buf) = NULL;
	MIH_G(render_buf_cap) = 0;
}

static void render_buffer_keep(mih_tpl_buffer *buf)
{
	if (buf->cap > MIH_RENDER_BUFFER_KEPT) {
		free(buf->data);
		buf->data = NULL;
		buf->cap = 0;
	}
	MIH_G(render_buf) = buf->data;
	MIH_G(render_buf_cap) = buf->cap;
}

/* The partials argument both render methods take, as a json object. */
static zend_result render_partials(HashTable *partials, json_t **jpartials)
{
	*jpartials = NULL;
	if (partials && zend_hash_num_elements(partials) > 0) {
		*jpartials = partials_to_json(partials);
		if (!*jpartials) {
			return FAILURE;
		}
	}
	return SUCCESS;
}

/* The arguments both render methods share after the templates: the mode
 * (argument 3), the data checked once (2), the partials (4). On failure an
 * exception is pending and nothing is left to release. */
static zend_result render_args(zend_string *mode_name, zval *data, HashTable *partials,
	mih_tpl_mode *mode, php_mih_tpl_data *d, json_t **jpartials)
{
	if (mode_name && parse_mode(mode_name, 3, mode) != SUCCESS) {
		return FAILURE;
	}
	if (php_mih_tpl_data_init(d, data, 2) != SUCCESS) {
		return FAILURE;
	}
	if (render_partials(partials, jpartials) != SUCCESS) {
		php_mih_tpl_data_destroy(d);
		return FAILURE;
	}
	return SUCCESS;
}

ZEND_METHOD(local_integrationhub_mih, render)
{
	zend_string *template, *mode_name = NULL;
	zval *data;
	HashTable *partials = NULL;
	mih_tpl_mode mode = MIH_TPL_JSON;
	mih_tpl_error err;
	const mih_tpl *tpl;
	json_t *jpartials;
	php_mih_tpl_data d;
	mih_tpl_buffer buf;
	const char *out = NULL;
	size_t outlen = 0;
	bool nul;
	int rc;

	ZEND_PARSE_PARAMETERS_START(2, 4)
		Z_PARAM_STR(template)
		Z_PARAM_ZVAL(data)
		Z_PARAM_OPTIONAL
		Z_PARAM_PATH_STR(mode_name)
		Z_PARAM_ARRAY_HT(partials)
	ZEND_PARSE_PARAMETERS_END();

	if (render_args(mode_name, data, partials, &mode, &d, &jpartials) != SUCCESS) {
		RETURN_THROWS();
	}
	tpl = template_get_str(template, mode, &err, &nul);
	if (!tpl) {
		php_mih_tpl_data_destroy(&d);
		json_decref(jpartials);
		if (nul) {
			zend_argument_value_error(1, "must not contain any null bytes");
		} else {
			php_mih_throw_template(&err);
		}
		RETURN_THROWS();
	}
	render_buffer_take(&buf);
	rc = php_mih_tpl_data_render(&d, tpl, jpartials, &buf, &out, &outlen, &err);
	if (rc == 0) {
		RETVAL_STRINGL(out, outlen);
	}
	render_buffer_keep(&buf);
	php_mih_tpl_data_destroy(&d);
	json_decref(jpartials);
	if (rc != 0) {
		php_mih_throw_template(&err);
		RETURN_THROWS();
	}
}

/* template_exception for the template under key (or index idx) of the
 * array mih::render_each was given. */
static void throw_template_of(zend_string *key, zend_ulong idx, const mih_tpl_error *err)
{
	mih_tpl_error named = *err;

	if (key) {
		snprintf(named.message, sizeof(named.message), "template \"%.*s\": %s",
			(int)(ZSTR_LEN(key) > 60 ? 60 : ZSTR_LEN(key)), ZSTR_VAL(key), err->message);
	} else {
		snprintf(named.message, sizeof(named.message), "template " ZEND_ULONG_FMT ": %s", idx,
			err->message);
	}
	php_mih_throw_template(&named);
}

ZEND_METHOD(local_integrationhub_mih, render_each)
{
	HashTable *templates, *partials = NULL;
	zend_string *mode_name = NULL, *key, *failed_key = NULL;
	zend_ulong idx, failed_idx = 0;
	zval *data, *entry;
	mih_tpl_mode mode = MIH_TPL_JSON;
	mih_tpl_error err;
	json_t *jpartials;
	php_mih_tpl_data d;
	mih_tpl_buffer buf;
	bool failed = false, nul = false;

	ZEND_PARSE_PARAMETERS_START(2, 4)
		Z_PARAM_ARRAY_HT(templates)
		Z_PARAM_ZVAL(data)
		Z_PARAM_OPTIONAL
		Z_PARAM_PATH_STR(mode_name)
		Z_PARAM_ARRAY_HT(partials)
	ZEND_PARSE_PARAMETERS_END();

	ZEND_HASH_FOREACH_VAL(templates, entry) {
		ZVAL_DEREF(entry);
		if (Z_TYPE_P(entry) != IS_STRING) {
			zend_argument_type_error(1, "must be an array of template strings, %s found in it",
				zend_zval_type_name(entry));
			RETURN_THROWS();
		}
	} ZEND_HASH_FOREACH_END();
	if (render_args(mode_name, data, partials, &mode, &d, &jpartials) != SUCCESS) {
		RETURN_THROWS();
	}
	array_init_size(return_value, zend_hash_num_elements(templates));
	render_buffer_take(&buf);
	ZEND_HASH_FOREACH_KEY_VAL(templates, idx, key, entry) {
		const mih_tpl *tpl;
		const char *out;
		size_t outlen;
		zval rendered;

		ZVAL_DEREF(entry);
		tpl = template_get_str(Z_STR_P(entry), mode, &err, &nul);
		if (!tpl || php_mih_tpl_data_render(&d, tpl, jpartials, &buf, &out, &outlen, &err) != 0) {
			failed = true;
			failed_key = key;
			failed_idx = idx;
			break;
		}
		ZVAL_STRINGL(&rendered, out, outlen);
		if (key) {
			zend_hash_add_new(Z_ARRVAL_P(return_value), key, &rendered);
		} else {
			zend_hash_index_add_new(Z_ARRVAL_P(return_value), idx, &rendered);
		}
	} ZEND_HASH_FOREACH_END();
	render_buffer_keep(&buf);
	php_mih_tpl_data_destroy(&d);
	json_decref(jpartials);
	if (failed) {
		zval_ptr_dtor(return_value);
		ZVAL_NULL(return_value);
		if (nul && failed_key) {
			zend_argument_value_error(1, "template \"%.*s\" must not contain any null bytes",
				(int)MIN(ZSTR_LEN(failed_key), 60), ZSTR_VAL(failed_key));
		} else if (nul) {
			zend_argument_value_error(1, "template " ZEND_ULONG_FMT " must not contain any null bytes", failed_idx);
		} else {
			throw_template_of(failed_key, failed_idx, &err);
		}
		RETURN_THROWS();
	}
}

ZEND_METHOD(local_integrationhub_mih, check_template)
{
	zend_string *template, *mode_name = NULL;
	mih_tpl_mode mode = MIH_TPL_JSON;
	mih_tpl_error err;
	bool nul;

	ZEND_PARSE_PARAMETERS_START(1, 2)
		Z_PARAM_STR(template)
		Z_PARAM_OPTIONAL
		Z_PARAM_PATH_STR(mode_name)
	ZEND_PARSE_PARAMETERS_END();

	if (mode_name && parse_mode(mode_name, 2, &mode) != SUCCESS) {
		RETURN_THROWS();
	}
	if (!template_get_str(template, mode, &err, &nul)) {
		if (nul) {
			zend_argument_value_error(1, "must not contain any null bytes");
		} else {
			php_mih_throw_template(&err);
		}
		RETURN_THROWS();
	}
}
