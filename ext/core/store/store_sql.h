/* The SQL executor interface under the store: the few abilities the store
 * logic (store.c) needs from a database, small enough to be implemented both
 * by the embedded SQLite backend (store_sqlite.c) and by calls into Moodle's
 * $DB from the Zend glue.
 *
 * Contract every executor honours:
 * - SQL text is portable Moodle SQL: tables written {name} (the executor adds
 *   its prefix or none), `?` placeholders, no LIMIT/OFFSET in the text.
 * - query() delivers rows like Moodle's get_records_sql(): the first selected
 *   column is unique per row; values may arrive as TEXT even for integer
 *   columns (PHP drivers return strings), so readers convert.
 * - begin/commit/rollback nest; only the outermost commit makes work durable,
 *   and a rollback at any depth dooms the whole transaction.
 * - No executor reports affected-row counts; the store never needs them. */
#ifndef MIH_STORE_SQL_H
#define MIH_STORE_SQL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef enum {
	MIH_SQL_NULL = 0,
	MIH_SQL_INT,
	MIH_SQL_REAL,
	MIH_SQL_TEXT
} mih_sql_type;

/* s/len are used for TEXT only; s need not be NUL-terminated. */
typedef struct mih_sql_value {
	mih_sql_type type;
	int64_t i;
	double d;
	const char *s;
	size_t len;
} mih_sql_value;

/* One result row; the pointers are valid only during the call. A non-zero
 * return stops the query, which then fails (returns -1) with the message the
 * callback left in the query's err buffer (callbacks receive it through
 * their ctx). MIH_SQL_ROW_MALFORMED says the row itself was unusable (a
 * field missing, a value of the wrong kind); the executor then puts in
 * front of the message where the row came from, e.g. "$DB->get_records_sql()
 * returned a " before "malformed local_integrationhub_svc record: ...". */
#define MIH_SQL_ROW_MALFORMED (-2)

typedef int (*mih_sql_row_cb)(void *ctx, size_t ncols, const char *const *names,
	const mih_sql_value *vals);

/* Puts prefix in front of the message in err (truncated to errlen). */
static inline void mih_sql_err_prefix(char *err, size_t errlen, const char *prefix)
{
	size_t plen = strlen(prefix), mlen;

	if (!err || errlen <= plen + 1) {
		return;
	}
	mlen = strnlen(err, errlen - 1);
	if (mlen > errlen - 1 - plen) {
		mlen = errlen - 1 - plen;
	}
	memmove(err + plen, err, mlen);
	memcpy(err, prefix, plen);
	err[plen + mlen] = '\0';
}

typedef struct mih_sql_ops {
	int (*exec)(void *db, const char *sql, const mih_sql_value *params, size_t nparams,
		char *err, size_t errlen);
	/* limitnum 0 means no limit. */
	int (*query)(void *db, const char *sql, const mih_sql_value *params, size_t nparams,
		long limitfrom, long limitnum, mih_sql_row_cb cb, void *cbctx, char *err, size_t errlen);
	/* table is the bare name (no braces, no prefix); *newid receives the id. */
	int (*insert)(void *db, const char *table, const char *const *cols,
		const mih_sql_value *vals, size_t ncols, int64_t *newid, char *err, size_t errlen);
	int (*begin)(void *db, char *err, size_t errlen);
	/* Optional (may be NULL): like begin, but the outermost commit of a
	 * transaction opened this way need not reach stable storage (the request
	 * log uses it so logging adds no fsync). Nested in a durable transaction
	 * it simply joins it. */
	int (*begin_relaxed)(void *db, char *err, size_t errlen);
	int (*commit)(void *db, char *err, size_t errlen);
	int (*rollback)(void *db, char *err, size_t errlen);
	/* Stable identity of the database, e.g. "sqlite:/abs/path". */
	const char *(*identity)(void *db);
	/* Optional (may be NULL): writes into out a condition that is true when
	 * the text column matches the one `?` it contains as a LIKE pattern,
	 * ignoring case, with `\` escaping `%`, `_` and itself. Dialects differ
	 * here (ILIKE, COLLATE, how '\' is quoted), so Moodle's $DB->sql_like()
	 * writes it there. NULL: the standard LOWER(column) LIKE LOWER(?) ESCAPE '\'. */
	int (*like)(void *db, const char *column, char *out, size_t outlen, char *err, size_t errlen);
	/* Optional (may be NULL): nrows rows of ncols values each (vals row
	 * after row) in as few statements as the database allows, no ids
	 * returned. NULL: the store calls insert() per row. */
	int (*insert_many)(void *db, const char *table, const char *const *cols,
		const mih_sql_value *vals, size_t ncols, size_t nrows, char *err, size_t errlen);
	/* Optional (may be NULL): like insert_many, but in several statements
	 * when that is cheaper for the database, so not atomic by itself: the
	 * caller runs it inside its transaction. An in-process database (SQLite)
	 * pays per statement, not per round trip, and reuses a few prepared
	 * multi-row forms. NULL: insert_many, or insert() per row. */
	int (*insert_rows)(void *db, const char *table, const char *const *cols,
		const mih_sql_value *vals, size_t ncols, size_t nrows, char *err, size_t errlen);
	/* True when a transaction opened by begin() shuts every other writer
	 * out from its first statement to its end (SQLite's BEGIN IMMEDIATE),
	 * so a read inside it and a write that depends on it are atomic. False
	 * (a server database at READ COMMITTED): only single statements are. */
	bool writes_serialized;
} mih_sql_ops;

static inline mih_sql_value mih_sql_int(int64_t i)
{
	mih_sql_value v = { MIH_SQL_INT, i, 0.0, NULL, 0 };
	return v;
}

static inline mih_sql_value mih_sql_real(double d)
{
	mih_sql_value v = { MIH_SQL_REAL, 0, d, NULL, 0 };
	return v;
}

static inline mih_sql_value mih_sql_null(void)
{
	mih_sql_value v = { MIH_SQL_NULL, 0, 0.0, NULL, 0 };
	return v;
}

/* A NULL string becomes SQL NULL. */
static inline mih_sql_value mih_sql_text(const char *s, size_t len)
{
	mih_sql_value v = { s ? MIH_SQL_TEXT : MIH_SQL_NULL, 0, 0.0, s, s ? len : 0 };
	return v;
}

#endif
