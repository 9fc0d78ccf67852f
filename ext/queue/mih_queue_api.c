/* What the admin's Queue tab needs: the queue, the dead-letter queue, the
 * request log and per-service stats.
 *
 * Why this file is long: it is the Queue tab's API in one place: the queue,
 * the dead letters, the log and the stats share the conversions to PHP
 * arrays (tasks, dead letters, log rows, redacted headers) and the bulk
 * helpers, which stay static. */
#include "mih_private.h"

static void add_str_or_null(zval *arr, const char *key, const char *value)
{
	if (value && *value) {
		add_assoc_string(arr, key, value);
	} else {
		add_assoc_null(arr, key);
	}
}

static void add_status_or_null(zval *arr, const char *key, int status)
{
	if (status > 0) {
		add_assoc_long(arr, key, status);
	} else {
		add_assoc_null(arr, key);
	}
}

static void task_to_zval(zval *out, const mih_store_task *t, bool full)
{
	array_init(out);
	add_assoc_long(out, "id", (zend_long)t->id);
	add_str_or_null(out, "eventname", t->eventname);
	add_str_or_null(out, "service", t->service);
	add_assoc_string(out, "status", mih_task_state_name(t->state));
	add_assoc_long(out, "attempts", t->attempts);
	add_assoc_long(out, "next_run", (zend_long)t->next_run);
	add_status_or_null(out, "last_status", t->last_status);
	add_str_or_null(out, "last_error", t->last_error);
	add_assoc_long(out, "created", (zend_long)t->timecreated);
	if (full) {
		add_assoc_stringl(out, "payload", t->payload ? t->payload : "", t->payload ? t->payload_len : 0);
		add_str_or_null(out, "endpoint", t->endpoint);
		add_str_or_null(out, "method", t->http_method);
		php_mih_add_masked_headers(out, "headers", t->headers);
		add_str_or_null(out, "idempotency_key", t->idempotency_key);
		if (t->ruleid) {
			add_assoc_long(out, "rule_id", (zend_long)t->ruleid);
		} else {
			add_assoc_null(out, "rule_id");
		}
	}
}

static void dead_to_zval(zval *out, const mih_store_dead *d)
{
	array_init(out);
	add_assoc_long(out, "id", (zend_long)d->id);
	if (d->taskid) {
		add_assoc_long(out, "task_id", (zend_long)d->taskid);
	} else {
		add_assoc_null(out, "task_id");
	}
	if (d->ruleid) {
		add_assoc_long(out, "rule_id", (zend_long)d->ruleid);
	} else {
		add_assoc_null(out, "rule_id");
	}
	add_str_or_null(out, "eventname", d->eventname);
	add_str_or_null(out, "service", d->service);
	add_str_or_null(out, "endpoint", d->endpoint);
	add_str_or_null(out, "method", d->http_method);
	add_assoc_stringl(out, "payload", d->payload ? d->payload : "", d->payload ? d->payload_len : 0);
	add_str_or_null(out, "eventdata", d->eventdata);
	add_assoc_long(out, "attempts", d->attempts);
	add_status_or_null(out, "last_status", d->last_status);
	add_str_or_null(out, "error", d->error_message);
	if (d->response && d->response_len > 0) {
		/* bytes, NULs included */
		add_assoc_stringl(out, "response", d->response, d->response_len);
	} else {
		add_assoc_null(out, "response");
	}
	add_str_or_null(out, "idempotency_key", d->idempotency_key);
	add_assoc_long(out, "created", (zend_long)d->taskcreated);
	add_assoc_long(out, "failed_at", (zend_long)d->timecreated);
}

void php_mih_task_to_zval(zval *out, const mih_store_task *t)
{
	task_to_zval(out, t, true);
}

void php_mih_dead_to_zval(zval *out, const mih_store_dead *d)
{
	dead_to_zval(out, d);
}

static zend_result service_filter(mih_store *st, HashTable *filter, uint32_t argnum, int64_t *serviceid, bool *none)
{
	zend_string *name = NULL;

	*none = false;
	if (php_mih_filter_string(filter, "service", argnum, &name) != SUCCESS) {
		return FAILURE;
	}
	if (name) {
		int64_t id = php_mih_service_id(st, ZSTR_VAL(name));
		if (id < 0) {
			return FAILURE;
		}
		*none = id == 0;
		*serviceid = id;
	}
	return SUCCESS;
}

#define RELEASE_NORM() do { if (norm) { zend_string_release(norm); norm = NULL; } } while (0)

/* ---- the queue ----------------------------------------------------------- */

/* Event names are stored normalised (\component\event\name): a filter is
 * normalised the same way, into *norm, which the caller releases. */
static zend_result eventname_filter(HashTable *filter, uint32_t argnum, const char **out, zend_string **norm)
{
	zend_string *eventname = NULL;
	zend_string *norm_str;
	char err[256];

	if (php_mih_filter_string(filter, "eventname", argnum, &eventname) != SUCCESS) {
		return FAILURE;
	}
	if (!eventname) {
		return SUCCESS;
	}
	norm_str = php_mih_normalise_eventname(ZSTR_VAL(eventname), ZSTR_LEN(eventname), err, sizeof(err));
	if (!norm_str) {
		zend_argument_value_error(argnum, "filter \"eventname\" %s", err);
		return FAILURE;
	}
	*out = ZSTR_VAL(norm_str);
	*norm = norm_str;
	return SUCCESS;
}

/* tasks() and count_tasks(): *norm (released by the caller) keeps
 * f->eventname alive; *none when the service named does not exist. */
static zend_result task_filter(HashTable *filter, uint32_t argnum, mih_store *st, mih_store_task_filter *f,
	bool *none, bool with_paging, zend_string **norm)
{
	static const char *const known_paged[] = { "status", "service", "eventname", "limit", "offset", NULL };
	static const char *const known[] = { "status", "service", "eventname", NULL };
	zend_string *status = NULL;
	zend_long limit = MIH_STORE_LIST_DEFAULT, offset = 0;

	memset(f, 0, sizeof(*f));
	f->state = MIH_TASK_ANY;
	f->limit = MIH_STORE_LIST_DEFAULT;
	*none = false;
	if (!filter) {
		return SUCCESS;
	}
	if (php_mih_check_filter_keys(filter, argnum, with_paging ? known_paged : known,
			with_paging ? "status, service, eventname, limit, offset" : "status, service, eventname") != SUCCESS
			|| php_mih_filter_string(filter, "status", argnum, &status) != SUCCESS
			|| php_mih_filter_long(filter, "limit", argnum, 1, &limit) != SUCCESS
			|| php_mih_filter_long(filter, "offset", argnum, 0, &offset) != SUCCESS) {
		return FAILURE;
	}
	if (status && mih_task_state_parse(ZSTR_VAL(status), &f->state) != 0) {
		zend_argument_value_error(argnum, "filter \"status\" must be one of pending, retrying, parked, running");
		return FAILURE;
	}
	if (eventname_filter(filter, argnum, &f->eventname, norm) != SUCCESS
			|| service_filter(st, filter, argnum, &f->serviceid, none) != SUCCESS) {
		return FAILURE;
	}
	f->limit = (long)limit;
	f->offset = (long)offset;
	return SUCCESS;
}

ZEND_METHOD(local_integrationhub_mih, tasks)
{
	HashTable *filter = NULL;
	mih_store_task_filter f;
	zend_string *norm = NULL;
	mih_store_task *list;
	size_t count, i;
	mih_store *st;
	char err[256];
	bool none = false;

	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_ARRAY_HT(filter)
	ZEND_PARSE_PARAMETERS_END();

	st = php_mih_store();
	if (!st || task_filter(filter, 1, st, &f, &none, true, &norm) != SUCCESS) {
		RELEASE_NORM();
		RETURN_THROWS();
	}
	if (none) {
		RELEASE_NORM();
		RETURN_EMPTY_ARRAY();
	}
	if (mih_store_task_list(st, &f, &list, &count, err, sizeof(err)) != 0) {
		RELEASE_NORM();
		php_mih_store_throw("could not list tasks", err);
		RETURN_THROWS();
	}
	RELEASE_NORM();
	array_init_size(return_value, (uint32_t)count);
	for (i = 0; i < count; i++) {
		zval item;
		task_to_zval(&item, &list[i], false);
		zend_hash_next_index_insert(Z_ARRVAL_P(return_value), &item);
	}
	mih_store_task_list_free(list, count);
}

ZEND_METHOD(local_integrationhub_mih, count_tasks)
{
	HashTable *filter = NULL;
	mih_store_task_filter f;
	zend_string *norm = NULL;
	mih_store *st;
	long total = 0;
	char err[256];
	bool none = false;
	int rc = 0;

	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_ARRAY_HT(filter)
	ZEND_PARSE_PARAMETERS_END();

	st = php_mih_store();
	if (!st || task_filter(filter, 1, st, &f, &none, false, &norm) != SUCCESS) {
		RELEASE_NORM();
		RETURN_THROWS();
	}
	if (!none) {
		rc = mih_store_task_total(st, &f, &total, err, sizeof(err));
	}
	RELEASE_NORM();
	if (rc != 0) {
		php_mih_store_throw("could not count tasks", err);
		RETURN_THROWS();
	}
	RETURN_LONG(total);
}

/* mih::task() and mih::dead_letter(): one row by id, or null. */
static void return_one_by_id(INTERNAL_FUNCTION_PARAMETERS, bool dead)
{
	zend_long id;
	union {
		mih_store_task task;
		mih_store_dead dead;
	} row;
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
	memset(&row, 0, sizeof(row));
	rc = dead ? mih_store_dead_get(st, (int64_t)id, &row.dead, err, sizeof(err))
		: mih_store_task_get(st, (int64_t)id, &row.task, err, sizeof(err));
	if (rc < 0) {
		php_mih_store_throw(dead ? "could not load dead letter" : "could not load task", err);
		RETURN_THROWS();
	}
	if (rc == MIH_STORE_NOT_FOUND) {
		RETURN_NULL();
	}
	if (dead) {
		dead_to_zval(return_value, &row.dead);
		mih_store_dead_dispose(&row.dead);
	} else {
		task_to_zval(return_value, &row.task, true);
		mih_store_task_dispose(&row.task);
	}
}

ZEND_METHOD(local_integrationhub_mih, task)
{
	return_one_by_id(INTERNAL_FUNCTION_PARAM_PASSTHRU, false);
}

ZEND_METHOD(local_integrationhub_mih, dead_letter)
{
	return_one_by_id(INTERNAL_FUNCTION_PARAM_PASSTHRU, true);
}

typedef int (*id_op)(mih_store *st, int64_t id, char *err, size_t errlen);

/* retry_task(), delete_task() and delete_dead_letter(): true when done,
 * false when there is no such row, task_state_exception while a worker
 * holds the task. */
static void op_by_id(zend_execute_data *execute_data, zval *return_value, id_op op, const char *verb,
	const char *noun)
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
	rc = op(st, (int64_t)id, err, sizeof(err));
	if (rc < 0) {
		php_mih_throw(php_mih_store_exception_ce, 0, "could not %s the %s: %s", verb, noun, err);
		RETURN_THROWS();
	}
	if (rc == MIH_STORE_RUNNING) {
		php_mih_throw(php_mih_task_state_exception_ce, 0,
			"%s " ZEND_LONG_FMT " is running (leased by a worker): it cannot be %sd now", noun, id, verb);
		RETURN_THROWS();
	}
	RETURN_BOOL(rc == MIH_STORE_DONE);
}

ZEND_METHOD(local_integrationhub_mih, retry_task)
{
	op_by_id(execute_data, return_value, mih_store_task_retry_now, "reschedule", "task");
}

ZEND_METHOD(local_integrationhub_mih, delete_task)
{
	op_by_id(execute_data, return_value, mih_store_task_delete, "delete", "task");
}

/* ---- the dead-letter queue --------------------------------------------------- */

/* *norm (released by the caller) keeps f->eventname alive; f->error points
 * into the filter array. */
static zend_result dead_filter(HashTable *filter, uint32_t argnum, mih_store *st, mih_store_dead_filter *f,
	bool *none, bool with_paging, zend_string **norm)
{
	static const char *const known_paged[] = { "service", "eventname", "since", "error", "limit", "offset", NULL };
	static const char *const known[] = { "service", "eventname", "since", "error", NULL };
	zend_string *error = NULL;
	zend_long since = 0, limit = MIH_STORE_LIST_DEFAULT, offset = 0;

	memset(f, 0, sizeof(*f));
	*none = false;
	if (!filter) {
		f->limit = MIH_STORE_LIST_DEFAULT;
		return SUCCESS;
	}
	if (php_mih_check_filter_keys(filter, argnum, with_paging ? known_paged : known,
			with_paging ? "service, eventname, since, error, limit, offset" : "service, eventname, since, error")
				!= SUCCESS
			|| php_mih_filter_long(filter, "since", argnum, 0, &since) != SUCCESS
			|| php_mih_filter_string(filter, "error", argnum, &error) != SUCCESS
			|| php_mih_filter_long(filter, "limit", argnum, 1, &limit) != SUCCESS
			|| php_mih_filter_long(filter, "offset", argnum, 0, &offset) != SUCCESS) {
		return FAILURE;
	}
	if (eventname_filter(filter, argnum, &f->eventname, norm) != SUCCESS
			|| service_filter(st, filter, argnum, &f->serviceid, none) != SUCCESS) {
		return FAILURE;
	}
	f->error = error && ZSTR_LEN(error) ? ZSTR_VAL(error) : NULL;
	f->since = (int64_t)since;
	f->limit = (long)limit;
	f->offset = (long)offset;
	return SUCCESS;
}

ZEND_METHOD(local_integrationhub_mih, dead_letters)
{
	HashTable *filter = NULL;
	mih_store_dead_filter f;
	zend_string *norm = NULL;
	mih_store_dead *list;
	size_t count, i;
	mih_store *st;
	char err[256];
	bool none;

	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_ARRAY_HT(filter)
	ZEND_PARSE_PARAMETERS_END();

	st = php_mih_store();
	if (!st || dead_filter(filter, 1, st, &f, &none, true, &norm) != SUCCESS) {
		RELEASE_NORM();
		RETURN_THROWS();
	}
	if (none) {
		RELEASE_NORM();
		RETURN_EMPTY_ARRAY();
	}
	if (mih_store_dead_list(st, &f, &list, &count, err, sizeof(err)) != 0) {
		RELEASE_NORM();
		php_mih_store_throw("could not list dead letters", err);
		RETURN_THROWS();
	}
	RELEASE_NORM();
	array_init_size(return_value, (uint32_t)count);
	for (i = 0; i < count; i++) {
		zval item;
		dead_to_zval(&item, &list[i]);
		zend_hash_next_index_insert(Z_ARRVAL_P(return_value), &item);
	}
	mih_store_dead_list_free(list, count);
}

ZEND_METHOD(local_integrationhub_mih, count_dead_letters)
{
	HashTable *filter = NULL;
	mih_store_dead_filter f;
	zend_string *norm = NULL;
	mih_store *st;
	long total = 0;
	char err[256];
	bool none;
	int rc = 0;

	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_ARRAY_HT(filter)
	ZEND_PARSE_PARAMETERS_END();

	st = php_mih_store();
	if (!st || dead_filter(filter, 1, st, &f, &none, false, &norm) != SUCCESS) {
		RELEASE_NORM();
		RETURN_THROWS();
	}
	if (!none) {
		rc = mih_store_dead_total(st, &f, &total, err, sizeof(err));
	}
	RELEASE_NORM();
	if (rc != 0) {
		php_mih_store_throw("could not count dead letters", err);
		RETURN_THROWS();
	}
	RETURN_LONG(total);
}

ZEND_METHOD(local_integrationhub_mih, replay)
{
	zend_long id;
	int64_t task_id = 0;
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
	rc = mih_store_dead_replay(st, (int64_t)id, &task_id, err, sizeof(err));
	if (rc < 0) {
		php_mih_store_throw("could not replay the dead letter", err);
		RETURN_THROWS();
	}
	if (rc == MIH_STORE_NOT_FOUND) {
		php_mih_throw(php_mih_task_state_exception_ce, 0, "there is no dead letter with id " ZEND_LONG_FMT, id);
		RETURN_THROWS();
	}
	RETURN_LONG((zend_long)task_id);
}

/* replay_all() and purge_dead_letters(): one filter, one store operation. */
static void dead_bulk(zend_execute_data *execute_data, zval *return_value, bool replay)
{
	HashTable *filter = NULL;
	mih_store_dead_filter f;
	zend_string *norm = NULL;
	mih_store *st;
	long count = 0;
	char err[256];
	bool none;
	int rc = 0;

	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_ARRAY_HT(filter)
	ZEND_PARSE_PARAMETERS_END();

	st = php_mih_store();
	if (!st || dead_filter(filter, 1, st, &f, &none, false, &norm) != SUCCESS) {
		RELEASE_NORM();
		RETURN_THROWS();
	}
	if (!none) {
		rc = replay ? mih_store_dead_replay_all(st, &f, &count, err, sizeof(err))
			: mih_store_dead_purge(st, &f, &count, err, sizeof(err));
	}
	RELEASE_NORM();
	if (rc != 0) {
		php_mih_store_throw(replay ? "could not replay dead letters" : "could not purge dead letters", err);
		RETURN_THROWS();
	}
	RETURN_LONG(count);
}

ZEND_METHOD(local_integrationhub_mih, replay_all)
{
	dead_bulk(execute_data, return_value, true);
}

ZEND_METHOD(local_integrationhub_mih, delete_dead_letter)
{
	op_by_id(execute_data, return_value, mih_store_dead_delete, "delete", "dead letter");
}

ZEND_METHOD(local_integrationhub_mih, purge_dead_letters)
{
	dead_bulk(execute_data, return_value, false);
}

/* ---- the request log and stats ----------------------------------------------- */

ZEND_METHOD(local_integrationhub_mih, log)
{
	HashTable *filter = NULL;
	static const char *const known[] = { "service", "task_id", "success", "since", "limit", "offset", NULL };
	mih_store_log_filter f = { NULL, 0, -1, 0, MIH_STORE_LIST_DEFAULT, 0 };
	zend_string *service = NULL;
	zend_long task_id = 0, since = 0, limit = MIH_STORE_LIST_DEFAULT, offset = 0;
	mih_store_log_row *list;
	size_t count, i;
	mih_store *st;
	char err[256];

	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_ARRAY_HT(filter)
	ZEND_PARSE_PARAMETERS_END();

	if (filter) {
		zval *success;
		if (php_mih_check_filter_keys(filter, 1, known, "service, task_id, success, since, limit, offset") != SUCCESS
				|| php_mih_filter_string(filter, "service", 1, &service) != SUCCESS
				|| php_mih_filter_long(filter, "task_id", 1, 1, &task_id) != SUCCESS
				|| php_mih_filter_long(filter, "since", 1, 0, &since) != SUCCESS
				|| php_mih_filter_long(filter, "limit", 1, 1, &limit) != SUCCESS
				|| php_mih_filter_long(filter, "offset", 1, 0, &offset) != SUCCESS) {
			RETURN_THROWS();
		}
		success = zend_hash_str_find(filter, ZEND_STRL("success"));
		if (success) {
			if (Z_TYPE_P(success) != IS_TRUE && Z_TYPE_P(success) != IS_FALSE) {
				zend_argument_type_error(1, "filter \"success\" must be of type bool, %s given", zend_zval_type_name(success));
				RETURN_THROWS();
			}
			f.success = Z_TYPE_P(success) == IS_TRUE;
		}
	}
	st = php_mih_store();
	if (!st) {
		RETURN_THROWS();
	}
	php_mih_log_flush();
	f.servicename = service ? ZSTR_VAL(service) : NULL;
	f.taskid = (int64_t)task_id;
	f.since = (int64_t)since;
	f.limit = (long)limit;
	f.offset = (long)offset;
	if (mih_store_log_list(st, &f, &list, &count, err, sizeof(err)) != 0) {
		php_mih_store_throw("could not read the request log", err);
		RETURN_THROWS();
	}
	array_init_size(return_value, (uint32_t)count);
	for (i = 0; i < count; i++) {
		zval row;
		array_init(&row);
		add_assoc_long(&row, "id", (zend_long)list[i].id);
		add_assoc_long(&row, "time", (zend_long)list[i].timecreated);
		add_str_or_null(&row, "service", list[i].servicename);
		add_str_or_null(&row, "endpoint", list[i].endpoint);
		add_str_or_null(&row, "method", list[i].http_method);
		if (list[i].taskid) {
			add_assoc_long(&row, "task_id", (zend_long)list[i].taskid);
		} else {
			add_assoc_null(&row, "task_id");
		}
		add_str_or_null(&row, "eventname", list[i].eventname);
		add_status_or_null(&row, "httpstatus", list[i].http_status);
		add_assoc_long(&row, "latencyms", list[i].latency_ms);
		add_assoc_bool(&row, "success", list[i].success);
		add_str_or_null(&row, "error", list[i].error_message);
		add_assoc_long(&row, "attempt", list[i].attempt_count);
		add_assoc_string(&row, "direction", list[i].direction && *list[i].direction ? list[i].direction : "outbound");
		zend_hash_next_index_insert(Z_ARRVAL_P(return_value), &row);
	}
	mih_store_log_list_free(list, count);
}

static zval *stats_entry(zval *all, const char *name)
{
	zval *entry = zend_hash_str_find(Z_ARRVAL_P(all), name, strlen(name));
	zval fresh, queue;

	if (entry) {
		return entry;
	}
	array_init(&fresh);
	add_assoc_long(&fresh, "calls_24h", 0);
	add_assoc_long(&fresh, "success_24h", 0);
	add_assoc_long(&fresh, "failure_24h", 0);
	add_assoc_null(&fresh, "p50_ms");
	add_assoc_null(&fresh, "p95_ms");
	array_init(&queue);
	add_assoc_long(&queue, "pending", 0);
	add_assoc_long(&queue, "retrying", 0);
	add_assoc_long(&queue, "parked", 0);
	add_assoc_long(&queue, "running", 0);
	add_assoc_zval(&fresh, "queue", &queue);
	add_assoc_long(&fresh, "dead", 0);
	return zend_hash_str_update(Z_ARRVAL_P(all), name, strlen(name), &fresh);
}

ZEND_METHOD(local_integrationhub_mih, stats)
{
	mih_store *st;
	mih_service *services = NULL;
	size_t nservices = 0, n, i, j;
	mih_store_call_stats *calls = NULL;
	mih_store_queue_counts *queues = NULL;
	mih_store_dead_count *dead = NULL;
	char err[256];

	ZEND_PARSE_PARAMETERS_NONE();

	st = php_mih_store();
	if (!st) {
		RETURN_THROWS();
	}
	php_mih_log_flush();
	if (mih_store_service_list(st, &services, &nservices, err, sizeof(err)) != 0) {
		php_mih_store_throw("could not list services", err);
		RETURN_THROWS();
	}
	array_init(return_value);
	for (i = 0; i < nservices; i++) {
		zval circuit;
		zval *entry = stats_entry(return_value, services[i].name);
		php_mih_circuit_array(&services[i], &circuit);
		add_assoc_zval(entry, "circuit", &circuit);
	}
	if (mih_store_log_stats(st, mih_store_now(st) - 86400, &calls, &n, err, sizeof(err)) != 0) {
		goto failed;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < nservices; j++) {
			/* The calls of a deleted service (no service has its id) are left out. */
			if (services[j].id == calls[i].serviceid) {
				zval *entry = stats_entry(return_value, services[j].name);
				add_assoc_long(entry, "calls_24h", calls[i].calls);
				add_assoc_long(entry, "success_24h", calls[i].success);
				add_assoc_long(entry, "failure_24h", calls[i].failure);
				if (calls[i].calls > 0) {
					add_assoc_long(entry, "p50_ms", calls[i].p50_ms);
					add_assoc_long(entry, "p95_ms", calls[i].p95_ms);
				}
			}
		}
	}
	mih_store_call_stats_free(calls, n);
	if (mih_store_queue_counts_list(st, &queues, &n, err, sizeof(err)) != 0) {
		goto failed;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < nservices; j++) {
			if (services[j].id == queues[i].serviceid) {
				zval *entry = stats_entry(return_value, services[j].name);
				zval *queue = zend_hash_str_find(Z_ARRVAL_P(entry), ZEND_STRL("queue"));
				add_assoc_long(queue, "pending", queues[i].pending);
				add_assoc_long(queue, "retrying", queues[i].retrying);
				add_assoc_long(queue, "parked", queues[i].parked);
				add_assoc_long(queue, "running", queues[i].running);
			}
		}
	}
	free(queues);
	if (mih_store_dead_counts(st, &dead, &n, err, sizeof(err)) != 0) {
		goto failed;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < nservices; j++) {
			if (services[j].id == dead[i].serviceid) {
				add_assoc_long(stats_entry(return_value, services[j].name), "dead", dead[i].count);
			}
		}
	}
	free(dead);
	mih_store_service_list_free(services, nservices);
	return;
failed:
	mih_store_service_list_free(services, nservices);
	zval_ptr_dtor(return_value);
	ZVAL_UNDEF(return_value);
	php_mih_store_throw("could not compute stats", err);
}
