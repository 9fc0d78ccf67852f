/* The durable store: services, rules, the task queue, the dead-letter queue,
 * the request log, circuit states and dedupe keys. The logic is written once
 * as portable Moodle SQL over a SQL executor (store_sql.h), so the same code
 * runs on the embedded SQLite file and on Moodle's $DB.
 *
 * Conventions: every function returns -1 with a message in err (never
 * containing a token or secret) on failure. Lookups return MIH_STORE_DONE
 * or MIH_STORE_NOT_FOUND; state-changing task operations may also return
 * MIH_STORE_RUNNING or MIH_STORE_LOST. Times are Unix seconds taken from the
 * store's clock (mih_store_set_clock). Records returned to the caller own
 * their strings: release them with the matching _dispose / _list_free. */
#ifndef MIH_STORE_H
#define MIH_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "store_sql.h"
#include "service.h"

typedef struct mih_store mih_store;

enum {
	MIH_STORE_DONE = 0,
	MIH_STORE_NOT_FOUND = 1,
	MIH_STORE_RUNNING = 2,   /* the task is leased by a worker right now */
	MIH_STORE_LOST = 3       /* the caller's claim token no longer holds the task */
};

#define MIH_STORE_LIST_DEFAULT 50
#define MIH_STORE_RESPONSE_MAX 4096   /* bytes of a response body kept in the DLQ */
#define MIH_STORE_DEDUPE_KEY_MAX 255
#define MIH_STORE_CLAIM_TOKEN_LEN 32
#define MIH_STORE_RUN_TOKEN_LEN 16

typedef int64_t (*mih_store_clock)(void *ctx);

/* ---- lifecycle ---------------------------------------------------------- */

/* Wraps an executor. close_db (may be NULL) is called on db by
 * mih_store_close. Returns NULL only when out of memory. */
mih_store *mih_store_new(const mih_sql_ops *ops, void *db, void (*close_db)(void *db));
void mih_store_close(mih_store *st);
/* The db given to mih_store_new() when st runs on ops, else NULL (for an
 * executor's own functions over a store). */
void *mih_store_db_of(const mih_store *st, const mih_sql_ops *ops);
/* The default clock is time(NULL). */
void mih_store_set_clock(mih_store *st, mih_store_clock clock, void *ctx);
int64_t mih_store_now(const mih_store *st);
const char *mih_store_identity(const mih_store *st);
/* The keyring secrets at rest are sealed with (seal.h); it must outlive the
 * store. NULL (the default): nothing is sealed and sealed values do not
 * open. Auth tokens, signing secrets and credential headers
 * (mih_header_is_sensitive) of services, rules, tasks and dead letters are
 * sealed under its current key when written; values without an envelope
 * read as plaintext. */
struct mih_keyring;
void mih_store_set_keyring(mih_store *st, const struct mih_keyring *kr);

/* Nestable transactions, e.g. to enqueue a batch with one commit. */
int mih_store_begin(mih_store *st, char *err, size_t errlen);
int mih_store_commit(mih_store *st, char *err, size_t errlen);
int mih_store_rollback(mih_store *st, char *err, size_t errlen);
/* Begins a transaction whose commit need not reach the disk: what it writes
 * is durable once a later commit is (the embedded SQLite file with
 * durability full commits it without an fsync; the WAL is synced by the
 * next full commit or checkpoint). For writes a power loss may undo at no
 * cost, such as a worker's claim. Stores without the notion begin a plain
 * transaction. Inside an open transaction it only nests. */
int mih_store_begin_relaxed(mih_store *st, char *err, size_t errlen);

/* ---- services (local_integrationhub_svc) -------------------------------- */

/* Inserts, or updates the row with the same name (timecreated kept). Sets
 * svc->id, timecreated and timemodified. */
int mih_store_service_save(mih_store *st, mih_service *svc, char *err, size_t errlen);
/* out is overwritten (not disposed first) and must be disposed by the caller
 * with mih_service_dispose when DONE. */
int mih_store_service_get(mih_store *st, const char *name, mih_service *out,
	char *err, size_t errlen);
int mih_store_service_get_by_id(mih_store *st, int64_t id, mih_service *out,
	char *err, size_t errlen);
/* Ordered by name. */
int mih_store_service_list(mih_store *st, mih_service **out, size_t *count,
	char *err, size_t errlen);
void mih_store_service_list_free(mih_service *list, size_t count);
/* Refuses (-1, message with the counts) while rules, queued tasks or dead
 * letters reference the service; removes its circuit row with it. */
int mih_store_service_delete(mih_store *st, const char *name, char *err, size_t errlen);

/* Rewrites every secret of every service, rule, task and dead letter that is
 * not in the keyring's preferred form: sealed under its current key, or in
 * clear when it has none (to turn encryption off). One transaction; *count
 * is the number of values rewritten. Fails, changing nothing, when a value
 * is sealed under a key the keyring does not hold. */
int mih_store_reseal(mih_store *st, long *count, char *err, size_t errlen);

/* ---- rules (local_integrationhub_rules) --------------------------------- */

typedef struct mih_store_rule {
	int64_t id;
	char *eventname;
	int64_t serviceid;
	char *service;            /* service name; filled by reads, ignored by save */
	char *endpoint;           /* template source */
	char *http_method;
	char *payload_template;
	char *headers;            /* JSON object text, NULL for none */
	bool enabled;
	int64_t timecreated;
	int64_t timemodified;
} mih_store_rule;

typedef struct mih_store_rule_filter {
	const char *eventname;    /* NULL: any */
	int64_t serviceid;        /* 0: any */
	int enabled;              /* -1: any, 0 or 1 */
} mih_store_rule_filter;

void mih_store_rule_dispose(mih_store_rule *rule);
void mih_store_rule_list_free(mih_store_rule *list, size_t count);
/* id 0 inserts, otherwise updates (NOT_FOUND when no such rule). The
 * service must exist. Bumps the rules version in the same transaction. */
int mih_store_rule_save(mih_store *st, mih_store_rule *rule, char *err, size_t errlen);
int mih_store_rule_get(mih_store *st, int64_t id, mih_store_rule *out, char *err, size_t errlen);
/* Ordered by id; filter may be NULL. */
int mih_store_rule_list(mih_store *st, const mih_store_rule_filter *filter,
	mih_store_rule **out, size_t *count, char *err, size_t errlen);
/* The emit path: enabled rules for the event, ordered by id. */
int mih_store_rules_for_event(mih_store *st, const char *eventname,
	mih_store_rule **out, size_t *count, char *err, size_t errlen);
int mih_store_rule_delete(mih_store *st, int64_t id, char *err, size_t errlen);
/* Grows on every rule and service change (local_integrationhub_meta
 * 'rules_version'): other hosts' caches of both compare it. */
int mih_store_rules_version(mih_store *st, int64_t *version, char *err, size_t errlen);

/* ---- queue (local_integrationhub_queue) --------------------------------- */

typedef enum {
	MIH_TASK_ANY = -1,
	MIH_TASK_PENDING = 0,     /* due and not leased */
	MIH_TASK_RETRYING,        /* waiting for next_run */
	MIH_TASK_PARKED,          /* parked (open circuit, disabled service) */
	MIH_TASK_RUNNING          /* leased by a worker */
} mih_task_state;

typedef struct mih_store_task {
	int64_t id;
	int64_t ruleid;           /* 0: none */
	int64_t serviceid;
	char *service;            /* service name; filled by reads */
	char *eventname;
	char *endpoint;           /* rendered path */
	char *http_method;
	char *payload;            /* exact bytes (may hold NULs) */
	size_t payload_len;
	char *headers;            /* JSON object text, NULL for none */
	char *eventdata;          /* JSON text, NULL for none */
	char *idempotency_key;    /* "msg_..."; generated by enqueue when NULL */
	long attempts;
	int64_t next_run;         /* 0 at enqueue: now */
	bool parked;
	int last_status;
	char *last_error;
	char *claim_token;        /* set by claim_due */
	int64_t lease_until;
	int64_t timecreated;
	int64_t timemodified;
	mih_task_state state;     /* derived on read from the columns and now */
	/* Whom and where the event data is about (Moodle's userid, relateduserid
	 * and contextid), for the privacy API; 0: none. Carried to the DLQ and
	 * back on replay. */
	int64_t userid;
	int64_t relateduserid;
	int64_t contextid;
} mih_store_task;

typedef struct mih_store_task_filter {
	mih_task_state state;     /* MIH_TASK_ANY: any */
	int64_t serviceid;        /* 0: any */
	long limit;               /* 0: MIH_STORE_LIST_DEFAULT; totals ignore it */
	long offset;
	const char *eventname;    /* NULL: any; else exactly this name */
} mih_store_task_filter;

/* Per service, for stats. */
typedef struct mih_store_queue_counts {
	int64_t serviceid;
	long pending, retrying, parked, running;
} mih_store_queue_counts;

const char *mih_task_state_name(mih_task_state s);
/* "pending"/"retrying"/"parked"/"running"/"" (any); -1 when unknown. */
int mih_task_state_parse(const char *name, mih_task_state *out);
void mih_store_task_dispose(mih_store_task *task);
void mih_store_task_list_free(mih_store_task *list, size_t count);

/* One row insert; sets task->id, idempotency_key (when NULL), next_run (when
 * 0), timecreated. Joins the caller's transaction when one is open. */
int mih_store_enqueue(mih_store *st, mih_store_task *task, char *err, size_t errlen);
/* Several tasks at once, ids set like mih_store_enqueue(). With an executor
 * that writes several rows in one statement (Moodle's $DB) and at most
 * MIH_STORE_ENQUEUE_CHUNK tasks: one INSERT, atomic by itself, plus one read
 * of the new ids; otherwise one insert each (open a transaction around
 * them). mih_store_enqueue_is_one_statement() says which. */
#define MIH_STORE_ENQUEUE_CHUNK 32
int mih_store_enqueue_many(mih_store *st, mih_store_task **tasks, size_t count, char *err, size_t errlen);
bool mih_store_enqueue_is_one_statement(const mih_store *st, size_t count);
/* Claims up to limit due tasks (next_run <= now, lease expired or none) for
 * lease_seconds, with full payloads. Two claimers never hold the same task
 * at once: each writes a fresh random token with a guarded UPDATE and reads
 * back the rows carrying it. Ordered by next_run, id. */
int mih_store_claim_due(mih_store *st, long limit, long lease_seconds,
	mih_store_task **out, size_t *count, char *err, size_t errlen);
/* The same for one worker run, named by run_token (mih_store_new_run_token):
 * a claim records the token on the task (its run_token column), and a task
 * that carries the token is not claimed again under it, so each run makes
 * at most one attempt per task whatever the clock says. Parking and
 * mih_store_task_retry_now() clear the mark (neither is an attempt; "Retry
 * now" is for the next run, even one starting in the same second). NULL:
 * no such restriction. */
int mih_store_claim_due_once(mih_store *st, long limit, long lease_seconds, const char *run_token,
	mih_store_task **out, size_t *count, char *err, size_t errlen);
/* A fresh random run token, MIH_STORE_RUN_TOKEN_LEN hex digits. 0 or -1. */
int mih_store_new_run_token(char out[MIH_STORE_RUN_TOKEN_LEN + 1]);
/* Delivered: deletes the task if it still carries task->claim_token. */
int mih_store_complete(mih_store *st, const mih_store_task *task, char *err, size_t errlen);
/* The same for several delivered tasks in a few statements: one DELETE per
 * claim token (and per STORE_IN_LIST_MAX tasks). */
int mih_store_complete_many(mih_store *st, const mih_store_task *const *tasks, size_t count,
	char *err, size_t errlen);
/* Failed, will retry: sets attempts, next_run, last status/error, releases
 * the lease (only while task->claim_token still holds). */
int mih_store_reschedule(mih_store *st, const mih_store_task *task, long attempts,
	int64_t next_run, int last_status, const char *last_error, char *err, size_t errlen);
/* Parked (no attempt used) until next_run, reason in last_error. */
int mih_store_park(mih_store *st, const mih_store_task *task, int64_t next_run,
	const char *reason, char *err, size_t errlen);
/* Moves the task to the DLQ in one transaction: inserts the dead letter
 * (task fields, response truncated to MIH_STORE_RESPONSE_MAX bytes) and
 * deletes the task. task->id 0: nothing queued yet (emit-time failure), only
 * the dead letter is inserted. With a claim token, returns MIH_STORE_LOST and
 * changes nothing when the token no longer holds; without one, the task is
 * moved whatever its lease. *dead_id (may be NULL) gets the new DLQ id. */
int mih_store_to_dlq(mih_store *st, const mih_store_task *task, long attempts,
	int last_status, const char *error, const char *response, size_t response_len,
	int64_t *dead_id, char *err, size_t errlen);
/* Without payload/eventdata/headers; filter may be NULL. */
int mih_store_task_list(mih_store *st, const mih_store_task_filter *filter,
	mih_store_task **out, size_t *count, char *err, size_t errlen);
/* How many tasks match filter (NULL: all), whatever its limit and offset. */
int mih_store_task_total(mih_store *st, const mih_store_task_filter *filter, long *total,
	char *err, size_t errlen);
/* Everything, payload included. */
int mih_store_task_get(mih_store *st, int64_t id, mih_store_task *out, char *err, size_t errlen);
/* Due now (and unparked), and claimable by a run that already attempted
 * it: DONE, NOT_FOUND, or RUNNING (left unchanged). */
int mih_store_task_retry_now(mih_store *st, int64_t id, char *err, size_t errlen);
/* DONE, NOT_FOUND, or RUNNING (not deleted). */
int mih_store_task_delete(mih_store *st, int64_t id, char *err, size_t errlen);
/* Ordered by serviceid; services with no task are absent. */
int mih_store_queue_counts_list(mih_store *st, mih_store_queue_counts **out, size_t *count,
	char *err, size_t errlen);
/* Earliest time a task becomes claimable; *any false when the queue is empty. */
int mih_store_next_due(mih_store *st, int64_t *when, bool *any, char *err, size_t errlen);

/* ---- dead letters (local_integrationhub_dlq) ---------------------------- */

typedef struct mih_store_dead {
	int64_t id;
	int64_t taskid;           /* 0: never queued */
	int64_t ruleid;
	int64_t serviceid;
	char *service;            /* service name; filled by reads */
	char *eventname;
	char *endpoint;
	char *http_method;
	char *payload;
	size_t payload_len;
	char *headers;
	char *eventdata;
	char *idempotency_key;
	long attempts;
	int last_status;
	char *error_message;
	char *response;           /* bytes: may hold NULs */
	size_t response_len;
	int64_t taskcreated;      /* when the task was created */
	int64_t timecreated;      /* when it entered the DLQ (the PHP plugin's meaning) */
	int64_t userid;           /* as in mih_store_task; 0: none */
	int64_t relateduserid;
	int64_t contextid;
} mih_store_dead;

typedef struct mih_store_dead_filter {
	int64_t serviceid;        /* 0: any */
	const char *eventname;    /* NULL: any */
	int64_t since;            /* 0: any; else timecreated >= since */
	long limit;               /* list: 0 means MIH_STORE_LIST_DEFAULT; the others ignore it */
	long offset;
	const char *error;        /* NULL or "": any; else a part of error_message, any case */
} mih_store_dead_filter;

/* Per service, for stats. */
typedef struct mih_store_dead_count {
	int64_t serviceid;
	long count;
} mih_store_dead_count;

void mih_store_dead_dispose(mih_store_dead *dead);
void mih_store_dead_list_free(mih_store_dead *list, size_t count);
/* Newest first (id descending); payload included. filter may be NULL. */
int mih_store_dead_list(mih_store *st, const mih_store_dead_filter *filter,
	mih_store_dead **out, size_t *count, char *err, size_t errlen);
int mih_store_dead_get(mih_store *st, int64_t id, mih_store_dead *out, char *err, size_t errlen);
/* How many dead letters match filter (NULL: all), whatever its limit and offset. */
int mih_store_dead_total(mih_store *st, const mih_store_dead_filter *filter, long *total,
	char *err, size_t errlen);
/* Queues the same bytes with the same idempotency key, attempts 0, due now,
 * and deletes the dead letter, in one transaction. DONE or NOT_FOUND. */
int mih_store_dead_replay(mih_store *st, int64_t id, int64_t *task_id, char *err, size_t errlen);
int mih_store_dead_replay_all(mih_store *st, const mih_store_dead_filter *filter,
	long *count, char *err, size_t errlen);
int mih_store_dead_delete(mih_store *st, int64_t id, char *err, size_t errlen);
int mih_store_dead_purge(mih_store *st, const mih_store_dead_filter *filter,
	long *count, char *err, size_t errlen);
int mih_store_dead_counts(mih_store *st, mih_store_dead_count **out, size_t *count,
	char *err, size_t errlen);

/* ---- privacy: the users and contexts of tasks and dead letters ---------- */

/* Queued tasks and dead letters carry the userid, relateduserid and contextid
 * of their event. A row is "linked to" a user when either user column holds
 * them. Context 0 stands for rows without a context (queued without an
 * event). */
typedef struct mih_store_privacy_filter {
	int64_t userid;           /* rows linked to this user; 0: any user */
	bool by_context;          /* false: any context */
	int64_t contextid;        /* with by_context: this context, 0: rows without one */
} mih_store_privacy_filter;

typedef struct mih_store_privacy_counts {
	long tasks, dead_letters, log;
} mih_store_privacy_counts;

/* The distinct contexts (ascending, 0 first when some rows have none) of the
 * tasks and dead letters linked to userid, or of all of them for userid 0.
 * *ids is malloc'd (NULL when *count is 0). */
int mih_store_privacy_contexts(mih_store *st, int64_t userid, int64_t **ids, size_t *count,
	char *err, size_t errlen);
/* The distinct users (ascending) the tasks and dead letters of one context
 * (0: without a context) are linked to. */
int mih_store_privacy_users(mih_store *st, int64_t contextid, int64_t **ids, size_t *count,
	char *err, size_t errlen);
/* The matching rows in full (payload and event data included), by id. */
int mih_store_privacy_tasks(mih_store *st, const mih_store_privacy_filter *filter,
	mih_store_task **out, size_t *count, char *err, size_t errlen);
int mih_store_privacy_dead(mih_store *st, const mih_store_privacy_filter *filter,
	mih_store_dead **out, size_t *count, char *err, size_t errlen);
/* Deletes the matching tasks and dead letters, and the request-log rows of
 * those tasks (and of the tasks the dead letters came from), in one
 * transaction (the caller's when one is open). A task a worker holds is
 * deleted too: its lease is lost, so the worker's outcome changes nothing.
 * A filter with neither a user nor a context is refused. */
int mih_store_privacy_delete(mih_store *st, const mih_store_privacy_filter *filter,
	mih_store_privacy_counts *deleted, char *err, size_t errlen);
/* Fills the three columns of rows that have none from their event data JSON
 * (the SQLite migration to schema 2 calls it); *filled (may be NULL) counts
 * the rows updated. */
int mih_store_privacy_backfill(mih_store *st, long *filled, char *err, size_t errlen);
/* A Moodle id as the event data carries it: a positive integer, or a string
 * of decimal digits (at most 18) with a positive value; 0 otherwise. */
int64_t mih_store_privacy_ref_text(const char *s, size_t len);

/* ---- request log (local_integrationhub_log) ----------------------------- */

typedef struct mih_store_log_row {
	int64_t id;
	int64_t timecreated;      /* 0 at append: now */
	int64_t serviceid;
	char *servicename;
	char *endpoint;
	char *http_method;
	int64_t taskid;           /* 0: a synchronous call */
	char *eventname;
	int http_status;          /* 0: no response */
	long latency_ms;
	bool success;
	char *error_message;
	long attempt_count;
	char *direction;          /* "outbound" unless set */
} mih_store_log_row;

typedef struct mih_store_log_filter {
	const char *servicename;  /* NULL: any */
	int64_t taskid;           /* 0: any */
	int success;              /* -1: any */
	int64_t since;            /* 0: any; else timecreated >= since */
	long limit;               /* 0: MIH_STORE_LIST_DEFAULT */
	long offset;
} mih_store_log_filter;

typedef struct mih_store_call_stats {
	int64_t serviceid;        /* calls are counted by service id, not name */
	long calls, success, failure;
	long p50_ms, p95_ms;      /* nearest rank over the window's latencies */
} mih_store_call_stats;

void mih_store_log_row_dispose(mih_store_log_row *row);
void mih_store_log_list_free(mih_store_log_row *list, size_t count);
/* No fsync: written in a relaxed-durability transaction of its own (or as
 * part of the caller's open transaction). */
int mih_store_log_append(mih_store *st, const mih_store_log_row *row, char *err, size_t errlen);
/* Several rows in one relaxed transaction (a buffer of synchronous calls). */
int mih_store_log_append_many(mih_store *st, const mih_store_log_row *rows, size_t count,
	char *err, size_t errlen);
/* Newest first. filter may be NULL. */
int mih_store_log_list(mih_store *st, const mih_store_log_filter *filter,
	mih_store_log_row **out, size_t *count, char *err, size_t errlen);
/* Deletes rows older than max_age_seconds and all but the newest max_rows
 * (either limit 0: not applied). *deleted may be NULL. */
int mih_store_log_prune(mih_store *st, long max_rows, long max_age_seconds, long *deleted,
	char *err, size_t errlen);
/* Per service name over rows with timecreated >= since, ordered by name. */
int mih_store_log_stats(mih_store *st, int64_t since, mih_store_call_stats **out,
	size_t *count, char *err, size_t errlen);
void mih_store_call_stats_free(mih_store_call_stats *list, size_t count);

/* ---- circuit state (local_integrationhub_cb, one row per service) ------- */

typedef struct mih_store_circuit {
	int64_t serviceid;
	char state[16];           /* "closed", "open", "halfopen" */
	long failure_count;
	int64_t last_failure;
	int64_t opened_at;
	int64_t timemodified;
} mih_store_circuit;

/* Records a transition (insert or update of the service's row). */
int mih_store_circuit_save(mih_store *st, const mih_store_circuit *c, char *err, size_t errlen);
int mih_store_circuit_get(mih_store *st, int64_t serviceid, mih_store_circuit *out,
	char *err, size_t errlen);

/* ---- dedupe keys (local_integrationhub_dedupe) -------------------------- */

/* *seen true when key was remembered less than ttl seconds ago; otherwise
 * remembers it now. Of processes checking the same new or expired key at
 * once exactly one is told "not seen" (the unique index decides), on every
 * backend; run it in the transaction that queues the event, so a rollback
 * forgets the key too. A lost race costs the loser one failed INSERT,
 * which the store absorbs. Keys longer than MIH_STORE_DEDUPE_KEY_MAX are
 * refused. */
int mih_store_dedupe_check(mih_store *st, const char *key, long ttl_seconds, bool *seen,
	char *err, size_t errlen);
/* Forgets at most limit keys remembered ttl_seconds ago or earlier, oldest
 * first; *deleted (may be NULL) says how many expired keys it went through
 * (a key revived meanwhile by an emit stays). The queue worker calls it at
 * the end of every run. */
int mih_store_dedupe_prune(mih_store *st, long ttl_seconds, long limit, long *deleted,
	char *err, size_t errlen);

#endif
