/* The durable store against a real SQLite file, through two executors: the
 * embedded SQLite one, and a wrapper that behaves like Moodle's $DB (every
 * value returned as TEXT, no relaxed transactions, and a failure when a
 * query's first column is not unique, which get_records_sql would silently
 * collapse). Each behavioural test runs once per executor. */
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sqlite3.h>
#include "unit.h"
#include "store.h"
#include "store_sqlite.h"

static bool text_mode;
/* In text mode: a column the executor leaves out of every row, and one it
 * delivers as text that is not a number (a $DB returning malformed rows). */
static const char *mangle_drop;
static const char *mangle_text;
static int64_t fake_now = 1700000000;
static char db_path[256];
static int db_serial;
static char err[512];

static int64_t fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

/* ---- the Moodle-like executor ------------------------------------------ */

typedef struct text_db {
	void *inner;
	char identity[300];
} text_db;

typedef struct text_query {
	mih_sql_row_cb cb;
	void *cbctx;
	char **firsts;       /* first-column values seen, to catch duplicates */
	size_t nfirsts;
	char *err;
	size_t errlen;
} text_query;

static char *value_text(const mih_sql_value *v, size_t *len)
{
	char buf[64];
	char *out;

	switch (v->type) {
	case MIH_SQL_INT:
		snprintf(buf, sizeof(buf), "%lld", (long long)v->i);
		break;
	case MIH_SQL_REAL:
		snprintf(buf, sizeof(buf), "%.3f", v->d);   /* as number(12,3) comes back */
		break;
	case MIH_SQL_TEXT:
		out = malloc(v->len + 1);
		memcpy(out, v->s, v->len);
		out[v->len] = '\0';
		*len = v->len;
		return out;
	default:
		return NULL;
	}
	*len = strlen(buf);
	return strdup(buf);
}

static int text_row(void *ctx, size_t ncols, const char *const *names, const mih_sql_value *vals)
{
	text_query *q = ctx;
	mih_sql_value conv[64];
	const char *kept[64];
	char *owned[64];
	size_t nkept = 0;
	int rc;

	for (size_t c = 0; c < ncols; c++) {
		size_t len = 0;

		owned[c] = value_text(&vals[c], &len);
		if (mangle_drop && strcmp(names[c], mangle_drop) == 0) {
			continue;
		}
		kept[nkept] = names[c];
		conv[nkept++] = mangle_text && strcmp(names[c], mangle_text) == 0
			? mih_sql_text("abc", 3) : owned[c] ? mih_sql_text(owned[c], len) : mih_sql_null();
	}
	for (size_t i = 0; ncols && i < q->nfirsts; i++) {
		if (owned[0] && strcmp(q->firsts[i], owned[0]) == 0) {
			snprintf(q->err, q->errlen, "duplicate first column value %s", owned[0]);
			for (size_t c = 0; c < ncols; c++) {
				free(owned[c]);
			}
			return -1;
		}
	}
	q->firsts = realloc(q->firsts, (q->nfirsts + 1) * sizeof(char *));
	q->firsts[q->nfirsts++] = strdup(ncols && owned[0] ? owned[0] : "");
	rc = q->cb(q->cbctx, nkept, kept, conv);
	for (size_t c = 0; c < ncols; c++) {
		free(owned[c]);
	}
	return rc;
}

/* Statements the text executor ran (what Moodle's perf counters count). */
static long text_statements;

static int text_exec(void *db, const char *sql, const mih_sql_value *p, size_t n, char *e, size_t el)
{
	text_statements++;
	return mih_sql_sqlite_ops.exec(((text_db *)db)->inner, sql, p, n, e, el);
}

static int text_query_fn(void *db, const char *sql, const mih_sql_value *p, size_t n, long from,
	long num, mih_sql_row_cb cb, void *cbctx, char *e, size_t el)
{
	text_query q = { cb, cbctx, NULL, 0, e, el };
	int rc;

	text_statements++;
	rc = mih_sql_sqlite_ops.query(((text_db *)db)->inner, sql, p, n, from, num, text_row, &q,
		e, el);

	for (size_t i = 0; i < q.nfirsts; i++) {
		free(q.firsts[i]);
	}
	free(q.firsts);
	return rc;
}

static int text_insert(void *db, const char *table, const char *const *cols,
	const mih_sql_value *vals, size_t n, int64_t *id, char *e, size_t el)
{
	text_statements++;
	return mih_sql_sqlite_ops.insert(((text_db *)db)->inner, table, cols, vals, n, id, e, el);
}

/* Like $DB->insert_records(): one statement for all the rows. */
static int text_insert_many(void *db, const char *table, const char *const *cols,
	const mih_sql_value *vals, size_t ncols, size_t nrows, char *e, size_t el)
{
	int64_t id;

	text_statements++;
	for (size_t i = 0; i < nrows; i++) {
		if (mih_sql_sqlite_ops.insert(((text_db *)db)->inner, table, cols, vals + i * ncols, ncols, &id,
			e, el) != 0) {
			return -1;
		}
	}
	return 0;
}

static int text_begin(void *db, char *e, size_t el)
{
	return mih_sql_sqlite_ops.begin(((text_db *)db)->inner, e, el);
}

static int text_commit(void *db, char *e, size_t el)
{
	return mih_sql_sqlite_ops.commit(((text_db *)db)->inner, e, el);
}

static int text_rollback(void *db, char *e, size_t el)
{
	return mih_sql_sqlite_ops.rollback(((text_db *)db)->inner, e, el);
}

static const char *text_identity(void *db)
{
	return ((text_db *)db)->identity;
}

static void text_close(void *db)
{
	mih_sql_sqlite_close(((text_db *)db)->inner);
	free(db);
}

static const mih_sql_ops text_ops = {
	text_exec, text_query_fn, text_insert, text_begin, NULL, text_commit, text_rollback,
	text_identity, NULL, text_insert_many, NULL, false
};

/* ---- fixtures ----------------------------------------------------------- */

static void remove_db(const char *path)
{
	char side[300];

	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

static void new_db_path(void)
{
	snprintf(db_path, sizeof(db_path), "/tmp/mih_test_store_%d_%d.db", (int)getpid(), ++db_serial);
	remove_db(db_path);
}

static mih_store *open_store(void)
{
	mih_store *st = NULL;

	if (text_mode) {
		text_db *t = calloc(1, sizeof(*t));

		if (mih_sql_sqlite_open(db_path, MIH_SQLITE_DURABILITY_FULL, &t->inner, err,
			sizeof(err)) != 0) {
			fprintf(stderr, "open: %s\n", err);
			free(t);
			return NULL;
		}
		snprintf(t->identity, sizeof(t->identity), "moodle:%s", db_path);
		st = mih_store_new(&text_ops, t, text_close);
	} else if (mih_store_sqlite_open(db_path, MIH_SQLITE_DURABILITY_FULL, &st, err,
		sizeof(err)) != 0) {
		fprintf(stderr, "open: %s\n", err);
		return NULL;
	}
	mih_store_set_clock(st, fake_clock, NULL);
	return st;
}

static mih_store *fresh_store(void)
{
	fake_now = 1700000000;
	new_db_path();
	return open_store();
}

static void finish(mih_store *st)
{
	mih_store_close(st);
	remove_db(db_path);
}

static int64_t add_service(mih_store *st, const char *name)
{
	mih_service svc;

	mih_service_init(&svc);
	svc.name = strdup(name);
	svc.base_url = strdup("https://example.test/api");
	if (mih_store_service_save(st, &svc, err, sizeof(err)) != 0) {
		fprintf(stderr, "add_service: %s\n", err);
	}
	int64_t id = svc.id;

	mih_service_dispose(&svc);
	return id;
}

static int64_t add_task(mih_store *st, int64_t serviceid, const char *payload)
{
	mih_store_task t;

	memset(&t, 0, sizeof(t));
	t.serviceid = serviceid;
	t.eventname = "\\core\\event\\user_loggedin";
	t.endpoint = "/hook";
	t.http_method = "POST";
	t.payload = (char *)payload;
	t.payload_len = strlen(payload);
	if (mih_store_enqueue(st, &t, err, sizeof(err)) != 0) {
		fprintf(stderr, "add_task: %s\n", err);
	}
	free(t.idempotency_key);
	return t.id;
}

/* ---- schema ------------------------------------------------------------- */

TEST(schema_created_private_and_reopened)
{
	mih_store *st = fresh_store();
	struct stat sb;
	sqlite3 *raw;
	sqlite3_stmt *stmt;
	mih_service svc;

	CHECK(st != NULL);
	CHECK(add_service(st, "crm") > 0);
	mih_store_close(st);
	CHECK(stat(db_path, &sb) == 0);
	CHECK_INT(sb.st_mode & 0777, 0600);

	st = open_store();   /* migration runs again: must be a no-op */
	CHECK(st != NULL);
	CHECK_INT(mih_store_service_get(st, "crm", &svc, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_STR(svc.name, "crm");
	mih_service_dispose(&svc);
	CHECK(strstr(mih_store_identity(st), db_path) != NULL);
	mih_store_close(st);

	CHECK(sqlite3_open(db_path, &raw) == SQLITE_OK);
	CHECK(sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(stmt) == SQLITE_ROW);
	CHECK_INT(sqlite3_column_int(stmt, 0), MIH_SQLITE_SCHEMA_VERSION);
	sqlite3_finalize(stmt);
	CHECK(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &stmt, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(stmt) == SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(stmt, 0), "wal");
	sqlite3_finalize(stmt);
	sqlite3_close(raw);
	remove_db(db_path);
}

/* A file written by schema version 2 (no run_token) is upgraded in place:
 * its queued tasks keep their rows and are claimable by a run. (A version 1
 * file, without the privacy columns too: test_store_privacy.c.) */
TEST(schema_v2_file_is_upgraded)
{
	mih_store *st = fresh_store();
	int64_t svc = add_service(st, "crm");
	int64_t t1 = add_task(st, svc, "old");
	char run[MIH_STORE_RUN_TOKEN_LEN + 1];
	sqlite3 *raw;
	sqlite3_stmt *stmt;
	mih_store_task *c;
	size_t n;

	mih_store_close(st);
	CHECK(sqlite3_open(db_path, &raw) == SQLITE_OK);
	CHECK(sqlite3_exec(raw, "ALTER TABLE local_integrationhub_queue DROP COLUMN run_token;"
		" PRAGMA user_version=2;", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(raw);

	st = open_store();
	CHECK(st != NULL);
	CHECK_INT(mih_store_new_run_token(run), 0);
	CHECK_INT(mih_store_claim_due_once(st, 5, 60, run, &c, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 1);
	CHECK_INT(n ? c[0].id : 0, t1);
	mih_store_task_list_free(c, n);
	mih_store_close(st);

	CHECK(sqlite3_open(db_path, &raw) == SQLITE_OK);
	CHECK(sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(stmt) == SQLITE_ROW);
	CHECK_INT(sqlite3_column_int(stmt, 0), MIH_SQLITE_SCHEMA_VERSION);
	sqlite3_finalize(stmt);
	CHECK(sqlite3_prepare_v2(raw, "SELECT run_token FROM local_integrationhub_queue", -1, &stmt, NULL)
		== SQLITE_OK);
	CHECK(sqlite3_step(stmt) == SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(stmt, 0), run);
	sqlite3_finalize(stmt);
	sqlite3_close(raw);
	remove_db(db_path);
}

/* The XMLDB file must declare exactly the SQLite schema's columns, with the
 * same NOT NULL choices, so both backends hold the same rows. */
static char *read_install_xml(void)
{
	static const char *const paths[] = {
		"../../moodle/local/integrationhub/db/install.xml",
		"moodle/local/integrationhub/db/install.xml",
	};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		FILE *f = fopen(paths[i], "rb");
		char *buf;
		long len;

		if (!f) {
			continue;
		}
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		buf = calloc(1, (size_t)len + 1);
		if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
			free(buf);
			buf = NULL;
		}
		fclose(f);
		return buf;
	}
	return NULL;
}

static char *attr(const char *tag, const char *name, char *out, size_t outlen)
{
	char key[32];
	const char *p, *end = strchr(tag, '>');

	snprintf(key, sizeof(key), " %s=\"", name);
	p = strstr(tag, key);
	out[0] = '\0';
	if (p && (!end || p < end)) {
		p += strlen(key);
		snprintf(out, outlen, "%.*s", (int)(strchr(p, '"') - p), p);
	}
	return out;
}

static int compare_table(sqlite3 *raw, const char *table, const char *start, const char *end)
{
	char sql[256], name[64], notnull[8];
	int xml_fields = 0, db_fields = 0, mismatches = 0;
	sqlite3_stmt *stmt;

	for (const char *f = strstr(start, "<FIELD "); f && f < end; f = strstr(f + 1, "<FIELD ")) {
		xml_fields++;
		attr(f, "NAME", name, sizeof(name));
		attr(f, "NOTNULL", notnull, sizeof(notnull));
		snprintf(sql, sizeof(sql), "SELECT \"notnull\", pk FROM pragma_table_info('%s')"
			" WHERE name = '%s'", table, name);
		if (sqlite3_prepare_v2(raw, sql, -1, &stmt, NULL) != SQLITE_OK
			|| sqlite3_step(stmt) != SQLITE_ROW) {
			fprintf(stderr, "%s.%s is in install.xml but not in SQLite\n", table, name);
			mismatches++;
		} else if ((sqlite3_column_int(stmt, 0) || sqlite3_column_int(stmt, 1))
			!= (strcmp(notnull, "true") == 0)) {
			fprintf(stderr, "%s.%s: NOT NULL differs\n", table, name);
			mismatches++;
		}
		sqlite3_finalize(stmt);
	}
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM pragma_table_info('%s')", table);
	if (sqlite3_prepare_v2(raw, sql, -1, &stmt, NULL) == SQLITE_OK
		&& sqlite3_step(stmt) == SQLITE_ROW) {
		db_fields = sqlite3_column_int(stmt, 0);
	}
	sqlite3_finalize(stmt);
	if (db_fields != xml_fields) {
		fprintf(stderr, "%s: %d columns in SQLite, %d in install.xml\n", table, db_fields,
			xml_fields);
		mismatches++;
	}
	return mismatches;
}

/* Tables of the Moodle plugin alone (inbound webhook settings and seen webhook-ids, read and written
 * by the plugin through $DB, never by the extension's store): the same list as $pluginonly in
 * moodle/local/integrationhub/tests/ci/check.php. */
static int plugin_only_table(const char *table)
{
	return strcmp(table, "local_integrationhub_inbound") == 0
		|| strcmp(table, "local_integrationhub_seen") == 0;
}

TEST(install_xml_matches_sqlite_schema)
{
	mih_store *st = fresh_store();
	char *xml = read_install_xml();
	sqlite3 *raw;
	sqlite3_stmt *stmt;
	int xml_tables = 0, db_tables = 0;

	CHECK(xml != NULL);
	mih_store_close(st);
	CHECK(sqlite3_open(db_path, &raw) == SQLITE_OK);
	for (const char *t = xml ? strstr(xml, "<TABLE ") : NULL; t; t = strstr(t + 1, "<TABLE ")) {
		char table[64];
		const char *end = strstr(t, "</TABLE>");

		attr(t, "NAME", table, sizeof(table));
		if (plugin_only_table(table)) {
			continue;
		}
		xml_tables++;
		CHECK_INT(compare_table(raw, table, t, end), 0);
	}
	CHECK(sqlite3_prepare_v2(raw, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
		" AND name LIKE 'local_integrationhub_%'", -1, &stmt, NULL) == SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		db_tables = sqlite3_column_int(stmt, 0);
	}
	sqlite3_finalize(stmt);
	CHECK_INT(xml_tables, db_tables);
	CHECK_INT(db_tables, 8);
	sqlite3_close(raw);
	free(xml);
	remove_db(db_path);
}

TEST(open_errors)
{
	mih_store *st;
	mih_sqlite_durability d;

	CHECK_INT(mih_store_sqlite_open("/nonexistent-dir/x.db", MIH_SQLITE_DURABILITY_FULL, &st,
		err, sizeof(err)), -1);
	CHECK(strstr(err, "/nonexistent-dir/x.db") != NULL);
	CHECK(st == NULL);
	CHECK_INT(mih_sqlite_durability_parse("normal", &d, err, sizeof(err)), 0);
	CHECK_INT(d, MIH_SQLITE_DURABILITY_NORMAL);
	CHECK_INT(mih_sqlite_durability_parse("FULL", &d, err, sizeof(err)), 0);
	CHECK_INT(d, MIH_SQLITE_DURABILITY_FULL);
	CHECK_INT(mih_sqlite_durability_parse("fast", &d, err, sizeof(err)), -1);
	CHECK(strstr(err, "\"fast\"") != NULL);
}

/* ---- the file removed or replaced under an open store --------------------- */

static int enqueue_one(mih_store *st, int64_t serviceid, const char *payload)
{
	mih_store_task t;
	int rc;

	memset(&t, 0, sizeof(t));
	t.serviceid = serviceid;
	t.http_method = "POST";
	t.payload = (char *)payload;
	t.payload_len = strlen(payload);
	rc = mih_store_enqueue(st, &t, err, sizeof(err));
	free(t.idempotency_key);
	return rc;
}

static size_t count_tasks(mih_store *st)
{
	mih_store_task *list;
	size_t n = 0;

	if (mih_store_task_list(st, NULL, &list, &n, err, sizeof(err)) != 0) {
		fprintf(stderr, "count_tasks: %s\n", err);
		return (size_t)-1;
	}
	mih_store_task_list_free(list, n);
	return n;
}

TEST(file_removed_refused_then_successor_used)
{
	mih_store *st = fresh_store(), *other;
	int64_t svc = add_service(st, "crm");

	CHECK_INT(enqueue_one(st, svc, "before"), 0);
	remove_db(db_path);   /* rm store.db* by an operator */
	CHECK_INT(enqueue_one(st, svc, "lost"), -1);
	CHECK(strstr(err, db_path) != NULL && strstr(err, "was removed while in use") != NULL);
	CHECK(access(db_path, F_OK) != 0);   /* not created again */
	CHECK_INT(enqueue_one(st, svc, "lost"), -1);

	other = open_store();   /* another process creates a new store there */
	CHECK(other != NULL);
	svc = add_service(other, "crm");
	mih_store_close(other);
	CHECK_INT(enqueue_one(st, svc, "into the new file"), 0);
	CHECK_INT(count_tasks(st), 1);
	finish(st);
}

TEST(file_replaced_during_a_transaction_fails_the_commit)
{
	mih_store *st = fresh_store(), *other;
	int64_t svc = add_service(st, "crm");
	char first[sizeof(db_path)];

	/* a store of its own at another path */
	memcpy(first, db_path, sizeof(first));
	new_db_path();
	other = open_store();
	CHECK(other != NULL);
	add_service(other, "crm");
	mih_store_close(other);

	CHECK_INT(mih_store_begin(st, err, sizeof(err)), 0);
	CHECK_INT(enqueue_one(st, svc, "in the old file"), 0);
	CHECK_INT(rename(db_path, first), 0);   /* mv new.db store.db */
	CHECK_INT(mih_store_commit(st, err, sizeof(err)), -1);
	CHECK(strstr(err, "was replaced by another file while a write was being committed: the write "
		"went into the old file and is lost") != NULL);
	memcpy(db_path, first, sizeof(db_path));
	CHECK_INT(count_tasks(st), 0);   /* the next call uses the new file */
	CHECK_INT(enqueue_one(st, svc, "in the new file"), 0);
	CHECK_INT(count_tasks(st), 1);
	finish(st);
}

/* ---- malformed rows ------------------------------------------------------ */

TEST(malformed_rows_are_named)
{
	mih_store *st = fresh_store();
	mih_store_task *list;
	mih_service svc;
	size_t n;

	add_service(st, "crm");
	mangle_drop = "name";
	CHECK_INT(mih_store_service_get(st, "crm", &svc, err, sizeof(err)), -1);
	CHECK_STR(err, "SQLite store: malformed local_integrationhub_svc record: field \"name\" is missing");
	mangle_drop = "base_url";
	CHECK_INT(mih_store_service_get(st, "crm", &svc, err, sizeof(err)), -1);
	CHECK_STR(err, "SQLite store: malformed local_integrationhub_svc record: field \"base_url\" is missing");
	mangle_drop = NULL;
	mangle_text = "timeout";
	CHECK_INT(mih_store_service_get(st, "crm", &svc, err, sizeof(err)), -1);
	CHECK_STR(err, "SQLite store: malformed local_integrationhub_svc record: field \"timeout\" is not a number");
	mangle_text = "id";
	CHECK_INT(mih_store_service_get(st, "crm", &svc, err, sizeof(err)), -1);
	CHECK_STR(err, "SQLite store: malformed local_integrationhub_svc record: field \"id\" is not a positive integer");
	CHECK_INT(mih_store_service_delete(st, "crm", err, sizeof(err)), -1);   /* SELECT id alone */
	CHECK_STR(err, "SQLite store: malformed record: field \"id\" is not a number");
	mangle_text = NULL;

	/* Listed tasks leave the payload out; a task read whole must have it. */
	add_task(st, 1, "body");
	mangle_drop = "payload";
	CHECK_INT(mih_store_task_list(st, NULL, &list, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 1);
	mih_store_task_list_free(list, n);
	CHECK_INT(mih_store_claim_due(st, 10, 60, &list, &n, err, sizeof(err)), -1);
	CHECK_STR(err, "SQLite store: malformed local_integrationhub_queue record: field \"payload\" is missing");
	mangle_drop = NULL;
	CHECK_INT(mih_store_service_get(st, "crm", &svc, err, sizeof(err)), MIH_STORE_DONE);
	mih_service_dispose(&svc);
	finish(st);
}

/* ---- services ----------------------------------------------------------- */

TEST(service_round_trip)
{
	mih_store *st = fresh_store();
	mih_service svc, got;
	int64_t id;

	mih_service_init(&svc);
	svc.name = strdup("crm");
	svc.base_url = strdup("https://crm.test/v1");
	free(svc.method);
	svc.method = strdup("PUT");
	svc.auth_type = MIH_AUTH_BEARER;
	svc.auth_token = strdup("tok-secret-123");
	json_object_set_new(svc.headers, "X-Tenant", json_string("t1"));
	svc.timeout = 2.5;
	svc.connect_timeout = 1.25;
	svc.max_retries = 7;
	svc.retry_backoff = 0.5;
	svc.retry_cap = 9;
	svc.retry_statuses.count = 2;
	svc.retry_statuses.codes[0] = 5;
	svc.retry_statuses.codes[1] = 429;
	svc.follow_redirects = true;
	svc.cb_mode = MIH_CB_RATE;
	svc.cb_failure_threshold = 3;
	svc.cb_window = 30;
	svc.cb_cooldown = 12.5;
	svc.cb_min_calls = 4;
	svc.cb_failure_rate = 60;
	svc.cb_halfopen_probes = 2;
	svc.cb_failure_statuses.count = 1;
	svc.cb_failure_statuses.codes[0] = 503;
	svc.max_attempts = 9;
	svc.queue_backoff = 10;
	svc.queue_backoff_cap = 100;
	json_array_append_new(svc.signing_secrets, json_string("whsec_abc"));
	svc.enabled = false;
	CHECK_INT(mih_store_service_save(st, &svc, err, sizeof(err)), 0);
	CHECK(svc.id > 0);
	CHECK_INT(svc.timecreated, fake_now);
	id = svc.id;

	CHECK_INT(mih_store_service_get(st, "crm", &got, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(got.id, id);
	CHECK_STR(got.base_url, "https://crm.test/v1");
	CHECK_STR(got.method, "PUT");
	CHECK_INT(got.auth_type, MIH_AUTH_BEARER);
	CHECK_STR(got.auth_token, "tok-secret-123");
	CHECK_STR(json_string_value(json_object_get(got.headers, "X-Tenant")), "t1");
	CHECK(got.timeout == 2.5 && got.connect_timeout == 1.25);
	CHECK_INT(got.max_retries, 7);
	CHECK(got.retry_backoff == 0.5 && got.retry_cap == 9);
	CHECK_INT(got.retry_statuses.count, 2);
	CHECK_INT(got.retry_statuses.codes[0], 5);
	CHECK_INT(got.retry_statuses.codes[1], 429);
	CHECK(got.follow_redirects);
	CHECK_INT(got.cb_mode, MIH_CB_RATE);
	CHECK_INT(got.cb_failure_threshold, 3);
	CHECK(got.cb_window == 30 && got.cb_cooldown == 12.5);
	CHECK_INT(got.cb_min_calls, 4);
	CHECK_INT(got.cb_failure_rate, 60);
	CHECK_INT(got.cb_halfopen_probes, 2);
	CHECK_INT(got.cb_failure_statuses.count, 1);
	CHECK_INT(got.cb_failure_statuses.codes[0], 503);
	CHECK_INT(got.max_attempts, 9);
	CHECK(got.queue_backoff == 10 && got.queue_backoff_cap == 100);
	CHECK_STR(json_string_value(json_array_get(got.signing_secrets, 0)), "whsec_abc");
	CHECK(!got.enabled);
	mih_service_dispose(&got);

	/* Update by name keeps the id and the creation time. */
	fake_now += 100;
	svc.id = 0;
	svc.timeout = 8;
	if (mih_store_service_save(st, &svc, err, sizeof(err)) != 0) {
		fprintf(stderr, "update: %s\n", err);
		CHECK(0);
	}
	CHECK_INT(svc.id, id);
	CHECK_INT(mih_store_service_get_by_id(st, id, &got, err, sizeof(err)), MIH_STORE_DONE);
	CHECK(got.timeout == 8);
	CHECK_INT(got.timecreated, fake_now - 100);
	CHECK_INT(got.timemodified, fake_now);
	mih_service_dispose(&got);
	mih_service_dispose(&svc);

	CHECK_INT(mih_store_service_get(st, "nope", &got, err, sizeof(err)), MIH_STORE_NOT_FOUND);
	CHECK_INT(mih_store_service_get_by_id(st, 999, &got, err, sizeof(err)), MIH_STORE_NOT_FOUND);
	finish(st);
}

TEST(service_list_and_delete)
{
	mih_store *st = fresh_store();
	mih_service *list;
	size_t n;
	mih_store_rule rule;
	int64_t zed = add_service(st, "zed");
	int64_t alpha = add_service(st, "alpha");

	CHECK_INT(mih_store_service_list(st, &list, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 2);
	CHECK_STR(list[0].name, "alpha");
	CHECK_STR(list[1].name, "zed");
	mih_store_service_list_free(list, n);

	memset(&rule, 0, sizeof(rule));
	rule.eventname = "\\core\\event\\user_created";
	rule.serviceid = zed;
	rule.http_method = "POST";
	rule.enabled = true;
	CHECK_INT(mih_store_rule_save(st, &rule, err, sizeof(err)), 0);
	add_task(st, zed, "{}");
	CHECK_INT(mih_store_service_delete(st, "zed", err, sizeof(err)), -1);
	CHECK(strstr(err, "\"zed\"") && strstr(err, "1 rule(s), 1 queued task(s) and 0 dead"));

	mih_store_circuit c = { alpha, "open", 3, fake_now, fake_now, fake_now };
	CHECK_INT(mih_store_circuit_save(st, &c, err, sizeof(err)), 0);
	CHECK_INT(mih_store_service_delete(st, "alpha", err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(mih_store_circuit_get(st, alpha, &c, err, sizeof(err)), MIH_STORE_NOT_FOUND);
	CHECK_INT(mih_store_service_delete(st, "alpha", err, sizeof(err)), MIH_STORE_NOT_FOUND);
	CHECK_INT(mih_store_service_list(st, &list, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 1);
	mih_store_service_list_free(list, n);
	finish(st);
}

TEST(service_bad_input)
{
	mih_store *st = fresh_store();
	mih_service svc;

	mih_service_init(&svc);
	CHECK_INT(mih_store_service_save(st, &svc, err, sizeof(err)), -1);
	CHECK(strstr(err, "name") != NULL);
	svc.name = strdup("x");
	CHECK_INT(mih_store_service_save(st, &svc, err, sizeof(err)), -1);
	CHECK(strstr(err, "base_url") != NULL);
	mih_service_dispose(&svc);
	finish(st);
}

/* ---- rules -------------------------------------------------------------- */

TEST(rules_crud_filter_and_version)
{
	mih_store *st = fresh_store();
	int64_t svc = add_service(st, "hooks");
	int64_t v0, v1;
	mih_store_rule r1, r2, got, *list;
	size_t n;

	/* Saving the service moved it too: other hosts' service caches compare it. */
	CHECK_INT(mih_store_rules_version(st, &v0, err, sizeof(err)), 0);
	CHECK_INT(v0, 1);
	memset(&r1, 0, sizeof(r1));
	r1.eventname = "\\core\\event\\user_loggedin";
	r1.serviceid = svc;
	r1.endpoint = "/login/{{userid}}";
	r1.http_method = "POST";
	r1.payload_template = "{\"u\":\"{{other.username}}\"}";
	r1.headers = "{\"X-A\":\"1\"}";
	r1.enabled = true;
	CHECK_INT(mih_store_rule_save(st, &r1, err, sizeof(err)), 0);
	CHECK(r1.id > 0);
	r2 = r1;
	r2.id = 0;
	r2.enabled = false;
	r2.headers = NULL;
	CHECK_INT(mih_store_rule_save(st, &r2, err, sizeof(err)), 0);
	CHECK_INT(mih_store_rules_version(st, &v1, err, sizeof(err)), 0);
	CHECK_INT(v1, 3);

	CHECK_INT(mih_store_rule_get(st, r1.id, &got, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_STR(got.eventname, "\\core\\event\\user_loggedin");
	CHECK_STR(got.service, "hooks");
	CHECK_STR(got.endpoint, "/login/{{userid}}");
	CHECK_STR(got.payload_template, "{\"u\":\"{{other.username}}\"}");
	CHECK_STR(got.headers, "{\"X-A\":\"1\"}");
	CHECK(got.enabled);
	CHECK_INT(got.timecreated, fake_now);
	mih_store_rule_dispose(&got);

	CHECK_INT(mih_store_rules_for_event(st, "\\core\\event\\user_loggedin", &list, &n, err,
		sizeof(err)), 0);
	CHECK_INT(n, 1);
	CHECK_INT(list[0].id, r1.id);
	mih_store_rule_list_free(list, n);

	mih_store_rule_filter f = { NULL, svc, -1 };
	CHECK_INT(mih_store_rule_list(st, &f, &list, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 2);
	mih_store_rule_list_free(list, n);
	f.enabled = 0;
	CHECK_INT(mih_store_rule_list(st, &f, &list, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 1);
	CHECK_INT(list[0].id, r2.id);
	CHECK(list[0].headers == NULL);
	mih_store_rule_list_free(list, n);

	/* Update in place. */
	fake_now += 5;
	r2.enabled = true;
	r2.endpoint = "/v2";
	CHECK_INT(mih_store_rule_save(st, &r2, err, sizeof(err)), 0);
	CHECK_INT(mih_store_rule_get(st, r2.id, &got, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_STR(got.endpoint, "/v2");
	CHECK_INT(got.timecreated, fake_now - 5);
	CHECK_INT(got.timemodified, fake_now);
	mih_store_rule_dispose(&got);

	r2.id = 4242;
	CHECK_INT(mih_store_rule_save(st, &r2, err, sizeof(err)), MIH_STORE_NOT_FOUND);
	r2.id = 0;
	r2.serviceid = 777;
	CHECK_INT(mih_store_rule_save(st, &r2, err, sizeof(err)), -1);
	CHECK(strstr(err, "777") != NULL);
	r2.serviceid = svc;
	r2.eventname = "";
	CHECK_INT(mih_store_rule_save(st, &r2, err, sizeof(err)), -1);
	CHECK(strstr(err, "eventname") != NULL);

	CHECK_INT(mih_store_rule_delete(st, r1.id, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(mih_store_rule_delete(st, r1.id, err, sizeof(err)), MIH_STORE_NOT_FOUND);
	CHECK_INT(mih_store_rule_get(st, r1.id, &got, err, sizeof(err)), MIH_STORE_NOT_FOUND);
	CHECK_INT(mih_store_rules_version(st, &v1, err, sizeof(err)), 0);
	CHECK_INT(v1, 5);
	add_service(st, "other");
	CHECK_INT(mih_store_service_delete(st, "other", err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(mih_store_rules_version(st, &v1, err, sizeof(err)), 0);
	CHECK_INT(v1, 7);
	finish(st);
}

/* ---- queue -------------------------------------------------------------- */

/* SQLite claims in one transaction (a SELECT of the due rows, an UPDATE of
 * their ids): more than a round of the token write and read-back holds
 * (100) at once with one token,
 * oldest due first (by next_run, then id, whatever order the rows come
 * back in), tasks not yet due or leased left alone. */
TEST(claim_set_based_sqlite)
{
	mih_store *st = fresh_store();
	int64_t svc = add_service(st, "hooks");
	int64_t first = 0, later;
	mih_store_task t, *claimed, *again;
	size_t n, m, i;
	int sorted = 1, as_claimed = 1;
	size_t other_token = 0;

	for (i = 0; i < 150; i++) {
		memset(&t, 0, sizeof(t));
		t.serviceid = svc;
		t.eventname = "\\core\\event\\user_loggedin";
		t.endpoint = "/hook";
		t.http_method = "POST";
		t.payload = (char *)"{}";
		t.payload_len = 2;
		t.next_run = fake_now - 1000 + (int64_t)(i % 7);   /* out of id order */
		CHECK_INT(mih_store_enqueue(st, &t, err, sizeof(err)), 0);
		free(t.idempotency_key);
		if (!first) {
			first = t.id;
		}
	}
	memset(&t, 0, sizeof(t));
	t.serviceid = svc;
	t.eventname = "\\core\\event\\user_loggedin";
	t.endpoint = "/later";
	t.http_method = "POST";
	t.payload = (char *)"{}";
	t.payload_len = 2;
	t.next_run = fake_now + 3600;
	CHECK_INT(mih_store_enqueue(st, &t, err, sizeof(err)), 0);
	free(t.idempotency_key);
	later = t.id;

	CHECK_INT(mih_store_claim_due(st, 1000, 60, &claimed, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 150);
	for (i = 0; i < n; i++) {
		if (i > 0 && (claimed[i].next_run < claimed[i - 1].next_run
				|| (claimed[i].next_run == claimed[i - 1].next_run && claimed[i].id <= claimed[i - 1].id))) {
			sorted = 0;
		}
		if (claimed[i].id == later || claimed[i].lease_until != fake_now + 60 || strcmp(claimed[i].service, "hooks") != 0) {
			as_claimed = 0;
		}
		if (strcmp(claimed[i].claim_token, claimed[0].claim_token) != 0) {
			other_token++;
		}
	}
	CHECK(sorted);
	CHECK(as_claimed);
	/* Without serialized writes ($DB's executor, text mode): rounds of at most 100
	 * ids, each with its token (the oldest 100 first). */
	CHECK_INT(other_token, text_mode ? 50 : 0);
	CHECK_INT(claimed[0].id, first);   /* next_run - 1000 + 0, the lowest id with it */
	/* All leased: nothing more is due. */
	CHECK_INT(mih_store_claim_due(st, 10, 60, &again, &m, err, sizeof(err)), 0);
	CHECK_INT(m, 0);
	free(again);
	/* A claim's token guards its completion. */
	CHECK_INT(mih_store_complete(st, &claimed[0], err, sizeof(err)), 0);
	mih_store_task_list_free(claimed, n);
	finish(st);
}

TEST(enqueue_claim_complete)
{
	mih_store *st = fresh_store();
	int64_t svc = add_service(st, "hooks");
	static const char bytes[] = "{\"a\":\"x\0y\"}";
	mih_store_task t, *claimed, got;
	size_t n;

	memset(&t, 0, sizeof(t));
	t.serviceid = svc;
	t.ruleid = 0;
	t.eventname = "\\mod_forum\\event\\post_created";
	t.endpoint = "/posts";
	t.http_method = "PUT";
	t.payload = (char *)bytes;
	t.payload_len = sizeof(bytes) - 1;
	t.headers = "{\"X-B\":\"2\"}";
	t.eventdata = "{\"objectid\":5}";
	CHECK_INT(mih_store_enqueue(st, &t, err, sizeof(err)), 0);
	CHECK(t.id > 0);
	CHECK(strncmp(t.idempotency_key, "msg_", 4) == 0 && strlen(t.idempotency_key) == 36);
	CHECK_INT(t.next_run, fake_now);
	add_task(st, svc, "second");

	CHECK_INT(mih_store_claim_due(st, 1, 60, &claimed, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 1);
	CHECK_INT(claimed[0].id, t.id);
	CHECK_INT(claimed[0].payload_len, sizeof(bytes) - 1);
	CHECK(memcmp(claimed[0].payload, bytes, sizeof(bytes) - 1) == 0);
	CHECK_STR(claimed[0].idempotency_key, t.idempotency_key);
	CHECK_STR(claimed[0].service, "hooks");
	CHECK_STR(claimed[0].http_method, "PUT");
	CHECK_STR(claimed[0].headers, "{\"X-B\":\"2\"}");
	CHECK_STR(claimed[0].eventdata, "{\"objectid\":5}");
	CHECK_INT(claimed[0].ruleid, 0);
	CHECK_INT(claimed[0].lease_until, fake_now + 60);
	CHECK_INT(claimed[0].state, MIH_TASK_RUNNING);
	CHECK(claimed[0].claim_token && strlen(claimed[0].claim_token) == MIH_STORE_CLAIM_TOKEN_LEN);

	CHECK_INT(mih_store_complete(st, &claimed[0], err, sizeof(err)), 0);
	CHECK_INT(mih_store_task_get(st, t.id, &got, err, sizeof(err)), MIH_STORE_NOT_FOUND);
	mih_store_task_list_free(claimed, n);

	/* The second task is still due; a third claim finds nothing. */
	CHECK_INT(mih_store_claim_due(st, 10, 60, &claimed, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 1);
	mih_store_task_list_free(claimed, n);
	CHECK_INT(mih_store_claim_due(st, 10, 60, &claimed, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 0);
	free(claimed);

	/* Same idempotency key twice is refused by the unique index. */
	free(t.idempotency_key);
	t.idempotency_key = "msg_fixed";
	CHECK_INT(mih_store_enqueue(st, &t, err, sizeof(err)), 0);
	t.id = 0;
	CHECK_INT(mih_store_enqueue(st, &t, err, sizeof(err)), -1);
	CHECK(strstr(err, "idempotency_key") != NULL);
	t.idempotency_key = "";
	CHECK_INT(mih_store_enqueue(st, &t, err, sizeof(err)), -1);
	CHECK(strstr(err, "idempotency key") != NULL);
	CHECK_INT(mih_store_claim_due(st, 0, 60, &claimed, &n, err, sizeof(err)), -1);
	CHECK(strstr(err, "limit") != NULL);
	CHECK_INT(mih_store_claim_due(st, 5, 0, &claimed, &n, err, sizeof(err)), -1);
	CHECK(strstr(err, "lease") != NULL);
	finish(st);
}

TEST(lease_expiry_reclaims)
{
	mih_store *st = fresh_store();
	int64_t svc = add_service(st, "hooks");
	int64_t id = add_task(st, svc, "p");
	mih_store_task *first, *again, got;
	size_t n1, n2;

	CHECK_INT(mih_store_claim_due(st, 5, 30, &first, &n1, err, sizeof(err)), 0);
	CHECK_INT(n1, 1);
	fake_now += 29;
	CHECK_INT(mih_store_claim_due(st, 5, 30, &again, &n2, err, sizeof(err)), 0);
	CHECK_INT(n2, 0);
	free(again);
	fake_now += 1;   /* lease_until == now: expired */
	CHECK_INT(mih_store_claim_due(st, 5, 30, &again, &n2, err, sizeof(err)), 0);
	CHECK_INT(n2, 1);
	CHECK_INT(again[0].id, id);
	CHECK(strcmp(again[0].claim_token, first[0].claim_token) != 0);

	/* The first worker's late outcome no longer applies. */
	CHECK_INT(mih_store_complete(st, &first[0], err, sizeof(err)), 0);
	CHECK_INT(mih_store_reschedule(st, &first[0], 1, fake_now + 99, 500, "late", err,
		sizeof(err)), 0);
	CHECK_INT(mih_store_to_dlq(st, &first[0], 1, 500, "late", NULL, 0, NULL, err, sizeof(err)),
		MIH_STORE_LOST);
	CHECK_INT(mih_store_task_get(st, id, &got, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(got.attempts, 0);
	CHECK_INT(got.state, MIH_TASK_RUNNING);
	CHECK_STR(got.claim_token, again[0].claim_token);
	mih_store_task_dispose(&got);
	mih_store_dead *dl;
	size_t nd;
	CHECK_INT(mih_store_dead_list(st, NULL, &dl, &nd, err, sizeof(err)), 0);
	CHECK_INT(nd, 0);
	free(dl);
	mih_store_task_list_free(first, n1);
	mih_store_task_list_free(again, n2);
	finish(st);
}

TEST(reschedule_park_and_derived_states)
{
	mih_store *st = fresh_store();
	int64_t a = add_service(st, "a");
	int64_t b = add_service(st, "b");
	int64_t t1 = add_task(st, a, "1"), t2 = add_task(st, a, "2");
	int64_t t3 = add_task(st, b, "3");
	int64_t t4;
	mih_store_task *c, *list, got;
	size_t n, nl;
	mih_store_queue_counts *counts;
	size_t nc;

	(void)t3;
	CHECK_INT(mih_store_claim_due(st, 3, 60, &c, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 3);
	CHECK_INT(mih_store_reschedule(st, &c[0], 1, fake_now + 120, 503, "HTTP 503 Service "
		"Unavailable", err, sizeof(err)), 0);
	CHECK_INT(mih_store_park(st, &c[1], fake_now + 30, "circuit open", err, sizeof(err)), 0);
	fake_now += 1;
	t4 = add_task(st, b, "4");   /* pending; c[2] stays running */

	CHECK_INT(mih_store_task_get(st, t1, &got, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(got.state, MIH_TASK_RETRYING);
	CHECK_INT(got.attempts, 1);
	CHECK_INT(got.last_status, 503);
	CHECK_STR(got.last_error, "HTTP 503 Service Unavailable");
	CHECK(got.claim_token == NULL);
	mih_store_task_dispose(&got);
	CHECK_INT(mih_store_task_get(st, t2, &got, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(got.state, MIH_TASK_PARKED);
	CHECK_INT(got.attempts, 0);
	CHECK_STR(got.last_error, "circuit open");
	mih_store_task_dispose(&got);

	/* Ordered by next_run then id: t3 (running, next_run old), t4, t2, t1. */
	CHECK_INT(mih_store_task_list(st, NULL, &list, &nl, err, sizeof(err)), 0);
	CHECK_INT(nl, 4);
	if (nl == 4) {
		CHECK_INT(list[0].state, MIH_TASK_RUNNING);
		CHECK_INT(list[1].id, t4);
		CHECK_INT(list[1].state, MIH_TASK_PENDING);
		CHECK_INT(list[2].id, t2);
		CHECK_INT(list[3].id, t1);
		CHECK(list[0].payload == NULL);   /* the summary leaves payloads out */
		CHECK_STR(mih_task_state_name(list[3].state), "retrying");
	}
	mih_store_task_list_free(list, nl);

	static const mih_task_state states[] = {
		MIH_TASK_PENDING, MIH_TASK_RETRYING, MIH_TASK_PARKED, MIH_TASK_RUNNING
	};
	for (size_t i = 0; i < 4; i++) {
		mih_store_task_filter f = { states[i], 0, 0, 0, NULL };

		CHECK_INT(mih_store_task_list(st, &f, &list, &nl, err, sizeof(err)), 0);
		CHECK_INT(nl, 1);
		if (nl) {
			CHECK_INT(list[0].state, states[i]);
		}
		mih_store_task_list_free(list, nl);
	}
	mih_store_task_filter fs = { MIH_TASK_ANY, b, 1, 1, NULL };
	CHECK_INT(mih_store_task_list(st, &fs, &list, &nl, err, sizeof(err)), 0);
	CHECK_INT(nl, 1);
	if (nl) {
		CHECK_INT(list[0].id, t4);
	}
	mih_store_task_list_free(list, nl);

	CHECK_INT(mih_store_queue_counts_list(st, &counts, &nc, err, sizeof(err)), 0);
	CHECK_INT(nc, 2);
	if (nc == 2) {
		CHECK_INT(counts[0].serviceid, a);
		CHECK_INT(counts[0].retrying, 1);
		CHECK_INT(counts[0].parked, 1);
		CHECK_INT(counts[0].pending + counts[0].running, 0);
		CHECK_INT(counts[1].pending, 1);
		CHECK_INT(counts[1].running, 1);
	}
	free(counts);

	int64_t due;
	bool any;
	CHECK_INT(mih_store_next_due(st, &due, &any, err, sizeof(err)), 0);
	CHECK(any);
	CHECK_INT(due, fake_now);   /* t4 is due now */

	/* A parked task whose time has come is claimable again (to re-check). */
	fake_now += 60;
	mih_store_task *again;
	size_t na;
	CHECK_INT(mih_store_claim_due(st, 10, 60, &again, &na, err, sizeof(err)), 0);
	CHECK_INT(na, 3);   /* t4, t2 (parked, due), and t3 whose lease ended */
	mih_store_task_list_free(again, na);
	mih_store_task_list_free(c, n);

	mih_task_state s;
	CHECK_INT(mih_task_state_parse("parked", &s), 0);
	CHECK_INT(s, MIH_TASK_PARKED);
	CHECK_INT(mih_task_state_parse("", &s), 0);
	CHECK_INT(s, MIH_TASK_ANY);
	CHECK_INT(mih_task_state_parse("done", &s), -1);
	finish(st);
}

/* One attempt per task per worker run, by run token rather than by the
 * clock: the fake clock never moves here, as when everything happens within
 * one second. */
static size_t claim_ids(mih_store *st, const char *run, int64_t *ids, size_t max)
{
	mih_store_task *c;
	size_t n, i;

	CHECK_INT(mih_store_claim_due_once(st, 10, 60, run, &c, &n, err, sizeof(err)), 0);
	for (i = 0; i < n && i < max; i++) {
		ids[i] = c[i].id;
	}
	mih_store_task_list_free(c, n);
	return n;
}

static void claim_one(mih_store *st, const char *run, mih_store_task **c)
{
	size_t n;

	CHECK_INT(mih_store_claim_due_once(st, 1, 60, run, c, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 1);
}

TEST(claim_once_per_run)
{
	mih_store *st = fresh_store();
	int64_t svc = add_service(st, "hooks");
	int64_t t1 = add_task(st, svc, "1"), ids[4];
	char run1[MIH_STORE_RUN_TOKEN_LEN + 1], run2[MIH_STORE_RUN_TOKEN_LEN + 1];
	char run3[MIH_STORE_RUN_TOKEN_LEN + 1];
	mih_store_task *c, got;

	CHECK_INT(mih_store_new_run_token(run1), 0);
	CHECK_INT(mih_store_new_run_token(run2), 0);
	CHECK_INT(mih_store_new_run_token(run3), 0);
	CHECK_INT(strlen(run1), MIH_STORE_RUN_TOKEN_LEN);
	CHECK(strcmp(run1, run2) != 0);

	/* Attempted, due again at once: not in this run, in the next one. */
	claim_one(st, run1, &c);
	CHECK_INT(mih_store_reschedule(st, &c[0], 1, fake_now, 503, "HTTP 503", err, sizeof(err)), 0);
	mih_store_task_list_free(c, 1);
	CHECK_INT(claim_ids(st, run1, ids, 4), 0);
	claim_one(st, run2, &c);
	CHECK_INT(c[0].id, t1);
	CHECK_INT(mih_store_reschedule(st, &c[0], 2, fake_now + 60, 503, "HTTP 503", err, sizeof(err)), 0);
	mih_store_task_list_free(c, 1);

	/* "Retry now": due, and for any run, the one that attempted it included;
	 * it has failed before, so it shows as Failed (Retry), due now. */
	CHECK_INT(mih_store_task_retry_now(st, t1, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(mih_store_task_get(st, t1, &got, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(got.state, MIH_TASK_RETRYING);
	CHECK(got.next_run <= fake_now);
	CHECK_INT(got.attempts, 2);
	mih_store_task_dispose(&got);
	claim_one(st, run2, &c);
	CHECK_INT(c[0].id, t1);

	/* Parking is no attempt: the same run may claim it again once due. */
	CHECK_INT(mih_store_park(st, &c[0], fake_now, "circuit open", err, sizeof(err)), 0);
	mih_store_task_list_free(c, 1);
	claim_one(st, run2, &c);
	CHECK_INT(c[0].id, t1);
	mih_store_task_list_free(c, 1);

	/* A lease that ran out leaves the mark: another run takes it, not this one. */
	fake_now += 60;
	CHECK_INT(claim_ids(st, run2, ids, 4), 0);
	CHECK_INT(claim_ids(st, run3, ids, 4), 1);
	CHECK_INT(ids[0], t1);

	/* New tasks are for every run; claims without a token ignore marks. */
	fake_now += 60;
	int64_t t2 = add_task(st, svc, "2");
	CHECK_INT(claim_ids(st, run3, ids, 4), 1);
	CHECK_INT(ids[0], t2);
	fake_now += 60;
	CHECK_INT(claim_ids(st, NULL, ids, 4), 2);
	finish(st);
}

TEST(retry_now_and_delete)
{
	mih_store *st = fresh_store();
	int64_t svc = add_service(st, "hooks");
	int64_t t1 = add_task(st, svc, "1");
	int64_t t2;
	mih_store_task *c, got;
	size_t n;

	CHECK_INT(mih_store_claim_due(st, 1, 60, &c, &n, err, sizeof(err)), 0);
	CHECK_INT(mih_store_park(st, &c[0], fake_now + 500, "service disabled", err, sizeof(err)), 0);
	mih_store_task_list_free(c, n);
	CHECK_INT(mih_store_task_retry_now(st, t1, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(mih_store_task_get(st, t1, &got, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(got.state, MIH_TASK_PENDING);
	CHECK_INT(got.next_run, fake_now);
	mih_store_task_dispose(&got);
	CHECK_INT(mih_store_task_retry_now(st, 999, err, sizeof(err)), MIH_STORE_NOT_FOUND);

	t2 = add_task(st, svc, "2");
	CHECK_INT(mih_store_claim_due(st, 2, 60, &c, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 2);
	CHECK_INT(mih_store_task_delete(st, t2, err, sizeof(err)), MIH_STORE_RUNNING);
	CHECK_INT(mih_store_task_retry_now(st, t2, err, sizeof(err)), MIH_STORE_RUNNING);
	CHECK_INT(mih_store_reschedule(st, &c[1], 1, fake_now + 10, 0, "timeout", err, sizeof(err)), 0);
	CHECK_INT(mih_store_task_delete(st, t2, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(mih_store_task_delete(st, t2, err, sizeof(err)), MIH_STORE_NOT_FOUND);
	CHECK_INT(mih_store_task_get(st, t2, &got, err, sizeof(err)), MIH_STORE_NOT_FOUND);
	mih_store_task_list_free(c, n);
	finish(st);
}

/* ---- dead letters ------------------------------------------------------- */

static sqlite3 *raw_open(void)
{
	sqlite3 *raw = NULL;

	sqlite3_open(db_path, &raw);
	sqlite3_busy_timeout(raw, 5000);
	return raw;
}

TEST(to_dlq_is_atomic)
{
	mih_store *st = fresh_store();
	int64_t svc = add_service(st, "hooks");
	int64_t id = add_task(st, svc, "{\"k\":1}");
	mih_store_task *c, got;
	mih_store_dead *dl;
	size_t n, nd;
	sqlite3 *raw = raw_open();

	CHECK_INT(mih_store_claim_due(st, 1, 60, &c, &n, err, sizeof(err)), 0);
	/* Make the task's DELETE fail after the dead letter was inserted. */
	CHECK(sqlite3_exec(raw, "CREATE TRIGGER no_delete BEFORE DELETE ON local_integrationhub_queue"
		" BEGIN SELECT RAISE(ABORT, 'delete refused'); END", NULL, NULL, NULL) == SQLITE_OK);
	CHECK_INT(mih_store_to_dlq(st, &c[0], 5, 500, "HTTP 500", "oops", 4, NULL, err,
		sizeof(err)), -1);
	CHECK(strstr(err, "delete refused") != NULL);
	CHECK_INT(mih_store_dead_list(st, NULL, &dl, &nd, err, sizeof(err)), 0);
	CHECK_INT(nd, 0);
	free(dl);
	CHECK_INT(mih_store_task_get(st, id, &got, err, sizeof(err)), MIH_STORE_DONE);
	mih_store_task_dispose(&got);

	CHECK(sqlite3_exec(raw, "DROP TRIGGER no_delete", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(raw);
	int64_t dead_id = 0;
	CHECK_INT(mih_store_to_dlq(st, &c[0], 5, 404, "HTTP 404 Not Found", "missing", 7, &dead_id,
		err, sizeof(err)), MIH_STORE_DONE);
	CHECK(dead_id > 0);
	CHECK_INT(mih_store_task_get(st, id, &got, err, sizeof(err)), MIH_STORE_NOT_FOUND);
	mih_store_dead d;
	CHECK_INT(mih_store_dead_get(st, dead_id, &d, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(d.taskid, id);
	CHECK_INT(d.attempts, 5);
	CHECK_INT(d.last_status, 404);
	CHECK_STR(d.error_message, "HTTP 404 Not Found");
	CHECK_STR(d.response, "missing");
	CHECK_STR(d.payload, "{\"k\":1}");
	CHECK_STR(d.service, "hooks");
	CHECK_STR(d.idempotency_key, c[0].idempotency_key);
	CHECK_INT(d.taskcreated, c[0].timecreated);
	CHECK_INT(d.timecreated, fake_now);
	mih_store_dead_dispose(&d);
	mih_store_task_list_free(c, n);
	finish(st);
}

TEST(dlq_truncates_response_and_accepts_unqueued)
{
	mih_store *st = fresh_store();
	int64_t svc = add_service(st, "hooks");
	char big[MIH_STORE_RESPONSE_MAX + 10];
	mih_store_task t;
	mih_store_dead d;
	int64_t dead_id;

	memset(big, 'a', sizeof(big));
	big[MIH_STORE_RESPONSE_MAX - 1] = (char)0xc3;   /* a 2-byte character across the cut */
	big[MIH_STORE_RESPONSE_MAX] = (char)0xa9;
	memset(&t, 0, sizeof(t));
	t.serviceid = svc;
	t.eventname = "\\core\\event\\user_created";
	t.http_method = "POST";
	t.idempotency_key = "msg_template_failure";
	CHECK_INT(mih_store_to_dlq(st, &t, 0, 0, "template: unknown variable", big, sizeof(big),
		&dead_id, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(mih_store_dead_get(st, dead_id, &d, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(strlen(d.response), MIH_STORE_RESPONSE_MAX - 1);
	CHECK_INT(d.taskid, 0);
	CHECK(d.payload == NULL);
	mih_store_dead_dispose(&d);
	finish(st);
}

TEST(dlq_replay_keeps_bytes_and_key)
{
	mih_store *st = fresh_store();
	int64_t svc = add_service(st, "hooks");
	static const char bytes[] = "{\"n\":\"\xc3\xa9\",\"z\":\"\0\"}";
	mih_store_task t, *c, got;
	size_t n;
	int64_t dead_id, new_id;

	memset(&t, 0, sizeof(t));
	t.serviceid = svc;
	t.ruleid = 77;
	t.eventname = "\\core\\event\\course_created";
	t.endpoint = "/courses";
	t.http_method = "POST";
	t.payload = (char *)bytes;
	t.payload_len = sizeof(bytes) - 1;
	CHECK_INT(mih_store_enqueue(st, &t, err, sizeof(err)), 0);
	CHECK_INT(mih_store_claim_due(st, 1, 60, &c, &n, err, sizeof(err)), 0);
	CHECK_INT(mih_store_to_dlq(st, &c[0], 5, 500, "HTTP 500", NULL, 0, &dead_id, err,
		sizeof(err)), MIH_STORE_DONE);
	mih_store_task_list_free(c, n);

	fake_now += 1000;
	CHECK_INT(mih_store_dead_replay(st, dead_id, &new_id, err, sizeof(err)), MIH_STORE_DONE);
	CHECK(new_id > t.id);
	CHECK_INT(mih_store_task_get(st, new_id, &got, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(got.payload_len, sizeof(bytes) - 1);
	CHECK(memcmp(got.payload, bytes, sizeof(bytes) - 1) == 0);
	CHECK_STR(got.idempotency_key, t.idempotency_key);
	CHECK_INT(got.attempts, 0);
	CHECK_INT(got.ruleid, 77);
	CHECK_INT(got.state, MIH_TASK_PENDING);
	CHECK_INT(got.next_run, fake_now);
	CHECK_STR(got.endpoint, "/courses");
	mih_store_task_dispose(&got);
	mih_store_dead d;
	CHECK_INT(mih_store_dead_get(st, dead_id, &d, err, sizeof(err)), MIH_STORE_NOT_FOUND);
	CHECK_INT(mih_store_dead_replay(st, dead_id, &new_id, err, sizeof(err)), MIH_STORE_NOT_FOUND);
	free(t.idempotency_key);
	finish(st);
}

static void kill_task_with(mih_store *st, int64_t svc, const char *eventname, const char *error)
{
	mih_store_task t;

	memset(&t, 0, sizeof(t));
	t.serviceid = svc;
	t.eventname = (char *)eventname;
	t.http_method = "POST";
	t.payload = "x";
	t.payload_len = 1;
	if (mih_store_to_dlq(st, &t, 5, 500, error, NULL, 0, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "kill_task: %s\n", err);
	}
}

static void kill_task(mih_store *st, int64_t svc, const char *eventname)
{
	kill_task_with(st, svc, eventname, "HTTP 500");
}

TEST(dlq_list_filters_replay_all_purge)
{
	mih_store *st = fresh_store();
	int64_t a = add_service(st, "a"), b = add_service(st, "b");
	mih_store_dead *dl;
	size_t n;
	long count;

	kill_task(st, a, "\\e\\one");
	kill_task(st, a, "\\e\\two");
	fake_now += 100;
	kill_task(st, b, "\\e\\one");
	kill_task(st, b, "\\e\\two");
	kill_task(st, b, "\\e\\two");

	CHECK_INT(mih_store_dead_list(st, NULL, &dl, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 5);
	if (n == 5) {
		CHECK(dl[0].id > dl[4].id);   /* newest first */
	}
	mih_store_dead_list_free(dl, n);
	mih_store_dead_filter f = { b, "\\e\\two", 0, 0, 0, NULL };
	CHECK_INT(mih_store_dead_list(st, &f, &dl, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 2);
	mih_store_dead_list_free(dl, n);
	mih_store_dead_filter since = { 0, NULL, fake_now, 2, 1, NULL };
	CHECK_INT(mih_store_dead_list(st, &since, &dl, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 2);   /* 3 recent ones, limit 2 from offset 1 */
	mih_store_dead_list_free(dl, n);

	mih_store_dead_count *dc;
	size_t ndc;
	CHECK_INT(mih_store_dead_counts(st, &dc, &ndc, err, sizeof(err)), 0);
	CHECK_INT(ndc, 2);
	if (ndc == 2) {
		CHECK_INT(dc[0].serviceid, a);
		CHECK_INT(dc[0].count, 2);
		CHECK_INT(dc[1].count, 3);
	}
	free(dc);

	mih_store_dead_filter fa = { a, NULL, 0, 0, 0, NULL };
	CHECK_INT(mih_store_dead_replay_all(st, &fa, &count, err, sizeof(err)), 0);
	CHECK_INT(count, 2);
	mih_store_task *tl;
	size_t nt;
	CHECK_INT(mih_store_task_list(st, NULL, &tl, &nt, err, sizeof(err)), 0);
	CHECK_INT(nt, 2);
	if (nt == 2) {
		CHECK(strncmp(tl[0].idempotency_key, "msg_", 4) == 0);
	}
	mih_store_task_list_free(tl, nt);

	CHECK_INT(mih_store_dead_list(st, &f, &dl, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 2);
	CHECK_INT(mih_store_dead_delete(st, dl[0].id, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(mih_store_dead_delete(st, dl[0].id, err, sizeof(err)), MIH_STORE_NOT_FOUND);
	mih_store_dead_list_free(dl, n);

	CHECK_INT(mih_store_dead_purge(st, &f, &count, err, sizeof(err)), 0);
	CHECK_INT(count, 1);
	CHECK_INT(mih_store_dead_purge(st, NULL, &count, err, sizeof(err)), 0);
	CHECK_INT(count, 1);
	CHECK_INT(mih_store_dead_purge(st, NULL, &count, err, sizeof(err)), 0);
	CHECK_INT(count, 0);
	finish(st);
}

static long dead_total(mih_store *st, const mih_store_dead_filter *f)
{
	long n = -1;

	CHECK_INT(mih_store_dead_total(st, f, &n, err, sizeof(err)), 0);
	return n;
}

/* The error search is a substring match ignoring case in which %, _ and the
 * escape character \ are plain characters; it narrows lists, totals, replay_all
 * and purge alike. */
TEST(dlq_error_search_and_totals)
{
	mih_store *st = fresh_store();
	int64_t a = add_service(st, "a"), b = add_service(st, "b");
	mih_store_dead *dl;
	size_t n;
	long count;

	kill_task_with(st, a, "\\e\\one", "HTTP 404 Not Found");
	kill_task_with(st, a, "\\e\\one", "HTTP 404 50% off");
	kill_task_with(st, a, "\\e\\two", "HTTP 404 5x0 off");
	kill_task_with(st, b, "\\e\\two", "blocked: my_host matches my_host");
	kill_task_with(st, b, "\\e\\two", "blocked: myXhost");
	kill_task_with(st, b, "\\e\\two", "path C:\\tmp\\x");

	CHECK_INT(dead_total(st, NULL), 6);
	mih_store_dead_filter f = { 0, NULL, 0, 0, 0, "not found" };
	CHECK_INT(dead_total(st, &f), 1);
	f.error = "404";
	CHECK_INT(dead_total(st, &f), 3);
	f.error = "0% o";          /* the % is literal: not "5x0 off" */
	CHECK_INT(dead_total(st, &f), 1);
	f.error = "y_h";           /* the _ is literal: not "myXhost" */
	CHECK_INT(dead_total(st, &f), 1);
	f.error = "%";
	CHECK_INT(dead_total(st, &f), 1);
	f.error = ":\\tmp\\";      /* backslashes are literal too */
	CHECK_INT(dead_total(st, &f), 1);
	f.error = "\\";
	CHECK_INT(dead_total(st, &f), 1);
	f.error = "";              /* empty: no condition */
	CHECK_INT(dead_total(st, &f), 6);
	f.error = "nowhere";
	CHECK_INT(dead_total(st, &f), 0);

	/* Combined with the other conditions; the list pages over the same set. */
	mih_store_dead_filter g = { a, "\\e\\one", 0, 1, 1, "HTTP 404" };
	CHECK_INT(dead_total(st, &g), 2);   /* limit and offset ignored */
	CHECK_INT(mih_store_dead_list(st, &g, &dl, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(dl[0].error_message, "HTTP 404 Not Found");   /* the older one, page 2 */
	}
	mih_store_dead_list_free(dl, n);
	g.serviceid = b;
	CHECK_INT(dead_total(st, &g), 0);

	mih_store_dead_filter r = { 0, NULL, 0, 0, 0, "OFF" };
	CHECK_INT(mih_store_dead_replay_all(st, &r, &count, err, sizeof(err)), 0);
	CHECK_INT(count, 2);
	CHECK_INT(dead_total(st, NULL), 4);
	r.error = "my_host";
	CHECK_INT(mih_store_dead_purge(st, &r, &count, err, sizeof(err)), 0);
	CHECK_INT(count, 1);
	CHECK_INT(dead_total(st, NULL), 3);
	finish(st);
}

static long task_total(mih_store *st, const mih_store_task_filter *f)
{
	long n = -1;

	CHECK_INT(mih_store_task_total(st, f, &n, err, sizeof(err)), 0);
	return n;
}

TEST(task_eventname_filter_and_totals)
{
	mih_store *st = fresh_store();
	int64_t a = add_service(st, "a"), b = add_service(st, "b");
	int64_t t1 = add_task(st, a, "1"), t2 = add_task(st, a, "2");
	mih_store_task t, *list;
	size_t n;

	(void)t1;
	memset(&t, 0, sizeof(t));
	t.serviceid = b;
	t.eventname = "\\core\\event\\user_created";
	t.endpoint = "/u";
	t.http_method = "POST";
	t.payload = "3";
	t.payload_len = 1;
	CHECK_INT(mih_store_enqueue(st, &t, err, sizeof(err)), 0);
	free(t.idempotency_key);
	CHECK_INT(mih_store_task_retry_now(st, t2, err, sizeof(err)), MIH_STORE_DONE);

	CHECK_INT(task_total(st, NULL), 3);
	mih_store_task_filter f = { MIH_TASK_ANY, 0, 1, 0, "\\core\\event\\user_loggedin" };
	CHECK_INT(task_total(st, &f), 2);   /* the limit is ignored */
	CHECK_INT(mih_store_task_list(st, &f, &list, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 1);
	mih_store_task_list_free(list, n);
	f.offset = 1;
	f.limit = 5;
	CHECK_INT(mih_store_task_list(st, &f, &list, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 1);
	mih_store_task_list_free(list, n);
	f.serviceid = b;
	CHECK_INT(task_total(st, &f), 0);
	f.eventname = "\\core\\event\\user_created";
	CHECK_INT(task_total(st, &f), 1);
	f.eventname = "\\core\\event\\user";   /* exact, not a prefix */
	f.serviceid = 0;
	CHECK_INT(task_total(st, &f), 0);
	f.eventname = NULL;
	f.state = MIH_TASK_PENDING;
	CHECK_INT(task_total(st, &f), 3);
	f.state = MIH_TASK_RUNNING;
	CHECK_INT(task_total(st, &f), 0);
	finish(st);
}

/* ---- request log -------------------------------------------------------- */

static void log_call(mih_store *st, int64_t svc, const char *name, bool ok, long latency,
	int64_t taskid)
{
	mih_store_log_row r;

	memset(&r, 0, sizeof(r));
	r.serviceid = svc;
	r.servicename = (char *)name;
	r.endpoint = "/x";
	r.http_method = "GET";
	r.taskid = taskid;
	r.http_status = ok ? 200 : 500;
	r.latency_ms = latency;
	r.success = ok;
	r.error_message = ok ? NULL : "HTTP 500";
	if (mih_store_log_append(st, &r, err, sizeof(err)) != 0) {
		fprintf(stderr, "log_call: %s\n", err);
	}
}

TEST(log_list_filters)
{
	mih_store *st = fresh_store();
	mih_store_log_row *rows;
	size_t n;

	for (int i = 1; i <= 10; i++) {
		log_call(st, 1, "a", i % 3 != 0, i * 10, i == 4 ? 44 : 0);
		fake_now += 10;
	}
	log_call(st, 2, "b", true, 5, 0);
	CHECK_INT(mih_store_log_list(st, NULL, &rows, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 11);
	if (n == 11) {
		CHECK_STR(rows[0].servicename, "b");
		CHECK_STR(rows[0].direction, "outbound");
		CHECK_INT(rows[10].latency_ms, 10);
		CHECK_INT(rows[10].http_status, 200);
		CHECK_INT(rows[10].attempt_count, 1);
	}
	mih_store_log_list_free(rows, n);

	mih_store_log_filter f = { "a", 0, 0, 0, 0, 0 };
	CHECK_INT(mih_store_log_list(st, &f, &rows, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 3);
	if (n) {
		CHECK_STR(rows[0].error_message, "HTTP 500");
		CHECK(!rows[0].success);
	}
	mih_store_log_list_free(rows, n);
	mih_store_log_filter ft = { NULL, 44, -1, 0, 0, 0 };
	CHECK_INT(mih_store_log_list(st, &ft, &rows, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 1);
	if (n) {
		CHECK_INT(rows[0].latency_ms, 40);
	}
	mih_store_log_list_free(rows, n);
	mih_store_log_filter fs = { NULL, 0, -1, fake_now - 30, 2, 1 };
	CHECK_INT(mih_store_log_list(st, &fs, &rows, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 2);
	mih_store_log_list_free(rows, n);
	finish(st);
}

TEST(log_prune_and_stats)
{
	mih_store *st = fresh_store();
	mih_store_log_row *rows;
	mih_store_call_stats *stats;
	size_t n;
	long deleted;

	for (int i = 1; i <= 100; i++) {
		log_call(st, 1, "svc", i % 10 != 0, i, 0);
	}
	log_call(st, 2, "other", false, 7, 0);
	CHECK_INT(mih_store_log_stats(st, fake_now - 86400, &stats, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_INT(stats[0].serviceid, 1);
		CHECK_INT(stats[0].calls, 100);
		CHECK_INT(stats[0].success, 90);
		CHECK_INT(stats[0].failure, 10);
		CHECK_INT(stats[0].p50_ms, 50);
		CHECK_INT(stats[0].p95_ms, 95);
		CHECK_INT(stats[1].serviceid, 2);
		CHECK_INT(stats[1].calls, 1);
		CHECK_INT(stats[1].failure, 1);
		CHECK_INT(stats[1].p95_ms, 7);
	}
	mih_store_call_stats_free(stats, n);

	fake_now += 1000;
	log_call(st, 1, "svc", true, 1, 0);
	log_call(st, 1, "svc", true, 2, 0);
	CHECK_INT(mih_store_log_prune(st, 50, 0, &deleted, err, sizeof(err)), 0);
	CHECK_INT(deleted, 53);
	CHECK_INT(mih_store_log_prune(st, 0, 500, &deleted, err, sizeof(err)), 0);
	CHECK_INT(deleted, 48);
	CHECK_INT(mih_store_log_list(st, NULL, &rows, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_INT(rows[0].latency_ms, 2);
	}
	mih_store_log_list_free(rows, n);
	CHECK_INT(mih_store_log_prune(st, 1, 0, NULL, err, sizeof(err)), 0);
	CHECK_INT(mih_store_log_prune(st, -1, 0, NULL, err, sizeof(err)), -1);
	CHECK_INT(mih_store_log_stats(st, fake_now + 1, &stats, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 0);
	finish(st);
}

/* ---- circuit, dedupe, transactions -------------------------------------- */

TEST(circuit_state)
{
	mih_store *st = fresh_store();
	int64_t svc = add_service(st, "hooks");
	mih_store_circuit c = { svc, "open", 5, fake_now, fake_now, 0 }, got;

	CHECK_INT(mih_store_circuit_get(st, svc, &got, err, sizeof(err)), MIH_STORE_NOT_FOUND);
	CHECK_INT(mih_store_circuit_save(st, &c, err, sizeof(err)), 0);
	CHECK_INT(mih_store_circuit_get(st, svc, &got, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_STR(got.state, "open");
	CHECK_INT(got.failure_count, 5);
	CHECK_INT(got.opened_at, fake_now);
	CHECK_INT(got.timemodified, fake_now);
	fake_now += 30;
	strcpy(c.state, "halfopen");
	c.timemodified = 0;
	CHECK_INT(mih_store_circuit_save(st, &c, err, sizeof(err)), 0);
	CHECK_INT(mih_store_circuit_get(st, svc, &got, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_STR(got.state, "halfopen");
	CHECK_INT(got.timemodified, fake_now);
	c.state[0] = '\0';
	CHECK_INT(mih_store_circuit_save(st, &c, err, sizeof(err)), -1);
	finish(st);
}

/* Rows of a table of the store's file, read through a connection of its own
 * (WAL: it sees every committed write). */
static int64_t count_rows(const char *table)
{
	sqlite3 *raw = NULL;
	sqlite3_stmt *stmt = NULL;
	char sql[128];
	int64_t n = -1;

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", table);
	if (sqlite3_open_v2(db_path, &raw, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK
		&& sqlite3_prepare_v2(raw, sql, -1, &stmt, NULL) == SQLITE_OK
		&& sqlite3_step(stmt) == SQLITE_ROW) {
		n = sqlite3_column_int64(stmt, 0);
	}
	sqlite3_finalize(stmt);
	sqlite3_close(raw);
	return n;
}

TEST(dedupe_keys)
{
	mih_store *st = fresh_store();
	bool seen;
	long deleted;
	char key[16];
	int i;
	char longkey[MIH_STORE_DEDUPE_KEY_MAX + 2];

	CHECK_INT(mih_store_dedupe_check(st, "order-1", 100, &seen, err, sizeof(err)), 0);
	CHECK(!seen);
	fake_now += 99;
	CHECK_INT(mih_store_dedupe_check(st, "order-1", 100, &seen, err, sizeof(err)), 0);
	CHECK(seen);
	CHECK_INT(mih_store_dedupe_check(st, "order-2", 100, &seen, err, sizeof(err)), 0);
	CHECK(!seen);
	fake_now += 1;   /* order-1 is 100 s old: expired, remembered anew */
	CHECK_INT(mih_store_dedupe_check(st, "order-1", 100, &seen, err, sizeof(err)), 0);
	CHECK(!seen);
	CHECK_INT(mih_store_dedupe_check(st, "order-1", 100, &seen, err, sizeof(err)), 0);
	CHECK(seen);
	fake_now += 99;   /* order-2 expires, order-1 (refreshed) does not */
	CHECK_INT(mih_store_dedupe_prune(st, 100, 10, &deleted, err, sizeof(err)), 0);
	CHECK_INT(deleted, 1);
	CHECK_INT(count_rows("local_integrationhub_dedupe"), 1);
	CHECK_INT(mih_store_dedupe_check(st, "order-1", 100, &seen, err, sizeof(err)), 0);
	CHECK(seen);
	/* Oldest first, at most the limit per call. */
	for (i = 0; i < 5; i++) {
		snprintf(key, sizeof(key), "bulk-%d", i);
		CHECK_INT(mih_store_dedupe_check(st, key, 100, &seen, err, sizeof(err)), 0);
		fake_now += 1;
	}
	fake_now += 100;   /* all expired: order-1 and bulk-0..4 */
	CHECK_INT(mih_store_dedupe_prune(st, 100, 4, &deleted, err, sizeof(err)), 0);
	CHECK_INT(deleted, 4);
	CHECK_INT(count_rows("local_integrationhub_dedupe"), 2);
	CHECK_INT(mih_store_dedupe_check(st, "bulk-4", 100, &seen, err, sizeof(err)), 0);
	CHECK(!seen);   /* expired but not yet pruned: remembered anew */
	CHECK_INT(mih_store_dedupe_prune(st, 100, 4, &deleted, err, sizeof(err)), 0);
	CHECK_INT(deleted, 1);   /* bulk-3; bulk-4 is fresh again */
	CHECK_INT(count_rows("local_integrationhub_dedupe"), 1);
	CHECK_INT(mih_store_dedupe_prune(st, 100, 4, &deleted, err, sizeof(err)), 0);
	CHECK_INT(deleted, 0);
	CHECK_INT(mih_store_dedupe_prune(st, 0, 4, &deleted, err, sizeof(err)), -1);
	CHECK_INT(mih_store_dedupe_prune(st, 100, 0, &deleted, err, sizeof(err)), -1);
	CHECK(strstr(err, "limit") != NULL);

	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	CHECK_INT(mih_store_dedupe_check(st, longkey, 100, &seen, err, sizeof(err)), -1);
	CHECK(strstr(err, "255") != NULL);
	CHECK_INT(mih_store_dedupe_check(st, "", 100, &seen, err, sizeof(err)), -1);
	CHECK_INT(mih_store_dedupe_check(st, "k", 0, &seen, err, sizeof(err)), -1);
	finish(st);
}

TEST(nested_transactions)
{
	mih_store *st = fresh_store();
	int64_t svc = add_service(st, "hooks");
	mih_store_task *list;
	size_t n;

	/* Outer rollback discards everything, including a committed inner part. */
	CHECK_INT(mih_store_begin(st, err, sizeof(err)), 0);
	add_task(st, svc, "a");
	CHECK_INT(mih_store_begin(st, err, sizeof(err)), 0);
	add_task(st, svc, "b");
	CHECK_INT(mih_store_commit(st, err, sizeof(err)), 0);
	CHECK_INT(mih_store_rollback(st, err, sizeof(err)), 0);
	CHECK_INT(mih_store_task_list(st, NULL, &list, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 0);
	free(list);

	/* An inner rollback dooms the outer commit. */
	CHECK_INT(mih_store_begin(st, err, sizeof(err)), 0);
	add_task(st, svc, "c");
	CHECK_INT(mih_store_begin(st, err, sizeof(err)), 0);
	CHECK_INT(mih_store_rollback(st, err, sizeof(err)), 0);
	CHECK_INT(mih_store_commit(st, err, sizeof(err)), -1);
	CHECK(strstr(err, "rolled back") != NULL);
	CHECK_INT(mih_store_task_list(st, NULL, &list, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 0);
	free(list);

	/* A batch commits together; a log row inside joins the transaction. */
	CHECK_INT(mih_store_begin(st, err, sizeof(err)), 0);
	for (int i = 0; i < 5; i++) {
		add_task(st, svc, "batch");
	}
	log_call(st, svc, "hooks", true, 3, 0);
	CHECK_INT(mih_store_commit(st, err, sizeof(err)), 0);
	CHECK_INT(mih_store_task_list(st, NULL, &list, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 5);
	mih_store_task_list_free(list, n);
	CHECK_INT(mih_store_commit(st, err, sizeof(err)), -1);
	finish(st);
}

/* ---- two processes claiming at once ------------------------------------- */

#define RACE_TASKS 2000

/* Both claimers open their own connection, then wait at the barrier (a
 * pipe the parent closes) so that they really claim at the same time. */
static void claimer(const char *out_path, int barrier)
{
	mih_store *st = open_store();
	FILE *out = fopen(out_path, "wb");
	int status = st && out ? 0 : 1;
	char c;

	while (read(barrier, &c, 1) > 0) {
	}
	close(barrier);

	while (status == 0) {
		mih_store_task *c;
		size_t n;

		if (mih_store_claim_due(st, 10, 600, &c, &n, err, sizeof(err)) != 0) {
			fprintf(stderr, "claimer: %s\n", err);
			status = 1;
			break;
		}
		for (size_t i = 0; i < n; i++) {
			fwrite(&c[i].id, sizeof(c[i].id), 1, out);
		}
		mih_store_task_list_free(c, n);
		/* Delivering takes time; without it one process would take the
		 * write lock back-to-back and starve the other (SQLite's busy
		 * handler sleeps), which proves nothing about exclusivity. */
		usleep(1000);
		if (n == 0) {
			int64_t due;
			bool any;

			/* Like a worker: stop only when nothing is claimable. */
			if (mih_store_next_due(st, &due, &any, err, sizeof(err)) != 0) {
				status = 1;
			}
			if (!any || due > fake_now) {
				break;
			}
		}
	}
	if (out) {
		fclose(out);
	}
	mih_store_close(st);
	_exit(status);
}

static size_t read_ids(const char *path, unsigned char *seen, int *dups)
{
	FILE *in = fopen(path, "rb");
	int64_t id;
	size_t n = 0;

	if (!in) {
		return 0;
	}
	while (fread(&id, sizeof(id), 1, in) == 1) {
		if (id <= 0 || id > RACE_TASKS) {
			(*dups)++;
			continue;
		}
		if (seen[id]++) {
			(*dups)++;
		}
		n++;
	}
	fclose(in);
	unlink(path);
	return n;
}

TEST(two_processes_never_claim_the_same_task)
{
	mih_store *st = fresh_store();
	int64_t svc = add_service(st, "hooks");
	unsigned char *seen = calloc(RACE_TASKS + 1, 1);
	char out_a[300], out_b[300];
	pid_t a, b;
	int sa = -1, sb = -1, dups = 0;
	int barrier[2];
	size_t na, nb;

	CHECK_INT(mih_store_begin(st, err, sizeof(err)), 0);
	for (int i = 0; i < RACE_TASKS; i++) {
		add_task(st, svc, "{\"race\":true}");
	}
	CHECK_INT(mih_store_commit(st, err, sizeof(err)), 0);
	mih_store_close(st);   /* no connection may cross fork() */

	snprintf(out_a, sizeof(out_a), "%s.a", db_path);
	snprintf(out_b, sizeof(out_b), "%s.b", db_path);
	fflush(NULL);
	CHECK(pipe(barrier) == 0);
	a = fork();
	if (a == 0) {
		close(barrier[1]);
		claimer(out_a, barrier[0]);
	}
	b = fork();
	if (b == 0) {
		close(barrier[1]);
		claimer(out_b, barrier[0]);
	}
	close(barrier[0]);
	usleep(100 * 1000);   /* let both open their connections */
	close(barrier[1]);
	waitpid(a, &sa, 0);
	waitpid(b, &sb, 0);
	CHECK(WIFEXITED(sa) && WEXITSTATUS(sa) == 0);
	CHECK(WIFEXITED(sb) && WEXITSTATUS(sb) == 0);
	na = read_ids(out_a, seen, &dups);
	nb = read_ids(out_b, seen, &dups);
	CHECK_INT(dups, 0);
	CHECK_INT(na + nb, RACE_TASKS);
	CHECK(na > 0 && nb > 0);   /* both really competed */
	if (na == 0 || nb == 0 || getenv("MIH_TEST_VERBOSE")) {
		fprintf(stderr, "claims: %zu / %zu\n", na, nb);
	}
	free(seen);

	st = open_store();
	mih_store_task_filter running = { MIH_TASK_RUNNING, 0, RACE_TASKS, 0, NULL };
	mih_store_task *list;
	size_t n;
	CHECK_INT(mih_store_task_list(st, &running, &list, &n, err, sizeof(err)), 0);
	CHECK_INT(n, RACE_TASKS);
	mih_store_task_list_free(list, n);
	finish(st);
}

/* The set-based operations: a batch of tasks, a wave of completions and
 * of log rows, each in a fixed number of statements on an executor with
 * insert_many (Moodle's $DB, counted here, and the SQLite file). */
TEST(batches_in_few_statements)
{
	mih_store *st = fresh_store();
	int64_t svc = add_service(st, "hooks");
	mih_store_task tasks[5], *ptrs[5], *claimed = NULL, got;
	const mih_store_task *done[5];
	mih_store_log_row rows[40];
	mih_store_log_row *logged = NULL;
	mih_store_log_filter lf = { NULL, 0, -1, 0, 100, 0 };
	size_t n = 0, nlog = 0;
	long before;

	memset(tasks, 0, sizeof(tasks));
	for (int i = 0; i < 5; i++) {
		tasks[i].serviceid = svc;
		tasks[i].endpoint = "/hook";
		tasks[i].http_method = "POST";
		tasks[i].payload = (char *)"{}";
		tasks[i].payload_len = 2;
		ptrs[i] = &tasks[i];
	}
	CHECK(mih_store_enqueue_is_one_statement(st, 1));
	CHECK(mih_store_enqueue_is_one_statement(st, 5));   /* both executors have insert_many */
	CHECK(!mih_store_enqueue_is_one_statement(st, MIH_STORE_ENQUEUE_CHUNK + 1));
	before = text_statements;
	CHECK_INT(mih_store_enqueue_many(st, ptrs, 5, err, sizeof(err)), 0);
	if (text_mode) {
		CHECK_INT(text_statements - before, 2);   /* one INSERT, one read of the ids */
	}
	for (int i = 0; i < 5; i++) {
		CHECK(tasks[i].id > 0);
		CHECK_INT(mih_store_task_get(st, tasks[i].id, &got, err, sizeof(err)), MIH_STORE_DONE);
		CHECK_STR(got.idempotency_key, tasks[i].idempotency_key);
		mih_store_task_dispose(&got);
	}
	/* Two claims, two tokens: two DELETEs for the five. */
	CHECK_INT(mih_store_claim_due(st, 2, 60, &claimed, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 2);
	mih_store_task *more = NULL;
	size_t nmore = 0;
	CHECK_INT(mih_store_claim_due(st, 10, 60, &more, &nmore, err, sizeof(err)), 0);
	CHECK_INT(nmore, 3);
	done[0] = &more[0];
	done[1] = &claimed[0];
	done[2] = &more[1];
	done[3] = &claimed[1];
	done[4] = &more[2];
	before = text_statements;
	CHECK_INT(mih_store_complete_many(st, done, 5, err, sizeof(err)), 0);
	if (text_mode) {
		CHECK_INT(text_statements - before, 2);
	}
	for (int i = 0; i < 5; i++) {
		CHECK_INT(mih_store_task_get(st, tasks[i].id, &got, err, sizeof(err)), MIH_STORE_NOT_FOUND);
		free(tasks[i].idempotency_key);
	}
	mih_store_task_list_free(claimed, n);
	mih_store_task_list_free(more, nmore);

	/* A token that no longer holds deletes nothing. */
	add_task(st, svc, "{}");
	CHECK_INT(mih_store_claim_due(st, 1, 60, &claimed, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 1);
	free(claimed[0].claim_token);
	claimed[0].claim_token = strdup("not-the-token");
	done[0] = &claimed[0];
	CHECK_INT(mih_store_complete_many(st, done, 1, err, sizeof(err)), 0);
	CHECK_INT(mih_store_task_get(st, claimed[0].id, &got, err, sizeof(err)), MIH_STORE_DONE);
	mih_store_task_dispose(&got);
	mih_store_task_list_free(claimed, n);

	/* 40 log rows: one statement on $DB, no transaction of its own. */
	memset(rows, 0, sizeof(rows));
	for (int i = 0; i < 40; i++) {
		rows[i].serviceid = svc;
		rows[i].servicename = "hooks";
		rows[i].endpoint = "/hook";
		rows[i].http_method = "POST";
		rows[i].http_status = 200;
		rows[i].success = true;
		rows[i].latency_ms = i;
	}
	before = text_statements;
	CHECK_INT(mih_store_log_append_many(st, rows, 40, err, sizeof(err)), 0);
	if (text_mode) {
		CHECK_INT(text_statements - before, 1);
	}
	CHECK_INT(mih_store_log_list(st, &lf, &logged, &nlog, err, sizeof(err)), 0);
	CHECK_INT(nlog, 40);
	CHECK_INT(logged[0].latency_ms, 39);
	mih_store_log_list_free(logged, nlog);
	finish(st);
}

/* Batches of every shape (SQLite writes them as multi-row statements of
 * 32, 16, ... 1 rows; $DB as chunks of 100) keep each row's own values, in
 * order, NULLs included. */
TEST(log_batches_keep_every_row)
{
	static const size_t sizes[] = { 1, 2, 31, 45, 150 };
	mih_store *st = fresh_store();
	mih_store_log_row rows[150], *got = NULL;
	char endpoints[150][16], errors[150][16];
	mih_store_log_filter lf = { NULL, 0, -1, 0, 500, 0 };
	size_t total = 0, n = 0;

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		memset(rows, 0, sizeof(rows));
		for (size_t i = 0; i < sizes[s]; i++) {
			size_t k = total + i;

			snprintf(endpoints[i], sizeof(endpoints[i]), "/e%zu", k);
			snprintf(errors[i], sizeof(errors[i]), "HTTP %zu", 500 + k % 7);
			rows[i].serviceid = (int64_t)(k % 3 + 1);
			rows[i].servicename = k % 2 ? "odd" : "even";
			rows[i].endpoint = endpoints[i];
			rows[i].http_method = k % 2 ? "GET" : "POST";
			rows[i].http_status = k % 5 == 0 ? 0 : 200 + (int)(k % 50);
			rows[i].latency_ms = (long)k;
			rows[i].success = k % 4 != 0;
			rows[i].error_message = k % 4 != 0 ? NULL : errors[i];
			rows[i].taskid = k % 6 == 0 ? (int64_t)(1000 + k) : 0;
			rows[i].attempt_count = (long)(k % 3 + 1);
		}
		CHECK_INT(mih_store_log_append_many(st, rows, sizes[s], err, sizeof(err)), 0);
		total += sizes[s];
	}
	CHECK_INT(mih_store_log_list(st, &lf, &got, &n, err, sizeof(err)), 0);
	CHECK_INT(n, total);
	for (size_t j = 0; j < n && n == total; j++) {
		size_t k = total - 1 - j;       /* newest first */
		char want[16];

		snprintf(want, sizeof(want), "/e%zu", k);
		CHECK_STR(got[j].endpoint, want);
		CHECK_INT(got[j].serviceid, (int64_t)(k % 3 + 1));
		CHECK_STR(got[j].servicename, k % 2 ? "odd" : "even");
		CHECK_STR(got[j].http_method, k % 2 ? "GET" : "POST");
		CHECK_INT(got[j].http_status, k % 5 == 0 ? 0 : 200 + (int)(k % 50));
		CHECK_INT(got[j].latency_ms, (long)k);
		CHECK_INT(got[j].success, k % 4 != 0);
		if (k % 4 == 0) {
			snprintf(want, sizeof(want), "HTTP %zu", 500 + k % 7);
			CHECK_STR(got[j].error_message, want);
		} else {
			CHECK(got[j].error_message == NULL);
		}
		CHECK_INT(got[j].taskid, k % 6 == 0 ? (int64_t)(1000 + k) : 0);
		CHECK_INT(got[j].attempt_count, (long)(k % 3 + 1));
		CHECK(j == 0 || got[j].id < got[j - 1].id);
	}
	mih_store_log_list_free(got, n);
	finish(st);
}

/* The SQLite executor's insert_many: one statement for a batch, and rows
 * one by one in one transaction when they hold more values than this build
 * of SQLite binds at once (32766 by default, 250000 in Debian's build:
 * 125001 rows of 2 values exceed both). */
static int count_cb(void *ctx, size_t ncols, const char *const *names, const mih_sql_value *vals)
{
	(void)names;
	*(int64_t *)ctx = ncols == 1 ? vals[0].i : -1;
	return 0;
}

/* The SQLite file's executor, its statements counted: a claim there is
 * one SELECT of the due tasks and one UPDATE per 100 of their ids, in one
 * transaction (writes_serialized), whatever their number. */
static long counted_exec, counted_query;

static int counted_exec_fn(void *db, const char *sql, const mih_sql_value *p, size_t n, char *e, size_t el)
{
	counted_exec++;
	return mih_sql_sqlite_ops.exec(db, sql, p, n, e, el);
}

static int counted_query_fn(void *db, const char *sql, const mih_sql_value *p, size_t n, long from,
	long num, mih_sql_row_cb cb, void *cbctx, char *e, size_t el)
{
	counted_query++;
	return mih_sql_sqlite_ops.query(db, sql, p, n, from, num, cb, cbctx, e, el);
}

static void counted_close(void *db)
{
	mih_sql_sqlite_close(db);
}

TEST(sqlite_claim_statements)
{
	mih_sql_ops ops = mih_sql_sqlite_ops;
	mih_store *st;
	mih_store_task *claimed;
	void *db = NULL;
	size_t n;
	int64_t svc;

	CHECK(mih_sql_sqlite_ops.writes_serialized);
	ops.exec = counted_exec_fn;
	ops.query = counted_query_fn;
	new_db_path();
	CHECK_INT(mih_sql_sqlite_open(db_path, MIH_SQLITE_DURABILITY_FULL, &db, err, sizeof(err)), 0);
	st = mih_store_new(&ops, db, counted_close);
	CHECK(st != NULL);
	mih_store_set_clock(st, fake_clock, NULL);
	svc = add_service(st, "hooks");
	for (int i = 0; i < 250; i++) {
		add_task(st, svc, "{}");
	}
	counted_exec = counted_query = 0;
	CHECK_INT(mih_store_claim_due(st, 16, 60, &claimed, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 16);
	CHECK_INT(counted_query, 1);
	CHECK_INT(counted_exec, 1);
	mih_store_task_list_free(claimed, n);
	counted_exec = counted_query = 0;
	CHECK_INT(mih_store_claim_due(st, 1000, 60, &claimed, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 234);
	CHECK_INT(counted_query, 1);
	CHECK_INT(counted_exec, 3);   /* 100 + 100 + 34 ids */
	for (size_t i = 0; i < n; i++) {
		CHECK(claimed[i].claim_token && strlen(claimed[i].claim_token) == MIH_STORE_CLAIM_TOKEN_LEN);
		CHECK(strcmp(claimed[i].claim_token, claimed[0].claim_token) == 0);
		CHECK_INT(claimed[i].lease_until, fake_now + 60);
	}
	/* The token the tasks carry is the one written: it completes them. */
	counted_exec = 0;
	CHECK_INT(mih_store_complete(st, &claimed[0], err, sizeof(err)), 0);
	mih_store_task_list_free(claimed, n);
	counted_exec = counted_query = 0;
	CHECK_INT(mih_store_claim_due(st, 10, 60, &claimed, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 0);
	CHECK_INT(counted_query, 1);
	CHECK_INT(counted_exec, 0);
	free(claimed);
	mih_store_close(st);
	remove_db(db_path);
}

TEST(sqlite_insert_many_rows)
{
	static const char *const cols[] = { "dedupekey", "timecreated" };
	enum { BIG = 125001, ALL = BIG + 3 };
	mih_sql_value *v = calloc(2 * ALL, sizeof(*v));
	char (*keys)[24] = calloc(ALL, sizeof(*keys));
	void *db = NULL;
	int64_t count = 0;

	new_db_path();
	CHECK(v && keys);
	CHECK_INT(mih_sql_sqlite_open(db_path, MIH_SQLITE_DURABILITY_NORMAL, &db, err, sizeof(err)), 0);
	for (int i = 0; i < ALL; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		v[2 * i] = mih_sql_text(keys[i], strlen(keys[i]));
		v[2 * i + 1] = mih_sql_int(i);
	}
	CHECK_INT(mih_sql_sqlite_ops.insert_many(db, "local_integrationhub_dedupe", cols, v, 2, 3, err, sizeof(err)), 0);
	CHECK_INT(mih_sql_sqlite_ops.insert_many(db, "local_integrationhub_dedupe", cols, v + 6, 2, BIG,
		err, sizeof(err)), 0);
	CHECK_INT(mih_sql_sqlite_ops.query(db, "SELECT COUNT(*) AS n FROM local_integrationhub_dedupe", NULL, 0, 0, 0,
		count_cb, &count, err, sizeof(err)), 0);
	CHECK_INT(count, ALL);
	/* A repeated key fails the whole batch, one statement or row by row. */
	CHECK(mih_sql_sqlite_ops.insert_many(db, "local_integrationhub_dedupe", cols, v, 2, 3, err, sizeof(err)) != 0);
	CHECK(strstr(err, "UNIQUE") != NULL);
	v[0] = mih_sql_text("fresh", 5);
	CHECK(mih_sql_sqlite_ops.insert_many(db, "local_integrationhub_dedupe", cols, v, 2, ALL, err, sizeof(err)) != 0);
	CHECK(strstr(err, "UNIQUE") != NULL);
	CHECK_INT(mih_sql_sqlite_ops.query(db, "SELECT COUNT(*) AS n FROM local_integrationhub_dedupe", NULL, 0, 0, 0,
		count_cb, &count, err, sizeof(err)), 0);
	CHECK_INT(count, ALL);
	mih_sql_sqlite_close(db);
	remove_db(db_path);
	free(v);
	free(keys);
}

static void run_behaviour(void)
{
	RUN(batches_in_few_statements);
	RUN(service_round_trip);
	RUN(service_list_and_delete);
	RUN(service_bad_input);
	RUN(rules_crud_filter_and_version);
	RUN(enqueue_claim_complete);
	RUN(claim_set_based_sqlite);
	RUN(lease_expiry_reclaims);
	RUN(reschedule_park_and_derived_states);
	RUN(claim_once_per_run);
	RUN(retry_now_and_delete);
	RUN(to_dlq_is_atomic);
	RUN(dlq_truncates_response_and_accepts_unqueued);
	RUN(dlq_replay_keeps_bytes_and_key);
	RUN(dlq_list_filters_replay_all_purge);
	RUN(dlq_error_search_and_totals);
	RUN(task_eventname_filter_and_totals);
	RUN(log_list_filters);
	RUN(log_prune_and_stats);
	RUN(log_batches_keep_every_row);
	RUN(circuit_state);
	RUN(dedupe_keys);
	RUN(nested_transactions);
	RUN(two_processes_never_claim_the_same_task);
}

int main(void)
{
	RUN(schema_created_private_and_reopened);
	RUN(install_xml_matches_sqlite_schema);
	RUN(schema_v2_file_is_upgraded);
	RUN(open_errors);
	RUN(file_removed_refused_then_successor_used);
	RUN(file_replaced_during_a_transaction_fails_the_commit);
	RUN(sqlite_insert_many_rows);
	RUN(sqlite_claim_statements);
	text_mode = false;
	run_behaviour();
	text_mode = true;   /* the same, with every value delivered as TEXT */
	RUN(schema_created_private_and_reopened);
	RUN(malformed_rows_are_named);
	run_behaviour();
	return UNIT_DONE("store");
}
