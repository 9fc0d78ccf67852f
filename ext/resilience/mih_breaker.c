/* The host-wide circuit breaker and change counters: glue over the shared
 * memory table (ext/core/resilience/shm.c) and the breaker state machine
 * (ext/core/resilience/breaker.c). Circuits are keyed "<store identity>\0<service>",
 * so two sites on one host never share a circuit. */
#include "mih_private.h"
#include "shm.h"
#include "clock.h"

#include <unistd.h>

/* A probe permit outlives its call by this much before another probe may go. */
#define MIH_PROBE_MARGIN_MS 10000

/* ---- circuits ---------------------------------------------------------------- */

static size_t circuit_key(char *out, size_t outlen, const char *identity, const char *service)
{
	size_t ilen = strlen(identity), slen = strlen(service);

	if (ilen + 1 + slen > outlen) {
		/* Longer than a slot key: identity and name are hashed down. */
		unsigned long h1 = 5381, h2 = 5381;
		const char *p;
		for (p = identity; *p; p++) {
			h1 = h1 * 33 + (unsigned char)*p;
		}
		for (p = service; *p; p++) {
			h2 = h2 * 33 + (unsigned char)*p;
		}
		return (size_t)snprintf(out, outlen, "#%lx\x1f%.*s#%lx", h1, 200, service, h2);
	}
	memcpy(out, identity, ilen);
	out[ilen] = '\0';
	memcpy(out + ilen + 1, service, slen);
	return ilen + 1 + slen;
}

static void breaker_config(const mih_service *svc, mih_breaker_config *c)
{
	mih_breaker_config_default(c);
	c->mode = svc->cb_mode == MIH_CB_RATE ? MIH_BREAKER_MODE_RATE : MIH_BREAKER_MODE_COUNT;
	c->failure_threshold = (uint32_t)svc->cb_failure_threshold;
	c->window_ms = (int64_t)(svc->cb_window * 1000.0);
	c->cooldown_ms = (int64_t)(svc->cb_cooldown * 1000.0);
	c->min_calls = (uint32_t)svc->cb_min_calls;
	c->failure_rate = (uint32_t)svc->cb_failure_rate;
	c->halfopen_probes = (uint32_t)MIN(svc->cb_halfopen_probes, MIH_BREAKER_MAX_PROBES);
	c->probe_ttl_ms = (int64_t)(svc->timeout * 1000.0) + MIH_PROBE_MARGIN_MS;
}

static const char *store_state_name(mih_breaker_status st)
{
	return st == MIH_BREAKER_OPEN ? "open" : st == MIH_BREAKER_HALF_OPEN ? "halfopen" : "closed";
}

/* Transitions are also written to the store for the admin views and other
 * hosts; each host decides from its own shared memory. */
static void persist_transition(mih_store *st, const mih_service *svc, const mih_breaker_transition *t,
	const char *key, size_t keylen)
{
	mih_store_circuit row;
	mih_breaker_config cfg;
	mih_breaker_snapshot snap;
	char err[256];

	if (!st || t->from == t->to) {
		return;
	}
	memset(&row, 0, sizeof(row));
	breaker_config(svc, &cfg);
	if (MIH_G(shm)) {
		mih_shm_breaker_info(MIH_G(shm), key, keylen, &cfg, t->at_ms, &snap, err, sizeof(err));
		row.failure_count = snap.failures;
		row.opened_at = snap.opened_at;
	}
	row.serviceid = svc->id;
	snprintf(row.state, sizeof(row.state), "%s", store_state_name(t->to));
	row.last_failure = t->to == MIH_BREAKER_OPEN ? t->at_ms / 1000 : 0;
	row.timemodified = t->at_ms / 1000;
	mih_store_circuit_save(st, &row, err, sizeof(err));
}

mih_breaker_decision php_mih_breaker_allow(mih_store *st, const mih_service *svc, mih_breaker_permit *permit,
	int64_t *retry_after_ms)
{
	char key[MIH_SHM_KEY_MAX], err[256];
	size_t keylen;
	mih_breaker_config cfg;
	mih_breaker_decision decision = MIH_BREAKER_ALLOW;
	mih_breaker_transition t = { 0, 0, 0 };
	mih_shm *shm = php_mih_shm_table();

	memset(permit, 0, sizeof(*permit));
	permit->headroom = MIH_BREAKER_NO_LIMIT; /* also when the table fails open */
	*retry_after_ms = 0;
	if (!shm) {
		return MIH_BREAKER_ALLOW;
	}
	keylen = circuit_key(key, sizeof(key), mih_store_identity(st), svc->name);
	breaker_config(svc, &cfg);
	if (mih_shm_breaker_allow(shm, key, keylen, &cfg, mih_clock_real_ms(NULL), &decision, permit,
			retry_after_ms, &t, err, sizeof(err)) != 0) {
		/* Fail open (the table is busy or full), and say so once per process. */
		if (!MIH_G(shm_warned)) {
			php_error_docref(NULL, E_WARNING, "mih: the circuit of service \"%s\" is not checked: %s",
				svc->name, err);
			MIH_G(shm_warned) = true;
		}
		return MIH_BREAKER_ALLOW;
	}
	persist_transition(st, svc, &t, key, keylen);
	return decision;
}

bool php_mih_breaker_is_failure(const mih_service *svc, const mih_http_response *resp)
{
	switch (resp->outcome) {
		case MIH_HTTP_CONNECT_ERROR:
		case MIH_HTTP_TIMEOUT:
		case MIH_HTTP_PROTOCOL_ERROR:
			return true;
		case MIH_HTTP_ANSWERED:
			return mih_status_list_has(&svc->cb_failure_statuses, resp->status);
		default:
			return false;
	}
}

static void release_permit(mih_breaker_state *state, void *permit)
{
	mih_breaker_release(state, permit);
}

void php_mih_breaker_record(mih_store *st, const mih_service *svc, const mih_breaker_permit *permit,
	const mih_http_response *resp)
{
	char key[MIH_SHM_KEY_MAX], err[256];
	size_t keylen;
	mih_breaker_config cfg;
	mih_breaker_transition t = { 0, 0, 0 };
	mih_shm *shm = php_mih_shm_table();

	if (!shm) {
		return;
	}
	keylen = circuit_key(key, sizeof(key), mih_store_identity(st), svc->name);
	/* A destination refused here (by the policy, or a redirect the hub does
	 * not follow), or an answer too large to keep, says nothing about the
	 * service's health: not an outcome, and a probe's permit goes back. */
	if (resp->outcome == MIH_HTTP_BLOCKED || resp->outcome == MIH_HTTP_TOO_LARGE
			|| resp->outcome == MIH_HTTP_SETUP_ERROR) {
		if (permit && permit->probe_token != 0) {
			mih_shm_breaker_update(shm, key, keylen, mih_clock_real_ms(NULL), release_permit,
				(void *)permit, err, sizeof(err));
		}
		return;
	}
	breaker_config(svc, &cfg);
	if (mih_shm_breaker_record(shm, key, keylen, &cfg, mih_clock_real_ms(NULL),
			php_mih_breaker_is_failure(svc, resp), permit, NULL, &t, err, sizeof(err)) == 0) {
		persist_transition(st, svc, &t, key, keylen);
	}
}

int64_t php_mih_breaker_next_allowed_ms(mih_store *st, const mih_service *svc)
{
	char key[MIH_SHM_KEY_MAX], err[256];
	size_t keylen;
	mih_breaker_config cfg;
	int64_t now = mih_clock_real_ms(NULL), next = now;
	mih_shm *shm = php_mih_shm_table();

	if (!shm) {
		return now;
	}
	keylen = circuit_key(key, sizeof(key), mih_store_identity(st), svc->name);
	breaker_config(svc, &cfg);
	if (mih_shm_breaker_next_allowed(shm, key, keylen, &cfg, now, &next, err, sizeof(err)) != 0) {
		return now;
	}
	return next;
}

void php_mih_throw_circuit_open(const char *service, int64_t retry_after_ms)
{
	zend_object *ex;
	zval zservice, zretry;
	zend_long seconds = (zend_long)((retry_after_ms + 999) / 1000);

	ex = zend_throw_exception_ex(php_mih_circuit_open_exception_ce, 503,
		"circuit of service \"%s\" is open: no request is sent for " ZEND_LONG_FMT " more second%s",
		service, seconds, seconds == 1 ? "" : "s");
	ZVAL_STRING(&zservice, service);
	ZVAL_LONG(&zretry, seconds);
	zend_update_property(php_mih_circuit_open_exception_ce, ex, ZEND_STRL("service"), &zservice);
	zend_update_property(php_mih_circuit_open_exception_ce, ex, ZEND_STRL("retry_after"), &zretry);
	zval_ptr_dtor(&zservice);
}

void php_mih_circuit_array(const mih_service *svc, zval *out)
{
	char key[MIH_SHM_KEY_MAX], err[256];
	size_t keylen;
	mih_breaker_config cfg;
	mih_breaker_snapshot snap;
	mih_store *st = php_mih_store();
	mih_shm *shm = php_mih_shm_table();

	memset(&snap, 0, sizeof(snap));
	if (st && shm) {
		keylen = circuit_key(key, sizeof(key), mih_store_identity(st), svc->name);
		breaker_config(svc, &cfg);
		mih_shm_breaker_info(shm, key, keylen, &cfg, mih_clock_real_ms(NULL), &snap, err, sizeof(err));
	}
	if (EG(exception)) {
		zend_clear_exception();
	}
	array_init(out);
	add_assoc_string(out, "service", svc->name);
	add_assoc_string(out, "state", snap.state == MIH_BREAKER_OPEN ? "open"
		: snap.state == MIH_BREAKER_HALF_OPEN ? "half_open" : "closed");
	add_assoc_long(out, "failures", snap.failures);
	add_assoc_long(out, "calls", snap.calls);
	if (snap.opened_at) {
		add_assoc_long(out, "opened_at", (zend_long)snap.opened_at);
	} else {
		add_assoc_null(out, "opened_at");
	}
	add_assoc_long(out, "retry_after", (zend_long)snap.retry_after);
}

ZEND_METHOD(local_integrationhub_mih, circuit)
{
	zend_string *name;
	mih_service svc;
	mih_store *st;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_PATH_STR(name)
	ZEND_PARSE_PARAMETERS_END();

	if (php_mih_load_service(name, &svc, false, &st) != SUCCESS) {
		RETURN_THROWS();
	}
	php_mih_circuit_array(&svc, return_value);
	mih_service_dispose(&svc);
}

ZEND_METHOD(local_integrationhub_mih, reset_circuit)
{
	zend_string *name;
	mih_service svc;
	mih_store *st;
	char key[MIH_SHM_KEY_MAX], err[256];
	size_t keylen;
	mih_shm *shm;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_PATH_STR(name)
	ZEND_PARSE_PARAMETERS_END();

	if (php_mih_load_service(name, &svc, false, &st) != SUCCESS) {
		RETURN_THROWS();
	}
	shm = php_mih_shm_table();
	if (shm) {
		mih_breaker_transition t = { MIH_BREAKER_OPEN, MIH_BREAKER_CLOSED, mih_clock_real_ms(NULL) };
		keylen = circuit_key(key, sizeof(key), mih_store_identity(st), svc.name);
		if (mih_shm_breaker_reset(shm, key, keylen, err, sizeof(err)) != 0) {
			mih_service_dispose(&svc);
			php_mih_throw(php_mih_exception_ce, 0, "could not reset the circuit of \"%s\": %s", ZSTR_VAL(name), err);
			RETURN_THROWS();
		}
		persist_transition(st, &svc, &t, key, keylen);
	}
	mih_service_dispose(&svc);
}

ZEND_METHOD(local_integrationhub_mih, reset_circuits)
{
	mih_store *st;
	mih_shm *shm;
	char err[256];
	const char *identity;

	ZEND_PARSE_PARAMETERS_NONE();

	st = php_mih_store();
	if (!st) {
		RETURN_THROWS();
	}
	shm = php_mih_shm_table();
	identity = mih_store_identity(st);
	/* The prefix includes the separator, so "site1" never matches "site10". */
	if (shm && mih_shm_breaker_reset_prefix(shm, identity, strlen(identity) + 1, NULL, err, sizeof(err)) != 0) {
		php_mih_throw(php_mih_exception_ce, 0, "could not reset the circuits: %s", err);
		RETURN_THROWS();
	}
}
