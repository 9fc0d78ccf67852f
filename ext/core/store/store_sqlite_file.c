/* The embedded store's file on disk: its identity, and the side files that
 * belong to it (see store_sqlite_file.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "store_sqlite_file.h"

static const char *const side_suffixes[] = { "-wal", "-shm", "-journal" };

/* Absolute, so that a chdir() of the process does not point the checks at
 * another file (SQLite itself keeps the absolute path); symbolic links are
 * kept: the file is whatever the configured path names. */
int mih_sqlite_file_init(mih_sqlite_file *f, const char *path)
{
	char cwd[PATH_MAX];
	size_t len;

	memset(f, 0, sizeof(*f));
	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd))) {
		f->path = strdup(path);
		return f->path ? 0 : -1;
	}
	len = strlen(cwd) + 1 + strlen(path) + 1;
	f->path = malloc(len);
	if (!f->path) {
		return -1;
	}
	snprintf(f->path, len, "%s/%s", cwd, path);
	return 0;
}

void mih_sqlite_file_dispose(mih_sqlite_file *f)
{
	free(f->path);
	memset(f, 0, sizeof(*f));
}

static void folder_of(const char *path, char *out, size_t outlen)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		snprintf(out, outlen, ".");
	} else if (slash == path) {
		snprintf(out, outlen, "/");
	} else {
		snprintf(out, outlen, "%.*s", (int)(slash - path), path);
	}
}

static void side_path(const char *path, const char *suffix, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s%s", path, suffix);
}

static bool same_file(const struct stat *st, const mih_file_id *id)
{
	return id->known && st->st_dev == id->dev && st->st_ino == id->ino;
}

static void set_id(mih_file_id *id, const struct stat *st)
{
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->known = true;
}

/* Another database's side files next to the path: all of them when the
 * file was just created (none can be its own), else those that are still
 * the ones recorded for the file opened before. */
static void remove_foreign_sides(const mih_sqlite_file *f, bool all)
{
	const mih_file_id *known[] = { &f->wal, &f->shm, NULL };
	char side[PATH_MAX + 16];
	struct stat st;

	for (size_t i = 0; i < sizeof(side_suffixes) / sizeof(side_suffixes[0]); i++) {
		side_path(f->path, side_suffixes[i], side, sizeof(side));
		if (all || (known[i] && stat(side, &st) == 0 && same_file(&st, known[i]))) {
			unlink(side);
		}
	}
}

#define FOLDER_LOCK_WAIT_MS 2000

/* Held for a few system calls only. Where flock is refused (some network
 * file systems) or another program holds the folder locked for long, the
 * open goes on unguarded rather than hang. */
static void lock_folder(int dirfd)
{
	struct timespec pause = { 0, 1000 * 1000 };

	for (int waited = 0; waited < FOLDER_LOCK_WAIT_MS; waited++) {
		if (flock(dirfd, LOCK_EX | LOCK_NB) == 0 || errno != EWOULDBLOCK) {
			return;
		}
		nanosleep(&pause, NULL);
	}
}

/* Every opener goes through here under the folder's flock, so no opener can
 * meet the side files of a removed database between the moment its
 * successor is created and the moment they are removed. The file itself is
 * never opened here when it exists: closing a descriptor of a file would
 * drop every POSIX lock this process (another connection of it) holds on
 * it, and SQLite's locks are POSIX locks. */
int mih_sqlite_file_prepare(mih_sqlite_file *f, bool create, char *err, size_t errlen)
{
	char folder[PATH_MAX];
	struct stat st;
	int dirfd, fd, rc = 0;

	folder_of(f->path, folder, sizeof(folder));
	dirfd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd >= 0) {
		lock_folder(dirfd);
	}
	fd = create ? open(f->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600) : -1;
	if (fd >= 0) {
		close(fd);
		remove_foreign_sides(f, true);
	} else if (create && errno != EEXIST) {
		snprintf(err, errlen, "SQLite store: cannot create \"%s\": %s", f->path, strerror(errno));
		rc = -1;
	} else if (stat(f->path, &st) != 0) {
		snprintf(err, errlen, "SQLite store: cannot open \"%s\": %s", f->path, strerror(errno));
		rc = -1;
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "SQLite store: \"%s\" is not a regular file", f->path);
		rc = -1;
	} else if (access(f->path, R_OK | W_OK) != 0) {
		snprintf(err, errlen, "SQLite store: cannot open \"%s\": %s", f->path, strerror(errno));
		rc = -1;
	} else if (!same_file(&st, &f->main)) {
		remove_foreign_sides(f, false);
	}
	if (dirfd >= 0) {
		close(dirfd);   /* releases the flock */
	}
	return rc;
}

int mih_sqlite_file_record_main(mih_sqlite_file *f, char *err, size_t errlen)
{
	struct stat st;

	if (stat(f->path, &st) != 0) {
		snprintf(err, errlen, "SQLite store: cannot open \"%s\": %s", f->path, strerror(errno));
		return -1;
	}
	set_id(&f->main, &st);
	f->wal.known = f->shm.known = false;
	return 0;
}

void mih_sqlite_file_record_sides(mih_sqlite_file *f)
{
	mih_file_id *ids[] = { &f->wal, &f->shm };
	char side[PATH_MAX + 16];
	struct stat st;

	for (size_t i = 0; i < 2; i++) {
		side_path(f->path, side_suffixes[i], side, sizeof(side));
		ids[i]->known = false;
		if (stat(side, &st) == 0) {
			set_id(ids[i], &st);
		}
	}
}

mih_file_state mih_sqlite_file_check(const mih_sqlite_file *f, int *errnum)
{
	char folder[PATH_MAX];
	struct stat st;

	if (stat(f->path, &st) == 0) {
		return !f->main.known || same_file(&st, &f->main) ? MIH_FILE_SAME : MIH_FILE_REPLACED;
	}
	if (errno != ENOENT && errno != ENOTDIR) {
		if (errnum) {
			*errnum = errno;
		}
		return MIH_FILE_UNKNOWN;
	}
	folder_of(f->path, folder, sizeof(folder));
	if (stat(folder, &st) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
		return MIH_FILE_FOLDER_REMOVED;
	}
	return MIH_FILE_REMOVED;
}

void mih_sqlite_file_describe(const mih_sqlite_file *f, mih_file_state state, int errnum,
	const char *during, char *err, size_t errlen)
{
	const char *when = during ? during : "in use";

	switch (state) {
	case MIH_FILE_REPLACED:
		snprintf(err, errlen, "SQLite store: \"%s\" was replaced by another file while %s%s",
			f->path, when, during ? ": the write went into the old file and is lost" : "");
		break;
	case MIH_FILE_REMOVED:
		snprintf(err, errlen, "SQLite store: \"%s\" was removed while %s%s", f->path, when,
			during ? ": the write is lost with it" : "");
		break;
	case MIH_FILE_FOLDER_REMOVED:
		snprintf(err, errlen, "SQLite store: the folder of \"%s\" was removed while %s%s",
			f->path, during ? during : "the store was in use",
			during ? ": the write is lost with it" : "");
		break;
	case MIH_FILE_UNKNOWN:
		snprintf(err, errlen, "SQLite store: cannot check \"%s\": %s", f->path, strerror(errnum));
		break;
	default:
		snprintf(err, errlen, "SQLite store: \"%s\" is in use", f->path);
		break;
	}
}
