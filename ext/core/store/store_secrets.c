/* Secrets at rest in the store: auth tokens, signing secrets and the values
 * of credential headers (mih_header_is_sensitive) are sealed (seal.h) under
 * the store's current key when written, and opened when read, in the
 * services, rules, queue and dead-letter tables alike. Values written
 * without a key are read as plaintext; mih_store_reseal() rewrites every
 * value that is not in the keyring's preferred form.
 *
 * Contexts bind a sealed value to its field: "auth_token",
 * "signing_secret", "header:<lower-case name>". Messages name the record and
 * the field, never a value. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "store_internal.h"

#define CONTEXT_MAX 320

void mih_store_set_keyring(mih_store *st, const mih_keyring *kr)
{
	st->keyring = kr;
}

static const mih_keyring *keyring_of(const mih_store *st)
{
	static const mih_keyring empty;

	return st->keyring ? st->keyring : &empty;
}

static bool sealing(const mih_store *st)
{
	return keyring_of(st)->has_current;
}

static void header_context(const char *name, char *out, size_t outlen)
{
	size_t n = (size_t)snprintf(out, outlen, "header:%s", name);

	for (size_t i = strlen("header:"); i < n && i < outlen; i++) {
		out[i] = (char)tolower((unsigned char)out[i]);
	}
}

static int seal_or_copy(mih_store *st, const char *context, const char *value, size_t len, char **out,
	const char *what, const char *field, char *err, size_t errlen)
{
	char why[256];

	if (!sealing(st)) {
		*out = malloc(len + 1);
		if (!*out) {
			store_set_err(err, errlen, "store: out of memory writing %s", what);
			return -1;
		}
		memcpy(*out, value, len);
		(*out)[len] = '\0';
		return 0;
	}
	if (mih_seal(keyring_of(st), context, value, len, out, why, sizeof(why)) != 0) {
		store_set_err(err, errlen, "store: %s field %s: %s", what, field, why);
		return -1;
	}
	return 0;
}

static int open_value(mih_store *st, const char *context, const char *value, size_t len, char **out,
	const char *what, const char *field, char *err, size_t errlen)
{
	char why[256];
	size_t outlen;
	mih_unseal_result r = mih_unseal(keyring_of(st), context, value, len, out, &outlen, why, sizeof(why));

	if (r == MIH_UNSEAL_OK || r == MIH_UNSEAL_PLAIN) {
		return 0;
	}
	store_set_err(err, errlen, "store: %s field %s %s", what, field, why);
	return -1;
}

int store_secret_seal(mih_store *st, const char *context, const char *value, char **out,
	const char *what, char *err, size_t errlen)
{
	*out = NULL;
	if (!value) {
		return 0;
	}
	return seal_or_copy(st, context, value, strlen(value), out, what, context, err, errlen);
}

int store_secret_open(mih_store *st, const char *context, char **value, const char *what,
	char *err, size_t errlen)
{
	char *plain;

	if (!*value || !mih_seal_is_sealed(*value, strlen(*value))) {
		return 0;
	}
	if (open_value(st, context, *value, strlen(*value), &plain, what, context, err, errlen) != 0) {
		return -1;
	}
	free(*value);
	*value = plain;
	return 0;
}

/* ---- JSON values: headers objects and the signing secrets array ---------- */

/* Seals (or, with open, opens) the string values of j that need it: for a
 * headers object, the sensitive headers' values; for an array (signing
 * secrets), every entry. */
static int json_strings_apply(mih_store *st, json_t *j, bool open, const char *what, char *err,
	size_t errlen)
{
	char context[CONTEXT_MAX], field[CONTEXT_MAX];
	bool object = json_is_object(j);
	size_t n = object ? json_object_size(j) : json_array_size(j);
	void *it = object ? json_object_iter(j) : NULL;

	for (size_t i = 0; i < n; i++, it = object ? json_object_iter_next(j, it) : NULL) {
		json_t *v = object ? json_object_iter_value(it) : json_array_get(j, i);
		const char *name = object ? json_object_iter_key(it) : NULL;
		const char *s = json_string_value(v);
		size_t len = json_string_length(v);
		char *done = NULL;
		int rc;

		if (!s || (open ? !mih_seal_is_sealed(s, len)
				: object && !mih_header_is_sensitive(name, strlen(name)))) {
			continue;
		}
		if (object) {
			header_context(name, context, sizeof(context));
			snprintf(field, sizeof(field), "headers (\"%.64s\")", name);
		} else {
			snprintf(context, sizeof(context), "signing_secret");
			snprintf(field, sizeof(field), "signing_secrets (entry %zu)", i);
		}
		rc = open ? open_value(st, context, s, len, &done, what, field, err, errlen)
			: seal_or_copy(st, context, s, len, &done, what, field, err, errlen);
		if (rc != 0) {
			return -1;
		}
		rc = object ? json_object_iter_set_new(j, it, json_string(done))
			: json_array_set_new(j, i, json_string(done));
		free(done);
		if (rc != 0) {
			store_set_err(err, errlen, "store: %s field %s is not valid UTF-8", what, field);
			return -1;
		}
	}
	return 0;
}

int store_json_seal(mih_store *st, json_t *j, const char *what, char *err, size_t errlen)
{
	return sealing(st) ? json_strings_apply(st, j, false, what, err, errlen) : 0;
}

int store_json_open(mih_store *st, json_t *j, const char *what, char *err, size_t errlen)
{
	return json_strings_apply(st, j, true, what, err, errlen);
}

static bool has_sensitive_header(const json_t *headers)
{
	const char *name;
	json_t *v;

	json_object_foreach((json_t *)headers, name, v) {
		if (json_is_string(v) && mih_header_is_sensitive(name, strlen(name))) {
			return true;
		}
	}
	return false;
}

int store_headers_seal_text(mih_store *st, const char *text, char **out, const char *what,
	char *err, size_t errlen)
{
	json_t *j;

	*out = NULL;
	if (!text) {
		return 0;
	}
	j = sealing(st) ? json_loads(text, 0, NULL) : NULL;
	if (!json_is_object(j) || !has_sensitive_header(j)) {
		json_decref(j);
		*out = strdup(text);
		goto check;
	}
	if (store_json_seal(st, j, what, err, errlen) != 0) {
		json_decref(j);
		return -1;
	}
	*out = json_dumps(j, JSON_COMPACT);
	json_decref(j);
check:
	if (!*out) {
		store_set_err(err, errlen, "store: out of memory writing %s", what);
		return -1;
	}
	return 0;
}

int store_headers_open_text(mih_store *st, char **text, const char *what, char *err, size_t errlen)
{
	json_t *j;
	char *opened;

	if (!*text || !strstr(*text, MIH_SEAL_PREFIX)) {
		return 0;
	}
	j = json_loads(*text, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return 0;
	}
	if (store_json_open(st, j, what, err, errlen) != 0) {
		json_decref(j);
		return -1;
	}
	opened = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!opened) {
		store_set_err(err, errlen, "store: out of memory reading %s", what);
		return -1;
	}
	free(*text);
	*text = opened;
	return 0;
}

/* ---- rotation ------------------------------------------------------------- */

/* One row of a table holding secrets: its id, a name for messages, and up
 * to three secret columns. */
typedef struct reseal_row {
	int64_t id;
	char *name;
	char *cols[3];
} reseal_row;

typedef struct reseal_table {
	const char *table;
	const char *label;          /* "service", "rule", "task", "dead letter" */
	const char *select;
	const char *update;
	const char *cols[3];        /* NULL when the table has fewer */
	store_fill_fn fill;
} reseal_table;

/* A service row: named in messages by its name. */
static int fill_reseal_service(mih_store *st, void *item, store_row *r, char *err, size_t errlen)
{
	reseal_row *row = item;

	(void)st;
	(void)err;
	(void)errlen;
	r->table = T_SVC;
	row->id = store_col_id(r, "id");
	row->name = store_col_dup(r, "name");
	row->cols[0] = store_col_dup_nonempty(r, "auth_token");
	row->cols[1] = store_col_dup_nonempty(r, "headers");
	row->cols[2] = store_col_dup_nonempty(r, "signing_secrets");
	return 0;
}

/* A rule, task or dead letter: only its headers hold secrets. */
static int fill_reseal_headers(mih_store *st, void *item, store_row *r, char *err, size_t errlen)
{
	reseal_row *row = item;

	(void)st;
	(void)err;
	(void)errlen;
	row->id = store_col_id(r, "id");
	row->cols[0] = store_col_dup_nonempty(r, "headers");
	return 0;
}

static const reseal_table reseal_tables[] = {
	{ T_SVC, "service", "SELECT id, name, auth_token, headers, signing_secrets FROM {" T_SVC "} ORDER BY id",
		"UPDATE {" T_SVC "} SET auth_token = ?, headers = ?, signing_secrets = ? WHERE id = ?",
		{ "auth_token", "headers", "signing_secrets" }, fill_reseal_service },
	{ T_RULES, "rule", "SELECT id, headers FROM {" T_RULES "} WHERE headers IS NOT NULL ORDER BY id",
		"UPDATE {" T_RULES "} SET headers = ? WHERE id = ?", { "headers", NULL, NULL }, fill_reseal_headers },
	{ T_QUEUE, "task", "SELECT id, headers FROM {" T_QUEUE "} WHERE headers IS NOT NULL ORDER BY id",
		"UPDATE {" T_QUEUE "} SET headers = ? WHERE id = ?", { "headers", NULL, NULL }, fill_reseal_headers },
	{ T_DLQ, "dead letter", "SELECT id, headers FROM {" T_DLQ "} WHERE headers IS NOT NULL ORDER BY id",
		"UPDATE {" T_DLQ "} SET headers = ? WHERE id = ?", { "headers", NULL, NULL }, fill_reseal_headers },
};

static void dispose_reseal_row(void *item)
{
	reseal_row *row = item;

	free(row->name);
	for (size_t i = 0; i < 3; i++) {
		free(row->cols[i]);
	}
}

/* One value in the preferred form: sealed under the current key, or
 * plaintext without one. *out is NULL when the value already is. */
static int reseal_value(mih_store *st, const char *context, const char *value, char **out, long *count,
	const char *what, const char *field, char *err, size_t errlen)
{
	char *plain;
	int rc;

	*out = NULL;
	if (!value || mih_seal_is_current(keyring_of(st), value, strlen(value))) {
		return 0;
	}
	if (open_value(st, context, value, strlen(value), &plain, what, field, err, errlen) != 0) {
		return -1;
	}
	rc = seal_or_copy(st, context, plain, strlen(plain), out, what, field, err, errlen);
	free(plain);
	if (rc == 0) {
		(*count)++;
	}
	return rc;
}

/* A JSON column (headers object or secrets array) with every value that
 * needs it rewritten; *out is NULL when none did. */
static int reseal_json(mih_store *st, const char *text, char **out, long *count, const char *what,
	char *err, size_t errlen)
{
	char context[CONTEXT_MAX], field[CONTEXT_MAX];
	json_t *j = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
	bool object = json_is_object(j);
	size_t n = object ? json_object_size(j) : json_array_size(j);
	void *it = object ? json_object_iter(j) : NULL;
	long before = *count;
	int rc = 0;

	*out = NULL;
	for (size_t i = 0; i < n && rc == 0; i++, it = object ? json_object_iter_next(j, it) : NULL) {
		json_t *v = object ? json_object_iter_value(it) : json_array_get(j, i);
		const char *name = object ? json_object_iter_key(it) : NULL;
		const char *s = json_string_value(v);
		char *done;

		/* a header that is not a credential stays in clear (unless sealed) */
		if (!s || (object && !mih_header_is_sensitive(name, strlen(name))
				&& !mih_seal_is_sealed(s, json_string_length(v)))) {
			continue;
		}
		if (object) {
			header_context(name, context, sizeof(context));
			snprintf(field, sizeof(field), "headers (\"%.64s\")", name);
		} else {
			snprintf(context, sizeof(context), "signing_secret");
			snprintf(field, sizeof(field), "signing_secrets (entry %zu)", i);
		}
		rc = reseal_value(st, context, s, &done, count, what, field, err, errlen);
		if (rc == 0 && done) {
			rc = (object ? json_object_iter_set_new(j, it, json_string(done))
				: json_array_set_new(j, i, json_string(done))) == 0 ? 0 : -1;
			free(done);
			if (rc != 0) {
				store_set_err(err, errlen, "store: out of memory rewriting %s", what);
			}
		}
	}
	if (rc == 0 && *count != before && !(*out = json_dumps(j, JSON_COMPACT))) {
		store_set_err(err, errlen, "store: out of memory rewriting %s", what);
		rc = -1;
	}
	json_decref(j);
	return rc;
}

static int reseal_one_row(mih_store *st, const reseal_table *t, const reseal_row *row, long *count,
	char *err, size_t errlen)
{
	char what[320];
	char *fresh[3] = { NULL, NULL, NULL };
	mih_sql_value p[4];
	size_t ncols = 0;
	bool changed = false;
	int rc = 0;

	if (row->name) {
		snprintf(what, sizeof(what), "%s \"%s\"", t->label, row->name);
	} else {
		snprintf(what, sizeof(what), "%s %lld", t->label, (long long)row->id);
	}
	for (size_t c = 0; c < 3 && t->cols[c] && rc == 0; c++) {
		ncols++;
		rc = strcmp(t->cols[c], "auth_token") == 0
			? reseal_value(st, "auth_token", row->cols[c], &fresh[c], count, what, "auth_token", err, errlen)
			: reseal_json(st, row->cols[c], &fresh[c], count, what, err, errlen);
		changed = changed || fresh[c];
	}
	if (rc == 0 && changed) {
		for (size_t c = 0; c < ncols; c++) {
			p[c] = store_v_str(fresh[c] ? fresh[c] : row->cols[c]);
		}
		p[ncols] = mih_sql_int(row->id);
		rc = store_exec(st, t->update, p, ncols + 1, err, errlen);
	}
	for (size_t c = 0; c < 3; c++) {
		free(fresh[c]);
	}
	return rc;
}

int mih_store_reseal(mih_store *st, long *count, char *err, size_t errlen)
{
	int rc = 0;

	*count = 0;
	if (store_tx_begin(st, err, errlen) != 0) {
		return -1;
	}
	for (size_t i = 0; i < sizeof(reseal_tables) / sizeof(reseal_tables[0]) && rc == 0; i++) {
		const reseal_table *t = &reseal_tables[i];
		reseal_row *rows;
		size_t n;

		rc = store_query_list(st, t->select, NULL, 0, 0, 0, sizeof(*rows), t->fill,
			dispose_reseal_row, (void **)&rows, &n, err, errlen);
		for (size_t r = 0; r < n && rc == 0; r++) {
			rc = reseal_one_row(st, t, &rows[r], count, err, errlen);
		}
		store_free_items((char *)rows, n, sizeof(*rows), dispose_reseal_row);
	}
	if (rc != 0) {
		*count = 0;
	}
	return store_tx_end(st, rc, err, errlen);
}
