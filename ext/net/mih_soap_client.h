/* The SoapClient subclass mih calls soap services through, and the policy
 * checks around SoapClient (mih_soap_client.c). */
#ifndef MIH_SOAP_CLIENT_H
#define MIH_SOAP_CLIENT_H

#include "php.h"

/* A URL's host, port and every address it resolves to, against the
 * outbound policy (nothing to check: 0). A name that does not resolve here
 * passes. Returns 0, or -1 with why set; *parsed false when the URL does
 * not parse. */
int php_mih_soap_check_url(const char *url, bool *parsed, char *why, size_t whylen);

/* local_integrationhub\internal\soap_client; NULL without ext/soap (or
 * with a soap loaded after mih). */
zend_class_entry *php_mih_soap_client_class(void);

/* Before a call: forgets the last refusal, and notes the call's route
 * (through the proxy or direct), which the documents its WSDL imports must
 * take too. */
void php_mih_soap_client_begin(bool via_proxy);

/* Why the call's endpoint or a document of its WSDL was refused (the Error
 * or the WSDL fault SoapClient raised then is the refusal's), once; NULL
 * when nothing was. */
const char *php_mih_soap_client_refusal(void);

/* Installs the class's load_entity() as libxml's external-entity loader,
 * keeping the one before in old; false (nothing changed) when libxml's
 * functions are missing or fail. _unguard puts old back (null: libxml's
 * own) and releases it; it runs with no exception pending. */
bool php_mih_soap_guard_entities(zval *old);
void php_mih_soap_unguard_entities(zval *old);

#endif
