/* local_integrationhub\internal\soap_client: the SoapClient mih calls soap
 * services through (see mih_soap_client.h), and the outbound policy checks
 * SoapClient cannot make itself: each call's endpoint address, and each
 * document a WSDL loads. */
#include "mih_private.h"
#include "mih_soap.h"
#include "mih_soap_client.h"
#include "netpolicy.h"

#include "ext/standard/url.h"
#include "mih_soap_arginfo.h"

#include <netdb.h>
#include <strings.h>

/* A URL's host, port and every address it resolves to, against the
 * outbound policy (SoapClient connects by itself, past libcurl's socket
 * callback). A name that does not resolve here passes (through a proxy,
 * the proxy resolves it; direct, the connection then fails). Returns 0, or
 * -1 with why set; *parsed is false when the URL does not parse. */
int php_mih_soap_check_url(const char *target, bool *parsed, char *why, size_t whylen)
{
	mih_net_policy *policy = php_mih_policy();
	php_url *url;
	char port[8];
	struct addrinfo hints, *res = NULL, *ai;
	long portnum;
	int rc = 0;

	*parsed = true;
	if (!policy || mih_net_policy_is_empty(policy)) {
		return 0;
	}
	url = php_url_parse(target);
	if (!url || !url->host) {
		if (url) {
			php_url_free(url);
		}
		*parsed = false;
		snprintf(why, whylen, "the URL does not parse");
		return -1;
	}
	portnum = url->port ? url->port : (url->scheme && zend_string_equals_literal_ci(url->scheme, "https") ? 443 : 80);
	if (mih_net_check_host(policy, ZSTR_VAL(url->host), why, whylen) == MIH_NET_BLOCKED
			|| mih_net_check_port(policy, portnum, why, whylen) == MIH_NET_BLOCKED) {
		rc = -1;
	} else {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		snprintf(port, sizeof(port), "%ld", portnum);
		if (getaddrinfo(ZSTR_VAL(url->host), port, &hints, &res) == 0) {
			for (ai = res; ai && rc == 0; ai = ai->ai_next) {
				if (mih_net_check_addr(policy, ai->ai_addr, ai->ai_addrlen, why, whylen) == MIH_NET_BLOCKED) {
					rc = -1;
				}
			}
			freeaddrinfo(res);
		}
	}
	php_url_free(url);
	return rc;
}


/* local_integrationhub\internal\soap_client, when ext/soap is loaded. */
static zend_class_entry *soap_client_ce;

/* Why the last call's endpoint or a document of its WSDL was refused (for
 * exception_outcome(), through php_mih_soap_client_refusal()): the
 * refusal comes back from SoapClient as the Error the check threw, or as
 * the WSDL fault of a document the loader did not load. */
ZEND_TLS bool endpoint_refused;
ZEND_TLS char endpoint_why[300];

/* Whether url's host goes the way taken (through the proxy or direct), as
 * the bypass list sends it: SoapClient sends a whole call, and loads a
 * whole WSDL, one way, so a host the list sends the other way is refused,
 * as a redirect that changes route is for HTTP transfers. via_text and
 * direct_text end the message for the way taken. Returns 0 (also for a URL
 * that does not parse: php_mih_soap_check_url() judges that), or -1 with
 * why set. */
static int check_route(const char *target, bool taken, const char *via_text, const char *direct_text,
	char *why, size_t whylen)
{
	const mih_proxy *proxy = php_mih_proxy();
	php_url *url;
	bool via;

	if (!proxy) {
		return 0;
	}
	url = php_url_parse(target);
	if (!url || !url->host) {
		if (url) {
			php_url_free(url);
		}
		return 0;
	}
	via = !mih_proxy_bypassed(proxy, ZSTR_VAL(url->host));
	if (via != taken) {
		snprintf(why, whylen, "%.100s %s the proxy (proxy_bypass) and %s", ZSTR_VAL(url->host),
			via ? "goes through" : "bypasses", taken ? via_text : direct_text);
	}
	php_url_free(url);
	return via != taken ? -1 : 0;
}

/* The route SoapClient takes for a call: its own proxy option, as mih set it. */
static bool client_via_proxy(zend_object *client)
{
	zval rv, *host = zend_read_property(soap_client_ce->parent, client, "_proxy_host", sizeof("_proxy_host") - 1,
		1, &rv);

	return Z_TYPE_P(host) == IS_STRING && Z_STRLEN_P(host) > 0;
}

void php_mih_soap_minit(void)
{
	zend_class_entry *parent = zend_hash_str_find_ptr(CG(class_table), "soapclient", sizeof("soapclient") - 1);

	if (parent) {
		soap_client_ce = register_class_local_integrationhub_internal_soap_client(parent);
	}
}

/* SoapClient sends each call to the endpoint address the WSDL names
 * (soap:address), which may be another host than the WSDL's: checked here,
 * before SoapClient connects, as every HTTP transfer's address is. A
 * refusal is thrown as an Error, which SoapClient lets through unchanged. */
ZEND_METHOD(local_integrationhub_internal_soap_client, __doRequest)
{
	zend_string *request, *location, *action;
	zend_long version;
	bool one_way = false;
	zend_function *send;
	char why[256];
	bool parsed;

	ZEND_PARSE_PARAMETERS_START(4, 5)
		Z_PARAM_STR(request)
		Z_PARAM_STR(location)
		Z_PARAM_STR(action)
		Z_PARAM_LONG(version)
		Z_PARAM_OPTIONAL
		Z_PARAM_BOOL(one_way)
	ZEND_PARSE_PARAMETERS_END();
	(void)request; (void)action; (void)version; (void)one_way;

	if (php_mih_soap_check_url(ZSTR_VAL(location), &parsed, why, sizeof(why)) != 0
			|| check_route(ZSTR_VAL(location), client_via_proxy(Z_OBJ_P(ZEND_THIS)), "this call goes through it",
				"this call goes direct", why, sizeof(why)) != 0) {
		endpoint_refused = true;
		if (!parsed) {
			snprintf(endpoint_why, sizeof(endpoint_why), "the endpoint address in the WSDL does not parse");
		} else {
			snprintf(endpoint_why, sizeof(endpoint_why), "the endpoint address in the WSDL: %s", why);
		}
		zend_throw_error(NULL, "%s", endpoint_why);
		RETURN_THROWS();
	}
	send = zend_hash_str_find_ptr(&soap_client_ce->parent->function_table, "__dorequest", sizeof("__dorequest") - 1);
	if (!send) {
		zend_throw_error(NULL, "SoapClient::__doRequest() not found");
		RETURN_THROWS();
	}
	zend_call_known_function(send, Z_OBJ_P(ZEND_THIS), Z_OBJCE_P(ZEND_THIS), return_value,
		ZEND_NUM_ARGS(), ZEND_CALL_ARG(execute_data, 1), NULL);
}


/* The route of the WSDL being loaded: through the proxy or direct. */
ZEND_TLS bool loading_via_proxy;

/* While a SoapClient of mih's loads its WSDL, libxml asks this loader for
 * the WSDL and every document it imports (xsd:import, wsdl:import, ...),
 * which SoapClient fetches with the service's headers: each must be http
 * or https and pass the outbound policy and the route, else it is not
 * loaded (null) and the call reports why. */
ZEND_METHOD(local_integrationhub_internal_soap_client, load_entity)
{
	zend_string *public_id, *system_id;
	HashTable *context;
	char why[256];
	bool parsed;
	const char *id;

	ZEND_PARSE_PARAMETERS_START(3, 3)
		Z_PARAM_STR_OR_NULL(public_id)
		Z_PARAM_STR(system_id)
		Z_PARAM_ARRAY_HT(context)
	ZEND_PARSE_PARAMETERS_END();
	(void)public_id; (void)context;

	id = ZSTR_VAL(system_id);
	if (strncasecmp(id, "http://", 7) != 0 && strncasecmp(id, "https://", 8) != 0) {
		snprintf(why, sizeof(why), "it is not an http(s) URL");
	} else if (php_mih_soap_check_url(id, &parsed, why, sizeof(why)) == 0
			&& check_route(id, loading_via_proxy, "the WSDL went through it", "the WSDL went direct", why, sizeof(why)) == 0) {
		RETURN_STR_COPY(system_id);
	}
	if (!endpoint_refused) {
		endpoint_refused = true;
		snprintf(endpoint_why, sizeof(endpoint_why), "a document the WSDL loads was refused: %s", why);
	}
	RETURN_NULL();
}

bool php_mih_soap_guard_entities(zval *old)
{
	zval fn, cb, ret;
	bool ok;

	ZVAL_UNDEF(old);
	if (!zend_hash_str_exists(EG(function_table), "libxml_set_external_entity_loader",
			sizeof("libxml_set_external_entity_loader") - 1)
			|| !zend_hash_str_exists(EG(function_table), "libxml_get_external_entity_loader",
			sizeof("libxml_get_external_entity_loader") - 1)) {
		return false;
	}
	ZVAL_STRING(&fn, "libxml_get_external_entity_loader");
	ok = call_user_function(NULL, NULL, &fn, old, 0, NULL) == SUCCESS && !EG(exception);
	zval_ptr_dtor(&fn);
	if (!ok) {
		zval_ptr_dtor(old);
		ZVAL_UNDEF(old);
		return false;
	}
	array_init(&cb);
	add_next_index_str(&cb, zend_string_copy(soap_client_ce->name));
	add_next_index_string(&cb, "load_entity");
	ZVAL_STRING(&fn, "libxml_set_external_entity_loader");
	ZVAL_UNDEF(&ret);
	ok = call_user_function(NULL, NULL, &fn, &ret, 1, &cb) == SUCCESS && !EG(exception);
	zval_ptr_dtor(&fn);
	zval_ptr_dtor(&cb);
	zval_ptr_dtor(&ret);
	if (!ok) {
		zval_ptr_dtor(old);
		ZVAL_UNDEF(old);
	}
	return ok;
}

void php_mih_soap_unguard_entities(zval *old)
{
	zval fn, ret, args[1];
	if (Z_ISUNDEF_P(old)) {
		ZVAL_NULL(&args[0]);
	} else {
		ZVAL_COPY_VALUE(&args[0], old);
	}
	ZVAL_STRING(&fn, "libxml_set_external_entity_loader");
	ZVAL_UNDEF(&ret);
	call_user_function(NULL, NULL, &fn, &ret, 1, args);
	zval_ptr_dtor(&fn);
	zval_ptr_dtor(&ret);
	zval_ptr_dtor(old);
	ZVAL_UNDEF(old);
	if (EG(exception)) {
		zend_clear_exception();
	}
}

void php_mih_soap_client_begin(bool via_proxy)
{
	endpoint_refused = false;
	loading_via_proxy = via_proxy;
}

const char *php_mih_soap_client_refusal(void)
{
	if (!endpoint_refused) {
		return NULL;
	}
	endpoint_refused = false;
	return endpoint_why;
}

zend_class_entry *php_mih_soap_client_class(void)
{
	return soap_client_ce;
}
