/* The store binding (embedded SQLite or Moodle's $DB) and the PHP API over
 * it: rules, the event bridge (emit), direct enqueue, the queue and DLQ
 * operations, the request log and stats. All persistence is in the store
 * core (ext/core/store.c); this file converts between PHP and C. */
#include "mih_private.h"
#include "mih_dbstore.h"
#include "store_sqlite.h"
#include "sign.h"
#include "ext/standard/php_string.h"
#include "main/php_open_temporary_file.h"

#include <unistd.h>

static void log_buffer_drop(void);

/* ---- binding --------------------------------------------------------- */

static void close_bound_db_store(void)
{
	if (MIH_G(store) && MIH_G(store_from_db)) {
		mih_store_close(MIH_G(store));
	}
	MIH_G(store) = NULL;
	MIH_G(store_from_db) = false;
}

void php_mih_store_release_request(void)
{
	php_mih_log_flush();
	close_bound_db_store();
}

void php_mih_store_release_process(void)
{
	php_mih_log_release();
	if (MIH_G(sqlite_store)) {
		mih_store_close(MIH_G(sqlite_store));
		MIH_G(sqlite_store) = NULL;
	}
	free(MIH_G(sqlite_path));
	MIH_G(sqlite_path) = NULL;
}

/* Closes the SQLite store of this process, after writing the log rows
 * buffered for it. */
static void sqlite_store_retire(void)
{
	if (MIH_G(log_buf_store) == MIH_G(sqlite_store)) {
		php_mih_log_flush();
		MIH_G(log_buf_store) = NULL;
	}
	if (MIH_G(sqlite_store)) {
		mih_store_close(MIH_G(sqlite_store));
		MIH_G(sqlite_store) = NULL;
	}
	free(MIH_G(sqlite_path));
	MIH_G(sqlite_path) = NULL;
}

/* The SQLite store of this process for path, (re)opened when the path
 * changes or after a fork (a connection must never cross fork()). An
 * explicit open (mih::use_sqlite()) of the path already open also creates
 * its file again when it was removed, as a new process would; implicit use
 * of the open store never does (see store_sqlite.h). The store open until
 * now is closed only once the new one is open: when the open fails, nothing
 * changes. */
static mih_store *sqlite_store_for(const char *path, bool explicit, char *err, size_t errlen)
{
	mih_sqlite_durability durability;
	mih_store *st;
	char *copy;

	if (MIH_G(sqlite_store) && MIH_G(sqlite_pid) == getpid() && strcmp(MIH_G(sqlite_path), path) == 0) {
		if (explicit && mih_store_sqlite_refresh(MIH_G(sqlite_store), err, errlen) != 0) {
			return NULL;
		}
		return MIH_G(sqlite_store);
	}
	if (MIH_G(sqlite_store) && MIH_G(sqlite_pid) != getpid()) {
		/* Inherited from the parent: forgotten without touching its connection
		 * (closing it here would act on the parent's database state), and the
		 * parent's buffered log rows with it. */
		if (MIH_G(log_buf_store) == MIH_G(sqlite_store)) {
			log_buffer_drop();
			MIH_G(log_buf_store) = NULL;
		}
		MIH_G(sqlite_store) = NULL;
	}
	if (mih_sqlite_durability_parse(MIH_G(store_durability), &durability, err, errlen) != 0) {
		return NULL;
	}
	if (php_mih_secrets_check(err, errlen) != 0) {
		return NULL;
	}
	copy = strdup(path);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (mih_store_sqlite_open(path, durability, &st, err, errlen) != 0) {
		free(copy);
		return NULL;
	}
	php_mih_secrets_attach(st);
	sqlite_store_retire();
	MIH_G(sqlite_store) = st;
	MIH_G(sqlite_path) = copy;
	MIH_G(sqlite_pid) = getpid();
	return st;
}

static void default_store_path(char *out, size_t outlen)
{
	if (MIH_G(store_path) && *MIH_G(store_path)) {
		snprintf(out, outlen, "%s", MIH_G(store_path));
	} else {
		/* Development default: a per-user file in the system temp dir. */
		snprintf(out, outlen, "%s/mih-%u.sqlite", php_get_temporary_directory(), (unsigned)getuid());
	}
}

mih_store *php_mih_store(void)
{
	char err[512], path[MAXPATHLEN];
	bool bound_file;
	mih_store *st;

	if (MIH_G(store) && (MIH_G(store_from_db) || MIH_G(sqlite_pid) == getpid())) {
		return MIH_G(store);
	}
	/* A file bound with use_sqlite() and inherited over fork() is opened
	 * again in this process: the same file, never the default one instead. */
	bound_file = MIH_G(store) && MIH_G(sqlite_path);
	if (bound_file) {
		snprintf(path, sizeof(path), "%s", MIH_G(sqlite_path));
	} else {
		default_store_path(path, sizeof(path));
	}
	st = sqlite_store_for(path, false, err, sizeof(err));
	if (!st) {
		php_mih_throw(php_mih_store_exception_ce, 0, "could not open the store: %s", err);
		return NULL;
	}
	if (bound_file) {
		MIH_G(store) = st;
	}
	return st;
}

void php_mih_store_throw(const char *what, const char *err)
{
	php_mih_throw(php_mih_store_exception_ce, 0, "%s: %s", what, err);
}

ZEND_METHOD(local_integrationhub_mih, use_sqlite)
{
	zend_string *path;
	char err[512];
	mih_store *st;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_PATH_STR(path)
	ZEND_PARSE_PARAMETERS_END();

	if (ZSTR_LEN(path) == 0) {
		zend_argument_value_error(1, "must not be empty");
		RETURN_THROWS();
	}
	st = sqlite_store_for(ZSTR_VAL(path), true, err, sizeof(err));
	if (!st) {
		php_mih_throw(php_mih_store_exception_ce, 0, "could not open the store: %s", err);
		RETURN_THROWS();
	}
	php_mih_log_flush();
	close_bound_db_store();
	MIH_G(store) = st;
}

ZEND_METHOD(local_integrationhub_mih, use_db)
{
	zval *db;
	char err[512];
	mih_store *st;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_OBJECT(db)
	ZEND_PARSE_PARAMETERS_END();

	if (php_mih_secrets_check(err, sizeof(err)) != 0 || php_mih_dbstore_open(db, &st, err, sizeof(err)) != 0) {
		if (!EG(exception)) {
			php_mih_throw(php_mih_store_exception_ce, 0, "could not use the database: %s", err);
		}
		RETURN_THROWS();
	}
	php_mih_secrets_attach(st);
	php_mih_log_flush();
	close_bound_db_store();
	MIH_G(store) = st;
	MIH_G(store_from_db) = true;
}

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

/* ---- the request log --------------------------------------------------- */

#define LOG_PRUNE_EVERY 500
#define LOG_BUFFER_ROWS 32

static void maybe_prune(mih_store *st, size_t added)
{
	char err[256];
	long deleted;

	MIH_G(log_appends) += (zend_long)added;
	if (MIH_G(log_appends) >= LOG_PRUNE_EVERY) {
		MIH_G(log_appends) = 0;
		mih_store_log_prune(st, (long)MIH_G(log_max_rows), (long)MIH_G(log_max_age), &deleted, err, sizeof(err));
	}
}

void php_mih_log_append(mih_store *st, const mih_store_log_row *row)
{
	char err[256];

	if (!st) {
		return;
	}
	/* The log is diagnostics: a failed write must not fail the call. */
	if (mih_store_log_append(st, row, err, sizeof(err)) != 0) {
		php_error_docref(NULL, E_NOTICE, "mih: could not write the request log: %s", err);
		return;
	}
	maybe_prune(st, 1);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void log_buffer_drop(void)
{
	size_t i;

	for (i = 0; i < MIH_G(log_buf_count); i++) {
		mih_store_log_row_dispose(&MIH_G(log_buf)[i]);
	}
	MIH_G(log_buf_count) = 0;
}

void php_mih_log_flush(void)
{
	char err[256];
	mih_store *st = MIH_G(log_buf_store);

	if (MIH_G(log_buf_count) == 0) {
		return;
	}
	if (st && mih_store_log_append_many(st, MIH_G(log_buf), MIH_G(log_buf_count), err, sizeof(err)) != 0) {
		php_error_docref(NULL, E_NOTICE, "mih: could not write the request log: %s", err);
	} else if (st) {
		maybe_prune(st, MIH_G(log_buf_count));
	}
	log_buffer_drop();
}

/* Rows of synchronous calls on the embedded store are written in batches
 * (one relaxed transaction per LOG_BUFFER_ROWS calls, and before any read of
 * the log, a store change or the end of the request); a crash loses at most
 * that many diagnostic rows. On Moodle's $DB each row is written at once, in
 * the caller's transaction. */
void php_mih_log_buffer(mih_store *st, const mih_store_log_row *row)
{
	mih_store_log_row *copy;

	if (!st || (MIH_G(store_from_db) && st == MIH_G(store))) {
		php_mih_log_append(st, row);
		return;
	}
	if (MIH_G(log_buf_store) != st) {
		php_mih_log_flush();
		MIH_G(log_buf_store) = st;
	}
	if (!MIH_G(log_buf)) {
		MIH_G(log_buf) = calloc(LOG_BUFFER_ROWS, sizeof(mih_store_log_row));
		if (!MIH_G(log_buf)) {
			php_mih_log_append(st, row);
			return;
		}
	}
	copy = &MIH_G(log_buf)[MIH_G(log_buf_count)++];
	*copy = *row;
	copy->servicename = dup_or_null(row->servicename);
	copy->endpoint = dup_or_null(row->endpoint);
	copy->http_method = dup_or_null(row->http_method);
	copy->eventname = dup_or_null(row->eventname);
	copy->error_message = dup_or_null(row->error_message);
	copy->direction = dup_or_null(row->direction);
	if (copy->timecreated == 0) {
		copy->timecreated = mih_store_now(st);
	}
	if (MIH_G(log_buf_count) == LOG_BUFFER_ROWS) {
		php_mih_log_flush();
	}
}

void php_mih_log_release(void)
{
	php_mih_log_flush();
	free(MIH_G(log_buf));
	MIH_G(log_buf) = NULL;
	MIH_G(log_buf_store) = NULL;
}
