/* SOAP delivery through PHP's SoapClient (see mih_soap.h). */
#include "mih_private.h"
#include "mih_soap.h"
#include "netpolicy.h"

#include "ext/standard/url.h"
#include "mih_soap_client.h"

#include <math.h>
#include <stdarg.h>
#include <netdb.h>
#include <strings.h>

static void set_error(mih_http_response *resp, mih_http_outcome outcome, long status, const char *fmt, ...)
{
	va_list ap;

	resp->outcome = outcome;
	resp->status = status;
	if (status) {
		snprintf(resp->reason, sizeof(resp->reason), "%s", status >= 500 ? "SOAP Fault (Server)" : "SOAP Fault");
	}
	va_start(ap, fmt);
	vsnprintf(resp->error, sizeof(resp->error), fmt, ap);
	va_end(ap);
}

/* The WSDL's URL against the outbound policy. Returns 0, or -1 with resp set. */
static int check_policy(const mih_service *svc, mih_http_response *resp)
{
	char why[256];
	bool parsed;

	if (php_mih_soap_check_url(svc->base_url, &parsed, why, sizeof(why)) == 0) {
		return 0;
	}
	if (!parsed) {
		set_error(resp, MIH_HTTP_SETUP_ERROR, 0, "the WSDL URL of service \"%s\" does not parse", svc->name);
	} else {
		set_error(resp, MIH_HTTP_BLOCKED, 0, "%s", why);
	}
	return -1;
}

/* The HTTP headers SoapClient adds to its own: the lines but those it
 * writes itself and the webhook signature. */
static zend_string *extra_headers(HashTable *lines)
{
	smart_str out = {0};
	zval *line;

	if (!lines) {
		return NULL;
	}
	ZEND_HASH_FOREACH_VAL(lines, line) {
		const char *t = Z_STRVAL_P(line);
		if (strncasecmp(t, "Content-Type:", 13) == 0 || strncasecmp(t, "Accept:", 7) == 0
				|| strncasecmp(t, "User-Agent:", 11) == 0 || strncasecmp(t, "webhook-", 8) == 0) {
			continue;
		}
		if (out.s) {
			smart_str_appendl(&out, "\r\n", 2);
		}
		smart_str_append(&out, Z_STR_P(line));
	} ZEND_HASH_FOREACH_END();
	smart_str_0(&out);
	return out.s;
}

static zend_result make_context(HashTable *lines, double timeout, zval *ctx)
{
	zval fn, args[1], http, opts;
	zend_string *headers = extra_headers(lines);
	zend_result rc;

	array_init(&opts);
	array_init(&http);
	add_assoc_double(&http, "timeout", timeout);
	/* No redirect is followed, for the WSDL or a call: SoapClient would
	 * connect to where it leads without the policy seeing it. */
	add_assoc_long(&http, "max_redirects", 1);
	if (headers) {
		add_assoc_str(&http, "header", headers);
	}
	add_assoc_zval(&opts, "http", &http);
	ZVAL_COPY_VALUE(&args[0], &opts);
	ZVAL_STRING(&fn, "stream_context_create");
	rc = call_user_function(NULL, NULL, &fn, ctx, 1, args);
	zval_ptr_dtor(&fn);
	zval_ptr_dtor(&opts);
	return rc == SUCCESS && Z_TYPE_P(ctx) == IS_RESOURCE ? SUCCESS : FAILURE;
}

/* The web proxy a call to svc goes through (NULL: direct), as for HTTP
 * transfers: the configured proxy unless the WSDL's host is in its bypass
 * list. SoapClient speaks only HTTP to a proxy (CONNECT for https), so a
 * SOCKS5 proxy is refused rather than gone around. The connection to the
 * proxy is held to the host's own lists when the site configured it (as
 * for HTTP transfers: exempt from the site's lists, never from the
 * host's), and exempt when the host set it (mih.proxy_*). Returns 0, or -1
 * with resp set. */
static int soap_route(const mih_service *svc, const mih_proxy **route, mih_http_response *resp)
{
	const mih_proxy *proxy = php_mih_proxy();
	const mih_net_policy *policy;
	php_url *url;
	bool bypassed;
	struct sockaddr_storage addrs[8];
	size_t n, i;
	char why[256];

	*route = NULL;
	if (!proxy) {
		return 0;
	}
	url = php_url_parse(svc->base_url);
	if (!url || !url->host) {
		if (url) {
			php_url_free(url);
		}
		set_error(resp, MIH_HTTP_SETUP_ERROR, 0, "the WSDL URL of service \"%s\" does not parse", svc->name);
		return -1;
	}
	/* php_url keeps an IPv6 literal's brackets, as the bypass list expects. */
	bypassed = mih_proxy_bypassed(proxy, ZSTR_VAL(url->host));
	php_url_free(url);
	if (bypassed) {
		return 0;
	}
	if (mih_proxy_get_type(proxy) != MIH_PROXY_HTTP) {
		set_error(resp, MIH_HTTP_SETUP_ERROR, 0, "service \"%s\" is a soap service and the web proxy %s is SOCKS5: "
			"PHP's SoapClient goes only through an HTTP proxy (add the WSDL's host to proxy_bypass to call it direct)",
			svc->name, mih_proxy_display(proxy));
		return -1;
	}
	policy = php_mih_proxy_policy();
	if (policy && !mih_net_policy_is_empty(policy)) {
		if (mih_net_check_port(policy, mih_proxy_port(proxy), why, sizeof(why)) == MIH_NET_BLOCKED) {
			set_error(resp, MIH_HTTP_BLOCKED, 0, "the proxy %s: %s", mih_proxy_display(proxy), why);
			return -1;
		}
		n = mih_proxy_resolve(proxy, addrs, sizeof(addrs) / sizeof(addrs[0]));
		for (i = 0; i < n; i++) {
			if (mih_net_check_addr(policy, (const struct sockaddr *)&addrs[i], sizeof(addrs[i]), why, sizeof(why))
					== MIH_NET_BLOCKED) {
				set_error(resp, MIH_HTTP_BLOCKED, 0, "the proxy %s: %s", mih_proxy_display(proxy), why);
				return -1;
			}
		}
	}
	*route = proxy;
	return 0;
}

/* SoapClient's proxy options: proxy_host as it writes it into
 * "tcp://host:port" (an IPv6 literal in brackets: mih_proxy_display()'s
 * host part), proxy_port, and the credentials when set (Basic). */
static void add_proxy_options(zval *options, const mih_proxy *proxy)
{
	const char *display = mih_proxy_display(proxy);
	const char *colon = strrchr(display, ':');

	add_assoc_stringl(options, "proxy_host", display, colon ? (size_t)(colon - display) : strlen(display));
	add_assoc_long(options, "proxy_port", (zend_long)mih_proxy_port(proxy));
	if (mih_proxy_user(proxy)) {
		add_assoc_string(options, "proxy_login", mih_proxy_user(proxy));
		add_assoc_string(options, "proxy_password", mih_proxy_password(proxy));
	}
}

/* Turns the pending exception into the outcome, and clears it. */
static void exception_outcome(const mih_service *svc, mih_http_response *resp)
{
	zend_object *ex = EG(exception);
	zend_class_entry *fault_ce;
	const char *refusal;
	zend_string *fault_name = zend_string_init("SoapFault", 9, 0);
	zval rv1, rv2, *code, *msg;

	fault_ce = zend_lookup_class(fault_name);
	zend_string_release(fault_name);
	if ((refusal = php_mih_soap_client_refusal()) != NULL) {
		set_error(resp, MIH_HTTP_BLOCKED, 0, "%s", refusal);
		zend_clear_exception();
		return;
	}
	if (!fault_ce || !instanceof_function(ex->ce, fault_ce)) {
		zval rv, *m = zend_read_property(zend_get_exception_base(ex), ex, "message", 7, 1, &rv);
		set_error(resp, MIH_HTTP_SETUP_ERROR, 0, "SOAP call to service \"%s\" failed: %s: %s", svc->name,
			ZSTR_VAL(ex->ce->name), Z_TYPE_P(m) == IS_STRING ? Z_STRVAL_P(m) : "");
		zend_clear_exception();
		return;
	}
	code = zend_read_property(fault_ce, ex, "faultcode", 9, 1, &rv1);
	msg = zend_read_property(fault_ce, ex, "faultstring", 11, 1, &rv2);
	{
		const char *c = Z_TYPE_P(code) == IS_STRING ? Z_STRVAL_P(code) : "";
		const char *m = Z_TYPE_P(msg) == IS_STRING ? Z_STRVAL_P(msg) : "";
		const char *local = strchr(c, ':') ? strchr(c, ':') + 1 : c;
		if (strcmp(c, "HTTP") == 0 && strcmp(m, "Redirection limit reached, aborting") == 0) {
			set_error(resp, MIH_HTTP_BLOCKED, 0, "the SOAP endpoint of service \"%s\" answered with a redirect, which "
				"soap services do not follow (where it leads cannot be checked against the outbound policy): "
				"the WSDL must name the final address", svc->name);
		} else if (strcmp(c, "HTTP") == 0 || strcmp(c, "WSDL") == 0) {
			set_error(resp, MIH_HTTP_CONNECT_ERROR, 0, "SOAP fault %s: %s", c, m);
		} else if (strcasecmp(local, "Server") == 0 || strcasecmp(local, "Receiver") == 0
				|| strncasecmp(local, "Server.", 7) == 0) {
			set_error(resp, MIH_HTTP_ANSWERED, 500, "SOAP fault %s: %s", c, m);
		} else {
			set_error(resp, MIH_HTTP_ANSWERED, 400, "SOAP fault %s: %s", c, m);
		}
	}
	zend_clear_exception();
}

/* default_socket_timeout bounds SoapClient's reads; set for the call. */
static zend_string *swap_socket_timeout(double timeout)
{
	zend_string *name = zend_string_init("default_socket_timeout", sizeof("default_socket_timeout") - 1, 0);
	zend_string *old = zend_ini_get_value(name) ? zend_string_copy(zend_ini_get_value(name)) : NULL;
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", (long)ceil(MAX(timeout, 1)));
	zend_alter_ini_entry_chars(name, buf, strlen(buf), PHP_INI_USER, PHP_INI_STAGE_RUNTIME);
	zend_string_release(name);
	return old;
}

static void restore_socket_timeout(zend_string *old)
{
	zend_string *name = zend_string_init("default_socket_timeout", sizeof("default_socket_timeout") - 1, 0);

	if (old) {
		zend_alter_ini_entry_chars(name, ZSTR_VAL(old), ZSTR_LEN(old), PHP_INI_USER, PHP_INI_STAGE_RUNTIME);
		zend_string_release(old);
	}
	zend_string_release(name);
}

void php_mih_soap_call(const mih_service *svc, const char *operation, const char *body, size_t body_len,
	HashTable *lines, double timeout, double connect_timeout, mih_http_response *resp)
{
	zend_class_entry *ce = php_mih_soap_client_class();
	zval client, wsdl, options, ctx, decoded, fn, args[2], params, retval;
	zend_string *old_timeout;
	smart_str json = {0};
	const mih_proxy *route = NULL;
	zval old_loader;

	while (operation && *operation == '/') {
		operation++;
	}
	if (!ce) {
		set_error(resp, MIH_HTTP_SETUP_ERROR, 0, zend_hash_str_exists(CG(class_table), "soapclient", sizeof("soapclient") - 1)
			? "SOAP is not available: PHP's soap extension was loaded after mih (load it before, as Debian's conf.d does)"
			: "SOAP is not available: PHP's soap extension (php8.2-soap) is not loaded");
		return;
	}
	if (!operation || !*operation) {
		set_error(resp, MIH_HTTP_SETUP_ERROR, 0, "a soap delivery needs the operation's name as its endpoint");
		return;
	}
	ZVAL_UNDEF(&decoded);
	if (body_len == 0) {
		array_init(&decoded);
	} else if (php_json_decode_ex(&decoded, body, body_len, PHP_JSON_OBJECT_AS_ARRAY, 512) != SUCCESS) {
		set_error(resp, MIH_HTTP_SETUP_ERROR, 0, "the payload of a soap delivery must be JSON (the operation's argument)");
		return;
	}
	if (check_policy(svc, resp) != 0 || soap_route(svc, &route, resp) != 0) {
		zval_ptr_dtor(&decoded);
		return;
	}
	if (make_context(lines, timeout, &ctx) != SUCCESS) {
		zval_ptr_dtor(&decoded);
		if (EG(exception)) {
			zend_clear_exception();
		}
		set_error(resp, MIH_HTTP_SETUP_ERROR, 0, "could not create the stream context of a SOAP call");
		return;
	}
	array_init(&options);
	add_assoc_long(&options, "connection_timeout", (zend_long)ceil(MAX(connect_timeout, 1)));
	add_assoc_bool(&options, "exceptions", 1);
	add_assoc_long(&options, "cache_wsdl", 2 /* WSDL_CACHE_MEMORY: once per process */);
	add_assoc_bool(&options, "keep_alive", 1);
	add_assoc_string(&options, "user_agent", "mih/" PHP_MIH_VERSION);
	add_assoc_zval(&options, "stream_context", &ctx);
	php_mih_soap_client_begin(route != NULL);
	if (route) {
		add_proxy_options(&options, route);
	}
	ZVAL_STRING(&wsdl, svc->base_url);

	ZVAL_UNDEF(&client);
	if (!php_mih_soap_guard_entities(&old_loader)) {
		if (EG(exception)) {
			zend_clear_exception();
		}
		set_error(resp, MIH_HTTP_SETUP_ERROR, 0, "could not set libxml's entity loader that checks what a WSDL imports");
		zval_ptr_dtor(&wsdl);
		zval_ptr_dtor(&options);
		zval_ptr_dtor(&decoded);
		return;
	}
	old_timeout = swap_socket_timeout(timeout);
	object_init_ex(&client, ce);
	zend_call_known_instance_method_with_2_params(ce->constructor, Z_OBJ(client), NULL, &wsdl, &options);
	if (EG(exception)) {
		exception_outcome(svc, resp);
		php_mih_soap_unguard_entities(&old_loader);
	} else {
		/* The WSDL and its imports are loaded (SoapClient keeps them). */
		php_mih_soap_unguard_entities(&old_loader);
		ZVAL_STRING(&args[0], operation);
		array_init(&params);
		add_next_index_zval(&params, &decoded);
		ZVAL_UNDEF(&decoded);
		ZVAL_COPY_VALUE(&args[1], &params);
		ZVAL_STRING(&fn, "__soapCall");
		ZVAL_UNDEF(&retval);
		if (call_user_function(NULL, &client, &fn, &retval, 2, args) != SUCCESS || EG(exception)) {
			if (EG(exception)) {
				exception_outcome(svc, resp);
			} else {
				set_error(resp, MIH_HTTP_SETUP_ERROR, 0, "SoapClient::__soapCall() could not be called");
			}
		} else {
			php_json_encode(&json, &retval, PHP_JSON_UNESCAPED_SLASHES | PHP_JSON_UNESCAPED_UNICODE
				| PHP_JSON_PARTIAL_OUTPUT_ON_ERROR);
			smart_str_0(&json);
			resp->outcome = MIH_HTTP_ANSWERED;
			resp->status = 200;
			snprintf(resp->reason, sizeof(resp->reason), "OK");
			resp->error[0] = '\0';
			if (json.s) {
				resp->body = malloc(ZSTR_LEN(json.s) + 1);
				if (resp->body) {
					memcpy(resp->body, ZSTR_VAL(json.s), ZSTR_LEN(json.s) + 1);
					resp->body_len = ZSTR_LEN(json.s);
				}
			}
			smart_str_free(&json);
		}
		zval_ptr_dtor(&retval);
		zval_ptr_dtor(&fn);
		zval_ptr_dtor(&args[0]);
		zval_ptr_dtor(&params);
	}
	restore_socket_timeout(old_timeout);
	zval_ptr_dtor(&client);
	zval_ptr_dtor(&wsdl);
	zval_ptr_dtor(&options);
	zval_ptr_dtor(&decoded);
}
