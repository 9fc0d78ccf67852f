/* local_integrationhub\mih: the static API entry points for calls and
 * service definitions. */
#include "mih_private.h"

ZEND_METHOD(local_integrationhub_mih, __construct)
{
	(void)return_value;
	ZEND_PARSE_PARAMETERS_NONE();
}

/* The arguments mih::request() and mih::enqueue() share: (service, path,
 * payload, method[, options]). default_payload holds [] when none is given. */
ZEND_METHOD(local_integrationhub_mih, request)
{
	php_mih_call call;
	zval default_payload;

	if (php_mih_call_parse(execute_data, &call, &default_payload, true) != SUCCESS) {
		RETURN_THROWS();
	}
	php_mih_call_execute(&call, return_value);
	php_mih_call_release(&call);
}

ZEND_METHOD(local_integrationhub_mih, send)
{
	zend_string *service;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_PATH_STR(service)
	ZEND_PARSE_PARAMETERS_END();

	php_mih_request_create(return_value, service);
}

/* ---- service definitions -------------------------------------------- */

static void return_service(zval *return_value, const mih_service *svc)
{
	json_t *j = mih_service_to_json(svc, false);

	php_mih_json_to_zval(j, return_value);
	json_decref(j);
}

/* Fields that become part of the request head: no CR or LF. */
static const php_mih_field service_fields[] = {
	{ "base_url", PHP_MIH_FIELD_LINE },
	{ "auth_token", PHP_MIH_FIELD_LINE },
	{ "apikey_header", PHP_MIH_FIELD_LINE },
	{ "headers", PHP_MIH_FIELD_HEADERS },
	{ NULL, PHP_MIH_FIELD_TEXT }
};

ZEND_METHOD(local_integrationhub_mih, save_service)
{
	zval *definition;
	json_t *def, *name;
	mih_service base, svc;
	bool have_base = false;
	char err[256];
	mih_store *st;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_ARRAY(definition)
	ZEND_PARSE_PARAMETERS_END();

	st = php_mih_store();
	if (!st) {
		RETURN_THROWS();
	}
	def = php_mih_definition_to_json(definition, 1, service_fields);
	if (!def) {
		RETURN_THROWS();
	}
	if (json_is_array(def) && json_array_size(def) == 0) {
		json_decref(def);
		def = json_object();
	}
	name = json_object_get(def, "name");
	if (json_is_string(name)) {
		int rc = mih_store_service_get(st, json_string_value(name), &base, err, sizeof(err));
		if (rc < 0) {
			json_decref(def);
			php_mih_throw(php_mih_store_exception_ce, 0, "could not load service: %s", err);
			RETURN_THROWS();
		}
		have_base = rc == MIH_STORE_DONE;
	}
	if (mih_service_from_json(&svc, def, have_base ? &base : NULL, err, sizeof(err)) != 0) {
		json_decref(def);
		if (have_base) {
			mih_service_dispose(&base);
		}
		php_mih_throw(php_mih_invalid_definition_exception_ce, 0, "invalid service definition: %s", err);
		RETURN_THROWS();
	}
	json_decref(def);
	if (have_base) {
		mih_service_dispose(&base);
	}
	if (mih_store_service_save(st, &svc, err, sizeof(err)) != 0) {
		mih_service_dispose(&svc);
		php_mih_throw(php_mih_store_exception_ce, 0, "could not save service: %s", err);
		RETURN_THROWS();
	}
	/* Cached rules carry their service definitions. */
	php_mih_rules_changed(st);
	return_service(return_value, &svc);
	mih_service_dispose(&svc);
}

ZEND_METHOD(local_integrationhub_mih, service)
{
	zend_string *name;
	mih_service svc;
	char err[256];
	mih_store *st;
	int rc;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_PATH_STR(name)
	ZEND_PARSE_PARAMETERS_END();

	st = php_mih_store();
	if (!st) {
		RETURN_THROWS();
	}
	rc = mih_store_service_get(st, ZSTR_VAL(name), &svc, err, sizeof(err));
	if (rc == MIH_STORE_NOT_FOUND) {
		RETURN_NULL();
	}
	if (rc != 0) {
		php_mih_throw(php_mih_store_exception_ce, 0, "could not load service \"%s\": %s", ZSTR_VAL(name), err);
		RETURN_THROWS();
	}
	return_service(return_value, &svc);
	mih_service_dispose(&svc);
}

ZEND_METHOD(local_integrationhub_mih, services)
{
	mih_service *list;
	size_t count, i;
	char err[256];
	mih_store *st;

	ZEND_PARSE_PARAMETERS_NONE();

	st = php_mih_store();
	if (!st) {
		RETURN_THROWS();
	}
	if (mih_store_service_list(st, &list, &count, err, sizeof(err)) != 0) {
		php_mih_throw(php_mih_store_exception_ce, 0, "could not list services: %s", err);
		RETURN_THROWS();
	}
	array_init_size(return_value, (uint32_t)count);
	for (i = 0; i < count; i++) {
		zval item;
		return_service(&item, &list[i]);
		zend_hash_next_index_insert(Z_ARRVAL_P(return_value), &item);
	}
	mih_store_service_list_free(list, count);
}

ZEND_METHOD(local_integrationhub_mih, service_defaults)
{
	json_t *j;

	ZEND_PARSE_PARAMETERS_NONE();

	j = mih_service_defaults_json();
	php_mih_json_to_zval(j, return_value);
	json_decref(j);
}

ZEND_METHOD(local_integrationhub_mih, delete_service)
{
	zend_string *name;
	char err[256];
	mih_store *st;
	int rc;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_PATH_STR(name)
	ZEND_PARSE_PARAMETERS_END();

	st = php_mih_store();
	if (!st) {
		RETURN_THROWS();
	}
	rc = mih_store_service_delete(st, ZSTR_VAL(name), err, sizeof(err));
	if (rc < 0) {
		php_mih_throw(php_mih_store_exception_ce, 0, "could not delete service \"%s\": %s", ZSTR_VAL(name), err);
		RETURN_THROWS();
	}
	php_mih_rules_changed(st);
	RETURN_BOOL(rc == MIH_STORE_DONE);
}

ZEND_METHOD(local_integrationhub_mih, version)
{
	ZEND_PARSE_PARAMETERS_NONE();
	RETURN_STRING(PHP_MIH_VERSION);
}
