/* HTTP transport over libcurl. No Zend types: the same transfer setup serves
 * the synchronous call (one reused easy handle) and the queue worker
 * (many easy handles in a curl_multi). */
#ifndef MIH_HTTP_H
#define MIH_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <curl/curl.h>

#include "netpolicy.h"
#include "proxy.h"

typedef enum {
	MIH_HTTP_ANSWERED = 0,   /* an HTTP status line came back (any status) */
	MIH_HTTP_CONNECT_ERROR,  /* refused, unreachable, name not resolved, reset */
	MIH_HTTP_TIMEOUT,
	MIH_HTTP_BLOCKED,        /* refused here, by the outbound policy or a redirect
	                          * to another scheme: never retried, and says nothing
	                          * of the service's health (not a breaker failure) */
	MIH_HTTP_TOO_LARGE,      /* answer over mih.max_response_size */
	MIH_HTTP_PROTOCOL_ERROR, /* TLS failure, malformed answer, bad redirect */
	MIH_HTTP_SETUP_ERROR     /* libcurl could not be set up for the request */
} mih_http_outcome;

/* The verdict on one URL's scheme, host and port under one policy, kept by
 * a caller that sends many requests (a worker run, mih::request in one
 * process): parsing the URL is most of a transfer's setup. A verdict holds
 * only for the same policy object of the same generation: a policy freed
 * and rebuilt may come back at the same address, its generation may not. */
typedef struct mih_http_url_memo {
	char *url;                     /* malloc'd; NULL: nothing remembered */
	const mih_net_policy *policy;
	const mih_proxy *proxy;
	uint64_t policy_gen;
	bool invalid;                  /* setup error, message in error */
	bool via_proxy;                /* the URL's host is not bypassed */
	bool blocked;
	char why[512];                 /* the error or the refusal */
} mih_http_url_memo;

void mih_http_url_memo_dispose(mih_http_url_memo *memo);

/* The URL on a reused easy handle, given to libcurl parsed (CURLOPT_CURLU,
 * a handle of its own): a transfer to the URL of the transfer before it on
 * that easy handle sets nothing, and libcurl then neither parses the URL
 * again nor writes it out anew (about 10,000 instructions a transfer, a
 * tenth of a call). Kept by the caller with its easy handle, disposed of
 * after curl_easy_cleanup(); zeroed, it holds nothing. */
typedef struct mih_http_handle_url {
	CURLU *uh;
	char *url;                     /* what uh holds and the handle has; NULL: not set */
} mih_http_handle_url;

void mih_http_handle_url_dispose(mih_http_handle_url *hu);

typedef struct mih_http_request {
	const char *method;            /* canonical upper case */
	const char *url;
	const char *const *headers;    /* "Name: value" lines, already validated */
	size_t nheaders;
	const char *body;              /* NULL: no body */
	size_t body_len;
	long timeout_ms;
	long connect_timeout_ms;
	bool follow_redirects;
	size_t max_response;           /* bytes of body accepted */
	const mih_net_policy *policy;  /* NULL or empty: no restriction */
	/* NULL or without a host: every transfer goes direct. Either way
	 * libcurl's proxy environment variables (http_proxy, ALL_PROXY,
	 * NO_PROXY, ...) are never read: the proxy is what is given here. A
	 * proxied transfer has its target checked before it starts (the name,
	 * then every address it resolves to here; through SOCKS5 libcurl is
	 * then held to those addresses) and its connection to the proxy (its
	 * address and port) checked against proxy_policy instead of policy.
	 * Built under the same policy generation as policy (the memo relies on
	 * it). */
	const mih_proxy *proxy;
	/* What the connection to the proxy is checked against: NULL, none (the
	 * host's own proxy, from its INI settings); otherwise the host's INI
	 * policy alone (a site's proxy is exempt from the site's lists, never
	 * from the host's). */
	const mih_net_policy *proxy_policy;
	mih_http_url_memo *memo;       /* NULL: the URL is checked every time */
	uint64_t policy_gen;           /* of policy, compared by the memo */
	/* NULL: the handle is reset and every option set. Otherwise the handle
	 * is only ever set up by this module for one caller (mih::request's
	 * process handle): *handle_ready says the options no request changes
	 * are already on it, and only the others are set again. */
	bool *handle_ready;
	mih_http_handle_url *handle_url; /* NULL: CURLOPT_URL every time */
	bool accept_compressed;        /* send Accept-Encoding, decode the answer */
} mih_http_request;

typedef struct mih_http_header {
	size_t name_off, value_off;    /* into mih_http_response.hbuf */
	size_t value_len;
} mih_http_header;

typedef struct mih_http_response {
	mih_http_outcome outcome;
	long status;                   /* 0 when no answer */
	char reason[96];               /* from the status line, else the standard phrase */
	char *body;                    /* malloc'd, NUL-terminated, may hold NULs */
	size_t body_len;
	/* Headers, lower-case names unique in arrival order, repeated ones
	 * joined with ", ": entries point into one buffer, so an answer's
	 * headers cost two allocations, not two per header. Read them with
	 * mih_http_response_header_name() / _value(). */
	struct mih_http_header *headers;
	size_t nheaders;
	size_t headers_cap;            /* entries allocated */
	char *hbuf;                    /* names and values, each NUL-terminated */
	size_t hbuf_len, hbuf_cap;
	char error[512];               /* empty when the answer was 2xx */
	long curl_code;
	double elapsed_ms;
} mih_http_response;

/* State of one transfer while libcurl runs it; lives until finish(). */
typedef struct mih_http_transfer {
	CURL *easy;
	const mih_http_request *req;
	mih_http_response *resp;
	struct curl_slist *header_list;
	size_t body_cap;
	bool too_large;
	bool blocked;
	bool via_proxy;                /* set up to go through req->proxy */
	/* Through SOCKS5 (libcurl resolves the target): the CURLOPT_RESOLVE
	 * entry pinning the addresses that were checked, freed by finish(),
	 * and the host and port it pins (a redirect elsewhere is refused). */
	struct curl_slist *resolve_list;
	char pinned_host[256];
	long pinned_port;
	/* The proxy's addresses, resolved at set-up: the connection exempt
	 * from the site's lists is the one to them at the proxy's port. */
	struct sockaddr_storage proxy_addrs[8];
	size_t nproxy_addrs;
	char blocked_why[256];
	bool in_headers_block;
	long block_status;             /* status of the response block being read */
	bool location_seen;            /* its Location header was checked */
	void *user;                    /* owner's pointer (queue worker task) */
} mih_http_transfer;

/* Sets every option of one transfer on easy (reset first). Returns 0, or -1
 * with resp->outcome = MIH_HTTP_SETUP_ERROR and resp->error filled. */
int mih_http_transfer_setup(mih_http_transfer *t, CURL *easy, const mih_http_request *req,
	mih_http_response *resp);

/* Classifies the finished transfer (from curl_easy_perform or a multi's
 * CURLMSG_DONE) into resp, and frees the per-transfer libcurl state. */
void mih_http_transfer_finish(mih_http_transfer *t, CURLcode code);

/* One blocking request on a reused easy handle (keeps connections alive). */
void mih_http_perform(CURL *easy, const mih_http_request *req, mih_http_response *resp);

void mih_http_response_init(mih_http_response *resp);
void mih_http_response_dispose(mih_http_response *resp);
const char *mih_http_response_header(const mih_http_response *resp, const char *lower_name);

/* Header i (below resp->nheaders): its lower-case name and its value. */
static inline const char *mih_http_response_header_name(const mih_http_response *resp, size_t i)
{
	return resp->hbuf + resp->headers[i].name_off;
}

static inline const char *mih_http_response_header_value(const mih_http_response *resp, size_t i)
{
	return resp->hbuf + resp->headers[i].value_off;
}

/* The standard reason phrase of a status, "" when unknown. */
const char *mih_http_reason_phrase(long status);

/* base joined with path with exactly one slash between them; malloc'd. */
char *mih_http_join_url(const char *base, const char *path, size_t path_len);

#endif
