/* Service definitions: defaults, validation and normalisation. Plain C.
 *
 * Definitions arrive as JSON objects converted from PHP arrays, often from
 * Moodle forms, so numbers may come as numeric strings and booleans as 0/1.
 * Every message names the field that is wrong and never contains a secret.
 *
 * Why this file is long: a service definition is validated and normalised
 * field by field in one place: the defaults, the field parsers and their
 * messages, the credentials in headers and the JSON out of it all follow the
 * one field table, so a field added is added once. Splitting by field kind
 * would scatter that table. */
#include "service.h"
#include "amqp_confirm.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const method_names[] = { "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD" };

static const mih_status_list default_retry_statuses = {
	{ 408, 425, 429, 500, 502, 503, 504 }, 7
};

/* A class entry n (1..5) stands for every status nxx. */
static const mih_status_list default_cb_failure_statuses = { { 5, 429 }, 2 };

static char *dup_str(const char *s)
{
	size_t len;
	char *copy;

	if (!s) {
		return NULL;
	}
	len = strlen(s);
	copy = malloc(len + 1);
	if (copy) {
		memcpy(copy, s, len + 1);
	}
	return copy;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void mih_service_init(mih_service *svc)
{
	memset(svc, 0, sizeof(*svc));
	svc->method = dup_str("POST");
	svc->auth_type = MIH_AUTH_NONE;
	svc->apikey_header = dup_str("X-API-Key");
	svc->headers = json_object();
	svc->timeout = 5.0;
	svc->connect_timeout = 5.0;
	svc->max_retries = 3;
	svc->retry_backoff = 1.0;
	svc->retry_cap = 60.0;
	svc->retry_statuses = default_retry_statuses;
	svc->follow_redirects = false;
	svc->cb_mode = MIH_CB_COUNT;
	svc->cb_failure_threshold = 5;
	svc->cb_window = 60.0;
	svc->cb_cooldown = 30.0;
	svc->cb_min_calls = 10;
	svc->cb_failure_rate = 50;
	svc->cb_halfopen_probes = 1;
	svc->cb_failure_statuses = default_cb_failure_statuses;
	svc->max_attempts = 5;
	svc->queue_backoff = 60.0;
	svc->queue_backoff_cap = 3600.0;
	svc->signing_secrets = json_array();
	svc->enabled = true;
}

void mih_service_dispose(mih_service *svc)
{
	free(svc->name);
	free(svc->base_url);
	free(svc->method);
	if (svc->auth_token) {
		/* Do not leave the secret in freed heap memory. */
		memset(svc->auth_token, 0, strlen(svc->auth_token));
		free(svc->auth_token);
	}
	free(svc->apikey_header);
	json_decref(svc->headers);
	json_decref(svc->signing_secrets);
	memset(svc, 0, sizeof(*svc));
}

int mih_service_copy(mih_service *dst, const mih_service *src)
{
	*dst = *src;
	dst->name = dup_str(src->name);
	dst->base_url = dup_str(src->base_url);
	dst->method = dup_str(src->method);
	dst->auth_token = dup_str(src->auth_token);
	dst->apikey_header = dup_str(src->apikey_header);
	dst->headers = src->headers ? json_deep_copy(src->headers) : json_object();
	dst->signing_secrets = src->signing_secrets ? json_deep_copy(src->signing_secrets) : json_array();
	if ((src->name && !dst->name) || (src->base_url && !dst->base_url) || !dst->method
			|| (src->auth_token && !dst->auth_token) || !dst->apikey_header
			|| !dst->headers || !dst->signing_secrets) {
		mih_service_dispose(dst);
		return -1;
	}
	return 0;
}

const char *mih_auth_type_name(mih_auth_type t)
{
	switch (t) {
		case MIH_AUTH_BEARER: return "bearer";
		case MIH_AUTH_APIKEY: return "apikey";
		case MIH_AUTH_BASIC: return "basic";
		default: return "none";
	}
}

const char *mih_service_type_name(mih_service_type t)
{
	switch (t) {
		case MIH_SERVICE_AMQP: return "amqp";
		case MIH_SERVICE_SOAP: return "soap";
		default: return "http";
	}
}

int mih_service_type_parse(const char *s, mih_service_type *out)
{
	if (strcasecmp(s, "http") == 0 || strcasecmp(s, "rest") == 0) {
		*out = MIH_SERVICE_HTTP;
	} else if (strcasecmp(s, "amqp") == 0) {
		*out = MIH_SERVICE_AMQP;
	} else if (strcasecmp(s, "soap") == 0) {
		*out = MIH_SERVICE_SOAP;
	} else {
		return -1;
	}
	return 0;
}

const char *mih_cb_mode_name(mih_cb_mode m)
{
	return m == MIH_CB_RATE ? "rate" : "count";
}

bool mih_status_list_has(const mih_status_list *l, long code)
{
	size_t i;

	for (i = 0; i < l->count; i++) {
		if (l->codes[i] == code || (l->codes[i] < 10 && code / 100 == l->codes[i])) {
			return true;
		}
	}
	return false;
}

const char *mih_method_canonical(const char *method, size_t len)
{
	size_t i, j;

	for (i = 0; i < sizeof(method_names) / sizeof(method_names[0]); i++) {
		if (strlen(method_names[i]) != len) {
			continue;
		}
		for (j = 0; j < len; j++) {
			if (toupper((unsigned char)method[j]) != method_names[i][j]) {
				break;
			}
		}
		if (j == len) {
			return method_names[i];
		}
	}
	return NULL;
}

/* ---- field parsers ---------------------------------------------------- */

static bool utf8_valid(const char *s, size_t len, size_t *chars)
{
	size_t i = 0, n = 0;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t extra;
		unsigned cp;

		if (c < 0x80) {
			i++;
			n++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			extra = 1; cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			extra = 2; cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			extra = 3; cp = c & 0x07;
		} else {
			return false;
		}
		for (size_t k = 1; k <= extra; k++) {
			if (i + k >= len || ((unsigned char)s[i + k] & 0xC0) != 0x80) {
				return false;
			}
			cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3F);
		}
		if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000)
				|| cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
			return false;
		}
		i += extra + 1;
		n++;
	}
	if (chars) {
		*chars = n;
	}
	return true;
}

static bool has_crlf_or_nul(const char *s, size_t len)
{
	return memchr(s, '\r', len) || memchr(s, '\n', len) || memchr(s, '\0', len);
}

/* RFC 7230 token characters, the only ones allowed in a header name. */
static bool is_header_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0) {
		return false;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!(isalnum(c) || strchr("!#$%&'*+-.^_`|~", c)) || c == 0) {
			return false;
		}
	}
	return true;
}

static int get_string(const json_t *v, const char *field, bool allow_empty, const char **out,
	size_t *outlen, char *err, size_t errlen)
{
	if (!json_is_string(v)) {
		return fail(err, errlen, "field \"%s\" must be a string", field);
	}
	*out = json_string_value(v);
	*outlen = json_string_length(v);
	if (!allow_empty && *outlen == 0) {
		return fail(err, errlen, "field \"%s\" must not be empty", field);
	}
	if (!utf8_valid(*out, *outlen, NULL)) {
		return fail(err, errlen, "field \"%s\" is not valid UTF-8", field);
	}
	return 0;
}

static int get_number(const json_t *v, const char *field, double min, double max, double *out,
	char *err, size_t errlen)
{
	double d;

	if (json_is_integer(v)) {
		d = (double)json_integer_value(v);
	} else if (json_is_real(v)) {
		d = json_real_value(v);
	} else if (json_is_string(v) && json_string_length(v) > 0) {
		const char *s = json_string_value(v);
		char *end;
		errno = 0;
		d = strtod(s, &end);
		if (errno || *end != '\0' || end == s || isspace((unsigned char)*s)) {
			return fail(err, errlen, "field \"%s\" must be a number", field);
		}
	} else {
		return fail(err, errlen, "field \"%s\" must be a number", field);
	}
	if (!isfinite(d) || d < min || d > max) {
		return fail(err, errlen, "field \"%s\" must be between %g and %g", field, min, max);
	}
	*out = d;
	return 0;
}

static int get_long(const json_t *v, const char *field, long min, long max, long *out,
	char *err, size_t errlen)
{
	double d;

	if (get_number(v, field, (double)min, (double)max, &d, err, errlen) != 0) {
		if (json_is_number(v) || json_is_string(v)) {
			double probe;
			if (get_number(v, field, -1e300, 1e300, &probe, err, errlen) == 0) {
				return fail(err, errlen, "field \"%s\" must be an integer between %ld and %ld",
					field, min, max);
			}
		}
		return -1;
	}
	if (d != floor(d)) {
		return fail(err, errlen, "field \"%s\" must be an integer", field);
	}
	*out = (long)d;
	return 0;
}

static int get_bool(const json_t *v, const char *field, bool *out, char *err, size_t errlen)
{
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
		*out = json_integer_value(v) == 1;
		return 0;
	}
	if (json_is_string(v) && (strcmp(json_string_value(v), "0") == 0 || strcmp(json_string_value(v), "1") == 0)) {
		*out = json_string_value(v)[0] == '1';
		return 0;
	}
	return fail(err, errlen, "field \"%s\" must be a boolean", field);
}

static int replace_str(char **slot, const char *value, size_t len)
{
	char *copy = malloc(len + 1);

	if (!copy) {
		return -1;
	}
	memcpy(copy, value, len);
	copy[len] = '\0';
	free(*slot);
	*slot = copy;
	return 0;
}

static int parse_status_list(const json_t *v, const char *field, mih_status_list *out,
	char *err, size_t errlen)
{
	size_t i;
	json_t *item;
	mih_status_list list = { { 0 }, 0 };

	if (!json_is_array(v)) {
		return fail(err, errlen, "field \"%s\" must be a list of HTTP status codes", field);
	}
	if (json_array_size(v) > MIH_SERVICE_MAX_STATUSES) {
		return fail(err, errlen, "field \"%s\" has more than %d entries", field, MIH_SERVICE_MAX_STATUSES);
	}
	json_array_foreach(v, i, item) {
		long code;
		if (json_is_string(item) && json_string_length(item) == 3
				&& strchr("12345", json_string_value(item)[0])
				&& strcasecmp(json_string_value(item) + 1, "xx") == 0) {
			list.codes[list.count++] = json_string_value(item)[0] - '0';
			continue;
		}
		if (get_long(item, field, 100, 599, &code, err, errlen) != 0) {
			return fail(err, errlen,
				"field \"%s\" entry %zu must be an HTTP status code (100-599) or a class such as \"5xx\"",
				field, i);
		}
		list.codes[list.count++] = (int)code;
	}
	*out = list;
	return 0;
}

static int parse_headers(const json_t *v, const json_t *old, json_t **out, char *err, size_t errlen)
{
	const char *name;
	json_t *value;
	json_t *headers;

	if (json_is_array(v) && json_array_size(v) == 0) {
		/* An empty PHP array arrives as an empty list. */
		json_decref(*out);
		*out = json_object();
		return 0;
	}
	if (!json_is_object(v)) {
		return fail(err, errlen, "field \"headers\" must be an array of name => value");
	}
	headers = json_object();
	json_object_foreach((json_t *)v, name, value) {
		if (!is_header_name(name, strlen(name))) {
			json_decref(headers);
			return fail(err, errlen, "field \"headers\" has an invalid header name \"%.64s\"", name);
		}
		if (!json_is_string(value)) {
			json_decref(headers);
			return fail(err, errlen, "field \"headers\" value of \"%.64s\" must be a string", name);
		}
		if (has_crlf_or_nul(json_string_value(value), json_string_length(value))) {
			json_decref(headers);
			return fail(err, errlen, "field \"headers\" value of \"%.64s\" contains CR, LF or NUL", name);
		}
		json_object_set(headers, name, value);
	}
	mih_headers_keep_masked(headers, old);
	json_decref(*out);
	*out = headers;
	return 0;
}

static bool url_scheme_ok(const char *url, size_t len, const char **host_start)
{
	if (len >= 7 && strncasecmp(url, "http://", 7) == 0) {
		*host_start = url + 7;
		return true;
	}
	if (len >= 8 && strncasecmp(url, "https://", 8) == 0) {
		*host_start = url + 8;
		return true;
	}
	return false;
}

static int parse_base_url(const json_t *v, char **slot, char *err, size_t errlen)
{
	const char *s, *host;
	size_t len, i;

	if (get_string(v, "base_url", false, &s, &len, err, errlen) != 0) {
		return -1;
	}
	(void)host;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7F) {
			return fail(err, errlen, "field \"base_url\" contains a space or control character");
		}
	}
	return replace_str(slot, s, len) == 0 ? 0 : fail(err, errlen, "out of memory");
}

/* The base URL against the service's type, once the whole definition is
 * read (the type may come after the URL). An amqp URL's password moves to
 * auth_token (sealed at rest, masked when shown): given is whether this
 * definition set base_url; a password that is the mask of the stored one
 * (a definition read back) keeps it. */
static bool is_masked_echo(const char *value, const char *secret);

static int check_base_url(mih_service *svc, const char *stored_token, bool given, bool token_given, char *err,
	size_t errlen)
{
	const char *host;
	size_t len = strlen(svc->base_url);
	mih_amqp_url u;
	char uerr[200];
	char *bare;

	if (svc->type != MIH_SERVICE_AMQP) {
		if (!url_scheme_ok(svc->base_url, len, &host)) {
			return svc->type == MIH_SERVICE_SOAP
				? fail(err, errlen, "field \"base_url\" of a soap service (its WSDL) must be an http:// or https:// URL")
				: fail(err, errlen, "field \"base_url\" must start with http:// or https://");
		}
		if (*host == '\0' || *host == '/' || *host == '?' || *host == '#' || *host == ':') {
			return fail(err, errlen, "field \"base_url\" has no host name");
		}
		return 0;
	}
	if (len < 7 || (strncasecmp(svc->base_url, "amqp://", 7) != 0 && strncasecmp(svc->base_url, "amqps://", 8) != 0)) {
		return fail(err, errlen, "field \"base_url\" of an amqp service must start with amqp:// or amqps://");
	}
	if (mih_amqp_url_parse(svc->base_url, len, &u, uerr, sizeof(uerr)) != 0) {
		return fail(err, errlen, "field \"base_url\": %s", uerr);
	}
	if (svc->auth_type != MIH_AUTH_NONE) {
		mih_amqp_url_dispose(&u);
		return fail(err, errlen, "field \"auth_type\" of an amqp service must be none (the broker's user and password go in base_url)");
	}
	if (given && u.has_password) {
		const char *keep = stored_token && is_masked_echo(u.password, stored_token) ? stored_token : u.password;
		if (has_crlf_or_nul(keep, strlen(keep))) {
			mih_amqp_url_dispose(&u);
			return fail(err, errlen, "field \"base_url\": the broker password contains CR, LF or NUL");
		}
		free(svc->auth_token);
		svc->auth_token = strdup(keep);
	} else if (given && !token_given) {
		/* A URL without a password: the broker's default user (guest), as the PHP plugin had it. */
		free(svc->auth_token);
		svc->auth_token = NULL;
	}
	mih_amqp_url_dispose(&u);
	bare = mih_amqp_url_with_password(svc->base_url, NULL);
	if (!bare) {
		return fail(err, errlen, "out of memory");
	}
	free(svc->base_url);
	svc->base_url = bare;
	return 0;
}

/* True when value is what mih_service_to_json() shows for secret: the
 * caller sent a definition back unchanged, so the stored secret stays. */
static bool is_masked_echo(const char *value, const char *secret)
{
	char masked[MIH_SERVICE_MASK_SIZE];

	if (!secret) {
		return false;
	}
	mih_service_mask_secret(secret, masked, sizeof(masked));
	return strcmp(value, masked) == 0;
}

void mih_service_mask_secret(const char *secret, char *out, size_t outlen)
{
	size_t len = secret ? strlen(secret) : 0;
	size_t start;

	/* A short secret would be half revealed by its last four characters. */
	if (len < 12) {
		snprintf(out, outlen, "****");
		return;
	}
	start = len - 4;
	while (start < len && ((unsigned char)secret[start] & 0xC0) == 0x80) {
		start++;
	}
	snprintf(out, outlen, "****%s", secret + start);
}

/* ---- credentials in headers ------------------------------------------- */

static bool contains_nocase(const char *s, size_t len, const char *part)
{
	size_t plen = strlen(part);

	for (size_t i = 0; i + plen <= len; i++) {
		if (strncasecmp(s + i, part, plen) == 0) {
			return true;
		}
	}
	return false;
}

bool mih_header_is_sensitive(const char *name, size_t len)
{
	static const char *const parts[] = {
		"auth", "cookie", "credential", "key", "passwd", "password", "secret", "signature", "token"
	};

	if (len == strlen("idempotency-key") && strncasecmp(name, "idempotency-key", len) == 0) {
		return false;
	}
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (contains_nocase(name, len, parts[i])) {
			return true;
		}
	}
	return false;
}

json_t *mih_headers_masked(const json_t *headers)
{
	const char *name;
	json_t *value, *out;
	char masked[MIH_SERVICE_MASK_SIZE];

	if (!json_is_object(headers) || !(out = json_object())) {
		return NULL;
	}
	json_object_foreach((json_t *)headers, name, value) {
		int rc;

		if (json_is_string(value) && mih_header_is_sensitive(name, strlen(name))) {
			mih_service_mask_secret(json_string_value(value), masked, sizeof(masked));
			rc = json_object_set_new(out, name, json_string(masked));
		} else {
			rc = json_object_set(out, name, value);
		}
		if (rc != 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/* stored's value for name: the same spelling first, else any case. */
static json_t *header_get_nocase(const json_t *stored, const char *name)
{
	const char *key;
	json_t *value = json_object_get(stored, name);

	if (value) {
		return value;
	}
	json_object_foreach((json_t *)stored, key, value) {
		if (strcasecmp(key, name) == 0) {
			return value;
		}
	}
	return NULL;
}

void mih_headers_keep_masked(json_t *headers, const json_t *stored)
{
	void *it;

	if (!json_is_object(headers) || !json_is_object(stored)) {
		return;
	}
	for (it = json_object_iter(headers); it; it = json_object_iter_next(headers, it)) {
		const char *name = json_object_iter_key(it);
		json_t *value = json_object_iter_value(it);
		json_t *prev;

		if (!json_is_string(value) || !mih_header_is_sensitive(name, strlen(name))) {
			continue;
		}
		prev = header_get_nocase(stored, name);
		if (json_is_string(prev) && is_masked_echo(json_string_value(value), json_string_value(prev))) {
			json_object_iter_set(headers, it, prev);
		}
	}
}

static int parse_secrets(const json_t *v, const json_t *old, json_t **out, char *err, size_t errlen)
{
	size_t i, j;
	json_t *item;
	json_t *secrets;

	if (!json_is_array(v)) {
		return fail(err, errlen, "field \"signing_secrets\" must be a list of strings");
	}
	secrets = json_array();
	json_array_foreach(v, i, item) {
		const char *s;
		size_t len, k;
		bool kept = false;

		if (!json_is_string(item) || json_string_length(item) == 0) {
			json_decref(secrets);
			return fail(err, errlen, "field \"signing_secrets\" entry %zu must be a non-empty string", i);
		}
		s = json_string_value(item);
		len = json_string_length(item);
		if (old) {
			json_t *prev;
			json_array_foreach(old, j, prev) {
				if (is_masked_echo(s, json_string_value(prev))) {
					json_array_append(secrets, prev);
					kept = true;
					break;
				}
			}
		}
		if (kept) {
			continue;
		}
		if (len > 6 && strncmp(s, "whsec_", 6) == 0) {
			s += 6;
			len -= 6;
		}
		for (k = 0; k < len; k++) {
			if (!(isalnum((unsigned char)s[k]) || s[k] == '+' || s[k] == '/' || s[k] == '=')) {
				break;
			}
		}
		if (k != len || len % 4 != 0 || len < 16) {
			json_decref(secrets);
			return fail(err, errlen,
				"field \"signing_secrets\" entry %zu must be \"whsec_\" followed by base64 of at least 12 bytes", i);
		}
		json_array_append(secrets, item);
	}
	json_decref(*out);
	*out = secrets;
	return 0;
}

static int parse_auth_type(const json_t *v, mih_auth_type *out, char *err, size_t errlen)
{
	const char *s;
	size_t len;

	if (get_string(v, "auth_type", false, &s, &len, err, errlen) != 0) {
		return -1;
	}
	if (strcasecmp(s, "none") == 0) {
		*out = MIH_AUTH_NONE;
	} else if (strcasecmp(s, "bearer") == 0) {
		*out = MIH_AUTH_BEARER;
	} else if (strcasecmp(s, "apikey") == 0) {
		*out = MIH_AUTH_APIKEY;
	} else if (strcasecmp(s, "basic") == 0) {
		*out = MIH_AUTH_BASIC;
	} else {
		return fail(err, errlen, "field \"auth_type\" must be one of none, bearer, apikey, basic");
	}
	return 0;
}

static int apply_field(mih_service *svc, const mih_service *base, const char *key, const json_t *v,
	bool *connect_timeout_set, char *err, size_t errlen);

/* A field given as null takes its default, on a new service and on an update
 * alike: that is how a form says "no answer" (an empty list is [], a choice). */
static int reset_field(mih_service *svc, const char *key, bool *connect_timeout_set, char *err, size_t errlen)
{
	json_t *dj, *dv;
	int rc;

	if (strcmp(key, "name") == 0 || strcmp(key, "base_url") == 0) {
		return fail(err, errlen, "field \"%s\" is required and has no default", key);
	}
	if (strcmp(key, "connect_timeout") == 0) {
		/* Its default is derived from the timeout (see check_consistency). */
		svc->connect_timeout = 10.0;
		*connect_timeout_set = false;
		return 0;
	}
	if (strcmp(key, "id") == 0 || strcmp(key, "timecreated") == 0 || strcmp(key, "timemodified") == 0) {
		return 0;   /* output-only, as apply_field() has them */
	}
	dj = mih_service_defaults_json();
	dv = json_object_get(dj, key);
	rc = dv ? apply_field(svc, NULL, key, dv, connect_timeout_set, err, errlen) : 1;
	json_decref(dj);
	return rc;
}

json_t *mih_service_defaults_json(void)
{
	static const char *const not_defaults[] = { "id", "name", "base_url", "auth_token", "timecreated",
		"timemodified", NULL };
	mih_service defaults;
	json_t *dj;

	mih_service_init(&defaults);
	dj = mih_service_to_json(&defaults, false);
	mih_service_dispose(&defaults);
	for (size_t i = 0; not_defaults[i]; i++) {
		json_object_del(dj, not_defaults[i]);
	}
	return dj;
}

/* One field of a definition; returns 0, -1 on a bad value, 1 when unknown. */
static int apply_field(mih_service *svc, const mih_service *base, const char *key, const json_t *v,
	bool *connect_timeout_set, char *err, size_t errlen)
{
	const char *s;
	size_t len, chars;

	if (json_is_null(v) && strcmp(key, "auth_token") != 0) {
		return reset_field(svc, key, connect_timeout_set, err, errlen);
	}
	if (strcmp(key, "name") == 0) {
		if (get_string(v, "name", false, &s, &len, err, errlen) != 0) {
			return -1;
		}
		utf8_valid(s, len, &chars);
		if (chars > MIH_SERVICE_NAME_MAX) {
			return fail(err, errlen, "field \"name\" is longer than %d characters", MIH_SERVICE_NAME_MAX);
		}
		for (size_t i = 0; i < len; i++) {
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F) {
				return fail(err, errlen, "field \"name\" contains a control character");
			}
		}
		return replace_str(&svc->name, s, len);
	}
	if (strcmp(key, "base_url") == 0) {
		return parse_base_url(v, &svc->base_url, err, errlen);
	}
	if (strcmp(key, "type") == 0) {
		if (get_string(v, "type", false, &s, &len, err, errlen) != 0) {
			return -1;
		}
		if (mih_service_type_parse(s, &svc->type) != 0) {
			return fail(err, errlen, "field \"type\" must be one of http, amqp, soap (\"rest\" is taken as http)");
		}
		return 0;
	}
	if (strcmp(key, "method") == 0) {
		const char *canon;
		if (get_string(v, "method", false, &s, &len, err, errlen) != 0) {
			return -1;
		}
		canon = mih_method_canonical(s, len);
		if (!canon) {
			return fail(err, errlen, "field \"method\" must be one of GET, POST, PUT, PATCH, DELETE, HEAD");
		}
		return replace_str(&svc->method, canon, strlen(canon));
	}
	if (strcmp(key, "auth_type") == 0) {
		return parse_auth_type(v, &svc->auth_type, err, errlen);
	}
	if (strcmp(key, "auth_token") == 0) {
		if (json_is_null(v)) {
			free(svc->auth_token);
			svc->auth_token = NULL;
			return 0;
		}
		if (get_string(v, "auth_token", true, &s, &len, err, errlen) != 0) {
			return -1;
		}
		if (base && is_masked_echo(s, base->auth_token)) {
			return 0;
		}
		if (has_crlf_or_nul(s, len)) {
			return fail(err, errlen, "field \"auth_token\" contains CR, LF or NUL");
		}
		if (len == 0) {
			free(svc->auth_token);
			svc->auth_token = NULL;
			return 0;
		}
		return replace_str(&svc->auth_token, s, len);
	}
	if (strcmp(key, "apikey_header") == 0) {
		if (get_string(v, "apikey_header", false, &s, &len, err, errlen) != 0) {
			return -1;
		}
		if (!is_header_name(s, len)) {
			return fail(err, errlen, "field \"apikey_header\" is not a valid header name");
		}
		return replace_str(&svc->apikey_header, s, len);
	}
	if (strcmp(key, "headers") == 0) {
		return parse_headers(v, base ? base->headers : NULL, &svc->headers, err, errlen);
	}
	if (strcmp(key, "timeout") == 0) {
		return get_number(v, key, 0.001, 3600, &svc->timeout, err, errlen);
	}
	if (strcmp(key, "connect_timeout") == 0) {
		*connect_timeout_set = true;
		return get_number(v, key, 0.001, 3600, &svc->connect_timeout, err, errlen);
	}
	if (strcmp(key, "max_retries") == 0) {
		return get_long(v, key, 0, 10, &svc->max_retries, err, errlen);
	}
	if (strcmp(key, "retry_backoff") == 0) {
		return get_number(v, key, 0, 3600, &svc->retry_backoff, err, errlen);
	}
	if (strcmp(key, "retry_cap") == 0) {
		return get_number(v, key, 0, 86400, &svc->retry_cap, err, errlen);
	}
	if (strcmp(key, "retry_statuses") == 0) {
		return parse_status_list(v, key, &svc->retry_statuses, err, errlen);
	}
	if (strcmp(key, "follow_redirects") == 0) {
		return get_bool(v, key, &svc->follow_redirects, err, errlen);
	}
	if (strcmp(key, "enabled") == 0) {
		return get_bool(v, key, &svc->enabled, err, errlen);
	}
	if (strcmp(key, "cb_mode") == 0) {
		if (get_string(v, key, false, &s, &len, err, errlen) != 0) {
			return -1;
		}
		if (strcmp(s, "count") == 0) {
			svc->cb_mode = MIH_CB_COUNT;
		} else if (strcmp(s, "rate") == 0) {
			svc->cb_mode = MIH_CB_RATE;
		} else {
			return fail(err, errlen, "field \"cb_mode\" must be \"count\" or \"rate\"");
		}
		return 0;
	}
	if (strcmp(key, "cb_failure_threshold") == 0) {
		return get_long(v, key, 1, 1000, &svc->cb_failure_threshold, err, errlen);
	}
	if (strcmp(key, "cb_window") == 0) {
		return get_number(v, key, 1, 86400, &svc->cb_window, err, errlen);
	}
	if (strcmp(key, "cb_cooldown") == 0) {
		return get_number(v, key, 0.01, 86400, &svc->cb_cooldown, err, errlen);
	}
	if (strcmp(key, "cb_min_calls") == 0) {
		return get_long(v, key, 1, 1000000, &svc->cb_min_calls, err, errlen);
	}
	if (strcmp(key, "cb_failure_rate") == 0) {
		return get_long(v, key, 1, 100, &svc->cb_failure_rate, err, errlen);
	}
	if (strcmp(key, "cb_halfopen_probes") == 0) {
		return get_long(v, key, 1, 100, &svc->cb_halfopen_probes, err, errlen);
	}
	if (strcmp(key, "cb_failure_statuses") == 0) {
		return parse_status_list(v, key, &svc->cb_failure_statuses, err, errlen);
	}
	if (strcmp(key, "max_attempts") == 0) {
		return get_long(v, key, 1, 100, &svc->max_attempts, err, errlen);
	}
	if (strcmp(key, "queue_backoff") == 0) {
		return get_number(v, key, 0.001, 86400, &svc->queue_backoff, err, errlen);
	}
	if (strcmp(key, "queue_backoff_cap") == 0) {
		return get_number(v, key, 0.001, 7 * 86400, &svc->queue_backoff_cap, err, errlen);
	}
	if (strcmp(key, "signing_secrets") == 0) {
		return parse_secrets(v, base ? base->signing_secrets : NULL, &svc->signing_secrets, err, errlen);
	}
	if (strcmp(key, "id") == 0 || strcmp(key, "timecreated") == 0 || strcmp(key, "timemodified") == 0) {
		/* Output-only fields: accepted so a definition can be saved back as read. */
		return 0;
	}
	return 1;
}

static int check_consistency(mih_service *svc, bool connect_timeout_set, bool is_update, const char *stored_token,
	bool url_given, bool token_given, char *err, size_t errlen)
{
	if (!svc->name) {
		return fail(err, errlen, "field \"name\" is required");
	}
	if (!svc->base_url) {
		return fail(err, errlen, "field \"base_url\" is required");
	}
	if (check_base_url(svc, stored_token, url_given, token_given, err, errlen) != 0) {
		return -1;
	}
	if (!connect_timeout_set) {
		/* Derived, not chosen: follow the timeout down. */
		double derived = is_update ? svc->connect_timeout : 10.0;
		svc->connect_timeout = svc->timeout < derived ? svc->timeout : derived;
	}
	if (svc->connect_timeout > svc->timeout) {
		return fail(err, errlen, "field \"connect_timeout\" must not exceed \"timeout\"");
	}
	if (svc->auth_type != MIH_AUTH_NONE && !svc->auth_token) {
		return fail(err, errlen, "field \"auth_token\" is required when auth_type is %s",
			mih_auth_type_name(svc->auth_type));
	}
	if (svc->auth_type == MIH_AUTH_BASIC && !strchr(svc->auth_token, ':')) {
		return fail(err, errlen, "field \"auth_token\" must be \"user:password\" when auth_type is basic");
	}
	if (svc->queue_backoff_cap < svc->queue_backoff) {
		return fail(err, errlen, "field \"queue_backoff_cap\" must not be less than \"queue_backoff\"");
	}
	return 0;
}

int mih_service_from_json(mih_service *svc, const json_t *def, const mih_service *base,
	char *err, size_t errlen)
{
	const char *key;
	json_t *value;
	bool connect_timeout_set = false;

	if (!json_is_object(def)) {
		mih_service_init(svc);
		mih_service_dispose(svc);
		return fail(err, errlen, "a service definition must be an array of field => value");
	}
	if (base) {
		if (mih_service_copy(svc, base) != 0) {
			return fail(err, errlen, "out of memory");
		}
	} else {
		mih_service_init(svc);
	}
	json_object_foreach((json_t *)def, key, value) {
		int rc = apply_field(svc, base, key, value, &connect_timeout_set, err, errlen);
		if (rc == 1) {
			fail(err, errlen, "unknown field \"%.64s\" in service definition", key);
		}
		if (rc != 0) {
			mih_service_dispose(svc);
			return -1;
		}
	}
	if (check_consistency(svc, connect_timeout_set, base != NULL, base ? base->auth_token : NULL,
			json_is_string(json_object_get(def, "base_url")),
			json_is_string(json_object_get(def, "auth_token")) && json_string_length(json_object_get(def, "auth_token")) > 0,
			err, errlen) != 0) {
		mih_service_dispose(svc);
		return -1;
	}
	return 0;
}

static json_t *status_list_to_json(const mih_status_list *l)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < l->count; i++) {
		if (l->codes[i] < 10) {
			char cls[4] = { (char)('0' + l->codes[i]), 'x', 'x', '\0' };
			json_array_append_new(arr, json_string(cls));
		} else {
			json_array_append_new(arr, json_integer(l->codes[i]));
		}
	}
	return arr;
}

json_t *mih_service_to_json(const mih_service *svc, bool reveal_secrets)
{
	json_t *o = json_object();
	json_t *secrets = json_array();
	char masked[MIH_SERVICE_MASK_SIZE];
	size_t i;
	json_t *item;

	json_object_set_new(o, "id", json_integer(svc->id));
	json_object_set_new(o, "name", json_string(svc->name ? svc->name : ""));
	json_object_set_new(o, "type", json_string(mih_service_type_name(svc->type)));
	if (svc->type == MIH_SERVICE_AMQP && svc->base_url && svc->auth_token && !reveal_secrets) {
		/* The broker URL as given, its password masked as auth_token is. */
		char *shown;
		mih_service_mask_secret(svc->auth_token, masked, sizeof(masked));
		shown = mih_amqp_url_with_password(svc->base_url, masked);
		json_object_set_new(o, "base_url", json_string(shown ? shown : svc->base_url));
		free(shown);
	} else {
		json_object_set_new(o, "base_url", json_string(svc->base_url ? svc->base_url : ""));
	}
	json_object_set_new(o, "method", json_string(svc->method));
	json_object_set_new(o, "auth_type", json_string(mih_auth_type_name(svc->auth_type)));
	if (!svc->auth_token) {
		json_object_set_new(o, "auth_token", json_null());
	} else if (reveal_secrets) {
		json_object_set_new(o, "auth_token", json_string(svc->auth_token));
	} else {
		mih_service_mask_secret(svc->auth_token, masked, sizeof(masked));
		json_object_set_new(o, "auth_token", json_string(masked));
	}
	json_object_set_new(o, "apikey_header", json_string(svc->apikey_header));
	if (reveal_secrets) {
		json_object_set(o, "headers", svc->headers);
	} else {
		json_object_set_new(o, "headers", mih_headers_masked(svc->headers));
	}
	json_object_set_new(o, "timeout", json_real(svc->timeout));
	json_object_set_new(o, "connect_timeout", json_real(svc->connect_timeout));
	json_object_set_new(o, "max_retries", json_integer(svc->max_retries));
	json_object_set_new(o, "retry_backoff", json_real(svc->retry_backoff));
	json_object_set_new(o, "retry_cap", json_real(svc->retry_cap));
	json_object_set_new(o, "retry_statuses", status_list_to_json(&svc->retry_statuses));
	json_object_set_new(o, "follow_redirects", json_boolean(svc->follow_redirects));
	json_object_set_new(o, "cb_mode", json_string(mih_cb_mode_name(svc->cb_mode)));
	json_object_set_new(o, "cb_failure_threshold", json_integer(svc->cb_failure_threshold));
	json_object_set_new(o, "cb_window", json_real(svc->cb_window));
	json_object_set_new(o, "cb_cooldown", json_real(svc->cb_cooldown));
	json_object_set_new(o, "cb_min_calls", json_integer(svc->cb_min_calls));
	json_object_set_new(o, "cb_failure_rate", json_integer(svc->cb_failure_rate));
	json_object_set_new(o, "cb_halfopen_probes", json_integer(svc->cb_halfopen_probes));
	json_object_set_new(o, "cb_failure_statuses", status_list_to_json(&svc->cb_failure_statuses));
	json_object_set_new(o, "max_attempts", json_integer(svc->max_attempts));
	json_object_set_new(o, "queue_backoff", json_real(svc->queue_backoff));
	json_object_set_new(o, "queue_backoff_cap", json_real(svc->queue_backoff_cap));
	json_array_foreach(svc->signing_secrets, i, item) {
		if (reveal_secrets) {
			json_array_append(secrets, item);
		} else {
			mih_service_mask_secret(json_string_value(item), masked, sizeof(masked));
			json_array_append_new(secrets, json_string(masked));
		}
	}
	json_object_set_new(o, "signing_secrets", secrets);
	json_object_set_new(o, "enabled", json_boolean(svc->enabled));
	json_object_set_new(o, "timecreated", json_integer(svc->timecreated));
	json_object_set_new(o, "timemodified", json_integer(svc->timemodified));
	return o;
}
