/* Services: the named external endpoints with their auth, retry, circuit
 * breaker and signing settings. The JSON-valued settings (headers, status
 * lists, signing secrets) are stored as JSON text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>
#include "store_internal.h"

static const char *const service_cols[] = {
	"name", "type", "base_url", "auth_type", "auth_token", "timeout", "max_retries",
	"retry_backoff", "cb_failure_threshold", "cb_cooldown", "response_queue", "enabled",
	"timecreated", "timemodified", "method", "apikey_header", "headers", "connect_timeout",
	"retry_cap", "retry_statuses", "follow_redirects", "cb_mode", "cb_window", "cb_min_calls",
	"cb_failure_rate", "cb_halfopen_probes", "cb_failure_statuses", "max_attempts",
	"queue_backoff", "queue_backoff_cap", "signing_secrets"
};
#define SERVICE_NCOLS (sizeof(service_cols) / sizeof(service_cols[0]))

/* The column text of the fields kept as JSON, and the auth token, with
 * their secrets sealed when the store has a key; owned by the caller. */
typedef struct service_json {
	char *auth_token;
	char *headers;
	char *retry_statuses;
	char *cb_failure_statuses;
	char *signing_secrets;
} service_json;

static char *status_list_json(const mih_status_list *l)
{
	char *out = malloc(l->count * 12 + 3);
	char *p = out;

	if (!out) {
		return NULL;
	}
	*p++ = '[';
	for (size_t i = 0; i < l->count && i < MIH_SERVICE_MAX_STATUSES; i++) {
		p += sprintf(p, "%s%d", i ? "," : "", l->codes[i]);
	}
	strcpy(p, "]");
	return out;
}

static void service_json_free(service_json *sj)
{
	free(sj->auth_token);
	free(sj->headers);
	free(sj->retry_statuses);
	free(sj->cb_failure_statuses);
	free(sj->signing_secrets);
}

/* A JSON column: the value's text with its secrets sealed. */
static char *sealed_json_text(mih_store *st, const json_t *j, const char *fallback, const char *what,
	char *err, size_t errlen)
{
	json_t *copy;
	char *text;

	if (!j) {
		return strdup(fallback);
	}
	copy = json_deep_copy(j);
	if (!copy) {
		return NULL;
	}
	if (store_json_seal(st, copy, what, err, errlen) != 0) {
		json_decref(copy);
		return NULL;
	}
	text = json_dumps(copy, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(copy);
	return text;
}

static int service_json_make(mih_store *st, const mih_service *svc, service_json *sj, char *err,
	size_t errlen)
{
	char what[320];

	memset(sj, 0, sizeof(*sj));
	snprintf(what, sizeof(what), "service \"%s\"", svc->name);
	store_set_err(err, errlen, "store: out of memory saving service \"%s\"", svc->name);
	if (store_secret_seal(st, "auth_token", svc->auth_token, &sj->auth_token, what, err, errlen) != 0
		|| (svc->auth_token && !sj->auth_token)) {
		service_json_free(sj);
		return -1;
	}
	sj->headers = sealed_json_text(st, svc->headers, "{}", what, err, errlen);
	sj->retry_statuses = status_list_json(&svc->retry_statuses);
	sj->cb_failure_statuses = status_list_json(&svc->cb_failure_statuses);
	sj->signing_secrets = sealed_json_text(st, svc->signing_secrets, "[]", what, err, errlen);
	if (!sj->headers || !sj->retry_statuses || !sj->cb_failure_statuses || !sj->signing_secrets) {
		service_json_free(sj);
		return -1;
	}
	return 0;
}

/* Values in service_cols order. */
static void service_values(const mih_service *svc, const service_json *sj,
	mih_sql_value *v)
{
	size_t i = 0;

	v[i++] = store_v_str(svc->name);
	v[i++] = store_v_str(svc->type == MIH_SERVICE_HTTP ? "rest" : mih_service_type_name(svc->type));
	v[i++] = store_v_str0(svc->base_url);
	v[i++] = store_v_str(mih_auth_type_name(svc->auth_type));
	v[i++] = store_v_str(sj->auth_token);
	v[i++] = mih_sql_real(svc->timeout);
	v[i++] = mih_sql_int(svc->max_retries);
	v[i++] = mih_sql_real(svc->retry_backoff);
	v[i++] = mih_sql_int(svc->cb_failure_threshold);
	v[i++] = mih_sql_real(svc->cb_cooldown);
	v[i++] = store_v_str("");
	v[i++] = store_v_bool(svc->enabled);
	v[i++] = mih_sql_int(svc->timecreated);
	v[i++] = mih_sql_int(svc->timemodified);
	v[i++] = store_v_str0(svc->method);
	v[i++] = store_v_str(svc->apikey_header);
	v[i++] = store_v_str(sj->headers);
	v[i++] = mih_sql_real(svc->connect_timeout);
	v[i++] = mih_sql_real(svc->retry_cap);
	v[i++] = store_v_str(sj->retry_statuses);
	v[i++] = store_v_bool(svc->follow_redirects);
	v[i++] = store_v_str(mih_cb_mode_name(svc->cb_mode));
	v[i++] = mih_sql_real(svc->cb_window);
	v[i++] = mih_sql_int(svc->cb_min_calls);
	v[i++] = mih_sql_int(svc->cb_failure_rate);
	v[i++] = mih_sql_int(svc->cb_halfopen_probes);
	v[i++] = store_v_str(sj->cb_failure_statuses);
	v[i++] = mih_sql_int(svc->max_attempts);
	v[i++] = mih_sql_real(svc->queue_backoff);
	v[i++] = mih_sql_real(svc->queue_backoff_cap);
	v[i++] = store_v_str(sj->signing_secrets);
}

static int parse_status_list(store_row *r, const char *name, mih_status_list *out,
	const char *svcname, char *err, size_t errlen)
{
	const mih_sql_value *v = store_col(r, name);
	json_t *arr;
	size_t i;
	json_t *item;

	memset(out, 0, sizeof(*out));
	if (store_col_empty(r, name) || v->type != MIH_SQL_TEXT) {
		return 0;
	}
	arr = json_loadb(v->s, v->len, JSON_DECODE_ANY, NULL);
	if (!json_is_array(arr)) {
		json_decref(arr);
		store_set_err(err, errlen, "store: service \"%s\" has a malformed %s column",
			svcname, name);
		return -1;
	}
	json_array_foreach(arr, i, item) {
		if (out->count < MIH_SERVICE_MAX_STATUSES && json_is_integer(item)) {
			out->codes[out->count++] = (int)json_integer_value(item);
		}
	}
	json_decref(arr);
	return 0;
}

/* The column's JSON, or a fresh empty container when NULL/empty. */
static int parse_json_column(store_row *r, const char *name, bool object, json_t **out,
	const char *svcname, char *err, size_t errlen)
{
	const mih_sql_value *v = store_col(r, name);
	json_t *j;

	if (store_col_empty(r, name) || v->type != MIH_SQL_TEXT) {
		*out = object ? json_object() : json_array();
		return *out ? 0 : -1;
	}
	j = json_loadb(v->s, v->len, JSON_DECODE_ANY, NULL);
	if (!j || (object ? !json_is_object(j) : !json_is_array(j))) {
		json_decref(j);
		store_set_err(err, errlen, "store: service \"%s\" has a malformed %s column",
			svcname, name);
		return -1;
	}
	*out = j;
	return 0;
}

static int parse_auth_type(store_row *r, mih_auth_type *out)
{
	const mih_sql_value *v = store_col(r, "auth_type");

	*out = MIH_AUTH_NONE;
	if (store_col_empty(r, "auth_type") || v->type != MIH_SQL_TEXT) {
		return 0;
	}
	for (int t = MIH_AUTH_NONE; t <= MIH_AUTH_BASIC; t++) {
		const char *name = mih_auth_type_name((mih_auth_type)t);

		if (name && strlen(name) == v->len && strncasecmp(name, v->s, v->len) == 0) {
			*out = (mih_auth_type)t;
			return 0;
		}
	}
	return -1;
}

/* The PHP plugin's "rest", or the extension's amqp and soap; NULL or empty is rest. */
static int parse_service_type(store_row *r, mih_service_type *out)
{
	const mih_sql_value *v = store_col(r, "type");
	char name[16];

	*out = MIH_SERVICE_HTTP;
	if (!v || store_col_empty(r, "type") || v->type != MIH_SQL_TEXT) {
		return 0;
	}
	if (v->len >= sizeof(name)) {
		return -1;
	}
	memcpy(name, v->s, v->len);
	name[v->len] = '\0';
	return mih_service_type_parse(name, out);
}

static mih_cb_mode parse_cb_mode(store_row *r)
{
	const mih_sql_value *v = store_col(r, "cb_mode");
	const char *rate = mih_cb_mode_name(MIH_CB_RATE);

	if (v && v->type == MIH_SQL_TEXT && rate && strlen(rate) == v->len
		&& strncasecmp(rate, v->s, v->len) == 0) {
		return MIH_CB_RATE;
	}
	return MIH_CB_COUNT;
}

static int open_service_secrets(mih_store *st, mih_service *s, char *err, size_t errlen)
{
	char what[320];

	snprintf(what, sizeof(what), "service \"%s\"", s->name);
	return store_secret_open(st, "auth_token", &s->auth_token, what, err, errlen) != 0
		|| store_json_open(st, s->headers, what, err, errlen) != 0
		|| store_json_open(st, s->signing_secrets, what, err, errlen) != 0 ? -1 : 0;
}

static int fill_service(mih_store *st, void *item, store_row *r, char *err, size_t errlen)
{
	mih_service *s = item;

	r->table = T_SVC;
	s->id = store_col_id(r, "id");
	s->name = store_col_dup_req(r, "name");
	s->base_url = store_col_dup_req(r, "base_url");
	s->method = store_col_dup_req(r, "method");
	s->auth_token = store_col_dup_nonempty(r, "auth_token");
	s->apikey_header = store_col_dup_nonempty(r, "apikey_header");
	s->timeout = store_col_real(r, "timeout");
	s->connect_timeout = store_col_real(r, "connect_timeout");
	s->max_retries = (long)store_col_int(r, "max_retries");
	s->retry_backoff = store_col_real(r, "retry_backoff");
	s->retry_cap = store_col_real(r, "retry_cap");
	s->follow_redirects = store_col_int(r, "follow_redirects") != 0;
	s->cb_mode = parse_cb_mode(r);
	s->cb_failure_threshold = (long)store_col_int(r, "cb_failure_threshold");
	s->cb_window = store_col_real(r, "cb_window");
	s->cb_cooldown = store_col_real(r, "cb_cooldown");
	s->cb_min_calls = (long)store_col_int(r, "cb_min_calls");
	s->cb_failure_rate = (long)store_col_int(r, "cb_failure_rate");
	s->cb_halfopen_probes = (long)store_col_int(r, "cb_halfopen_probes");
	s->max_attempts = (long)store_col_int(r, "max_attempts");
	s->queue_backoff = store_col_real(r, "queue_backoff");
	s->queue_backoff_cap = store_col_real(r, "queue_backoff_cap");
	s->enabled = store_col_int(r, "enabled") != 0;
	s->timecreated = store_col_int(r, "timecreated");
	s->timemodified = store_col_int(r, "timemodified");
	if (r->oom || r->bad_field) {
		return -1;   /* the message says which field */
	}
	if (parse_auth_type(r, &s->auth_type) != 0) {
		store_set_err(err, errlen, "store: service \"%s\" has an unknown auth_type", s->name);
		return -1;
	}
	if (!s->apikey_header && !r->oom) {
		/* The PHP plugin's rows have none: the default, as a new service gets. */
		s->apikey_header = strdup("X-API-Key");
		if (!s->apikey_header) {
			store_set_err(err, errlen, "out of memory");
			return -1;
		}
	}
	if (parse_service_type(r, &s->type) != 0) {
		store_set_err(err, errlen, "store: service \"%s\" has an unknown type (expected rest, amqp or soap)", s->name);
		return -1;
	}
	if (parse_status_list(r, "retry_statuses", &s->retry_statuses, s->name, err, errlen) != 0
		|| parse_status_list(r, "cb_failure_statuses", &s->cb_failure_statuses, s->name,
			err, errlen) != 0
		|| parse_json_column(r, "headers", true, &s->headers, s->name, err, errlen) != 0
		|| parse_json_column(r, "signing_secrets", false, &s->signing_secrets, s->name,
			err, errlen) != 0) {
		return -1;
	}
	return open_service_secrets(st, s, err, errlen);
}

static void dispose_service(void *item)
{
	mih_service_dispose(item);
}

static int service_insert(mih_store *st, mih_service *svc, char *err, size_t errlen)
{
	service_json sj;
	mih_sql_value vals[SERVICE_NCOLS];
	int rc;

	if (service_json_make(st, svc, &sj, err, errlen) != 0) {
		return -1;
	}
	service_values(svc, &sj, vals);
	rc = st->ops->insert(st->db, T_SVC, service_cols, vals, SERVICE_NCOLS, &svc->id,
		err, errlen);
	service_json_free(&sj);
	return rc;
}

static int service_update(mih_store *st, mih_service *svc, char *err, size_t errlen)
{
	service_json sj;
	mih_sql_value vals[SERVICE_NCOLS + 1];
	char sql[1024];
	size_t len;
	int rc;

	len = (size_t)snprintf(sql, sizeof(sql), "UPDATE {" T_SVC "} SET ");
	for (size_t i = 0; i < SERVICE_NCOLS; i++) {
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s%s = ?", i ? ", " : "",
			service_cols[i]);
	}
	snprintf(sql + len, sizeof(sql) - len, " WHERE id = ?");
	if (service_json_make(st, svc, &sj, err, errlen) != 0) {
		return -1;
	}
	service_values(svc, &sj, vals);
	vals[SERVICE_NCOLS] = mih_sql_int(svc->id);
	rc = store_exec(st, sql, vals, SERVICE_NCOLS + 1, err, errlen);
	service_json_free(&sj);
	return rc;
}

typedef struct service_row {
	int64_t id;
	int64_t timecreated;
} service_row;

static int fill_service_row(mih_store *st, void *item, store_row *r, char *err, size_t errlen)
{
	service_row *row = item;

	(void)st;
	(void)err;
	(void)errlen;
	row->id = store_col_int(r, "id");
	row->timecreated = store_col_int(r, "timecreated");
	return 0;
}

static void dispose_nothing(void *item)
{
	(void)item;
}

int mih_store_service_save(mih_store *st, mih_service *svc, char *err, size_t errlen)
{
	/* Only what an update keeps: the row need not be readable (its secrets
	 * may be sealed under a key no longer configured). */
	static const char sql[] = "SELECT id, timecreated FROM {" T_SVC "} WHERE name = ?";
	mih_sql_value p;
	service_row existing;
	int64_t now = mih_store_now(st);
	int rc;

	if (!svc->name || !*svc->name || strlen(svc->name) > MIH_SERVICE_NAME_MAX) {
		store_set_err(err, errlen, "store: a service name must be 1 to %d characters",
			MIH_SERVICE_NAME_MAX);
		return -1;
	}
	if (!svc->base_url || !*svc->base_url) {
		store_set_err(err, errlen, "store: service \"%s\" has no base_url", svc->name);
		return -1;
	}
	if (store_tx_begin(st, err, errlen) != 0) {
		return -1;
	}
	p = store_v_str(svc->name);
	rc = store_query_one(st, sql, &p, 1, sizeof(existing), fill_service_row, dispose_nothing,
		&existing, err, errlen);
	if (rc == MIH_STORE_DONE) {
		svc->id = existing.id;
		svc->timecreated = existing.timecreated;
		svc->timemodified = now;
		rc = service_update(st, svc, err, errlen);
	} else if (rc == MIH_STORE_NOT_FOUND) {
		svc->timecreated = now;
		svc->timemodified = now;
		rc = service_insert(st, svc, err, errlen);
	}
	if (rc >= 0) {
		rc = store_bump_config_version(st, err, errlen) == 0 ? rc : -1;
	}
	return store_tx_end(st, rc, err, errlen);
}

int mih_store_service_get(mih_store *st, const char *name, mih_service *out,
	char *err, size_t errlen)
{
	static const char sql[] = "SELECT * FROM {" T_SVC "} WHERE name = ?";
	mih_sql_value p = store_v_str0(name);

	memset(out, 0, sizeof(*out));
	return store_query_one(st, sql, &p, 1, sizeof(*out), fill_service, dispose_service, out,
		err, errlen);
}

int mih_store_service_get_by_id(mih_store *st, int64_t id, mih_service *out,
	char *err, size_t errlen)
{
	static const char sql[] = "SELECT * FROM {" T_SVC "} WHERE id = ?";
	mih_sql_value p = mih_sql_int(id);

	memset(out, 0, sizeof(*out));
	return store_query_one(st, sql, &p, 1, sizeof(*out), fill_service, dispose_service, out,
		err, errlen);
}

int mih_store_service_list(mih_store *st, mih_service **out, size_t *count,
	char *err, size_t errlen)
{
	static const char sql[] = "SELECT * FROM {" T_SVC "} ORDER BY name";

	return store_query_list(st, sql, NULL, 0, 0, 0, sizeof(**out), fill_service, dispose_service,
		(void **)out, count, err, errlen);
}

void mih_store_service_list_free(mih_service *list, size_t count)
{
	store_free_items((char *)list, count, sizeof(*list), dispose_service);
}

static int count_refs(mih_store *st, const char *sql, int64_t serviceid, int64_t *n,
	char *err, size_t errlen)
{
	mih_sql_value p = mih_sql_int(serviceid);
	bool found;

	return store_query_int(st, sql, &p, 1, n, &found, err, errlen);
}

int mih_store_service_delete(mih_store *st, const char *name, char *err, size_t errlen)
{
	mih_sql_value p = store_v_str0(name);
	int64_t id, rules = 0, tasks = 0, dead = 0;
	bool found;
	int rc;

	if (store_tx_begin(st, err, errlen) != 0) {
		return -1;
	}
	rc = store_query_int(st, "SELECT id FROM {" T_SVC "} WHERE name = ?", &p, 1, &id, &found,
		err, errlen);
	if (rc == 0 && !found) {
		return store_tx_end(st, MIH_STORE_NOT_FOUND, err, errlen);
	}
	if (rc == 0) {
		rc = count_refs(st, "SELECT COUNT(*) AS n FROM {" T_RULES "} WHERE serviceid = ?",
			id, &rules, err, errlen);
	}
	if (rc == 0) {
		rc = count_refs(st, "SELECT COUNT(*) AS n FROM {" T_QUEUE "} WHERE serviceid = ?",
			id, &tasks, err, errlen);
	}
	if (rc == 0) {
		rc = count_refs(st, "SELECT COUNT(*) AS n FROM {" T_DLQ "} WHERE serviceid = ?",
			id, &dead, err, errlen);
	}
	if (rc == 0 && (rules || tasks || dead)) {
		store_set_err(err, errlen, "service \"%s\" is still used by %lld rule(s), %lld queued "
			"task(s) and %lld dead letter(s); delete those first", name, (long long)rules,
			(long long)tasks, (long long)dead);
		rc = -1;
	}
	if (rc == 0) {
		mih_sql_value pid = mih_sql_int(id);

		rc = store_exec(st, "DELETE FROM {" T_CB "} WHERE serviceid = ?", &pid, 1, err, errlen);
		if (rc == 0) {
			rc = store_exec(st, "DELETE FROM {" T_SVC "} WHERE id = ?", &pid, 1, err, errlen);
		}
		if (rc == 0) {
			rc = store_bump_config_version(st, err, errlen);
		}
	}
	return store_tx_end(st, rc, err, errlen);
}
