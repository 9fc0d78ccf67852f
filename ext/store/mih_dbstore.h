/* The Moodle backend of the store: a SQL executor (store_sql.h) that runs
 * the store's portable SQL through the caller's own $DB (moodle_database).
 *
 * Because queue rows go through Moodle's connection, a task enqueued inside
 * a Moodle delegated transaction commits or rolls back with it (an outbox).
 *
 * Methods of $DB used (the smallest set, with moodle_database's signatures):
 *   execute($sql, $params), get_records_sql($sql, $params, $limitfrom,
 *   $limitnum), insert_record($table, $dataobject, $returnid),
 *   insert_records($table, $dataobjects) when present (the request log's
 *   rows and a batch of tasks in one statement),
 *   start_delegated_transaction() and, on the moodle_transaction objects it
 *   returns, allow_commit() and rollback($e); get_dbfamily(), get_prefix()
 *   and (when present) export_dbconfig() for the store identity.
 *
 * Lifetime: the store keeps one reference to the $DB object and to every
 * open moodle_transaction until mih_store_close(). These references are
 * invisible to the cycle collector, so the glue must keep the store per
 * request and close it at the latest in RSHUTDOWN; closing never calls
 * into PHP (transactions still open are left to Moodle, which rolls them
 * back when the request ends). */
#ifndef MIH_DBSTORE_H
#define MIH_DBSTORE_H

#include "php.h"
#include "store.h"

/* Creates a store over a Moodle-style $DB object (kept referenced until
 * mih_store_close()). Returns 0, or -1 with a message in err (e.g. a missing
 * method: named). A PHP exception thrown by $DB becomes the message and is
 * cleared, except exit(), which stays pending. */
int php_mih_dbstore_open(zval *db, mih_store **out, char *err, size_t errlen);

/* Statements the store sent through $DB since it was opened: reads
 * (get_records_sql), writes (execute, insert_record, insert_records: one
 * each, whatever the number of rows) and the delegated transactions it
 * started while none of its own was open (the caller's may be). */
typedef struct php_mih_db_counts {
	zend_long reads, writes, transactions;
} php_mih_db_counts;

/* false (counts zeroed) when st is not a $DB store. */
bool php_mih_dbstore_counts(mih_store *st, php_mih_db_counts *out);

#endif
