/* mih: Integration Hub for Moodle, native. Public header: module entry,
 * version, globals and the exported class entries. */
#ifndef PHP_MIH_H
#define PHP_MIH_H

extern zend_module_entry mih_module_entry;
#define phpext_mih_ptr &mih_module_entry

#define PHP_MIH_VERSION "2.1.2"

#ifdef PHP_WIN32
# define PHP_MIH_API __declspec(dllexport)
#else
# define PHP_MIH_API __attribute__ ((visibility("default")))
#endif

ZEND_BEGIN_MODULE_GLOBALS(mih)
	/* INI */
	zend_long max_response_size;
	char *blocked_hosts;
	char *allowed_ports;
	char *store_path;
	char *store_durability;
	char *shm_path;
	char *shm_mode;
	zend_long dedupe_ttl;
	zend_long rules_ttl;
	zend_long log_max_rows;
	zend_long log_max_age;
	zend_long lease_margin;
	zend_long log_flush_rows;
	char *secret_key;
	char *secret_keys_old;
	char *proxy_host;
	zend_long proxy_port;
	char *proxy_type;
	char *proxy_user;
	char *proxy_password;
	char *proxy_bypass;
	/* per process: the reused easy handle keeps connections alive */
	void *curl_easy;
	bool curl_easy_ready;                /* its constant options are set (mih_http.h handle_ready) */
	struct mih_http_handle_url *curl_easy_url; /* the URL set on it, parsed (malloc'd) */
	struct mih_http_url_memo *url_memo;  /* mih::request's verdict on its last URL (malloc'd) */
	uint64_t policy_gen;                 /* bumped whenever the policy is rebuilt */
	struct mih_tpl_cache *templates;  /* compiled templates, bounded LRU */
	/* per request: recent templates by the identity of their PHP string
	 * (mih_template.c), so a hit neither hashes nor compares the text */
	struct php_mih_template_memo {
		zend_string *src;        /* held, so the pointer cannot be reused */
		int mode;
		const struct mih_tpl *tpl;
		uint64_t evictions;      /* of the cache when tpl was returned */
	} template_memo[8];
	char *render_buf;                    /* mih::render's output buffer, reused */
	size_t render_buf_cap;
	struct mih_store *sqlite_store;       /* the embedded store of this process */
	char *sqlite_path;
	int sqlite_pid;
	struct mih_shm *shm;                 /* the host-wide breaker table */
	char *shm_path_open;
	bool shm_warned;
	struct php_mih_rules_cache *rules_cache;
	struct php_mih_service_cache *service_cache;
	struct php_mih_service_cache *service_cache_retired;  /* cleared while borrowed */
	zend_long service_borrows;           /* definitions lent out of service_cache */
	zend_long log_appends;               /* since the last log prune */
	struct mih_store_log_row *log_buf;   /* synchronous calls not yet written */
	size_t log_buf_count;
	size_t log_buf_cap;                  /* mih.log_flush_rows when allocated */
	struct mih_store *log_buf_store;
	bool log_flush_registered;           /* mih::flush_log() is a shutdown function of this request */
	/* per request */
	struct mih_store *store;             /* bound by use_db()/use_sqlite() */
	bool store_from_db;
	HashTable *cfg_hosts;                /* mih::configure() values, NULL: INI */
	HashTable *cfg_ports;
	struct mih_net_policy *policy;       /* built from the above, cached */
	struct mih_net_policy *host_policy;  /* the INI lists alone, cached */
	HashTable *cfg_proxy;                /* mih::configure()'s proxy_* keys, NULL: INI */
	struct mih_proxy *proxy;             /* built from cfg_proxy or INI, NULL: direct */
	bool proxy_built;                    /* proxy is current (dropped with policy) */
ZEND_END_MODULE_GLOBALS(mih)

ZEND_EXTERN_MODULE_GLOBALS(mih)
#define MIH_G(v) ZEND_MODULE_GLOBALS_ACCESSOR(mih, v)

#if defined(ZTS) && defined(COMPILE_DL_MIH)
ZEND_TSRMLS_CACHE_EXTERN()
#endif

extern PHP_MIH_API zend_class_entry *php_mih_exception_ce;
extern PHP_MIH_API zend_class_entry *php_mih_service_not_found_exception_ce;
extern PHP_MIH_API zend_class_entry *php_mih_service_disabled_exception_ce;
extern PHP_MIH_API zend_class_entry *php_mih_invalid_definition_exception_ce;
extern PHP_MIH_API zend_class_entry *php_mih_transport_exception_ce;
extern PHP_MIH_API zend_class_entry *php_mih_template_exception_ce;
extern PHP_MIH_API zend_class_entry *php_mih_store_exception_ce;
extern PHP_MIH_API zend_class_entry *php_mih_task_state_exception_ce;
extern PHP_MIH_API zend_class_entry *php_mih_circuit_open_exception_ce;
extern PHP_MIH_API zend_class_entry *php_mih_signature_exception_ce;
extern PHP_MIH_API zend_class_entry *php_mih_ce;
extern PHP_MIH_API zend_class_entry *php_mih_request_ce;
extern PHP_MIH_API zend_class_entry *php_mih_response_ce;

#endif
