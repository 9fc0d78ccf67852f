/* The Moodle backend of the store: mih_sql_ops over method calls on $DB.
 *
 * Every call into PHP goes through db_invoke(): an exception thrown by $DB
 * (dml_exception and friends) becomes the error message and is cleared, so
 * the store core sees a plain -1 and unwinds its own state; a fatal error
 * (bailout) is caught, this file's values are released, and the bailout
 * resumes. Values handed to the store are borrowed from the PHP result and
 * valid only during its row callback, as store_sql.h allows.
 *
 * Why this file is long: it is one backend: every SQL executor operation of
 * store_sql.h over Moodle's $DB, with the one db_invoke() that turns a PHP
 * exception into a store error, and the conversions between the store's
 * values and PHP's; the operations are small and all go through the same
 * helpers. */
#include "mih_private.h"
#include "mih_dbstore.h"
#include "err.h"

typedef enum {
	M_EXECUTE = 0,
	M_GET_RECORDS_SQL,
	M_INSERT_RECORD,
	M_START_TX,
	M_GET_DBFAMILY,
	M_GET_PREFIX,
	M_EXPORT_DBCONFIG,   /* optional from here on: only feeds the identity */
	M_SQL_LIKE,          /* optional: only the text searches need it */
	M_INSERT_RECORDS,    /* optional: several rows in one statement (else one insert_record each) */
	M_COUNT
} db_method;

static const char *const method_names[M_COUNT] = {
	"execute", "get_records_sql", "insert_record", "start_delegated_transaction",
	"get_dbfamily", "get_prefix", "export_dbconfig", "sql_like", "insert_records"
};

#define REQUIRED_METHODS "execute, get_records_sql, insert_record, " \
	"start_delegated_transaction, get_dbfamily, get_prefix"
#define DB_ERROR_DETAIL_MAX 240

typedef enum db_insert_style {
	INSERT_RECORDS = 0,      /* $DB->insert_records() */
	INSERT_EXECUTE_QM,       /* one INSERT through execute(), ? parameters (MySQL) */
	INSERT_EXECUTE_DOLLAR    /* ... with $1, $2 ... (PostgreSQL's own, which Moodle passes as they are) */
} db_insert_style;

typedef struct dbstore {
	zval db;
	zend_function *methods[M_COUNT];
	zval *txs;               /* moodle_transaction objects, innermost last */
	size_t depth;
	size_t cap;
	bool doomed;             /* a nested level rolled back: the outermost must too */
	char *identity;
	db_insert_style insert_style; /* how insert_many writes (db_insert_many), by the database family */
	php_mih_db_counts counts; /* statements sent through $DB (mih::query_counts()) */
} dbstore;

/* ---- exceptions into messages ------------------------------------------ */

/* Driver error text may quote a value (MySQL's "Incorrect string value:
 * '\xF0...'"); quoted text holding escapes or control bytes is masked so no
 * fragment of a secret can reach a message. Newlines become spaces. */
static void append_db_detail(smart_str *out, const char *s, size_t len)
{
	size_t i = 0;

	if (len > DB_ERROR_DETAIL_MAX) {
		len = DB_ERROR_DETAIL_MAX;
	}
	while (i < len) {
		const char *close = s[i] == '\'' ? memchr(s + i + 1, '\'', len - i - 1) : NULL;

		if (close) {
			size_t qlen = (size_t)(close - (s + i)) + 1;
			bool suspicious = false;

			for (size_t j = i + 1; j < i + qlen - 1; j++) {
				unsigned char c = (unsigned char)s[j];
				suspicious |= c == '\\' || c < 0x20 || c >= 0x7f;
			}
			if (suspicious) {
				smart_str_appends(out, "'...'");
			} else {
				smart_str_appendl(out, s + i, qlen);
			}
			i += qlen;
			continue;
		}
		smart_str_appendc(out, (unsigned char)s[i] < 0x20 ? ' ' : s[i]);
		i++;
	}
}

/* Exception::$message is protected: read it the way the engine does. */
static zval *exception_message(zend_object *ex, zval *rv)
{
	zval *msg = zend_read_property_ex(zend_get_exception_base(ex), ex, ZSTR_KNOWN(ZEND_STR_MESSAGE), 1, rv);

	ZVAL_DEREF(msg);
	return Z_TYPE_P(msg) == IS_STRING ? msg : NULL;
}

/* dml_read/write_exception::$error is public; read from the property
 * table so no magic method can run. */
static zval *exception_public_string(zend_object *ex, const char *name, size_t len)
{
	zval *prop = zend_hash_str_find_ind(zend_std_get_properties(ex), name, len);

	if (prop) {
		ZVAL_DEREF(prop);
	}
	return prop && Z_TYPE_P(prop) == IS_STRING ? prop : NULL;
}

/* "<what> failed: <class>: <message> (<driver error>)". Only the message and
 * the driver's error text (dml_read/write_exception::$error) are used:
 * Moodle's debuginfo carries the SQL parameters, which may hold secrets. */
static void exception_to_err(const char *what, char *err, size_t errlen)
{
	zend_object *ex = EG(exception);
	zval *message, *detail, rv;
	smart_str msg = {0};

	if (zend_is_unwind_exit(ex) || zend_is_graceful_exit(ex)) {
		/* exit() inside $DB: left pending so the engine ends the script. */
		mih_set_err(err, errlen, "%s did not return: the script exited", what);
		return;
	}
	ZVAL_UNDEF(&rv);   /* written only if a magic __get answered */
	message = exception_message(ex, &rv);
	detail = exception_public_string(ex, "error", sizeof("error") - 1);
	smart_str_appends(&msg, ZSTR_VAL(ex->ce->name));
	if (message && Z_STRLEN_P(message)) {
		smart_str_appends(&msg, ": ");
		append_db_detail(&msg, Z_STRVAL_P(message), Z_STRLEN_P(message));
	}
	if (detail && Z_STRLEN_P(detail) && (!message || !zend_string_equals(Z_STR_P(detail), Z_STR_P(message)))) {
		smart_str_appends(&msg, " (");
		append_db_detail(&msg, Z_STRVAL_P(detail), Z_STRLEN_P(detail));
		smart_str_appendc(&msg, ')');
	}
	smart_str_0(&msg);
	mih_set_err(err, errlen, "%s failed: %s", what, ZSTR_VAL(msg.s));
	smart_str_free(&msg);
	zval_ptr_dtor(&rv);
	zend_clear_exception();
}

/* ---- calling into PHP --------------------------------------------------- */

static void release_args(zval *argv, uint32_t argc)
{
	for (uint32_t i = 0; i < argc; i++) {
		zval_ptr_dtor(&argv[i]);
	}
}

/* Calls fn on obj and always releases argv. Returns 0 with the result in
 * *retval (the caller releases it), or -1 with a message (retval UNDEF).
 * expected: an exception object the method is meant to throw (Moodle's
 * rollback rethrows the one it was given); it counts as success. */
static int db_invoke(zend_object *obj, zend_function *fn, const char *what, uint32_t argc,
	zval *argv, zval *retval, zend_object *expected, char *err, size_t errlen)
{
	volatile bool bailed = false;

	ZVAL_UNDEF(retval);
	if (EG(exception)) {
		release_args(argv, argc);
		mih_set_err(err, errlen, "%s not called: a PHP exception is pending", what);
		return -1;
	}
	zend_try {
		zend_call_known_function(fn, obj, obj->ce, retval, argc, argv, NULL);
	} zend_catch {
		bailed = true;
	} zend_end_try();
	release_args(argv, argc);
	if (bailed) {
		zval_ptr_dtor(retval);
		zend_bailout();
	}
	if (EG(exception) && expected && EG(exception) == expected) {
		zend_clear_exception();
	}
	if (EG(exception)) {
		zval_ptr_dtor(retval);
		ZVAL_UNDEF(retval);
		exception_to_err(what, err, errlen);
		return -1;
	}
	return 0;
}

static int db_call(dbstore *d, db_method m, uint32_t argc, zval *argv, zval *retval,
	char *err, size_t errlen)
{
	char what[64];

	snprintf(what, sizeof(what), "$DB->%s()", method_names[m]);
	return db_invoke(Z_OBJ(d->db), d->methods[m], what, argc, argv, retval, NULL, err, errlen);
}

/* A callable public instance method, or NULL. */
static zend_function *public_method(zend_class_entry *ce, const char *name)
{
	zend_function *fn = zend_hash_str_find_ptr(&ce->function_table, name, strlen(name));

	if (!fn || !(fn->common.fn_flags & ZEND_ACC_PUBLIC)
		|| (fn->common.fn_flags & (ZEND_ACC_STATIC | ZEND_ACC_ABSTRACT))) {
		return NULL;
	}
	return fn;
}

/* ---- values ------------------------------------------------------------- */

static void value_to_zval(const mih_sql_value *v, zval *out)
{
	switch (v->type) {
	case MIH_SQL_INT:
		ZVAL_LONG(out, (zend_long)v->i);
		break;
	case MIH_SQL_REAL:
		ZVAL_DOUBLE(out, v->d);
		break;
	case MIH_SQL_TEXT:
		ZVAL_STRINGL(out, v->s ? v->s : "", v->len);
		break;
	default:
		ZVAL_NULL(out);
		break;
	}
}

static void params_to_array(const mih_sql_value *params, size_t n, zval *out)
{
	array_init_size(out, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		zval v;

		value_to_zval(&params[i], &v);
		zend_hash_next_index_insert_new(Z_ARRVAL_P(out), &v);
	}
}

/* Moodle's drivers return strings (or null); other scalars are accepted
 * and handed over with their own type. */
static int zval_to_value(zval *zv, mih_sql_value *out)
{
	ZVAL_DEREF(zv);
	memset(out, 0, sizeof(*out));
	switch (Z_TYPE_P(zv)) {
	case IS_NULL:
		out->type = MIH_SQL_NULL;
		return 0;
	case IS_STRING:
		out->type = MIH_SQL_TEXT;
		out->s = Z_STRVAL_P(zv);
		out->len = Z_STRLEN_P(zv);
		return 0;
	case IS_LONG:
		out->type = MIH_SQL_INT;
		out->i = Z_LVAL_P(zv);
		return 0;
	case IS_FALSE:
	case IS_TRUE:
		out->type = MIH_SQL_INT;
		out->i = Z_TYPE_P(zv) == IS_TRUE;
		return 0;
	case IS_DOUBLE:
		out->type = MIH_SQL_REAL;
		out->d = Z_DVAL_P(zv);
		return 0;
	default:
		return -1;
	}
}

/* ---- executor operations ------------------------------------------------ */

static int db_exec(void *db, const char *sql, const mih_sql_value *params, size_t nparams,
	char *err, size_t errlen)
{
	dbstore *d = db;
	zval args[2], ret;
	int rc;

	ZVAL_STRING(&args[0], sql);
	params_to_array(params, nparams, &args[1]);
	d->counts.writes++;
	if (db_call(d, M_EXECUTE, 2, args, &ret, err, errlen) != 0) {
		return -1;
	}
	rc = Z_TYPE(ret) == IS_FALSE ? -1 : 0;
	if (rc != 0) {
		mih_set_err(err, errlen, "$DB->execute() returned false");
	}
	zval_ptr_dtor(&ret);
	return rc;
}

typedef struct row_buffer {
	zend_string **names;
	const char **cnames;
	mih_sql_value *vals;
	size_t count;
	size_t cap;
} row_buffer;

static void row_buffer_clear(row_buffer *rb)
{
	for (size_t i = 0; i < rb->count; i++) {
		zend_string_release(rb->names[i]);
	}
	rb->count = 0;
}

static void row_buffer_free(row_buffer *rb)
{
	row_buffer_clear(rb);
	if (rb->cap) {
		efree(rb->names);
		efree(rb->cnames);
		efree(rb->vals);
	}
}

static void row_buffer_reserve(row_buffer *rb, size_t n)
{
	if (n <= rb->cap) {
		return;
	}
	rb->names = safe_erealloc(rb->names, n, sizeof(*rb->names), 0);
	rb->cnames = safe_erealloc(rb->cnames, n, sizeof(*rb->cnames), 0);
	rb->vals = safe_erealloc(rb->vals, n, sizeof(*rb->vals), 0);
	rb->cap = n;
}

/* What a value is, for messages: "string", "false", "an array", "an
 * object of class stdClass" (never the value itself). */
static const char *zval_kind(zval *zv, char *buf, size_t len)
{
	switch (Z_TYPE_P(zv)) {
	case IS_FALSE:
		return "false";
	case IS_TRUE:
		return "true";
	case IS_ARRAY:
		return "an array";
	case IS_OBJECT:
		snprintf(buf, len, "an object of class %s", ZSTR_VAL(Z_OBJCE_P(zv)->name));
		return buf;
	default:
		return zend_zval_type_name(zv);
	}
}

/* One record (stdClass, or an array) into names and values, in property
 * order; the strings stay owned by the record. */
static int row_collect(zval *record, row_buffer *rb, char *err, size_t errlen)
{
	HashTable *props;
	zend_string *key;
	zend_ulong idx;
	zval *val;
	char kind[160];

	ZVAL_DEREF(record);
	if (Z_TYPE_P(record) != IS_OBJECT && Z_TYPE_P(record) != IS_ARRAY) {
		mih_set_err(err, errlen, "$DB->get_records_sql() returned a record that is %s, expected an object",
			zval_kind(record, kind, sizeof(kind)));
		return -1;
	}
	props = Z_TYPE_P(record) == IS_OBJECT ? Z_OBJPROP_P(record) : Z_ARRVAL_P(record);
	row_buffer_reserve(rb, zend_hash_num_elements(props));
	ZEND_HASH_FOREACH_KEY_VAL_IND(props, idx, key, val) {
		zend_string *name = key ? zend_string_copy(key) : zend_long_to_str((zend_long)idx);

		rb->names[rb->count] = name;
		rb->cnames[rb->count] = ZSTR_VAL(name);
		if (zval_to_value(val, &rb->vals[rb->count]) != 0) {
			mih_set_err(err, errlen, "$DB->get_records_sql() returned a record whose field \"%s\" is %s, "
				"expected a string, a number or null", ZSTR_VAL(name), zval_kind(val, kind, sizeof(kind)));
			zend_string_release(name);
			return -1;
		}
		rb->count++;
	} ZEND_HASH_FOREACH_END();
	return 0;
}

static int deliver_records(zval *records, mih_sql_row_cb cb, void *cbctx, char *err, size_t errlen)
{
	row_buffer rb = {0};
	zval *record;
	int rc = 0;

	ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(records), record) {
		rc = row_collect(record, &rb, err, errlen);
		if (rc == 0 && (rc = cb(cbctx, rb.count, rb.cnames, rb.vals)) != 0) {
			/* the callback wrote the message */
			if (rc == MIH_SQL_ROW_MALFORMED) {
				mih_sql_err_prefix(err, errlen, "$DB->get_records_sql() returned a ");
			}
			rc = -1;
		}
		row_buffer_clear(&rb);
		if (rc != 0) {
			break;
		}
	} ZEND_HASH_FOREACH_END();
	row_buffer_free(&rb);
	return rc;
}

static int db_query(void *db, const char *sql, const mih_sql_value *params, size_t nparams,
	long limitfrom, long limitnum, mih_sql_row_cb cb, void *cbctx, char *err, size_t errlen)
{
	dbstore *d = db;
	zval args[4], ret;
	int rc;

	ZVAL_STRING(&args[0], sql);
	params_to_array(params, nparams, &args[1]);
	ZVAL_LONG(&args[2], limitfrom > 0 ? limitfrom : 0);
	ZVAL_LONG(&args[3], limitnum > 0 ? limitnum : 0);
	d->counts.reads++;
	if (db_call(d, M_GET_RECORDS_SQL, 4, args, &ret, err, errlen) != 0) {
		return -1;
	}
	if (Z_TYPE(ret) != IS_ARRAY) {
		char kind[160];

		mih_set_err(err, errlen, "$DB->get_records_sql() returned %s, expected an array of records",
			zval_kind(&ret, kind, sizeof(kind)));
		zval_ptr_dtor(&ret);
		return -1;
	}
	rc = deliver_records(&ret, cb, cbctx, err, errlen);
	zval_ptr_dtor(&ret);
	return rc;
}

static void values_to_object(const char *const *cols, const mih_sql_value *vals, size_t n, zval *out)
{
	object_init(out);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(cols[i]);

		switch (vals[i].type) {
		case MIH_SQL_INT:
			add_property_long_ex(out, cols[i], len, (zend_long)vals[i].i);
			break;
		case MIH_SQL_REAL:
			add_property_double_ex(out, cols[i], len, vals[i].d);
			break;
		case MIH_SQL_TEXT:
			add_property_stringl_ex(out, cols[i], len, vals[i].s ? vals[i].s : "", vals[i].len);
			break;
		default:
			add_property_null_ex(out, cols[i], len);
			break;
		}
	}
}

/* insert_record() returns the id as an int; a numeric string is accepted. */
static int returned_id(zval *ret, int64_t *newid)
{
	zend_long id;

	if (Z_TYPE_P(ret) == IS_LONG) {
		id = Z_LVAL_P(ret);
	} else if (Z_TYPE_P(ret) != IS_STRING
		|| is_numeric_string(Z_STRVAL_P(ret), Z_STRLEN_P(ret), &id, NULL, false) != IS_LONG) {
		return -1;
	}
	if (id <= 0) {
		return -1;
	}
	*newid = (int64_t)id;
	return 0;
}

static int db_insert(void *db, const char *table, const char *const *cols,
	const mih_sql_value *vals, size_t ncols, int64_t *newid, char *err, size_t errlen)
{
	dbstore *d = db;
	zval args[3], ret;
	int64_t id = 0;
	int rc;

	ZVAL_STRING(&args[0], table);
	values_to_object(cols, vals, ncols, &args[1]);
	ZVAL_TRUE(&args[2]);
	d->counts.writes++;
	if (db_call(d, M_INSERT_RECORD, 3, args, &ret, err, errlen) != 0) {
		return -1;
	}
	rc = returned_id(&ret, &id);
	if (rc != 0) {
		mih_set_err(err, errlen, "$DB->insert_record() into %s returned %s, expected the new id",
			table, zend_zval_type_name(&ret));
	} else if (newid) {
		*newid = id;
	}
	zval_ptr_dtor(&ret);
	return rc;
}

/* Parameters one statement may carry on PostgreSQL (its protocol counts
 * them in 16 bits); MySQL's emulated ones have no such limit. */
#define DB_EXECUTE_PARAMS_MAX 65535

/* The rows as one "INSERT INTO {table} (...) VALUES (?, ...), (...)" run by
 * $DB->execute(): the statement Moodle's PostgreSQL and MySQL drivers build
 * in insert_records() (one per chunk of 500 and 50 rows, more than the
 * store ever passes at once), without their per-record work: an array cast
 * per record, normalise_value() per field, ~43,000 instructions a log row
 * of a drain on a real site. That work changes nothing here: every value is
 * already an int, a float, a string or null of its column's type (no
 * booleans, no binary columns, no '' for a number). */
static int insert_by_execute(dbstore *d, const char *table, const char *const *cols,
	const mih_sql_value *vals, size_t ncols, size_t nrows, char *err, size_t errlen)
{
	smart_str sql = {0};
	size_t i, j;
	int rc;

	smart_str_appends(&sql, "INSERT INTO {");
	smart_str_appends(&sql, table);
	smart_str_appends(&sql, "} (");
	for (j = 0; j < ncols; j++) {
		if (j) {
			smart_str_appendc(&sql, ',');
		}
		smart_str_appends(&sql, cols[j]);
	}
	smart_str_appends(&sql, ") VALUES ");
	for (i = 0; i < nrows; i++) {
		smart_str_appends(&sql, i ? ",(" : "(");
		for (j = 0; j < ncols; j++) {
			if (j) {
				smart_str_appendc(&sql, ',');
			}
			if (d->insert_style == INSERT_EXECUTE_DOLLAR) {
				/* Moodle's pgsql driver turns each ? into $n with a PHP
				 * callback per parameter; $n it passes through. */
				smart_str_appendc(&sql, '$');
				smart_str_append_unsigned(&sql, (zend_ulong)(i * ncols + j + 1));
			} else {
				smart_str_appendc(&sql, '?');
			}
		}
		smart_str_appendc(&sql, ')');
	}
	smart_str_0(&sql);
	rc = db_exec(d, ZSTR_VAL(sql.s), vals, ncols * nrows, err, errlen);
	smart_str_free(&sql);
	return rc;
}

/* On PostgreSQL and MySQL, one INSERT of all rows through execute()
 * (insert_by_execute). Elsewhere $DB->insert_records($table, $rows), which
 * the other drivers write one by one; either way one call here. Without
 * that method, one insert_record() per row. */
static int db_insert_many(void *db, const char *table, const char *const *cols,
	const mih_sql_value *vals, size_t ncols, size_t nrows, char *err, size_t errlen)
{
	dbstore *d = db;
	zval args[2], ret;
	size_t i;

	if (nrows == 0 || ncols == 0) {
		return 0;
	}
	if (d->insert_style != INSERT_RECORDS && nrows <= DB_EXECUTE_PARAMS_MAX / ncols) {
		return insert_by_execute(d, table, cols, vals, ncols, nrows, err, errlen);
	}
	if (!d->methods[M_INSERT_RECORDS]) {
		for (i = 0; i < nrows; i++) {
			if (db_insert(db, table, cols, vals + i * ncols, ncols, NULL, err, errlen) != 0) {
				return -1;
			}
		}
		return 0;
	}
	ZVAL_STRING(&args[0], table);
	array_init_size(&args[1], (uint32_t)nrows);
	for (i = 0; i < nrows; i++) {
		zval row;

		values_to_object(cols, vals + i * ncols, ncols, &row);
		zend_hash_next_index_insert_new(Z_ARRVAL(args[1]), &row);
	}
	d->counts.writes++;
	if (db_call(d, M_INSERT_RECORDS, 2, args, &ret, err, errlen) != 0) {
		return -1;
	}
	zval_ptr_dtor(&ret);
	return 0;
}

/* ---- delegated transactions --------------------------------------------- */

static void tx_push(dbstore *d, zval *tx)
{
	if (d->depth == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 4;
		d->txs = safe_erealloc(d->txs, d->cap, sizeof(*d->txs), 0);
	}
	ZVAL_COPY_VALUE(&d->txs[d->depth++], tx);
	d->doomed = d->depth == 1 ? false : d->doomed;
}

static void tx_pop(dbstore *d)
{
	zval_ptr_dtor(&d->txs[--d->depth]);
	if (d->depth == 0) {
		d->doomed = false;
	}
}

static int db_begin(void *db, char *err, size_t errlen)
{
	dbstore *d = db;
	zval tx;

	if (d->depth == 0) {
		d->counts.transactions++;
	}
	if (db_call(d, M_START_TX, 0, NULL, &tx, err, errlen) != 0) {
		return -1;
	}
	if (Z_TYPE(tx) != IS_OBJECT || !public_method(Z_OBJCE(tx), "allow_commit")
		|| !public_method(Z_OBJCE(tx), "rollback")) {
		/* Nothing can end what was started: say so rather than guess. */
		mih_set_err(err, errlen, "$DB->start_delegated_transaction() returned %s%s, expected a "
			"moodle_transaction with allow_commit() and rollback()", zend_zval_type_name(&tx),
			Z_TYPE(tx) == IS_OBJECT ? " of another class" : "");
		zval_ptr_dtor(&tx);
		return -1;
	}
	tx_push(d, &tx);
	return 0;
}

/* $tx->rollback($e): Moodle rolls back (the real transaction only at the
 * outermost level, marking the others doomed) and rethrows $e, which is
 * expected and swallowed here. */
static int tx_rollback_top(dbstore *d, char *err, size_t errlen)
{
	zval *tx = &d->txs[d->depth - 1];
	zval reason, arg, ret;
	zend_object *pending = EG(exception);
	int rc;

	/* A failure already thrown to the caller (e.g. emit()'s "could not queue
	 * the event") must not stop the rollback: Moodle's stack would keep the
	 * level open and the caller's transaction could never commit. It is
	 * set aside for the call and thrown again after it (not an exit(),
	 * which ends the script). */
	if (pending && (zend_is_unwind_exit(pending) || zend_is_graceful_exit(pending))) {
		/* exit() inside $DB: no more PHP runs, db_invoke() says why. */
		pending = NULL;
	}
	if (pending) {
		GC_ADDREF(pending);
		zend_clear_exception();
	}
	object_init_ex(&reason, php_mih_exception_ce);
	zend_update_property_string(zend_ce_exception, Z_OBJ(reason), "message", sizeof("message") - 1,
		"mih: store operation failed, rolling back");
	ZVAL_COPY(&arg, &reason);
	rc = db_invoke(Z_OBJ_P(tx), public_method(Z_OBJCE_P(tx), "rollback"),
		"moodle_transaction::rollback()", 1, &arg, &ret, Z_OBJ(reason), err, errlen);
	zval_ptr_dtor(&ret);
	zval_ptr_dtor(&reason);
	if (pending) {
		if (EG(exception)) {
			/* exit() inside rollback(): that one goes on. */
			OBJ_RELEASE(pending);
		} else {
			zend_throw_exception_internal(pending);
		}
	}
	return rc;
}

static int db_commit(void *db, char *err, size_t errlen)
{
	dbstore *d = db;
	zval *tx, ret;
	int rc;

	if (d->depth == 0) {
		mih_set_err(err, errlen, "Moodle store: commit without an open transaction");
		return -1;
	}
	if (d->doomed) {
		/* allow_commit() would throw and leave the level stuck in Moodle's
		 * stack; rolling it back unwinds it properly. */
		bool outermost = d->depth == 1;

		rc = tx_rollback_top(d, err, errlen);
		tx_pop(d);
		if (rc == 0 && outermost) {
			mih_set_err(err, errlen, "Moodle store: transaction rolled back because a nested "
				"transaction failed");
			rc = -1;
		}
		return outermost ? -1 : rc;
	}
	tx = &d->txs[d->depth - 1];
	rc = db_invoke(Z_OBJ_P(tx), public_method(Z_OBJCE_P(tx), "allow_commit"),
		"moodle_transaction::allow_commit()", 0, NULL, &ret, NULL, err, errlen);
	zval_ptr_dtor(&ret);
	tx_pop(d);
	if (rc != 0 && d->depth > 0) {
		d->doomed = true;
	}
	return rc;
}

static int db_rollback(void *db, char *err, size_t errlen)
{
	dbstore *d = db;
	int rc;

	if (d->depth == 0) {
		mih_set_err(err, errlen, "Moodle store: rollback without an open transaction");
		return -1;
	}
	rc = tx_rollback_top(d, err, errlen);
	tx_pop(d);
	if (d->depth > 0) {
		d->doomed = true;
	}
	return rc;
}

static const char *db_identity(void *db)
{
	return ((dbstore *)db)->identity;
}

/* $DB->sql_like($column, '?', false, true, false, '\\'): case-insensitive,
 * accent-sensitive (what every supported database can do), the store's
 * escape character. The fragment is Moodle's own, so it fits the dialect. */
static int db_like(void *db, const char *column, char *out, size_t outlen, char *err, size_t errlen)
{
	dbstore *d = db;
	zval args[6], ret;
	int rc = 0;

	if (!d->methods[M_SQL_LIKE]) {
		mih_set_err(err, errlen, "the $DB object (class %s) has no public method sql_like(), which a "
			"search by text needs", ZSTR_VAL(Z_OBJCE(d->db)->name));
		return -1;
	}
	ZVAL_STRING(&args[0], column);
	ZVAL_STRINGL(&args[1], "?", 1);
	ZVAL_FALSE(&args[2]);
	ZVAL_TRUE(&args[3]);
	ZVAL_FALSE(&args[4]);
	ZVAL_STRINGL(&args[5], "\\", 1);
	if (db_call(d, M_SQL_LIKE, 6, args, &ret, err, errlen) != 0) {
		return -1;
	}
	if (Z_TYPE(ret) != IS_STRING || Z_STRLEN(ret) >= outlen
		|| memchr(Z_STRVAL(ret), '?', Z_STRLEN(ret)) == NULL) {
		mih_set_err(err, errlen, "$DB->sql_like() returned %s, expected an SQL condition with one ?",
			Z_TYPE(ret) == IS_STRING ? "an unusable string" : zend_zval_type_name(&ret));
		rc = -1;
	} else {
		memcpy(out, Z_STRVAL(ret), Z_STRLEN(ret) + 1);
	}
	zval_ptr_dtor(&ret);
	return rc;
}

static const mih_sql_ops dbstore_ops = {
	db_exec,
	db_query,
	db_insert,
	db_begin,
	NULL,          /* begin_relaxed: durability is Moodle's business */
	db_commit,
	db_rollback,
	db_identity,
	db_like,
	db_insert_many,
	NULL,          /* insert_rows: insert_many writes a batch in one statement */
	false,         /* writes_serialized: Moodle's databases isolate at READ COMMITTED or so;
	                * claims keep the token write and read-back */
};

bool php_mih_dbstore_counts(mih_store *st, php_mih_db_counts *out)
{
	dbstore *d = mih_store_db_of(st, &dbstore_ops);

	if (!d) {
		memset(out, 0, sizeof(*out));
		return false;
	}
	*out = d->counts;
	return true;
}

/* ---- opening ------------------------------------------------------------ */

/* Never calls into PHP: see mih_dbstore.h. */
static void dbstore_close(void *db)
{
	dbstore *d = db;

	while (d->depth > 0) {
		tx_pop(d);
	}
	if (d->txs) {
		efree(d->txs);
	}
	if (d->identity) {
		efree(d->identity);
	}
	zval_ptr_dtor(&d->db);
	efree(d);
}

static int find_methods(dbstore *d, char *err, size_t errlen)
{
	zend_class_entry *ce = Z_OBJCE(d->db);

	for (int m = 0; m < M_COUNT; m++) {
		d->methods[m] = public_method(ce, method_names[m]);
		if (!d->methods[m] && m < M_EXPORT_DBCONFIG) {
			mih_set_err(err, errlen, "the $DB object (class %s) has no public method %s(); "
				"mih::use_db() needs a moodle_database with " REQUIRED_METHODS,
				ZSTR_VAL(ce->name), method_names[m]);
			return -1;
		}
	}
	return 0;
}

static int call_for_string(dbstore *d, db_method m, smart_str *out, char *err, size_t errlen)
{
	zval ret;

	if (db_call(d, m, 0, NULL, &ret, err, errlen) != 0) {
		return -1;
	}
	if (Z_TYPE(ret) == IS_STRING) {
		smart_str_append(out, Z_STR(ret));
	}
	zval_ptr_dtor(&ret);
	return 0;
}

static void append_config_string(smart_str *out, HashTable *cfg, const char *key)
{
	zval *v = cfg ? zend_hash_str_find_ind(cfg, key, strlen(key)) : NULL;
	const char *s, *at;

	if (!v || Z_TYPE_P(v) != IS_STRING) {
		return;
	}
	s = Z_STRVAL_P(v);
	at = strrchr(s, '@');   /* a user:password@host form keeps only the host */
	smart_str_appends(out, at ? at + 1 : s);
}

/* Host, port and database name from export_dbconfig(); its dbuser and
 * dbpass are never read. */
static int append_location(dbstore *d, smart_str *out, char *err, size_t errlen)
{
	HashTable *cfg = NULL;
	zval ret, *options, *port;

	if (!d->methods[M_EXPORT_DBCONFIG]) {
		return 0;
	}
	if (db_call(d, M_EXPORT_DBCONFIG, 0, NULL, &ret, err, errlen) != 0) {
		return -1;
	}
	if (Z_TYPE(ret) == IS_OBJECT) {
		cfg = Z_OBJPROP(ret);
	} else if (Z_TYPE(ret) == IS_ARRAY) {
		cfg = Z_ARRVAL(ret);
	}
	append_config_string(out, cfg, "dbhost");
	options = cfg ? zend_hash_str_find_ind(cfg, "dboptions", sizeof("dboptions") - 1) : NULL;
	port = options && Z_TYPE_P(options) == IS_ARRAY
		? zend_hash_str_find(Z_ARRVAL_P(options), "dbport", sizeof("dbport") - 1) : NULL;
	if (port && (Z_TYPE_P(port) == IS_LONG || (Z_TYPE_P(port) == IS_STRING && Z_STRLEN_P(port)))) {
		smart_str_appendc(out, ':');
		if (Z_TYPE_P(port) == IS_LONG) {
			smart_str_append_long(out, Z_LVAL_P(port));
		} else {
			smart_str_append(out, Z_STR_P(port));
		}
	}
	smart_str_appendc(out, '/');
	append_config_string(out, cfg, "dbname");
	zval_ptr_dtor(&ret);
	return 0;
}

/* "moodle:<dbfamily>:<host>[:port]/<dbname>:<prefix>", stable per site. */
static int build_identity(dbstore *d, char *err, size_t errlen)
{
	smart_str id = {0};
	size_t family;
	int rc;

	smart_str_appends(&id, "moodle:");
	family = ZSTR_LEN(id.s);
	rc = call_for_string(d, M_GET_DBFAMILY, &id, err, errlen);
	if (rc == 0) {
		/* The families whose drivers write insert_records() as multi-row
		 * INSERTs; others (mssql, oracle, ...) keep insert_records(). */
		const char *name = ZSTR_VAL(id.s) + family;
		size_t len = ZSTR_LEN(id.s) - family;

		if (zend_binary_strcmp(name, len, "postgres", sizeof("postgres") - 1) == 0) {
			d->insert_style = INSERT_EXECUTE_DOLLAR;
		} else if (zend_binary_strcmp(name, len, "mysql", sizeof("mysql") - 1) == 0) {
			d->insert_style = INSERT_EXECUTE_QM;
		}
	}
	smart_str_appendc(&id, ':');
	if (rc == 0) {
		rc = append_location(d, &id, err, errlen);
	}
	smart_str_appendc(&id, ':');
	if (rc == 0) {
		rc = call_for_string(d, M_GET_PREFIX, &id, err, errlen);
	}
	smart_str_0(&id);
	if (rc == 0) {
		d->identity = estrndup(ZSTR_VAL(id.s), ZSTR_LEN(id.s));
	}
	smart_str_free(&id);
	return rc;
}

int php_mih_dbstore_open(zval *db, mih_store **out, char *err, size_t errlen)
{
	dbstore *d;
	mih_store *st;

	*out = NULL;
	if (Z_TYPE_P(db) != IS_OBJECT) {
		mih_set_err(err, errlen, "$DB must be an object (moodle_database), %s given", zend_zval_type_name(db));
		return -1;
	}
	d = ecalloc(1, sizeof(*d));
	ZVAL_COPY(&d->db, db);
	if (find_methods(d, err, errlen) != 0 || build_identity(d, err, errlen) != 0) {
		dbstore_close(d);
		return -1;
	}
	st = mih_store_new(&dbstore_ops, d, dbstore_close);
	if (!st) {
		dbstore_close(d);
		mih_set_err(err, errlen, "out of memory creating the Moodle store");
		return -1;
	}
	*out = st;
	return 0;
}
