/* The store's shared core: lifecycle, transactions, and the row and query
 * helpers the section files (store_services.c, store_rules.c, store_queue.c,
 * store_dlq.c, store_log.c) build on through store_internal.h.
 *
 * The store logic is written once as portable Moodle SQL over a SQL executor
 * (store_sql.h): {table} names, `?` placeholders, no LIMIT in the text, no
 * vendor functions, no affected-row counts, the first selected column unique
 * per row. The same code therefore runs on SQLite and on Moodle's $DB.
 *
 * Why this file is long: it is the store's shared base, every section file
 * builds on it: row reading, bytes in text columns, the generic queries,
 * transactions and the lifecycle are the helpers store_internal.h exposes;
 * each is small and they are used together. */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "store_internal.h"

/* ---- small helpers ------------------------------------------------------ */

static char *memdup0(const char *s, size_t len)
{
	char *out = malloc(len + 1);

	if (out) {
		memcpy(out, s, len);
		out[len] = '\0';
	}
	return out;
}

static int64_t default_clock(void *ctx)
{
	(void)ctx;
	return (int64_t)time(NULL);
}

/* ---- reading rows ------------------------------------------------------- */

static void mark_bad(store_row *r, const char *name, const char *why)
{
	if (!r->bad_field) {
		r->bad_field = name;
		r->bad_why = why;
	}
}

int store_row_result(const store_row *r, char *err, size_t errlen)
{
	if (r->oom) {
		store_set_err(err, errlen, "store: out of memory reading rows");
		return -1;
	}
	if (r->bad_field) {
		store_set_err(err, errlen, "malformed %s%srecord: field \"%s\" %s", r->table ? r->table : "",
			r->table ? " " : "", r->bad_field, r->bad_why);
		return MIH_SQL_ROW_MALFORMED;
	}
	return 0;
}

/* The fill functions read columns mostly in the order they were selected,
 * so the search starts after the last column found: one comparison per
 * column instead of a scan over all names. */
const mih_sql_value *store_col(store_row *r, const char *name)
{
	size_t start = r->next < r->n ? r->next : 0;

	for (size_t k = 0; k < r->n; k++) {
		size_t i = start + k < r->n ? start + k : start + k - r->n;

		if (strcasecmp(r->names[i], name) == 0) {
			r->next = i + 1;
			return &r->vals[i];
		}
	}
	mark_bad(r, name, "is missing");
	return NULL;
}

/* Text as PHP's drivers deliver numbers ("42", "-1", "2.50000"), the whole
 * of it; false for anything else (hexadecimal, INF and NAN included). */
static bool text_number(const mih_sql_value *v, double *d, int64_t *i, bool *integral)
{
	char buf[64], *end;

	if (!v->s || v->len == 0 || v->len >= sizeof(buf)) {
		return false;
	}
	memcpy(buf, v->s, v->len);
	buf[v->len] = '\0';
	errno = 0;
	*i = strtoll(buf, &end, 10);
	if (*end == '\0' && errno == 0 && end != buf) {
		*integral = true;
		*d = (double)*i;
		return true;
	}
	*d = strtod(buf, &end);
	*integral = false;
	return *end == '\0' && end != buf && fabs(*d) < 9.2e18 && !strpbrk(buf, "xX");
}

/* PHP's database drivers deliver numbers as strings: accept both. SQL NULL
 * and '' (Oracle's NULL) read as 0. */
static bool value_number(const mih_sql_value *v, int64_t *i, double *d)
{
	bool integral;

	*i = 0;
	*d = 0.0;
	switch (v->type) {
	case MIH_SQL_INT:
		*i = v->i;
		*d = (double)v->i;
		return true;
	case MIH_SQL_REAL:
		if (!isfinite(v->d) || fabs(v->d) >= 9.2e18) {
			return false;
		}
		*i = (int64_t)v->d;
		*d = v->d;
		return true;
	case MIH_SQL_TEXT:
		if (v->len == 0) {
			return true;
		}
		if (!text_number(v, d, i, &integral)) {
			return false;
		}
		if (!integral) {
			*i = (int64_t)*d;
		}
		return true;
	default:
		return true;
	}
}

int64_t store_col_int(store_row *r, const char *name)
{
	const mih_sql_value *v = store_col(r, name);
	int64_t i = 0;
	double d;

	if (v && !value_number(v, &i, &d)) {
		mark_bad(r, name, "is not a number");
	}
	return i;
}

double store_col_real(store_row *r, const char *name)
{
	const mih_sql_value *v = store_col(r, name);
	int64_t i;
	double d = 0.0;

	if (v && !value_number(v, &i, &d)) {
		mark_bad(r, name, "is not a number");
	}
	return d;
}

int64_t store_col_id(store_row *r, const char *name)
{
	const mih_sql_value *v = store_col(r, name);
	int64_t i = 0;
	double d;

	if (!v) {
		return 0;
	}
	if (v->type == MIH_SQL_NULL || (v->type == MIH_SQL_TEXT && v->len == 0)) {
		mark_bad(r, name, "is null");
	} else if (!value_number(v, &i, &d) || i <= 0 || d != (double)i) {
		mark_bad(r, name, "is not a positive integer");
		i = 0;
	}
	return i;
}

char *store_col_dup_len(store_row *r, const char *name, size_t *len)
{
	const mih_sql_value *v = store_col(r, name);
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

/* ---- bytes in text columns ---------------------------------------------- */

static const char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Valid UTF-8 as PostgreSQL and MySQL's utf8mb4 take it: no NUL, no
 * overlong forms, no surrogates, nothing past U+10FFFF. */
static bool utf8_storable(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		uint32_t cp;

		if (c == 0) {
			return false;
		}
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i <= n) {
			return false;
		}
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80) {
				return false;
			}
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff))
			|| (cp >= 0xd800 && cp <= 0xdfff)) {
			return false;
		}
		i += n + 1;
	}
	return true;
}

int store_bytes_value(const char *s, size_t len, mih_sql_value *out, char **buf)
{
	size_t mark = sizeof(STORE_BYTES_MARK) - 1, o;
	const unsigned char *u = (const unsigned char *)s;
	char *b;

	*buf = NULL;
	if (!s || (utf8_storable(u, len) && (len < mark || memcmp(s, STORE_BYTES_MARK, mark) != 0))) {
		*out = mih_sql_text(s, len);
		return 0;
	}
	b = malloc(mark + (len + 2) / 3 * 4 + 1);
	if (!b) {
		return -1;
	}
	memcpy(b, STORE_BYTES_MARK, mark);
	o = mark;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)u[i] << 16 | (i + 1 < len ? (uint32_t)u[i + 1] << 8 : 0)
			| (i + 2 < len ? u[i + 2] : 0);

		b[o++] = b64_alphabet[v >> 18];
		b[o++] = b64_alphabet[(v >> 12) & 63];
		b[o++] = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
		b[o++] = i + 2 < len ? b64_alphabet[v & 63] : '=';
	}
	b[o] = '\0';
	*buf = b;
	*out = mih_sql_text(b, o);
	return 0;
}

static int b64_digit(char c)
{
	const char *p = c ? strchr(b64_alphabet, c) : NULL;

	return p ? (int)(p - b64_alphabet) : -1;
}

/* In place: "<mark><base64>" to its bytes; -1 when the base64 is broken. */
static int bytes_decode(char *s, size_t *len)
{
	size_t mark = sizeof(STORE_BYTES_MARK) - 1, n, o = 0;
	const char *in = s + mark;

	if (*len < mark || memcmp(s, STORE_BYTES_MARK, mark) != 0) {
		return 0;
	}
	n = *len - mark;
	if (n % 4) {
		return -1;
	}
	for (size_t i = 0; i < n; i += 4) {
		int d[4];

		for (int k = 0; k < 4; k++) {
			d[k] = in[i + k] == '=' && i + 4 == n && k >= 2 ? 0 : b64_digit(in[i + k]);
			if (d[k] < 0) {
				return -1;
			}
		}
		if (in[i + 2] == '=' && in[i + 3] != '=') {
			return -1;
		}
		uint32_t v = (uint32_t)d[0] << 18 | (uint32_t)d[1] << 12 | (uint32_t)d[2] << 6 | (uint32_t)d[3];
		s[o++] = (char)(v >> 16);
		if (in[i + 2] != '=') {
			s[o++] = (char)((v >> 8) & 0xff);
		}
		if (in[i + 3] != '=') {
			s[o++] = (char)(v & 0xff);
		}
	}
	s[o] = '\0';
	*len = o;
	return 0;
}

char *store_col_dup_bytes(store_row *r, const char *name, size_t *len)
{
	size_t n = 0;
	char *out = store_col_dup_len(r, name, &n);

	if (out && bytes_decode(out, &n) != 0) {
		mark_bad(r, name, "holds broken " STORE_BYTES_MARK " base64");
	}
	if (len) {
		*len = out ? n : 0;
	}
	return out;
}

char *store_col_dup(store_row *r, const char *name)
{
	return store_col_dup_len(r, name, NULL);
}

char *store_col_dup_req(store_row *r, const char *name)
{
	char *out = store_col_dup_len(r, name, NULL);

	if (!out && !r->oom && !r->bad_field) {
		mark_bad(r, name, "is null");
	}
	return out;
}

bool store_col_empty(store_row *r, const char *name)
{
	const mih_sql_value *v = store_col(r, name);

	return !v || v->type == MIH_SQL_NULL || (v->type == MIH_SQL_TEXT && v->len == 0);
}

char *store_col_dup_nonempty(store_row *r, const char *name)
{
	return store_col_empty(r, name) ? NULL : store_col_dup(r, name);
}

/* ---- generic queries ---------------------------------------------------- */

typedef struct collector {
	mih_store *st;
	char *items;
	size_t count, cap, size;
	store_fill_fn fill;
	store_dispose_fn dispose;
	char *err;
	size_t errlen;
} collector;

static int collect_row(void *ctx, size_t ncols, const char *const *names,
	const mih_sql_value *vals)
{
	collector *c = ctx;
	store_row r = store_row_make(NULL, ncols, names, vals);
	void *item;
	int rc, read;

	if (c->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		char *grown = realloc(c->items, cap * c->size);

		if (!grown) {
			store_set_err(c->err, c->errlen, "store: out of memory reading rows");
			return -1;
		}
		c->items = grown;
		c->cap = cap;
	}
	item = c->items + c->count * c->size;
	memset(item, 0, c->size);
	/* A field that could not be read explains a failure of the fill too. */
	rc = c->fill(c->st, item, &r, c->err, c->errlen);
	read = store_row_result(&r, c->err, c->errlen);
	if (read != 0 || rc != 0) {
		c->dispose(item);
		return read != 0 ? read : -1;
	}
	c->count++;
	return 0;
}

void store_free_items(char *items, size_t count, size_t size, store_dispose_fn dispose)
{
	for (size_t i = 0; i < count; i++) {
		dispose(items + i * size);
	}
	free(items);
}

int store_query_list(mih_store *st, const char *sql, const mih_sql_value *params,
	size_t nparams, long from, long num, size_t size, store_fill_fn fill,
	store_dispose_fn dispose, void **out, size_t *count, char *err, size_t errlen)
{
	collector c = { st, NULL, 0, 0, size, fill, dispose, err, errlen };

	*out = NULL;
	*count = 0;
	if (st->ops->query(st->db, sql, params, nparams, from, num, collect_row, &c,
		err, errlen) != 0) {
		store_free_items(c.items, c.count, size, dispose);
		return -1;
	}
	*out = c.items;
	*count = c.count;
	return 0;
}

int store_query_one(mih_store *st, const char *sql, const mih_sql_value *params,
	size_t nparams, size_t size, store_fill_fn fill, store_dispose_fn dispose, void *out,
	char *err, size_t errlen)
{
	void *items;
	size_t count;

	if (store_query_list(st, sql, params, nparams, 0, 1, size, fill, dispose, &items, &count,
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

static int collect_int(void *ctx, size_t ncols, const char *const *names,
	const mih_sql_value *vals)
{
	store_int_rows *c = ctx;
	int64_t i;
	double d;

	if (ncols == 0) {
		store_set_err(c->err, c->errlen, "malformed record: it has no field");
		return MIH_SQL_ROW_MALFORMED;
	}
	if (!value_number(&vals[0], &i, &d)) {
		store_set_err(c->err, c->errlen, "malformed record: field \"%s\" is not a number", names[0]);
		return MIH_SQL_ROW_MALFORMED;
	}
	if (c->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		int64_t *grown = realloc(c->vals, cap * sizeof(*grown));

		if (!grown) {
			store_set_err(c->err, c->errlen, "store: out of memory reading rows");
			return -1;
		}
		c->vals = grown;
		c->cap = cap;
	}
	if (c->count == 0 && vals[0].type == MIH_SQL_NULL) {
		c->null_first = true;
	}
	c->vals[c->count++] = i;
	return 0;
}

int store_query_ints(mih_store *st, const char *sql, const mih_sql_value *params,
	size_t nparams, long from, long num, store_int_rows *out, char *err, size_t errlen)
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

int store_query_int(mih_store *st, const char *sql, const mih_sql_value *params,
	size_t nparams, int64_t *value, bool *found, char *err, size_t errlen)
{
	store_int_rows rows;

	if (store_query_ints(st, sql, params, nparams, 0, 1, &rows, err, errlen) != 0) {
		return -1;
	}
	*found = rows.count > 0 && !rows.null_first;
	*value = *found ? rows.vals[0] : 0;
	free(rows.vals);
	return 0;
}

int store_exec(mih_store *st, const char *sql, const mih_sql_value *params,
	size_t nparams, char *err, size_t errlen)
{
	return st->ops->exec(st->db, sql, params, nparams, err, errlen);
}

void store_where_add(store_where *w, const char *cond, const mih_sql_value *params, size_t n)
{
	size_t len = strlen(w->sql);

	snprintf(w->sql + len, sizeof(w->sql) - len, "%s%s", len ? " AND " : " WHERE ", cond);
	for (size_t i = 0; i < n && w->n < sizeof(w->params) / sizeof(w->params[0]); i++) {
		w->params[w->n++] = params[i];
	}
}

void store_where_add1(store_where *w, const char *cond, mih_sql_value p)
{
	store_where_add(w, cond, &p, 1);
}

/* The ESCAPE character of every LIKE the store writes (store_sql.h). */
#define LIKE_ESCAPE '\\'
#define LIKE_CONDITION_MAX 256

int store_where_contains(mih_store *st, store_where *w, const char *column, const char *needle,
	char **pattern, char *err, size_t errlen)
{
	char cond[LIKE_CONDITION_MAX];
	size_t len = strlen(needle), n = 0;
	char *p;

	*pattern = NULL;
	if (st->ops->like) {
		if (st->ops->like(st->db, column, cond, sizeof(cond), err, errlen) != 0) {
			return -1;
		}
	} else if ((size_t)snprintf(cond, sizeof(cond), "LOWER(%s) LIKE LOWER(?) ESCAPE '\\'", column)
		>= sizeof(cond)) {
		store_set_err(err, errlen, "store: the column name %s is too long", column);
		return -1;
	}
	/* Worst case every byte escaped, plus the two % and the NUL. */
	p = malloc(2 * len + 3);
	if (!p) {
		store_set_err(err, errlen, "store: out of memory building a search pattern");
		return -1;
	}
	p[n++] = '%';
	for (size_t i = 0; i < len; i++) {
		if (needle[i] == '%' || needle[i] == '_' || needle[i] == LIKE_ESCAPE) {
			p[n++] = LIKE_ESCAPE;
		}
		p[n++] = needle[i];
	}
	p[n++] = '%';
	p[n] = '\0';
	*pattern = p;
	store_where_add1(w, cond, mih_sql_text(p, n));
	return 0;
}

size_t store_in_list_length(size_t n)
{
	size_t len = 1;

	while (len < n && len < 64) {
		len *= 2;
	}
	return len >= n ? len : STORE_IN_LIST_MAX;
}

size_t store_put_in_list(char *sql, size_t len, size_t cap, size_t nlist)
{
	/* STORE_IN_LIST_MAX "?," pairs, then ")": the list is a prefix of it with
	 * the last comma turned into the parenthesis. */
	static const char marks[] =
		"?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
		"?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
		"?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,";
	size_t n = 2 * nlist;

	_Static_assert(sizeof(marks) - 1 == 2 * STORE_IN_LIST_MAX, "one \"?,\" per list item");
	assert(nlist >= 1 && nlist <= STORE_IN_LIST_MAX && len + n < cap);
	(void)cap;
	memcpy(sql + len, marks, n - 1);
	sql[len + n - 1] = ')';
	sql[len + n] = '\0';
	return len + n;
}

size_t store_utf8_cut(const char *s, size_t len, size_t max)
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

/* ---- transactions ------------------------------------------------------- */

int store_tx_begin(mih_store *st, char *err, size_t errlen)
{
	return st->ops->begin(st->db, err, errlen);
}

int store_tx_end(mih_store *st, int rc, char *err, size_t errlen)
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

void *mih_store_db_of(const mih_store *st, const mih_sql_ops *ops)
{
	return st && st->ops == ops ? st->db : NULL;
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

int mih_store_begin_relaxed(mih_store *st, char *err, size_t errlen)
{
	return st->ops->begin_relaxed ? st->ops->begin_relaxed(st->db, err, errlen) : st->ops->begin(st->db, err, errlen);
}

int mih_store_commit(mih_store *st, char *err, size_t errlen)
{
	return st->ops->commit(st->db, err, errlen);
}

int mih_store_rollback(mih_store *st, char *err, size_t errlen)
{
	return st->ops->rollback(st->db, err, errlen);
}
