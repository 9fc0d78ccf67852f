/* Outbound safety like Moodle's curlsecurityblockedhosts/allowedport:
 * the INI settings (the host's) and mih::configure() (the site's) feed one
 * policy per request. configure()'s proxy_* keys go to mih_proxy.c. */
#include "mih_private.h"

/* ---- outbound policy ------------------------------------------------ */

static zend_result fill_policy_hosts(mih_net_policy *p, zval *v)
{
	zval *entry;
	char err[256];

	if (Z_TYPE_P(v) != IS_ARRAY) {
		zend_argument_type_error(1, "setting \"blocked_hosts\" must be of type array, %s given",
			zend_zval_type_name(v));
		return FAILURE;
	}
	ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(v), entry) {
		ZVAL_DEREF(entry);
		if (Z_TYPE_P(entry) != IS_STRING) {
			zend_argument_type_error(1, "setting \"blocked_hosts\" entries must be strings, %s given",
				zend_zval_type_name(entry));
			return FAILURE;
		}
		if (php_mih_check_no_nul_in(Z_STRVAL_P(entry), Z_STRLEN_P(entry), 1, "setting \"blocked_hosts\" entries")
				!= SUCCESS) {
			return FAILURE;
		}
		if (mih_net_policy_add_blocked(p, Z_STRVAL_P(entry), Z_STRLEN_P(entry), err, sizeof(err)) != 0) {
			zend_argument_value_error(1, "setting \"blocked_hosts\": %s", err);
			return FAILURE;
		}
	} ZEND_HASH_FOREACH_END();
	return SUCCESS;
}

static zend_result fill_policy_ports(mih_net_policy *p, zval *v)
{
	zval *entry;
	char err[256];

	if (Z_TYPE_P(v) != IS_ARRAY) {
		zend_argument_type_error(1, "setting \"allowed_ports\" must be of type array, %s given",
			zend_zval_type_name(v));
		return FAILURE;
	}
	ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(v), entry) {
		zend_long port;

		ZVAL_DEREF(entry);
		if (Z_TYPE_P(entry) == IS_STRING && php_mih_check_no_nul_in(Z_STRVAL_P(entry), Z_STRLEN_P(entry), 1,
				"setting \"allowed_ports\" entries") != SUCCESS) {
			return FAILURE;
		}
		if (Z_TYPE_P(entry) == IS_LONG) {
			port = Z_LVAL_P(entry);
		} else if (Z_TYPE_P(entry) == IS_STRING && is_numeric_string(Z_STRVAL_P(entry), Z_STRLEN_P(entry),
				&port, NULL, false) == IS_LONG) {
			/* Moodle keeps its port list as text. */
		} else {
			zend_argument_value_error(1, "setting \"allowed_ports\" entries must be port numbers");
			return FAILURE;
		}
		if (mih_net_policy_add_allowed_port(p, (long)port, err, sizeof(err)) != 0) {
			zend_argument_value_error(1, "setting \"allowed_ports\": %s", err);
			return FAILURE;
		}
	} ZEND_HASH_FOREACH_END();
	return SUCCESS;
}

ZEND_METHOD(local_integrationhub_mih, configure)
{
	HashTable *settings;
	zend_string *key;
	zval *v, *hosts = NULL, *ports = NULL;
	HashTable *proxy = NULL;
	mih_net_policy *probe;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_ARRAY_HT(settings)
	ZEND_PARSE_PARAMETERS_END();

	ZEND_HASH_FOREACH_STR_KEY_VAL(settings, key, v) {
		/* A value passed by reference is read as its value. */
		ZVAL_DEREF(v);
		if (key && zend_string_equals_literal(key, "blocked_hosts")) {
			hosts = v;
		} else if (key && zend_string_equals_literal(key, "allowed_ports")) {
			ports = v;
		} else if (key && php_mih_is_proxy_key(key)) {
			/* The proxy_* keys are one group: given, they replace it whole. */
			if (!proxy) {
				proxy = zend_new_array(6);
			}
			Z_TRY_ADDREF_P(v);
			zend_hash_update(proxy, key, v);
		} else {
			if (proxy) {
				zend_array_release(proxy);
			}
			zend_argument_value_error(1, "contains unknown setting \"%s\" (known: blocked_hosts, allowed_ports, "
				"proxy_host, proxy_port, proxy_type, proxy_user, proxy_password, proxy_bypass)",
				key ? ZSTR_VAL(key) : "(numeric key)");
			RETURN_THROWS();
		}
	} ZEND_HASH_FOREACH_END();

	/* Validate everything before changing anything. */
	probe = mih_net_policy_new();
	if (!probe) {
		if (proxy) {
			zend_array_release(proxy);
		}
		zend_throw_error(NULL, "mih: out of memory");
		RETURN_THROWS();
	}
	if ((hosts && fill_policy_hosts(probe, hosts) != SUCCESS) || (ports && fill_policy_ports(probe, ports) != SUCCESS)
			|| (proxy && php_mih_proxy_validate(proxy) != SUCCESS)) {
		mih_net_policy_free(probe);
		if (proxy) {
			zend_array_release(proxy);
		}
		RETURN_THROWS();
	}
	mih_net_policy_free(probe);
	if (proxy) {
		php_mih_proxy_configure(proxy);
	}
	/* A setting not given keeps its current value. */
	if (hosts) {
		if (MIH_G(cfg_hosts)) {
			zend_array_release(MIH_G(cfg_hosts));
		}
		MIH_G(cfg_hosts) = zend_array_dup(Z_ARRVAL_P(hosts));
	}
	if (ports) {
		if (MIH_G(cfg_ports)) {
			zend_array_release(MIH_G(cfg_ports));
		}
		MIH_G(cfg_ports) = zend_array_dup(Z_ARRVAL_P(ports));
	}
	php_mih_policy_invalidate();
}

/* A policy of the host's INI lists alone (validated when they were set). */
static mih_net_policy *new_host_policy(void)
{
	mih_net_policy *p = mih_net_policy_new();
	char err[256];

	if (!p) {
		return NULL;
	}
	if (MIH_G(blocked_hosts)) {
		mih_net_policy_parse_hosts(p, MIH_G(blocked_hosts), err, sizeof(err));
	}
	if (MIH_G(allowed_ports)) {
		mih_net_policy_parse_ports(p, MIH_G(allowed_ports), err, sizeof(err));
	}
	return p;
}

/* The policy in force. The INI lists are the host's (PHP_INI_SYSTEM): what
 * mih::configure() gives for the site is added to them and cannot lift
 * them. Its blocked hosts are blocked too; its allowed ports narrow the
 * INI's list, and a port neither list allows is refused. */
mih_net_policy *php_mih_policy(void)
{
	mih_net_policy *p, *site_ports;
	zval zv;

	if (MIH_G(policy)) {
		return MIH_G(policy);
	}
	p = new_host_policy();
	if (!p) {
		return NULL;
	}
	if (MIH_G(cfg_hosts)) {
		ZVAL_ARR(&zv, MIH_G(cfg_hosts));
		fill_policy_hosts(p, &zv);
	}
	/* Without memory for the site's list the host's applies alone. */
	if (MIH_G(cfg_ports) && (site_ports = mih_net_policy_new()) != NULL) {
		ZVAL_ARR(&zv, MIH_G(cfg_ports));
		fill_policy_ports(site_ports, &zv);
		mih_net_policy_restrict_ports(p, site_ports);
		mih_net_policy_free(site_ports);
	}
	MIH_G(policy) = p;
	return p;
}

static mih_net_policy *host_policy(void)
{
	if (!MIH_G(host_policy)) {
		MIH_G(host_policy) = new_host_policy();
	}
	return MIH_G(host_policy);
}

/* A site's proxy is the site's choice: exempt from the site's lists (it
 * is typically on a private network the site blocks), never from the
 * host's, which configure() cannot lift. The host's own proxy (mih.proxy_*)
 * is exempt from both: the host chose it. */
const mih_net_policy *php_mih_proxy_policy(void)
{
	mih_net_policy *p;

	if (!MIH_G(cfg_proxy)) {
		return NULL;
	}
	p = host_policy();
	/* Without memory for it, the whole policy applies rather than none. */
	return p ? p : php_mih_policy();
}

/* Every verdict remembered under the policy before (the URL memos compare
 * the generation) no longer holds. */
void php_mih_policy_invalidate(void)
{
	MIH_G(policy_gen)++;
	php_mih_proxy_invalidate();
	if (MIH_G(policy)) {
		mih_net_policy_free(MIH_G(policy));
		MIH_G(policy) = NULL;
	}
	if (MIH_G(host_policy)) {
		mih_net_policy_free(MIH_G(host_policy));
		MIH_G(host_policy) = NULL;
	}
}

