/* The request log with its pruning and per-service statistics, and the
 * shared circuit breaker state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store_internal.h"

/* ---- request log -------------------------------------------------------- */

/* The PHP plugin's char(1333) column: longer paths are cut in the log. */
#define LOG_ENDPOINT_MAX 1333

static const char *const log_cols[] = {
	"serviceid", "endpoint", "http_method", "http_status", "latency_ms", "attempt_count",
	"success", "error_message", "direction", "timecreated", "servicename", "taskid",
	"eventname"
};
#define LOG_NCOLS (sizeof(log_cols) / sizeof(log_cols[0]))

static int fill_log(mih_store *st, void *item, store_row *r, char *err, size_t errlen)
{
	mih_store_log_row *l = item;

	(void)st;
	(void)err;
	(void)errlen;
	r->table = T_LOG;
	l->id = store_col_id(r, "id");
	l->timecreated = store_col_int(r, "timecreated");
	l->serviceid = store_col_int(r, "serviceid");
	l->servicename = store_col_dup(r, "servicename");
	l->endpoint = store_col_dup(r, "endpoint");
	l->http_method = store_col_dup(r, "http_method");
	l->taskid = store_col_int(r, "taskid");
	l->eventname = store_col_dup_nonempty(r, "eventname");
	l->http_status = (int)store_col_int(r, "http_status");
	l->latency_ms = (long)store_col_int(r, "latency_ms");
	l->success = store_col_int(r, "success") != 0;
	l->error_message = store_col_dup_nonempty(r, "error_message");
	l->attempt_count = (long)store_col_int(r, "attempt_count");
	l->direction = store_col_dup(r, "direction");
	return 0;
}

void mih_store_log_row_dispose(mih_store_log_row *l)
{
	if (!l) {
		return;
	}
	free(l->servicename);
	free(l->endpoint);
	free(l->http_method);
	free(l->eventname);
	free(l->error_message);
	free(l->direction);
	memset(l, 0, sizeof(*l));
}

static void dispose_log(void *item)
{
	mih_store_log_row_dispose(item);
}

void mih_store_log_list_free(mih_store_log_row *list, size_t count)
{
	store_free_items((char *)list, count, sizeof(*list), dispose_log);
}

static int begin_relaxed(mih_store *st, char *err, size_t errlen)
{
	if (st->ops->begin_relaxed) {
		return st->ops->begin_relaxed(st->db, err, errlen);
	}
	return st->ops->begin(st->db, err, errlen);
}

static void log_row_values(mih_store *st, const mih_store_log_row *l, mih_sql_value *v)
{
	v[0] = mih_sql_int(l->serviceid);
	v[1] = mih_sql_text(l->endpoint, store_utf8_cut(l->endpoint,
		l->endpoint ? strlen(l->endpoint) : 0, LOG_ENDPOINT_MAX));
	v[2] = store_v_str(l->http_method);
	v[3] = l->http_status > 0 ? mih_sql_int(l->http_status) : mih_sql_null();
	v[4] = mih_sql_int(l->latency_ms);
	v[5] = mih_sql_int(l->attempt_count > 0 ? l->attempt_count : 1);
	v[6] = store_v_bool(l->success);
	v[7] = store_v_str(l->error_message);
	v[8] = store_v_str(l->direction && *l->direction ? l->direction : "outbound");
	v[9] = mih_sql_int(l->timecreated ? l->timecreated : mih_store_now(st));
	v[10] = store_v_str(l->servicename);
	v[11] = store_v_ref(l->taskid);
	v[12] = store_v_str(l->eventname);
}

int mih_store_log_append(mih_store *st, const mih_store_log_row *l, char *err, size_t errlen)
{
	return mih_store_log_append_many(st, l, 1, err, errlen);
}

/* Rows per insert_many() call: bounded so one statement's parameters stay
 * within every engine's limit (13 columns: 1300 parameters). */
#define LOG_INSERT_CHUNK 100

/* An in-process executor (SQLite's insert_rows) writes the rows a few
 * multi-row statements at a time inside one relaxed transaction (no fsync
 * of its own: these are diagnostic rows). With an executor that writes
 * several rows in one statement (Moodle's $DB->insert_records()), each
 * chunk is one statement and needs no transaction of its own: a single
 * INSERT is atomic, and inside the caller's transaction it simply joins
 * it. Otherwise one relaxed transaction around the rows, one by one. */
int mih_store_log_append_many(mih_store *st, const mih_store_log_row *rows, size_t count, char *err, size_t errlen)
{
	mih_sql_value *v;
	size_t i, n;
	int rc = 0;
	bool tx;

	if (count == 0) {
		return 0;
	}
	n = count < LOG_INSERT_CHUNK ? count : LOG_INSERT_CHUNK;
	v = malloc(n * LOG_NCOLS * sizeof(*v));
	if (!v) {
		store_set_err(err, errlen, "store: out of memory writing the request log");
		return -1;
	}
	tx = st->ops->insert_rows || !st->ops->insert_many || count > LOG_INSERT_CHUNK;
	if (tx && begin_relaxed(st, err, errlen) != 0) {
		free(v);
		return -1;
	}
	for (i = 0; i < count && rc == 0; i += n) {
		size_t k, chunk = count - i < n ? count - i : n;

		for (k = 0; k < chunk; k++) {
			log_row_values(st, &rows[i + k], v + k * LOG_NCOLS);
		}
		if (st->ops->insert_rows) {
			rc = st->ops->insert_rows(st->db, T_LOG, log_cols, v, LOG_NCOLS, chunk, err, errlen);
		} else if (st->ops->insert_many) {
			rc = st->ops->insert_many(st->db, T_LOG, log_cols, v, LOG_NCOLS, chunk, err, errlen);
		} else {
			for (k = 0; k < chunk && rc == 0; k++) {
				int64_t id;
				rc = st->ops->insert(st->db, T_LOG, log_cols, v + k * LOG_NCOLS, LOG_NCOLS, &id, err, errlen);
			}
		}
	}
	free(v);
	return tx ? store_tx_end(st, rc, err, errlen) : rc;
}

int mih_store_log_list(mih_store *st, const mih_store_log_filter *filter,
	mih_store_log_row **out, size_t *count, char *err, size_t errlen)
{
	store_where w = { "", { { 0 } }, 0 };
	char sql[1280];
	long limit = filter && filter->limit > 0 ? filter->limit : MIH_STORE_LIST_DEFAULT;
	long offset = filter && filter->offset > 0 ? filter->offset : 0;

	if (filter && filter->servicename) {
		store_where_add1(&w, "servicename = ?", store_v_str(filter->servicename));
	}
	if (filter && filter->taskid > 0) {
		store_where_add1(&w, "taskid = ?", mih_sql_int(filter->taskid));
	}
	if (filter && filter->success >= 0) {
		store_where_add1(&w, "success = ?", store_v_bool(filter->success != 0));
	}
	if (filter && filter->since > 0) {
		store_where_add1(&w, "timecreated >= ?", mih_sql_int(filter->since));
	}
	snprintf(sql, sizeof(sql), "SELECT * FROM {" T_LOG "}%s ORDER BY id DESC", w.sql);
	return store_query_list(st, sql, w.params, w.n, offset, limit, sizeof(**out), fill_log,
		dispose_log, (void **)out, count, err, errlen);
}

static int log_count(mih_store *st, int64_t *n, char *err, size_t errlen)
{
	bool found;

	return store_query_int(st, "SELECT COUNT(*) AS n FROM {" T_LOG "}", NULL, 0, n, &found,
		err, errlen);
}

/* Deletes by a computed cutoff id instead of "NOT IN (... LIMIT n)", which
 * MySQL refuses and Moodle cannot express portably. */
static int log_prune_rows(mih_store *st, long max_age, long max_rows, char *err, size_t errlen)
{
	mih_sql_value p;
	store_int_rows cut;

	if (max_age > 0) {
		p = mih_sql_int(mih_store_now(st) - max_age);
		if (store_exec(st, "DELETE FROM {" T_LOG "} WHERE timecreated < ?", &p, 1,
			err, errlen) != 0) {
			return -1;
		}
	}
	if (max_rows <= 0) {
		return 0;
	}
	if (store_query_ints(st, "SELECT id FROM {" T_LOG "} ORDER BY id DESC", NULL, 0, max_rows, 1,
		&cut, err, errlen) != 0) {
		return -1;
	}
	if (cut.count == 0) {
		free(cut.vals);
		return 0;
	}
	p = mih_sql_int(cut.vals[0]);
	free(cut.vals);
	return store_exec(st, "DELETE FROM {" T_LOG "} WHERE id <= ?", &p, 1, err, errlen);
}

int mih_store_log_prune(mih_store *st, long max_rows, long max_age_seconds, long *deleted,
	char *err, size_t errlen)
{
	int64_t before = 0, after = 0;
	int rc;

	if (max_rows < 0 || max_age_seconds < 0) {
		store_set_err(err, errlen, "store: log limits must not be negative");
		return -1;
	}
	if (begin_relaxed(st, err, errlen) != 0) {
		return -1;
	}
	rc = deleted ? log_count(st, &before, err, errlen) : 0;
	if (rc == 0) {
		rc = log_prune_rows(st, max_age_seconds, max_rows, err, errlen);
	}
	if (rc == 0 && deleted) {
		rc = log_count(st, &after, err, errlen);
	}
	rc = store_tx_end(st, rc, err, errlen);
	if (deleted) {
		*deleted = rc == 0 ? (long)(before - after) : 0;
	}
	return rc;
}

typedef struct latency_row {
	int64_t serviceid;
	bool success;
	long latency_ms;
} latency_row;

typedef struct latency_rows {
	latency_row *items;
	size_t count, cap;
	char *err;
	size_t errlen;
} latency_rows;

static int collect_latency(void *ctx, size_t ncols, const char *const *names,
	const mih_sql_value *vals)
{
	latency_rows *c = ctx;
	store_row r = store_row_make(T_LOG, ncols, names, vals);
	latency_row *l;
	int rc;

	if (c->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		latency_row *grown = realloc(c->items, cap * sizeof(*grown));

		if (!grown) {
			store_set_err(c->err, c->errlen, "store: out of memory reading the log");
			return -1;
		}
		c->items = grown;
		c->cap = cap;
	}
	l = &c->items[c->count];
	l->serviceid = store_col_int(&r, "serviceid");
	l->success = store_col_int(&r, "success") != 0;
	l->latency_ms = (long)store_col_int(&r, "latency_ms");
	rc = store_row_result(&r, c->err, c->errlen);
	if (rc != 0) {
		return rc;
	}
	c->count++;
	return 0;
}

static int latency_cmp(const void *a, const void *b)
{
	const latency_row *x = a, *y = b;
	if (x->serviceid != y->serviceid) {
		return (x->serviceid > y->serviceid) - (x->serviceid < y->serviceid);
	}
	return (x->latency_ms > y->latency_ms) - (x->latency_ms < y->latency_ms);
}

/* Nearest rank over n sorted values. */
static long percentile(const latency_row *sorted, size_t n, int pct)
{
	size_t rank = (n * (size_t)pct + 99) / 100;

	return sorted[rank ? rank - 1 : 0].latency_ms;
}

static void stats_group(const latency_row *rows, size_t n, mih_store_call_stats *s)
{
	s->serviceid = rows[0].serviceid;
	s->calls = (long)n;
	s->success = 0;
	for (size_t i = 0; i < n; i++) {
		s->success += rows[i].success ? 1 : 0;
	}
	s->failure = s->calls - s->success;
	s->p50_ms = percentile(rows, n, 50);
	s->p95_ms = percentile(rows, n, 95);
}

static int stats_build(latency_rows *rows, mih_store_call_stats **out, size_t *count)
{
	mih_store_call_stats *list;
	size_t start = 0;

	if (rows->count == 0) {
		return 0;
	}
	qsort(rows->items, rows->count, sizeof(latency_row), latency_cmp);
	list = calloc(rows->count, sizeof(*list));
	if (!list) {
		return -1;
	}
	for (size_t i = 1; i <= rows->count; i++) {
		if (i < rows->count && rows->items[i].serviceid == rows->items[start].serviceid) {
			continue;
		}
		stats_group(rows->items + start, i - start, &list[(*count)++]);
		start = i;
	}
	*out = list;
	return 0;
}

int mih_store_log_stats(mih_store *st, int64_t since, mih_store_call_stats **out,
	size_t *count, char *err, size_t errlen)
{
	latency_rows rows = { NULL, 0, 0, err, errlen };
	mih_sql_value p = mih_sql_int(since);
	int rc;

	*out = NULL;
	*count = 0;
	/* The hub's own calls to its services: inbound webhooks (direction inbound, which anyone can
	 * send) are in the log but neither calls nor failures of the service. By service id, not
	 * name: a service deleted and created again under the same name starts from no calls. */
	rc = st->ops->query(st->db, "SELECT id, serviceid, success, latency_ms FROM {" T_LOG "}"
		" WHERE timecreated >= ? AND direction = 'outbound'", &p, 1, 0, 0, collect_latency, &rows, err, errlen);
	if (rc == 0 && stats_build(&rows, out, count) != 0) {
		store_set_err(err, errlen, "store: out of memory computing statistics");
		rc = -1;
	}
	free(rows.items);
	return rc;
}

void mih_store_call_stats_free(mih_store_call_stats *list, size_t count)
{
	(void)count;
	free(list);
}

/* ---- circuit state ------------------------------------------------------ */

typedef struct circuit_ctx {
	mih_store_circuit *out;
	int64_t id;
	bool found;
	char *err;
	size_t errlen;
} circuit_ctx;

static int collect_circuit(void *ctx, size_t ncols, const char *const *names,
	const mih_sql_value *vals)
{
	circuit_ctx *c = ctx;
	store_row r = store_row_make(T_CB, ncols, names, vals);
	const mih_sql_value *state = store_col(&r, "state");
	size_t len = state && state->type == MIH_SQL_TEXT ? state->len : 0;

	if (len >= sizeof(c->out->state)) {
		len = sizeof(c->out->state) - 1;
	}
	c->found = true;
	c->id = store_col_id(&r, "id");
	c->out->serviceid = store_col_int(&r, "serviceid");
	memcpy(c->out->state, len ? state->s : "", len);
	c->out->state[len] = '\0';
	c->out->failure_count = (long)store_col_int(&r, "failure_count");
	c->out->last_failure = store_col_int(&r, "last_failure");
	c->out->opened_at = store_col_int(&r, "opened_at");
	c->out->timemodified = store_col_int(&r, "timemodified");
	return store_row_result(&r, c->err, c->errlen);
}

static int circuit_read(mih_store *st, int64_t serviceid, circuit_ctx *c,
	char *err, size_t errlen)
{
	mih_sql_value p = mih_sql_int(serviceid);

	c->found = false;
	c->err = err;
	c->errlen = errlen;
	return st->ops->query(st->db, "SELECT * FROM {" T_CB "} WHERE serviceid = ?", &p, 1, 0, 1,
		collect_circuit, c, err, errlen);
}

int mih_store_circuit_save(mih_store *st, const mih_store_circuit *c, char *err, size_t errlen)
{
	static const char *const cols[] = {
		"serviceid", "state", "failure_count", "last_failure", "timemodified", "opened_at"
	};
	mih_store_circuit current;
	circuit_ctx ctx = { &current, 0, false, NULL, 0 };
	mih_sql_value v[7];
	int64_t id;
	int rc;

	if (c->serviceid <= 0 || !c->state[0]) {
		store_set_err(err, errlen, "store: a circuit state needs a service id and a state");
		return -1;
	}
	v[0] = mih_sql_int(c->serviceid);
	v[1] = store_v_str(c->state);
	v[2] = mih_sql_int(c->failure_count);
	v[3] = mih_sql_int(c->last_failure);
	v[4] = mih_sql_int(c->timemodified ? c->timemodified : mih_store_now(st));
	v[5] = mih_sql_int(c->opened_at);
	if (store_tx_begin(st, err, errlen) != 0) {
		return -1;
	}
	rc = circuit_read(st, c->serviceid, &ctx, err, errlen);
	if (rc == 0 && ctx.found) {
		v[6] = mih_sql_int(ctx.id);
		rc = store_exec(st, "UPDATE {" T_CB "} SET serviceid = ?, state = ?, failure_count = ?,"
			" last_failure = ?, timemodified = ?, opened_at = ? WHERE id = ?", v, 7,
			err, errlen);
	} else if (rc == 0) {
		rc = st->ops->insert(st->db, T_CB, cols, v, 6, &id, err, errlen);
	}
	return store_tx_end(st, rc, err, errlen);
}

int mih_store_circuit_get(mih_store *st, int64_t serviceid, mih_store_circuit *out,
	char *err, size_t errlen)
{
	circuit_ctx ctx = { out, 0, false, NULL, 0 };

	memset(out, 0, sizeof(*out));
	if (circuit_read(st, serviceid, &ctx, err, errlen) != 0) {
		return -1;
	}
	return ctx.found ? MIH_STORE_DONE : MIH_STORE_NOT_FOUND;
}
