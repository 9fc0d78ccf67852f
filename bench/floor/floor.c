/* The limits a queue drain on this machine cannot beat, measured without PHP:
 *
 *   floor store PATH TASKS WAVE     the store floor: TASKS queued rows drained in
 *       waves of WAVE, each wave one fsynced transaction claiming it (a token and
 *       a lease written by one UPDATE ... RETURNING) and one deleting it and
 *       writing its log rows (synchronous=FULL, WAL, as mih.store_durability
 *       full). Prints "store_us_per_delivery <float>".
 *   floor multi URL REQUESTS CONCURRENCY   raw libcurl multi: REQUESTS POSTs of a
 *       300-byte JSON body, CONCURRENCY at a time over kept-alive connections,
 *       easy handles reused. Prints "multi_requests_per_s <float>".
 *
 * bench/floor/run.php builds it (make) and runs both next to mih and PHP's own
 * curl_multi, so bench/RESULTS.md can show each figure as a share of its limit. */
#include <curl/curl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die_sql(sqlite3 *db, const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

static void exec_sql(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "floor: %s: %s\n", sql, msg ? msg : "?");
		exit(1);
	}
}

static const char body[] =
	"{\"eventname\":\"\\\\core\\\\event\\\\user_loggedin\",\"component\":\"core\",\"action\":\"loggedin\","
	"\"target\":\"user\",\"crud\":\"r\",\"objectid\":1234,\"userid\":1234,\"relateduserid\":null,"
	"\"courseid\":0,\"contextinstanceid\":1234,\"timecreated\":1732540000,"
	"\"other\":{\"username\":\"student42\"},\"padding\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}";

static int store_floor(const char *path, long tasks, long wave)
{
	sqlite3 *db;
	sqlite3_stmt *ins, *claim, *del, *logrow;
	double start, seconds;
	long done = 0, token = 0;

	remove(path);
	if (sqlite3_open(path, &db) != SQLITE_OK) {
		die_sql(db, "open");
	}
	exec_sql(db, "PRAGMA journal_mode=WAL");
	exec_sql(db, "PRAGMA synchronous=FULL");
	exec_sql(db, "CREATE TABLE q (id INTEGER PRIMARY KEY AUTOINCREMENT, serviceid INTEGER NOT NULL,"
		" endpoint TEXT, payload TEXT, idempotency_key TEXT, attempts INTEGER NOT NULL DEFAULT 0,"
		" next_run INTEGER NOT NULL, claim_token TEXT NOT NULL DEFAULT '',"
		" lease_until INTEGER NOT NULL DEFAULT 0, run_token TEXT NOT NULL DEFAULT '')");
	exec_sql(db, "CREATE INDEX q_next_run ON q (next_run)");
	exec_sql(db, "CREATE INDEX q_claim_token ON q (claim_token)");
	exec_sql(db, "CREATE TABLE log (id INTEGER PRIMARY KEY AUTOINCREMENT, serviceid INTEGER, endpoint TEXT,"
		" http_status INTEGER, latency_ms INTEGER, success INTEGER, taskid INTEGER, timecreated INTEGER)");
	exec_sql(db, "CREATE INDEX log_taskid ON log (taskid)");
	exec_sql(db, "CREATE INDEX log_timecreated ON log (timecreated)");
	if (sqlite3_prepare_v2(db, "INSERT INTO q (serviceid, endpoint, payload, idempotency_key, next_run)"
		" VALUES (1, '/hook', ?, ?, 1)", -1, &ins, NULL) != SQLITE_OK) {
		die_sql(db, "prepare insert");
	}
	exec_sql(db, "BEGIN");
	for (long i = 0; i < tasks; i++) {
		char key[64];

		snprintf(key, sizeof(key), "msg_%032lx", (unsigned long)i * 2654435761u);
		sqlite3_bind_text(ins, 1, body, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, key, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			die_sql(db, "insert");
		}
		sqlite3_reset(ins);
	}
	exec_sql(db, "COMMIT");
	sqlite3_finalize(ins);
	if (sqlite3_prepare_v2(db, "UPDATE q SET claim_token = ?, lease_until = 100 WHERE id IN"
		" (SELECT id FROM q WHERE next_run <= 10 AND lease_until <= 10 ORDER BY next_run, id LIMIT ?)"
		" RETURNING id, payload", -1, &claim, NULL) != SQLITE_OK
		|| sqlite3_prepare_v2(db, "DELETE FROM q WHERE claim_token = ?", -1, &del, NULL) != SQLITE_OK
		|| sqlite3_prepare_v2(db, "INSERT INTO log (serviceid, endpoint, http_status, latency_ms, success,"
			" taskid, timecreated) VALUES (1, '/hook', 204, 1, 1, ?, 1)", -1, &logrow, NULL) != SQLITE_OK) {
		die_sql(db, "prepare");
	}
	start = now_s();
	while (done < tasks) {
		char tok[32];
		long ids[4096], n = 0;

		snprintf(tok, sizeof(tok), "t%ld", ++token);
		exec_sql(db, "BEGIN IMMEDIATE");
		sqlite3_bind_text(claim, 1, tok, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(claim, 2, wave);
		while (sqlite3_step(claim) == SQLITE_ROW && n < 4096) {
			ids[n++] = sqlite3_column_int64(claim, 0);
		}
		sqlite3_reset(claim);
		exec_sql(db, "COMMIT");
		if (n == 0) {
			break;
		}
		exec_sql(db, "BEGIN IMMEDIATE");
		sqlite3_bind_text(del, 1, tok, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(del) != SQLITE_DONE) {
			die_sql(db, "delete");
		}
		sqlite3_reset(del);
		for (long i = 0; i < n; i++) {
			sqlite3_bind_int64(logrow, 1, ids[i]);
			if (sqlite3_step(logrow) != SQLITE_DONE) {
				die_sql(db, "log row");
			}
			sqlite3_reset(logrow);
		}
		exec_sql(db, "COMMIT");
		done += n;
	}
	seconds = now_s() - start;
	sqlite3_finalize(claim);
	sqlite3_finalize(del);
	sqlite3_finalize(logrow);
	sqlite3_close(db);
	if (done != tasks) {
		fprintf(stderr, "floor: drained %ld of %ld\n", done, tasks);
		return 1;
	}
	printf("store_us_per_delivery %.3f\n", seconds * 1e6 / (double)tasks);
	return 0;
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

static CURL *new_easy(const char *url, struct curl_slist *headers)
{
	CURL *e = curl_easy_init();

	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)(sizeof(body) - 1));
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	return e;
}

static int multi_floor(const char *url, long requests, long concurrency)
{
	struct curl_slist *headers = NULL;
	CURLM *multi = curl_multi_init();
	CURL **idle = calloc((size_t)concurrency, sizeof(CURL *));
	long started = 0, finished = 0, ok = 0, nidle = 0, running_n = 0;
	double start, seconds;

	headers = curl_slist_append(headers, "Content-Type: application/json");
	headers = curl_slist_append(headers, "Accept: application/json");
	headers = curl_slist_append(headers, "Idempotency-Key: msg_0123456789abcdef0123456789abcdef");
	headers = curl_slist_append(headers, "Expect:");
	curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, concurrency);
	for (long i = 0; i < concurrency; i++) {
		idle[nidle++] = new_easy(url, headers);
	}
	start = now_s();
	while (finished < requests) {
		CURLMsg *msg;
		int left, running;

		while (nidle > 0 && started < requests) {
			curl_multi_add_handle(multi, idle[--nidle]);
			started++;
			running_n++;
		}
		curl_multi_perform(multi, &running);
		while ((msg = curl_multi_info_read(multi, &left))) {
			long status = 0;

			if (msg->msg != CURLMSG_DONE) {
				continue;
			}
			curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
			ok += msg->data.result == CURLE_OK && status >= 200 && status < 300;
			curl_multi_remove_handle(multi, msg->easy_handle);
			idle[nidle++] = msg->easy_handle;
			finished++;
			running_n--;
		}
		if (running_n > 0) {
			curl_multi_poll(multi, NULL, 0, 100, NULL);
		}
	}
	seconds = now_s() - start;
	for (long i = 0; i < nidle; i++) {
		curl_easy_cleanup(idle[i]);
	}
	free(idle);
	curl_multi_cleanup(multi);
	curl_slist_free_all(headers);
	if (ok != requests) {
		fprintf(stderr, "floor: %ld of %ld requests answered 2xx\n", ok, requests);
		return 1;
	}
	printf("multi_requests_per_s %.1f\n", (double)requests / seconds);
	return 0;
}

int main(int argc, char **argv)
{
	int rc;

	if (argc == 5 && strcmp(argv[1], "store") == 0) {
		return store_floor(argv[2], atol(argv[3]), atol(argv[4]));
	}
	if (argc == 5 && strcmp(argv[1], "multi") == 0) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		rc = multi_floor(argv[2], atol(argv[3]), atol(argv[4]));
		curl_global_cleanup();
		return rc;
	}
	fprintf(stderr, "usage: floor store PATH TASKS WAVE | floor multi URL REQUESTS CONCURRENCY\n");
	return 2;
}
