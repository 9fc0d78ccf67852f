/* The store logic, written once as portable Moodle SQL over a SQL executor
 * (store_sql.h): {table} names, `?` placeholders, no LIMIT in the text, no
 * vendor functions, no affected-row counts, the first selected column unique
 * per row. The same code therefore runs on SQLite and on Moodle's $DB.
 *
 * Exclusive claims without affected-row counts: a claimer writes a fresh
 * random token into candidate rows with an UPDATE guarded by "still
 * claimable", then reads back the rows that carry its token. The guard is
 * re-evaluated under the row lock by every database Moodle supports, so two
 * claimers can never both win a row. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <jansson.h>
#include <openssl/rand.h>
#include "store.h"

#define T_SVC "local_integrationhub_svc"
#define T_RULES "local_integrationhub_rules"
#define T_QUEUE "local_integrationhub_queue"
#define T_DLQ "local_integrationhub_dlq"
#define T_LOG "local_integrationhub_log"
#define T_CB "local_integrationhub_cb"
#define T_DEDUPE "local_integrationhub_dedupe"
#define T_META "local_integrationhub_meta"

#define STATUS_QUEUED "queued"
#define STATUS_PARKED "parked"
#define RULES_VERSION_KEY "rules_version"

/* Claims go in rounds of at most this many ids: Oracle caps IN lists at
 * 1000 items and small rounds keep competing workers from colliding. */
#define CLAIM_ROUND_MAX 100
#define CLAIM_IDLE_ROUNDS 8
/* Candidates looked at per task wanted, to spread competing claimers. */
#define CLAIM_WINDOW_FACTOR 4

struct mih_store {
	const mih_sql_ops *ops;
	void *db;
	void (*close_db)(void *db);
	mih_store_clock clock;
	void *clock_ctx;
};

/* ---- small helpers ------------------------------------------------------ */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static mih_sql_value v_str(const char *s)
{
	return mih_sql_text(s, s ? strlen(s) : 0);
}

/* For NOT NULL text columns: NULL is written as the empty string. */
static mih_sql_value v_str0(const char *s)
{
	return v_str(s ? s : "");
}

static mih_sql_value v_bool(bool b)
{
	return mih_sql_int(b ? 1 : 0);
}

/* 0 means "no reference" and is stored as NULL. */
static mih_sql_value v_ref(int64_t id)
{
	return id > 0 ? mih_sql_int(id) : mih_sql_null();
}

static char *memdup0(const char *s, size_t len)
{
	char *out = malloc(len + 1);

	if (out) {
		memcpy(out, s, len);
		out[len] = '\0';
	}
	return out;
}

static int random_hex(char *out, size_t nbytes)
{
	unsigned char raw[32];
	static const char hex[] = "0123456789abcdef";

	if (nbytes > sizeof(raw) || RAND_bytes(raw, (int)nbytes) != 1) {
		return -1;
	}
	for (size_t i = 0; i < nbytes; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 0xf];
	}
	out[2 * nbytes] = '\0';
	return 0;
}

static int64_t default_clock(void *ctx)
{
	(void)ctx;
	return (int64_t)time(NULL);
}

/* ---- reading rows ------------------------------------------------------- */

typedef struct row {
	size_t n;
	const char *const *names;
	const mih_sql_value *vals;
	bool oom;
} row;

static const mih_sql_value *col(const row *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++) {
		if (strcasecmp(r->names[i], name) == 0) {
			return &r->vals[i];
		}
	}
	return NULL;
}

/* PHP's database drivers deliver numbers as strings: accept both. */
static int64_t value_int(const mih_sql_value *v)
{
	char buf[64];

	if (!v) {
		return 0;
	}
	switch (v->type) {
	case MIH_SQL_INT:
		return v->i;
	case MIH_SQL_REAL:
		return (int64_t)v->d;
	case MIH_SQL_TEXT:
		if (!v->s || v->len == 0 || v->len >= sizeof(buf)) {
			return 0;
		}
		memcpy(buf, v->s, v->len);
		buf[v->len] = '\0';
		if (strpbrk(buf, ".eE")) {
			return (int64_t)strtod(buf, NULL);
		}
		return strtoll(buf, NULL, 10);
	default:
		return 0;
	}
}

static double value_real(const mih_sql_value *v)
{
	char buf[64];

	if (!v) {
		return 0.0;
	}
	switch (v->type) {
	case MIH_SQL_INT:
		return (double)v->i;
	case MIH_SQL_REAL:
		return v->d;
	case MIH_SQL_TEXT:
		if (!v->s || v->len == 0 || v->len >= sizeof(buf)) {
			return 0.0;
		}
		memcpy(buf, v->s, v->len);
		buf[v->len] = '\0';
		return strtod(buf, NULL);
	default:
		return 0.0;
	}
}

static int64_t col_int(const row *r, const char *name)
{
	return value_int(col(r, name));
}

static double col_real(const row *r, const char *name)
{
	return value_real(col(r, name));
}

/* A copy of a column as a string (NULL for SQL NULL); marks r->oom. */
static char *col_dup_len(row *r, const char *name, size_t *len)
{
	const mih_sql_value *v = col(r, name);
	char buf[64];
	char *out;

	if (len) {
		*len = 0;
	}
	if (!v || v->type == MIH_SQL_NULL) {
		return NULL;
	}
	if (v->type == MIH_SQL_TEXT) {
		out = memdup0(v->s ? v->s : "", v->len);
		if (out && len) {
			*len = v->len;
		}
	} else {
		if (v->type == MIH_SQL_INT) {
			snprintf(buf, sizeof(buf), "%lld", (long long)v->i);
		} else {
			snprintf(buf, sizeof(buf), "%.17g", v->d);
		}
		out = strdup(buf);
		if (out && len) {
			*len = strlen(out);
		}
	}
	if (!out) {
		r->oom = true;
	}
	return out;
}

static char *col_dup(row *r, const char *name)
{
	return col_dup_len(r, name, NULL);
}

/* Oracle (through Moodle) hands back '' as NULL: treat both as absent. */
static bool col_empty(const row *r, const char *name)
{
	const mih_sql_value *v = col(r, name);

	return !v || v->type == MIH_SQL_NULL || (v->type == MIH_SQL_TEXT && v->len == 0);
}

/* ---- generic queries ---------------------------------------------------- */

typedef int (*fill_fn)(mih_store *st, void *item, row *r, char *err, size_t errlen);
typedef void (*dispose_fn)(void *item);

typedef struct collector {
	mih_store *st;
	char *items;
	size_t count, cap, size;
	fill_fn fill;
	dispose_fn dispose;
	char *err;
	size_t errlen;
} collector;

static int collect_row(void *ctx, size_t ncols, const char *const *names,
	const mih_sql_value *vals)
{
	collector *c = ctx;
	row r = { ncols, names, vals, false };
	void *item;

	if (c->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		char *grown = realloc(c->items, cap * c->size);

		if (!grown) {
			set_err(c->err, c->errlen, "store: out of memory reading rows");
			return -1;
		}
		c->items = grown;
		c->cap = cap;
	}
	item = c->items + c->count * c->size;
	memset(item, 0, c->size);
	if (c->fill(c->st, item, &r, c->err, c->errlen) != 0 || r.oom) {
		if (r.oom) {
			set_err(c->err, c->errlen, "store: out of memory reading rows");
		}
		c->dispose(item);
		return -1;
	}
	c->count++;
	return 0;
}

static void free_items(char *items, size_t count, size_t size, dispose_fn dispose)
{
	for (size_t i = 0; i < count; i++) {
		dispose(items + i * size);
	}
	free(items);
}

static int query_list(mih_store *st, const char *sql, const mih_sql_value *params,
	size_t nparams, long from, long num, size_t size, fill_fn fill, dispose_fn dispose,
	void **out, size_t *count, char *err, size_t errlen)
{
	collector c = { st, NULL, 0, 0, size, fill, dispose, err, errlen };

	*out = NULL;
	*count = 0;
	if (st->ops->query(st->db, sql, params, nparams, from, num, collect_row, &c,
		err, errlen) != 0) {
		free_items(c.items, c.count, size, dispose);
		return -1;
	}
	*out = c.items;
	*count = c.count;
	return 0;
}

/* At most one row into *out: DONE or NOT_FOUND. */
static int query_one(mih_store *st, const char *sql, const mih_sql_value *params,
	size_t nparams, size_t size, fill_fn fill, dispose_fn dispose, void *out,
	char *err, size_t errlen)
{
	void *items;
	size_t count;

	if (query_list(st, sql, params, nparams, 0, 1, size, fill, dispose, &items, &count,
		err, errlen) != 0) {
		return -1;
	}
	if (count == 0) {
		free(items);
		return MIH_STORE_NOT_FOUND;
	}
	memcpy(out, items, size);
	free(items);
	return MIH_STORE_DONE;
}

typedef struct int_rows {
	int64_t *vals;
	size_t count, cap;
	bool null_first;     /* the first row's first column was NULL */
	char *err;
	size_t errlen;
} int_rows;

static int collect_int(void *ctx, size_t ncols, const char *const *names,
	const mih_sql_value *vals)
{
	int_rows *c = ctx;

	(void)names;
	if (ncols == 0) {
		return 0;
	}
	if (c->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		int64_t *grown = realloc(c->vals, cap * sizeof(*grown));

		if (!grown) {
			set_err(c->err, c->errlen, "store: out of memory reading rows");
			return -1;
		}
		c->vals = grown;
		c->cap = cap;
	}
	if (c->count == 0 && vals[0].type == MIH_SQL_NULL) {
		c->null_first = true;
	}
	c->vals[c->count++] = value_int(&vals[0]);
	return 0;
}

/* The first column of every row as integers (ids, counts). */
static int query_ints(mih_store *st, const char *sql, const mih_sql_value *params,
	size_t nparams, long from, long num, int_rows *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->err = err;
	out->errlen = errlen;
	if (st->ops->query(st->db, sql, params, nparams, from, num, collect_int, out,
		err, errlen) != 0) {
		free(out->vals);
		out->vals = NULL;
		return -1;
	}
	return 0;
}

/* One integer: *found false when no row or SQL NULL. */
static int query_int(mih_store *st, const char *sql, const mih_sql_value *params,
	size_t nparams, int64_t *value, bool *found, char *err, size_t errlen)
{
	int_rows rows;

	if (query_ints(st, sql, params, nparams, 0, 1, &rows, err, errlen) != 0) {
		return -1;
	}
	*found = rows.count > 0 && !rows.null_first;
	*value = *found ? rows.vals[0] : 0;
	free(rows.vals);
	return 0;
}

static int exec_sql(mih_store *st, const char *sql, const mih_sql_value *params,
	size_t nparams, char *err, size_t errlen)
{
	return st->ops->exec(st->db, sql, params, nparams, err, errlen);
}

/* A growing WHERE clause with its parameters. */
typedef struct where {
	char sql[1024];
	mih_sql_value params[16];
	size_t n;
} where;

static void where_add(where *w, const char *cond, const mih_sql_value *params, size_t n)
{
	size_t len = strlen(w->sql);

	snprintf(w->sql + len, sizeof(w->sql) - len, "%s%s", len ? " AND " : " WHERE ", cond);
	for (size_t i = 0; i < n && w->n < sizeof(w->params) / sizeof(w->params[0]); i++) {
		w->params[w->n++] = params[i];
	}
}

static void where_add1(where *w, const char *cond, mih_sql_value p)
{
	where_add(w, cond, &p, 1);
}

/* ---- transactions ------------------------------------------------------- */

static int tx_begin(mih_store *st, char *err, size_t errlen)
{
	return st->ops->begin(st->db, err, errlen);
}

/* Commits when rc >= 0 (nothing failed; "not found" paths wrote nothing and
 * must not doom a caller's enclosing transaction), rolls back otherwise. */
static int tx_end(mih_store *st, int rc, char *err, size_t errlen)
{
	if (rc < 0) {
		st->ops->rollback(st->db, NULL, 0);
		return -1;
	}
	if (st->ops->commit(st->db, err, errlen) != 0) {
		return -1;
	}
	return rc;
}

/* ---- lifecycle ---------------------------------------------------------- */

mih_store *mih_store_new(const mih_sql_ops *ops, void *db, void (*close_db)(void *db))
{
	mih_store *st = calloc(1, sizeof(*st));

	if (!st) {
		return NULL;
	}
	st->ops = ops;
	st->db = db;
	st->close_db = close_db;
	st->clock = default_clock;
	return st;
}

void mih_store_close(mih_store *st)
{
	if (!st) {
		return;
	}
	if (st->close_db) {
		st->close_db(st->db);
	}
	free(st);
}

void mih_store_set_clock(mih_store *st, mih_store_clock clock, void *ctx)
{
	st->clock = clock ? clock : default_clock;
	st->clock_ctx = clock ? ctx : NULL;
}

int64_t mih_store_now(const mih_store *st)
{
	return st->clock(st->clock_ctx);
}

const char *mih_store_identity(const mih_store *st)
{
	return st->ops->identity(st->db);
}

int mih_store_begin(mih_store *st, char *err, size_t errlen)
{
	return st->ops->begin(st->db, err, errlen);
}

int mih_store_commit(mih_store *st, char *err, size_t errlen)
{
	return st->ops->commit(st->db, err, errlen);
}

int mih_store_rollback(mih_store *st, char *err, size_t errlen)
{
	return st->ops->rollback(st->db, err, errlen);
}

/* ---- services ----------------------------------------------------------- */

static const char *const service_cols[] = {
	"name", "type", "base_url", "auth_type", "auth_token", "timeout", "max_retries",
	"retry_backoff", "cb_failure_threshold", "cb_cooldown", "response_queue", "enabled",
	"timecreated", "timemodified", "method", "apikey_header", "headers", "connect_timeout",
	"retry_cap", "retry_statuses", "follow_redirects", "cb_mode", "cb_window", "cb_min_calls",
	"cb_failure_rate", "cb_halfopen_probes", "cb_failure_statuses", "max_attempts",
	"queue_backoff", "queue_backoff_cap", "signing_secrets"
};
#define SERVICE_NCOLS (sizeof(service_cols) / sizeof(service_cols[0]))

/* JSON text of the fields kept as JSON; owned by the caller. */
typedef struct service_json {
	char *headers;
	char *retry_statuses;
	char *cb_failure_statuses;
	char *signing_secrets;
} service_json;

static char *status_list_json(const mih_status_list *l)
{
	char *out = malloc(l->count * 12 + 3);
	char *p = out;

	if (!out) {
		return NULL;
	}
	*p++ = '[';
	for (size_t i = 0; i < l->count && i < MIH_SERVICE_MAX_STATUSES; i++) {
		p += sprintf(p, "%s%d", i ? "," : "", l->codes[i]);
	}
	strcpy(p, "]");
	return out;
}

static char *json_text_or(const json_t *j, const char *fallback)
{
	return j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : strdup(fallback);
}

static void service_json_free(service_json *sj)
{
	free(sj->headers);
	free(sj->retry_statuses);
	free(sj->cb_failure_statuses);
	free(sj->signing_secrets);
}

static int service_json_make(const mih_service *svc, service_json *sj)
{
	sj->headers = json_text_or(svc->headers, "{}");
	sj->retry_statuses = status_list_json(&svc->retry_statuses);
	sj->cb_failure_statuses = status_list_json(&svc->cb_failure_statuses);
	sj->signing_secrets = json_text_or(svc->signing_secrets, "[]");
	if (!sj->headers || !sj->retry_statuses || !sj->cb_failure_statuses || !sj->signing_secrets) {
		service_json_free(sj);
		return -1;
	}
	return 0;
}

/* Values in service_cols order. */
static void service_values(const mih_service *svc, const service_json *sj,
	mih_sql_value *v)
{
	size_t i = 0;

	v[i++] = v_str(svc->name);
	v[i++] = v_str("rest");
	v[i++] = v_str0(svc->base_url);
	v[i++] = v_str(mih_auth_type_name(svc->auth_type));
	v[i++] = v_str(svc->auth_token);
	v[i++] = mih_sql_real(svc->timeout);
	v[i++] = mih_sql_int(svc->max_retries);
	v[i++] = mih_sql_real(svc->retry_backoff);
	v[i++] = mih_sql_int(svc->cb_failure_threshold);
	v[i++] = mih_sql_real(svc->cb_cooldown);
	v[i++] = v_str("");
	v[i++] = v_bool(svc->enabled);
	v[i++] = mih_sql_int(svc->timecreated);
	v[i++] = mih_sql_int(svc->timemodified);
	v[i++] = v_str0(svc->method);
	v[i++] = v_str(svc->apikey_header);
	v[i++] = v_str(sj->headers);
	v[i++] = mih_sql_real(svc->connect_timeout);
	v[i++] = mih_sql_real(svc->retry_cap);
	v[i++] = v_str(sj->retry_statuses);
	v[i++] = v_bool(svc->follow_redirects);
	v[i++] = v_str(mih_cb_mode_name(svc->cb_mode));
	v[i++] = mih_sql_real(svc->cb_window);
	v[i++] = mih_sql_int(svc->cb_min_calls);
	v[i++] = mih_sql_int(svc->cb_failure_rate);
	v[i++] = mih_sql_int(svc->cb_halfopen_probes);
	v[i++] = v_str(sj->cb_failure_statuses);
	v[i++] = mih_sql_int(svc->max_attempts);
	v[i++] = mih_sql_real(svc->queue_backoff);
	v[i++] = mih_sql_real(svc->queue_backoff_cap);
	v[i++] = v_str(sj->signing_secrets);
}

static int parse_status_list(const row *r, const char *name, mih_status_list *out,
	const char *svcname, char *err, size_t errlen)
{
	const mih_sql_value *v = col(r, name);
	json_t *arr;
	size_t i;
	json_t *item;

	memset(out, 0, sizeof(*out));
	if (col_empty(r, name) || v->type != MIH_SQL_TEXT) {
		return 0;
	}
	arr = json_loadb(v->s, v->len, JSON_DECODE_ANY, NULL);
	if (!json_is_array(arr)) {
		json_decref(arr);
		set_err(err, errlen, "store: service \"%s\" has a malformed %s column", svcname, name);
		return -1;
	}
	json_array_foreach(arr, i, item) {
		if (out->count < MIH_SERVICE_MAX_STATUSES && json_is_integer(item)) {
			out->codes[out->count++] = (int)json_integer_value(item);
		}
	}
	json_decref(arr);
	return 0;
}

/* The column's JSON, or a fresh empty container when NULL/empty. */
static int parse_json_column(const row *r, const char *name, bool object, json_t **out,
	const char *svcname, char *err, size_t errlen)
{
	const mih_sql_value *v = col(r, name);
	json_t *j;

	if (col_empty(r, name) || v->type != MIH_SQL_TEXT) {
		*out = object ? json_object() : json_array();
		return *out ? 0 : -1;
	}
	j = json_loadb(v->s, v->len, JSON_DECODE_ANY, NULL);
	if (!j || (object ? !json_is_object(j) : !json_is_array(j))) {
		json_decref(j);
		set_err(err, errlen, "store: service \"%s\" has a malformed %s column", svcname, name);
		return -1;
	}
	*out = j;
	return 0;
}

static int parse_auth_type(const row *r, mih_auth_type *out)
{
	const mih_sql_value *v = col(r, "auth_type");

	*out = MIH_AUTH_NONE;
	if (col_empty(r, "auth_type") || v->type != MIH_SQL_TEXT) {
		return 0;
	}
	for (int t = MIH_AUTH_NONE; t <= MIH_AUTH_BASIC; t++) {
		const char *name = mih_auth_type_name((mih_auth_type)t);

		if (name && strlen(name) == v->len && strncasecmp(name, v->s, v->len) == 0) {
			*out = (mih_auth_type)t;
			return 0;
		}
	}
	return -1;
}

static mih_cb_mode parse_cb_mode(const row *r)
{
	const mih_sql_value *v = col(r, "cb_mode");
	const char *rate = mih_cb_mode_name(MIH_CB_RATE);

	if (v && v->type == MIH_SQL_TEXT && rate && strlen(rate) == v->len
		&& strncasecmp(rate, v->s, v->len) == 0) {
		return MIH_CB_RATE;
	}
	return MIH_CB_COUNT;
}

static char *col_dup_nonempty(row *r, const char *name)
{
	return col_empty(r, name) ? NULL : col_dup(r, name);
}

static int fill_service(mih_store *st, void *item, row *r, char *err, size_t errlen)
{
	mih_service *s = item;

	(void)st;
	s->id = col_int(r, "id");
	s->name = col_dup(r, "name");
	s->base_url = col_dup(r, "base_url");
	s->method = col_dup(r, "method");
	s->auth_token = col_dup_nonempty(r, "auth_token");
	s->apikey_header = col_dup_nonempty(r, "apikey_header");
	s->timeout = col_real(r, "timeout");
	s->connect_timeout = col_real(r, "connect_timeout");
	s->max_retries = (long)col_int(r, "max_retries");
	s->retry_backoff = col_real(r, "retry_backoff");
	s->retry_cap = col_real(r, "retry_cap");
	s->follow_redirects = col_int(r, "follow_redirects") != 0;
	s->cb_mode = parse_cb_mode(r);
	s->cb_failure_threshold = (long)col_int(r, "cb_failure_threshold");
	s->cb_window = col_real(r, "cb_window");
	s->cb_cooldown = col_real(r, "cb_cooldown");
	s->cb_min_calls = (long)col_int(r, "cb_min_calls");
	s->cb_failure_rate = (long)col_int(r, "cb_failure_rate");
	s->cb_halfopen_probes = (long)col_int(r, "cb_halfopen_probes");
	s->max_attempts = (long)col_int(r, "max_attempts");
	s->queue_backoff = col_real(r, "queue_backoff");
	s->queue_backoff_cap = col_real(r, "queue_backoff_cap");
	s->enabled = col_int(r, "enabled") != 0;
	s->timecreated = col_int(r, "timecreated");
	s->timemodified = col_int(r, "timemodified");
	if (r->oom || !s->name) {
		r->oom = true;
		return -1;
	}
	if (parse_auth_type(r, &s->auth_type) != 0) {
		set_err(err, errlen, "store: service \"%s\" has an unknown auth_type", s->name);
		return -1;
	}
	if (parse_status_list(r, "retry_statuses", &s->retry_statuses, s->name, err, errlen) != 0
		|| parse_status_list(r, "cb_failure_statuses", &s->cb_failure_statuses, s->name,
			err, errlen) != 0
		|| parse_json_column(r, "headers", true, &s->headers, s->name, err, errlen) != 0
		|| parse_json_column(r, "signing_secrets", false, &s->signing_secrets, s->name,
			err, errlen) != 0) {
		return -1;
	}
	return 0;
}

static void dispose_service(void *item)
{
	mih_service_dispose(item);
}

static int service_insert(mih_store *st, mih_service *svc, char *err, size_t errlen)
{
	service_json sj;
	mih_sql_value vals[SERVICE_NCOLS];
	int rc;

	if (service_json_make(svc, &sj) != 0) {
		set_err(err, errlen, "store: out of memory saving service \"%s\"", svc->name);
		return -1;
	}
	service_values(svc, &sj, vals);
	rc = st->ops->insert(st->db, T_SVC, service_cols, vals, SERVICE_NCOLS, &svc->id,
		err, errlen);
	service_json_free(&sj);
	return rc;
}

static int service_update(mih_store *st, mih_service *svc, char *err, size_t errlen)
{
	service_json sj;
	mih_sql_value vals[SERVICE_NCOLS + 1];
	char sql[1024];
	size_t len;
	int rc;

	len = (size_t)snprintf(sql, sizeof(sql), "UPDATE {" T_SVC "} SET ");
	for (size_t i = 0; i < SERVICE_NCOLS; i++) {
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s%s = ?", i ? ", " : "",
			service_cols[i]);
	}
	snprintf(sql + len, sizeof(sql) - len, " WHERE id = ?");
	if (service_json_make(svc, &sj) != 0) {
		set_err(err, errlen, "store: out of memory saving service \"%s\"", svc->name);
		return -1;
	}
	service_values(svc, &sj, vals);
	vals[SERVICE_NCOLS] = mih_sql_int(svc->id);
	rc = exec_sql(st, sql, vals, SERVICE_NCOLS + 1, err, errlen);
	service_json_free(&sj);
	return rc;
}

int mih_store_service_save(mih_store *st, mih_service *svc, char *err, size_t errlen)
{
	static const char sql[] = "SELECT * FROM {" T_SVC "} WHERE name = ?";
	mih_sql_value p;
	mih_service existing;
	int64_t now = mih_store_now(st);
	int rc;

	if (!svc->name || !*svc->name || strlen(svc->name) > MIH_SERVICE_NAME_MAX) {
		set_err(err, errlen, "store: a service name must be 1 to %d characters",
			MIH_SERVICE_NAME_MAX);
		return -1;
	}
	if (!svc->base_url || !*svc->base_url) {
		set_err(err, errlen, "store: service \"%s\" has no base_url", svc->name);
		return -1;
	}
	if (tx_begin(st, err, errlen) != 0) {
		return -1;
	}
	p = v_str(svc->name);
	memset(&existing, 0, sizeof(existing));
	rc = query_one(st, sql, &p, 1, sizeof(existing), fill_service, dispose_service,
		&existing, err, errlen);
	if (rc == MIH_STORE_DONE) {
		svc->id = existing.id;
		svc->timecreated = existing.timecreated;
		svc->timemodified = now;
		mih_service_dispose(&existing);
		rc = service_update(st, svc, err, errlen);
	} else if (rc == MIH_STORE_NOT_FOUND) {
		svc->timecreated = now;
		svc->timemodified = now;
		rc = service_insert(st, svc, err, errlen);
	}
	return tx_end(st, rc, err, errlen);
}

int mih_store_service_get(mih_store *st, const char *name, mih_service *out,
	char *err, size_t errlen)
{
	static const char sql[] = "SELECT * FROM {" T_SVC "} WHERE name = ?";
	mih_sql_value p = v_str0(name);

	memset(out, 0, sizeof(*out));
	return query_one(st, sql, &p, 1, sizeof(*out), fill_service, dispose_service, out,
		err, errlen);
}

int mih_store_service_get_by_id(mih_store *st, int64_t id, mih_service *out,
	char *err, size_t errlen)
{
	static const char sql[] = "SELECT * FROM {" T_SVC "} WHERE id = ?";
	mih_sql_value p = mih_sql_int(id);

	memset(out, 0, sizeof(*out));
	return query_one(st, sql, &p, 1, sizeof(*out), fill_service, dispose_service, out,
		err, errlen);
}

int mih_store_service_list(mih_store *st, mih_service **out, size_t *count,
	char *err, size_t errlen)
{
	static const char sql[] = "SELECT * FROM {" T_SVC "} ORDER BY name";

	return query_list(st, sql, NULL, 0, 0, 0, sizeof(**out), fill_service, dispose_service,
		(void **)out, count, err, errlen);
}

void mih_store_service_list_free(mih_service *list, size_t count)
{
	free_items((char *)list, count, sizeof(*list), dispose_service);
}

static int count_refs(mih_store *st, const char *sql, int64_t serviceid, int64_t *n,
	char *err, size_t errlen)
{
	mih_sql_value p = mih_sql_int(serviceid);
	bool found;

	return query_int(st, sql, &p, 1, n, &found, err, errlen);
}

int mih_store_service_delete(mih_store *st, const char *name, char *err, size_t errlen)
{
	mih_sql_value p = v_str0(name);
	int64_t id, rules = 0, tasks = 0, dead = 0;
	bool found;
	int rc;

	if (tx_begin(st, err, errlen) != 0) {
		return -1;
	}
	rc = query_int(st, "SELECT id FROM {" T_SVC "} WHERE name = ?", &p, 1, &id, &found,
		err, errlen);
	if (rc == 0 && !found) {
		return tx_end(st, MIH_STORE_NOT_FOUND, err, errlen);
	}
	if (rc == 0) {
		rc = count_refs(st, "SELECT COUNT(*) AS n FROM {" T_RULES "} WHERE serviceid = ?",
			id, &rules, err, errlen);
	}
	if (rc == 0) {
		rc = count_refs(st, "SELECT COUNT(*) AS n FROM {" T_QUEUE "} WHERE serviceid = ?",
			id, &tasks, err, errlen);
	}
	if (rc == 0) {
		rc = count_refs(st, "SELECT COUNT(*) AS n FROM {" T_DLQ "} WHERE serviceid = ?",
			id, &dead, err, errlen);
	}
	if (rc == 0 && (rules || tasks || dead)) {
		set_err(err, errlen, "service \"%s\" is still used by %lld rule(s), %lld queued "
			"task(s) and %lld dead letter(s); delete those first", name, (long long)rules,
			(long long)tasks, (long long)dead);
		rc = -1;
	}
	if (rc == 0) {
		mih_sql_value pid = mih_sql_int(id);

		rc = exec_sql(st, "DELETE FROM {" T_CB "} WHERE serviceid = ?", &pid, 1, err, errlen);
		if (rc == 0) {
			rc = exec_sql(st, "DELETE FROM {" T_SVC "} WHERE id = ?", &pid, 1, err, errlen);
		}
	}
	return tx_end(st, rc, err, errlen);
}

/* ---- rules -------------------------------------------------------------- */

static const char rule_select[] =
	"SELECT r.*, s.name AS service FROM {" T_RULES "} r"
	" LEFT JOIN {" T_SVC "} s ON s.id = r.serviceid";

static int fill_rule(mih_store *st, void *item, row *r, char *err, size_t errlen)
{
	mih_store_rule *rule = item;

	(void)st;
	(void)err;
	(void)errlen;
	rule->id = col_int(r, "id");
	rule->eventname = col_dup(r, "eventname");
	rule->serviceid = col_int(r, "serviceid");
	rule->service = col_dup(r, "service");
	rule->endpoint = col_dup(r, "endpoint");
	rule->http_method = col_dup(r, "http_method");
	rule->payload_template = col_dup(r, "payload_template");
	rule->headers = col_dup_nonempty(r, "headers");
	rule->enabled = col_int(r, "enabled") != 0;
	rule->timecreated = col_int(r, "timecreated");
	rule->timemodified = col_int(r, "timemodified");
	return 0;
}

void mih_store_rule_dispose(mih_store_rule *rule)
{
	if (!rule) {
		return;
	}
	free(rule->eventname);
	free(rule->service);
	free(rule->endpoint);
	free(rule->http_method);
	free(rule->payload_template);
	free(rule->headers);
	memset(rule, 0, sizeof(*rule));
}

static void dispose_rule(void *item)
{
	mih_store_rule_dispose(item);
}

void mih_store_rule_list_free(mih_store_rule *list, size_t count)
{
	free_items((char *)list, count, sizeof(*list), dispose_rule);
}

/* Readers on other hosts compare this number to notice rule changes. */
static int bump_rules_version(mih_store *st, char *err, size_t errlen)
{
	static const char *const cols[] = { "name", "value" };
	mih_sql_value key = v_str(RULES_VERSION_KEY);
	mih_sql_value vals[2] = { v_str(RULES_VERSION_KEY), mih_sql_int(1) };
	int64_t id;
	bool found;

	if (exec_sql(st, "UPDATE {" T_META "} SET value = value + 1 WHERE name = ?", &key, 1,
		err, errlen) != 0
		|| query_int(st, "SELECT id FROM {" T_META "} WHERE name = ?", &key, 1, &id, &found,
			err, errlen) != 0) {
		return -1;
	}
	if (found) {
		return 0;
	}
	return st->ops->insert(st->db, T_META, cols, vals, 2, &id, err, errlen);
}

int mih_store_rules_version(mih_store *st, int64_t *version, char *err, size_t errlen)
{
	mih_sql_value key = v_str(RULES_VERSION_KEY);
	bool found;

	return query_int(st, "SELECT value FROM {" T_META "} WHERE name = ?", &key, 1,
		version, &found, err, errlen);
}

static const char *const rule_cols[] = {
	"eventname", "serviceid", "endpoint", "http_method", "payload_template", "enabled",
	"timecreated", "timemodified", "headers"
};
#define RULE_NCOLS (sizeof(rule_cols) / sizeof(rule_cols[0]))

static void rule_values(const mih_store_rule *rule, mih_sql_value *v)
{
	v[0] = v_str(rule->eventname);
	v[1] = mih_sql_int(rule->serviceid);
	v[2] = v_str(rule->endpoint);
	v[3] = v_str(rule->http_method);
	v[4] = v_str(rule->payload_template);
	v[5] = v_bool(rule->enabled);
	v[6] = mih_sql_int(rule->timecreated);
	v[7] = mih_sql_int(rule->timemodified);
	v[8] = v_str(rule->headers);
}

static int rule_validate(mih_store *st, const mih_store_rule *rule, char *err, size_t errlen)
{
	mih_sql_value p = mih_sql_int(rule->serviceid);
	int64_t id;
	bool found;

	if (!rule->eventname || !*rule->eventname) {
		set_err(err, errlen, "store: a rule needs an eventname");
		return -1;
	}
	if (!rule->http_method || !*rule->http_method) {
		set_err(err, errlen, "store: a rule needs an http_method");
		return -1;
	}
	if (query_int(st, "SELECT id FROM {" T_SVC "} WHERE id = ?", &p, 1, &id, &found,
		err, errlen) != 0) {
		return -1;
	}
	if (!found) {
		set_err(err, errlen, "store: a rule refers to service id %lld, which does not exist",
			(long long)rule->serviceid);
		return -1;
	}
	return 0;
}

static int rule_write(mih_store *st, mih_store_rule *rule, char *err, size_t errlen)
{
	mih_sql_value vals[RULE_NCOLS + 1];
	char sql[512];
	size_t len;
	int64_t created;
	bool found;
	mih_sql_value pid = mih_sql_int(rule->id);

	rule->timemodified = mih_store_now(st);
	if (rule->id == 0) {
		rule->timecreated = rule->timemodified;
		rule_values(rule, vals);
		return st->ops->insert(st->db, T_RULES, rule_cols, vals, RULE_NCOLS, &rule->id,
			err, errlen);
	}
	if (query_int(st, "SELECT timecreated FROM {" T_RULES "} WHERE id = ?", &pid, 1,
		&created, &found, err, errlen) != 0) {
		return -1;
	}
	if (!found) {
		return MIH_STORE_NOT_FOUND;
	}
	rule->timecreated = created;
	len = (size_t)snprintf(sql, sizeof(sql), "UPDATE {" T_RULES "} SET ");
	for (size_t i = 0; i < RULE_NCOLS; i++) {
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s%s = ?", i ? ", " : "",
			rule_cols[i]);
	}
	snprintf(sql + len, sizeof(sql) - len, " WHERE id = ?");
	rule_values(rule, vals);
	vals[RULE_NCOLS] = pid;
	return exec_sql(st, sql, vals, RULE_NCOLS + 1, err, errlen);
}

int mih_store_rule_save(mih_store *st, mih_store_rule *rule, char *err, size_t errlen)
{
	int rc;

	if (rule->id < 0) {
		set_err(err, errlen, "store: rule id %lld is invalid", (long long)rule->id);
		return -1;
	}
	if (tx_begin(st, err, errlen) != 0) {
		return -1;
	}
	rc = rule_validate(st, rule, err, errlen);
	if (rc == 0) {
		rc = rule_write(st, rule, err, errlen);
	}
	if (rc == MIH_STORE_DONE) {
		rc = bump_rules_version(st, err, errlen);
	}
	return tx_end(st, rc, err, errlen);
}

int mih_store_rule_get(mih_store *st, int64_t id, mih_store_rule *out, char *err, size_t errlen)
{
	char sql[256];
	mih_sql_value p = mih_sql_int(id);

	snprintf(sql, sizeof(sql), "%s WHERE r.id = ?", rule_select);
	memset(out, 0, sizeof(*out));
	return query_one(st, sql, &p, 1, sizeof(*out), fill_rule, dispose_rule, out, err, errlen);
}

int mih_store_rule_list(mih_store *st, const mih_store_rule_filter *filter,
	mih_store_rule **out, size_t *count, char *err, size_t errlen)
{
	where w = { "", { { 0 } }, 0 };
	char sql[1536];

	if (filter && filter->eventname) {
		where_add1(&w, "r.eventname = ?", v_str(filter->eventname));
	}
	if (filter && filter->serviceid > 0) {
		where_add1(&w, "r.serviceid = ?", mih_sql_int(filter->serviceid));
	}
	if (filter && filter->enabled >= 0) {
		where_add1(&w, "r.enabled = ?", v_bool(filter->enabled != 0));
	}
	snprintf(sql, sizeof(sql), "%s%s ORDER BY r.id", rule_select, w.sql);
	return query_list(st, sql, w.params, w.n, 0, 0, sizeof(**out), fill_rule, dispose_rule,
		(void **)out, count, err, errlen);
}

int mih_store_rules_for_event(mih_store *st, const char *eventname,
	mih_store_rule **out, size_t *count, char *err, size_t errlen)
{
	mih_store_rule_filter filter = { eventname ? eventname : "", 0, 1 };

	return mih_store_rule_list(st, &filter, out, count, err, errlen);
}

int mih_store_rule_delete(mih_store *st, int64_t id, char *err, size_t errlen)
{
	mih_sql_value p = mih_sql_int(id);
	int64_t found_id;
	bool found;
	int rc;

	if (tx_begin(st, err, errlen) != 0) {
		return -1;
	}
	rc = query_int(st, "SELECT id FROM {" T_RULES "} WHERE id = ?", &p, 1, &found_id, &found,
		err, errlen);
	if (rc == 0 && !found) {
		rc = MIH_STORE_NOT_FOUND;
	}
	if (rc == 0) {
		rc = exec_sql(st, "DELETE FROM {" T_RULES "} WHERE id = ?", &p, 1, err, errlen);
	}
	if (rc == 0) {
		rc = bump_rules_version(st, err, errlen);
	}
	return tx_end(st, rc, err, errlen);
}

/* ---- queue -------------------------------------------------------------- */

#define IDEMPOTENCY_KEY_MAX 64

static const char task_full_select[] =
	"SELECT q.*, s.name AS service FROM {" T_QUEUE "} q"
	" LEFT JOIN {" T_SVC "} s ON s.id = q.serviceid";

static const char task_summary_select[] =
	"SELECT q.id, q.ruleid, q.serviceid, q.eventname, q.endpoint, q.http_method,"
	" q.idempotency_key, q.attempts, q.next_run, q.status, q.last_status, q.last_error,"
	" q.claim_token, q.lease_until, q.timecreated, q.timemodified, s.name AS service"
	" FROM {" T_QUEUE "} q LEFT JOIN {" T_SVC "} s ON s.id = q.serviceid";

static const char *const task_state_names[] = { "pending", "retrying", "parked", "running" };

const char *mih_task_state_name(mih_task_state s)
{
	if (s < MIH_TASK_PENDING || s > MIH_TASK_RUNNING) {
		return "";
	}
	return task_state_names[s];
}

int mih_task_state_parse(const char *name, mih_task_state *out)
{
	if (!name || !*name) {
		*out = MIH_TASK_ANY;
		return 0;
	}
	for (int s = MIH_TASK_PENDING; s <= MIH_TASK_RUNNING; s++) {
		if (strcmp(name, task_state_names[s]) == 0) {
			*out = (mih_task_state)s;
			return 0;
		}
	}
	return -1;
}

static mih_task_state derive_state(const mih_store_task *t, int64_t now)
{
	if (t->lease_until > now) {
		return MIH_TASK_RUNNING;
	}
	if (t->parked) {
		return MIH_TASK_PARKED;
	}
	return t->next_run <= now ? MIH_TASK_PENDING : MIH_TASK_RETRYING;
}

static int fill_task(mih_store *st, void *item, row *r, char *err, size_t errlen)
{
	mih_store_task *t = item;
	const mih_sql_value *status = col(r, "status");

	(void)err;
	(void)errlen;
	t->id = col_int(r, "id");
	t->ruleid = col_int(r, "ruleid");
	t->serviceid = col_int(r, "serviceid");
	t->service = col_dup(r, "service");
	t->eventname = col_dup(r, "eventname");
	t->endpoint = col_dup(r, "endpoint");
	t->http_method = col_dup(r, "http_method");
	t->payload = col_dup_len(r, "payload", &t->payload_len);
	t->headers = col_dup_nonempty(r, "headers");
	t->eventdata = col_dup_nonempty(r, "eventdata");
	t->idempotency_key = col_dup(r, "idempotency_key");
	t->attempts = (long)col_int(r, "attempts");
	t->next_run = col_int(r, "next_run");
	t->parked = status && status->type == MIH_SQL_TEXT && status->len == strlen(STATUS_PARKED)
		&& memcmp(status->s, STATUS_PARKED, status->len) == 0;
	t->last_status = (int)col_int(r, "last_status");
	t->last_error = col_dup_nonempty(r, "last_error");
	t->claim_token = col_dup_nonempty(r, "claim_token");
	t->lease_until = col_int(r, "lease_until");
	t->timecreated = col_int(r, "timecreated");
	t->timemodified = col_int(r, "timemodified");
	t->state = derive_state(t, mih_store_now(st));
	return 0;
}

void mih_store_task_dispose(mih_store_task *t)
{
	if (!t) {
		return;
	}
	free(t->service);
	free(t->eventname);
	free(t->endpoint);
	free(t->http_method);
	free(t->payload);
	free(t->headers);
	free(t->eventdata);
	free(t->idempotency_key);
	free(t->last_error);
	free(t->claim_token);
	memset(t, 0, sizeof(*t));
}

static void dispose_task(void *item)
{
	mih_store_task_dispose(item);
}

void mih_store_task_list_free(mih_store_task *list, size_t count)
{
	free_items((char *)list, count, sizeof(*list), dispose_task);
}

static const char *const task_cols[] = {
	"ruleid", "serviceid", "eventname", "endpoint", "http_method", "payload", "headers",
	"eventdata", "idempotency_key", "attempts", "next_run", "status", "last_status",
	"last_error", "claim_token", "lease_until", "timecreated", "timemodified"
};
#define TASK_NCOLS (sizeof(task_cols) / sizeof(task_cols[0]))

static void task_values(const mih_store_task *t, int64_t now, mih_sql_value *v)
{
	v[0] = v_ref(t->ruleid);
	v[1] = mih_sql_int(t->serviceid);
	v[2] = v_str(t->eventname);
	v[3] = v_str(t->endpoint);
	v[4] = v_str0(t->http_method);
	v[5] = mih_sql_text(t->payload, t->payload_len);
	v[6] = v_str(t->headers);
	v[7] = v_str(t->eventdata);
	v[8] = v_str(t->idempotency_key);
	v[9] = mih_sql_int(t->attempts);
	v[10] = mih_sql_int(t->next_run);
	v[11] = v_str(t->parked ? STATUS_PARKED : STATUS_QUEUED);
	v[12] = mih_sql_int(t->last_status);
	v[13] = v_str(t->last_error);
	v[14] = v_str("");
	v[15] = mih_sql_int(0);
	v[16] = mih_sql_int(t->timecreated);
	v[17] = mih_sql_int(now);
}

static int task_check(const mih_store_task *t, char *err, size_t errlen)
{
	if (t->serviceid <= 0) {
		set_err(err, errlen, "store: a task needs a service id");
		return -1;
	}
	if (!t->http_method || !*t->http_method) {
		set_err(err, errlen, "store: a task needs an http_method");
		return -1;
	}
	if (t->idempotency_key && (!*t->idempotency_key
		|| strlen(t->idempotency_key) > IDEMPOTENCY_KEY_MAX)) {
		set_err(err, errlen, "store: an idempotency key must be 1 to %d characters",
			IDEMPOTENCY_KEY_MAX);
		return -1;
	}
	return 0;
}

int mih_store_enqueue(mih_store *st, mih_store_task *task, char *err, size_t errlen)
{
	mih_sql_value vals[TASK_NCOLS];
	int64_t now = mih_store_now(st);

	if (task_check(task, err, errlen) != 0) {
		return -1;
	}
	if (!task->idempotency_key) {
		char key[4 + 32 + 1] = "msg_";

		if (random_hex(key + 4, 16) != 0 || !(task->idempotency_key = strdup(key))) {
			set_err(err, errlen, "store: cannot generate an idempotency key");
			return -1;
		}
	}
	if (task->next_run == 0) {
		task->next_run = now;
	}
	if (task->timecreated == 0) {
		task->timecreated = now;
	}
	task->timemodified = now;
	task_values(task, now, vals);
	return st->ops->insert(st->db, T_QUEUE, task_cols, vals, TASK_NCOLS, &task->id,
		err, errlen);
}

/* Moves a random choice of want of the n ids to the front. Competing
 * claimers that all looked at the same oldest due tasks then mostly pick
 * different ones, instead of one of them losing every round. */
static void pick_random_subset(int64_t *ids, size_t n, size_t want)
{
	uint32_t rnd[CLAIM_ROUND_MAX];

	if (RAND_bytes((unsigned char *)rnd, (int)(want * sizeof(rnd[0]))) != 1) {
		return;   /* oldest first: still correct, only more contended */
	}
	for (size_t i = 0; i < want; i++) {
		size_t j = i + rnd[i] % (n - i);
		int64_t tmp = ids[i];

		ids[i] = ids[j];
		ids[j] = tmp;
	}
}

/* One claim round: candidates, guarded token write, read-back. Appends the
 * won tasks to *out. Oldest first; after a round lost to a competitor
 * (spread), a random choice among a wider window of the oldest. */
static int claim_round(mih_store *st, long want, bool spread, int64_t now, int64_t lease_until,
	mih_store_task **out, size_t *count, size_t *cap, bool *exhausted, char *err, size_t errlen)
{
	mih_sql_value cand_params[2] = { mih_sql_int(now), mih_sql_int(now) };
	mih_sql_value upd[5 + CLAIM_ROUND_MAX];
	char token[MIH_STORE_CLAIM_TOKEN_LEN + 1];
	char sql[256 + CLAIM_ROUND_MAX * 2];
	int_rows ids;
	mih_store_task *won;
	size_t nwon;
	size_t len;
	mih_sql_value tp;

	long window = spread ? want * CLAIM_WINDOW_FACTOR : want;

	if (window > CLAIM_ROUND_MAX) {
		window = CLAIM_ROUND_MAX;
	}
	if (query_ints(st, "SELECT id FROM {" T_QUEUE "} WHERE next_run <= ? AND lease_until <= ?"
		" ORDER BY next_run, id", cand_params, 2, 0, window, &ids, err, errlen) != 0) {
		return -1;
	}
	*exhausted = ids.count < (size_t)window;
	if (ids.count == 0) {
		free(ids.vals);
		return 0;
	}
	if (ids.count > (size_t)want) {
		pick_random_subset(ids.vals, ids.count, (size_t)want);
		ids.count = (size_t)want;
	}
	if (random_hex(token, MIH_STORE_CLAIM_TOKEN_LEN / 2) != 0) {
		free(ids.vals);
		set_err(err, errlen, "store: cannot generate a claim token");
		return -1;
	}
	len = (size_t)snprintf(sql, sizeof(sql), "UPDATE {" T_QUEUE "} SET claim_token = ?,"
		" lease_until = ?, timemodified = ? WHERE next_run <= ? AND lease_until <= ? AND id IN (");
	upd[0] = v_str(token);
	upd[1] = mih_sql_int(lease_until);
	upd[2] = mih_sql_int(now);
	upd[3] = mih_sql_int(now);
	upd[4] = mih_sql_int(now);
	for (size_t i = 0; i < ids.count; i++) {
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s?", i ? "," : "");
		upd[5 + i] = mih_sql_int(ids.vals[i]);
	}
	snprintf(sql + len, sizeof(sql) - len, ")");
	if (exec_sql(st, sql, upd, 5 + ids.count, err, errlen) != 0) {
		free(ids.vals);
		return -1;
	}
	free(ids.vals);
	snprintf(sql, sizeof(sql), "%s WHERE q.claim_token = ? ORDER BY q.next_run, q.id",
		task_full_select);
	tp = v_str(token);
	if (query_list(st, sql, &tp, 1, 0, 0, sizeof(*won), fill_task, dispose_task,
		(void **)&won, &nwon, err, errlen) != 0) {
		return -1;
	}
	if (*count + nwon > *cap) {
		size_t newcap = (*count + nwon) * 2;
		mih_store_task *grown = realloc(*out, newcap * sizeof(*grown));

		if (!grown) {
			mih_store_task_list_free(won, nwon);
			set_err(err, errlen, "store: out of memory claiming tasks");
			return -1;
		}
		*out = grown;
		*cap = newcap;
	}
	if (nwon) {
		memcpy(*out + *count, won, nwon * sizeof(*won));
	}
	*count += nwon;
	free(won);
	return 0;
}

int mih_store_claim_due(mih_store *st, long limit, long lease_seconds,
	mih_store_task **out, size_t *count, char *err, size_t errlen)
{
	int64_t now = mih_store_now(st);
	size_t cap = 0;
	int idle = 0;

	*out = NULL;
	*count = 0;
	if (limit <= 0) {
		set_err(err, errlen, "store: the claim limit must be positive, got %ld", limit);
		return -1;
	}
	if (lease_seconds <= 0) {
		set_err(err, errlen, "store: the lease must be at least 1 second, got %ld",
			lease_seconds);
		return -1;
	}
	while (*count < (size_t)limit && idle < CLAIM_IDLE_ROUNDS) {
		long want = limit - (long)*count;
		size_t before = *count;
		bool exhausted;

		if (want > CLAIM_ROUND_MAX) {
			want = CLAIM_ROUND_MAX;
		}
		if (claim_round(st, want, idle > 0, now, now + lease_seconds, out, count, &cap, &exhausted,
			err, errlen) != 0) {
			mih_store_task_list_free(*out, *count);
			*out = NULL;
			*count = 0;
			return -1;
		}
		if (exhausted && *count - before == 0) {
			break;
		}
		/* Rows lost to a competing claimer: try the next candidates. */
		idle = *count == before ? idle + 1 : 0;
	}
	return 0;
}

static int need_token(const mih_store_task *t, char *err, size_t errlen)
{
	if (t->id <= 0 || !t->claim_token || !*t->claim_token) {
		set_err(err, errlen, "store: task %lld was not claimed (no claim token)",
			(long long)t->id);
		return -1;
	}
	return 0;
}

int mih_store_complete(mih_store *st, const mih_store_task *task, char *err, size_t errlen)
{
	mih_sql_value p[2];

	if (need_token(task, err, errlen) != 0) {
		return -1;
	}
	p[0] = mih_sql_int(task->id);
	p[1] = v_str(task->claim_token);
	return exec_sql(st, "DELETE FROM {" T_QUEUE "} WHERE id = ? AND claim_token = ?", p, 2,
		err, errlen);
}

int mih_store_reschedule(mih_store *st, const mih_store_task *task, long attempts,
	int64_t next_run, int last_status, const char *last_error, char *err, size_t errlen)
{
	mih_sql_value p[9];

	if (need_token(task, err, errlen) != 0) {
		return -1;
	}
	p[0] = mih_sql_int(attempts);
	p[1] = mih_sql_int(next_run);
	p[2] = v_str(STATUS_QUEUED);
	p[3] = mih_sql_int(last_status);
	p[4] = v_str(last_error);
	p[5] = v_str("");
	p[6] = mih_sql_int(mih_store_now(st));
	p[7] = mih_sql_int(task->id);
	p[8] = v_str(task->claim_token);
	return exec_sql(st, "UPDATE {" T_QUEUE "} SET attempts = ?, next_run = ?, status = ?,"
		" last_status = ?, last_error = ?, claim_token = ?, lease_until = 0, timemodified = ?"
		" WHERE id = ? AND claim_token = ?", p, 9, err, errlen);
}

int mih_store_park(mih_store *st, const mih_store_task *task, int64_t next_run,
	const char *reason, char *err, size_t errlen)
{
	mih_sql_value p[7];

	if (need_token(task, err, errlen) != 0) {
		return -1;
	}
	p[0] = mih_sql_int(next_run);
	p[1] = v_str(STATUS_PARKED);
	p[2] = v_str(reason);
	p[3] = v_str("");
	p[4] = mih_sql_int(mih_store_now(st));
	p[5] = mih_sql_int(task->id);
	p[6] = v_str(task->claim_token);
	return exec_sql(st, "UPDATE {" T_QUEUE "} SET next_run = ?, status = ?, last_error = ?,"
		" claim_token = ?, lease_until = 0, timemodified = ? WHERE id = ? AND claim_token = ?",
		p, 7, err, errlen);
}

static const char *const dead_cols[] = {
	"eventname", "serviceid", "payload", "error_message", "timecreated", "taskid", "ruleid",
	"endpoint", "http_method", "headers", "eventdata", "idempotency_key", "attempts",
	"last_status", "response", "taskcreated"
};
#define DEAD_NCOLS (sizeof(dead_cols) / sizeof(dead_cols[0]))

/* At most max bytes of s, without splitting a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (!s || len <= max) {
		return s ? len : 0;
	}
	len = max;
	while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80) {
		len--;
	}
	return len;
}

static int insert_dead(mih_store *st, const mih_store_task *t, long attempts, int last_status,
	const char *error, const char *response, size_t response_len, int64_t *dead_id,
	char *err, size_t errlen)
{
	mih_sql_value v[DEAD_NCOLS];
	int64_t id;

	v[0] = v_str(t->eventname);
	v[1] = mih_sql_int(t->serviceid);
	v[2] = mih_sql_text(t->payload, t->payload_len);
	v[3] = v_str(error);
	v[4] = mih_sql_int(mih_store_now(st));
	v[5] = v_ref(t->id);
	v[6] = v_ref(t->ruleid);
	v[7] = v_str(t->endpoint);
	v[8] = v_str(t->http_method);
	v[9] = v_str(t->headers);
	v[10] = v_str(t->eventdata);
	v[11] = v_str(t->idempotency_key);
	v[12] = mih_sql_int(attempts);
	v[13] = mih_sql_int(last_status);
	v[14] = mih_sql_text(response, utf8_cut(response, response_len, MIH_STORE_RESPONSE_MAX));
	v[15] = mih_sql_int(t->timecreated ? t->timecreated : mih_store_now(st));
	if (st->ops->insert(st->db, T_DLQ, dead_cols, v, DEAD_NCOLS, &id, err, errlen) != 0) {
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
		p[2] = v_str(t->claim_token);
		if (exec_sql(st, "UPDATE {" T_QUEUE "} SET timemodified = ? WHERE id = ?"
			" AND claim_token = ?", p, 3, err, errlen) != 0
			|| query_int(st, "SELECT id FROM {" T_QUEUE "} WHERE id = ? AND claim_token = ?",
				p + 1, 2, &id, &found, err, errlen) != 0) {
			return -1;
		}
		return found ? MIH_STORE_DONE : MIH_STORE_LOST;
	}
	p[0] = mih_sql_int(t->id);
	if (query_int(st, "SELECT id FROM {" T_QUEUE "} WHERE id = ?", p, 1, &id, &found,
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
		set_err(err, errlen, "store: a dead letter needs a service id");
		return -1;
	}
	if (tx_begin(st, err, errlen) != 0) {
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

		rc = exec_sql(st, "DELETE FROM {" T_QUEUE "} WHERE id = ?", &p, 1, err, errlen);
	}
	return tx_end(st, rc, err, errlen);
}

static void task_state_where(where *w, mih_task_state state, int64_t now)
{
	mih_sql_value p[2];

	switch (state) {
	case MIH_TASK_RUNNING:
		where_add1(w, "q.lease_until > ?", mih_sql_int(now));
		break;
	case MIH_TASK_PARKED:
		p[0] = mih_sql_int(now);
		p[1] = v_str(STATUS_PARKED);
		where_add(w, "q.lease_until <= ? AND q.status = ?", p, 2);
		break;
	case MIH_TASK_PENDING:
	case MIH_TASK_RETRYING:
		p[0] = mih_sql_int(now);
		p[1] = v_str(STATUS_QUEUED);
		where_add(w, "q.lease_until <= ? AND q.status = ?", p, 2);
		where_add1(w, state == MIH_TASK_PENDING ? "q.next_run <= ?" : "q.next_run > ?",
			mih_sql_int(now));
		break;
	default:
		break;
	}
}

int mih_store_task_list(mih_store *st, const mih_store_task_filter *filter,
	mih_store_task **out, size_t *count, char *err, size_t errlen)
{
	where w = { "", { { 0 } }, 0 };
	char sql[2048];
	long limit = filter && filter->limit > 0 ? filter->limit : MIH_STORE_LIST_DEFAULT;
	long offset = filter && filter->offset > 0 ? filter->offset : 0;

	if (filter) {
		task_state_where(&w, filter->state, mih_store_now(st));
		if (filter->serviceid > 0) {
			where_add1(&w, "q.serviceid = ?", mih_sql_int(filter->serviceid));
		}
	}
	snprintf(sql, sizeof(sql), "%s%s ORDER BY q.next_run, q.id", task_summary_select, w.sql);
	return query_list(st, sql, w.params, w.n, offset, limit, sizeof(**out), fill_task,
		dispose_task, (void **)out, count, err, errlen);
}

int mih_store_task_get(mih_store *st, int64_t id, mih_store_task *out, char *err, size_t errlen)
{
	char sql[256];
	mih_sql_value p = mih_sql_int(id);

	snprintf(sql, sizeof(sql), "%s WHERE q.id = ?", task_full_select);
	memset(out, 0, sizeof(*out));
	return query_one(st, sql, &p, 1, sizeof(*out), fill_task, dispose_task, out, err, errlen);
}

/* NOT_FOUND, RUNNING or DONE (exists and not leased). */
static int task_presence(mih_store *st, int64_t id, int64_t now, char *err, size_t errlen)
{
	mih_sql_value p = mih_sql_int(id);
	int64_t lease;
	bool found;

	if (query_int(st, "SELECT lease_until FROM {" T_QUEUE "} WHERE id = ?", &p, 1, &lease,
		&found, err, errlen) != 0) {
		return -1;
	}
	if (!found) {
		return MIH_STORE_NOT_FOUND;
	}
	return lease > now ? MIH_STORE_RUNNING : MIH_STORE_DONE;
}

int mih_store_task_retry_now(mih_store *st, int64_t id, char *err, size_t errlen)
{
	int64_t now = mih_store_now(st);
	int rc = task_presence(st, id, now, err, errlen);
	mih_sql_value p[5];

	if (rc != MIH_STORE_DONE) {
		return rc;
	}
	p[0] = mih_sql_int(now);
	p[1] = v_str(STATUS_QUEUED);
	p[2] = mih_sql_int(now);
	p[3] = mih_sql_int(id);
	p[4] = mih_sql_int(now);
	if (exec_sql(st, "UPDATE {" T_QUEUE "} SET next_run = ?, status = ?, timemodified = ?"
		" WHERE id = ? AND lease_until <= ?", p, 5, err, errlen) != 0) {
		return -1;
	}
	return MIH_STORE_DONE;
}

int mih_store_task_delete(mih_store *st, int64_t id, char *err, size_t errlen)
{
	int64_t now = mih_store_now(st);
	int rc = task_presence(st, id, now, err, errlen);
	mih_sql_value p[2];

	if (rc != MIH_STORE_DONE) {
		return rc;
	}
	p[0] = mih_sql_int(id);
	p[1] = mih_sql_int(now);
	if (exec_sql(st, "DELETE FROM {" T_QUEUE "} WHERE id = ? AND lease_until <= ?", p, 2,
		err, errlen) != 0) {
		return -1;
	}
	/* A worker may have claimed it between the check and the delete. */
	rc = task_presence(st, id, now, err, errlen);
	if (rc < 0) {
		return -1;
	}
	return rc == MIH_STORE_NOT_FOUND ? MIH_STORE_DONE : MIH_STORE_RUNNING;
}

typedef struct counts_ctx {
	mih_store_queue_counts *items;
	size_t count, cap;
	char *err;
	size_t errlen;
} counts_ctx;

static int collect_counts(void *ctx, size_t ncols, const char *const *names,
	const mih_sql_value *vals)
{
	counts_ctx *c = ctx;
	row r = { ncols, names, vals, false };
	mih_store_queue_counts *q;

	if (c->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		mih_store_queue_counts *grown = realloc(c->items, cap * sizeof(*grown));

		if (!grown) {
			set_err(c->err, c->errlen, "store: out of memory reading queue counts");
			return -1;
		}
		c->items = grown;
		c->cap = cap;
	}
	q = &c->items[c->count++];
	q->serviceid = col_int(&r, "serviceid");
	q->pending = (long)col_int(&r, "pending");
	q->retrying = (long)col_int(&r, "retrying");
	q->parked = (long)col_int(&r, "parked");
	q->running = (long)col_int(&r, "running");
	return 0;
}

int mih_store_queue_counts_list(mih_store *st, mih_store_queue_counts **out, size_t *count,
	char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT serviceid,"
		" SUM(CASE WHEN lease_until > ? THEN 1 ELSE 0 END) AS running,"
		" SUM(CASE WHEN lease_until <= ? AND status = ? THEN 1 ELSE 0 END) AS parked,"
		" SUM(CASE WHEN lease_until <= ? AND status = ? AND next_run <= ? THEN 1 ELSE 0 END)"
		" AS pending,"
		" SUM(CASE WHEN lease_until <= ? AND status = ? AND next_run > ? THEN 1 ELSE 0 END)"
		" AS retrying"
		" FROM {" T_QUEUE "} GROUP BY serviceid ORDER BY serviceid";
	int64_t now = mih_store_now(st);
	mih_sql_value p[9] = {
		mih_sql_int(now), mih_sql_int(now), v_str(STATUS_PARKED),
		mih_sql_int(now), v_str(STATUS_QUEUED), mih_sql_int(now),
		mih_sql_int(now), v_str(STATUS_QUEUED), mih_sql_int(now)
	};
	counts_ctx c = { NULL, 0, 0, err, errlen };

	*out = NULL;
	*count = 0;
	if (st->ops->query(st->db, sql, p, 9, 0, 0, collect_counts, &c, err, errlen) != 0) {
		free(c.items);
		return -1;
	}
	*out = c.items;
	*count = c.count;
	return 0;
}

int mih_store_next_due(mih_store *st, int64_t *when, bool *any, char *err, size_t errlen)
{
	return query_int(st, "SELECT MIN(CASE WHEN lease_until > next_run THEN lease_until"
		" ELSE next_run END) AS due FROM {" T_QUEUE "}", NULL, 0, when, any, err, errlen);
}

/* ---- dead letters ------------------------------------------------------- */

static const char dead_select[] =
	"SELECT d.*, s.name AS service FROM {" T_DLQ "} d"
	" LEFT JOIN {" T_SVC "} s ON s.id = d.serviceid";

static int fill_dead(mih_store *st, void *item, row *r, char *err, size_t errlen)
{
	mih_store_dead *d = item;

	(void)st;
	(void)err;
	(void)errlen;
	d->id = col_int(r, "id");
	d->taskid = col_int(r, "taskid");
	d->ruleid = col_int(r, "ruleid");
	d->serviceid = col_int(r, "serviceid");
	d->service = col_dup(r, "service");
	d->eventname = col_dup(r, "eventname");
	d->endpoint = col_dup(r, "endpoint");
	d->http_method = col_dup(r, "http_method");
	d->payload = col_dup_len(r, "payload", &d->payload_len);
	d->headers = col_dup_nonempty(r, "headers");
	d->eventdata = col_dup_nonempty(r, "eventdata");
	d->idempotency_key = col_dup(r, "idempotency_key");
	d->attempts = (long)col_int(r, "attempts");
	d->last_status = (int)col_int(r, "last_status");
	d->error_message = col_dup(r, "error_message");
	d->response = col_dup(r, "response");
	d->taskcreated = col_int(r, "taskcreated");
	d->timecreated = col_int(r, "timecreated");
	return 0;
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
	free_items((char *)list, count, sizeof(*list), dispose_dead);
}

/* prefix is "d." for joined queries, "" for single-table ones. */
static void dead_where(where *w, const mih_store_dead_filter *f, const char *prefix)
{
	char cond[64];

	if (!f) {
		return;
	}
	if (f->serviceid > 0) {
		snprintf(cond, sizeof(cond), "%sserviceid = ?", prefix);
		where_add1(w, cond, mih_sql_int(f->serviceid));
	}
	if (f->eventname) {
		snprintf(cond, sizeof(cond), "%seventname = ?", prefix);
		where_add1(w, cond, v_str(f->eventname));
	}
	if (f->since > 0) {
		snprintf(cond, sizeof(cond), "%stimecreated >= ?", prefix);
		where_add1(w, cond, mih_sql_int(f->since));
	}
}

int mih_store_dead_list(mih_store *st, const mih_store_dead_filter *filter,
	mih_store_dead **out, size_t *count, char *err, size_t errlen)
{
	where w = { "", { { 0 } }, 0 };
	char sql[1536];
	long limit = filter && filter->limit > 0 ? filter->limit : MIH_STORE_LIST_DEFAULT;
	long offset = filter && filter->offset > 0 ? filter->offset : 0;

	dead_where(&w, filter, "d.");
	snprintf(sql, sizeof(sql), "%s%s ORDER BY d.id DESC", dead_select, w.sql);
	return query_list(st, sql, w.params, w.n, offset, limit, sizeof(**out), fill_dead,
		dispose_dead, (void **)out, count, err, errlen);
}

int mih_store_dead_get(mih_store *st, int64_t id, mih_store_dead *out, char *err, size_t errlen)
{
	char sql[256];
	mih_sql_value p = mih_sql_int(id);

	snprintf(sql, sizeof(sql), "%s WHERE d.id = ?", dead_select);
	memset(out, 0, sizeof(*out));
	return query_one(st, sql, &p, 1, sizeof(*out), fill_dead, dispose_dead, out, err, errlen);
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
	rc = mih_store_enqueue(st, &t, err, errlen);
	if (!d.idempotency_key || !*d.idempotency_key) {
		free(t.idempotency_key);   /* generated: the dead letter had none */
	}
	mih_store_dead_dispose(&d);
	if (rc != 0) {
		return -1;
	}
	if (exec_sql(st, "DELETE FROM {" T_DLQ "} WHERE id = ?", &p, 1, err, errlen) != 0) {
		return -1;
	}
	if (task_id) {
		*task_id = t.id;
	}
	return MIH_STORE_DONE;
}

int mih_store_dead_replay(mih_store *st, int64_t id, int64_t *task_id, char *err, size_t errlen)
{
	if (tx_begin(st, err, errlen) != 0) {
		return -1;
	}
	return tx_end(st, replay_one(st, id, task_id, err, errlen), err, errlen);
}

static int dead_ids(mih_store *st, const mih_store_dead_filter *filter, int_rows *ids,
	char *err, size_t errlen)
{
	where w = { "", { { 0 } }, 0 };
	char sql[1280];

	dead_where(&w, filter, "");
	snprintf(sql, sizeof(sql), "SELECT id FROM {" T_DLQ "}%s ORDER BY id", w.sql);
	return query_ints(st, sql, w.params, w.n, 0, 0, ids, err, errlen);
}

int mih_store_dead_replay_all(mih_store *st, const mih_store_dead_filter *filter,
	long *count, char *err, size_t errlen)
{
	int_rows ids;
	int rc;

	*count = 0;
	if (tx_begin(st, err, errlen) != 0) {
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
	rc = tx_end(st, rc < 0 ? -1 : 0, err, errlen);
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

	if (tx_begin(st, err, errlen) != 0) {
		return -1;
	}
	rc = query_int(st, "SELECT id FROM {" T_DLQ "} WHERE id = ?", &p, 1, &found_id, &found,
		err, errlen);
	if (rc == 0 && !found) {
		rc = MIH_STORE_NOT_FOUND;
	}
	if (rc == 0) {
		rc = exec_sql(st, "DELETE FROM {" T_DLQ "} WHERE id = ?", &p, 1, err, errlen);
	}
	return tx_end(st, rc, err, errlen);
}

int mih_store_dead_purge(mih_store *st, const mih_store_dead_filter *filter,
	long *count, char *err, size_t errlen)
{
	where w = { "", { { 0 } }, 0 };
	char sql[1280];
	int64_t n = 0;
	bool found;
	int rc;

	*count = 0;
	dead_where(&w, filter, "");
	if (tx_begin(st, err, errlen) != 0) {
		return -1;
	}
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) AS n FROM {" T_DLQ "}%s", w.sql);
	rc = query_int(st, sql, w.params, w.n, &n, &found, err, errlen);
	if (rc == 0 && n > 0) {
		snprintf(sql, sizeof(sql), "DELETE FROM {" T_DLQ "}%s", w.sql);
		rc = exec_sql(st, sql, w.params, w.n, err, errlen);
	}
	rc = tx_end(st, rc, err, errlen);
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
	row r = { ncols, names, vals, false };

	if (c->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		mih_store_dead_count *grown = realloc(c->items, cap * sizeof(*grown));

		if (!grown) {
			set_err(c->err, c->errlen, "store: out of memory reading dead letter counts");
			return -1;
		}
		c->items = grown;
		c->cap = cap;
	}
	c->items[c->count].serviceid = col_int(&r, "serviceid");
	c->items[c->count].count = (long)col_int(&r, "n");
	c->count++;
	return 0;
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

/* ---- request log -------------------------------------------------------- */

/* The PHP plugin's char(1333) column: longer paths are cut in the log. */
#define LOG_ENDPOINT_MAX 1333

static const char *const log_cols[] = {
	"serviceid", "endpoint", "http_method", "http_status", "latency_ms", "attempt_count",
	"success", "error_message", "direction", "timecreated", "servicename", "taskid",
	"eventname"
};
#define LOG_NCOLS (sizeof(log_cols) / sizeof(log_cols[0]))

static int fill_log(mih_store *st, void *item, row *r, char *err, size_t errlen)
{
	mih_store_log_row *l = item;

	(void)st;
	(void)err;
	(void)errlen;
	l->id = col_int(r, "id");
	l->timecreated = col_int(r, "timecreated");
	l->serviceid = col_int(r, "serviceid");
	l->servicename = col_dup(r, "servicename");
	l->endpoint = col_dup(r, "endpoint");
	l->http_method = col_dup(r, "http_method");
	l->taskid = col_int(r, "taskid");
	l->eventname = col_dup_nonempty(r, "eventname");
	l->http_status = (int)col_int(r, "http_status");
	l->latency_ms = (long)col_int(r, "latency_ms");
	l->success = col_int(r, "success") != 0;
	l->error_message = col_dup_nonempty(r, "error_message");
	l->attempt_count = (long)col_int(r, "attempt_count");
	l->direction = col_dup(r, "direction");
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
	free_items((char *)list, count, sizeof(*list), dispose_log);
}

static int begin_relaxed(mih_store *st, char *err, size_t errlen)
{
	if (st->ops->begin_relaxed) {
		return st->ops->begin_relaxed(st->db, err, errlen);
	}
	return st->ops->begin(st->db, err, errlen);
}

int mih_store_log_append(mih_store *st, const mih_store_log_row *l, char *err, size_t errlen)
{
	mih_sql_value v[LOG_NCOLS];
	int64_t id;
	int rc;

	v[0] = mih_sql_int(l->serviceid);
	v[1] = mih_sql_text(l->endpoint, utf8_cut(l->endpoint, l->endpoint ? strlen(l->endpoint) : 0,
		LOG_ENDPOINT_MAX));
	v[2] = v_str(l->http_method);
	v[3] = l->http_status > 0 ? mih_sql_int(l->http_status) : mih_sql_null();
	v[4] = mih_sql_int(l->latency_ms);
	v[5] = mih_sql_int(l->attempt_count > 0 ? l->attempt_count : 1);
	v[6] = v_bool(l->success);
	v[7] = v_str(l->error_message);
	v[8] = v_str(l->direction && *l->direction ? l->direction : "outbound");
	v[9] = mih_sql_int(l->timecreated ? l->timecreated : mih_store_now(st));
	v[10] = v_str(l->servicename);
	v[11] = v_ref(l->taskid);
	v[12] = v_str(l->eventname);
	if (begin_relaxed(st, err, errlen) != 0) {
		return -1;
	}
	rc = st->ops->insert(st->db, T_LOG, log_cols, v, LOG_NCOLS, &id, err, errlen);
	return tx_end(st, rc, err, errlen);
}

int mih_store_log_list(mih_store *st, const mih_store_log_filter *filter,
	mih_store_log_row **out, size_t *count, char *err, size_t errlen)
{
	where w = { "", { { 0 } }, 0 };
	char sql[1280];
	long limit = filter && filter->limit > 0 ? filter->limit : MIH_STORE_LIST_DEFAULT;
	long offset = filter && filter->offset > 0 ? filter->offset : 0;

	if (filter && filter->servicename) {
		where_add1(&w, "servicename = ?", v_str(filter->servicename));
	}
	if (filter && filter->taskid > 0) {
		where_add1(&w, "taskid = ?", mih_sql_int(filter->taskid));
	}
	if (filter && filter->success >= 0) {
		where_add1(&w, "success = ?", v_bool(filter->success != 0));
	}
	if (filter && filter->since > 0) {
		where_add1(&w, "timecreated >= ?", mih_sql_int(filter->since));
	}
	snprintf(sql, sizeof(sql), "SELECT * FROM {" T_LOG "}%s ORDER BY id DESC", w.sql);
	return query_list(st, sql, w.params, w.n, offset, limit, sizeof(**out), fill_log,
		dispose_log, (void **)out, count, err, errlen);
}

static int log_count(mih_store *st, int64_t *n, char *err, size_t errlen)
{
	bool found;

	return query_int(st, "SELECT COUNT(*) AS n FROM {" T_LOG "}", NULL, 0, n, &found,
		err, errlen);
}

/* Deletes by a computed cutoff id instead of "NOT IN (... LIMIT n)", which
 * MySQL refuses and Moodle cannot express portably. */
static int log_prune_rows(mih_store *st, long max_age, long max_rows, char *err, size_t errlen)
{
	mih_sql_value p;
	int_rows cut;

	if (max_age > 0) {
		p = mih_sql_int(mih_store_now(st) - max_age);
		if (exec_sql(st, "DELETE FROM {" T_LOG "} WHERE timecreated < ?", &p, 1,
			err, errlen) != 0) {
			return -1;
		}
	}
	if (max_rows <= 0) {
		return 0;
	}
	if (query_ints(st, "SELECT id FROM {" T_LOG "} ORDER BY id DESC", NULL, 0, max_rows, 1,
		&cut, err, errlen) != 0) {
		return -1;
	}
	if (cut.count == 0) {
		free(cut.vals);
		return 0;
	}
	p = mih_sql_int(cut.vals[0]);
	free(cut.vals);
	return exec_sql(st, "DELETE FROM {" T_LOG "} WHERE id <= ?", &p, 1, err, errlen);
}

int mih_store_log_prune(mih_store *st, long max_rows, long max_age_seconds, long *deleted,
	char *err, size_t errlen)
{
	int64_t before = 0, after = 0;
	int rc;

	if (max_rows < 0 || max_age_seconds < 0) {
		set_err(err, errlen, "store: log limits must not be negative");
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
	rc = tx_end(st, rc, err, errlen);
	if (deleted) {
		*deleted = rc == 0 ? (long)(before - after) : 0;
	}
	return rc;
}

typedef struct latency_row {
	char *servicename;
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
	row r = { ncols, names, vals, false };
	latency_row *l;

	if (c->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		latency_row *grown = realloc(c->items, cap * sizeof(*grown));

		if (!grown) {
			set_err(c->err, c->errlen, "store: out of memory reading the log");
			return -1;
		}
		c->items = grown;
		c->cap = cap;
	}
	l = &c->items[c->count];
	l->servicename = col_dup(&r, "servicename");
	if (!l->servicename) {
		l->servicename = strdup("");
	}
	if (!l->servicename) {
		set_err(c->err, c->errlen, "store: out of memory reading the log");
		return -1;
	}
	l->success = col_int(&r, "success") != 0;
	l->latency_ms = (long)col_int(&r, "latency_ms");
	c->count++;
	return 0;
}

static int latency_cmp(const void *a, const void *b)
{
	const latency_row *x = a, *y = b;
	int c = strcmp(x->servicename, y->servicename);

	if (c) {
		return c;
	}
	return (x->latency_ms > y->latency_ms) - (x->latency_ms < y->latency_ms);
}

/* Nearest rank over n sorted values. */
static long percentile(const latency_row *sorted, size_t n, int pct)
{
	size_t rank = (n * (size_t)pct + 99) / 100;

	return sorted[rank ? rank - 1 : 0].latency_ms;
}

static int stats_group(const latency_row *rows, size_t n, mih_store_call_stats *s)
{
	s->servicename = strdup(rows[0].servicename);
	if (!s->servicename) {
		return -1;
	}
	s->calls = (long)n;
	s->success = 0;
	for (size_t i = 0; i < n; i++) {
		s->success += rows[i].success ? 1 : 0;
	}
	s->failure = s->calls - s->success;
	s->p50_ms = percentile(rows, n, 50);
	s->p95_ms = percentile(rows, n, 95);
	return 0;
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
		if (i < rows->count && strcmp(rows->items[i].servicename,
			rows->items[start].servicename) == 0) {
			continue;
		}
		if (stats_group(rows->items + start, i - start, &list[*count]) != 0) {
			mih_store_call_stats_free(list, *count);
			*count = 0;
			return -1;
		}
		(*count)++;
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
	rc = st->ops->query(st->db, "SELECT id, servicename, success, latency_ms FROM {" T_LOG "}"
		" WHERE timecreated >= ?", &p, 1, 0, 0, collect_latency, &rows, err, errlen);
	if (rc == 0 && stats_build(&rows, out, count) != 0) {
		set_err(err, errlen, "store: out of memory computing statistics");
		rc = -1;
	}
	for (size_t i = 0; i < rows.count; i++) {
		free(rows.items[i].servicename);
	}
	free(rows.items);
	return rc;
}

void mih_store_call_stats_free(mih_store_call_stats *list, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(list[i].servicename);
	}
	free(list);
}

/* ---- circuit state ------------------------------------------------------ */

typedef struct circuit_ctx {
	mih_store_circuit *out;
	int64_t id;
	bool found;
} circuit_ctx;

static int collect_circuit(void *ctx, size_t ncols, const char *const *names,
	const mih_sql_value *vals)
{
	circuit_ctx *c = ctx;
	row r = { ncols, names, vals, false };
	const mih_sql_value *state = col(&r, "state");
	size_t len = state && state->type == MIH_SQL_TEXT ? state->len : 0;

	if (len >= sizeof(c->out->state)) {
		len = sizeof(c->out->state) - 1;
	}
	c->found = true;
	c->id = col_int(&r, "id");
	c->out->serviceid = col_int(&r, "serviceid");
	memcpy(c->out->state, len ? state->s : "", len);
	c->out->state[len] = '\0';
	c->out->failure_count = (long)col_int(&r, "failure_count");
	c->out->last_failure = col_int(&r, "last_failure");
	c->out->opened_at = col_int(&r, "opened_at");
	c->out->timemodified = col_int(&r, "timemodified");
	return 0;
}

static int circuit_read(mih_store *st, int64_t serviceid, circuit_ctx *c,
	char *err, size_t errlen)
{
	mih_sql_value p = mih_sql_int(serviceid);

	c->found = false;
	return st->ops->query(st->db, "SELECT * FROM {" T_CB "} WHERE serviceid = ?", &p, 1, 0, 1,
		collect_circuit, c, err, errlen);
}

int mih_store_circuit_save(mih_store *st, const mih_store_circuit *c, char *err, size_t errlen)
{
	static const char *const cols[] = {
		"serviceid", "state", "failure_count", "last_failure", "timemodified", "opened_at"
	};
	mih_store_circuit current;
	circuit_ctx ctx = { &current, 0, false };
	mih_sql_value v[7];
	int64_t id;
	int rc;

	if (c->serviceid <= 0 || !c->state[0]) {
		set_err(err, errlen, "store: a circuit state needs a service id and a state");
		return -1;
	}
	v[0] = mih_sql_int(c->serviceid);
	v[1] = v_str(c->state);
	v[2] = mih_sql_int(c->failure_count);
	v[3] = mih_sql_int(c->last_failure);
	v[4] = mih_sql_int(c->timemodified ? c->timemodified : mih_store_now(st));
	v[5] = mih_sql_int(c->opened_at);
	if (tx_begin(st, err, errlen) != 0) {
		return -1;
	}
	rc = circuit_read(st, c->serviceid, &ctx, err, errlen);
	if (rc == 0 && ctx.found) {
		v[6] = mih_sql_int(ctx.id);
		rc = exec_sql(st, "UPDATE {" T_CB "} SET serviceid = ?, state = ?, failure_count = ?,"
			" last_failure = ?, timemodified = ?, opened_at = ? WHERE id = ?", v, 7,
			err, errlen);
	} else if (rc == 0) {
		rc = st->ops->insert(st->db, T_CB, cols, v, 6, &id, err, errlen);
	}
	return tx_end(st, rc, err, errlen);
}

int mih_store_circuit_get(mih_store *st, int64_t serviceid, mih_store_circuit *out,
	char *err, size_t errlen)
{
	circuit_ctx ctx = { out, 0, false };

	memset(out, 0, sizeof(*out));
	if (circuit_read(st, serviceid, &ctx, err, errlen) != 0) {
		return -1;
	}
	return ctx.found ? MIH_STORE_DONE : MIH_STORE_NOT_FOUND;
}

/* ---- dedupe keys -------------------------------------------------------- */

typedef struct dedupe_ctx {
	int64_t id, timecreated;
	bool found;
} dedupe_ctx;

static int collect_dedupe(void *ctx, size_t ncols, const char *const *names,
	const mih_sql_value *vals)
{
	dedupe_ctx *c = ctx;
	row r = { ncols, names, vals, false };

	c->found = true;
	c->id = col_int(&r, "id");
	c->timecreated = col_int(&r, "timecreated");
	return 0;
}

static int dedupe_read(mih_store *st, const char *key, dedupe_ctx *c, char *err, size_t errlen)
{
	mih_sql_value p = v_str(key);

	c->found = false;
	return st->ops->query(st->db, "SELECT id, timecreated FROM {" T_DEDUPE "}"
		" WHERE dedupekey = ?", &p, 1, 0, 0, collect_dedupe, c, err, errlen);
}

/* Select, then insert; a lost insert race shows up as a unique-key failure
 * after which the key exists: that is "seen". Two processes reviving the
 * same expired key at once may both see it as new. */
int mih_store_dedupe_check(mih_store *st, const char *key, long ttl_seconds, bool *seen,
	char *err, size_t errlen)
{
	static const char *const cols[] = { "dedupekey", "timecreated" };
	int64_t now = mih_store_now(st);
	dedupe_ctx c;
	mih_sql_value v[3];
	int64_t id;

	*seen = false;
	if (!key || !*key || strlen(key) > MIH_STORE_DEDUPE_KEY_MAX) {
		set_err(err, errlen, "store: a dedupe key must be 1 to %d characters",
			MIH_STORE_DEDUPE_KEY_MAX);
		return -1;
	}
	if (ttl_seconds <= 0) {
		set_err(err, errlen, "store: the dedupe ttl must be positive, got %ld", ttl_seconds);
		return -1;
	}
	if (dedupe_read(st, key, &c, err, errlen) != 0) {
		return -1;
	}
	if (c.found && now - c.timecreated < ttl_seconds) {
		*seen = true;
		return 0;
	}
	if (c.found) {
		v[0] = mih_sql_int(now);
		v[1] = mih_sql_int(c.id);
		v[2] = mih_sql_int(c.timecreated);
		return exec_sql(st, "UPDATE {" T_DEDUPE "} SET timecreated = ? WHERE id = ?"
			" AND timecreated = ?", v, 3, err, errlen);
	}
	v[0] = v_str(key);
	v[1] = mih_sql_int(now);
	if (st->ops->insert(st->db, T_DEDUPE, cols, v, 2, &id, err, errlen) == 0) {
		return 0;
	}
	if (dedupe_read(st, key, &c, NULL, 0) == 0 && c.found) {
		*seen = true;
		return 0;
	}
	return -1;
}

int mih_store_dedupe_prune(mih_store *st, long ttl_seconds, char *err, size_t errlen)
{
	mih_sql_value p = mih_sql_int(mih_store_now(st) - ttl_seconds);

	if (ttl_seconds <= 0) {
		set_err(err, errlen, "store: the dedupe ttl must be positive, got %ld", ttl_seconds);
		return -1;
	}
	return exec_sql(st, "DELETE FROM {" T_DEDUPE "} WHERE timecreated <= ?", &p, 1,
		err, errlen);
}
