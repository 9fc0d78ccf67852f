/* The embedded store backend: a SQL executor (store_sql.h) over one SQLite
 * file in WAL mode, which creates and migrates the hub's schema itself. */
#ifndef MIH_STORE_SQLITE_H
#define MIH_STORE_SQLITE_H

#include <stddef.h>
#include "store_sql.h"
#include "store.h"

/* FULL: every committed transaction is fsynced (an acknowledged enqueue
 * survives a power loss); costs one fsync of the WAL per write transaction.
 * NORMAL: commits are not fsynced, only checkpoints are; a committed
 * transaction survives any process crash (kill -9) but the last ones may be
 * lost on power loss or an OS crash. Never corrupts the file either way. */
typedef enum {
	MIH_SQLITE_DURABILITY_FULL = 0,
	MIH_SQLITE_DURABILITY_NORMAL
} mih_sqlite_durability;

/* 1: the first schema; 2: userid, relateduserid and contextid on tasks and
 * dead letters; 3: local_integrationhub_queue.run_token; 4: the request log
 * without AUTOINCREMENT, without the serviceid index, its taskid index only
 * over delivery rows; 5: the queue without the claim_token, userid,
 * relateduserid and contextid indexes (an older file is migrated in place
 * when opened). */
#define MIH_SQLITE_SCHEMA_VERSION 5
#define MIH_SQLITE_BUSY_TIMEOUT_MS 5000

/* "full" or "normal" (case-insensitive); -1 with a message otherwise. */
int mih_sqlite_durability_parse(const char *name, mih_sqlite_durability *out,
	char *err, size_t errlen);

/* The executor alone (for wrapping, as the tests do). The file is created
 * with mode 0600 when missing; the schema is created or migrated. */
extern const mih_sql_ops mih_sql_sqlite_ops;
int mih_sql_sqlite_open(const char *path, mih_sqlite_durability durability, void **db,
	char *err, size_t errlen);
void mih_sql_sqlite_close(void *db);

/* A ready store over the file: mih_store_close() closes the connection.
 *
 * The connection checks the file before every operation outside a
 * transaction and after every commit (one stat() each): a write is
 * acknowledged only into the file at the path. When the file was replaced
 * by another one, the connection moves to it (the old file's -wal and -shm
 * are removed, never applied to it); when it was removed, or its folder,
 * operations fail with a message saying so, and the file is not created
 * again from this connection: only a new open creates it. A commit during
 * which the file was removed or replaced fails: it went into the old file. */
int mih_store_sqlite_open(const char *path, mih_sqlite_durability durability,
	mih_store **out, char *err, size_t errlen);
/* For an explicit open of a path st already has open: when its file was
 * replaced, st moves to the new one (as its next operation would); when it
 * was removed, the file is created again, as a first open does. -1 with a
 * message (st unchanged) when that fails, e.g. when the folder is gone. */
int mih_store_sqlite_refresh(mih_store *st, char *err, size_t errlen);

#endif
