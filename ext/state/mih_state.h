/* The layer of per-process state under the Zend glue (ext/state/): what
 * several glue files share, kept below all of them so that no glue file calls
 * up into another's (the calls, the event bridge, the worker, the breaker and
 * the store API all sit on this; it calls only into ext/common/ and the
 * cores). Included through mih_private.h. */
#ifndef MIH_STATE_H
#define MIH_STATE_H

/* ---- the store binding (mih_store_bind.c) ---- */
/* The active store: bound by use_db()/use_sqlite(), else the embedded
 * SQLite store at mih.store_path. NULL with a store_exception thrown. */
mih_store *php_mih_store(void);
void php_mih_store_throw(const char *what, const char *err);
void php_mih_store_release_request(void);
void php_mih_store_release_process(void);
/* Whether st is the Moodle $DB store bound to this request. */
bool php_mih_store_is_db(const mih_store *st);
/* Appends one request-log row (no fsync) and prunes the log now and then. */
void php_mih_log_append(mih_store *st, const mih_store_log_row *row);
/* Several rows at once: one multi-row insert (a worker's wave). */
void php_mih_log_append_many(mih_store *st, const mih_store_log_row *rows, size_t count);
/* The same for a synchronous call, buffered on every store (see mih_store_bind.c). */
void php_mih_log_buffer(mih_store *st, const mih_store_log_row *row);
/* Writes the buffered rows now; returns how many there were. */
size_t php_mih_log_flush(void);
/* RSHUTDOWN: writes what the SQLite store has buffered; a $DB store's rows
 * left after the shutdown function are dropped ($DB may be disposed of). */
void php_mih_log_request_end(void);
void php_mih_log_release(void);

/* ---- the host-wide table and change counters (mih_host.c) ---- */
/* The table at mih.shm_path, opened on first use; NULL (warned once) when it
 * cannot be opened: circuits then fail open. */
struct mih_shm *php_mih_shm_table(void);
void php_mih_shm_release(void);
uint64_t php_mih_host_version(const char *identity);
void php_mih_host_version_bump(const char *identity);

/* ---- services and rules through per-process caches (mih_service_cache.c) ---- */
typedef struct php_mih_rules_cache {
	char *identity;
	mih_store_rule *rules;      /* enabled rules */
	size_t count;
	mih_service *services;      /* the services those rules use */
	size_t nservices;
	int64_t version;            /* the store's rules version when loaded */
	uint64_t host_version;      /* the host-wide change counter when loaded */
	double checked_at;          /* monotonic seconds of the last freshness check */
} php_mih_rules_cache;

/* The named service from the active store, or FAILURE with
 * service_not_found (or service_disabled when require_enabled) thrown. */
zend_result php_mih_load_service(zend_string *name, mih_service *svc, bool require_enabled, mih_store **st_out);
/* A service definition through the per-process cache (store result codes). */
int php_mih_service_cached(mih_store *st, const char *name, mih_service *out, char *err, size_t errlen);
/* Like php_mih_load_service(), without copying a cached definition: *svc
 * points into the cache (or at buf, filled, when it is not cached) and
 * stays valid, whatever runs meanwhile (a user error handler may change
 * services), until php_mih_service_return(buf, *svc). */
zend_result php_mih_borrow_service(zend_string *name, mih_service *buf, const mih_service **svc, bool require_enabled,
	mih_store **st_out);
void php_mih_service_return(mih_service *buf, const mih_service *svc);
/* At the end of a request: borrows a bailout skipped are over. */
void php_mih_service_cache_request_end(void);
/* Drops the cached rules and services (a change in this process). */
void php_mih_rules_cache_clear(void);
/* The same, and tells the other processes on the host. */
void php_mih_rules_changed(mih_store *st);

/* ---- secrets at rest (mih_secrets.c) ---- */
/* Loads the keyring from the INI settings (MINIT) and wipes it (MSHUTDOWN). */
void php_mih_secrets_minit(void);
void php_mih_secrets_mshutdown(void);
/* 0, or -1 with the reason when the key settings are invalid: no store may
 * then be opened. */
int php_mih_secrets_check(char *err, size_t errlen);
/* Gives a newly opened store the keyring. */
void php_mih_secrets_attach(mih_store *st);
void php_mih_secrets_minfo(void);
ZEND_INI_DISP(php_mih_display_secret_key);

#endif
