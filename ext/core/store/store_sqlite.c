/* The embedded SQL executor: one SQLite connection in WAL mode with a
 * prepared-statement cache, nestable transactions and the hub's schema.
 * Only this file knows SQLite; store.c speaks to it through mih_sql_ops.
 *
 * Why this file is long: it is the only file that knows SQLite: the schema
 * and its migrations, the prepared-statement cache, nestable transactions
 * and the open/refresh of the file are one backend behind store_sql.h; the
 * schema text alone is a sixth of it. The side files of the database are
 * already apart (store_sqlite_file.c). */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sqlite3.h>
#include "store_sqlite.h"
#include "store_sqlite_file.h"
#include "err.h"

#define STMT_CACHE_SIZE 48
#define BUSY_RETRIES 3

typedef struct cached_stmt {
	char *orig;              /* the caller's text, before {table} rewriting */
	size_t len;              /* of orig */
	char tail[16];           /* its last bytes, see sql_key() */
	sqlite3_stmt *stmt;
} cached_stmt;

typedef struct sqlite_db {
	sqlite3 *conn;           /* NULL after a failed reopen */
	mih_sqlite_file file;    /* the configured path and what was opened there */
	char *identity;
	mih_sqlite_durability durability;
	int depth;               /* nesting of begin() */
	bool doomed;             /* an inner rollback happened */
	bool relaxed;            /* the open transaction lowered synchronous */
	cached_stmt cache[STMT_CACHE_SIZE];
	size_t cache_next;       /* round-robin eviction slot */
} sqlite_db;

/* The request log (schema 4): written for every call, read by the admin
 * views, so it carries no more than its queries need. Its id is a plain
 * rowid, not AUTOINCREMENT (which reads and writes sqlite_sequence for every
 * insert): a new row gets the highest id present plus one, so ids still grow
 * with every row kept and ORDER BY id is the order of writing, but an id may
 * name a second row once every row above it is gone (pruned by age, deleted
 * for privacy). Nothing keeps a log id beyond a listing. No index on
 * serviceid (no query of this store filters the log by it; the Moodle
 * schema keeps the foreign key), and the taskid index holds only the rows of
 * deliveries: synchronous calls (taskid NULL) add no entry. */
#define LOG_TABLE_COLUMNS \
	"serviceid, endpoint, http_method, http_status, latency_ms, attempt_count, success," \
	" error_message, direction, timecreated, servicename, taskid, eventname"
#define LOG_TABLE \
	" (id INTEGER PRIMARY KEY," \
	" serviceid INTEGER NOT NULL," \
	" endpoint TEXT," \
	" http_method TEXT," \
	" http_status INTEGER," \
	" latency_ms INTEGER NOT NULL DEFAULT 0," \
	" attempt_count INTEGER NOT NULL DEFAULT 1," \
	" success INTEGER NOT NULL DEFAULT 0," \
	" error_message TEXT," \
	" direction TEXT NOT NULL DEFAULT 'outbound'," \
	" timecreated INTEGER NOT NULL," \
	" servicename TEXT," \
	" taskid INTEGER," \
	" eventname TEXT)"

/* The current schema, created on a new file (and, idempotently, after a
 * migration). Kept in step with moodle/local/integrationhub/db/install.xml:
 * the same tables and columns; the log's indexes differ (see above). */
static const char schema[] =
	"CREATE TABLE IF NOT EXISTS local_integrationhub_svc ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" name TEXT NOT NULL,"
	" type TEXT NOT NULL DEFAULT 'rest',"
	" base_url TEXT NOT NULL,"
	" auth_type TEXT,"
	" auth_token TEXT,"
	" timeout REAL NOT NULL DEFAULT 5,"
	" max_retries INTEGER NOT NULL DEFAULT 3,"
	" retry_backoff REAL NOT NULL DEFAULT 1,"
	" cb_failure_threshold INTEGER NOT NULL DEFAULT 5,"
	" cb_cooldown REAL NOT NULL DEFAULT 30,"
	" response_queue TEXT,"
	" enabled INTEGER NOT NULL DEFAULT 1,"
	" timecreated INTEGER NOT NULL,"
	" timemodified INTEGER NOT NULL,"
	" method TEXT NOT NULL DEFAULT 'POST',"
	" apikey_header TEXT,"
	" headers TEXT,"
	" connect_timeout REAL NOT NULL DEFAULT 10,"
	" retry_cap REAL NOT NULL DEFAULT 30,"
	" retry_statuses TEXT,"
	" follow_redirects INTEGER NOT NULL DEFAULT 0,"
	" cb_mode TEXT NOT NULL DEFAULT 'count',"
	" cb_window REAL NOT NULL DEFAULT 60,"
	" cb_min_calls INTEGER NOT NULL DEFAULT 10,"
	" cb_failure_rate INTEGER NOT NULL DEFAULT 50,"
	" cb_halfopen_probes INTEGER NOT NULL DEFAULT 1,"
	" cb_failure_statuses TEXT,"
	" max_attempts INTEGER NOT NULL DEFAULT 5,"
	" queue_backoff REAL NOT NULL DEFAULT 60,"
	" queue_backoff_cap REAL NOT NULL DEFAULT 3600,"
	" signing_secrets TEXT);"
	"CREATE UNIQUE INDEX IF NOT EXISTS local_integrationhub_svc_name_uix"
	" ON local_integrationhub_svc (name);"

	"CREATE TABLE IF NOT EXISTS local_integrationhub_rules ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" eventname TEXT NOT NULL,"
	" serviceid INTEGER NOT NULL,"
	" endpoint TEXT,"
	" http_method TEXT NOT NULL DEFAULT 'POST',"
	" payload_template TEXT,"
	" enabled INTEGER NOT NULL DEFAULT 1,"
	" timecreated INTEGER NOT NULL,"
	" timemodified INTEGER NOT NULL,"
	" headers TEXT);"
	"CREATE INDEX IF NOT EXISTS local_integrationhub_rules_eventname_ix"
	" ON local_integrationhub_rules (eventname);"
	"CREATE INDEX IF NOT EXISTS local_integrationhub_rules_serviceid_ix"
	" ON local_integrationhub_rules (serviceid);"

	"CREATE TABLE IF NOT EXISTS local_integrationhub_queue ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" ruleid INTEGER,"
	" serviceid INTEGER NOT NULL,"
	" eventname TEXT,"
	" endpoint TEXT,"
	" http_method TEXT NOT NULL DEFAULT 'POST',"
	" payload TEXT,"
	" headers TEXT,"
	" eventdata TEXT,"
	" idempotency_key TEXT NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" next_run INTEGER NOT NULL DEFAULT 0,"
	" status TEXT NOT NULL DEFAULT 'queued',"
	" last_status INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT,"
	" claim_token TEXT NOT NULL DEFAULT '',"
	" lease_until INTEGER NOT NULL DEFAULT 0,"
	" timecreated INTEGER NOT NULL,"
	" timemodified INTEGER NOT NULL,"
	" userid INTEGER,"
	" relateduserid INTEGER,"
	" contextid INTEGER,"
	" run_token TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX IF NOT EXISTS local_integrationhub_queue_serviceid_ix"
	" ON local_integrationhub_queue (serviceid);"
	"CREATE INDEX IF NOT EXISTS local_integrationhub_queue_next_run_ix"
	" ON local_integrationhub_queue (next_run);"
	/* Schema 5: no index on claim_token (this store claims by id, a SELECT
	 * and an UPDATE of the ids in one transaction, and finishes tasks by
	 * id), nor on userid, relateduserid and
	 * contextid (only the privacy API asks by them, rarely, and a scan of the
	 * queue serves it): every task is inserted and deleted once, and each of
	 * these indexes cost it two B-tree changes (~20,000 instructions per
	 * delivered task for the four). The dead-letter queue, read by people,
	 * keeps its indexes; Moodle's tables (install.xml) keep all of theirs. */
	"CREATE UNIQUE INDEX IF NOT EXISTS local_integrationhub_queue_idempotency_key_uix"
	" ON local_integrationhub_queue (idempotency_key);"

	"CREATE TABLE IF NOT EXISTS local_integrationhub_dlq ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" eventname TEXT,"
	" serviceid INTEGER NOT NULL,"
	" payload TEXT,"
	" error_message TEXT,"
	" timecreated INTEGER NOT NULL,"
	" taskid INTEGER,"
	" ruleid INTEGER,"
	" endpoint TEXT,"
	" http_method TEXT,"
	" headers TEXT,"
	" eventdata TEXT,"
	" idempotency_key TEXT,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" last_status INTEGER NOT NULL DEFAULT 0,"
	" response TEXT,"
	" taskcreated INTEGER NOT NULL DEFAULT 0,"
	" userid INTEGER,"
	" relateduserid INTEGER,"
	" contextid INTEGER);"
	"CREATE INDEX IF NOT EXISTS local_integrationhub_dlq_serviceid_ix"
	" ON local_integrationhub_dlq (serviceid);"
	"CREATE INDEX IF NOT EXISTS local_integrationhub_dlq_timecreated_ix"
	" ON local_integrationhub_dlq (timecreated);"
	"CREATE INDEX IF NOT EXISTS local_integrationhub_dlq_userid_ix"
	" ON local_integrationhub_dlq (userid);"
	"CREATE INDEX IF NOT EXISTS local_integrationhub_dlq_relateduserid_ix"
	" ON local_integrationhub_dlq (relateduserid);"
	"CREATE INDEX IF NOT EXISTS local_integrationhub_dlq_contextid_ix"
	" ON local_integrationhub_dlq (contextid);"

	"CREATE TABLE IF NOT EXISTS local_integrationhub_log" LOG_TABLE ";"
	"CREATE INDEX IF NOT EXISTS local_integrationhub_log_timecreated_ix"
	" ON local_integrationhub_log (timecreated);"
	"CREATE INDEX IF NOT EXISTS local_integrationhub_log_taskid_ix"
	" ON local_integrationhub_log (taskid) WHERE taskid IS NOT NULL;"

	"CREATE TABLE IF NOT EXISTS local_integrationhub_cb ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" serviceid INTEGER NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'closed',"
	" failure_count INTEGER NOT NULL DEFAULT 0,"
	" last_failure INTEGER NOT NULL DEFAULT 0,"
	" timemodified INTEGER NOT NULL,"
	" opened_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE UNIQUE INDEX IF NOT EXISTS local_integrationhub_cb_serviceid_uix"
	" ON local_integrationhub_cb (serviceid);"

	"CREATE TABLE IF NOT EXISTS local_integrationhub_dedupe ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" dedupekey TEXT NOT NULL,"
	" timecreated INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX IF NOT EXISTS local_integrationhub_dedupe_dedupekey_uix"
	" ON local_integrationhub_dedupe (dedupekey);"
	"CREATE INDEX IF NOT EXISTS local_integrationhub_dedupe_timecreated_ix"
	" ON local_integrationhub_dedupe (timecreated);"

	"CREATE TABLE IF NOT EXISTS local_integrationhub_meta ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" name TEXT NOT NULL,"
	" value INTEGER NOT NULL DEFAULT 0);"
	"CREATE UNIQUE INDEX IF NOT EXISTS local_integrationhub_meta_name_uix"
	" ON local_integrationhub_meta (name);";

/* Schema 1 to 2: the user and context columns of tasks and dead letters
 * (their indexes come with the schema above, which runs after). */
static const char migration_v2[] =
	"ALTER TABLE local_integrationhub_queue ADD COLUMN userid INTEGER;"
	"ALTER TABLE local_integrationhub_queue ADD COLUMN relateduserid INTEGER;"
	"ALTER TABLE local_integrationhub_queue ADD COLUMN contextid INTEGER;"
	"ALTER TABLE local_integrationhub_dlq ADD COLUMN userid INTEGER;"
	"ALTER TABLE local_integrationhub_dlq ADD COLUMN relateduserid INTEGER;"
	"ALTER TABLE local_integrationhub_dlq ADD COLUMN contextid INTEGER;";

static void sqlite_err(sqlite_db *d, char *err, size_t errlen, const char *what)
{
	if (err && errlen) {
		snprintf(err, errlen, "SQLite store: %s failed: %s", what,
			d->conn ? sqlite3_errmsg(d->conn) : "no connection");
	}
}

static int ensure_current(sqlite_db *d, char *err, size_t errlen);
static int check_committed(sqlite_db *d, char *err, size_t errlen);

static bool is_busy(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

/* The busy handler has already waited MIH_SQLITE_BUSY_TIMEOUT_MS; a short
 * pause before the few extra tries spreads out workers that collided. */
static void busy_pause(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	nanosleep(&ts, NULL);
}

/* {name} -> name: the embedded schema has no table prefix. */
static char *rewrite_tables(const char *sql)
{
	size_t len = strlen(sql);
	char *out = malloc(len + 1);
	char *o = out;

	if (!out) {
		return NULL;
	}
	for (const char *p = sql; *p; p++) {
		if (*p == '{' || *p == '}') {
			continue;
		}
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

static int exec_plain(sqlite_db *d, const char *sql, char *err, size_t errlen)
{
	int rc;

	for (int tries = 0; ; tries++) {
		rc = sqlite3_exec(d->conn, sql, NULL, NULL, NULL);
		if (!is_busy(rc) || tries >= BUSY_RETRIES) {
			break;
		}
		busy_pause();
	}
	if (rc != SQLITE_OK) {
		sqlite_err(d, err, errlen, sql);
		return -1;
	}
	return 0;
}

/* The cache is looked up with the caller's own text: its length (strlen is
 * fast) and its last bytes, where statements that share a prefix differ,
 * pick the candidate; one strcmp confirms it. No copy, no hashing. */
#define KEY_TAIL 16

static void sql_key(const char *sql, size_t len, char *tail)
{
	size_t n = len < KEY_TAIL ? len : KEY_TAIL;

	memset(tail, 0, KEY_TAIL);
	memcpy(tail, sql + len - n, n);
}

static sqlite3_stmt *stmt_get(sqlite_db *d, const char *sql, char *err, size_t errlen)
{
	size_t len = strlen(sql);
	char tail[KEY_TAIL];
	char *text, *orig;
	cached_stmt *slot;
	sqlite3_stmt *stmt = NULL;
	int rc;

	sql_key(sql, len, tail);
	for (size_t i = 0; i < STMT_CACHE_SIZE; i++) {
		cached_stmt *c = &d->cache[i];

		if (c->orig && c->len == len && memcmp(c->tail, tail, KEY_TAIL) == 0
			&& strcmp(c->orig, sql) == 0) {
			return c->stmt;
		}
	}
	text = rewrite_tables(sql);
	orig = malloc(len + 1);
	if (!text || !orig) {
		free(text);
		free(orig);
		mih_set_err(err, errlen, "%s", "SQLite store: out of memory");
		return NULL;
	}
	memcpy(orig, sql, len + 1);
	for (int tries = 0; ; tries++) {
		rc = sqlite3_prepare_v2(d->conn, text, -1, &stmt, NULL);
		if (!is_busy(rc) || tries >= BUSY_RETRIES) {
			break;
		}
		busy_pause();
	}
	free(text);
	if (rc != SQLITE_OK) {
		sqlite_err(d, err, errlen, "preparing a statement");
		free(orig);
		return NULL;
	}
	slot = &d->cache[d->cache_next];
	d->cache_next = (d->cache_next + 1) % STMT_CACHE_SIZE;
	if (slot->stmt) {
		sqlite3_finalize(slot->stmt);
		free(slot->orig);
	}
	slot->orig = orig;
	slot->len = len;
	memcpy(slot->tail, tail, KEY_TAIL);
	slot->stmt = stmt;
	return stmt;
}

/* A statement without parameters or rows (BEGIN, COMMIT, a PRAGMA) from
 * the statement cache: what every transaction of the request log runs,
 * without sqlite3_exec() parsing it each time. */
static int exec_control(sqlite_db *d, const char *sql, char *err, size_t errlen)
{
	sqlite3_stmt *stmt = stmt_get(d, sql, NULL, 0);
	int rc;

	if (!stmt) {
		return exec_plain(d, sql, err, errlen);
	}
	for (int tries = 0; ; tries++) {
		rc = sqlite3_step(stmt);
		if (!is_busy(rc) || tries >= BUSY_RETRIES) {
			break;
		}
		sqlite3_reset(stmt);
		busy_pause();
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		sqlite_err(d, err, errlen, sql);
		sqlite3_reset(stmt);
		return -1;
	}
	sqlite3_reset(stmt);
	return 0;
}

static int bind_params(sqlite_db *d, sqlite3_stmt *stmt, const mih_sql_value *params,
	size_t n, char *err, size_t errlen)
{
	int rc = SQLITE_OK;

	for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
		int idx = (int)i + 1;

		switch (params[i].type) {
		case MIH_SQL_INT:
			rc = sqlite3_bind_int64(stmt, idx, params[i].i);
			break;
		case MIH_SQL_REAL:
			rc = sqlite3_bind_double(stmt, idx, params[i].d);
			break;
		case MIH_SQL_TEXT:
			/* Not copied: every statement is reset and its bindings cleared
			 * (stmt_release) before the caller's values go. */
			rc = sqlite3_bind_text64(stmt, idx, params[i].s ? params[i].s : "",
				params[i].len, SQLITE_STATIC, SQLITE_UTF8);
			break;
		default:
			rc = sqlite3_bind_null(stmt, idx);
			break;
		}
	}
	if (rc != SQLITE_OK) {
		sqlite_err(d, err, errlen, "binding a parameter");
		return -1;
	}
	return 0;
}

static void stmt_release(sqlite3_stmt *stmt)
{
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
}

#define ROW_MAX_COLS 64

static int deliver_row(sqlite3_stmt *stmt, mih_sql_row_cb cb, void *cbctx)
{
	const char *names[ROW_MAX_COLS];
	mih_sql_value vals[ROW_MAX_COLS];
	int ncols = sqlite3_column_count(stmt);

	if (ncols > ROW_MAX_COLS) {
		ncols = ROW_MAX_COLS;
	}
	for (int c = 0; c < ncols; c++) {
		names[c] = sqlite3_column_name(stmt, c);
		memset(&vals[c], 0, sizeof(vals[c]));
		switch (sqlite3_column_type(stmt, c)) {
		case SQLITE_INTEGER:
			vals[c].type = MIH_SQL_INT;
			vals[c].i = sqlite3_column_int64(stmt, c);
			break;
		case SQLITE_FLOAT:
			vals[c].type = MIH_SQL_REAL;
			vals[c].d = sqlite3_column_double(stmt, c);
			break;
		case SQLITE_NULL:
			vals[c].type = MIH_SQL_NULL;
			break;
		default:
			vals[c].type = MIH_SQL_TEXT;
			vals[c].s = (const char *)sqlite3_column_text(stmt, c);
			vals[c].len = (size_t)sqlite3_column_bytes(stmt, c);
			if (!vals[c].s) {
				vals[c].s = "";
			}
			break;
		}
	}
	return cb(cbctx, (size_t)ncols, names, vals);
}

/* Steps stmt to the end, handing rows to cb (when given). A busy database
 * is retried as long as no row has been delivered yet. */
static int run_stmt(sqlite_db *d, sqlite3_stmt *stmt, mih_sql_row_cb cb, void *cbctx,
	char *err, size_t errlen)
{
	int rc, tries = 0;
	bool delivered = false;

	for (;;) {
		rc = sqlite3_step(stmt);
		if (rc == SQLITE_ROW) {
			delivered = true;
			if (cb && (rc = deliver_row(stmt, cb, cbctx)) != 0) {
				/* the callback wrote the message */
				if (rc == MIH_SQL_ROW_MALFORMED) {
					mih_sql_err_prefix(err, errlen, "SQLite store: ");
				}
				return -1;
			}
			continue;
		}
		if (rc == SQLITE_DONE) {
			return 0;
		}
		if (is_busy(rc) && !delivered && tries++ < BUSY_RETRIES) {
			sqlite3_reset(stmt);
			busy_pause();
			continue;
		}
		sqlite_err(d, err, errlen, "a statement");
		return -1;
	}
}

/* Outside a transaction a statement commits by itself: the file is checked
 * before it, like before a transaction, and after it, like after a commit. */
static int exec_rows(void *db, const char *sql, const mih_sql_value *params, size_t n,
	mih_sql_row_cb cb, void *cbctx, char *err, size_t errlen)
{
	sqlite_db *d = db;
	bool autocommit = d->depth == 0;
	sqlite3_stmt *stmt;
	int rc;

	if (autocommit && ensure_current(d, err, errlen) != 0) {
		return -1;
	}
	stmt = stmt_get(d, sql, err, errlen);
	if (!stmt) {
		return -1;
	}
	rc = bind_params(d, stmt, params, n, err, errlen);
	if (rc == 0) {
		rc = run_stmt(d, stmt, cb, cbctx, err, errlen);
	}
	stmt_release(stmt);
	if (rc == 0 && autocommit) {
		rc = check_committed(d, err, errlen);
	}
	return rc;
}

static int sqlite_exec(void *db, const char *sql, const mih_sql_value *params, size_t n,
	char *err, size_t errlen)
{
	return exec_rows(db, sql, params, n, NULL, NULL, err, errlen);
}

static int sqlite_query(void *db, const char *sql, const mih_sql_value *params, size_t n,
	long limitfrom, long limitnum, mih_sql_row_cb cb, void *cbctx, char *err, size_t errlen)
{
	sqlite_db *d = db;
	sqlite3_stmt *stmt;
	char *limited = NULL;
	int rc;

	if (d->depth == 0 && ensure_current(d, err, errlen) != 0) {
		return -1;
	}
	if (limitfrom > 0 || limitnum > 0) {
		size_t len = strlen(sql) + 32;

		limited = malloc(len);
		if (!limited) {
			mih_set_err(err, errlen, "%s", "SQLite store: out of memory");
			return -1;
		}
		snprintf(limited, len, "%s LIMIT ? OFFSET ?", sql);
	}
	stmt = stmt_get(d, limited ? limited : sql, err, errlen);
	free(limited);
	if (!stmt) {
		return -1;
	}
	rc = bind_params(d, stmt, params, n, err, errlen);
	if (rc == 0 && (limitfrom > 0 || limitnum > 0)) {
		sqlite3_bind_int64(stmt, (int)n + 1, limitnum > 0 ? limitnum : -1);
		sqlite3_bind_int64(stmt, (int)n + 2, limitfrom > 0 ? limitfrom : 0);
	}
	if (rc == 0) {
		rc = run_stmt(d, stmt, cb, cbctx, err, errlen);
	}
	stmt_release(stmt);
	return rc;
}

static char *append(char *p, const char *s, size_t len)
{
	memcpy(p, s, len);
	return p + len;
}

/* "INSERT INTO t (a,b) VALUES (?,?),(?,?)" for nrows rows, built with plain
 * copies into stack_sql when it fits (else malloc'd; NULL: out of memory):
 * this runs for every batch of log rows, and the statement cache finds the
 * prepared form. */
static char *insert_sql(const char *table, const char *const *cols, size_t n, size_t nrows,
	char *stack_sql, size_t stack_len)
{
	size_t len = strlen(table) + 32 + nrows * (2 * n + 3);
	char *sql, *p;

	for (size_t i = 0; i < n; i++) {
		len += strlen(cols[i]) + 1;
	}
	sql = len <= stack_len ? stack_sql : malloc(len);
	if (!sql) {
		return NULL;
	}
	p = append(sql, "INSERT INTO ", 12);
	p = append(p, table, strlen(table));
	p = append(p, " (", 2);
	for (size_t i = 0; i < n; i++) {
		if (i) {
			*p++ = ',';
		}
		p = append(p, cols[i], strlen(cols[i]));
	}
	p = append(p, ") VALUES ", 9);
	for (size_t r = 0; r < nrows; r++) {
		if (r) {
			*p++ = ',';
		}
		*p++ = '(';
		for (size_t i = 0; i < n; i++) {
			if (i) {
				*p++ = ',';
			}
			*p++ = '?';
		}
		*p++ = ')';
	}
	*p = '\0';
	return sql;
}

/* One INSERT of nrows rows (their values in row order). */
static int exec_insert(void *db, const char *table, const char *const *cols, const mih_sql_value *vals,
	size_t ncols, size_t nrows, char *err, size_t errlen)
{
	char stack_sql[4096];
	char *sql = insert_sql(table, cols, ncols, nrows, stack_sql, sizeof(stack_sql));
	int rc;

	if (!sql) {
		mih_set_err(err, errlen, "%s", "SQLite store: out of memory");
		return -1;
	}
	rc = sqlite_exec(db, sql, vals, ncols * nrows, err, errlen);
	if (sql != stack_sql) {
		free(sql);
	}
	return rc;
}

static int sqlite_insert(void *db, const char *table, const char *const *cols,
	const mih_sql_value *vals, size_t n, int64_t *newid, char *err, size_t errlen)
{
	sqlite_db *d = db;
	int rc = exec_insert(db, table, cols, vals, n, 1, err, errlen);

	if (rc == 0 && newid) {
		*newid = sqlite3_last_insert_rowid(d->conn);
	}
	return rc;
}

/* Rows per multi-row statement: powers of two up to this many, so a batch
 * of any size uses at most six prepared forms of the statement cache (and
 * 32 rows of 13 columns stay far below SQLite's 999 parameters). SQLite's
 * cost of a statement (opening the cursors of the table and its indexes,
 * AUTOINCREMENT's sqlite_sequence read and write) is paid once per
 * statement instead of once per row. */
#define INSERT_ROWS_MAX 32

static int sqlite_insert_rows(void *db, const char *table, const char *const *cols,
	const mih_sql_value *vals, size_t ncols, size_t nrows, char *err, size_t errlen)
{
	size_t done = 0;
	int rc = 0;

	if (nrows > 0 && (ncols == 0 || ncols > 999 / INSERT_ROWS_MAX)) {
		mih_set_err(err, errlen, "SQLite store: %zu columns per row is out of range (1 to %d)", ncols,
			999 / INSERT_ROWS_MAX);
		return -1;
	}
	while (done < nrows && rc == 0) {
		size_t left = nrows - done, k = INSERT_ROWS_MAX;

		while (k > left) {
			k /= 2;
		}
		rc = exec_insert(db, table, cols, vals + done * ncols, ncols, k, err, errlen);
		done += k;
	}
	return rc;
}

static int sqlite_begin(void *db, char *err, size_t errlen);
static int sqlite_commit(void *db, char *err, size_t errlen);
static int sqlite_rollback(void *db, char *err, size_t errlen);

/* One statement for all rows: a settle's log rows cost one statement
 * execution (one AUTOINCREMENT bookkeeping, one VDBE run) instead of one
 * each, about half the work per row. The callers bound nrows (a hundred
 * rows or so), so each row count keeps its prepared form in the cache. */
static int sqlite_insert_many(void *db, const char *table, const char *const *cols,
	const mih_sql_value *vals, size_t ncols, size_t nrows, char *err, size_t errlen)
{
	sqlite_db *d = db;

	if (nrows == 0) {
		return 0;
	}
	if (ncols == 0 || nrows > SIZE_MAX / ncols
		|| ncols * nrows > (size_t)sqlite3_limit(d->conn, SQLITE_LIMIT_VARIABLE_NUMBER, -1)) {
		/* More parameters than this build of SQLite takes at once: a few
		 * statements in one transaction (as atomic as one statement). */
		if (sqlite_begin(d, err, errlen) != 0) {
			return -1;
		}
		if (sqlite_insert_rows(d, table, cols, vals, ncols, nrows, err, errlen) != 0) {
			sqlite_rollback(d, NULL, 0);
			return -1;
		}
		return sqlite_commit(d, err, errlen);
	}
	return exec_insert(db, table, cols, vals, ncols, nrows, err, errlen);
}

static int open_transaction(sqlite_db *d, bool relaxed, char *err, size_t errlen)
{
	if (d->depth > 0) {
		d->depth++;
		return 0;
	}
	if (ensure_current(d, err, errlen) != 0) {
		return -1;
	}
	if (relaxed && d->durability == MIH_SQLITE_DURABILITY_FULL) {
		if (exec_control(d, "PRAGMA synchronous=NORMAL", err, errlen) != 0) {
			return -1;
		}
		d->relaxed = true;
	}
	if (exec_control(d, "BEGIN IMMEDIATE", err, errlen) != 0) {
		if (d->relaxed) {
			exec_control(d, "PRAGMA synchronous=FULL", NULL, 0);
			d->relaxed = false;
		}
		return -1;
	}
	d->depth = 1;
	d->doomed = false;
	return 0;
}

static int sqlite_begin(void *db, char *err, size_t errlen)
{
	return open_transaction(db, false, err, errlen);
}

static int sqlite_begin_relaxed(void *db, char *err, size_t errlen)
{
	return open_transaction(db, true, err, errlen);
}

static int finish_transaction(sqlite_db *d, const char *sql, char *err, size_t errlen)
{
	int rc = exec_control(d, sql, err, errlen);

	if (rc != 0 && sqlite3_get_autocommit(d->conn) == 0) {
		exec_plain(d, "ROLLBACK", NULL, 0);
	}
	d->depth = 0;
	d->doomed = false;
	if (d->relaxed) {
		exec_control(d, "PRAGMA synchronous=FULL", NULL, 0);
		d->relaxed = false;
	}
	return rc;
}

static int sqlite_commit(void *db, char *err, size_t errlen)
{
	sqlite_db *d = db;

	if (d->depth <= 0) {
		mih_set_err(err, errlen, "%s", "SQLite store: commit without an open transaction");
		return -1;
	}
	if (--d->depth > 0) {
		return 0;
	}
	if (d->doomed) {
		finish_transaction(d, "ROLLBACK", NULL, 0);
		mih_set_err(err, errlen, "%s",
			"SQLite store: transaction rolled back because a nested transaction failed");
		return -1;
	}
	if (finish_transaction(d, "COMMIT", err, errlen) != 0) {
		return -1;
	}
	return check_committed(d, err, errlen);
}

static int sqlite_rollback(void *db, char *err, size_t errlen)
{
	sqlite_db *d = db;

	if (d->depth <= 0) {
		mih_set_err(err, errlen, "%s", "SQLite store: rollback without an open transaction");
		return -1;
	}
	if (--d->depth > 0) {
		d->doomed = true;
		return 0;
	}
	return finish_transaction(d, "ROLLBACK", err, errlen);
}

static const char *sqlite_identity(void *db)
{
	return ((sqlite_db *)db)->identity;
}

const mih_sql_ops mih_sql_sqlite_ops = {
	sqlite_exec,
	sqlite_query,
	sqlite_insert,
	sqlite_begin,
	sqlite_begin_relaxed,
	sqlite_commit,
	sqlite_rollback,
	sqlite_identity,
	NULL,          /* like: the standard form suits SQLite */
	sqlite_insert_many,  /* one statement per batch: atomic (mih::emit's tasks) */
	sqlite_insert_rows,
	true,          /* writes_serialized: every transaction is BEGIN IMMEDIATE */
};

int mih_sqlite_durability_parse(const char *name, mih_sqlite_durability *out,
	char *err, size_t errlen)
{
	if (name && strcasecmp(name, "full") == 0) {
		*out = MIH_SQLITE_DURABILITY_FULL;
		return 0;
	}
	if (name && strcasecmp(name, "normal") == 0) {
		*out = MIH_SQLITE_DURABILITY_NORMAL;
		return 0;
	}
	mih_set_err(err, errlen, "store durability must be \"full\" or \"normal\", got \"%s\"",
		name ? name : "(null)");
	return -1;
}

static int read_user_version(sqlite_db *d, int *version, char *err, size_t errlen)
{
	sqlite3_stmt *stmt;
	int rc = sqlite3_prepare_v2(d->conn, "PRAGMA user_version", -1, &stmt, NULL);

	if (rc != SQLITE_OK) {
		sqlite_err(d, err, errlen, "reading the schema version");
		return -1;
	}
	rc = sqlite3_step(stmt);
	*version = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW) {
		sqlite_err(d, err, errlen, "reading the schema version");
		return -1;
	}
	return 0;
}

/* Rows queued before schema 2 get their user and context columns from
 * their event data, through the store logic over this very connection. */
static int backfill_v2(sqlite_db *d, char *err, size_t errlen)
{
	mih_store *st = mih_store_new(&mih_sql_sqlite_ops, d, NULL);
	int rc;

	if (!st) {
		mih_set_err(err, errlen, "%s", "SQLite store: out of memory");
		return -1;
	}
	rc = mih_store_privacy_backfill(st, NULL, err, errlen);
	mih_store_close(st);
	return rc;
}

/* A file of schema version 2 (or 1, after migration_v2) gets what version 3
 * added: the worker run that claimed a task (one attempt per task per run). */
static const char migration_v3[] =
	"ALTER TABLE local_integrationhub_queue ADD COLUMN run_token TEXT NOT NULL DEFAULT '';";

/* Schema 3 to 4: the log table without AUTOINCREMENT is a new table (SQLite
 * cannot alter a primary key), its rows copied with their ids; dropping the
 * old table drops its sqlite_sequence row and its indexes, which the schema
 * then creates as they are now. */
static const char migration_v4_log[] =
	"CREATE TABLE local_integrationhub_log_v4" LOG_TABLE ";"
	"INSERT INTO local_integrationhub_log_v4 (id, " LOG_TABLE_COLUMNS ")"
	" SELECT id, " LOG_TABLE_COLUMNS " FROM local_integrationhub_log;"
	"DROP TABLE local_integrationhub_log;"
	"ALTER TABLE local_integrationhub_log_v4 RENAME TO local_integrationhub_log;";

/* A file older than schema 4 whose log table (a version 1 file may have
 * none yet) still has AUTOINCREMENT is rebuilt; the indexes whose form
 * changed are dropped either way. */
static int migrate_v4(sqlite_db *d, char *err, size_t errlen)
{
	sqlite3_stmt *stmt;
	bool rebuild = false;
	int rc = sqlite3_prepare_v2(d->conn, "SELECT sql FROM sqlite_master WHERE type = 'table'"
		" AND name = 'local_integrationhub_log'", -1, &stmt, NULL);

	if (rc != SQLITE_OK) {
		sqlite_err(d, err, errlen, "reading the log table's definition");
		return -1;
	}
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		const char *sql = (const char *)sqlite3_column_text(stmt, 0);
		rebuild = sql && strstr(sql, "AUTOINCREMENT") != NULL;   /* as this code wrote it */
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite_err(d, err, errlen, "reading the log table's definition");
		return -1;
	}
	if (rebuild && exec_plain(d, migration_v4_log, err, errlen) != 0) {
		return -1;
	}
	return exec_plain(d, "DROP INDEX IF EXISTS local_integrationhub_log_serviceid_ix;"
		"DROP INDEX IF EXISTS local_integrationhub_log_taskid_ix;", err, errlen);
}

/* Schema 4 to 5: the queue's indexes that only the portable claim and the
 * privacy API used (see the schema). */
static const char migration_v5[] =
	"DROP INDEX IF EXISTS local_integrationhub_queue_claim_token_ix;"
	"DROP INDEX IF EXISTS local_integrationhub_queue_userid_ix;"
	"DROP INDEX IF EXISTS local_integrationhub_queue_relateduserid_ix;"
	"DROP INDEX IF EXISTS local_integrationhub_queue_contextid_ix;";

/* Under BEGIN IMMEDIATE, so concurrent first opens create or migrate the
 * schema once; a failed migration leaves the file as it was. */
static int migrate(sqlite_db *d, char *err, size_t errlen)
{
	int version;
	char sql[64];

	if (sqlite_begin(d, err, errlen) != 0) {
		return -1;
	}
	if (read_user_version(d, &version, err, errlen) != 0) {
		sqlite_rollback(d, NULL, 0);
		return -1;
	}
	if (version > MIH_SQLITE_SCHEMA_VERSION) {
		sqlite_rollback(d, NULL, 0);
		if (err && errlen) {
			snprintf(err, errlen, "SQLite store: the file has schema version %d, newer than "
				"this extension's %d", version, MIH_SQLITE_SCHEMA_VERSION);
		}
		return -1;
	}
	if ((version == 1 && exec_plain(d, migration_v2, err, errlen) != 0)
		|| (version >= 1 && version < 3 && exec_plain(d, migration_v3, err, errlen) != 0)
		|| (version >= 1 && version < 4 && migrate_v4(d, err, errlen) != 0)
		|| (version >= 1 && version < 5 && exec_plain(d, migration_v5, err, errlen) != 0)
		|| (version < MIH_SQLITE_SCHEMA_VERSION && exec_plain(d, schema, err, errlen) != 0)
		|| (version == 1 && backfill_v2(d, err, errlen) != 0)) {
		sqlite_rollback(d, NULL, 0);
		return -1;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", MIH_SQLITE_SCHEMA_VERSION);
	if (version < MIH_SQLITE_SCHEMA_VERSION && exec_plain(d, sql, err, errlen) != 0) {
		sqlite_rollback(d, NULL, 0);
		return -1;
	}
	return sqlite_commit(d, err, errlen);
}

static int configure(sqlite_db *d, char *err, size_t errlen)
{
	sqlite3_busy_timeout(d->conn, MIH_SQLITE_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(d->conn, 1);
	if (exec_plain(d, "PRAGMA journal_mode=WAL", err, errlen) != 0) {
		return -1;
	}
	return exec_plain(d, d->durability == MIH_SQLITE_DURABILITY_FULL
		? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", err, errlen);
}

static char *make_identity(const char *path)
{
	char resolved[PATH_MAX];
	const char *p = realpath(path, resolved) ? resolved : path;
	size_t len = strlen(p) + sizeof("sqlite:");
	char *id = malloc(len);

	if (id) {
		snprintf(id, len, "sqlite:%s", p);
	}
	return id;
}

/* SQLite's own view: whether the file it has open is still at the path
 * (it compares the inode of its descriptor with the path's). */
static bool conn_file_moved(sqlite_db *d)
{
	int moved = 0;

	return sqlite3_file_control(d->conn, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK
		&& moved;
}

/* A connection whose file was removed or replaced must not delete the -wal
 * and -shm files by name when it closes: they may be its successor's. */
static void conn_close(sqlite_db *d)
{
	for (size_t i = 0; i < STMT_CACHE_SIZE; i++) {
		if (d->cache[i].stmt) {
			sqlite3_finalize(d->cache[i].stmt);
		}
		free(d->cache[i].orig);
	}
	memset(d->cache, 0, sizeof(d->cache));
	d->cache_next = 0;
	if (d->conn && (conn_file_moved(d) || mih_sqlite_file_check(&d->file, NULL) != MIH_FILE_SAME)) {
		int persist = 1;

		sqlite3_file_control(d->conn, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
	}
	sqlite3_close_v2(d->conn);
	d->conn = NULL;
	d->depth = 0;
	d->doomed = false;
	d->relaxed = false;
}

/* Opens a connection to the file at the configured path (created when
 * create is set and it is missing) and records which file that is. */
static int conn_open(sqlite_db *d, bool create, char *err, size_t errlen)
{
	const char *path = d->file.path;

	if (mih_sqlite_file_prepare(&d->file, create, err, errlen) != 0) {
		return -1;
	}
	/* Never SQLITE_OPEN_CREATE: a file that vanished since it was prepared
	 * must not be created again beside the side files of its predecessor. */
	if (sqlite3_open_v2(path, &d->conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL)
		!= SQLITE_OK) {
		if (err && errlen) {
			snprintf(err, errlen, "SQLite store: cannot open \"%s\": %s", path,
				d->conn ? sqlite3_errmsg(d->conn) : "out of memory");
		}
		conn_close(d);
		return -1;
	}
	if (configure(d, err, errlen) != 0) {
		conn_close(d);
		return -1;
	}
	if (conn_file_moved(d)) {
		mih_set_err(err, errlen, "SQLite store: \"%s\" was removed or replaced while being opened",
			path);
		conn_close(d);
		return -1;
	}
	if (mih_sqlite_file_record_main(&d->file, err, errlen) != 0 || migrate(d, err, errlen) != 0) {
		conn_close(d);
		return -1;
	}
	mih_sqlite_file_record_sides(&d->file);
	return 0;
}

/* Before an operation outside any transaction: a write must go into the
 * file at the configured path, never into one removed or replaced since it
 * was opened (it would be lost). A replaced file is opened in its place; a
 * removed one is not created again: that would hide the loss of everything
 * it held (the next file someone creates there is used). */
static int ensure_current(sqlite_db *d, char *err, size_t errlen)
{
	char why[256];
	int errnum = 0;
	mih_file_state state = mih_sqlite_file_check(&d->file, &errnum);

	if (state == MIH_FILE_SAME && d->conn) {
		return 0;
	}
	if (state != MIH_FILE_SAME && state != MIH_FILE_REPLACED) {
		mih_sqlite_file_describe(&d->file, state, errnum, NULL, err, errlen);
		return -1;
	}
	conn_close(d);
	if (conn_open(d, false, why, sizeof(why)) != 0) {
		if (err && errlen) {
			snprintf(err, errlen, "SQLite store: \"%s\" was replaced by another file, which "
				"cannot be used: %s", d->file.path, why);
		}
		return -1;
	}
	return 0;
}

/* After a commit: the file may have been removed or replaced while the
 * transaction ran, and then what was committed is not at the path. */
static int check_committed(sqlite_db *d, char *err, size_t errlen)
{
	int errnum = 0;
	mih_file_state state = mih_sqlite_file_check(&d->file, &errnum);

	if (state == MIH_FILE_SAME || state == MIH_FILE_UNKNOWN) {
		return 0;
	}
	mih_sqlite_file_describe(&d->file, state, errnum, "a write was being committed", err, errlen);
	return -1;
}

int mih_sql_sqlite_open(const char *path, mih_sqlite_durability durability, void **db,
	char *err, size_t errlen)
{
	sqlite_db *d;

	*db = NULL;
	if (!path || !*path) {
		mih_set_err(err, errlen, "%s", "SQLite store: the path is empty");
		return -1;
	}
	d = calloc(1, sizeof(*d));
	if (!d || mih_sqlite_file_init(&d->file, path) != 0) {
		mih_set_err(err, errlen, "%s", "SQLite store: out of memory");
		mih_sql_sqlite_close(d);
		return -1;
	}
	d->durability = durability;
	if (conn_open(d, true, err, errlen) != 0) {
		mih_sql_sqlite_close(d);
		return -1;
	}
	d->identity = make_identity(path);   /* once the file exists, so that it resolves */
	if (!d->identity) {
		mih_set_err(err, errlen, "%s", "SQLite store: out of memory");
		mih_sql_sqlite_close(d);
		return -1;
	}
	*db = d;
	return 0;
}

void mih_sql_sqlite_close(void *db)
{
	sqlite_db *d = db;

	if (!d) {
		return;
	}
	if (d->conn && d->depth > 0) {
		exec_plain(d, "ROLLBACK", NULL, 0);
	}
	conn_close(d);
	mih_sqlite_file_dispose(&d->file);
	free(d->identity);
	free(d);
}

int mih_store_sqlite_open(const char *path, mih_sqlite_durability durability,
	mih_store **out, char *err, size_t errlen)
{
	void *db;

	*out = NULL;
	if (mih_sql_sqlite_open(path, durability, &db, err, errlen) != 0) {
		return -1;
	}
	*out = mih_store_new(&mih_sql_sqlite_ops, db, mih_sql_sqlite_close);
	if (!*out) {
		mih_sql_sqlite_close(db);
		mih_set_err(err, errlen, "%s", "SQLite store: out of memory");
		return -1;
	}
	return 0;
}

int mih_store_sqlite_refresh(mih_store *st, char *err, size_t errlen)
{
	sqlite_db *d = mih_store_db_of(st, &mih_sql_sqlite_ops);

	if (!d || d->depth > 0) {
		return 0;
	}
	if (mih_sqlite_file_check(&d->file, NULL) != MIH_FILE_REMOVED) {
		return ensure_current(d, err, errlen);
	}
	conn_close(d);
	return conn_open(d, true, err, errlen);
}
