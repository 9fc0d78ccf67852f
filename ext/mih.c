/* mih: Integration Hub for Moodle, native. Module glue: INI, globals,
 * lifecycle hooks and class registration. */
#include "mih_private.h"
#include "mih_soap.h"
#include "mih_amqp.h"
#include "amqp_confirm.h"
#include "ext/standard/info.h"
#include "ext/spl/spl_exceptions.h"
#include "zend_attributes.h"
#include "mih_arginfo.h"

#include <curl/curl.h>
#include <sqlite3.h>
#include "store_sqlite.h"
#include <openssl/crypto.h>

ZEND_DECLARE_MODULE_GLOBALS(mih)

PHP_MIH_API zend_class_entry *php_mih_exception_ce;
PHP_MIH_API zend_class_entry *php_mih_service_not_found_exception_ce;
PHP_MIH_API zend_class_entry *php_mih_service_disabled_exception_ce;
PHP_MIH_API zend_class_entry *php_mih_invalid_definition_exception_ce;
PHP_MIH_API zend_class_entry *php_mih_transport_exception_ce;
PHP_MIH_API zend_class_entry *php_mih_template_exception_ce;
PHP_MIH_API zend_class_entry *php_mih_store_exception_ce;
PHP_MIH_API zend_class_entry *php_mih_task_state_exception_ce;
PHP_MIH_API zend_class_entry *php_mih_circuit_open_exception_ce;
PHP_MIH_API zend_class_entry *php_mih_signature_exception_ce;
PHP_MIH_API zend_class_entry *php_mih_ce;
PHP_MIH_API zend_class_entry *php_mih_request_ce;
PHP_MIH_API zend_class_entry *php_mih_response_ce;

/* ---- INI ------------------------------------------------------------- */

static ZEND_INI_MH(OnUpdateMaxResponseSize)
{
	zend_long size = zend_ini_parse_quantity_warn(new_value, entry->name);

	(void)mh_arg1; (void)mh_arg2; (void)mh_arg3; (void)stage;
	if (size < 1024 || size > (zend_long)1024 * 1024 * 1024) {
		php_error_docref(NULL, E_WARNING,
			"mih.max_response_size must be between 1K and 1G, \"%s\" given", ZSTR_VAL(new_value));
		return FAILURE;
	}
	MIH_G(max_response_size) = size;
	return SUCCESS;
}

/* Both lists are validated when set, so a bad entry is reported at once
 * instead of silently weakening the policy. */
static ZEND_INI_MH(OnUpdateBlockedHosts)
{
	mih_net_policy *p = mih_net_policy_new();
	char err[256];
	int rc;

	if (!p) {
		return FAILURE;
	}
	rc = mih_net_policy_parse_hosts(p, ZSTR_VAL(new_value), err, sizeof(err));
	mih_net_policy_free(p);
	if (rc != 0) {
		php_error_docref(NULL, E_WARNING, "mih.blocked_hosts: %s", err);
		return FAILURE;
	}
	if (OnUpdateString(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage) != SUCCESS) {
		return FAILURE;
	}
	php_mih_policy_invalidate();
	return SUCCESS;
}

static ZEND_INI_MH(OnUpdateAllowedPorts)
{
	mih_net_policy *p = mih_net_policy_new();
	char err[256];
	int rc;

	if (!p) {
		return FAILURE;
	}
	rc = mih_net_policy_parse_ports(p, ZSTR_VAL(new_value), err, sizeof(err));
	mih_net_policy_free(p);
	if (rc != 0) {
		php_error_docref(NULL, E_WARNING, "mih.allowed_ports: %s", err);
		return FAILURE;
	}
	if (OnUpdateString(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage) != SUCCESS) {
		return FAILURE;
	}
	php_mih_policy_invalidate();
	return SUCCESS;
}

/* A file path is read as a C string: a NUL would open another file. */
static ZEND_INI_MH(OnUpdatePath)
{
	if (memchr(ZSTR_VAL(new_value), '\0', ZSTR_LEN(new_value))) {
		php_error_docref(NULL, E_WARNING, "%s must not contain any null bytes", ZSTR_VAL(entry->name));
		return FAILURE;
	}
	return OnUpdateString(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

static ZEND_INI_MH(OnUpdateDurability)
{
	mih_sqlite_durability d;
	char err[256];

	if (memchr(ZSTR_VAL(new_value), '\0', ZSTR_LEN(new_value))) {
		php_error_docref(NULL, E_WARNING, "mih.store_durability must not contain any null bytes");
		return FAILURE;
	}
	if (mih_sqlite_durability_parse(ZSTR_VAL(new_value), &d, err, sizeof(err)) != 0) {
		php_error_docref(NULL, E_WARNING, "mih.store_durability: %s", err);
		return FAILURE;
	}
	return OnUpdateString(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

static ZEND_INI_MH(OnUpdateShmMode)
{
	char *end;
	unsigned long mode = strtoul(ZSTR_VAL(new_value), &end, 8);

	if (*end != '\0' || ZSTR_LEN(new_value) == 0 || mode > 0777 || (mode & 0600) != 0600) {
		php_error_docref(NULL, E_WARNING, "mih.shm_mode must be octal permission bits including 0600, e.g. 0600 or 0660");
		return FAILURE;
	}
	return OnUpdateString(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

/* Positive integers with a range: a bad value is refused with a warning. */
#define MIH_INI_RANGE(fn, name, min, max) \
static ZEND_INI_MH(fn) \
{ \
	zend_long v = ZEND_STRTOL(ZSTR_VAL(new_value), NULL, 10); \
	(void)entry; \
	(void)mh_arg1; (void)mh_arg2; (void)mh_arg3; (void)stage; \
	if (!is_numeric_string(ZSTR_VAL(new_value), ZSTR_LEN(new_value), NULL, NULL, false) || v < (min) || v > (max)) { \
		php_error_docref(NULL, E_WARNING, name " must be an integer from %ld to %ld, \"%s\" given", \
			(long)(min), (long)(max), ZSTR_VAL(new_value)); \
		return FAILURE; \
	} \
	*(zend_long *)ZEND_INI_GET_ADDR() = v; \
	return SUCCESS; \
}
MIH_INI_RANGE(OnUpdateDedupeTtl, "mih.dedupe_ttl", 1, 31536000)
MIH_INI_RANGE(OnUpdateRulesTtl, "mih.rules_ttl", 0, 86400)
MIH_INI_RANGE(OnUpdateLogMaxRows, "mih.log_max_rows", 100, 100000000)
MIH_INI_RANGE(OnUpdateLogMaxAge, "mih.log_max_age", 60, 31536000)
MIH_INI_RANGE(OnUpdateLeaseMargin, "mih.lease_margin", 1, 3600)
MIH_INI_RANGE(OnUpdateLogFlushRows, "mih.log_flush_rows", 1, 10000)

/* Who may change what. PHP_INI_SYSTEM (php.ini, the FPM pool's
 * php_admin_value, -d; never ini_set() or .user.ini), as apcu does for its
 * shared memory, for what guards the host rather than the calling script:
 * - blocked_hosts, allowed_ports: the host's outbound floor; a script that
 *   could empty them could reach what they protect. mih::configure() stays
 *   the run-time way for the Moodle plugin to pass the site's lists, which
 *   add to these and never lift them (php_mih_policy);
 * - proxy_*: the host's web proxy; mih::configure()'s proxy_* keys replace
 *   it (a route, not a restriction: the policy checks the target either
 *   way), a script's ini_set() cannot;
 * - shm_path, shm_mode: the breaker table every process of the host shares,
 *   and the mode it is created with; a script pointing them elsewhere would
 *   leave the host's circuits or expose the table.
 * PHP_INI_ALL for what only concerns the caller's own calls and data:
 * max_response_size (its own memory, like memory_limit), store_path (the
 * same power as mih::use_sqlite()), store_durability (the fsync of its own
 * commits), dedupe_ttl, rules_ttl, log_max_rows, log_max_age and
 * lease_margin (semantics and housekeeping of the store it uses). */
PHP_INI_BEGIN()
	STD_PHP_INI_ENTRY("mih.max_response_size", "10M", PHP_INI_ALL, OnUpdateMaxResponseSize,
		max_response_size, zend_mih_globals, mih_globals)
	STD_PHP_INI_ENTRY("mih.blocked_hosts", "", PHP_INI_SYSTEM, OnUpdateBlockedHosts,
		blocked_hosts, zend_mih_globals, mih_globals)
	STD_PHP_INI_ENTRY("mih.allowed_ports", "", PHP_INI_SYSTEM, OnUpdateAllowedPorts,
		allowed_ports, zend_mih_globals, mih_globals)
	STD_PHP_INI_ENTRY("mih.store_path", "", PHP_INI_ALL, OnUpdatePath,
		store_path, zend_mih_globals, mih_globals)
	STD_PHP_INI_ENTRY("mih.store_durability", "full", PHP_INI_ALL, OnUpdateDurability,
		store_durability, zend_mih_globals, mih_globals)
	STD_PHP_INI_ENTRY("mih.shm_path", "", PHP_INI_SYSTEM, OnUpdatePath,
		shm_path, zend_mih_globals, mih_globals)
	STD_PHP_INI_ENTRY("mih.shm_mode", "0600", PHP_INI_SYSTEM, OnUpdateShmMode,
		shm_mode, zend_mih_globals, mih_globals)
	STD_PHP_INI_ENTRY("mih.dedupe_ttl", "86400", PHP_INI_ALL, OnUpdateDedupeTtl,
		dedupe_ttl, zend_mih_globals, mih_globals)
	STD_PHP_INI_ENTRY("mih.rules_ttl", "10", PHP_INI_ALL, OnUpdateRulesTtl,
		rules_ttl, zend_mih_globals, mih_globals)
	STD_PHP_INI_ENTRY("mih.log_max_rows", "10000", PHP_INI_ALL, OnUpdateLogMaxRows,
		log_max_rows, zend_mih_globals, mih_globals)
	STD_PHP_INI_ENTRY("mih.log_max_age", "604800", PHP_INI_ALL, OnUpdateLogMaxAge,
		log_max_age, zend_mih_globals, mih_globals)
	STD_PHP_INI_ENTRY("mih.lease_margin", "30", PHP_INI_ALL, OnUpdateLeaseMargin,
		lease_margin, zend_mih_globals, mih_globals)
	STD_PHP_INI_ENTRY("mih.log_flush_rows", "32", PHP_INI_ALL, OnUpdateLogFlushRows,
		log_flush_rows, zend_mih_globals, mih_globals)
	/* Read once at startup (mih_secrets.c); shown as key ids, never as values. */
	STD_PHP_INI_ENTRY_EX("mih.secret_key", "", PHP_INI_SYSTEM, OnUpdateString,
		secret_key, zend_mih_globals, mih_globals, php_mih_display_secret_key)
	STD_PHP_INI_ENTRY_EX("mih.secret_keys_old", "", PHP_INI_SYSTEM, OnUpdateString,
		secret_keys_old, zend_mih_globals, mih_globals, php_mih_display_secret_key)
	/* The host's proxy; mih::configure()'s proxy_* keys replace it (mih_proxy.c). */
	STD_PHP_INI_ENTRY("mih.proxy_host", "", PHP_INI_SYSTEM, php_mih_on_update_proxy_host,
		proxy_host, zend_mih_globals, mih_globals)
	STD_PHP_INI_ENTRY("mih.proxy_port", "0", PHP_INI_SYSTEM, php_mih_on_update_proxy_port,
		proxy_port, zend_mih_globals, mih_globals)
	STD_PHP_INI_ENTRY("mih.proxy_type", "http", PHP_INI_SYSTEM, php_mih_on_update_proxy_type,
		proxy_type, zend_mih_globals, mih_globals)
	STD_PHP_INI_ENTRY("mih.proxy_user", "", PHP_INI_SYSTEM, php_mih_on_update_proxy_string,
		proxy_user, zend_mih_globals, mih_globals)
	STD_PHP_INI_ENTRY_EX("mih.proxy_password", "", PHP_INI_SYSTEM, php_mih_on_update_proxy_string,
		proxy_password, zend_mih_globals, mih_globals, php_mih_display_proxy_password)
	STD_PHP_INI_ENTRY("mih.proxy_bypass", "", PHP_INI_SYSTEM, php_mih_on_update_proxy_string,
		proxy_bypass, zend_mih_globals, mih_globals)
PHP_INI_END()

/* ---- lifecycle --------------------------------------------------------- */

static PHP_GINIT_FUNCTION(mih)
{
#if defined(COMPILE_DL_MIH) && defined(ZTS)
	ZEND_TSRMLS_CACHE_UPDATE();
#endif
	memset(mih_globals, 0, sizeof(*mih_globals));
}

static PHP_GSHUTDOWN_FUNCTION(mih)
{
	if (mih_globals->curl_easy) {
		curl_easy_cleanup(mih_globals->curl_easy);
		mih_globals->curl_easy = NULL;
		mih_globals->curl_easy_ready = false;
	}
	if (mih_globals->curl_easy_url) {
		mih_http_handle_url_dispose(mih_globals->curl_easy_url);
		free(mih_globals->curl_easy_url);
		mih_globals->curl_easy_url = NULL;
	}
	if (mih_globals->url_memo) {
		mih_http_url_memo_dispose(mih_globals->url_memo);
		free(mih_globals->url_memo);
		mih_globals->url_memo = NULL;
	}
	php_mih_rules_cache_clear();
	php_mih_store_release_process();
	php_mih_shm_release();
	if (mih_globals->templates) {
		mih_tpl_cache_free(mih_globals->templates);
		mih_globals->templates = NULL;
	}
	free(mih_globals->render_buf);
	mih_globals->render_buf = NULL;
}

static PHP_MINIT_FUNCTION(mih)
{
	(void)type;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		return FAILURE;
	}
	REGISTER_INI_ENTRIES();
	php_mih_secrets_minit();

	php_mih_exception_ce = register_class_local_integrationhub_exception(spl_ce_RuntimeException);
	php_mih_service_not_found_exception_ce =
		register_class_local_integrationhub_service_not_found_exception(php_mih_exception_ce);
	php_mih_service_disabled_exception_ce =
		register_class_local_integrationhub_service_disabled_exception(php_mih_exception_ce);
	php_mih_invalid_definition_exception_ce =
		register_class_local_integrationhub_invalid_definition_exception(php_mih_exception_ce);
	php_mih_transport_exception_ce =
		register_class_local_integrationhub_transport_exception(php_mih_exception_ce);
	php_mih_template_exception_ce =
		register_class_local_integrationhub_template_exception(php_mih_exception_ce);
	php_mih_store_exception_ce = register_class_local_integrationhub_store_exception(php_mih_exception_ce);
	php_mih_task_state_exception_ce =
		register_class_local_integrationhub_task_state_exception(php_mih_exception_ce);
	php_mih_circuit_open_exception_ce =
		register_class_local_integrationhub_circuit_open_exception(php_mih_exception_ce);
	php_mih_signature_exception_ce =
		register_class_local_integrationhub_signature_exception(php_mih_exception_ce);
	php_mih_ce = register_class_local_integrationhub_mih();
	php_mih_request_ce = register_class_local_integrationhub_mih_request();
	php_mih_response_ce = register_class_local_integrationhub_mih_response();
	php_mih_request_register();
	php_mih_template_minit();
	php_mih_headers_minit();
	php_mih_soap_minit();
	return SUCCESS;
}

static PHP_MSHUTDOWN_FUNCTION(mih)
{
	(void)type;
	UNREGISTER_INI_ENTRIES();
	php_mih_secrets_mshutdown();
	php_mih_amqp_shutdown();
	php_mih_headers_mshutdown();
	curl_global_cleanup();
	return SUCCESS;
}

static PHP_RINIT_FUNCTION(mih)
{
	(void)type;
	(void)module_number;
#if defined(COMPILE_DL_MIH) && defined(ZTS)
	ZEND_TSRMLS_CACHE_UPDATE();
#endif
	return SUCCESS;
}

/* Everything bound to one request goes here; per-process state (the curl
 * handle and its connections) stays for the next request. */
static PHP_RSHUTDOWN_FUNCTION(mih)
{
	(void)type;
	(void)module_number;
	php_mih_store_release_request();
	php_mih_template_release_request();
	php_mih_service_cache_request_end();
	if (MIH_G(cfg_hosts)) {
		zend_array_release(MIH_G(cfg_hosts));
		MIH_G(cfg_hosts) = NULL;
	}
	if (MIH_G(cfg_ports)) {
		zend_array_release(MIH_G(cfg_ports));
		MIH_G(cfg_ports) = NULL;
	}
	php_mih_proxy_release_request();
	php_mih_policy_invalidate();
	return SUCCESS;
}

static PHP_MINFO_FUNCTION(mih)
{
	curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
	(void)zend_module;

	php_info_print_table_start();
	php_info_print_table_row(2, "mih (Integration Hub for Moodle)", "enabled");
	php_info_print_table_row(2, "Version", PHP_MIH_VERSION);
	php_info_print_table_row(2, "libcurl", cv->version);
	php_info_print_table_row(2, "libcurl SSL", cv->ssl_version ? cv->ssl_version : "none");
	php_info_print_table_row(2, "jansson", jansson_version_str());
	php_info_print_table_row(2, "SQLite", sqlite3_libversion());
	php_info_print_table_row(2, "OpenSSL (libcrypto)", OpenSSL_version(OPENSSL_VERSION));
	if (mih_amqp_available()) {
		char amqp[64];
		snprintf(amqp, sizeof(amqp), "enabled (librabbitmq %s)", mih_amqp_library_version());
		php_info_print_table_row(2, "AMQP support", amqp);
	} else {
		php_info_print_table_row(2, "AMQP support", "disabled (built without librabbitmq)");
	}
	php_mih_secrets_minfo();
	php_info_print_table_end();
	DISPLAY_INI_ENTRIES();
}

/* ext/soap, when loaded, starts before mih: SoapClient is extended at MINIT. */
static const zend_module_dep mih_deps[] = {
	ZEND_MOD_OPTIONAL("soap")
	ZEND_MOD_END
};

zend_module_entry mih_module_entry = {
	STANDARD_MODULE_HEADER_EX,
	NULL,
	mih_deps,
	"mih",
	NULL,
	PHP_MINIT(mih),
	PHP_MSHUTDOWN(mih),
	PHP_RINIT(mih),
	PHP_RSHUTDOWN(mih),
	PHP_MINFO(mih),
	PHP_MIH_VERSION,
	PHP_MODULE_GLOBALS(mih),
	PHP_GINIT(mih),
	PHP_GSHUTDOWN(mih),
	NULL,
	STANDARD_MODULE_PROPERTIES_EX
};

#ifdef COMPILE_DL_MIH
# ifdef ZTS
ZEND_TSRMLS_CACHE_DEFINE()
# endif
ZEND_GET_MODULE(mih)
#endif
