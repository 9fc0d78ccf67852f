/* The outbound proxy's settings: the host's (mih.proxy_* INI, PHP_INI_SYSTEM)
 * and the site's (the proxy_* keys of mih::configure(), which the Moodle
 * plugin fills from Site administration > Server > HTTP > Web proxy). The
 * site's, once given, replace the host's as a whole: a proxy is a route, not
 * a restriction, and the outbound policy applies to the target either way.
 * The password is a secret: no message, read-back or phpinfo() shows it. */
#include "mih_private.h"

static const char *const proxy_keys[] = {
	"proxy_host", "proxy_port", "proxy_type", "proxy_user", "proxy_password", "proxy_bypass", NULL
};

bool php_mih_is_proxy_key(const zend_string *key)
{
	size_t i;

	for (i = 0; proxy_keys[i]; i++) {
		if (zend_string_equals_cstr(key, proxy_keys[i], strlen(proxy_keys[i]))) {
			return true;
		}
	}
	return false;
}

static zend_result string_setting(HashTable *ht, const char *key, const char **s, size_t *len)
{
	zval *v = zend_hash_str_find(ht, key, strlen(key));

	*s = NULL;
	*len = 0;
	if (v) {
		ZVAL_DEREF(v);
	}
	if (!v || Z_TYPE_P(v) == IS_NULL) {
		return SUCCESS;
	}
	if (Z_TYPE_P(v) != IS_STRING) {
		zend_argument_type_error(1, "setting \"%s\" must be of type ?string, %s given", key, zend_zval_type_name(v));
		return FAILURE;
	}
	*s = Z_STRVAL_P(v);
	*len = Z_STRLEN_P(v);
	return SUCCESS;
}

static zend_result port_setting(HashTable *ht, long *port)
{
	zval *v = zend_hash_str_find(ht, "proxy_port", sizeof("proxy_port") - 1);
	zend_long n = 0;

	*port = 0;
	if (v) {
		ZVAL_DEREF(v);
	}
	if (!v || Z_TYPE_P(v) == IS_NULL || (Z_TYPE_P(v) == IS_STRING && Z_STRLEN_P(v) == 0)) {
		return SUCCESS;   /* Moodle's proxyport is 0 or "" when unset */
	}
	if (Z_TYPE_P(v) == IS_LONG) {
		n = Z_LVAL_P(v);
	} else if (Z_TYPE_P(v) != IS_STRING || is_numeric_string(Z_STRVAL_P(v), Z_STRLEN_P(v), &n, NULL, false)
			!= IS_LONG) {
		zend_argument_value_error(1, "setting \"proxy_port\" must be a port number (0: libcurl's default)");
		return FAILURE;
	}
	*port = (long)n;
	return SUCCESS;
}

/* The proxy of a configure() group (hash of the proxy_* keys), bypass
 * entries included; NULL with an exception thrown. */
static mih_proxy *proxy_from_settings(HashTable *ht)
{
	mih_proxy_settings s;
	mih_proxy *p;
	zval *bypass, *entry;
	char err[256];

	memset(&s, 0, sizeof(s));
	if (string_setting(ht, "proxy_host", &s.host, &s.host_len) != SUCCESS
			|| port_setting(ht, &s.port) != SUCCESS
			|| string_setting(ht, "proxy_type", &s.type, &s.type_len) != SUCCESS
			|| string_setting(ht, "proxy_user", &s.user, &s.user_len) != SUCCESS
			|| string_setting(ht, "proxy_password", &s.password, &s.password_len) != SUCCESS) {
		return NULL;
	}
	bypass = zend_hash_str_find(ht, "proxy_bypass", sizeof("proxy_bypass") - 1);
	if (bypass) {
		ZVAL_DEREF(bypass);
	}
	if (bypass && Z_TYPE_P(bypass) != IS_NULL && Z_TYPE_P(bypass) != IS_ARRAY) {
		zend_argument_type_error(1, "setting \"proxy_bypass\" must be of type ?array, %s given",
			zend_zval_type_name(bypass));
		return NULL;
	}
	if (bypass && Z_TYPE_P(bypass) == IS_ARRAY) {
		ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(bypass), entry) {
			ZVAL_DEREF(entry);
			if (Z_TYPE_P(entry) != IS_STRING) {
				zend_argument_type_error(1, "setting \"proxy_bypass\" entries must be strings, %s given",
					zend_zval_type_name(entry));
				return NULL;
			}
			if (php_mih_check_no_nul_in(Z_STRVAL_P(entry), Z_STRLEN_P(entry), 1,
					"setting \"proxy_bypass\" entries") != SUCCESS) {
				return NULL;
			}
		} ZEND_HASH_FOREACH_END();
	}
	p = mih_proxy_new(&s, err, sizeof(err));
	if (!p) {
		if (err[0]) {
			zend_argument_value_error(1, "has a bad proxy setting: %s", err);
		} else {
			zend_throw_error(NULL, "mih: out of memory");
		}
		return NULL;
	}
	if (bypass && Z_TYPE_P(bypass) == IS_ARRAY) {
		ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(bypass), entry) {
			ZVAL_DEREF(entry);
			if (mih_proxy_add_bypass(p, Z_STRVAL_P(entry), Z_STRLEN_P(entry)) != 0) {
				mih_proxy_free(p);
				zend_throw_error(NULL, "mih: out of memory");
				return NULL;
			}
		} ZEND_HASH_FOREACH_END();
	}
	return p;
}

zend_result php_mih_proxy_validate(HashTable *group)
{
	mih_proxy *p = proxy_from_settings(group);

	if (!p) {
		return FAILURE;
	}
	mih_proxy_free(p);
	return SUCCESS;
}

/* Takes the group (validated): the site's proxy from now on. */
void php_mih_proxy_configure(HashTable *group)
{
	if (MIH_G(cfg_proxy)) {
		zend_array_release(MIH_G(cfg_proxy));
	}
	MIH_G(cfg_proxy) = group;
}

void php_mih_proxy_release_request(void)
{
	if (MIH_G(cfg_proxy)) {
		zend_array_release(MIH_G(cfg_proxy));
		MIH_G(cfg_proxy) = NULL;
	}
}

/* The host's proxy from the INI settings; each was checked when set, their
 * combination is checked here: a bad one leaves transfers direct, with a
 * warning (the policy applies to them all the same). */
static mih_proxy *proxy_from_ini(void)
{
	mih_proxy_settings s;
	mih_proxy *p;
	char err[256];
	const char *type = MIH_G(proxy_type) ? MIH_G(proxy_type) : "";
	const char *host = MIH_G(proxy_host) ? MIH_G(proxy_host) : "";
	const char *user = MIH_G(proxy_user) ? MIH_G(proxy_user) : "";
	const char *password = MIH_G(proxy_password) ? MIH_G(proxy_password) : "";

	memset(&s, 0, sizeof(s));
	s.host = host;
	s.host_len = strlen(host);
	s.port = (long)MIH_G(proxy_port);
	s.type = type;
	s.type_len = strlen(type);
	s.user = user;
	s.user_len = strlen(user);
	s.password = password;
	s.password_len = strlen(password);
	p = mih_proxy_new(&s, err, sizeof(err));
	if (!p) {
		if (err[0]) {
			php_error_docref(NULL, E_WARNING, "mih.proxy_* settings: %s; transfers go direct", err);
		}
		return NULL;
	}
	if (MIH_G(proxy_bypass) && mih_proxy_parse_bypass(p, MIH_G(proxy_bypass)) != 0) {
		mih_proxy_free(p);
		return NULL;
	}
	return p;
}

/* The proxy in force, NULL for none (direct, the environment ignored).
 * Built once per policy generation: php_mih_policy_invalidate() drops it. */
const mih_proxy *php_mih_proxy(void)
{
	if (!MIH_G(proxy_built)) {
		mih_proxy *p = MIH_G(cfg_proxy) ? proxy_from_settings(MIH_G(cfg_proxy)) : proxy_from_ini();

		if (!p && EG(exception)) {
			/* cannot happen (validated); never leave one pending */
			zend_clear_exception();
		}
		if (p && !mih_proxy_enabled(p)) {
			mih_proxy_free(p);
			p = NULL;
		}
		MIH_G(proxy) = p;
		MIH_G(proxy_built) = true;
	}
	return MIH_G(proxy);
}

void php_mih_proxy_invalidate(void)
{
	mih_proxy_free(MIH_G(proxy));
	MIH_G(proxy) = NULL;
	MIH_G(proxy_built) = false;
}

/* ---- INI validators ---- */

ZEND_INI_MH(php_mih_on_update_proxy_host)
{
	mih_proxy_settings s;
	mih_proxy *p;
	char err[256];

	memset(&s, 0, sizeof(s));
	s.host = ZSTR_VAL(new_value);
	s.host_len = ZSTR_LEN(new_value);
	p = mih_proxy_new(&s, err, sizeof(err));
	if (!p) {
		php_error_docref(NULL, E_WARNING, "mih.proxy_host: %s", err[0] ? err : "out of memory");
		return FAILURE;
	}
	mih_proxy_free(p);
	if (OnUpdateString(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage) != SUCCESS) {
		return FAILURE;
	}
	php_mih_policy_invalidate();
	return SUCCESS;
}

ZEND_INI_MH(php_mih_on_update_proxy_port)
{
	zend_long n = 0;

	(void)mh_arg1; (void)mh_arg2; (void)mh_arg3; (void)stage;
	if (ZSTR_LEN(new_value) > 0 && (is_numeric_string(ZSTR_VAL(new_value), ZSTR_LEN(new_value), &n, NULL, false)
			!= IS_LONG || n < 0 || n > 65535)) {
		php_error_docref(NULL, E_WARNING, "mih.proxy_port must be a port number from 0 to 65535 (0: libcurl's default, 1080)");
		return FAILURE;
	}
	MIH_G(proxy_port) = n;
	php_mih_policy_invalidate();
	(void)entry;
	return SUCCESS;
}

ZEND_INI_MH(php_mih_on_update_proxy_type)
{
	const char *v = ZSTR_VAL(new_value);

	if (ZSTR_LEN(new_value) > 0 && strcasecmp(v, "http") != 0 && strcasecmp(v, "socks5") != 0) {
		php_error_docref(NULL, E_WARNING, "mih.proxy_type must be http or socks5");
		return FAILURE;
	}
	if (OnUpdateString(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage) != SUCCESS) {
		return FAILURE;
	}
	php_mih_policy_invalidate();
	return SUCCESS;
}

ZEND_INI_MH(php_mih_on_update_proxy_string)
{
	if (OnUpdateString(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage) != SUCCESS) {
		return FAILURE;
	}
	php_mih_policy_invalidate();
	return SUCCESS;
}

/* phpinfo() says whether a password is set, never what it is. */
ZEND_INI_DISP(php_mih_display_proxy_password)
{
	zend_string *value = type == ZEND_INI_DISPLAY_ORIG && ini_entry->modified
		? ini_entry->orig_value : ini_entry->value;
	const char *text = value && ZSTR_LEN(value) > 0 ? "(set, not shown)" : "no value";

	php_printf("%s", text);
}
