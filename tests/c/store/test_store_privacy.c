/* The privacy side of the store: the user and context columns of tasks and
 * dead letters (kept through the DLQ and replay), the lists of users and
 * contexts, deletion with the request-log rows of the deliveries, and the
 * in-place migration of a schema 1 file with its backfill from the event
 * data. (The same API over Moodle's $DB runs in the phpt tests under tests/privacy.) */
#include <stdint.h>
#include <unistd.h>
#include <sqlite3.h>
#include "unit.h"
#include "store.h"
#include "store_sqlite.h"

static char db_path[256];
static int db_serial;
static char err[512];

static void remove_db(const char *path)
{
	char side[300];

	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

static mih_store *open_store(void)
{
	mih_store *st = NULL;

	if (mih_store_sqlite_open(db_path, MIH_SQLITE_DURABILITY_NORMAL, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "open: %s\n", err);
		return NULL;
	}
	return st;
}

static mih_store *fresh_store(void)
{
	snprintf(db_path, sizeof(db_path), "/tmp/mih_test_privacy_%d_%d.db", (int)getpid(), ++db_serial);
	remove_db(db_path);
	return open_store();
}

static void finish(mih_store *st)
{
	mih_store_close(st);
	remove_db(db_path);
}

static int64_t add_service(mih_store *st)
{
	mih_service svc;
	int64_t id;

	mih_service_init(&svc);
	svc.name = strdup("crm");
	svc.base_url = strdup("https://example.test/api");
	if (mih_store_service_save(st, &svc, err, sizeof(err)) != 0) {
		fprintf(stderr, "add_service: %s\n", err);
	}
	id = svc.id;
	mih_service_dispose(&svc);
	return id;
}

/* A task of an event of user (about related) in context; 0s for none. */
static int64_t add_task(mih_store *st, int64_t serviceid, int64_t user, int64_t related, int64_t context)
{
	mih_store_task t;

	memset(&t, 0, sizeof(t));
	t.serviceid = serviceid;
	t.eventname = "\\core\\event\\user_loggedin";
	t.endpoint = "/hook";
	t.http_method = "POST";
	t.payload = "{\"who\":\"someone\"}";
	t.payload_len = strlen(t.payload);
	t.userid = user;
	t.relateduserid = related;
	t.contextid = context;
	if (mih_store_enqueue(st, &t, err, sizeof(err)) != 0) {
		fprintf(stderr, "add_task: %s\n", err);
	}
	free(t.idempotency_key);
	return t.id;
}

static void add_log(mih_store *st, int64_t serviceid, int64_t taskid)
{
	mih_store_log_row row;

	memset(&row, 0, sizeof(row));
	row.serviceid = serviceid;
	row.servicename = "crm";
	row.endpoint = "/hook?user=someone";
	row.http_method = "POST";
	row.taskid = taskid;
	if (mih_store_log_append(st, &row, err, sizeof(err)) != 0) {
		fprintf(stderr, "add_log: %s\n", err);
	}
}

static size_t log_rows(mih_store *st)
{
	mih_store_log_filter f = { NULL, 0, -1, 0, 1000, 0 };
	mih_store_log_row *rows;
	size_t n = 0;

	CHECK_INT(mih_store_log_list(st, &f, &rows, &n, err, sizeof(err)), 0);
	mih_store_log_list_free(rows, n);
	return n;
}

/* Moves a task to the DLQ as the worker would, after claiming it. */
static int64_t kill_task(mih_store *st, int64_t id)
{
	mih_store_task t;
	int64_t dead_id = 0;

	CHECK_INT(mih_store_task_get(st, id, &t, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(mih_store_to_dlq(st, &t, 5, 500, "HTTP 500", "oops", 4, &dead_id, err, sizeof(err)),
		MIH_STORE_DONE);
	mih_store_task_dispose(&t);
	return dead_id;
}

static char *ids_text(const int64_t *ids, size_t n, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && at < len; i++) {
		at += (size_t)snprintf(buf + at, len - at, "%s%lld", i ? "," : "", (long long)ids[i]);
	}
	return buf;
}

static const char *contexts_of(mih_store *st, int64_t user, char *buf, size_t len)
{
	int64_t *ids;
	size_t n;

	CHECK_INT(mih_store_privacy_contexts(st, user, &ids, &n, err, sizeof(err)), 0);
	ids_text(ids, n, buf, len);
	free(ids);
	return buf;
}

static const char *users_of(mih_store *st, int64_t context, char *buf, size_t len)
{
	int64_t *ids;
	size_t n;

	CHECK_INT(mih_store_privacy_users(st, context, &ids, &n, err, sizeof(err)), 0);
	ids_text(ids, n, buf, len);
	free(ids);
	return buf;
}

/* ---- tests ---------------------------------------------------------------- */

TEST(ref_text)
{
	CHECK_INT(mih_store_privacy_ref_text("42", 2), 42);
	CHECK_INT(mih_store_privacy_ref_text("007", 3), 7);
	CHECK_INT(mih_store_privacy_ref_text("0", 1), 0);
	CHECK_INT(mih_store_privacy_ref_text("-3", 2), 0);
	CHECK_INT(mih_store_privacy_ref_text("4a", 2), 0);
	CHECK_INT(mih_store_privacy_ref_text("", 0), 0);
	CHECK_INT(mih_store_privacy_ref_text("1234567890123456789", 19), 0);
	CHECK_INT(mih_store_privacy_ref_text("123456789012345678", 18), 123456789012345678LL);
}

TEST(links_kept_through_dlq_and_replay)
{
	mih_store *st = fresh_store();
	int64_t svc = add_service(st);
	int64_t id = add_task(st, svc, 2, 5, 100), none = add_task(st, svc, 0, 0, 0);
	int64_t dead_id, again = 0;
	mih_store_task t;
	mih_store_dead d;

	CHECK_INT(mih_store_task_get(st, id, &t, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(t.userid, 2);
	CHECK_INT(t.relateduserid, 5);
	CHECK_INT(t.contextid, 100);
	mih_store_task_dispose(&t);
	CHECK_INT(mih_store_task_get(st, none, &t, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(t.userid + t.relateduserid + t.contextid, 0);
	mih_store_task_dispose(&t);

	dead_id = kill_task(st, id);
	CHECK_INT(mih_store_dead_get(st, dead_id, &d, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(d.userid, 2);
	CHECK_INT(d.relateduserid, 5);
	CHECK_INT(d.contextid, 100);
	mih_store_dead_dispose(&d);

	CHECK_INT(mih_store_dead_replay(st, dead_id, &again, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(mih_store_task_get(st, again, &t, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(t.userid, 2);
	CHECK_INT(t.relateduserid, 5);
	CHECK_INT(t.contextid, 100);
	mih_store_task_dispose(&t);
	finish(st);
}

TEST(contexts_users_and_lists)
{
	mih_store *st = fresh_store();
	int64_t svc = add_service(st);
	char buf[128];
	mih_store_privacy_filter f = { 2, false, 0 };
	mih_store_task *tasks;
	mih_store_dead *dead;
	size_t n;

	add_task(st, svc, 2, 0, 100);
	add_task(st, svc, 5, 0, 200);
	kill_task(st, add_task(st, svc, 7, 5, 300));   /* user 5 as the related user, in the DLQ */
	add_task(st, svc, 0, 0, 0);                    /* no event */
	add_task(st, svc, 2, 0, 0);                    /* a user without a context */

	CHECK_STR(contexts_of(st, 2, buf, sizeof(buf)), "0,100");
	CHECK_STR(contexts_of(st, 5, buf, sizeof(buf)), "200,300");
	CHECK_STR(contexts_of(st, 7, buf, sizeof(buf)), "300");
	CHECK_STR(contexts_of(st, 9, buf, sizeof(buf)), "");
	CHECK_STR(contexts_of(st, 0, buf, sizeof(buf)), "0,100,200,300");
	CHECK_STR(users_of(st, 100, buf, sizeof(buf)), "2");
	CHECK_STR(users_of(st, 300, buf, sizeof(buf)), "5,7");
	CHECK_STR(users_of(st, 0, buf, sizeof(buf)), "2");
	CHECK_STR(users_of(st, 999, buf, sizeof(buf)), "");

	CHECK_INT(mih_store_privacy_tasks(st, &f, &tasks, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_INT(tasks[0].contextid, 100);
		CHECK_STR(tasks[0].service, "crm");
		CHECK(tasks[0].payload != NULL && strcmp(tasks[0].payload, "{\"who\":\"someone\"}") == 0);
		CHECK_INT(tasks[1].contextid, 0);
	}
	mih_store_task_list_free(tasks, n);
	f.by_context = true;   /* user 2 in no context */
	CHECK_INT(mih_store_privacy_tasks(st, &f, &tasks, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 1);
	mih_store_task_list_free(tasks, n);
	f.userid = 5;
	f.contextid = 300;
	CHECK_INT(mih_store_privacy_dead(st, &f, &dead, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_INT(dead[0].userid, 7);
		CHECK_INT(dead[0].relateduserid, 5);
		CHECK_STR(dead[0].response, "oops");
	}
	mih_store_dead_list_free(dead, n);
	finish(st);
}

TEST(delete_a_users_rows_with_their_log)
{
	mih_store *st = fresh_store();
	int64_t svc = add_service(st);
	int64_t mine = add_task(st, svc, 2, 0, 100), theirs = add_task(st, svc, 5, 0, 100);
	int64_t about_me = add_task(st, svc, 5, 2, 200), sync_call = 0;
	mih_store_privacy_filter f = { 2, false, 0 };
	mih_store_privacy_counts c;
	mih_store_task t;
	char buf[64];

	add_log(st, svc, mine);
	add_log(st, svc, mine);
	add_log(st, svc, theirs);
	add_log(st, svc, about_me);
	add_log(st, svc, sync_call);   /* a synchronous call: linked to no task */
	kill_task(st, about_me);

	CHECK_INT(mih_store_privacy_delete(st, &f, &c, err, sizeof(err)), 0);
	CHECK_INT(c.tasks, 1);
	CHECK_INT(c.dead_letters, 1);
	CHECK_INT(c.log, 3);
	CHECK_INT(log_rows(st), 2);
	CHECK_STR(contexts_of(st, 2, buf, sizeof(buf)), "");
	CHECK_STR(contexts_of(st, 5, buf, sizeof(buf)), "100");
	CHECK_INT(mih_store_task_get(st, theirs, &t, err, sizeof(err)), MIH_STORE_DONE);
	mih_store_task_dispose(&t);

	/* Nothing left: nothing deleted, no error. */
	CHECK_INT(mih_store_privacy_delete(st, &f, &c, err, sizeof(err)), 0);
	CHECK_INT(c.tasks + c.dead_letters + c.log, 0);
	finish(st);
}

TEST(delete_by_context_and_users_in_it)
{
	mih_store *st = fresh_store();
	int64_t svc = add_service(st);
	mih_store_privacy_filter f = { 0, true, 100 };
	mih_store_privacy_counts c;
	char buf[64];

	add_task(st, svc, 2, 0, 100);
	add_task(st, svc, 5, 0, 100);
	add_task(st, svc, 5, 0, 200);
	add_task(st, svc, 0, 0, 0);
	add_task(st, svc, 2, 0, 0);

	/* One user in a context. */
	f.userid = 5;
	CHECK_INT(mih_store_privacy_delete(st, &f, &c, err, sizeof(err)), 0);
	CHECK_INT(c.tasks, 1);
	CHECK_STR(users_of(st, 100, buf, sizeof(buf)), "2");
	CHECK_STR(contexts_of(st, 5, buf, sizeof(buf)), "200");
	/* Everyone in a context. */
	f.userid = 0;
	CHECK_INT(mih_store_privacy_delete(st, &f, &c, err, sizeof(err)), 0);
	CHECK_INT(c.tasks, 1);
	CHECK_STR(contexts_of(st, 0, buf, sizeof(buf)), "0,200");
	/* The rows without a context. */
	f.contextid = 0;
	CHECK_INT(mih_store_privacy_delete(st, &f, &c, err, sizeof(err)), 0);
	CHECK_INT(c.tasks, 2);
	CHECK_STR(contexts_of(st, 0, buf, sizeof(buf)), "200");
	/* Neither a user nor a context: refused. */
	f.by_context = false;
	CHECK_INT(mih_store_privacy_delete(st, &f, &c, err, sizeof(err)), -1);
	CHECK(strstr(err, "needs a user or a context") != NULL);
	CHECK_STR(contexts_of(st, 0, buf, sizeof(buf)), "200");
	finish(st);
}

/* A task a worker holds is deleted too; the worker's outcome then changes
 * nothing (its claim token no longer holds). */
TEST(delete_a_running_task)
{
	mih_store *st = fresh_store();
	int64_t svc = add_service(st);
	mih_store_privacy_filter f = { 2, false, 0 };
	mih_store_privacy_counts c;
	mih_store_task *claimed;
	size_t n;
	char buf[64];

	add_task(st, svc, 2, 0, 100);
	add_task(st, svc, 2, 0, 100);
	CHECK_INT(mih_store_claim_due(st, 2, 60, &claimed, &n, err, sizeof(err)), 0);
	CHECK_INT(n, 2);
	CHECK_INT(mih_store_privacy_delete(st, &f, &c, err, sizeof(err)), 0);
	CHECK_INT(c.tasks, 2);
	if (n == 2) {
		CHECK_INT(mih_store_reschedule(st, &claimed[0], 1, 0, 500, "HTTP 500", err, sizeof(err)), 0);
		CHECK_INT(mih_store_to_dlq(st, &claimed[1], 5, 500, "HTTP 500", NULL, 0, NULL, err, sizeof(err)),
			MIH_STORE_LOST);
	}
	mih_store_task_list_free(claimed, n);
	CHECK_STR(contexts_of(st, 2, buf, sizeof(buf)), "");
	finish(st);
}

/* More ids than one IN list holds. */
TEST(delete_many)
{
	mih_store *st = fresh_store();
	int64_t svc = add_service(st);
	mih_store_privacy_filter f = { 2, false, 0 };
	mih_store_privacy_counts c;

	CHECK_INT(mih_store_begin(st, err, sizeof(err)), 0);
	for (int i = 0; i < 230; i++) {
		int64_t id = add_task(st, svc, 2, 0, 100 + i % 3);

		add_log(st, svc, id);
		if (i % 10 == 0) {
			kill_task(st, id);
		}
	}
	add_task(st, svc, 5, 0, 100);
	CHECK_INT(mih_store_commit(st, err, sizeof(err)), 0);
	CHECK_INT(mih_store_privacy_delete(st, &f, &c, err, sizeof(err)), 0);
	CHECK_INT(c.tasks, 207);
	CHECK_INT(c.dead_letters, 23);
	CHECK_INT(c.log, 230);
	CHECK_INT(log_rows(st), 0);
	finish(st);
}

/* ---- migration of a schema 1 file ------------------------------------------ */

static const char schema_v1_queue_dlq[] =
	"CREATE TABLE local_integrationhub_queue ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, ruleid INTEGER, serviceid INTEGER NOT NULL,"
	" eventname TEXT, endpoint TEXT, http_method TEXT NOT NULL DEFAULT 'POST', payload TEXT,"
	" headers TEXT, eventdata TEXT, idempotency_key TEXT NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0, next_run INTEGER NOT NULL DEFAULT 0,"
	" status TEXT NOT NULL DEFAULT 'queued', last_status INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT, claim_token TEXT NOT NULL DEFAULT '', lease_until INTEGER NOT NULL DEFAULT 0,"
	" timecreated INTEGER NOT NULL, timemodified INTEGER NOT NULL);"
	"CREATE TABLE local_integrationhub_dlq ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, eventname TEXT, serviceid INTEGER NOT NULL,"
	" payload TEXT, error_message TEXT, timecreated INTEGER NOT NULL, taskid INTEGER,"
	" ruleid INTEGER, endpoint TEXT, http_method TEXT, headers TEXT, eventdata TEXT,"
	" idempotency_key TEXT, attempts INTEGER NOT NULL DEFAULT 0,"
	" last_status INTEGER NOT NULL DEFAULT 0, response TEXT, taskcreated INTEGER NOT NULL DEFAULT 0);"
	"PRAGMA user_version=1;";

static void raw_exec(sqlite3 *raw, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(raw, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "raw: %s\n", msg);
		unit_failed_checks++;
	}
	sqlite3_free(msg);
}

static void insert_v1(sqlite3 *raw, const char *table, const char *eventdata)
{
	static int serial;
	char sql[1024];
	char *quoted = eventdata ? sqlite3_mprintf("%Q", eventdata) : sqlite3_mprintf("NULL");

	if (strcmp(table, "queue") == 0) {
		snprintf(sql, sizeof(sql), "INSERT INTO local_integrationhub_queue (serviceid, eventdata,"
			" idempotency_key, timecreated, timemodified) VALUES (1, %s, 'msg_%d', 1, 1)", quoted,
			++serial);
	} else {
		snprintf(sql, sizeof(sql), "INSERT INTO local_integrationhub_dlq (serviceid, eventdata,"
			" timecreated) VALUES (1, %s, 1)", quoted);
	}
	sqlite3_free(quoted);
	raw_exec(raw, sql);
}

TEST(schema_1_migrated_and_backfilled)
{
	mih_store *st;
	sqlite3 *raw;
	char buf[64];
	mih_store_task t;
	mih_store_dead d;
	int64_t *ids;
	size_t n;

	snprintf(db_path, sizeof(db_path), "/tmp/mih_test_privacy_%d_%d.db", (int)getpid(), ++db_serial);
	remove_db(db_path);
	CHECK(sqlite3_open(db_path, &raw) == SQLITE_OK);
	raw_exec(raw, schema_v1_queue_dlq);
	insert_v1(raw, "queue", "{\"userid\":2,\"relateduserid\":5,\"contextid\":100,\"other\":null}");
	insert_v1(raw, "queue", "{\"userid\":\"7\",\"relateduserid\":null,\"contextid\":\"300\"}");
	insert_v1(raw, "queue", NULL);                          /* queued without an event */
	insert_v1(raw, "queue", "not json");
	insert_v1(raw, "queue", "{\"userid\":0,\"contextid\":-4,\"relateduserid\":2.5}");
	insert_v1(raw, "dlq", "{\"userid\":5,\"contextid\":200}");
	sqlite3_close(raw);

	st = open_store();
	CHECK(st != NULL);
	if (!st) {
		return;
	}
	CHECK_INT(mih_store_task_get(st, 1, &t, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(t.userid, 2);
	CHECK_INT(t.relateduserid, 5);
	CHECK_INT(t.contextid, 100);
	mih_store_task_dispose(&t);
	CHECK_INT(mih_store_task_get(st, 2, &t, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(t.userid, 7);
	CHECK_INT(t.relateduserid, 0);
	CHECK_INT(t.contextid, 300);
	mih_store_task_dispose(&t);
	CHECK_INT(mih_store_dead_get(st, 1, &d, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_INT(d.userid, 5);
	CHECK_INT(d.contextid, 200);
	mih_store_dead_dispose(&d);
	CHECK_STR(contexts_of(st, 0, buf, sizeof(buf)), "0,100,200,300");
	CHECK_STR(users_of(st, 0, buf, sizeof(buf)), "");
	/* The tables the file lacked are created, and the indexes of the new
	 * columns on the dead letters (schema 5 keeps none on the queue). */
	CHECK_INT(mih_store_privacy_users(st, 100, &ids, &n, err, sizeof(err)), 0);
	free(ids);
	CHECK_INT(add_service(st) > 0, 1);
	mih_store_close(st);

	CHECK(sqlite3_open(db_path, &raw) == SQLITE_OK);
	{
		sqlite3_stmt *stmt;

		CHECK(sqlite3_prepare_v2(raw, "SELECT (SELECT user_version FROM pragma_user_version),"
			" (SELECT COUNT(*) FROM sqlite_master WHERE type = 'index'"
			" AND (name LIKE '%userid_ix' OR name LIKE '%contextid_ix'))", -1, &stmt, NULL) == SQLITE_OK);
		CHECK(sqlite3_step(stmt) == SQLITE_ROW);
		CHECK_INT(sqlite3_column_int(stmt, 0), MIH_SQLITE_SCHEMA_VERSION);
		CHECK_INT(sqlite3_column_int(stmt, 1), 3);
		sqlite3_finalize(stmt);
	}
	sqlite3_close(raw);

	st = open_store();   /* already at 2: nothing more happens */
	CHECK(st != NULL);
	CHECK_STR(contexts_of(st, 0, buf, sizeof(buf)), "0,100,200,300");
	finish(st);
}

int main(void)
{
	RUN(ref_text);
	RUN(links_kept_through_dlq_and_replay);
	RUN(contexts_users_and_lists);
	RUN(delete_a_users_rows_with_their_log);
	RUN(delete_by_context_and_users_in_it);
	RUN(delete_a_running_task);
	RUN(delete_many);
	RUN(schema_1_migrated_and_backfilled);
	return UNIT_DONE("store_privacy");
}
