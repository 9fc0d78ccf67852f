/* The embedded store's file on disk, watched from the connection that has
 * it open: which file (device and inode) sits at the configured path, and
 * which -wal and -shm side files belong to it. A connection keeps using the
 * file it opened even after that file was removed or replaced by another
 * one, and whatever it writes then is lost; store_sqlite.c asks this module
 * before and after its writes so that a write is acknowledged only into
 * the file at the configured path.
 *
 * SQLite applies whatever -wal file it finds next to a database, and a
 * closing connection deletes the -wal and -shm files by name, so the side
 * files of a removed or replaced database must never meet its successor:
 * mih_sqlite_file_prepare() removes them, under an flock of the folder that
 * every opener of this module takes. No SQLite and no Zend here. */
#ifndef MIH_STORE_SQLITE_FILE_H
#define MIH_STORE_SQLITE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct mih_file_id {
	dev_t dev;
	ino_t ino;
	bool known;
} mih_file_id;

typedef struct mih_sqlite_file {
	char *path;              /* as configured, owned */
	mih_file_id main;        /* the file the connection opened */
	mih_file_id wal, shm;    /* its side files, once the connection opened them */
} mih_sqlite_file;

typedef enum {
	MIH_FILE_SAME = 0,       /* the file at the path is the one opened */
	MIH_FILE_REPLACED,       /* another file is at the path */
	MIH_FILE_REMOVED,        /* nothing is at the path */
	MIH_FILE_FOLDER_REMOVED, /* not even the folder */
	MIH_FILE_UNKNOWN         /* the path cannot be checked (errno kept) */
} mih_file_state;

/* f->path set to a copy of path, identities unknown; -1 when out of memory. */
int mih_sqlite_file_init(mih_sqlite_file *f, const char *path);
void mih_sqlite_file_dispose(mih_sqlite_file *f);

/* Makes the file ready for SQLite to open, under an flock of its folder:
 * creates it (mode 0600, so the side files SQLite derives from it are
 * private too) when create is set and it is missing, and removes side files
 * of another database: every -wal, -shm and -journal when this call created
 * the file (a removed database's), else those recorded in f for the file
 * opened before (a replaced database's). -1 with a message naming the path. */
int mih_sqlite_file_prepare(mih_sqlite_file *f, bool create, char *err, size_t errlen);

/* Records the identity of the file now at the path as the one opened. */
int mih_sqlite_file_record_main(mih_sqlite_file *f, char *err, size_t errlen);
/* Records the side files now next to it (absent ones stay unknown). */
void mih_sqlite_file_record_sides(mih_sqlite_file *f);

/* What is at the path now, compared with the recorded identity; *errnum
 * (may be NULL) gets errno for MIH_FILE_UNKNOWN. */
mih_file_state mih_sqlite_file_check(const mih_sqlite_file *f, int *errnum);

/* "SQLite store: "<path>" was removed while in use" and the like. during:
 * what was under way when the change was seen (NULL: before an operation),
 * e.g. "a write was being committed", which adds what became of the write. */
void mih_sqlite_file_describe(const mih_sqlite_file *f, mih_file_state state, int errnum,
	const char *during, char *err, size_t errlen);

#endif
