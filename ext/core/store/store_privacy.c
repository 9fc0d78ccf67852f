/* The privacy side of the queue and the DLQ: which users and contexts their
 * rows are linked to, and deleting a user's or a context's rows with the
 * request-log rows of their deliveries. The lists of full rows live with
 * their tables (store_queue.c, store_dlq.c) and use the filter built here.
 *
 * A row is linked to a user when its userid or relateduserid holds them;
 * contextid 0 (SQL NULL) stands for rows queued without an event. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "store_internal.h"

#define BACKFILL_BATCH 200
#define REF_DIGITS_MAX 18

int64_t mih_store_privacy_ref_text(const char *s, size_t len)
{
	int64_t v = 0;

	if (!s || len == 0 || len > REF_DIGITS_MAX) {
		return 0;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return 0;
		}
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

void store_privacy_where(store_where *w, const mih_store_privacy_filter *f, const char *prefix)
{
	char cond[96];

	if (f->userid > 0) {
		mih_sql_value p[2] = { mih_sql_int(f->userid), mih_sql_int(f->userid) };

		snprintf(cond, sizeof(cond), "(%suserid = ? OR %srelateduserid = ?)", prefix, prefix);
		store_where_add(w, cond, p, 2);
	}
	if (f->by_context && f->contextid > 0) {
		snprintf(cond, sizeof(cond), "%scontextid = ?", prefix);
		store_where_add1(w, cond, mih_sql_int(f->contextid));
	} else if (f->by_context) {
		snprintf(cond, sizeof(cond), "%scontextid IS NULL", prefix);
		store_where_add(w, cond, NULL, 0);
	}
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorted and without repeats (NULL and 0 both read as 0). */
static void sort_unique(store_int_rows *rows, int64_t **ids, size_t *count)
{
	size_t n = 0;

	if (rows->count) {
		qsort(rows->vals, rows->count, sizeof(int64_t), cmp_id);
	}
	for (size_t i = 0; i < rows->count; i++) {
		if (n == 0 || rows->vals[i] != rows->vals[n - 1]) {
			rows->vals[n++] = rows->vals[i];
		}
	}
	if (n == 0) {
		free(rows->vals);
		rows->vals = NULL;
	}
	*ids = rows->vals;
	*count = n;
}

int mih_store_privacy_contexts(mih_store *st, int64_t userid, int64_t **ids, size_t *count,
	char *err, size_t errlen)
{
	static const char sql_user[] =
		"SELECT contextid FROM {" T_QUEUE "} WHERE userid = ? OR relateduserid = ?"
		" UNION SELECT contextid FROM {" T_DLQ "} WHERE userid = ? OR relateduserid = ?";
	static const char sql_all[] =
		"SELECT contextid FROM {" T_QUEUE "} UNION SELECT contextid FROM {" T_DLQ "}";
	mih_sql_value p[4] = { mih_sql_int(userid), mih_sql_int(userid), mih_sql_int(userid),
		mih_sql_int(userid) };
	store_int_rows rows;

	*ids = NULL;
	*count = 0;
	if (store_query_ints(st, userid > 0 ? sql_user : sql_all, p, userid > 0 ? 4 : 0, 0, 0,
		&rows, err, errlen) != 0) {
		return -1;
	}
	sort_unique(&rows, ids, count);
	return 0;
}

int mih_store_privacy_users(mih_store *st, int64_t contextid, int64_t **ids, size_t *count,
	char *err, size_t errlen)
{
	const char *ctx = contextid > 0 ? "contextid = ?" : "contextid IS NULL";
	mih_sql_value p[4] = { mih_sql_int(contextid), mih_sql_int(contextid), mih_sql_int(contextid),
		mih_sql_int(contextid) };
	store_int_rows rows;
	char sql[640];

	*ids = NULL;
	*count = 0;
	snprintf(sql, sizeof(sql),
		"SELECT userid AS id FROM {" T_QUEUE "} WHERE %s AND userid IS NOT NULL"
		" UNION SELECT relateduserid FROM {" T_QUEUE "} WHERE %s AND relateduserid IS NOT NULL"
		" UNION SELECT userid FROM {" T_DLQ "} WHERE %s AND userid IS NOT NULL"
		" UNION SELECT relateduserid FROM {" T_DLQ "} WHERE %s AND relateduserid IS NOT NULL",
		ctx, ctx, ctx, ctx);
	if (store_query_ints(st, sql, p, contextid > 0 ? 4 : 0, 0, 0, &rows, err, errlen) != 0) {
		return -1;
	}
	sort_unique(&rows, ids, count);
	return 0;
}

/* ---- deletion ------------------------------------------------------------ */

/* Runs "<head> IN (?, ...)" over ids in rounds; with counted, the statement
 * is a COUNT(*) whose results are added up instead. */
static int run_in_rounds(mih_store *st, const char *head, const int64_t *ids, size_t n,
	long *counted, char *err, size_t errlen)
{
	mih_sql_value p[STORE_IN_LIST_MAX];
	char sql[256 + STORE_IN_LIST_MAX * 2];

	for (size_t from = 0; from < n; from += STORE_IN_LIST_MAX) {
		size_t round = n - from < STORE_IN_LIST_MAX ? n - from : STORE_IN_LIST_MAX;
		size_t nlist = store_in_list_length(round);
		size_t len = (size_t)snprintf(sql, sizeof(sql), "%s IN (", head);

		for (size_t i = 0; i < nlist; i++) {
			p[i] = mih_sql_int(ids[from + (i < round ? i : round - 1)]);
		}
		len = store_put_in_list(sql, len, sizeof(sql), nlist);
		if (counted) {
			int64_t c = 0;
			bool found;

			if (store_query_int(st, sql, p, nlist, &c, &found, err, errlen) != 0) {
				return -1;
			}
			*counted += (long)c;
		} else if (store_exec(st, sql, p, nlist, err, errlen) != 0) {
			return -1;
		}
	}
	return 0;
}

static int matching_ids(mih_store *st, const char *select, const mih_store_privacy_filter *f,
	const char *extra, store_int_rows *out, char *err, size_t errlen)
{
	store_where w = { "", { { 0 } }, 0 };
	char sql[1280];

	store_privacy_where(&w, f, "");
	if (extra) {
		store_where_add(&w, extra, NULL, 0);
	}
	snprintf(sql, sizeof(sql), "%s%s", select, w.sql);
	return store_query_ints(st, sql, w.params, w.n, 0, 0, out, err, errlen);
}

/* Inside the transaction: the ids first, then the log rows of those
 * deliveries, then the rows themselves by id, so the counts are exact. */
static int delete_matching(mih_store *st, const mih_store_privacy_filter *f,
	mih_store_privacy_counts *deleted, char *err, size_t errlen)
{
	store_int_rows tasks = { 0 }, dead = { 0 }, dead_tasks = { 0 }, both = { 0 };
	int64_t *logged = NULL;
	size_t nlogged = 0;
	int rc = -1;

	if (matching_ids(st, "SELECT id FROM {" T_QUEUE "}", f, NULL, &tasks, err, errlen) != 0
		|| matching_ids(st, "SELECT id FROM {" T_DLQ "}", f, NULL, &dead, err, errlen) != 0
		|| matching_ids(st, "SELECT DISTINCT taskid FROM {" T_DLQ "}", f, "taskid IS NOT NULL",
			&dead_tasks, err, errlen) != 0) {
		goto done;
	}
	/* The deliveries whose log rows go: the tasks, and those the dead letters came from. */
	both.count = tasks.count + dead_tasks.count;
	both.vals = malloc((both.count ? both.count : 1) * sizeof(*both.vals));
	if (!both.vals) {
		store_set_err(err, errlen, "store: out of memory deleting a user's data");
		goto done;
	}
	if (tasks.count) {
		memcpy(both.vals, tasks.vals, tasks.count * sizeof(*both.vals));
	}
	if (dead_tasks.count) {
		memcpy(both.vals + tasks.count, dead_tasks.vals, dead_tasks.count * sizeof(*both.vals));
	}
	sort_unique(&both, &logged, &nlogged);
	if (run_in_rounds(st, "SELECT COUNT(*) AS n FROM {" T_LOG "} WHERE taskid", logged, nlogged,
			&deleted->log, err, errlen) != 0
		|| run_in_rounds(st, "DELETE FROM {" T_LOG "} WHERE taskid", logged, nlogged, NULL,
			err, errlen) != 0
		|| run_in_rounds(st, "DELETE FROM {" T_QUEUE "} WHERE id", tasks.vals, tasks.count, NULL,
			err, errlen) != 0
		|| run_in_rounds(st, "DELETE FROM {" T_DLQ "} WHERE id", dead.vals, dead.count, NULL,
			err, errlen) != 0) {
		goto done;
	}
	deleted->tasks = (long)tasks.count;
	deleted->dead_letters = (long)dead.count;
	rc = 0;
done:
	free(logged);
	free(tasks.vals);
	free(dead.vals);
	free(dead_tasks.vals);
	return rc;
}

int mih_store_privacy_delete(mih_store *st, const mih_store_privacy_filter *filter,
	mih_store_privacy_counts *deleted, char *err, size_t errlen)
{
	memset(deleted, 0, sizeof(*deleted));
	if (filter->userid <= 0 && !filter->by_context) {
		store_set_err(err, errlen, "store: a privacy deletion needs a user or a context");
		return -1;
	}
	if (store_tx_begin(st, err, errlen) != 0) {
		return -1;
	}
	if (store_tx_end(st, delete_matching(st, filter, deleted, err, errlen), err, errlen) != 0) {
		memset(deleted, 0, sizeof(*deleted));
		return -1;
	}
	return 0;
}

/* ---- backfill from the event data ---------------------------------------- */

typedef struct backfill_row {
	int64_t id;
	int64_t userid, relateduserid, contextid;
} backfill_row;

static int64_t json_ref(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	if (json_is_integer(v)) {
		return json_integer_value(v) > 0 ? (int64_t)json_integer_value(v) : 0;
	}
	if (json_is_string(v)) {
		return mih_store_privacy_ref_text(json_string_value(v), json_string_length(v));
	}
	return 0;
}

static int fill_backfill(mih_store *st, void *item, store_row *r, char *err, size_t errlen)
{
	backfill_row *b = item;
	const mih_sql_value *data;
	json_t *obj;

	(void)st;
	(void)err;
	(void)errlen;
	b->id = store_col_int(r, "id");
	data = store_col(r, "eventdata");
	if (!data || data->type != MIH_SQL_TEXT) {
		return 0;
	}
	/* Event data the store wrote is a JSON object; anything else links nothing. */
	obj = json_loadb(data->s, data->len, 0, NULL);
	if (json_is_object(obj)) {
		b->userid = json_ref(obj, "userid");
		b->relateduserid = json_ref(obj, "relateduserid");
		b->contextid = json_ref(obj, "contextid");
	}
	json_decref(obj);
	return 0;
}

static void dispose_backfill(void *item)
{
	(void)item;
}

static int backfill_table(mih_store *st, const char *table, long *filled, char *err, size_t errlen)
{
	char select[320], update[160];
	int64_t after = 0;

	snprintf(select, sizeof(select), "SELECT id, eventdata FROM {%s} WHERE id > ?"
		" AND eventdata IS NOT NULL AND userid IS NULL AND relateduserid IS NULL"
		" AND contextid IS NULL ORDER BY id", table);
	snprintf(update, sizeof(update), "UPDATE {%s} SET userid = ?, relateduserid = ?,"
		" contextid = ? WHERE id = ?", table);
	for (;;) {
		mih_sql_value p = mih_sql_int(after);
		backfill_row *rows;
		size_t n;

		if (store_query_list(st, select, &p, 1, 0, BACKFILL_BATCH, sizeof(*rows), fill_backfill,
			dispose_backfill, (void **)&rows, &n, err, errlen) != 0) {
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			const backfill_row *b = &rows[i];
			mih_sql_value u[4] = { store_v_ref(b->userid), store_v_ref(b->relateduserid),
				store_v_ref(b->contextid), mih_sql_int(b->id) };

			if (!b->userid && !b->relateduserid && !b->contextid) {
				continue;
			}
			if (store_exec(st, update, u, 4, err, errlen) != 0) {
				free(rows);
				return -1;
			}
			if (filled) {
				(*filled)++;
			}
		}
		after = n ? rows[n - 1].id : after;
		free(rows);
		if (n < BACKFILL_BATCH) {
			return 0;
		}
	}
}

int mih_store_privacy_backfill(mih_store *st, long *filled, char *err, size_t errlen)
{
	if (filled) {
		*filled = 0;
	}
	if (store_tx_begin(st, err, errlen) != 0) {
		return -1;
	}
	return store_tx_end(st, backfill_table(st, T_QUEUE, filled, err, errlen) != 0
		|| backfill_table(st, T_DLQ, filled, err, errlen) != 0 ? -1 : 0, err, errlen);
}
