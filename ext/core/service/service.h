/* A service definition: where and how the hub talks to one external system.
 * Plain C (jansson for the list/map fields), shared by the PHP glue, the
 * HTTP transport and the store backends. */
#ifndef MIH_SERVICE_H
#define MIH_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define MIH_SERVICE_NAME_MAX 255
#define MIH_SERVICE_MAX_STATUSES 32

typedef enum {
	MIH_AUTH_NONE = 0,
	MIH_AUTH_BEARER,
	MIH_AUTH_APIKEY,
	MIH_AUTH_BASIC
} mih_auth_type;

/* How a service is reached: HTTP (stored as "rest", the PHP plugin's name),
 * an AMQP broker (publisher confirms) or a SOAP operation (SoapClient). */
typedef enum {
	MIH_SERVICE_HTTP = 0,
	MIH_SERVICE_AMQP,
	MIH_SERVICE_SOAP
} mih_service_type;

typedef enum {
	MIH_CB_COUNT = 0,
	MIH_CB_RATE
} mih_cb_mode;

typedef struct mih_status_list {
	int codes[MIH_SERVICE_MAX_STATUSES];
	size_t count;
} mih_status_list;

typedef struct mih_service {
	int64_t id;                 /* store row id, 0 until stored */
	char *name;
	mih_service_type type;
	char *base_url;             /* http(s):// (soap: the WSDL); amqp(s):// without its password */
	char *method;               /* default method, upper case */
	mih_auth_type auth_type;
	char *auth_token;           /* secret: never printed; NULL when none (amqp: the broker password) */
	char *apikey_header;
	json_t *headers;            /* object: header name -> string value */
	double timeout;             /* seconds */
	double connect_timeout;     /* seconds */
	long max_retries;           /* extra attempts inside one synchronous call */
	double retry_backoff;       /* seconds, base of the exponential backoff */
	double retry_cap;           /* seconds, cap of one synchronous backoff */
	mih_status_list retry_statuses;
	bool follow_redirects;
	mih_cb_mode cb_mode;
	long cb_failure_threshold;
	double cb_window;           /* seconds */
	double cb_cooldown;         /* seconds */
	long cb_min_calls;
	long cb_failure_rate;       /* percent, 1..100 */
	long cb_halfopen_probes;
	mih_status_list cb_failure_statuses;
	long max_attempts;          /* queued deliveries before the DLQ */
	double queue_backoff;       /* seconds */
	double queue_backoff_cap;   /* seconds */
	json_t *signing_secrets;    /* array of "whsec_..." strings; secrets */
	bool enabled;
	int64_t timecreated;
	int64_t timemodified;
} mih_service;

/* Fills every field with its default (name/base_url NULL). */
void mih_service_init(mih_service *svc);
void mih_service_dispose(mih_service *svc);
int mih_service_copy(mih_service *dst, const mih_service *src);

/* The documented defaults of every field that has one (the definition of a
 * new service given only name and base_url), as a JSON object. */
json_t *mih_service_defaults_json(void);

/* Validates a definition given as a JSON object (as converted from a PHP
 * array) and fills svc. When base is given, fields missing from def keep
 * base's values (an update); otherwise they take defaults. A field given as
 * null takes its default in both cases. Returns 0, or -1
 * with a message naming the field in err. Unknown keys are errors. */
int mih_service_from_json(mih_service *svc, const json_t *def, const mih_service *base,
	char *err, size_t errlen);

/* The normalised definition as a JSON object. Secrets are masked
 * ("****" + last 4 characters) unless reveal_secrets is set. */
json_t *mih_service_to_json(const mih_service *svc, bool reveal_secrets);

/* "****" + the last 4 characters, or "****" alone for a secret shorter than
 * 12 characters (its last four would give away a third of it). A last
 * character cut by the four-byte tail is left out, so the mask stays valid
 * UTF-8. out needs MIH_SERVICE_MASK_SIZE bytes. */
#define MIH_SERVICE_MASK_SIZE 16
void mih_service_mask_secret(const char *secret, char *out, size_t outlen);

/* The one place that decides which headers carry credentials: names
 * containing (case-insensitively) auth, cookie, credential, key, passwd,
 * password, secret, signature or token -- Authorization,
 * Proxy-Authorization, Cookie, X-Api-Key, X-Auth-Token... -- except
 * Idempotency-Key, a delivery id shown as such. Their values are masked
 * wherever a definition, rule or task is shown, and encrypted at rest when
 * the store has a key. */
bool mih_header_is_sensitive(const char *name, size_t len);

/* A copy of headers (an object of name => string) with the value of every
 * sensitive header masked by mih_service_mask_secret(); NULL when headers is
 * not an object or memory ran out. */
json_t *mih_headers_masked(const json_t *headers);

/* Puts back stored's value for every sensitive header of headers whose value
 * is the mask of it (same name, compared case-insensitively): a definition
 * read back masked can be saved again unchanged. stored may be NULL. */
void mih_headers_keep_masked(json_t *headers, const json_t *stored);

const char *mih_auth_type_name(mih_auth_type t);
/* "http", "amqp" or "soap"; the store writes "rest" for http (the PHP plugin's value). */
const char *mih_service_type_name(mih_service_type t);
/* Reads a type name ("rest" is http, as the PHP plugin wrote it); -1 when unknown. */
int mih_service_type_parse(const char *s, mih_service_type *out);
const char *mih_cb_mode_name(mih_cb_mode m);
bool mih_status_list_has(const mih_status_list *l, long code);

/* Methods the transport knows; returns the canonical upper-case name or NULL. */
const char *mih_method_canonical(const char *method, size_t len);

#endif
