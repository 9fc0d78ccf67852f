/* What a Moodle privacy provider needs from the hub: the contexts and users
 * its queued tasks and dead letters are linked to (through the userid,
 * relateduserid and contextid of their event), and export and deletion by
 * user(s) and/or context. The store does the work (ext/core/store/store_privacy.c);
 * this file converts between PHP and C. */
#include "mih_private.h"

/* 0 stands for "no context" in the store and null in PHP. */
static void add_ids(zval *list, const int64_t *ids, size_t count, bool zero_is_null)
{
	for (size_t i = 0; i < count; i++) {
		if (ids[i] == 0 && zero_is_null) {
			add_next_index_null(list);
		} else {
			add_next_index_long(list, (zend_long)ids[i]);
		}
	}
}

static void add_ref(zval *arr, const char *key, int64_t id)
{
	if (id > 0) {
		add_assoc_long(arr, key, (zend_long)id);
	} else {
		add_assoc_null(arr, key);
	}
}

static void add_links(zval *arr, int64_t userid, int64_t relateduserid, int64_t contextid)
{
	add_ref(arr, "userid", userid);
	add_ref(arr, "relateduserid", relateduserid);
	add_ref(arr, "contextid", contextid);
}

ZEND_METHOD(local_integrationhub_mih, privacy_contexts)
{
	zend_long userid = 0;
	bool userid_null = true;
	int64_t *ids;
	size_t count;
	mih_store *st;
	char err[256];

	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_LONG_OR_NULL(userid, userid_null)
	ZEND_PARSE_PARAMETERS_END();

	if (!userid_null && userid < 1) {
		zend_argument_value_error(1, "must be greater than 0 or null");
		RETURN_THROWS();
	}
	st = php_mih_store();
	if (!st) {
		RETURN_THROWS();
	}
	if (mih_store_privacy_contexts(st, userid_null ? 0 : (int64_t)userid, &ids, &count, err, sizeof(err)) != 0) {
		php_mih_store_throw("could not list the contexts of tasks and dead letters", err);
		RETURN_THROWS();
	}
	array_init_size(return_value, (uint32_t)count);
	add_ids(return_value, ids, count, true);
	free(ids);
}

ZEND_METHOD(local_integrationhub_mih, privacy_users)
{
	zend_long contextid = 0;
	bool contextid_null = true;
	int64_t *ids;
	size_t count;
	mih_store *st;
	char err[256];

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_LONG_OR_NULL(contextid, contextid_null)
	ZEND_PARSE_PARAMETERS_END();

	if (!contextid_null && contextid < 1) {
		zend_argument_value_error(1, "must be greater than 0 or null");
		RETURN_THROWS();
	}
	st = php_mih_store();
	if (!st) {
		RETURN_THROWS();
	}
	if (mih_store_privacy_users(st, contextid_null ? 0 : (int64_t)contextid, &ids, &count, err, sizeof(err)) != 0) {
		php_mih_store_throw("could not list the users of tasks and dead letters", err);
		RETURN_THROWS();
	}
	array_init_size(return_value, (uint32_t)count);
	add_ids(return_value, ids, count, false);
	free(ids);
}

/* ---- the filter of export and delete ---------------------------------------- */

/* userid (int), userids (a non-empty list of ints; delete only) and contextid
 * (int, or null for rows without a context): at least one. The users go to
 * *users (emalloc'd, released by the caller), at most one without userids. */
static zend_result privacy_filter(HashTable *filter, bool with_userids, mih_store_privacy_filter *f,
	int64_t **users, size_t *nusers)
{
	static const char *const known_delete[] = { "userid", "userids", "contextid", NULL };
	static const char *const known_export[] = { "userid", "contextid", NULL };
	zend_long userid = 0;
	zval *ctx, *list, *v;

	memset(f, 0, sizeof(*f));
	*users = NULL;
	*nusers = 0;
	if (php_mih_check_filter_keys(filter, 1, with_userids ? known_delete : known_export,
			with_userids ? "userid, userids, contextid" : "userid, contextid") != SUCCESS
			|| php_mih_filter_long(filter, "userid", 1, 1, &userid) != SUCCESS) {
		return FAILURE;
	}
	if (zend_hash_num_elements(filter) == 0) {
		zend_argument_value_error(1, "must name %s", with_userids ? "userid, userids or contextid"
			: "userid or contextid");
		return FAILURE;
	}
	ctx = zend_hash_str_find(filter, ZEND_STRL("contextid"));
	if (ctx && Z_TYPE_P(ctx) != IS_NULL && Z_TYPE_P(ctx) != IS_LONG) {
		zend_argument_type_error(1, "filter \"contextid\" must be of type ?int, %s given", zend_zval_type_name(ctx));
		return FAILURE;
	}
	if (ctx && Z_TYPE_P(ctx) == IS_LONG && Z_LVAL_P(ctx) < 1) {
		zend_argument_value_error(1, "filter \"contextid\" must be at least 1 or null");
		return FAILURE;
	}
	f->by_context = ctx != NULL;
	f->contextid = ctx && Z_TYPE_P(ctx) == IS_LONG ? (int64_t)Z_LVAL_P(ctx) : 0;
	list = zend_hash_str_find(filter, ZEND_STRL("userids"));
	if (list && userid) {
		zend_argument_value_error(1, "must not name both userid and userids");
		return FAILURE;
	}
	if (list && (Z_TYPE_P(list) != IS_ARRAY || !zend_array_is_list(Z_ARRVAL_P(list))
			|| zend_hash_num_elements(Z_ARRVAL_P(list)) == 0)) {
		zend_argument_value_error(1, "filter \"userids\" must be a non-empty list of user ids");
		return FAILURE;
	}
	if (list) {
		*users = safe_emalloc(zend_hash_num_elements(Z_ARRVAL_P(list)), sizeof(int64_t), 0);
		ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(list), v) {
			if (Z_TYPE_P(v) != IS_LONG || Z_LVAL_P(v) < 1) {
				zend_argument_value_error(1, "filter \"userids\" must hold user ids (int, at least 1)");
				efree(*users);
				*users = NULL;
				*nusers = 0;
				return FAILURE;
			}
			(*users)[(*nusers)++] = (int64_t)Z_LVAL_P(v);
		} ZEND_HASH_FOREACH_END();
	} else if (userid) {
		*users = emalloc(sizeof(int64_t));
		(*users)[(*nusers)++] = (int64_t)userid;
	}
	return SUCCESS;
}

ZEND_METHOD(local_integrationhub_mih, privacy_export)
{
	HashTable *filter;
	mih_store_privacy_filter f;
	int64_t *users;
	size_t nusers, ntasks, ndead, i;
	mih_store_task *tasks;
	mih_store_dead *dead;
	mih_store *st;
	zval list;
	char err[256];

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_ARRAY_HT(filter)
	ZEND_PARSE_PARAMETERS_END();

	if (privacy_filter(filter, false, &f, &users, &nusers) != SUCCESS) {
		RETURN_THROWS();
	}
	f.userid = nusers ? users[0] : 0;
	if (users) {
		efree(users);
	}
	st = php_mih_store();
	if (!st) {
		RETURN_THROWS();
	}
	if (mih_store_privacy_tasks(st, &f, &tasks, &ntasks, err, sizeof(err)) != 0) {
		php_mih_store_throw("could not export tasks", err);
		RETURN_THROWS();
	}
	if (mih_store_privacy_dead(st, &f, &dead, &ndead, err, sizeof(err)) != 0) {
		mih_store_task_list_free(tasks, ntasks);
		php_mih_store_throw("could not export dead letters", err);
		RETURN_THROWS();
	}
	array_init_size(return_value, 2);
	array_init_size(&list, (uint32_t)ntasks);
	for (i = 0; i < ntasks; i++) {
		zval item;
		php_mih_task_to_zval(&item, &tasks[i]);
		if (tasks[i].eventdata) {
			add_assoc_string(&item, "eventdata", tasks[i].eventdata);
		} else {
			add_assoc_null(&item, "eventdata");
		}
		add_links(&item, tasks[i].userid, tasks[i].relateduserid, tasks[i].contextid);
		zend_hash_next_index_insert(Z_ARRVAL(list), &item);
	}
	add_assoc_zval(return_value, "tasks", &list);
	array_init_size(&list, (uint32_t)ndead);
	for (i = 0; i < ndead; i++) {
		zval item;
		php_mih_dead_to_zval(&item, &dead[i]);
		add_links(&item, dead[i].userid, dead[i].relateduserid, dead[i].contextid);
		zend_hash_next_index_insert(Z_ARRVAL(list), &item);
	}
	add_assoc_zval(return_value, "dead_letters", &list);
	mih_store_task_list_free(tasks, ntasks);
	mih_store_dead_list_free(dead, ndead);
}

ZEND_METHOD(local_integrationhub_mih, privacy_delete)
{
	HashTable *filter;
	mih_store_privacy_filter f;
	mih_store_privacy_counts total = { 0, 0, 0 }, one;
	int64_t *users;
	size_t nusers, i;
	mih_store *st;
	char err[256];
	int rc = 0;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_ARRAY_HT(filter)
	ZEND_PARSE_PARAMETERS_END();

	if (privacy_filter(filter, true, &f, &users, &nusers) != SUCCESS) {
		RETURN_THROWS();
	}
	st = php_mih_store();
	if (!st) {
		if (users) {
			efree(users);
		}
		RETURN_THROWS();
	}
	/* Every user's rows in one transaction: all of them go, or none. */
	if (mih_store_begin(st, err, sizeof(err)) != 0) {
		if (users) {
			efree(users);
		}
		php_mih_store_throw("could not start a transaction", err);
		RETURN_THROWS();
	}
	for (i = 0; rc == 0 && i < (nusers ? nusers : 1); i++) {
		f.userid = nusers ? users[i] : 0;
		rc = mih_store_privacy_delete(st, &f, &one, err, sizeof(err));
		total.tasks += one.tasks;
		total.dead_letters += one.dead_letters;
		total.log += one.log;
	}
	if (users) {
		efree(users);
	}
	if (rc == 0) {
		rc = mih_store_commit(st, err, sizeof(err));
	} else {
		char ignored[64];
		mih_store_rollback(st, ignored, sizeof(ignored));
	}
	if (rc != 0) {
		php_mih_store_throw("could not delete the data", err);
		RETURN_THROWS();
	}
	array_init_size(return_value, 3);
	add_assoc_long(return_value, "tasks", total.tasks);
	add_assoc_long(return_value, "dead_letters", total.dead_letters);
	add_assoc_long(return_value, "log", total.log);
}
