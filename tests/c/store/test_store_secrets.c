/* Secrets at rest in the store (ext/core/store/store_secrets.c) over the embedded
 * SQLite executor: what the columns hold, what reads give back, rotation
 * and the messages of a value that does not open. */
#include <unistd.h>
#include <sqlite3.h>
#include "unit.h"
#include "store.h"
#include "store_sqlite.h"
#include "seal.h"

#define KEY_A "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KEY_B "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"

static char db_path[256];
static char err[512];

static mih_store *open_store(const mih_keyring *kr)
{
	mih_store *st = NULL;

	CHECK_INT(mih_store_sqlite_open(db_path, MIH_SQLITE_DURABILITY_NORMAL, &st, err, sizeof(err)), 0);
	mih_store_set_keyring(st, kr);
	return st;
}

static mih_keyring ring(const char *current, const char *old)
{
	mih_keyring kr;

	CHECK_INT(mih_keyring_load(&kr, current, old, err, sizeof(err)), 0);
	return kr;
}

/* One column of the first row, as the file holds it. */
static char *raw(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *stmt;
	char *out = NULL;

	CHECK_INT(sqlite3_open(db_path, &db), SQLITE_OK);
	CHECK_INT(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0)) {
		out = strdup((const char *)sqlite3_column_text(stmt, 0));
	}
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return out;
}

static bool sealed_under(const char *value, const mih_keyring *kr)
{
	return value && mih_seal_is_sealed(value, strlen(value)) && mih_seal_is_current(kr, value, strlen(value));
}

static void save_service(mih_store *st, const char *token)
{
	mih_service svc;

	mih_service_init(&svc);
	svc.name = strdup("crm");
	svc.base_url = strdup("https://crm.example.org");
	svc.auth_type = MIH_AUTH_BEARER;
	svc.auth_token = strdup(token);
	json_object_set_new(svc.headers, "X-Api-Key", json_string("key-0123456789"));
	json_object_set_new(svc.headers, "X-Tenant", json_string("moodle"));
	json_array_append_new(svc.signing_secrets, json_string("whsec_c2lnLTAxMjM0NTY3ODk="));
	CHECK_INT(mih_store_service_save(st, &svc, err, sizeof(err)), 0);
	mih_service_dispose(&svc);
}

static void enqueue(mih_store *st, const char *headers)
{
	mih_store_task t;

	memset(&t, 0, sizeof(t));
	t.serviceid = 1;
	t.http_method = "POST";
	t.headers = (char *)headers;
	t.payload = "{}";
	t.payload_len = 2;
	CHECK_INT(mih_store_enqueue(st, &t, err, sizeof(err)), 0);
	free(t.idempotency_key);
}

TEST(sealed_on_write_opened_on_read)
{
	mih_keyring kr = ring(KEY_A, "");
	mih_store *st = open_store(&kr);
	mih_service svc;
	mih_store_task task;
	char *v;

	save_service(st, "tok-0123456789");
	enqueue(st, "{\"Authorization\":\"Bearer call-0123456789\",\"X-Trace\":\"t1\"}");
	v = raw("SELECT auth_token FROM local_integrationhub_svc");
	CHECK(sealed_under(v, &kr));
	free(v);
	v = raw("SELECT headers FROM local_integrationhub_svc");
	CHECK(v && !strstr(v, "key-0123456789") && strstr(v, "\"X-Tenant\":\"moodle\""));
	free(v);
	v = raw("SELECT signing_secrets FROM local_integrationhub_svc");
	CHECK(v && !strstr(v, "c2lnLTAxMjM0NTY3ODk") && strstr(v, MIH_SEAL_PREFIX));
	free(v);
	v = raw("SELECT headers FROM local_integrationhub_queue");
	CHECK(v && !strstr(v, "call-0123456789") && strstr(v, "\"X-Trace\":\"t1\""));
	free(v);

	CHECK_INT(mih_store_service_get(st, "crm", &svc, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_STR(svc.auth_token, "tok-0123456789");
	CHECK_STR(json_string_value(json_object_get(svc.headers, "X-Api-Key")), "key-0123456789");
	CHECK_STR(json_string_value(json_array_get(svc.signing_secrets, 0)), "whsec_c2lnLTAxMjM0NTY3ODk=");
	mih_service_dispose(&svc);
	CHECK_INT(mih_store_task_get(st, 1, &task, err, sizeof(err)), MIH_STORE_DONE);
	CHECK(task.headers && strstr(task.headers, "\"Bearer call-0123456789\""));
	/* to the DLQ and back: sealed there too */
	CHECK_INT(mih_store_to_dlq(st, &task, 1, 404, "HTTP 404 Not Found", "", 0, NULL, err, sizeof(err)), 0);
	mih_store_task_dispose(&task);
	v = raw("SELECT headers FROM local_integrationhub_dlq");
	CHECK(v && !strstr(v, "call-0123456789") && strstr(v, MIH_SEAL_PREFIX));
	free(v);
	mih_store_close(st);
	mih_keyring_wipe(&kr);
}

TEST(plaintext_then_rotation)
{
	mih_keyring none, a = ring(KEY_A, ""), b = ring(KEY_B, KEY_A), only_b = ring(KEY_B, ""), off = ring("", KEY_B);
	mih_store *st;
	mih_service svc;
	long count = -1;
	char *v;

	mih_keyring_init(&none);
	st = open_store(&none);
	save_service(st, "tok-0123456789");
	enqueue(st, "{\"X-Upstream-Token\":\"call-0123456789\"}");
	mih_store_close(st);
	v = raw("SELECT auth_token FROM local_integrationhub_svc");
	CHECK_STR(v, "tok-0123456789");
	free(v);

	/* a keyring reads plaintext; rotation seals every secret: token, header, signing secret, task header */
	st = open_store(&a);
	CHECK_INT(mih_store_service_get(st, "crm", &svc, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_STR(svc.auth_token, "tok-0123456789");
	mih_service_dispose(&svc);
	CHECK_INT(mih_store_reseal(st, &count, err, sizeof(err)), 0);
	CHECK_INT(count, 4);
	CHECK_INT(mih_store_reseal(st, &count, err, sizeof(err)), 0);
	CHECK_INT(count, 0);
	mih_store_close(st);

	/* B current, A old: everything is rewritten under B */
	st = open_store(&b);
	CHECK_INT(mih_store_reseal(st, &count, err, sizeof(err)), 0);
	CHECK_INT(count, 4);
	v = raw("SELECT auth_token FROM local_integrationhub_svc");
	CHECK(sealed_under(v, &only_b));
	free(v);
	mih_store_close(st);

	/* A alone cannot open what B sealed: the message names the record and the field */
	st = open_store(&a);
	CHECK_INT(mih_store_service_get(st, "crm", &svc, err, sizeof(err)), -1);
	CHECK(strstr(err, "service \"crm\" field auth_token is encrypted with key id ") != NULL);
	CHECK(strstr(err, only_b.keys[0].id) != NULL);
	CHECK_INT(mih_store_reseal(st, &count, err, sizeof(err)), -1);
	CHECK_INT(count, 0);
	/* a save does not need to read the row it replaces */
	save_service(st, "tok-replaced-0123");
	CHECK_INT(mih_store_service_get(st, "crm", &svc, err, sizeof(err)), MIH_STORE_DONE);
	CHECK_STR(svc.auth_token, "tok-replaced-0123");
	mih_service_dispose(&svc);
	mih_store_close(st);

	/* old keys only: rotation decrypts */
	st = open_store(&off);
	CHECK_INT(mih_store_reseal(st, &count, err, sizeof(err)), -1);   /* the service is under A now */
	mih_store_close(st);
	st = open_store(&a);
	save_service(st, "tok-0123456789");
	mih_store_close(st);
	off = ring("", KEY_A "," KEY_B);
	st = open_store(&off);
	CHECK_INT(mih_store_reseal(st, &count, err, sizeof(err)), 0);
	CHECK_INT(count, 4);
	mih_store_close(st);
	v = raw("SELECT auth_token FROM local_integrationhub_svc");
	CHECK_STR(v, "tok-0123456789");
	free(v);
	v = raw("SELECT headers FROM local_integrationhub_queue");
	CHECK_STR(v, "{\"X-Upstream-Token\":\"call-0123456789\"}");
	free(v);
	mih_keyring_wipe(&a);
	mih_keyring_wipe(&b);
	mih_keyring_wipe(&only_b);
	mih_keyring_wipe(&off);
}

static void fresh_db(int serial)
{
	snprintf(db_path, sizeof(db_path), "/tmp/mih-test-secrets-%d-%d.sqlite", (int)getpid(), serial);
	unlink(db_path);
}

static void remove_db(void)
{
	char side[300];

	unlink(db_path);
	snprintf(side, sizeof(side), "%s-wal", db_path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", db_path);
	unlink(side);
}

int main(void)
{
	fresh_db(1);
	RUN(sealed_on_write_opened_on_read);
	remove_db();
	fresh_db(2);
	RUN(plaintext_then_rotation);
	remove_db();
	return UNIT_DONE("store secrets");
}
