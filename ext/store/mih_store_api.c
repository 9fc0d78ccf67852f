/* The PHP API over the store: rules, the helpers the queue, DLQ and log
 * views share (filters, masked headers, service ids), and re-sealing the
 * secrets. Which store it works on is the binding's (ext/state/
 * mih_store_bind.c); all persistence is in the store core
 * (ext/core/store/); this file converts between PHP and C. */
#include "mih_private.h"
#include "sign.h"
#include "ext/standard/php_string.h"

/* ---- small helpers ------------------------------------------------------ */

static void add_str_or_null(zval *arr, const char *key, const char *value)
{
	if (value) {
		add_assoc_string(arr, key, value);
	} else {
		add_assoc_null(arr, key);
	}
}

/* A headers column (JSON object text) as a PHP array with the credentials
 * masked (mih_header_is_sensitive); [] for none. */
void php_mih_add_masked_headers(zval *arr, const char *key, const char *text)
{
	json_t *j = text && *text ? json_loads(text, 0, NULL) : NULL;
	json_t *masked = mih_headers_masked(j);
	zval v;

	if (masked) {
		php_mih_json_to_zval(masked, &v);
		json_decref(masked);
	}
	if (!masked || Z_TYPE(v) != IS_ARRAY) {
		if (masked) {
			zval_ptr_dtor(&v);
		}
		array_init(&v);
	}
	json_decref(j);
	add_assoc_zval(arr, key, &v);
}

/* The id of the service named name; 0 when there is none (thrown as
 * service_not_found when throw_missing), -1 with a store_exception thrown. */
static int64_t service_id_by_name(mih_store *st, const char *name, bool throw_missing)
{
	mih_service svc;
	char err[256];
	int rc = mih_store_service_get(st, name, &svc, err, sizeof(err));
	int64_t id;

	if (rc < 0) {
		php_mih_store_throw("could not load service", err);
		return -1;
	}
	if (rc == MIH_STORE_NOT_FOUND) {
		if (throw_missing) {
			php_mih_throw(php_mih_service_not_found_exception_ce, 0, "service \"%s\" is not defined", name);
			return -1;
		}
		return 0;
	}
	id = svc.id;
	mih_service_dispose(&svc);
	return id;
}

int64_t php_mih_service_id(mih_store *st, const char *name)
{
	return service_id_by_name(st, name, false);
}

/* ---- rules ------------------------------------------------------------- */

#define RULE_ENDPOINT_MAX 1333

static void rule_to_zval(zval *out, const mih_store_rule *r)
{
	array_init(out);
	add_assoc_long(out, "id", (zend_long)r->id);
	add_str_or_null(out, "eventname", r->eventname);
	add_str_or_null(out, "service", r->service);
	add_str_or_null(out, "endpoint", r->endpoint);
	add_str_or_null(out, "method", r->http_method && *r->http_method ? r->http_method : NULL);
	add_assoc_string(out, "payload_template", r->payload_template ? r->payload_template : "");
	php_mih_add_masked_headers(out, "headers", r->headers);
	add_assoc_bool(out, "enabled", r->enabled);
	add_assoc_long(out, "timecreated", (zend_long)r->timecreated);
	add_assoc_long(out, "timemodified", (zend_long)r->timemodified);
}

/* Moodle names events "\component\event\name"; the leading backslash is
 * added when missing so both spellings match. */
zend_string *php_mih_normalise_eventname(const char *name, size_t len, char *err, size_t errlen)
{
	size_t i, backslashes = 0;
	const char *p = name;

	if (len > 0 && name[0] == '\\') {
		p++;
		len--;
	}
	if (len == 0 || len > 250) {
		snprintf(err, errlen, "must be a Moodle event class name such as \\core\\event\\user_loggedin");
		return NULL;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\\') {
			if (i == 0 || p[i - 1] == '\\' || i == len - 1) {
				break;
			}
			backslashes++;
		} else if (!(isalnum(c) || c == '_')) {
			break;
		}
	}
	if (i != len || backslashes < 2) {
		snprintf(err, errlen, "\"%.*s\" is not a Moodle event class name such as \\core\\event\\user_loggedin",
			(int)MIN(len, 100), p);
		return NULL;
	}
	return zend_string_concat2("\\", 1, p, len);
}

static zend_result rule_field_string(json_t *v, const char *field, const char **out)
{
	if (!json_is_string(v)) {
		php_mih_throw(php_mih_invalid_definition_exception_ce, 0, "invalid rule: field \"%s\" must be a string", field);
		return FAILURE;
	}
	*out = json_string_value(v);
	return SUCCESS;
}

static zend_result check_rule_template(const char *src, mih_tpl_mode mode, const char *field)
{
	mih_tpl_error terr;

	if (!php_mih_template_get(src, strlen(src), mode, &terr)) {
		php_mih_throw(php_mih_invalid_definition_exception_ce, 0,
			"invalid rule: field \"%s\": %s at line %u, column %u", field, terr.message, terr.line, terr.column);
		return FAILURE;
	}
	return SUCCESS;
}

/* The headers to store as JSON text: given, with every masked credential
 * sent back unchanged replaced by the stored value (stored_text may be NULL). */
static char *rule_headers_text(const json_t *given, const char *stored_text)
{
	json_t *copy = json_deep_copy(given);
	json_t *stored = stored_text ? json_loads(stored_text, 0, NULL) : NULL;
	char *text;

	mih_headers_keep_masked(copy, stored);
	text = copy ? json_dumps(copy, JSON_COMPACT) : NULL;
	json_decref(copy);
	json_decref(stored);
	return text;
}

/* Fills rule from def over its current values; validates everything. */
static zend_result rule_from_json(mih_store *st, json_t *def, mih_store_rule *rule)
{
	const char *key, *s;
	json_t *v;
	char err[256];

	json_object_foreach(def, key, v) {
		if (strcmp(key, "eventname") == 0) {
			zend_string *norm;
			if (rule_field_string(v, key, &s) != SUCCESS) {
				return FAILURE;
			}
			norm = php_mih_normalise_eventname(s, strlen(s), err, sizeof(err));
			if (!norm) {
				php_mih_throw(php_mih_invalid_definition_exception_ce, 0, "invalid rule: field \"eventname\" %s", err);
				return FAILURE;
			}
			free(rule->eventname);
			rule->eventname = strdup(ZSTR_VAL(norm));
			zend_string_release(norm);
		} else if (strcmp(key, "service") == 0) {
			int64_t id;
			if (rule_field_string(v, key, &s) != SUCCESS) {
				return FAILURE;
			}
			id = service_id_by_name(st, s, false);
			if (id < 0) {
				return FAILURE;
			}
			if (id == 0) {
				php_mih_throw(php_mih_invalid_definition_exception_ce, 0,
					"invalid rule: field \"service\": service \"%s\" is not defined", s);
				return FAILURE;
			}
			rule->serviceid = id;
		} else if (strcmp(key, "endpoint") == 0) {
			if (rule_field_string(v, key, &s) != SUCCESS) {
				return FAILURE;
			}
			if (strlen(s) > RULE_ENDPOINT_MAX) {
				php_mih_throw(php_mih_invalid_definition_exception_ce, 0,
					"invalid rule: field \"endpoint\" is longer than %d bytes", RULE_ENDPOINT_MAX);
				return FAILURE;
			}
			free(rule->endpoint);
			rule->endpoint = strdup(s);
		} else if (strcmp(key, "method") == 0) {
			const char *canon = NULL;
			if (!json_is_null(v)) {
				if (rule_field_string(v, key, &s) != SUCCESS) {
					return FAILURE;
				}
				canon = mih_method_canonical(s, strlen(s));
				if (!canon && *s) {
					php_mih_throw(php_mih_invalid_definition_exception_ce, 0,
						"invalid rule: field \"method\" must be one of GET, POST, PUT, PATCH, DELETE, HEAD");
					return FAILURE;
				}
			}
			free(rule->http_method);
			rule->http_method = canon ? strdup(canon) : NULL;
		} else if (strcmp(key, "payload_template") == 0) {
			if (json_is_null(v)) {
				s = "";
			} else if (rule_field_string(v, key, &s) != SUCCESS) {
				return FAILURE;
			}
			free(rule->payload_template);
			rule->payload_template = strdup(s);
			if (rule->payload_template) {
				mih_tpl_normalise_newlines(rule->payload_template, strlen(rule->payload_template));
			}
		} else if (strcmp(key, "headers") == 0) {
			const char *name;
			json_t *hv;
			char *text;
			if (json_is_array(v) && json_array_size(v) == 0) {
				free(rule->headers);
				rule->headers = NULL;
				continue;
			}
			if (!json_is_object(v)) {
				php_mih_throw(php_mih_invalid_definition_exception_ce, 0,
					"invalid rule: field \"headers\" must be an array of name => value");
				return FAILURE;
			}
			json_object_foreach(v, name, hv) {
				if (!json_is_string(hv) || php_mih_check_header_silent(name, strlen(name),
						json_string_value(hv), json_string_length(hv)) != SUCCESS) {
					php_mih_throw(php_mih_invalid_definition_exception_ce, 0,
						"invalid rule: field \"headers\" has an invalid header \"%.64s\" (a token name and a string value without CR or LF)", name);
					return FAILURE;
				}
			}
			text = rule_headers_text(v, rule->headers);
			free(rule->headers);
			rule->headers = text;
		} else if (strcmp(key, "enabled") == 0) {
			if (json_is_boolean(v)) {
				rule->enabled = json_is_true(v);
			} else if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
				rule->enabled = json_integer_value(v) == 1;
			} else if (json_is_string(v) && (strcmp(json_string_value(v), "0") == 0 || strcmp(json_string_value(v), "1") == 0)) {
				rule->enabled = json_string_value(v)[0] == '1';
			} else {
				php_mih_throw(php_mih_invalid_definition_exception_ce, 0, "invalid rule: field \"enabled\" must be a boolean");
				return FAILURE;
			}
		} else if (strcmp(key, "id") == 0 || strcmp(key, "timecreated") == 0 || strcmp(key, "timemodified") == 0) {
			continue;
		} else {
			php_mih_throw(php_mih_invalid_definition_exception_ce, 0, "invalid rule: unknown field \"%.64s\"", key);
			return FAILURE;
		}
	}
	if (!rule->eventname) {
		php_mih_throw(php_mih_invalid_definition_exception_ce, 0, "invalid rule: field \"eventname\" is required");
		return FAILURE;
	}
	if (rule->serviceid == 0) {
		php_mih_throw(php_mih_invalid_definition_exception_ce, 0, "invalid rule: field \"service\" is required");
		return FAILURE;
	}
	if (!rule->http_method) {
		/* The rule's method defaults to its service's. */
		mih_service svc;
		if (mih_store_service_get_by_id(st, rule->serviceid, &svc, err, sizeof(err)) != MIH_STORE_DONE) {
			php_mih_store_throw("could not load the rule's service", err);
			return FAILURE;
		}
		rule->http_method = strdup(svc.method);
		mih_service_dispose(&svc);
	}
	if (!rule->endpoint) {
		rule->endpoint = strdup("/");
	}
	if (!rule->payload_template) {
		rule->payload_template = strdup("");
	}
	if (check_rule_template(rule->endpoint, MIH_TPL_URL, "endpoint") != SUCCESS) {
		return FAILURE;
	}
	if (*rule->payload_template && check_rule_template(rule->payload_template, MIH_TPL_JSON, "payload_template") != SUCCESS) {
		return FAILURE;
	}
	return SUCCESS;
}

/* Fields that become part of the request head: no CR or LF. */
static const php_mih_field rule_fields[] = {
	{ "endpoint", PHP_MIH_FIELD_LINE },
	{ "headers", PHP_MIH_FIELD_HEADERS },
	{ NULL, PHP_MIH_FIELD_TEXT }
};

ZEND_METHOD(local_integrationhub_mih, save_rule)
{
	zval *zrule;
	json_t *def, *jid;
	mih_store_rule rule;
	mih_store *st;
	char err[256];
	int rc;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_ARRAY(zrule)
	ZEND_PARSE_PARAMETERS_END();

	st = php_mih_store();
	if (!st) {
		RETURN_THROWS();
	}
	def = php_mih_definition_to_json(zrule, 1, rule_fields);
	if (!def) {
		RETURN_THROWS();
	}
	if (json_is_array(def)) {
		json_decref(def);
		zend_argument_value_error(1, "must be an array of field => value");
		RETURN_THROWS();
	}
	memset(&rule, 0, sizeof(rule));
	rule.enabled = true;
	jid = json_object_get(def, "id");
	if (jid && !json_is_null(jid) && !(json_is_integer(jid) && json_integer_value(jid) == 0)) {
		if (!json_is_integer(jid)) {
			json_decref(def);
			php_mih_throw(php_mih_invalid_definition_exception_ce, 0, "invalid rule: field \"id\" must be an integer");
			RETURN_THROWS();
		}
		rc = mih_store_rule_get(st, json_integer_value(jid), &rule, err, sizeof(err));
		if (rc < 0) {
			json_decref(def);
			php_mih_store_throw("could not load rule", err);
			RETURN_THROWS();
		}
		if (rc == MIH_STORE_NOT_FOUND) {
			long long missing = (long long)json_integer_value(jid);
			json_decref(def);
			php_mih_throw(php_mih_invalid_definition_exception_ce, 0, "invalid rule: there is no rule with id %lld",
				missing);
			RETURN_THROWS();
		}
	}
	if (rule_from_json(st, def, &rule) != SUCCESS) {
		json_decref(def);
		mih_store_rule_dispose(&rule);
		RETURN_THROWS();
	}
	json_decref(def);
	if (mih_store_rule_save(st, &rule, err, sizeof(err)) != 0) {
		mih_store_rule_dispose(&rule);
		php_mih_store_throw("could not save rule", err);
		RETURN_THROWS();
	}
	php_mih_rules_changed(st);
	{
		int64_t saved_id = rule.id;
		mih_store_rule_dispose(&rule);
		memset(&rule, 0, sizeof(rule));
		rc = mih_store_rule_get(st, saved_id, &rule, err, sizeof(err));
	}
	if (rc != 0) {
		mih_store_rule_dispose(&rule);
		php_mih_store_throw("could not read the saved rule back", rc < 0 ? err : "not found");
		RETURN_THROWS();
	}
	rule_to_zval(return_value, &rule);
	mih_store_rule_dispose(&rule);
}

ZEND_METHOD(local_integrationhub_mih, rule)
{
	zend_long id;
	mih_store_rule rule;
	mih_store *st;
	char err[256];
	int rc;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_LONG(id)
	ZEND_PARSE_PARAMETERS_END();

	st = php_mih_store();
	if (!st) {
		RETURN_THROWS();
	}
	memset(&rule, 0, sizeof(rule));
	rc = mih_store_rule_get(st, (int64_t)id, &rule, err, sizeof(err));
	if (rc < 0) {
		php_mih_store_throw("could not load rule", err);
		RETURN_THROWS();
	}
	if (rc == MIH_STORE_NOT_FOUND) {
		RETURN_NULL();
	}
	rule_to_zval(return_value, &rule);
	mih_store_rule_dispose(&rule);
}

ZEND_METHOD(local_integrationhub_mih, rules)
{
	HashTable *filter = NULL;
	static const char *const known[] = { "eventname", "service", "enabled", NULL };
	mih_store_rule_filter f = { NULL, 0, -1 };
	zend_string *eventname = NULL, *service = NULL, *norm = NULL;
	mih_store_rule *list;
	size_t count, i;
	mih_store *st;
	char err[256];

	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_ARRAY_HT(filter)
	ZEND_PARSE_PARAMETERS_END();

	if (filter) {
		zval *en;
		if (php_mih_check_filter_keys(filter, 1, known, "eventname, service, enabled") != SUCCESS
				|| php_mih_filter_string(filter, "eventname", 1, &eventname) != SUCCESS
				|| php_mih_filter_string(filter, "service", 1, &service) != SUCCESS) {
			RETURN_THROWS();
		}
		en = zend_hash_str_find(filter, ZEND_STRL("enabled"));
		if (en) {
			if (Z_TYPE_P(en) != IS_TRUE && Z_TYPE_P(en) != IS_FALSE) {
				zend_argument_type_error(1, "filter \"enabled\" must be of type bool, %s given", zend_zval_type_name(en));
				RETURN_THROWS();
			}
			f.enabled = Z_TYPE_P(en) == IS_TRUE;
		}
	}
	st = php_mih_store();
	if (!st) {
		RETURN_THROWS();
	}
	if (eventname) {
		norm = php_mih_normalise_eventname(ZSTR_VAL(eventname), ZSTR_LEN(eventname), err, sizeof(err));
		if (!norm) {
			zend_argument_value_error(1, "filter \"eventname\" %s", err);
			RETURN_THROWS();
		}
		f.eventname = ZSTR_VAL(norm);
	}
	if (service) {
		int64_t id = service_id_by_name(st, ZSTR_VAL(service), false);
		if (id < 0) {
			if (norm) {
				zend_string_release(norm);
			}
			RETURN_THROWS();
		}
		if (id == 0) {
			if (norm) {
				zend_string_release(norm);
			}
			RETURN_EMPTY_ARRAY();
		}
		f.serviceid = id;
	}
	if (mih_store_rule_list(st, &f, &list, &count, err, sizeof(err)) != 0) {
		if (norm) {
			zend_string_release(norm);
		}
		php_mih_store_throw("could not list rules", err);
		RETURN_THROWS();
	}
	if (norm) {
		zend_string_release(norm);
	}
	array_init_size(return_value, (uint32_t)count);
	for (i = 0; i < count; i++) {
		zval item;
		rule_to_zval(&item, &list[i]);
		zend_hash_next_index_insert(Z_ARRVAL_P(return_value), &item);
	}
	mih_store_rule_list_free(list, count);
}

ZEND_METHOD(local_integrationhub_mih, delete_rule)
{
	zend_long id;
	mih_store *st;
	char err[256];
	int rc;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_LONG(id)
	ZEND_PARSE_PARAMETERS_END();

	st = php_mih_store();
	if (!st) {
		RETURN_THROWS();
	}
	rc = mih_store_rule_delete(st, (int64_t)id, err, sizeof(err));
	if (rc < 0) {
		php_mih_store_throw("could not delete rule", err);
		RETURN_THROWS();
	}
	php_mih_rules_changed(st);
	RETURN_BOOL(rc == MIH_STORE_DONE);
}

/* ---- secrets at rest ---------------------------------------------------- */

ZEND_METHOD(local_integrationhub_mih, rotate_secrets)
{
	char err[512];
	mih_store *st;
	long count;

	ZEND_PARSE_PARAMETERS_NONE();

	st = php_mih_store();
	if (!st) {
		RETURN_THROWS();
	}
	if (mih_store_reseal(st, &count, err, sizeof(err)) != 0) {
		php_mih_store_throw("could not re-encrypt the secrets", err);
		RETURN_THROWS();
	}
	RETURN_LONG((zend_long)count);
}
