/* The task queue: enqueue, exclusive claims with a lease, the worker's
 * outcomes (complete, reschedule, park), and the admin views and actions.
 * A task leaving for the dead-letter queue is handled in store_dlq.c.
 *
 * Exclusive claims without affected-row counts: a claimer writes a fresh
 * random token into candidate rows with an UPDATE guarded by "still
 * claimable", then reads back the rows that carry its token. The guard is
 * re-evaluated under the row lock by every database Moodle supports, so two
 * claimers can never both win a row.
 *
 * Why this file is long: the queue's life cycle is one state machine over
 * one table: enqueue (with dedupe), claims under a lease, the worker's
 * outcomes (complete, reschedule, park) and the admin actions all write the
 * same columns under the same state rules; split, the state rules would be
 * spread over files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/rand.h>
#include "store_internal.h"

#define STATUS_QUEUED "queued"
#define STATUS_PARKED "parked"

/* Claims go in rounds of at most this many ids: one IN list, and small
 * rounds keep competing workers from colliding. */
#define CLAIM_ROUND_MAX STORE_IN_LIST_MAX
#define CLAIM_IDLE_ROUNDS 8
/* Candidates looked at per task wanted, to spread competing claimers. */
#define CLAIM_WINDOW_FACTOR 4
#define IDEMPOTENCY_KEY_MAX 64

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

/* The key of a task queued without one: "msg_" and 32 hex digits, the first
 * 12 the wall clock in Unix milliseconds, the other 20 random (80 bits; the
 * unique index refuses a repeat). Time-ordered, so that the inserts of
 * new tasks and the deletes of the oldest, delivered ones touch the two
 * edges of the idempotency_key index instead of a random page each. */
#define DEFAULT_KEY_LEN (4 + 32)

static int default_key(char out[DEFAULT_KEY_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	struct timespec ts;
	uint64_t ms;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
		return -1;
	}
	ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	memcpy(out, "msg_", 4);
	for (int i = 11; i >= 0; i--) {
		out[4 + i] = hex[ms & 0xf];
		ms >>= 4;
	}
	return random_hex(out + 16, 10);
}

static const char task_full_select[] =
	"SELECT q.*, s.name AS service FROM {" T_QUEUE "} q"
	" LEFT JOIN {" T_SVC "} s ON s.id = q.serviceid";

static const char task_summary_select[] =
	"SELECT q.id, q.ruleid, q.serviceid, q.eventname, q.endpoint, q.http_method,"
	" q.idempotency_key, q.attempts, q.next_run, q.status, q.last_status, q.last_error,"
	" q.claim_token, q.lease_until, q.timecreated, q.timemodified, q.userid, q.relateduserid,"
	" q.contextid, s.name AS service"
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
	/* As the cookbook reads them: Pending waits for its first attempt (for
	 * cron), Failed (Retry) has failed and will try again, due or not. */
	return t->attempts > 0 ? MIH_TASK_RETRYING : MIH_TASK_PENDING;
}

/* The columns of task_summary_select. */
/* Columns are read in the table's order (that of q.* and of
 * task_summary_select, the service name last): store_col() then finds each
 * with one comparison. full: also payload, headers and eventdata, which
 * sit between http_method and idempotency_key. */
static void read_task(mih_store *st, mih_store_task *t, store_row *r, bool full)
{
	const mih_sql_value *status;

	r->table = T_QUEUE;
	t->id = store_col_id(r, "id");
	t->ruleid = store_col_int(r, "ruleid");
	t->serviceid = store_col_int(r, "serviceid");
	t->eventname = store_col_dup(r, "eventname");
	t->endpoint = store_col_dup(r, "endpoint");
	t->http_method = store_col_dup_req(r, "http_method");
	if (full) {
		t->payload = store_col_dup_bytes(r, "payload", &t->payload_len);
		t->headers = store_col_dup_nonempty(r, "headers");
		t->eventdata = store_col_dup_nonempty(r, "eventdata");
	}
	t->idempotency_key = store_col_dup_req(r, "idempotency_key");
	t->attempts = (long)store_col_int(r, "attempts");
	t->next_run = store_col_int(r, "next_run");
	status = store_col(r, "status");
	t->parked = status && status->type == MIH_SQL_TEXT && status->len == strlen(STATUS_PARKED)
		&& memcmp(status->s, STATUS_PARKED, status->len) == 0;
	t->last_status = (int)store_col_int(r, "last_status");
	t->last_error = store_col_dup_nonempty(r, "last_error");
	t->claim_token = store_col_dup_nonempty(r, "claim_token");
	t->lease_until = store_col_int(r, "lease_until");
	t->timecreated = store_col_int(r, "timecreated");
	t->timemodified = store_col_int(r, "timemodified");
	t->userid = store_col_int(r, "userid");
	t->relateduserid = store_col_int(r, "relateduserid");
	t->contextid = store_col_int(r, "contextid");
	t->service = store_col_dup(r, "service");
	t->state = derive_state(t, mih_store_now(st));
}

static int fill_task_summary(mih_store *st, void *item, store_row *r, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	read_task(st, item, r, false);
	return 0;
}

/* task_full_select: what a delivery needs too. */
static int fill_task(mih_store *st, void *item, store_row *r, char *err, size_t errlen)
{
	mih_store_task *t = item;
	char what[64];

	read_task(st, t, r, true);
	snprintf(what, sizeof(what), "task %lld", (long long)t->id);
	return store_headers_open_text(st, &t->headers, what, err, errlen);
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
	store_free_items((char *)list, count, sizeof(*list), dispose_task);
}

static const char *const task_cols[] = {
	"ruleid", "serviceid", "eventname", "endpoint", "http_method", "payload", "headers",
	"eventdata", "idempotency_key", "attempts", "next_run", "status", "last_status",
	"last_error", "claim_token", "lease_until", "timecreated", "timemodified", "userid",
	"relateduserid", "contextid", "run_token"
};
#define TASK_NCOLS (sizeof(task_cols) / sizeof(task_cols[0]))

/* headers: the column text, secrets sealed. */
static void task_values(const mih_store_task *t, const char *headers, mih_sql_value payload, int64_t now,
	mih_sql_value *v)
{
	v[0] = store_v_ref(t->ruleid);
	v[1] = mih_sql_int(t->serviceid);
	v[2] = store_v_str(t->eventname);
	v[3] = store_v_str(t->endpoint);
	v[4] = store_v_str0(t->http_method);
	v[5] = payload;
	v[6] = store_v_str(headers);
	v[7] = store_v_str(t->eventdata);
	v[8] = store_v_str(t->idempotency_key);
	v[9] = mih_sql_int(t->attempts);
	v[10] = mih_sql_int(t->next_run);
	v[11] = store_v_str(t->parked ? STATUS_PARKED : STATUS_QUEUED);
	v[12] = mih_sql_int(t->last_status);
	v[13] = store_v_str(t->last_error);
	v[14] = store_v_str("");
	v[15] = mih_sql_int(0);
	v[16] = mih_sql_int(t->timecreated);
	v[17] = mih_sql_int(now);
	v[18] = store_v_ref(t->userid);
	v[19] = store_v_ref(t->relateduserid);
	v[20] = store_v_ref(t->contextid);
	v[21] = store_v_str("");
}

static int task_check(const mih_store_task *t, char *err, size_t errlen)
{
	if (t->serviceid <= 0) {
		store_set_err(err, errlen, "store: a task needs a service id");
		return -1;
	}
	if (!t->http_method || !*t->http_method) {
		store_set_err(err, errlen, "store: a task needs an http_method");
		return -1;
	}
	if (t->idempotency_key && (!*t->idempotency_key
		|| strlen(t->idempotency_key) > IDEMPOTENCY_KEY_MAX)) {
		store_set_err(err, errlen, "store: an idempotency key must be 1 to %d characters",
			IDEMPOTENCY_KEY_MAX);
		return -1;
	}
	return 0;
}

int mih_store_enqueue(mih_store *st, mih_store_task *task, char *err, size_t errlen)
{
	mih_sql_value vals[TASK_NCOLS], payload;
	char *payload_buf;
	int64_t now = mih_store_now(st);
	char *headers;
	int rc;

	if (task_check(task, err, errlen) != 0) {
		return -1;
	}
	if (!task->idempotency_key) {
		char key[DEFAULT_KEY_LEN + 1];

		if (default_key(key) != 0 || !(task->idempotency_key = strdup(key))) {
			store_set_err(err, errlen, "store: cannot generate an idempotency key");
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
	if (store_headers_seal_text(st, task->headers, &headers, "a new task", err, errlen) != 0) {
		return -1;
	}
	if (store_bytes_value(task->payload, task->payload_len, &payload, &payload_buf) != 0) {
		free(headers);
		store_set_err(err, errlen, "store: out of memory");
		return -1;
	}
	task_values(task, headers, payload, now, vals);
	rc = st->ops->insert(st->db, T_QUEUE, task_cols, vals, TASK_NCOLS, &task->id,
		err, errlen);
	free(payload_buf);
	free(headers);
	return rc;
}

bool mih_store_enqueue_is_one_statement(const mih_store *st, size_t count)
{
	return count <= 1 || (st->ops->insert_many && count <= MIH_STORE_ENQUEUE_CHUNK);
}

typedef struct key_ids {
	mih_store_task **tasks;
	size_t count;
	size_t found;
	char *err;
	size_t errlen;
} key_ids;

static int match_key_id(void *ctx, size_t ncols, const char *const *names, const mih_sql_value *vals)
{
	key_ids *k = ctx;
	store_row r = store_row_make(T_QUEUE, ncols, names, vals);
	int64_t id = store_col_id(&r, "id");
	const mih_sql_value *key = store_col(&r, "idempotency_key");
	int rc = store_row_result(&r, k->err, k->errlen);

	if (rc != 0) {
		return rc;
	}
	for (size_t i = 0; key && key->type == MIH_SQL_TEXT && i < k->count; i++) {
		const char *want = k->tasks[i]->idempotency_key;

		if (k->tasks[i]->id == 0 && strlen(want) == key->len && memcmp(want, key->s, key->len) == 0) {
			k->tasks[i]->id = id;
			k->found++;
			break;
		}
	}
	return 0;
}

/* Several tasks with one multi-row INSERT (the executor's insert_many) and
 * one read of their ids by idempotency key; without insert_many, one insert
 * each (the caller's transaction makes them one commit). */
int mih_store_enqueue_many(mih_store *st, mih_store_task **tasks, size_t count, char *err, size_t errlen)
{
	mih_sql_value vals[MIH_STORE_ENQUEUE_CHUNK * TASK_NCOLS];
	mih_sql_value keys[STORE_IN_LIST_MAX];
	char *bufs[MIH_STORE_ENQUEUE_CHUNK * 2] = { NULL };
	char sql[160 + STORE_IN_LIST_MAX * 2];
	int64_t now = mih_store_now(st);
	key_ids k = { tasks, count, 0, err, errlen };
	size_t i, len, nlist;
	int rc = 0;

	if (!st->ops->insert_many || count <= 1 || count > MIH_STORE_ENQUEUE_CHUNK) {
		for (i = 0; i < count && rc == 0; i++) {
			rc = mih_store_enqueue(st, tasks[i], err, errlen);
		}
		return rc;
	}
	for (i = 0; i < count && rc == 0; i++) {
		mih_store_task *t = tasks[i];
		mih_sql_value payload;

		if (task_check(t, err, errlen) != 0) {
			rc = -1;
			break;
		}
		if (!t->idempotency_key) {
			char key[DEFAULT_KEY_LEN + 1];

			if (default_key(key) != 0 || !(t->idempotency_key = strdup(key))) {
				store_set_err(err, errlen, "store: cannot generate an idempotency key");
				rc = -1;
				break;
			}
		}
		t->id = 0;
		t->next_run = t->next_run ? t->next_run : now;
		t->timecreated = t->timecreated ? t->timecreated : now;
		t->timemodified = now;
		if (store_headers_seal_text(st, t->headers, &bufs[2 * i], "a new task", err, errlen) != 0) {
			rc = -1;
			break;
		}
		if (store_bytes_value(t->payload, t->payload_len, &payload, &bufs[2 * i + 1]) != 0) {
			store_set_err(err, errlen, "store: out of memory");
			rc = -1;
			break;
		}
		task_values(t, bufs[2 * i], payload, now, vals + i * TASK_NCOLS);
	}
	if (rc == 0) {
		rc = st->ops->insert_many(st->db, T_QUEUE, task_cols, vals, TASK_NCOLS, count, err, errlen);
	}
	for (i = 0; i < 2 * count; i++) {
		free(bufs[i]);
	}
	if (rc != 0) {
		return -1;
	}
	nlist = store_in_list_length(count);
	len = (size_t)snprintf(sql, sizeof(sql), "SELECT id, idempotency_key FROM {" T_QUEUE "} WHERE idempotency_key IN (");
	for (i = 0; i < nlist; i++) {
		keys[i] = store_v_str(tasks[i < count ? i : count - 1]->idempotency_key);
	}
	len = store_put_in_list(sql, len, sizeof(sql), nlist);
	if (st->ops->query(st->db, sql, keys, nlist, 0, 0, match_key_id, &k, err, errlen) != 0) {
		return -1;
	}
	if (k.found != count) {
		store_set_err(err, errlen, "store: %zu of %zu tasks just queued could not be read back", count - k.found, count);
		return -1;
	}
	return 0;
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

/* Moves the tasks one claim round won (a list it takes over) to the end of
 * the claim's result, growing it as needed. */
static int claim_append(mih_store_task **out, size_t *count, size_t *cap,
	mih_store_task *won, size_t nwon, char *err, size_t errlen)
{
	if (*count + nwon > *cap) {
		size_t newcap = (*count + nwon) * 2;
		mih_store_task *grown = realloc(*out, newcap * sizeof(*grown));

		if (!grown) {
			mih_store_task_list_free(won, nwon);
			store_set_err(err, errlen, "store: out of memory claiming tasks");
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

/* One claim round: candidates, guarded token write, read-back. Appends the
 * won tasks to *out. Oldest first; after a round lost to a competitor
 * (spread), a random choice among a wider window of the oldest. */
static int claim_round(mih_store *st, long want, bool spread, int64_t now, int64_t lease_until,
	const char *run_token, mih_store_task **out, size_t *count, size_t *cap, bool *exhausted,
	char *err, size_t errlen)
{
	mih_sql_value cand_params[3] = { mih_sql_int(now), mih_sql_int(now), store_v_str(run_token) };
	mih_sql_value upd[7 + CLAIM_ROUND_MAX];
	/* With a run token, a task this worker run claimed already (and so
	 * attempted, or is attempting) waits for the next run. */
	const char *once = run_token ? " AND run_token <> ?" : "";
	char cand_sql[256];
	char token[MIH_STORE_CLAIM_TOKEN_LEN + 1];
	char sql[256 + CLAIM_ROUND_MAX * 2];
	store_int_rows ids;
	mih_store_task *won;
	size_t nwon;
	size_t len;
	mih_sql_value tp;

	long window = spread ? want * CLAIM_WINDOW_FACTOR : want;

	if (window > CLAIM_ROUND_MAX) {
		window = CLAIM_ROUND_MAX;
	}
	snprintf(cand_sql, sizeof(cand_sql), "SELECT id FROM {" T_QUEUE "} WHERE next_run <= ? AND lease_until <= ?%s"
		" ORDER BY next_run, id", once);
	if (store_query_ints(st, cand_sql, cand_params, run_token ? 3 : 2, 0, window, &ids, err, errlen) != 0) {
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
		store_set_err(err, errlen, "store: cannot generate a claim token");
		return -1;
	}
	len = (size_t)snprintf(sql, sizeof(sql), "UPDATE {" T_QUEUE "} SET claim_token = ?,"
		" lease_until = ?, timemodified = ?%s WHERE next_run <= ? AND lease_until <= ?%s AND id IN (",
		run_token ? ", run_token = ?" : "", once);
	size_t nfixed = 0;
	upd[nfixed++] = store_v_str(token);
	upd[nfixed++] = mih_sql_int(lease_until);
	upd[nfixed++] = mih_sql_int(now);
	if (run_token) {
		upd[nfixed++] = store_v_str(run_token);
	}
	upd[nfixed++] = mih_sql_int(now);
	upd[nfixed++] = mih_sql_int(now);
	if (run_token) {
		upd[nfixed++] = store_v_str(run_token);
	}
	/* The list is padded (repeating the last id) to one of a few lengths, so
	 * a handful of statement texts serve every claim and stay prepared. */
	size_t nlist = store_in_list_length(ids.count);
	for (size_t i = 0; i < nlist; i++) {
		upd[nfixed + i] = mih_sql_int(ids.vals[i < ids.count ? i : ids.count - 1]);
	}
	len = store_put_in_list(sql, len, sizeof(sql), nlist);
	if (store_exec(st, sql, upd, nfixed + nlist, err, errlen) != 0) {
		free(ids.vals);
		return -1;
	}
	free(ids.vals);
	snprintf(sql, sizeof(sql), "%s WHERE q.claim_token = ? ORDER BY q.next_run, q.id",
		task_full_select);
	tp = store_v_str(token);
	if (store_query_list(st, sql, &tp, 1, 0, 0, sizeof(*won), fill_task, dispose_task,
		(void **)&won, &nwon, err, errlen) != 0) {
		return -1;
	}
	return claim_append(out, count, cap, won, nwon, err, errlen);
}

/* The claim on a store whose transactions shut out other writers from
 * their start (writes_serialized: the SQLite file): the oldest due rows are
 * read with a plain SELECT and their ids updated in the same transaction,
 * which is as atomic as one UPDATE ... RETURNING there (no writer can come
 * between the two) and cheaper: SQLite's RETURNING writes every row it
 * returns into a temporary table and reads it back (this store claimed that
 * way up to schema 5: ~12,000 more instructions a task in a drain). Nested in the caller's transaction (the worker's
 * settle) it joins it; alone it commits like one statement. */
static int claim_select_update(mih_store *st, long want, int64_t now, int64_t lease_until, const char *run_token,
	mih_store_task **out, size_t *count, size_t *cap, bool *exhausted, char *err, size_t errlen)
{
	const char *once = run_token ? " AND q.run_token <> ?" : "";
	char token[MIH_STORE_CLAIM_TOKEN_LEN + 1];
	char sql[384 + STORE_IN_LIST_MAX * 2];
	mih_sql_value sel[3], upd[4 + STORE_IN_LIST_MAX];
	size_t nsel = 0, nwon = 0, done = 0;
	mih_store_task *won = NULL;
	int rc;

	if (random_hex(token, MIH_STORE_CLAIM_TOKEN_LEN / 2) != 0) {
		store_set_err(err, errlen, "store: cannot generate a claim token");
		return -1;
	}
	if (st->ops->begin(st->db, err, errlen) != 0) {
		return -1;
	}
	snprintf(sql, sizeof(sql), "%s WHERE q.next_run <= ? AND q.lease_until <= ?%s ORDER BY q.next_run, q.id",
		task_full_select, once);
	sel[nsel++] = mih_sql_int(now);
	sel[nsel++] = mih_sql_int(now);
	if (run_token) {
		sel[nsel++] = store_v_str(run_token);
	}
	rc = store_query_list(st, sql, sel, nsel, 0, want, sizeof(*won), fill_task, dispose_task, (void **)&won,
		&nwon, err, errlen);
	while (rc == 0 && done < nwon) {
		size_t n = nwon - done < STORE_IN_LIST_MAX ? nwon - done : STORE_IN_LIST_MAX, nlist = store_in_list_length(n), nfixed = 0;
		size_t len = (size_t)snprintf(sql, sizeof(sql), "UPDATE {" T_QUEUE "} SET claim_token = ?,"
			" lease_until = ?, timemodified = ?%s WHERE id IN (", run_token ? ", run_token = ?" : "");

		upd[nfixed++] = store_v_str(token);
		upd[nfixed++] = mih_sql_int(lease_until);
		upd[nfixed++] = mih_sql_int(now);
		if (run_token) {
			upd[nfixed++] = store_v_str(run_token);
		}
		/* Padded like the other claims: a few statement texts stay prepared. */
		for (size_t i = 0; i < nlist; i++) {
			upd[nfixed + i] = mih_sql_int(won[done + (i < n ? i : n - 1)].id);
		}
		len = store_put_in_list(sql, len, sizeof(sql), nlist);
		rc = store_exec(st, sql, upd, nfixed + nlist, err, errlen);
		done += n;
	}
	/* What the UPDATE wrote, on the tasks read before it. */
	for (size_t i = 0; rc == 0 && i < nwon; i++) {
		mih_store_task *t = &won[i];

		free(t->claim_token);
		t->claim_token = strdup(token);
		if (!t->claim_token) {
			store_set_err(err, errlen, "store: out of memory claiming tasks");
			rc = -1;
			break;
		}
		t->lease_until = lease_until;
		t->timemodified = now;
		t->state = derive_state(t, now);
	}
	if (rc != 0) {
		st->ops->rollback(st->db, NULL, 0);
		mih_store_task_list_free(won, nwon);
		return -1;
	}
	if (st->ops->commit(st->db, err, errlen) != 0) {
		mih_store_task_list_free(won, nwon);
		return -1;
	}
	*exhausted = nwon < (size_t)want;
	return claim_append(out, count, cap, won, nwon, err, errlen);
}

int mih_store_claim_due(mih_store *st, long limit, long lease_seconds,
	mih_store_task **out, size_t *count, char *err, size_t errlen)
{
	return mih_store_claim_due_once(st, limit, lease_seconds, NULL, out, count, err, errlen);
}

int mih_store_new_run_token(char out[MIH_STORE_RUN_TOKEN_LEN + 1])
{
	return random_hex(out, MIH_STORE_RUN_TOKEN_LEN / 2);
}

int mih_store_claim_due_once(mih_store *st, long limit, long lease_seconds, const char *run_token,
	mih_store_task **out, size_t *count, char *err, size_t errlen)
{
	int64_t now = mih_store_now(st);
	size_t cap = 0;
	int idle = 0;

	*out = NULL;
	*count = 0;
	if (limit <= 0) {
		store_set_err(err, errlen, "store: the claim limit must be positive, got %ld", limit);
		return -1;
	}
	if (lease_seconds <= 0) {
		store_set_err(err, errlen, "store: the lease must be at least 1 second, got %ld",
			lease_seconds);
		return -1;
	}
	while (*count < (size_t)limit && idle < CLAIM_IDLE_ROUNDS) {
		long want = limit - (long)*count;
		size_t before = *count;
		bool exhausted;

		if (want > CLAIM_ROUND_MAX && !st->ops->writes_serialized) {
			want = CLAIM_ROUND_MAX;
		}
		if ((st->ops->writes_serialized
				? claim_select_update(st, want, now, now + lease_seconds, run_token, out, count, &cap, &exhausted,
					err, errlen)
				: claim_round(st, want, idle > 0, now, now + lease_seconds, run_token, out, count, &cap,
					&exhausted, err, errlen)) != 0) {
			mih_store_task_list_free(*out, *count);
			*out = NULL;
			*count = 0;
			return -1;
		}
		/* A serialized claim takes every due task it may: none is left. */
		if (exhausted && (*count - before == 0 || st->ops->writes_serialized)) {
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
		store_set_err(err, errlen, "store: task %lld was not claimed (no claim token)",
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
	p[1] = store_v_str(task->claim_token);
	return store_exec(st, "DELETE FROM {" T_QUEUE "} WHERE id = ? AND claim_token = ?", p, 2,
		err, errlen);
}

/* One DELETE per claim token and round of STORE_IN_LIST_MAX ids (padded
 * like the claims), guarded by the token as mih_store_complete() is. */
int mih_store_complete_many(mih_store *st, const mih_store_task *const *tasks, size_t count,
	char *err, size_t errlen)
{
	mih_sql_value p[1 + STORE_IN_LIST_MAX];
	char sql[128 + STORE_IN_LIST_MAX * 2];
	const mih_store_task *group[STORE_IN_LIST_MAX];
	bool *done;
	size_t i, j;

	for (i = 0; i < count; i++) {
		if (need_token(tasks[i], err, errlen) != 0) {
			return -1;
		}
	}
	done = calloc(count ? count : 1, sizeof(*done));
	if (!done) {
		store_set_err(err, errlen, "store: out of memory completing tasks");
		return -1;
	}
	for (i = 0; i < count; i++) {
		const char *token = tasks[i]->claim_token;
		size_t n = 0, nlist, len;

		if (done[i]) {
			continue;
		}
		for (j = i; j < count && n < STORE_IN_LIST_MAX; j++) {
			if (!done[j] && strcmp(tasks[j]->claim_token, token) == 0) {
				group[n++] = tasks[j];
				done[j] = true;
			}
		}
		nlist = store_in_list_length(n);
		len = (size_t)snprintf(sql, sizeof(sql), "DELETE FROM {" T_QUEUE "} WHERE claim_token = ? AND id IN (");
		p[0] = store_v_str(token);
		for (j = 0; j < nlist; j++) {
			p[1 + j] = mih_sql_int(group[j < n ? j : n - 1]->id);
		}
		len = store_put_in_list(sql, len, sizeof(sql), nlist);
		if (store_exec(st, sql, p, 1 + nlist, err, errlen) != 0) {
			free(done);
			return -1;
		}
	}
	free(done);
	return 0;
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
	p[2] = store_v_str(STATUS_QUEUED);
	p[3] = mih_sql_int(last_status);
	p[4] = store_v_str(last_error);
	p[5] = store_v_str("");
	p[6] = mih_sql_int(mih_store_now(st));
	p[7] = mih_sql_int(task->id);
	p[8] = store_v_str(task->claim_token);
	return store_exec(st, "UPDATE {" T_QUEUE "} SET attempts = ?, next_run = ?, status = ?,"
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
	p[1] = store_v_str(STATUS_PARKED);
	p[2] = store_v_str(reason);
	p[3] = store_v_str("");
	p[4] = mih_sql_int(mih_store_now(st));
	p[5] = mih_sql_int(task->id);
	p[6] = store_v_str(task->claim_token);
	/* No attempt was made: the run may claim it again once it is due. */
	return store_exec(st, "UPDATE {" T_QUEUE "} SET next_run = ?, status = ?, last_error = ?,"
		" claim_token = ?, lease_until = 0, timemodified = ?, run_token = '' WHERE id = ? AND claim_token = ?",
		p, 7, err, errlen);
}

static void task_state_where(store_where *w, mih_task_state state, int64_t now)
{
	mih_sql_value p[2];

	switch (state) {
	case MIH_TASK_RUNNING:
		store_where_add1(w, "q.lease_until > ?", mih_sql_int(now));
		break;
	case MIH_TASK_PARKED:
		p[0] = mih_sql_int(now);
		p[1] = store_v_str(STATUS_PARKED);
		store_where_add(w, "q.lease_until <= ? AND q.status = ?", p, 2);
		break;
	case MIH_TASK_PENDING:
	case MIH_TASK_RETRYING:
		p[0] = mih_sql_int(now);
		p[1] = store_v_str(STATUS_QUEUED);
		store_where_add(w, "q.lease_until <= ? AND q.status = ?", p, 2);
		store_where_add(w, state == MIH_TASK_PENDING ? "q.attempts = 0" : "q.attempts > 0", NULL, 0);
		break;
	default:
		break;
	}
}

static void task_where(mih_store *st, store_where *w, const mih_store_task_filter *f)
{
	if (!f) {
		return;
	}
	task_state_where(w, f->state, mih_store_now(st));
	if (f->serviceid > 0) {
		store_where_add1(w, "q.serviceid = ?", mih_sql_int(f->serviceid));
	}
	if (f->eventname) {
		store_where_add1(w, "q.eventname = ?", store_v_str(f->eventname));
	}
}

int mih_store_task_list(mih_store *st, const mih_store_task_filter *filter,
	mih_store_task **out, size_t *count, char *err, size_t errlen)
{
	store_where w = { "", { { 0 } }, 0 };
	char sql[2048];
	long limit = filter && filter->limit > 0 ? filter->limit : MIH_STORE_LIST_DEFAULT;
	long offset = filter && filter->offset > 0 ? filter->offset : 0;

	task_where(st, &w, filter);
	snprintf(sql, sizeof(sql), "%s%s ORDER BY q.next_run, q.id", task_summary_select, w.sql);
	return store_query_list(st, sql, w.params, w.n, offset, limit, sizeof(**out), fill_task_summary,
		dispose_task, (void **)out, count, err, errlen);
}

int mih_store_task_total(mih_store *st, const mih_store_task_filter *filter, long *total,
	char *err, size_t errlen)
{
	store_where w = { "", { { 0 } }, 0 };
	char sql[1536];
	int64_t n = 0;
	bool found;

	*total = 0;
	task_where(st, &w, filter);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) AS n FROM {" T_QUEUE "} q%s", w.sql);
	if (store_query_int(st, sql, w.params, w.n, &n, &found, err, errlen) != 0) {
		return -1;
	}
	*total = (long)n;
	return 0;
}

int mih_store_privacy_tasks(mih_store *st, const mih_store_privacy_filter *filter,
	mih_store_task **out, size_t *count, char *err, size_t errlen)
{
	store_where w = { "", { { 0 } }, 0 };
	char sql[1536];

	store_privacy_where(&w, filter, "q.");
	snprintf(sql, sizeof(sql), "%s%s ORDER BY q.id", task_full_select, w.sql);
	return store_query_list(st, sql, w.params, w.n, 0, 0, sizeof(**out), fill_task,
		dispose_task, (void **)out, count, err, errlen);
}

int mih_store_task_get(mih_store *st, int64_t id, mih_store_task *out, char *err, size_t errlen)
{
	char sql[256];
	mih_sql_value p = mih_sql_int(id);

	snprintf(sql, sizeof(sql), "%s WHERE q.id = ?", task_full_select);
	memset(out, 0, sizeof(*out));
	return store_query_one(st, sql, &p, 1, sizeof(*out), fill_task, dispose_task, out, err, errlen);
}

/* NOT_FOUND, RUNNING or DONE (exists and not leased). */
static int task_presence(mih_store *st, int64_t id, int64_t now, char *err, size_t errlen)
{
	mih_sql_value p = mih_sql_int(id);
	int64_t lease;
	bool found;

	if (store_query_int(st, "SELECT lease_until FROM {" T_QUEUE "} WHERE id = ?", &p, 1, &lease,
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
	p[1] = store_v_str(STATUS_QUEUED);
	p[2] = mih_sql_int(now);
	p[3] = mih_sql_int(id);
	p[4] = mih_sql_int(now);
	/* "Retry now" is for the next run, even one that started this second
	 * or one that attempted the task already. */
	if (store_exec(st, "UPDATE {" T_QUEUE "} SET next_run = ?, status = ?, timemodified = ?, run_token = ''"
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
	if (store_exec(st, "DELETE FROM {" T_QUEUE "} WHERE id = ? AND lease_until <= ?", p, 2,
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
	store_row r = store_row_make(T_QUEUE, ncols, names, vals);
	mih_store_queue_counts *q;
	int rc;

	if (c->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		mih_store_queue_counts *grown = realloc(c->items, cap * sizeof(*grown));

		if (!grown) {
			store_set_err(c->err, c->errlen, "store: out of memory reading queue counts");
			return -1;
		}
		c->items = grown;
		c->cap = cap;
	}
	q = &c->items[c->count];
	q->serviceid = store_col_int(&r, "serviceid");
	q->pending = (long)store_col_int(&r, "pending");
	q->retrying = (long)store_col_int(&r, "retrying");
	q->parked = (long)store_col_int(&r, "parked");
	q->running = (long)store_col_int(&r, "running");
	rc = store_row_result(&r, c->err, c->errlen);
	if (rc == 0) {
		c->count++;
	}
	return rc;
}

int mih_store_queue_counts_list(mih_store *st, mih_store_queue_counts **out, size_t *count,
	char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT serviceid,"
		" SUM(CASE WHEN lease_until > ? THEN 1 ELSE 0 END) AS running,"
		" SUM(CASE WHEN lease_until <= ? AND status = ? THEN 1 ELSE 0 END) AS parked,"
		" SUM(CASE WHEN lease_until <= ? AND status = ? AND attempts = 0 THEN 1 ELSE 0 END)"
		" AS pending,"
		" SUM(CASE WHEN lease_until <= ? AND status = ? AND attempts > 0 THEN 1 ELSE 0 END)"
		" AS retrying"
		" FROM {" T_QUEUE "} GROUP BY serviceid ORDER BY serviceid";
	int64_t now = mih_store_now(st);
	mih_sql_value p[7] = {
		mih_sql_int(now), mih_sql_int(now), store_v_str(STATUS_PARKED),
		mih_sql_int(now), store_v_str(STATUS_QUEUED),
		mih_sql_int(now), store_v_str(STATUS_QUEUED)
	};
	counts_ctx c = { NULL, 0, 0, err, errlen };

	*out = NULL;
	*count = 0;
	if (st->ops->query(st->db, sql, p, 7, 0, 0, collect_counts, &c, err, errlen) != 0) {
		free(c.items);
		return -1;
	}
	*out = c.items;
	*count = c.count;
	return 0;
}

int mih_store_next_due(mih_store *st, int64_t *when, bool *any, char *err, size_t errlen)
{
	return store_query_int(st, "SELECT MIN(CASE WHEN lease_until > next_run THEN lease_until"
		" ELSE next_run END) AS due FROM {" T_QUEUE "}", NULL, 0, when, any, err, errlen);
}
