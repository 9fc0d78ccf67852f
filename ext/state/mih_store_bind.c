/* The store binding: which store the PHP API works on (the embedded SQLite
 * store of this process, a file bound with mih::use_sqlite(), or Moodle's
 * $DB bound with mih::use_db()), and the request-log rows buffered for it.
 * Below every glue file that reads or writes the store. */
#include "mih_private.h"
#include "mih_dbstore.h"
#include "store_sqlite.h"
#include "main/php_open_temporary_file.h"

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
	php_mih_log_flush();
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
#define LOG_BUFFER_ROWS 32

static void maybe_prune(mih_store *st, size_t added)
{
	char err[256];
	long deleted;

	MIH_G(log_appends) += (zend_long)added;
	if (MIH_G(log_appends) >= LOG_PRUNE_EVERY) {
		MIH_G(log_appends) = 0;
		mih_store_log_prune(st, (long)MIH_G(log_max_rows), (long)MIH_G(log_max_age), &deleted, err, sizeof(err));
	}
}

void php_mih_log_append(mih_store *st, const mih_store_log_row *row)
{
	char err[256];

	if (!st) {
		return;
	}
	/* The log is diagnostics: a failed write must not fail the call. */
	if (mih_store_log_append(st, row, err, sizeof(err)) != 0) {
		php_error_docref(NULL, E_NOTICE, "mih: could not write the request log: %s", err);
		return;
	}
	maybe_prune(st, 1);
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

void php_mih_log_flush(void)
{
	char err[256];
	mih_store *st = MIH_G(log_buf_store);

	if (MIH_G(log_buf_count) == 0) {
		return;
	}
	if (st && mih_store_log_append_many(st, MIH_G(log_buf), MIH_G(log_buf_count), err, sizeof(err)) != 0) {
		php_error_docref(NULL, E_NOTICE, "mih: could not write the request log: %s", err);
	} else if (st) {
		maybe_prune(st, MIH_G(log_buf_count));
	}
	log_buffer_drop();
}

/* Rows of synchronous calls on the embedded store are written in batches
 * (one relaxed transaction per LOG_BUFFER_ROWS calls, and before any read of
 * the log, a store change or the end of the request); a crash loses at most
 * that many diagnostic rows. On Moodle's $DB each row is written at once, in
 * the caller's transaction. */
void php_mih_log_buffer(mih_store *st, const mih_store_log_row *row)
{
	mih_store_log_row *copy;

	if (!st || (MIH_G(store_from_db) && st == MIH_G(store))) {
		php_mih_log_append(st, row);
		return;
	}
	if (MIH_G(log_buf_store) != st) {
		php_mih_log_flush();
		MIH_G(log_buf_store) = st;
	}
	if (!MIH_G(log_buf)) {
		MIH_G(log_buf) = calloc(LOG_BUFFER_ROWS, sizeof(mih_store_log_row));
		if (!MIH_G(log_buf)) {
			php_mih_log_append(st, row);
			return;
		}
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
	if (MIH_G(log_buf_count) == LOG_BUFFER_ROWS) {
		php_mih_log_flush();
	}
}

void php_mih_log_release(void)
{
	php_mih_log_flush();
	free(MIH_G(log_buf));
	MIH_G(log_buf) = NULL;
	MIH_G(log_buf_store) = NULL;
}
