/* The dedupe keys of emitted events (local_integrationhub_dedupe): the check
 * that decides, among racing processes, which one queues an event, and the
 * prune the queue worker runs. */
#include <stdlib.h>
#include <string.h>
#include "store_internal.h"

typedef struct dedupe_ctx {
	int64_t id, timecreated;
	bool found;
	char *err;
	size_t errlen;
} dedupe_ctx;

static int collect_dedupe(void *ctx, size_t ncols, const char *const *names,
	const mih_sql_value *vals)
{
	dedupe_ctx *c = ctx;
	store_row r = store_row_make(T_DEDUPE, ncols, names, vals);

	c->found = true;
	c->id = store_col_id(&r, "id");
	c->timecreated = store_col_int(&r, "timecreated");
	return store_row_result(&r, c->err, c->errlen);
}

static int dedupe_read(mih_store *st, const char *key, dedupe_ctx *c, char *err, size_t errlen)
{
	mih_sql_value p = store_v_str(key);

	c->found = false;
	c->err = err;
	c->errlen = errlen;
	return st->ops->query(st->db, "SELECT id, timecreated FROM {" T_DEDUPE "}"
		" WHERE dedupekey = ?", &p, 1, 0, 0, collect_dedupe, c, err, errlen);
}

/* The one way a key is forgotten: its row by id, only if still expired
 * (remembered at cutoff or before), so a key revived meanwhile stays. */
static int delete_expired(mih_store *st, int64_t id, int64_t cutoff, char *err, size_t errlen)
{
	mih_sql_value v[2] = { mih_sql_int(id), mih_sql_int(cutoff) };

	return store_exec(st, "DELETE FROM {" T_DEDUPE "} WHERE id = ? AND timecreated <= ?",
		v, 2, err, errlen);
}

static int check_ttl(long ttl_seconds, char *err, size_t errlen)
{
	if (ttl_seconds <= 0) {
		store_set_err(err, errlen, "store: the dedupe ttl must be positive, got %ld", ttl_seconds);
		return -1;
	}
	return 0;
}

/* One read decides the common cases: a fresh key is seen, a missing one is
 * inserted. An expired key's row is deleted by its id, if still old, and
 * the key inserted anew. The unique index on dedupekey makes the INSERT the one
 * arbiter when processes race on the same key, new or expired: every
 * loser's INSERT fails (after waiting for the winner's commit on
 * PostgreSQL and InnoDB), and the key it then reads is "seen". A concurrent
 * reviver's DELETE waits for the winner's lock on the old row and then
 * finds it gone (READ COMMITTED re-checks the row, never the winner's new
 * one), so it removes nothing. The old UPDATE ... WHERE timecreated = old
 * could not tell a lost race from a won one (the store's exec reports no
 * row count): both revivers queued the event.
 *
 * A failed INSERT ends only that statement on SQLite and MySQL, and on
 * PostgreSQL under Moodle's $DB too: its driver rolls a failed statement
 * back to the savepoint it keeps inside every transaction (MDL-35506), so
 * the caller's transaction stays usable for the read and for its own work.
 * The DELETE goes by primary key so that on InnoDB it locks the one
 * clustered record, which no statement of the winner's waits for: the
 * revivers queue up behind the winner instead of deadlocking. On the embedded store emit() runs all this inside BEGIN
 * IMMEDIATE, serialized with every other writer. */
int mih_store_dedupe_check(mih_store *st, const char *key, long ttl_seconds, bool *seen,
	char *err, size_t errlen)
{
	static const char *const cols[] = { "dedupekey", "timecreated" };
	int64_t now = mih_store_now(st);
	dedupe_ctx c;
	mih_sql_value v[2];
	int64_t id;

	*seen = false;
	if (!key || !*key || strlen(key) > MIH_STORE_DEDUPE_KEY_MAX) {
		store_set_err(err, errlen, "store: a dedupe key must be 1 to %d characters",
			MIH_STORE_DEDUPE_KEY_MAX);
		return -1;
	}
	if (check_ttl(ttl_seconds, err, errlen) != 0) {
		return -1;
	}
	if (dedupe_read(st, key, &c, err, errlen) != 0) {
		return -1;
	}
	if (c.found && now - c.timecreated < ttl_seconds) {
		*seen = true;
		return 0;
	}
	if (c.found && delete_expired(st, c.id, now - ttl_seconds, err, errlen) != 0) {
		return -1;
	}
	v[0] = store_v_str(key);
	v[1] = mih_sql_int(now);
	if (st->ops->insert(st->db, T_DEDUPE, cols, v, 2, &id, err, errlen) == 0) {
		return 0;
	}
	/* Another process remembered the key first: seen. Not found, the
	 * INSERT failed for another reason, which err says. */
	if (dedupe_read(st, key, &c, NULL, 0) == 0 && c.found) {
		*seen = true;
		return 0;
	}
	return -1;
}

/* Expired keys, oldest first, at most limit of them, each deleted by its id
 * and only if still expired (a reviver may have replaced it meanwhile). On
 * a server database every DELETE is a statement of its own outside any
 * transaction: the prune then holds at most one row lock at a time, so it
 * can wait for an emit's transaction but never hold what that transaction
 * waits for (on InnoDB a reviver's INSERT checks the unique index entries
 * next to its key, which a batched DELETE could hold: a deadlock whose
 * victim would be the lighter transaction, the user's). Where writers are
 * serialized (SQLite) one transaction takes them all. */
int mih_store_dedupe_prune(mih_store *st, long ttl_seconds, long limit, long *deleted,
	char *err, size_t errlen)
{
	mih_sql_value cutoff;
	store_int_rows ids;
	bool in_tx = st->ops->writes_serialized;
	int rc = 0;
	size_t i;

	if (deleted) {
		*deleted = 0;
	}
	if (check_ttl(ttl_seconds, err, errlen) != 0) {
		return -1;
	}
	if (limit <= 0) {
		store_set_err(err, errlen, "store: the dedupe prune limit must be positive, got %ld", limit);
		return -1;
	}
	cutoff = mih_sql_int(mih_store_now(st) - ttl_seconds);
	if (store_query_ints(st, "SELECT id FROM {" T_DEDUPE "} WHERE timecreated <= ?"
		" ORDER BY timecreated, id", &cutoff, 1, 0, limit, &ids, err, errlen) != 0) {
		return -1;
	}
	if (ids.count > 0 && in_tx && mih_store_begin_relaxed(st, err, errlen) != 0) {
		free(ids.vals);
		return -1;
	}
	for (i = 0; i < ids.count && rc == 0; i++) {
		rc = delete_expired(st, ids.vals[i], cutoff.i, err, errlen);
	}
	if (ids.count > 0 && in_tx) {
		rc = store_tx_end(st, rc, err, errlen);
	}
	/* Rows of a failed transaction are back; singly deleted ones are gone. */
	if (deleted) {
		*deleted = in_tx ? (rc == 0 ? (long)ids.count : 0) : (long)(i - (rc != 0));
	}
	free(ids.vals);
	return rc;
}
