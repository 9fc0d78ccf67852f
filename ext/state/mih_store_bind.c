/* The store binding: which store the PHP API works on (the embedded SQLite
 * store of this process, a file bound with mih::use_sqlite(), or Moodle's
 * $DB bound with mih::use_db()), and the request-log rows buffered for it.
 * Below every glue file that reads or writes the store. */
#include "mih_private.h"
#include "mih_dbstore.h"
#include "store_sqlite.h"
#include "main/php_open_temporary_file.h"
#include "ext/standard/basic_functions.h"

#include <unistd.h>

static void log_buffer_drop(void);

/* ---- binding --------------------------------------------------------- */

static void close_bound_db_store(void)
{
	if (MIH_G(store) && MIH_G(store_from_db)) {
		mih_store_close(MIH_G(store));
	}
	MIH_G(store) = NULL;
	MIH_G(store_from_db) = false;
}

void php_mih_store_release_request(void)
{
	php_mih_log_request_end();
	close_bound_db_store();
}

void php_mih_store_release_process(void)
{
	php_mih_log_release();
	if (MIH_G(sqlite_store)) {
		mih_store_close(MIH_G(sqlite_store));
		MIH_G(sqlite_store) = NULL;
	}
	free(MIH_G(sqlite_path));
	MIH_G(sqlite_path) = NULL;
}

/* Closes the SQLite store of this process, after writing the log rows
 * buffered for it. */
static void sqlite_store_retire(void)
{
	if (MIH_G(log_buf_store) == MIH_G(sqlite_store)) {
		php_mih_log_flush();
		MIH_G(log_buf_store) = NULL;
	}
	if (MIH_G(sqlite_store)) {
		mih_store_close(MIH_G(sqlite_store));
		MIH_G(sqlite_store) = NULL;
	}
	free(MIH_G(sqlite_path));
	MIH_G(sqlite_path) = NULL;
}

/* The SQLite store of this process for path, (re)opened when the path
 * changes or after a fork (a connection must never cross fork()). An
 * explicit open (mih::use_sqlite()) of the path already open also creates
 * its file again when it was removed, as a new process would; implicit use
 * of the open store never does (see store_sqlite.h). The store open until
 * now is closed only once the new one is open: when the open fails, nothing
 * changes. */
static mih_store *sqlite_store_for(const char *path, bool explicit, char *err, size_t errlen)
{
	mih_sqlite_durability durability;
	mih_store *st;
	char *copy;

	if (MIH_G(sqlite_store) && MIH_G(sqlite_pid) == getpid() && strcmp(MIH_G(sqlite_path), path) == 0) {
		if (explicit && mih_store_sqlite_refresh(MIH_G(sqlite_store), err, errlen) != 0) {
			return NULL;
		}
		return MIH_G(sqlite_store);
	}
	if (MIH_G(sqlite_store) && MIH_G(sqlite_pid) != getpid()) {
		/* Inherited from the parent: forgotten without touching its connection
		 * (closing it here would act on the parent's database state), and the
		 * parent's buffered log rows with it. */
		if (MIH_G(log_buf_store) == MIH_G(sqlite_store)) {
			log_buffer_drop();
			MIH_G(log_buf_store) = NULL;
		}
		MIH_G(sqlite_store) = NULL;
	}
	if (mih_sqlite_durability_parse(MIH_G(store_durability), &durability, err, errlen) != 0) {
		return NULL;
	}
	if (php_mih_secrets_check(err, errlen) != 0) {
		return NULL;
	}
	copy = strdup(path);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (mih_store_sqlite_open(path, durability, &st, err, errlen) != 0) {
		free(copy);
		return NULL;
	}
	php_mih_secrets_attach(st);
	sqlite_store_retire();
	MIH_G(sqlite_store) = st;
	MIH_G(sqlite_path) = copy;
	MIH_G(sqlite_pid) = getpid();
	return st;
}

static void default_store_path(char *out, size_t outlen)
{
	if (MIH_G(store_path) && *MIH_G(store_path)) {
		snprintf(out, outlen, "%s", MIH_G(store_path));
	} else {
		/* Development default: a per-user file in the system temp dir. */
		snprintf(out, outlen, "%s/mih-%u.sqlite", php_get_temporary_directory(), (unsigned)getuid());
	}
}

mih_store *php_mih_store(void)
{
	char err[512], path[MAXPATHLEN];
	bool bound_file;
	mih_store *st;

	if (MIH_G(store) && (MIH_G(store_from_db) || MIH_G(sqlite_pid) == getpid())) {
		return MIH_G(store);
	}
	/* A file bound with use_sqlite() and inherited over fork() is opened
	 * again in this process: the same file, never the default one instead. */
	bound_file = MIH_G(store) && MIH_G(sqlite_path);
	if (bound_file) {
		snprintf(path, sizeof(path), "%s", MIH_G(sqlite_path));
	} else {
		default_store_path(path, sizeof(path));
	}
	st = sqlite_store_for(path, false, err, sizeof(err));
	if (!st) {
		php_mih_throw(php_mih_store_exception_ce, 0, "could not open the store: %s", err);
		return NULL;
	}
	if (bound_file) {
		MIH_G(store) = st;
	}
	return st;
}

bool php_mih_store_is_db(const mih_store *st)
{
	return st && MIH_G(store_from_db) && st == MIH_G(store);
}

void php_mih_store_throw(const char *what, const char *err)
{
	php_mih_throw(php_mih_store_exception_ce, 0, "%s: %s", what, err);
}

ZEND_METHOD(local_integrationhub_mih, use_sqlite)
{
	zend_string *path;
	char err[512];
	mih_store *st;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_PATH_STR(path)
	ZEND_PARSE_PARAMETERS_END();

	if (ZSTR_LEN(path) == 0) {
		zend_argument_value_error(1, "must not be empty");
		RETURN_THROWS();
	}
	st = sqlite_store_for(ZSTR_VAL(path), true, err, sizeof(err));
	if (!st) {
		php_mih_throw(php_mih_store_exception_ce, 0, "could not open the store: %s", err);
		RETURN_THROWS();
	}
	php_mih_log_flush();
	close_bound_db_store();
	MIH_G(store) = st;
}

ZEND_METHOD(local_integrationhub_mih, use_db)
{
	zval *db;
	char err[512];
	mih_store *st;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_OBJECT(db)
	ZEND_PARSE_PARAMETERS_END();

	if (php_mih_secrets_check(err, sizeof(err)) != 0 || php_mih_dbstore_open(db, &st, err, sizeof(err)) != 0) {
		if (!EG(exception)) {
			php_mih_throw(php_mih_store_exception_ce, 0, "could not use the database: %s", err);
		}
		RETURN_THROWS();
	}
	php_mih_secrets_attach(st);
	php_mih_log_flush();
	close_bound_db_store();
	MIH_G(store) = st;
	MIH_G(store_from_db) = true;
}

/* ---- the request log --------------------------------------------------- */

#define LOG_PRUNE_EVERY 500

static void maybe_prune(mih_store *st, size_t added)
{
	char err[256];

	MIH_G(log_appends) += (zend_long)added;
	if (MIH_G(log_appends) >= LOG_PRUNE_EVERY) {
		MIH_G(log_appends) = 0;
		/* No count of what was deleted: two reads nobody looks at. */
		mih_store_log_prune(st, (long)MIH_G(log_max_rows), (long)MIH_G(log_max_age), NULL, err, sizeof(err));
	}
}

void php_mih_log_append_many(mih_store *st, const mih_store_log_row *rows, size_t count)
{
	char err[256];

	if (!st || count == 0) {
		return;
	}
	/* The log is diagnostics: a failed write must not fail the call. */
	if (mih_store_log_append_many(st, rows, count, err, sizeof(err)) != 0) {
		php_error_docref(NULL, E_NOTICE, "mih: could not write the request log: %s", err);
		return;
	}
	maybe_prune(st, count);
}

void php_mih_log_append(mih_store *st, const mih_store_log_row *row)
{
	php_mih_log_append_many(st, row, 1);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void log_buffer_drop(void)
{
	size_t i;

	for (i = 0; i < MIH_G(log_buf_count); i++) {
		mih_store_log_row_dispose(&MIH_G(log_buf)[i]);
	}
	MIH_G(log_buf_count) = 0;
}

size_t php_mih_log_flush(void)
{
	size_t n = MIH_G(log_buf_count);

	if (n == 0) {
		return 0;
	}
	php_mih_log_append_many(MIH_G(log_buf_store), MIH_G(log_buf), n);
	log_buffer_drop();
	return n;
}

/* The rows buffered for a $DB store must be written while $DB still works:
 * PHP calls destructors (Moodle's $DB disposes of its connection in its own)
 * after the shutdown functions and before RSHUTDOWN. So the first row
 * buffered for $DB in a request registers mih::flush_log() as a shutdown
 * function; it runs after the shutdown functions registered before it,
 * Moodle's own (core_shutdown_manager, which has rolled back a transaction
 * left open by then) included. */
static void register_flush_at_shutdown(void)
{
	php_shutdown_function_entry entry;
	zval callable;

	if (MIH_G(log_flush_registered)) {
		return;
	}
	memset(&entry, 0, sizeof(entry));
	ZVAL_STRING(&callable, "local_integrationhub\\mih::flush_log");
	if (zend_fcall_info_init(&callable, 0, &entry.fci, &entry.fci_cache, NULL, NULL) != SUCCESS) {
		zval_ptr_dtor(&callable);
		return;
	}
	/* The entry owns the callable string from here on. */
	if (append_user_shutdown_function(&entry)) {
		MIH_G(log_flush_registered) = true;
	} else {
		zval_ptr_dtor(&callable);
	}
}

/* Rows of synchronous calls are buffered on every store and written with
 * one multi-row insert (one statement on Moodle's $DB, one relaxed
 * transaction on the SQLite file) every mih.log_flush_rows calls, before any
 * read of the log, a store change, and at the end of the request (for $DB
 * from a shutdown function, see above). A crash (kill -9, a segfault) loses
 * at most mih.log_flush_rows - 1 diagnostic rows; never a queued task. */
void php_mih_log_buffer(mih_store *st, const mih_store_log_row *row)
{
	mih_store_log_row *copy;
	size_t cap = (size_t)MIH_G(log_flush_rows);

	if (!st) {
		return;
	}
	if (MIH_G(log_buf_store) != st || (MIH_G(log_buf) && MIH_G(log_buf_cap) != cap)) {
		php_mih_log_flush();
		MIH_G(log_buf_store) = st;
	}
	if (MIH_G(log_buf) && MIH_G(log_buf_cap) != cap) {
		free(MIH_G(log_buf));
		MIH_G(log_buf) = NULL;
	}
	if (!MIH_G(log_buf)) {
		MIH_G(log_buf) = calloc(cap, sizeof(mih_store_log_row));
		if (!MIH_G(log_buf)) {
			php_mih_log_append(st, row);
			return;
		}
		MIH_G(log_buf_cap) = cap;
	}
	if (MIH_G(store_from_db) && st == MIH_G(store)) {
		register_flush_at_shutdown();
	}
	copy = &MIH_G(log_buf)[MIH_G(log_buf_count)++];
	*copy = *row;
	copy->servicename = dup_or_null(row->servicename);
	copy->endpoint = dup_or_null(row->endpoint);
	copy->http_method = dup_or_null(row->http_method);
	copy->eventname = dup_or_null(row->eventname);
	copy->error_message = dup_or_null(row->error_message);
	copy->direction = dup_or_null(row->direction);
	if (copy->timecreated == 0) {
		copy->timecreated = mih_store_now(st);
	}
	if (MIH_G(log_buf_count) >= MIH_G(log_buf_cap)) {
		php_mih_log_flush();
	}
}

/* At the end of a request: the rows of the SQLite store are written; those
 * of a $DB store were written by the shutdown function, and any buffered
 * after it (by a later shutdown function or a destructor) are dropped, since
 * $DB may be disposed of by now. */
void php_mih_log_request_end(void)
{
	if (MIH_G(log_buf_count) && MIH_G(store_from_db) && MIH_G(log_buf_store) == MIH_G(store)) {
		log_buffer_drop();
	} else {
		php_mih_log_flush();
	}
	if (MIH_G(store_from_db) && MIH_G(log_buf_store) == MIH_G(store)) {
		MIH_G(log_buf_store) = NULL;
	}
	MIH_G(log_flush_registered) = false;
}

ZEND_METHOD(local_integrationhub_mih, flush_log)
{
	ZEND_PARSE_PARAMETERS_NONE();
	RETURN_LONG((zend_long)php_mih_log_flush());
}

ZEND_METHOD(local_integrationhub_mih, query_counts)
{
	php_mih_db_counts c;
	mih_store *st;

	ZEND_PARSE_PARAMETERS_NONE();
	st = MIH_G(store) && MIH_G(store_from_db) ? MIH_G(store) : NULL;
	if (!st || !php_mih_dbstore_counts(st, &c)) {
		memset(&c, 0, sizeof(c));
	}
	array_init_size(return_value, 4);
	add_assoc_long(return_value, "reads", c.reads);
	add_assoc_long(return_value, "writes", c.writes);
	add_assoc_long(return_value, "transactions", c.transactions);
	add_assoc_long(return_value, "total", c.reads + c.writes);
}

void php_mih_log_release(void)
{
	php_mih_log_flush();
	free(MIH_G(log_buf));
	MIH_G(log_buf) = NULL;
	MIH_G(log_buf_store) = NULL;
}
