/* The dead-letter queue: tasks that ran out of attempts, kept with their
 * last response for inspection, replay into the queue, or purging. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store_internal.h"

static const char dead_select[] =
	"SELECT d.*, s.name AS service FROM {" T_DLQ "} d"
	" LEFT JOIN {" T_SVC "} s ON s.id = d.serviceid";

static int fill_dead(mih_store *st, void *item, store_row *r, char *err, size_t errlen)
{
	mih_store_dead *d = item;
	char what[64];

	r->table = T_DLQ;
	d->id = store_col_id(r, "id");
	d->taskid = store_col_int(r, "taskid");
	d->ruleid = store_col_int(r, "ruleid");
	d->serviceid = store_col_int(r, "serviceid");
	d->service = store_col_dup(r, "service");
	d->eventname = store_col_dup(r, "eventname");
	d->endpoint = store_col_dup(r, "endpoint");
	d->http_method = store_col_dup(r, "http_method");
	d->payload = store_col_dup_bytes(r, "payload", &d->payload_len);
	d->headers = store_col_dup_nonempty(r, "headers");
	d->eventdata = store_col_dup_nonempty(r, "eventdata");
	d->idempotency_key = store_col_dup(r, "idempotency_key");
	d->attempts = (long)store_col_int(r, "attempts");
	d->last_status = (int)store_col_int(r, "last_status");
	d->error_message = store_col_dup(r, "error_message");
	d->response = store_col_dup_bytes(r, "response", &d->response_len);
	d->taskcreated = store_col_int(r, "taskcreated");
	d->timecreated = store_col_int(r, "timecreated");
	d->userid = store_col_int(r, "userid");
	d->relateduserid = store_col_int(r, "relateduserid");
	d->contextid = store_col_int(r, "contextid");
	snprintf(what, sizeof(what), "dead letter %lld", (long long)d->id);
	return store_headers_open_text(st, &d->headers, what, err, errlen);
}

void mih_store_dead_dispose(mih_store_dead *d)
{
	if (!d) {
		return;
	}
	free(d->service);
	free(d->eventname);
	free(d->endpoint);
	free(d->http_method);
	free(d->payload);
	free(d->headers);
	free(d->eventdata);
	free(d->idempotency_key);
	free(d->error_message);
	free(d->response);
	memset(d, 0, sizeof(*d));
}

static void dispose_dead(void *item)
{
	mih_store_dead_dispose(item);
}

void mih_store_dead_list_free(mih_store_dead *list, size_t count)
{
	store_free_items((char *)list, count, sizeof(*list), dispose_dead);
}

static const char *const dead_cols[] = {
	"eventname", "serviceid", "payload", "error_message", "timecreated", "taskid", "ruleid",
	"endpoint", "http_method", "headers", "eventdata", "idempotency_key", "attempts",
	"last_status", "response", "taskcreated", "userid", "relateduserid", "contextid"
};
#define DEAD_NCOLS (sizeof(dead_cols) / sizeof(dead_cols[0]))

static int insert_dead(mih_store *st, const mih_store_task *t, long attempts, int last_status,
	const char *error, const char *response, size_t response_len, int64_t *dead_id,
	char *err, size_t errlen)
{
	mih_sql_value v[DEAD_NCOLS];
	int64_t id;
	char *headers, *payload_buf, *response_buf;
	int rc;

	if (store_headers_seal_text(st, t->headers, &headers, "a new dead letter", err, errlen) != 0) {
		return -1;
	}
	if (store_bytes_value(t->payload, t->payload_len, &v[2], &payload_buf) != 0) {
		free(headers);
		store_set_err(err, errlen, "store: out of memory");
		return -1;
	}
	if (store_bytes_value(response, store_utf8_cut(response, response_len, MIH_STORE_RESPONSE_MAX),
			&v[14], &response_buf) != 0) {
		free(payload_buf);
		free(headers);
		store_set_err(err, errlen, "store: out of memory");
		return -1;
	}
	v[0] = store_v_str(t->eventname);
	v[1] = mih_sql_int(t->serviceid);
	v[3] = store_v_str(error);
	v[4] = mih_sql_int(mih_store_now(st));
	v[5] = store_v_ref(t->id);
	v[6] = store_v_ref(t->ruleid);
	v[7] = store_v_str(t->endpoint);
	v[8] = store_v_str(t->http_method);
	v[9] = store_v_str(headers);
	v[10] = store_v_str(t->eventdata);
	v[11] = store_v_str(t->idempotency_key);
	v[12] = mih_sql_int(attempts);
	v[13] = mih_sql_int(last_status);
	v[15] = mih_sql_int(t->timecreated ? t->timecreated : mih_store_now(st));
	v[16] = store_v_ref(t->userid);
	v[17] = store_v_ref(t->relateduserid);
	v[18] = store_v_ref(t->contextid);
	rc = st->ops->insert(st->db, T_DLQ, dead_cols, v, DEAD_NCOLS, &id, err, errlen);
	free(response_buf);
	free(payload_buf);
	free(headers);
	if (rc != 0) {
		return -1;
	}
	if (dead_id) {
		*dead_id = id;
	}
	return 0;
}

/* Inside the transaction: locks the task row where the database has row
 * locks (the no-op UPDATE), then checks it is still ours. */
static int hold_task(mih_store *st, const mih_store_task *t, char *err, size_t errlen)
{
	bool guarded = t->claim_token && *t->claim_token;
	mih_sql_value p[3];
	int64_t id;
	bool found;

	if (guarded) {
		p[0] = mih_sql_int(mih_store_now(st));
		p[1] = mih_sql_int(t->id);
		p[2] = store_v_str(t->claim_token);
		if (store_exec(st, "UPDATE {" T_QUEUE "} SET timemodified = ? WHERE id = ?"
			" AND claim_token = ?", p, 3, err, errlen) != 0
			|| store_query_int(st, "SELECT id FROM {" T_QUEUE "} WHERE id = ? AND claim_token = ?",
				p + 1, 2, &id, &found, err, errlen) != 0) {
			return -1;
		}
		return found ? MIH_STORE_DONE : MIH_STORE_LOST;
	}
	p[0] = mih_sql_int(t->id);
	if (store_query_int(st, "SELECT id FROM {" T_QUEUE "} WHERE id = ?", p, 1, &id, &found,
		err, errlen) != 0) {
		return -1;
	}
	return found ? MIH_STORE_DONE : MIH_STORE_NOT_FOUND;
}

int mih_store_to_dlq(mih_store *st, const mih_store_task *task, long attempts,
	int last_status, const char *error, const char *response, size_t response_len,
	int64_t *dead_id, char *err, size_t errlen)
{
	int rc = 0;

	if (task->serviceid <= 0) {
		store_set_err(err, errlen, "store: a dead letter needs a service id");
		return -1;
	}
	if (store_tx_begin(st, err, errlen) != 0) {
		return -1;
	}
	if (task->id > 0) {
		rc = hold_task(st, task, err, errlen);
	}
	if (rc == MIH_STORE_DONE) {
		rc = insert_dead(st, task, attempts, last_status, error, response, response_len,
			dead_id, err, errlen);
	}
	if (rc == MIH_STORE_DONE && task->id > 0) {
		mih_sql_value p = mih_sql_int(task->id);

		rc = store_exec(st, "DELETE FROM {" T_QUEUE "} WHERE id = ?", &p, 1, err, errlen);
	}
	return store_tx_end(st, rc, err, errlen);
}

/* prefix is "d." for joined queries, "" for single-table ones. *pattern
 * (freed by the caller, also on failure) backs the error search. */
static int dead_where(mih_store *st, store_where *w, const mih_store_dead_filter *f,
	const char *prefix, char **pattern, char *err, size_t errlen)
{
	char cond[64];

	*pattern = NULL;
	if (!f) {
		return 0;
	}
	if (f->serviceid > 0) {
		snprintf(cond, sizeof(cond), "%sserviceid = ?", prefix);
		store_where_add1(w, cond, mih_sql_int(f->serviceid));
	}
	if (f->eventname) {
		snprintf(cond, sizeof(cond), "%seventname = ?", prefix);
		store_where_add1(w, cond, store_v_str(f->eventname));
	}
	if (f->since > 0) {
		snprintf(cond, sizeof(cond), "%stimecreated >= ?", prefix);
		store_where_add1(w, cond, mih_sql_int(f->since));
	}
	if (f->error && *f->error) {
		snprintf(cond, sizeof(cond), "%serror_message", prefix);
		return store_where_contains(st, w, cond, f->error, pattern, err, errlen);
	}
	return 0;
}

int mih_store_dead_list(mih_store *st, const mih_store_dead_filter *filter,
	mih_store_dead **out, size_t *count, char *err, size_t errlen)
{
	store_where w = { "", { { 0 } }, 0 };
	char sql[1536];
	char *pattern;
	long limit = filter && filter->limit > 0 ? filter->limit : MIH_STORE_LIST_DEFAULT;
	long offset = filter && filter->offset > 0 ? filter->offset : 0;
	int rc;

	*out = NULL;
	*count = 0;
	rc = dead_where(st, &w, filter, "d.", &pattern, err, errlen);
	if (rc == 0) {
		snprintf(sql, sizeof(sql), "%s%s ORDER BY d.id DESC", dead_select, w.sql);
		rc = store_query_list(st, sql, w.params, w.n, offset, limit, sizeof(**out), fill_dead,
			dispose_dead, (void **)out, count, err, errlen);
	}
	free(pattern);
	return rc;
}

int mih_store_dead_total(mih_store *st, const mih_store_dead_filter *filter, long *total,
	char *err, size_t errlen)
{
	store_where w = { "", { { 0 } }, 0 };
	char sql[1280];
	char *pattern;
	int64_t n = 0;
	bool found;
	int rc;

	*total = 0;
	rc = dead_where(st, &w, filter, "", &pattern, err, errlen);
	if (rc == 0) {
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) AS n FROM {" T_DLQ "}%s", w.sql);
		rc = store_query_int(st, sql, w.params, w.n, &n, &found, err, errlen);
	}
	free(pattern);
	if (rc == 0) {
		*total = (long)n;
	}
	return rc;
}

int mih_store_privacy_dead(mih_store *st, const mih_store_privacy_filter *filter,
	mih_store_dead **out, size_t *count, char *err, size_t errlen)
{
	store_where w = { "", { { 0 } }, 0 };
	char sql[1536];

	store_privacy_where(&w, filter, "d.");
	snprintf(sql, sizeof(sql), "%s%s ORDER BY d.id", dead_select, w.sql);
	return store_query_list(st, sql, w.params, w.n, 0, 0, sizeof(**out), fill_dead,
		dispose_dead, (void **)out, count, err, errlen);
}

int mih_store_dead_get(mih_store *st, int64_t id, mih_store_dead *out, char *err, size_t errlen)
{
	char sql[256];
	mih_sql_value p = mih_sql_int(id);

	snprintf(sql, sizeof(sql), "%s WHERE d.id = ?", dead_select);
	memset(out, 0, sizeof(*out));
	return store_query_one(st, sql, &p, 1, sizeof(*out), fill_dead, dispose_dead, out, err, errlen);
}

/* Within the caller's transaction. */
static int replay_one(mih_store *st, int64_t id, int64_t *task_id, char *err, size_t errlen)
{
	mih_store_dead d;
	mih_store_task t;
	mih_sql_value p = mih_sql_int(id);
	int rc = mih_store_dead_get(st, id, &d, err, errlen);

	if (rc != MIH_STORE_DONE) {
		return rc;
	}
	memset(&t, 0, sizeof(t));
	t.ruleid = d.ruleid;
	t.serviceid = d.serviceid;
	t.eventname = d.eventname;
	t.endpoint = d.endpoint;
	t.http_method = d.http_method;
	t.payload = d.payload;
	t.payload_len = d.payload_len;
	t.headers = d.headers;
	t.eventdata = d.eventdata;
	t.idempotency_key = d.idempotency_key && *d.idempotency_key ? d.idempotency_key : NULL;
	t.userid = d.userid;
	t.relateduserid = d.relateduserid;
	t.contextid = d.contextid;
	rc = mih_store_enqueue(st, &t, err, errlen);
	if (!d.idempotency_key || !*d.idempotency_key) {
		free(t.idempotency_key);   /* generated: the dead letter had none */
	}
	mih_store_dead_dispose(&d);
	if (rc != 0) {
		return -1;
	}
	if (store_exec(st, "DELETE FROM {" T_DLQ "} WHERE id = ?", &p, 1, err, errlen) != 0) {
		return -1;
	}
	if (task_id) {
		*task_id = t.id;
	}
	return MIH_STORE_DONE;
}

int mih_store_dead_replay(mih_store *st, int64_t id, int64_t *task_id, char *err, size_t errlen)
{
	if (store_tx_begin(st, err, errlen) != 0) {
		return -1;
	}
	return store_tx_end(st, replay_one(st, id, task_id, err, errlen), err, errlen);
}

static int dead_ids(mih_store *st, const mih_store_dead_filter *filter, store_int_rows *ids,
	char *err, size_t errlen)
{
	store_where w = { "", { { 0 } }, 0 };
	char sql[1280];
	char *pattern;
	int rc;

	memset(ids, 0, sizeof(*ids));
	rc = dead_where(st, &w, filter, "", &pattern, err, errlen);
	if (rc == 0) {
		snprintf(sql, sizeof(sql), "SELECT id FROM {" T_DLQ "}%s ORDER BY id", w.sql);
		rc = store_query_ints(st, sql, w.params, w.n, 0, 0, ids, err, errlen);
	}
	free(pattern);
	return rc;
}

int mih_store_dead_replay_all(mih_store *st, const mih_store_dead_filter *filter,
	long *count, char *err, size_t errlen)
{
	store_int_rows ids;
	int rc;

	*count = 0;
	if (store_tx_begin(st, err, errlen) != 0) {
		return -1;
	}
	rc = dead_ids(st, filter, &ids, err, errlen);
	for (size_t i = 0; rc >= 0 && i < ids.count; i++) {
		rc = replay_one(st, ids.vals[i], NULL, err, errlen);
		if (rc == MIH_STORE_DONE) {
			(*count)++;
		}
	}
	free(ids.vals);
	rc = store_tx_end(st, rc < 0 ? -1 : 0, err, errlen);
	if (rc < 0) {
		*count = 0;
	}
	return rc;
}

int mih_store_dead_delete(mih_store *st, int64_t id, char *err, size_t errlen)
{
	mih_sql_value p = mih_sql_int(id);
	int64_t found_id;
	bool found;
	int rc;

	if (store_tx_begin(st, err, errlen) != 0) {
		return -1;
	}
	rc = store_query_int(st, "SELECT id FROM {" T_DLQ "} WHERE id = ?", &p, 1, &found_id, &found,
		err, errlen);
	if (rc == 0 && !found) {
		rc = MIH_STORE_NOT_FOUND;
	}
	if (rc == 0) {
		rc = store_exec(st, "DELETE FROM {" T_DLQ "} WHERE id = ?", &p, 1, err, errlen);
	}
	return store_tx_end(st, rc, err, errlen);
}

int mih_store_dead_purge(mih_store *st, const mih_store_dead_filter *filter,
	long *count, char *err, size_t errlen)
{
	store_where w = { "", { { 0 } }, 0 };
	char sql[1280];
	char *pattern;
	int64_t n = 0;
	bool found;
	int rc;

	*count = 0;
	if (dead_where(st, &w, filter, "", &pattern, err, errlen) != 0) {
		free(pattern);
		return -1;
	}
	if (store_tx_begin(st, err, errlen) != 0) {
		free(pattern);
		return -1;
	}
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) AS n FROM {" T_DLQ "}%s", w.sql);
	rc = store_query_int(st, sql, w.params, w.n, &n, &found, err, errlen);
	if (rc == 0 && n > 0) {
		snprintf(sql, sizeof(sql), "DELETE FROM {" T_DLQ "}%s", w.sql);
		rc = store_exec(st, sql, w.params, w.n, err, errlen);
	}
	free(pattern);
	rc = store_tx_end(st, rc, err, errlen);
	if (rc == 0) {
		*count = (long)n;
	}
	return rc;
}

typedef struct dead_counts_ctx {
	mih_store_dead_count *items;
	size_t count, cap;
	char *err;
	size_t errlen;
} dead_counts_ctx;

static int collect_dead_count(void *ctx, size_t ncols, const char *const *names,
	const mih_sql_value *vals)
{
	dead_counts_ctx *c = ctx;
	store_row r = store_row_make(T_DLQ, ncols, names, vals);
	int rc;

	if (c->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		mih_store_dead_count *grown = realloc(c->items, cap * sizeof(*grown));

		if (!grown) {
			store_set_err(c->err, c->errlen, "store: out of memory reading dead letter counts");
			return -1;
		}
		c->items = grown;
		c->cap = cap;
	}
	c->items[c->count].serviceid = store_col_int(&r, "serviceid");
	c->items[c->count].count = (long)store_col_int(&r, "n");
	rc = store_row_result(&r, c->err, c->errlen);
	if (rc == 0) {
		c->count++;
	}
	return rc;
}

int mih_store_dead_counts(mih_store *st, mih_store_dead_count **out, size_t *count,
	char *err, size_t errlen)
{
	dead_counts_ctx c = { NULL, 0, 0, err, errlen };

	*out = NULL;
	*count = 0;
	if (st->ops->query(st->db, "SELECT serviceid, COUNT(*) AS n FROM {" T_DLQ "}"
		" GROUP BY serviceid ORDER BY serviceid", NULL, 0, 0, 0, collect_dead_count, &c,
		err, errlen) != 0) {
		free(c.items);
		return -1;
	}
	*out = c.items;
	*count = c.count;
	return 0;
}
