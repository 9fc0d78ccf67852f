/* Delivering to a service of type soap: the operation is called through
 * PHP's own SoapClient (ext/soap), with the rendered payload (JSON)
 * decoded as its argument, and the outcome reported in the HTTP
 * transport's terms, so that retries, the breaker, the request log and the
 * DLQ treat it as any delivery. */
#ifndef MIH_SOAP_GLUE_H
#define MIH_SOAP_GLUE_H

#include "php.h"
#include "mih_http.h"
#include "service.h"

/* Calls operation on svc (base_url: the WSDL) with the payload decoded as
 * the one argument (as the PHP plugin's __soapCall($op, [$payload])), the
 * header lines (auth, service and rule headers, Idempotency-Key; not the
 * webhook signature, which signs bytes SOAP does not send) as HTTP headers,
 * within timeout seconds. resp becomes:
 *   - the result: answered 200, body its JSON;
 *   - a SoapFault "HTTP" or "WSDL" (the transport, or the WSDL could not be
 *     loaded): MIH_HTTP_CONNECT_ERROR, retryable, counted by the breaker;
 *   - a fault the service raised as its own (Server / Receiver): answered
 *     500, retryable and counted as a 5xx;
 *   - any other fault (Client / Sender, an unknown operation, bad
 *     arguments): answered 400, not retried (to the DLQ);
 *   - no SoapClient (ext/soap not loaded), a payload that is not JSON or
 *     an operation name missing: MIH_HTTP_SETUP_ERROR (to the DLQ);
 *   - the WSDL's host refused by the outbound policy, or the site's web
 *     proxy by the host's lists: MIH_HTTP_BLOCKED;
 *   - a SOCKS5 web proxy that the WSDL's host does not bypass:
 *     MIH_HTTP_SETUP_ERROR (SoapClient speaks only HTTP to a proxy).
 * The call goes through the web proxy in force (php_mih_proxy()) unless
 * the WSDL's host is in its bypass list. */
/* Registers local_integrationhub\internal\soap_client (MINIT), when
 * ext/soap's SoapClient exists: the module depends on soap optionally, so
 * soap starts first when both are loaded. */
void php_mih_soap_minit(void);

void php_mih_soap_call(const mih_service *svc, const char *operation, const char *body, size_t body_len,
	HashTable *lines, double timeout, double connect_timeout, mih_http_response *resp);

#endif
