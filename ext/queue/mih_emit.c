/* The event bridge (mih::emit, mih::has_rules) and direct enqueue
 * (mih::enqueue, mih_request::queue). Matching rules and their services are
 * cached per process so an event with no rule costs no store query, and
 * the tasks of one event are queued in one statement where the store can.
 *
 * Why this file is long: it is one path, from an event's matching rules to
 * its queued bytes (rendering, the GET query string, the write in as few
 * statements as the store allows), and direct enqueue builds its task the
 * same way. */
#include "mih_private.h"
#include "clock.h"
#include "ext/standard/php_http.h"
#include "ext/standard/url.h"

#include <time.h>

static const mih_service *cached_service(const php_mih_rules_cache *c, int64_t id)
{
	size_t i;

	for (i = 0; i < c->nservices; i++) {
		if (c->services[i].id == id) {
			return &c->services[i];
		}
	}
	return NULL;
}

static int load_rules(mih_store *st, php_mih_rules_cache *c, char *err, size_t errlen)
{
	mih_store_rule_filter f = { NULL, 0, 1 };
	size_t i;

	if (mih_store_rules_version(st, &c->version, err, errlen) != 0
			|| mih_store_rule_list(st, &f, &c->rules, &c->count, err, errlen) != 0) {
		return -1;
	}
	c->services = c->count ? calloc(c->count, sizeof(mih_service)) : NULL;
	for (i = 0; i < c->count; i++) {
		int rc;
		if (cached_service(c, c->rules[i].serviceid)) {
			continue;
		}
		rc = mih_store_service_get_by_id(st, c->rules[i].serviceid, &c->services[c->nservices], err, errlen);
		if (rc < 0) {
			return -1;
		}
		if (rc == MIH_STORE_DONE) {
			c->nservices++;
		}
	}
	return 0;
}

/* The cached rules, reloaded when this process changed them, when another
 * process of this host did (host-wide counter), or after mih.rules_ttl
 * seconds when the store's rules version moved (another host). */
static php_mih_rules_cache *rules_for(mih_store *st, char *err, size_t errlen)
{
	php_mih_rules_cache *c = MIH_G(rules_cache);
	const char *identity = mih_store_identity(st);
	uint64_t host_version = php_mih_host_version(identity);
	double now = mih_clock_monotonic_s();

	if (c && strcmp(c->identity, identity) == 0 && c->host_version == host_version) {
		if (now - c->checked_at < (double)MIH_G(rules_ttl)) {
			return c;
		}
		{
			int64_t version;
			if (mih_store_rules_version(st, &version, err, errlen) != 0) {
				return NULL;
			}
			if (version == c->version) {
				c->checked_at = now;
				return c;
			}
		}
	}
	php_mih_rules_cache_clear();
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->identity = strdup(identity);
	c->host_version = host_version;
	c->checked_at = now;
	MIH_G(rules_cache) = c;
	if (load_rules(st, c, err, errlen) != 0) {
		php_mih_rules_cache_clear();
		return NULL;
	}
	return c;
}

/* ---- building a task ----------------------------------------------------- */

/* For GET and HEAD the payload travels in the query string. */
static char *append_query(const char *endpoint, const char *query, size_t qlen)
{
	size_t elen = strlen(endpoint);
	char *out;

	if (qlen == 0) {
		return strdup(endpoint);
	}
	out = malloc(elen + 1 + qlen + 1);
	if (!out) {
		return NULL;
	}
	memcpy(out, endpoint, elen);
	out[elen] = strchr(endpoint, '?') ? '&' : '?';
	memcpy(out + elen + 1, query, qlen);
	out[elen + 1 + qlen] = '\0';
	return out;
}

/* A rendered JSON payload as a query string: the same encoding a PHP array
 * payload gets on a synchronous GET. */
static void json_payload_to_query(const char *payload, size_t len, smart_str *query)
{
	zval decoded;

	if (php_json_decode_ex(&decoded, payload, len, PHP_JSON_OBJECT_AS_ARRAY, PHP_JSON_PARSER_DEFAULT_DEPTH) == SUCCESS
			&& Z_TYPE(decoded) == IS_ARRAY) {
		php_mih_build_query(&decoded, query);
	} else if (len) {
		smart_str_appendl(query, payload, len);
	}
	zval_ptr_dtor(&decoded);
	if (EG(exception)) {
		zend_clear_exception();
	}
}

/* For GET and HEAD the payload moves into the endpoint's query string. */
static int task_query_fixup(mih_store_task *task, char *err, size_t errlen)
{
	if (!php_mih_method_has_body(task->http_method) && task->payload_len) {
		smart_str query = {0};
		char *endpoint;
		json_payload_to_query(task->payload, task->payload_len, &query);
		endpoint = append_query(task->endpoint, query.s ? ZSTR_VAL(query.s) : "", query.s ? ZSTR_LEN(query.s) : 0);
		smart_str_free(&query);
		if (!endpoint) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		free(task->endpoint);
		task->endpoint = endpoint;
		free(task->payload);
		task->payload = strdup("");
		task->payload_len = 0;
	}
	return 0;
}

static int enqueue_task(mih_store *st, mih_store_task *task, char *err, size_t errlen)
{
	if (task_query_fixup(task, err, errlen) != 0) {
		return -1;
	}
	return mih_store_enqueue(st, task, err, errlen);
}


static char *dup_bytes(const char *s, size_t len)
{
	char *out = malloc(len + 1);

	if (out) {
		memcpy(out, s, len);
		out[len] = '\0';
	}
	return out;
}

/* Renders one template over the event data: 0 with a malloc'd copy in *out,
 * or -1 with terr filled. */
static int render_copy(php_mih_tpl_data *d, mih_tpl_buffer *buf, const char *src, mih_tpl_mode mode,
	char **out, size_t *outlen, mih_tpl_error *terr)
{
	const mih_tpl *tpl = php_mih_template_get(src, strlen(src), mode, terr);
	const char *text;

	if (!tpl || php_mih_tpl_data_render(d, tpl, NULL, buf, &text, outlen, terr) != 0) {
		return -1;
	}
	*out = dup_bytes(text, *outlen);
	if (!*out) {
		snprintf(terr->message, sizeof(terr->message), "out of memory");
		terr->line = terr->column = 1;
		return -1;
	}
	return 0;
}

/* Renders one rule over the event into task; on a template error fills
 * tpl_error and returns -1 (the task then goes to the DLQ). */
static int render_rule(const mih_store_rule *rule, php_mih_tpl_data *d, mih_tpl_buffer *buf,
	const char *eventdata, size_t eventdata_len, mih_store_task *task, char *tpl_error, size_t tpl_errlen)
{
	mih_tpl_error terr;
	size_t outlen = 0;

	if (render_copy(d, buf, rule->endpoint, MIH_TPL_URL, &task->endpoint, &outlen, &terr) != 0) {
		snprintf(tpl_error, tpl_errlen, "endpoint template: %s at line %u, column %u", terr.message, terr.line, terr.column);
		task->endpoint = strdup(rule->endpoint);
		task->payload = dup_bytes(eventdata, eventdata_len);
		task->payload_len = eventdata_len;
		return -1;
	}
	if (!rule->payload_template || !*rule->payload_template) {
		task->payload = dup_bytes(eventdata, eventdata_len);
		task->payload_len = eventdata_len;
		return 0;
	}
	if (render_copy(d, buf, rule->payload_template, MIH_TPL_JSON, &task->payload, &task->payload_len,
			&terr) != 0) {
		snprintf(tpl_error, tpl_errlen, "payload template: %s at line %u, column %u", terr.message, terr.line, terr.column);
		task->payload = strdup("");
		task->payload_len = 0;
		return -1;
	}
	return 0;
}

static zend_result emit_options(HashTable *options, zend_string **dedupe_key)
{
	zend_string *key;
	zval *v;

	ZEND_HASH_FOREACH_STR_KEY_VAL(options, key, v) {
		if (key && zend_string_equals_literal(key, "dedupe_key")) {
			if (Z_TYPE_P(v) != IS_STRING) {
				zend_argument_type_error(3, "option \"dedupe_key\" must be of type string, %s given", zend_zval_type_name(v));
				return FAILURE;
			}
			if (Z_STRLEN_P(v) == 0 || Z_STRLEN_P(v) > MIH_STORE_DEDUPE_KEY_MAX) {
				zend_argument_value_error(3, "option \"dedupe_key\" must be 1 to %d bytes long", MIH_STORE_DEDUPE_KEY_MAX);
				return FAILURE;
			}
			if (php_mih_check_no_nul_in(Z_STRVAL_P(v), Z_STRLEN_P(v), 3, "option \"dedupe_key\"") != SUCCESS) {
				return FAILURE;
			}
			*dedupe_key = Z_STR_P(v);
		} else {
			zend_argument_value_error(3, "contains unknown option \"%s\" (known: dedupe_key)", key ? ZSTR_VAL(key) : "(numeric key)");
			return FAILURE;
		}
	} ZEND_HASH_FOREACH_END();
	return SUCCESS;
}

/* Whom and where the event is about, for the privacy API: Moodle's userid,
 * relateduserid and contextid, read from what json_encode sees of the data
 * (so the same as in the stored event data). A positive integer or a string
 * of digits; anything else links nothing. */
typedef struct {
	int64_t userid, relateduserid, contextid;
} event_links;

static int64_t event_link(HashTable *ht, const char *key, size_t len)
{
	zval *v = zend_hash_str_find_deref(ht, key, len);

	if (v && Z_TYPE_P(v) == IS_LONG) {
		return Z_LVAL_P(v) > 0 ? (int64_t)Z_LVAL_P(v) : 0;
	}
	if (v && Z_TYPE_P(v) == IS_STRING) {
		return mih_store_privacy_ref_text(Z_STRVAL_P(v), Z_STRLEN_P(v));
	}
	return 0;
}

static void read_event_links(zval *data, event_links *links)
{
	HashTable *ht = Z_TYPE_P(data) == IS_ARRAY ? Z_ARRVAL_P(data)
		: zend_get_properties_for(data, ZEND_PROP_PURPOSE_JSON);

	memset(links, 0, sizeof(*links));
	if (!ht) {
		return;
	}
	links->userid = event_link(ht, ZEND_STRL("userid"));
	links->relateduserid = event_link(ht, ZEND_STRL("relateduserid"));
	links->contextid = event_link(ht, ZEND_STRL("contextid"));
	if (Z_TYPE_P(data) == IS_OBJECT) {
		zend_release_properties(ht);
	}
}

/* A matching rule's task, rendered before the store is touched: the store
 * may call PHP code (Moodle's $DB), which must not run while templates read
 * the event data in place. */
typedef struct {
	mih_store_task task;
	bool render_failed;
	char tpl_error[400];
} prepared_task;

static void prepare_rule(const php_mih_rules_cache *c, const mih_store_rule *rule, const char *eventname,
	const event_links *links, php_mih_tpl_data *d, mih_tpl_buffer *buf, smart_str *eventdata, prepared_task *p)
{
	const mih_service *svc = cached_service(c, rule->serviceid);
	mih_store_task *task = &p->task;

	memset(task, 0, sizeof(*task));
	task->userid = links->userid;
	task->relateduserid = links->relateduserid;
	task->contextid = links->contextid;
	task->ruleid = rule->id;
	task->serviceid = rule->serviceid;
	task->eventname = strdup(eventname);
	task->http_method = strdup(rule->http_method && *rule->http_method ? rule->http_method : (svc ? svc->method : "POST"));
	task->headers = rule->headers ? strdup(rule->headers) : NULL;
	task->eventdata = dup_bytes(ZSTR_VAL(eventdata->s), ZSTR_LEN(eventdata->s));
	p->render_failed = render_rule(rule, d, buf, ZSTR_VAL(eventdata->s), ZSTR_LEN(eventdata->s), task,
		p->tpl_error, sizeof(p->tpl_error)) != 0;
}

/* Queues a prepared task, or puts it in the DLQ when its templates failed:
 * the task id, 0 for the DLQ, -1 (exception thrown) on a store error. */
static zend_long store_prepared(mih_store *st, prepared_task *p)
{
	char err[512];
	int64_t dead_id = 0;

	if (p->render_failed) {
		/* Nothing is lost: the admin sees the event and why in the DLQ. */
		if (mih_store_to_dlq(st, &p->task, 0, 0, p->tpl_error, NULL, 0, &dead_id, err, sizeof(err)) != 0) {
			php_mih_store_throw("could not record a template failure in the DLQ", err);
			return -1;
		}
		return 0;
	}
	if (enqueue_task(st, &p->task, err, sizeof(err)) != 0) {
		php_mih_store_throw("could not queue the event", err);
		return -1;
	}
	return (zend_long)p->task.id;
}

/* Every prepared task rendered: one multi-row insert where the store can. */
static int store_prepared_all(mih_store *st, prepared_task *prepared, size_t n, zval *ids)
{
	mih_store_task **tasks = safe_emalloc(n, sizeof(*tasks), 0);
	char err[512];
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		tasks[i] = &prepared[i].task;
		rc = task_query_fixup(tasks[i], err, sizeof(err));
	}
	if (rc == 0) {
		rc = mih_store_enqueue_many(st, tasks, n, err, sizeof(err));
	}
	if (rc != 0) {
		php_mih_store_throw("could not queue the event", err);
	} else {
		for (i = 0; i < n; i++) {
			add_next_index_long(ids, (zend_long)tasks[i]->id);
		}
	}
	efree(tasks);
	return rc;
}

ZEND_METHOD(local_integrationhub_mih, emit)
{
	zend_string *eventname, *norm, *dedupe_key = NULL;
	zval *data;
	HashTable *options = NULL;
	mih_store *st;
	php_mih_rules_cache *c;
	char err[512];
	size_t i, matching = 0;
	php_mih_tpl_data d;
	mih_tpl_buffer buf = {NULL, 0};
	prepared_task *prepared;
	size_t nprepared = 0;
	smart_str eventdata = {0};
	event_links links;
	bool failed = false, seen, in_tx, any_render_failed = false;

	ZEND_PARSE_PARAMETERS_START(2, 3)
		Z_PARAM_PATH_STR(eventname)
		Z_PARAM_ZVAL(data)
		Z_PARAM_OPTIONAL
		Z_PARAM_ARRAY_HT(options)
	ZEND_PARSE_PARAMETERS_END();

	if (Z_TYPE_P(data) != IS_ARRAY && Z_TYPE_P(data) != IS_OBJECT) {
		zend_argument_type_error(2, "must be of type array|object, %s given", zend_zval_type_name(data));
		RETURN_THROWS();
	}
	if (options && emit_options(options, &dedupe_key) != SUCCESS) {
		RETURN_THROWS();
	}
	norm = php_mih_normalise_eventname(ZSTR_VAL(eventname), ZSTR_LEN(eventname), err, sizeof(err));
	if (!norm) {
		zend_argument_value_error(1, "%s", err);
		RETURN_THROWS();
	}
	st = php_mih_store();
	if (!st) {
		zend_string_release(norm);
		RETURN_THROWS();
	}
	c = rules_for(st, err, sizeof(err));
	if (!c) {
		zend_string_release(norm);
		php_mih_store_throw("could not load rules", err);
		RETURN_THROWS();
	}
	array_init(return_value);
	for (i = 0; i < c->count; i++) {
		if (strcmp(c->rules[i].eventname, ZSTR_VAL(norm)) == 0) {
			matching++;
		}
	}
	if (matching == 0) {
		zend_string_release(norm);
		return;
	}
	/* The templates' check first: a failing jsonSerialize() is then a
	 * template_exception naming the value, as for mih::render. */
	if (php_mih_tpl_data_init(&d, data, 2) != SUCCESS) {
		zend_string_release(norm);
		zval_ptr_dtor(return_value);
		ZVAL_UNDEF(return_value);
		RETURN_THROWS();
	}
	if (php_mih_encode_payload(data, &eventdata, 2) != SUCCESS) {
		php_mih_tpl_data_destroy(&d);
		zend_string_release(norm);
		smart_str_free(&eventdata);
		zval_ptr_dtor(return_value);
		ZVAL_UNDEF(return_value);
		RETURN_THROWS();
	}
	read_event_links(data, &links);
	prepared = ecalloc(matching, sizeof(*prepared));
	for (i = 0; i < c->count && nprepared < matching; i++) {
		if (strcmp(c->rules[i].eventname, ZSTR_VAL(norm)) == 0) {
			prepare_rule(c, &c->rules[i], ZSTR_VAL(norm), &links, &d, &buf, &eventdata, &prepared[nprepared++]);
		}
	}
	php_mih_tpl_data_destroy(&d);
	free(buf.data);
	/* One transaction when several statements must be atomic: the batch is
	 * queued whole (one fsync), inside the caller's own transaction when the
	 * store is Moodle's $DB. One task alone is one INSERT, atomic by itself
	 * (and in the caller's transaction when one is open): no BEGIN/COMMIT. */
	for (i = 0; i < nprepared; i++) {
		any_render_failed |= prepared[i].render_failed;
	}
	in_tx = dedupe_key || any_render_failed || !mih_store_enqueue_is_one_statement(st, nprepared);
	if (in_tx && mih_store_begin(st, err, sizeof(err)) != 0) {
		php_mih_store_throw("could not start a transaction", err);
		failed = true;
	}
	if (!failed && dedupe_key) {
		if (mih_store_dedupe_check(st, ZSTR_VAL(dedupe_key), (long)MIH_G(dedupe_ttl), &seen, err, sizeof(err)) != 0) {
			php_mih_store_throw("could not check the dedupe key", err);
			failed = true;
		} else if (seen) {
			matching = 0;
		}
	}
	if (!failed && matching && !any_render_failed) {
		failed = store_prepared_all(st, prepared, nprepared, return_value) != 0;
		matching = 0;
	}
	for (i = 0; !failed && matching && i < nprepared; i++) {
		zend_long id = store_prepared(st, &prepared[i]);
		if (id < 0) {
			failed = true;
		} else if (id > 0) {
			add_next_index_long(return_value, id);
		}
	}
	if (failed) {
		if (in_tx) {
			mih_store_rollback(st, err, sizeof(err));
		}
		zval_ptr_dtor(return_value);
		ZVAL_UNDEF(return_value);
	} else if (in_tx && mih_store_commit(st, err, sizeof(err)) != 0) {
		php_mih_store_throw("could not commit the queued events", err);
		zval_ptr_dtor(return_value);
		ZVAL_UNDEF(return_value);
	}
	for (i = 0; i < nprepared; i++) {
		mih_store_task_dispose(&prepared[i].task);
	}
	efree(prepared);
	smart_str_free(&eventdata);
	zend_string_release(norm);
}

ZEND_METHOD(local_integrationhub_mih, has_rules)
{
	zend_string *eventname, *norm;
	mih_store *st;
	php_mih_rules_cache *c;
	char err[512];
	size_t i;
	bool found = false;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_PATH_STR(eventname)
	ZEND_PARSE_PARAMETERS_END();

	norm = php_mih_normalise_eventname(ZSTR_VAL(eventname), ZSTR_LEN(eventname), err, sizeof(err));
	if (!norm) {
		zend_argument_value_error(1, "%s", err);
		RETURN_THROWS();
	}
	st = php_mih_store();
	c = st ? rules_for(st, err, sizeof(err)) : NULL;
	if (!c) {
		zend_string_release(norm);
		if (!EG(exception)) {
			php_mih_store_throw("could not load rules", err);
		}
		RETURN_THROWS();
	}
	for (i = 0; i < c->count && !found; i++) {
		found = strcmp(c->rules[i].eventname, ZSTR_VAL(norm)) == 0;
	}
	zend_string_release(norm);
	RETURN_BOOL(found);
}

/* ---- direct enqueue -------------------------------------------------------- */

zend_long php_mih_enqueue_call(php_mih_call *call)
{
	mih_store *st;
	mih_service svc;
	mih_store_task task;
	smart_str body = {0};
	char err[512];
	const char *method;
	zend_long id = 0;

	/* A disabled service is queued for: its tasks park until it is enabled. */
	if (php_mih_load_service(call->service, &svc, false, &st) != SUCCESS) {
		return 0;
	}
	method = call->method ? ZSTR_VAL(call->method) : svc.method;
	memset(&task, 0, sizeof(task));
	if (php_mih_check_query_payload(call->payload, method, call->payload_argnum) != SUCCESS) {
		goto done;
	}
	task.serviceid = svc.id;
	task.http_method = strdup(method);
	task.endpoint = dup_bytes(ZSTR_VAL(call->path), ZSTR_LEN(call->path));
	if (call->payload && Z_TYPE_P(call->payload) == IS_STRING) {
		task.payload = dup_bytes(Z_STRVAL_P(call->payload), Z_STRLEN_P(call->payload));
		task.payload_len = Z_STRLEN_P(call->payload);
	} else if (call->payload && Z_TYPE_P(call->payload) == IS_ARRAY && zend_hash_num_elements(Z_ARRVAL_P(call->payload))) {
		if (php_mih_encode_payload(call->payload, &body, call->payload_argnum) != SUCCESS) {
			goto done;
		}
		task.payload = dup_bytes(ZSTR_VAL(body.s), ZSTR_LEN(body.s));
		task.payload_len = ZSTR_LEN(body.s);
	} else {
		task.payload = strdup("");
	}
	if (call->headers && zend_hash_num_elements(call->headers)) {
		smart_str h = {0};
		zval hz;
		ZVAL_ARR(&hz, call->headers);
		php_json_encode_ex(&h, &hz, PHP_JSON_UNESCAPED_SLASHES | PHP_JSON_UNESCAPED_UNICODE | PHP_JSON_FORCE_OBJECT,
			PHP_JSON_PARSER_DEFAULT_DEPTH);
		smart_str_0(&h);
		task.headers = h.s ? dup_bytes(ZSTR_VAL(h.s), ZSTR_LEN(h.s)) : NULL;
		smart_str_free(&h);
	}
	if (enqueue_task(st, &task, err, sizeof(err)) != 0) {
		php_mih_store_throw("could not queue the request", err);
		goto done;
	}
	id = (zend_long)task.id;
done:
	smart_str_free(&body);
	mih_store_task_dispose(&task);
	mih_service_dispose(&svc);
	return id;
}

ZEND_METHOD(local_integrationhub_mih, enqueue)
{
	php_mih_call call;
	zval empty;
	zend_long id;

	if (php_mih_call_parse(execute_data, &call, &empty, false) != SUCCESS) {
		RETURN_THROWS();
	}
	id = php_mih_enqueue_call(&call);
	php_mih_call_release(&call);
	if (EG(exception)) {
		RETURN_THROWS();
	}
	RETURN_LONG(id);
}
