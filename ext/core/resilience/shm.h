/* Host-wide table of circuit breakers and version counters in a
 * file-backed shared mapping, visible to every PHP process on the host
 * (PHP-FPM workers and CLI cron runs alike).
 *
 * File: a fixed header (magic, layout version, slot count, a robust
 * process-shared mutex) followed by `slots` slots. A new file is built and
 * initialised under a temporary name next to the path, then hard-linked
 * into place, so no process ever maps a half-initialised file and two
 * processes creating it at once are safe (the loser of the link adopts the
 * winner's file). It is created with exactly `mode` whatever the umask.
 * To share it between the web server user and the cron user, give both a
 * common group, use a directory that group can write with the setgid bit
 * (so the file gets that group) and mode 0660; the default
 * /dev/shm/mih-<uid>.shm is per user.
 *
 * An existing file with a valid header is used as is: its slot count wins
 * over the `slots` argument (which applies when the file is created). A file
 * carrying our magic but another layout version or size (an upgrade of the
 * extension) is replaced atomically by a fresh one (rename under flock);
 * processes still mapping the old one keep it until they exit, none of them
 * can crash. A file without our magic is never touched: open fails with an
 * error naming the path. Do not delete the file while PHP runs: processes
 * that mapped it keep using the deleted copy until they restart.
 *
 * Locking: a PTHREAD_PROCESS_SHARED + PTHREAD_MUTEX_ROBUST mutex, taken with
 * a bounded wait (MIH_SHM_LOCK_TIMEOUT_MS). When its owner died holding it
 * (SIGKILL, OOM killer) the next locker marks it consistent and carries on:
 * the breaker state is POD and written so that a half-applied update is
 * still valid (see breaker.c). An operation that cannot take the lock fails
 * with an error; the caller decides to fail open (allow the call).
 *
 * Keys are bytes (NUL allowed), at most MIH_SHM_KEY_MAX: for breakers the
 * glue uses "<store identity>\0<service name>", for counters e.g.
 * "rules:<store identity>"; the two kinds live in separate namespaces.
 * Lookup is hashed with linear probing. Slots are never freed; when the
 * table is full a new key (circuit or counter) takes the slot of the least
 * recently used idle slot: a counter (an evicted counter reads 0, so caches
 * holding another value reload), a closed circuit, or an open circuit past
 * its cooldown with no live probe permit. A circuit still cooling down or
 * probing is never evicted; if every slot holds one, the operation fails
 * with a "table full" error.
 *
 * Callbacks (mih_shm_breaker_update) run under the lock: they must be short
 * and must not longjmp (no PHP userland, no zend_bailout). */
#ifndef MIH_SHM_H
#define MIH_SHM_H

#include <stddef.h>
#include <stdint.h>

#include "breaker.h"

#define MIH_SHM_KEY_MAX 320
#define MIH_SHM_DEFAULT_SLOTS 256
#define MIH_SHM_MIN_SLOTS 8
#define MIH_SHM_MAX_SLOTS 4096
#define MIH_SHM_LOCK_TIMEOUT_MS 2000

typedef struct mih_shm mih_shm;

typedef struct mih_shm_stats {
	unsigned slots;
	unsigned breakers;          /* slots holding a circuit */
	unsigned counters;          /* slots holding a version counter */
	uint64_t lock_recoveries;   /* times a dead lock owner was recovered from */
	uint64_t evictions;         /* closed circuits evicted for a new key */
	uint64_t file_size;
} mih_shm_stats;

/* Maps (creating if missing) the table at path. slots: MIH_SHM_MIN_SLOTS..
 * MIH_SHM_MAX_SLOTS, 0 for the default; mode: permission bits (0600, or
 * 0660 to share with a group). Returns 0, or -1 with err set. */
int mih_shm_open(mih_shm **out, const char *path, unsigned slots, unsigned mode,
	char *err, size_t errlen);
void mih_shm_close(mih_shm *shm);

/* The slot count of the mapped file (may differ from what open asked). */
unsigned mih_shm_slot_count(const mih_shm *shm);
int mih_shm_stats_get(mih_shm *shm, mih_shm_stats *out, char *err, size_t errlen);

/* mih_breaker_allow on the circuit named key (created closed if new).
 * Returns 0 with *decision set, or -1 with err set (lock timeout, key too
 * long, table full). retry_after_ms and transition may be NULL. */
int mih_shm_breaker_allow(mih_shm *shm, const char *key, size_t keylen,
	const mih_breaker_config *cfg, int64_t now_ms, mih_breaker_decision *decision,
	mih_breaker_permit *permit, int64_t *retry_after_ms, mih_breaker_transition *transition,
	char *err, size_t errlen);

/* mih_breaker_record; *applied (may be NULL) as its return value. */
int mih_shm_breaker_record(mih_shm *shm, const char *key, size_t keylen,
	const mih_breaker_config *cfg, int64_t now_ms, int failure, const mih_breaker_permit *permit,
	int *applied, mih_breaker_transition *transition, char *err, size_t errlen);

/* mih_breaker_info; an unknown key reads as a closed, empty circuit (no slot
 * is taken). */
int mih_shm_breaker_info(mih_shm *shm, const char *key, size_t keylen,
	const mih_breaker_config *cfg, int64_t now_ms, mih_breaker_snapshot *out,
	char *err, size_t errlen);

/* mih_breaker_next_allowed_ms; an unknown key gives now_ms. */
int mih_shm_breaker_next_allowed(mih_shm *shm, const char *key, size_t keylen,
	const mih_breaker_config *cfg, int64_t now_ms, int64_t *next_ms, char *err, size_t errlen);

/* Back to closed: one circuit, or every circuit whose key starts with
 * prefix (e.g. "<store identity>\0" for all circuits of one store).
 * *count (may be NULL) gets the number of circuits reset. */
int mih_shm_breaker_reset(mih_shm *shm, const char *key, size_t keylen, char *err, size_t errlen);
int mih_shm_breaker_reset_prefix(mih_shm *shm, const char *prefix, size_t prefixlen,
	unsigned *count, char *err, size_t errlen);

/* Runs fn(state, ctx) under the lock on the circuit named key (created if
 * new), for operations the functions above do not cover. */
typedef void (*mih_shm_breaker_fn)(mih_breaker_state *state, void *ctx);
int mih_shm_breaker_update(mih_shm *shm, const char *key, size_t keylen, int64_t now_ms,
	mih_shm_breaker_fn fn, void *ctx, char *err, size_t errlen);

/* Calls fn once per circuit whose key starts with prefix (prefixlen 0: all),
 * with a private copy of its state, outside the lock (fn may do anything).
 * For status pages: feed the copy to mih_breaker_info. */
typedef void (*mih_shm_each_fn)(const char *key, size_t keylen, const mih_breaker_state *state,
	void *ctx);
int mih_shm_breaker_each(mih_shm *shm, const char *prefix, size_t prefixlen,
	mih_shm_each_fn fn, void *ctx, char *err, size_t errlen);

/* Host-wide version counters (e.g. "rules:<store identity>") for
 * invalidating per-process caches: compare for equality, not order. A
 * counter never bumped reads 0. Values are unique across all counters of
 * the file and keep growing, and start from a clock-derived base so a
 * re-created file does not repeat values a process may have cached.
 * bump returns the new value, or 0 with err set; version returns 0 when
 * the counter does not exist or the lock could not be taken (a cache
 * holding another value then reloads, which is the safe direction). */
uint64_t mih_shm_bump_version(mih_shm *shm, const char *name, size_t namelen,
	char *err, size_t errlen);
uint64_t mih_shm_version(mih_shm *shm, const char *name, size_t namelen);

#endif
