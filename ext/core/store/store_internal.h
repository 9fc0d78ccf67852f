/* Private to the store: what store.c shares with its section files
 * (store_services.c, store_rules.c, store_queue.c, store_dlq.c, store_log.c,
 * store_dedupe.c).
 * The section files include this header and store.h, never each other.
 *
 * Conventions of the helpers: they return 0 (or MIH_STORE_DONE) on success
 * and -1 with a message in err on failure; query helpers that look for one
 * row may also return MIH_STORE_NOT_FOUND. */
#ifndef MIH_STORE_INTERNAL_H
#define MIH_STORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <jansson.h>
#include "store.h"
#include "seal.h"
#include "err.h"

#define T_SVC "local_integrationhub_svc"
#define T_RULES "local_integrationhub_rules"
#define T_QUEUE "local_integrationhub_queue"
#define T_DLQ "local_integrationhub_dlq"
#define T_LOG "local_integrationhub_log"
#define T_CB "local_integrationhub_cb"
#define T_DEDUPE "local_integrationhub_dedupe"
#define T_META "local_integrationhub_meta"

struct mih_store {
	const mih_sql_ops *ops;
	void *db;
	void (*close_db)(void *db);
	mih_store_clock clock;
	void *clock_ctx;
	const mih_keyring *keyring;   /* NULL: nothing sealed, envelopes do not open */
};

/* The store's name for the extension's one error helper (err.h). */
#define store_set_err mih_set_err

/* ---- parameter values --------------------------------------------------- */

static inline mih_sql_value store_v_str(const char *s)
{
	return mih_sql_text(s, s ? strlen(s) : 0);
}

/* For NOT NULL text columns: NULL is written as the empty string. */
static inline mih_sql_value store_v_str0(const char *s)
{
	return store_v_str(s ? s : "");
}

static inline mih_sql_value store_v_bool(bool b)
{
	return mih_sql_int(b ? 1 : 0);
}

/* 0 means "no reference" and is stored as NULL. */
static inline mih_sql_value store_v_ref(int64_t id)
{
	return id > 0 ? mih_sql_int(id) : mih_sql_null();
}

/* At most max bytes of s, without splitting a UTF-8 sequence. */
size_t store_utf8_cut(const char *s, size_t len, size_t max);

/* ---- reading rows ------------------------------------------------------- */

/* One result row as the executor delivers it. The readers below record
 * what they could not read: oom when a copy failed, and the first field
 * that was missing or held a value of the wrong kind (a $DB returning
 * malformed records); store_row_result() turns that into the callback's
 * answer and message. */
typedef struct store_row {
	size_t n;
	const char *const *names;
	const mih_sql_value *vals;
	bool oom;
	size_t next;             /* where store_col starts looking: readers go in column order */
	const char *table;       /* where the row comes from, for messages (may be NULL) */
	const char *bad_field;   /* the first field that could not be read */
	const char *bad_why;     /* what was wrong with it: "is missing", ... */
} store_row;

static inline store_row store_row_make(const char *table, size_t n, const char *const *names,
	const mih_sql_value *vals)
{
	store_row r = { n, names, vals, false, 0, table, NULL, NULL };
	return r;
}

/* 0 when the row was read whole; -1 (out of memory) or MIH_SQL_ROW_MALFORMED
 * with the message in err otherwise: what a row callback returns. */
int store_row_result(const store_row *r, char *err, size_t errlen);

/* The named field (case-insensitive); NULL, recorded as missing, when the
 * row has none: every field a reader asks for is one the query selects. */
const mih_sql_value *store_col(store_row *r, const char *name);
/* Numbers, also from the text PHP's drivers deliver; SQL NULL and '' read
 * as 0, other text is recorded as not a number. */
int64_t store_col_int(store_row *r, const char *name);
double store_col_real(store_row *r, const char *name);
/* A row's id: a positive integer, never NULL. */
int64_t store_col_id(store_row *r, const char *name);
/* Copies of a column as a string (NULL for SQL NULL); mark r->oom. */
char *store_col_dup_len(store_row *r, const char *name, size_t *len);
/* Text columns holding bytes (payloads, response bodies). PostgreSQL cannot
 * store a NUL in text and both servers refuse bytes that are not UTF-8, so
 * such a value, or one that begins with STORE_BYTES_MARK, is written as the
 * mark and its base64; any other value as it is (plain text stays readable
 * in the database, and rows written before stay valid).
 * store_bytes_value() returns the value to bind; *buf is what to free()
 * after the statement (NULL when the bytes are used as they are); -1 when
 * out of memory. store_col_dup_bytes() reads such a column back. */
#define STORE_BYTES_MARK "$mihbin$"
int store_bytes_value(const char *s, size_t len, mih_sql_value *out, char **buf);
char *store_col_dup_bytes(store_row *r, const char *name, size_t *len);
char *store_col_dup(store_row *r, const char *name);
/* Like store_col_dup, for NOT NULL columns the store always fills: NULL is
 * recorded as malformed. */
char *store_col_dup_req(store_row *r, const char *name);
/* Like store_col_dup, but NULL for the empty string too. */
char *store_col_dup_nonempty(store_row *r, const char *name);
/* Oracle (through Moodle) hands back '' as NULL: treat both as absent. */
bool store_col_empty(store_row *r, const char *name);

/* ---- generic queries ---------------------------------------------------- */

/* Fills one record of a list from a row; dispose releases a record. */
typedef int (*store_fill_fn)(mih_store *st, void *item, store_row *r, char *err, size_t errlen);
typedef void (*store_dispose_fn)(void *item);

/* Rows [from, from + num) (num 0: all) as an array of records of size bytes. */
int store_query_list(mih_store *st, const char *sql, const mih_sql_value *params,
	size_t nparams, long from, long num, size_t size, store_fill_fn fill,
	store_dispose_fn dispose, void **out, size_t *count, char *err, size_t errlen);
/* At most one row into *out: DONE or NOT_FOUND. */
int store_query_one(mih_store *st, const char *sql, const mih_sql_value *params,
	size_t nparams, size_t size, store_fill_fn fill, store_dispose_fn dispose, void *out,
	char *err, size_t errlen);
void store_free_items(char *items, size_t count, size_t size, store_dispose_fn dispose);

typedef struct store_int_rows {
	int64_t *vals;
	size_t count, cap;
	bool null_first;     /* the first row's first column was NULL */
	char *err;
	size_t errlen;
} store_int_rows;

/* The first column of every row as integers (ids, counts). */
int store_query_ints(mih_store *st, const char *sql, const mih_sql_value *params,
	size_t nparams, long from, long num, store_int_rows *out, char *err, size_t errlen);
/* One integer: *found false when no row or SQL NULL. */
int store_query_int(mih_store *st, const char *sql, const mih_sql_value *params,
	size_t nparams, int64_t *value, bool *found, char *err, size_t errlen);
int store_exec(mih_store *st, const char *sql, const mih_sql_value *params,
	size_t nparams, char *err, size_t errlen);

/* A growing WHERE clause with its parameters. */
typedef struct store_where {
	char sql[1024];
	mih_sql_value params[16];
	size_t n;
} store_where;

void store_where_add(store_where *w, const char *cond, const mih_sql_value *params, size_t n);
void store_where_add1(store_where *w, const char *cond, mih_sql_value p);
/* Adds "column contains needle", ignoring case, with the needle's %, _ and \
 * taken literally. *pattern (the parameter's bytes) must outlive the query:
 * the caller frees it, also on failure. */
int store_where_contains(mih_store *st, store_where *w, const char *column, const char *needle,
	char **pattern, char *err, size_t errlen);

/* Id lists in SQL go in rounds of at most this many items (Oracle caps IN
 * lists at 1000), padded by repeating the last id to one of a few lengths
 * (1, 2, 4, ... 64, then STORE_IN_LIST_MAX) so that a handful of statement
 * texts serve every list and stay prepared. */
#define STORE_IN_LIST_MAX 100
size_t store_in_list_length(size_t n);
/* Writes nlist ("?,?,...?)", 1 <= nlist <= STORE_IN_LIST_MAX) placeholders
 * and the closing parenthesis at sql + len, NUL-terminated, and returns the
 * new length; sql must have room for 2 * nlist + 1 more bytes. */
size_t store_put_in_list(char *sql, size_t len, size_t cap, size_t nlist);

/* The privacy filter (store_privacy.c) as conditions on the columns of the
 * table aliased prefix ("q.", "d." or ""). */
void store_privacy_where(store_where *w, const mih_store_privacy_filter *f, const char *prefix);

/* ---- secrets at rest (store_secrets.c) ----------------------------------- */

/* what names the record in messages, e.g. "service \"crm\"" or "rule 3".
 * store_secret_seal: a copy of value to write, sealed under the current key,
 * else as it is (value NULL: *out NULL). */
int store_secret_seal(mih_store *st, const char *context, const char *value, char **out,
	const char *what, char *err, size_t errlen);
/* Opens *value in place when it is sealed. */
int store_secret_open(mih_store *st, const char *context, char **value, const char *what,
	char *err, size_t errlen);
/* In place: seals the credential headers of a headers object, or every entry
 * of a signing-secrets array (nothing without a current key); opens every
 * sealed string value. */
int store_json_seal(mih_store *st, json_t *j, const char *what, char *err, size_t errlen);
int store_json_open(mih_store *st, json_t *j, const char *what, char *err, size_t errlen);
/* The same for a headers column's JSON text: *out is a new copy to write
 * (NULL for NULL); open replaces *text when anything was sealed. */
int store_headers_seal_text(mih_store *st, const char *text, char **out, const char *what,
	char *err, size_t errlen);
int store_headers_open_text(mih_store *st, char **text, const char *what, char *err, size_t errlen);

/* Bumps the rules version (store_rules.c), which every rule and service
 * change moves: what other hosts' caches compare. */
int store_bump_config_version(mih_store *st, char *err, size_t errlen);

/* ---- transactions ------------------------------------------------------- */

int store_tx_begin(mih_store *st, char *err, size_t errlen);
/* Commits when rc >= 0 (nothing failed; "not found" paths wrote nothing and
 * must not doom a caller's enclosing transaction), rolls back otherwise.
 * Returns rc, or -1 when the commit failed. */
int store_tx_end(mih_store *st, int rc, char *err, size_t errlen);

#endif
