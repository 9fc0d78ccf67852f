/* Service definitions and rules as the glue reads them: through per-process
 * caches invalidated by a change in this process, the host-wide change
 * counter (mih_host.c) or, after mih.rules_ttl, the store's version for
 * other hosts. The calls, the
 * event bridge, the worker and the breaker glue all load services here. */
#include "mih_private.h"
#include "clock.h"

static int service_lookup(mih_store *st, const char *name, mih_service *out, const mih_service **ref,
	char *err, size_t errlen);

static zend_result load_service(zend_string *name, mih_service *buf, const mih_service **ref, bool require_enabled,
	mih_store **st_out)
{
	char err[256];
	mih_store *st = php_mih_store();
	int rc;

	if (!st) {
		return FAILURE;
	}
	rc = service_lookup(st, ZSTR_VAL(name), buf, ref, err, sizeof(err));
	if (rc == MIH_STORE_NOT_FOUND) {
		php_mih_throw(php_mih_service_not_found_exception_ce, 0, "service \"%s\" is not defined", ZSTR_VAL(name));
		return FAILURE;
	}
	if (rc != 0) {
		php_mih_throw(php_mih_store_exception_ce, 0, "could not load service \"%s\": %s", ZSTR_VAL(name), err);
		return FAILURE;
	}
	if (require_enabled && !(ref ? *ref : buf)->enabled) {
		php_mih_throw(php_mih_service_disabled_exception_ce, 0, "service \"%s\" is disabled", ZSTR_VAL(name));
		if (ref) {
			php_mih_service_return(buf, *ref);
		} else {
			mih_service_dispose(buf);
		}
		return FAILURE;
	}
	if (st_out) {
		*st_out = st;
	}
	return SUCCESS;
}

zend_result php_mih_load_service(zend_string *name, mih_service *svc, bool require_enabled, mih_store **st_out)
{
	return load_service(name, svc, NULL, require_enabled, st_out);
}

zend_result php_mih_borrow_service(zend_string *name, mih_service *buf, const mih_service **svc, bool require_enabled,
	mih_store **st_out)
{
	return load_service(name, buf, svc, require_enabled, st_out);
}

/* Service definitions looked up by synchronous calls, cached per process
 * and invalidated like the rules: a change in this process or another of
 * this host (the host-wide counter in shared memory) at once, another
 * host's within mih.rules_ttl seconds (then one read of the store's
 * version, which every service and rule change moves). */
typedef struct php_mih_service_cache {
	char *identity;
	uint64_t host_version;
	int64_t version;            /* the store's rules (and services) version when created */
	double checked_at;
	mih_service *items;
	size_t count, cap;
	struct php_mih_service_cache *retired_next;
} php_mih_service_cache;

static void service_cache_free(php_mih_service_cache *c)
{
	size_t i;

	for (i = 0; i < c->count; i++) {
		mih_service_dispose(&c->items[i]);
	}
	free(c->items);
	free(c->identity);
	free(c);
}

/* While a definition is borrowed the cache is only set aside, freed when
 * the last borrow ends. */
static void service_cache_clear(void)
{
	php_mih_service_cache *c = MIH_G(service_cache);

	if (!c) {
		return;
	}
	MIH_G(service_cache) = NULL;
	if (MIH_G(service_borrows) > 0) {
		c->retired_next = MIH_G(service_cache_retired);
		MIH_G(service_cache_retired) = c;
	} else {
		service_cache_free(c);
	}
}

static void service_cache_free_retired(void)
{
	while (MIH_G(service_cache_retired)) {
		php_mih_service_cache *c = MIH_G(service_cache_retired);
		MIH_G(service_cache_retired) = c->retired_next;
		service_cache_free(c);
	}
}

void php_mih_service_return(mih_service *buf, const mih_service *svc)
{
	if (svc == buf) {
		mih_service_dispose(buf);
	} else if (MIH_G(service_borrows) > 0 && --MIH_G(service_borrows) == 0) {
		service_cache_free_retired();
	}
}

void php_mih_service_cache_request_end(void)
{
	MIH_G(service_borrows) = 0;
	service_cache_free_retired();
}

int php_mih_service_cached(mih_store *st, const char *name, mih_service *out, char *err, size_t errlen)
{
	return service_lookup(st, name, out, NULL, err, errlen);
}

/* ref NULL: out gets a copy. Otherwise *ref is the cached definition
 * (one more borrow) or out, filled, when it could not be cached. */
static int service_lookup(mih_store *st, const char *name, mih_service *out, const mih_service **ref,
	char *err, size_t errlen)
{
	php_mih_service_cache *c = MIH_G(service_cache);
	const char *identity = mih_store_identity(st);
	uint64_t host_version = php_mih_host_version(identity);
	double now = mih_clock_monotonic_s();
	size_t i;
	int rc;

	if (c && (strcmp(c->identity, identity) != 0 || c->host_version != host_version)) {
		service_cache_clear();
		c = NULL;
	}
	if (c && now - c->checked_at >= (double)MIH_G(rules_ttl)) {
		/* Another host may have changed a service: one read says whether. */
		int64_t version;

		if (mih_store_rules_version(st, &version, err, errlen) != 0) {
			return -1;
		}
		if (version == c->version) {
			c->checked_at = now;
		} else {
			service_cache_clear();
			c = NULL;
		}
	}
	if (!c) {
		int64_t version;

		if (mih_store_rules_version(st, &version, err, errlen) != 0) {
			return -1;
		}
		c = calloc(1, sizeof(*c));
		if (!c || !(c->identity = strdup(identity))) {
			free(c);
			if (ref) {
				*ref = out;
			}
			return mih_store_service_get(st, name, out, err, errlen);
		}
		c->host_version = host_version;
		c->version = version;
		c->checked_at = now;
		MIH_G(service_cache) = c;
	}
	for (i = 0; i < c->count; i++) {
		if (strcmp(c->items[i].name, name) == 0) {
			if (ref) {
				*ref = &c->items[i];
				MIH_G(service_borrows)++;
				return MIH_STORE_DONE;
			}
			return mih_service_copy(out, &c->items[i]) == 0 ? MIH_STORE_DONE : -1;
		}
	}
	rc = mih_store_service_get(st, name, out, err, errlen);
	if (ref) {
		*ref = out;
	}
	/* Growing the array would move the definitions lent out. */
	if (rc == MIH_STORE_DONE && (c->count < c->cap || MIH_G(service_borrows) == 0)) {
		if (c->count == c->cap) {
			size_t ncap = c->cap ? c->cap * 2 : 8;
			mih_service *items = realloc(c->items, ncap * sizeof(*items));
			if (!items) {
				return rc;
			}
			c->items = items;
			c->cap = ncap;
		}
		if (mih_service_copy(&c->items[c->count], out) == 0) {
			c->count++;
		}
	}
	return rc;
}

void php_mih_rules_cache_clear(void)
{
	php_mih_rules_cache *c = MIH_G(rules_cache);
	size_t i;

	service_cache_clear();
	if (!c) {
		return;
	}
	mih_store_rule_list_free(c->rules, c->count);
	for (i = 0; i < c->nservices; i++) {
		mih_service_dispose(&c->services[i]);
	}
	free(c->services);
	free(c->identity);
	free(c);
	MIH_G(rules_cache) = NULL;
}

void php_mih_rules_changed(mih_store *st)
{
	php_mih_rules_cache_clear();
	php_mih_host_version_bump(mih_store_identity(st));
}
