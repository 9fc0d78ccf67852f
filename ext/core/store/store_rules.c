/* Rules: which Moodle event goes to which service endpoint, through which
 * payload template. Every change bumps a version number in the meta table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store_internal.h"

#define RULES_VERSION_KEY "rules_version"

static const char rule_select[] =
	"SELECT r.*, s.name AS service FROM {" T_RULES "} r"
	" LEFT JOIN {" T_SVC "} s ON s.id = r.serviceid";

static int fill_rule(mih_store *st, void *item, store_row *r, char *err, size_t errlen)
{
	mih_store_rule *rule = item;
	char what[64];

	r->table = T_RULES;
	rule->id = store_col_id(r, "id");
	rule->eventname = store_col_dup_req(r, "eventname");
	rule->serviceid = store_col_int(r, "serviceid");
	rule->service = store_col_dup(r, "service");
	rule->endpoint = store_col_dup(r, "endpoint");
	rule->http_method = store_col_dup_req(r, "http_method");
	rule->payload_template = store_col_dup(r, "payload_template");
	rule->headers = store_col_dup_nonempty(r, "headers");
	rule->enabled = store_col_int(r, "enabled") != 0;
	rule->timecreated = store_col_int(r, "timecreated");
	rule->timemodified = store_col_int(r, "timemodified");
	snprintf(what, sizeof(what), "rule %lld", (long long)rule->id);
	return store_headers_open_text(st, &rule->headers, what, err, errlen);
}

void mih_store_rule_dispose(mih_store_rule *rule)
{
	if (!rule) {
		return;
	}
	free(rule->eventname);
	free(rule->service);
	free(rule->endpoint);
	free(rule->http_method);
	free(rule->payload_template);
	free(rule->headers);
	memset(rule, 0, sizeof(*rule));
}

static void dispose_rule(void *item)
{
	mih_store_rule_dispose(item);
}

void mih_store_rule_list_free(mih_store_rule *list, size_t count)
{
	store_free_items((char *)list, count, sizeof(*list), dispose_rule);
}

/* Readers on other hosts compare this number to notice rule and service
 * changes (the per-process caches of both). */
int store_bump_config_version(mih_store *st, char *err, size_t errlen)
{
	static const char *const cols[] = { "name", "value" };
	mih_sql_value key = store_v_str(RULES_VERSION_KEY);
	mih_sql_value vals[2] = { store_v_str(RULES_VERSION_KEY), mih_sql_int(1) };
	int64_t id;
	bool found;

	if (store_exec(st, "UPDATE {" T_META "} SET value = value + 1 WHERE name = ?", &key, 1,
		err, errlen) != 0
		|| store_query_int(st, "SELECT id FROM {" T_META "} WHERE name = ?", &key, 1, &id, &found,
			err, errlen) != 0) {
		return -1;
	}
	if (found) {
		return 0;
	}
	return st->ops->insert(st->db, T_META, cols, vals, 2, &id, err, errlen);
}

int mih_store_rules_version(mih_store *st, int64_t *version, char *err, size_t errlen)
{
	mih_sql_value key = store_v_str(RULES_VERSION_KEY);
	bool found;

	return store_query_int(st, "SELECT value FROM {" T_META "} WHERE name = ?", &key, 1,
		version, &found, err, errlen);
}

static const char *const rule_cols[] = {
	"eventname", "serviceid", "endpoint", "http_method", "payload_template", "enabled",
	"timecreated", "timemodified", "headers"
};
#define RULE_NCOLS (sizeof(rule_cols) / sizeof(rule_cols[0]))

/* headers: the column text, secrets sealed. */
static void rule_values(const mih_store_rule *rule, const char *headers, mih_sql_value *v)
{
	v[0] = store_v_str(rule->eventname);
	v[1] = mih_sql_int(rule->serviceid);
	v[2] = store_v_str(rule->endpoint);
	v[3] = store_v_str(rule->http_method);
	v[4] = store_v_str(rule->payload_template);
	v[5] = store_v_bool(rule->enabled);
	v[6] = mih_sql_int(rule->timecreated);
	v[7] = mih_sql_int(rule->timemodified);
	v[8] = store_v_str(headers);
}

static int rule_validate(mih_store *st, const mih_store_rule *rule, char *err, size_t errlen)
{
	mih_sql_value p = mih_sql_int(rule->serviceid);
	int64_t id;
	bool found;

	if (!rule->eventname || !*rule->eventname) {
		store_set_err(err, errlen, "store: a rule needs an eventname");
		return -1;
	}
	if (!rule->http_method || !*rule->http_method) {
		store_set_err(err, errlen, "store: a rule needs an http_method");
		return -1;
	}
	if (store_query_int(st, "SELECT id FROM {" T_SVC "} WHERE id = ?", &p, 1, &id, &found,
		err, errlen) != 0) {
		return -1;
	}
	if (!found) {
		store_set_err(err, errlen, "store: a rule refers to service id %lld, which does not exist",
			(long long)rule->serviceid);
		return -1;
	}
	return 0;
}

static int rule_write(mih_store *st, mih_store_rule *rule, const char *headers, char *err,
	size_t errlen)
{
	mih_sql_value vals[RULE_NCOLS + 1];
	char sql[512];
	size_t len;
	int64_t created;
	bool found;
	mih_sql_value pid = mih_sql_int(rule->id);

	rule->timemodified = mih_store_now(st);
	if (rule->id == 0) {
		rule->timecreated = rule->timemodified;
		rule_values(rule, headers, vals);
		return st->ops->insert(st->db, T_RULES, rule_cols, vals, RULE_NCOLS, &rule->id,
			err, errlen);
	}
	if (store_query_int(st, "SELECT timecreated FROM {" T_RULES "} WHERE id = ?", &pid, 1,
		&created, &found, err, errlen) != 0) {
		return -1;
	}
	if (!found) {
		return MIH_STORE_NOT_FOUND;
	}
	rule->timecreated = created;
	len = (size_t)snprintf(sql, sizeof(sql), "UPDATE {" T_RULES "} SET ");
	for (size_t i = 0; i < RULE_NCOLS; i++) {
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s%s = ?", i ? ", " : "",
			rule_cols[i]);
	}
	snprintf(sql + len, sizeof(sql) - len, " WHERE id = ?");
	rule_values(rule, headers, vals);
	vals[RULE_NCOLS] = pid;
	return store_exec(st, sql, vals, RULE_NCOLS + 1, err, errlen);
}

int mih_store_rule_save(mih_store *st, mih_store_rule *rule, char *err, size_t errlen)
{
	int rc;

	if (rule->id < 0) {
		store_set_err(err, errlen, "store: rule id %lld is invalid", (long long)rule->id);
		return -1;
	}
	if (store_tx_begin(st, err, errlen) != 0) {
		return -1;
	}
	rc = rule_validate(st, rule, err, errlen);
	if (rc == 0) {
		char what[64], *headers;

		snprintf(what, sizeof(what), rule->id ? "rule %lld" : "a new rule", (long long)rule->id);
		rc = store_headers_seal_text(st, rule->headers, &headers, what, err, errlen);
		if (rc == 0) {
			rc = rule_write(st, rule, headers, err, errlen);
			free(headers);
		}
	}
	if (rc == MIH_STORE_DONE) {
		rc = store_bump_config_version(st, err, errlen);
	}
	return store_tx_end(st, rc, err, errlen);
}

int mih_store_rule_get(mih_store *st, int64_t id, mih_store_rule *out, char *err, size_t errlen)
{
	char sql[256];
	mih_sql_value p = mih_sql_int(id);

	snprintf(sql, sizeof(sql), "%s WHERE r.id = ?", rule_select);
	memset(out, 0, sizeof(*out));
	return store_query_one(st, sql, &p, 1, sizeof(*out), fill_rule, dispose_rule, out, err, errlen);
}

int mih_store_rule_list(mih_store *st, const mih_store_rule_filter *filter,
	mih_store_rule **out, size_t *count, char *err, size_t errlen)
{
	store_where w = { "", { { 0 } }, 0 };
	char sql[1536];

	if (filter && filter->eventname) {
		store_where_add1(&w, "r.eventname = ?", store_v_str(filter->eventname));
	}
	if (filter && filter->serviceid > 0) {
		store_where_add1(&w, "r.serviceid = ?", mih_sql_int(filter->serviceid));
	}
	if (filter && filter->enabled >= 0) {
		store_where_add1(&w, "r.enabled = ?", store_v_bool(filter->enabled != 0));
	}
	snprintf(sql, sizeof(sql), "%s%s ORDER BY r.id", rule_select, w.sql);
	return store_query_list(st, sql, w.params, w.n, 0, 0, sizeof(**out), fill_rule, dispose_rule,
		(void **)out, count, err, errlen);
}

int mih_store_rules_for_event(mih_store *st, const char *eventname,
	mih_store_rule **out, size_t *count, char *err, size_t errlen)
{
	mih_store_rule_filter filter = { eventname ? eventname : "", 0, 1 };

	return mih_store_rule_list(st, &filter, out, count, err, errlen);
}

int mih_store_rule_delete(mih_store *st, int64_t id, char *err, size_t errlen)
{
	mih_sql_value p = mih_sql_int(id);
	int64_t found_id;
	bool found;
	int rc;

	if (store_tx_begin(st, err, errlen) != 0) {
		return -1;
	}
	rc = store_query_int(st, "SELECT id FROM {" T_RULES "} WHERE id = ?", &p, 1, &found_id, &found,
		err, errlen);
	if (rc == 0 && !found) {
		rc = MIH_STORE_NOT_FOUND;
	}
	if (rc == 0) {
		rc = store_exec(st, "DELETE FROM {" T_RULES "} WHERE id = ?", &p, 1, err, errlen);
	}
	if (rc == 0) {
		rc = store_bump_config_version(st, err, errlen);
	}
	return store_tx_end(st, rc, err, errlen);
}
