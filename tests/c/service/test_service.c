/* Unit tests of service definitions (ext/core/service/service.c): credentials in
 * headers, masked like auth_token and kept when sent back masked; service
 * types, and the broker password of an amqp service kept out of base_url. */
#include "unit.h"
#include "service.h"

static bool sensitive(const char *name)
{
	return mih_header_is_sensitive(name, strlen(name));
}

TEST(sensitive_header_names)
{
	const char *yes[] = {
		"Authorization", "authorization", "Proxy-Authorization", "Cookie", "X-Api-Key", "X-API-KEY",
		"X-Auth-Token", "x-session-token", "X-Client-Secret", "X-Password", "X-Passwd",
		"X-Hub-Signature", "webhook-signature", "Api-Key", "X-Credentials", "Set-Cookie"
	};
	const char *no[] = {
		"X-Tenant", "Content-Type", "Accept", "User-Agent", "Idempotency-Key", "idempotency-key",
		"webhook-id", "webhook-timestamp", "X-Trace", "Keep-Alive", ""
	};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!sensitive(yes[i])) {
			fprintf(stderr, "  not sensitive: %s\n", yes[i]);
			CHECK(0);
		}
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (sensitive(no[i])) {
			fprintf(stderr, "  sensitive: %s\n", no[i]);
			CHECK(0);
		}
	}
	/* the length given is what counts, not a NUL */
	CHECK(!mih_header_is_sensitive("X-Tok", 5));
	CHECK(mih_header_is_sensitive("X-Token-Value", 7));
}

TEST(mask_keeps_utf8_whole)
{
	char out[MIH_SERVICE_MASK_SIZE];

	mih_service_mask_secret("abcdefghijk", out, sizeof(out));
	CHECK_STR(out, "****");
	mih_service_mask_secret("abcdefghijkl", out, sizeof(out));
	CHECK_STR(out, "****ijkl");
	/* "€" is 3 bytes: the last 4 bytes start inside the first euro sign */
	mih_service_mask_secret("abcdefghij\xe2\x82\xac\xe2\x82\xac", out, sizeof(out));
	CHECK_STR(out, "****\xe2\x82\xac");
	mih_service_mask_secret(NULL, out, sizeof(out));
	CHECK_STR(out, "****");
}

TEST(headers_masked)
{
	json_t *h = json_pack("{s:s, s:s, s:s, s:s, s:s}", "Authorization", "Bearer abcdefgh1234",
		"X-Tenant", "moodle", "X-Api-Key", "short", "Idempotency-Key", "msg_1", "Cookie",
		"session=0123456789abcdef");
	json_t *m = mih_headers_masked(h);

	CHECK(m != NULL);
	CHECK_STR(json_string_value(json_object_get(m, "Authorization")), "****1234");
	CHECK_STR(json_string_value(json_object_get(m, "X-Tenant")), "moodle");
	CHECK_STR(json_string_value(json_object_get(m, "X-Api-Key")), "****");
	CHECK_STR(json_string_value(json_object_get(m, "Idempotency-Key")), "msg_1");
	CHECK_STR(json_string_value(json_object_get(m, "Cookie")), "****cdef");
	/* the original is untouched */
	CHECK_STR(json_string_value(json_object_get(h, "Authorization")), "Bearer abcdefgh1234");
	CHECK(mih_headers_masked(NULL) == NULL);
	json_decref(m);
	json_decref(h);
}

TEST(headers_keep_masked)
{
	json_t *stored = json_pack("{s:s, s:s, s:s}", "Authorization", "Bearer abcdefgh1234",
		"X-Api-Key", "short", "X-Tenant", "****");
	json_t *given = json_pack("{s:s, s:s, s:s, s:s}", "authorization", "****1234",
		"X-Api-Key", "****", "X-Tenant", "****", "X-New-Token", "****");

	mih_headers_keep_masked(given, stored);
	/* same name in another case, masked: the stored value */
	CHECK_STR(json_string_value(json_object_get(given, "authorization")), "Bearer abcdefgh1234");
	CHECK_STR(json_string_value(json_object_get(given, "X-Api-Key")), "short");
	/* not a credential: taken as given */
	CHECK_STR(json_string_value(json_object_get(given, "X-Tenant")), "****");
	/* nothing stored under that name: as given */
	CHECK_STR(json_string_value(json_object_get(given, "X-New-Token")), "****");
	json_decref(given);

	/* a new value replaces the stored one */
	given = json_pack("{s:s}", "Authorization", "Bearer new-token-5678");
	mih_headers_keep_masked(given, stored);
	CHECK_STR(json_string_value(json_object_get(given, "Authorization")), "Bearer new-token-5678");
	json_decref(given);
	json_decref(stored);
}

TEST(service_round_trip_keeps_masked_headers)
{
	char err[256];
	mih_service base, again;
	json_t *def = json_pack("{s:s, s:s, s:{s:s, s:s}}", "name", "crm", "base_url", "https://crm.example.org",
		"headers", "X-Api-Key", "key-0123456789abcdef", "X-Tenant", "moodle");
	json_t *shown;
	const char *text;

	CHECK_INT(mih_service_from_json(&base, def, NULL, err, sizeof(err)), 0);
	json_decref(def);
	shown = mih_service_to_json(&base, false);
	CHECK_STR(json_string_value(json_object_get(json_object_get(shown, "headers"), "X-Api-Key")), "****cdef");
	text = json_dumps(shown, JSON_COMPACT);
	CHECK(text && !strstr(text, "0123456789abcdef"));
	free((char *)text);
	/* saved back as read: the stored value stays */
	CHECK_INT(mih_service_from_json(&again, shown, &base, err, sizeof(err)), 0);
	CHECK_STR(json_string_value(json_object_get(again.headers, "X-Api-Key")), "key-0123456789abcdef");
	CHECK_STR(json_string_value(json_object_get(again.headers, "X-Tenant")), "moodle");
	json_decref(shown);
	shown = mih_service_to_json(&again, true);
	CHECK_STR(json_string_value(json_object_get(json_object_get(shown, "headers"), "X-Api-Key")),
		"key-0123456789abcdef");
	json_decref(shown);
	mih_service_dispose(&again);
	mih_service_dispose(&base);
}

static int from(mih_service *svc, const char *json, const mih_service *base, char *err, size_t errlen)
{
	json_t *def = json_loads(json, 0, NULL);
	int rc = mih_service_from_json(svc, def, base, err, errlen);

	json_decref(def);
	return rc;
}

TEST(amqp_password_kept_apart)
{
	mih_service svc, again, other;
	char err[256] = "";
	json_t *shown;
	char *text;

	CHECK_INT(from(&svc, "{\"name\":\"bus\",\"type\":\"amqp\",\"base_url\":"
		"\"amqp://app:Very-Secret-99@mq:5672/v?exchange=e\"}", NULL, err, sizeof(err)), 0);
	CHECK_INT(svc.type, MIH_SERVICE_AMQP);
	CHECK_STR(svc.base_url, "amqp://app@mq:5672/v?exchange=e");
	CHECK_STR(svc.auth_token, "Very-Secret-99");
	shown = mih_service_to_json(&svc, false);
	CHECK_STR(json_string_value(json_object_get(shown, "base_url")), "amqp://app:****t-99@mq:5672/v?exchange=e");
	CHECK_STR(json_string_value(json_object_get(shown, "type")), "amqp");
	text = json_dumps(shown, 0);
	CHECK(strstr(text, "Very-Secret") == NULL);
	free(text);
	/* Read back and saved again: the password stays. */
	CHECK_INT(mih_service_from_json(&again, shown, &svc, err, sizeof(err)), 0);
	CHECK_STR(again.auth_token, "Very-Secret-99");
	CHECK_STR(again.base_url, "amqp://app@mq:5672/v?exchange=e");
	mih_service_dispose(&again);
	/* An update without base_url keeps the password; a URL without one drops it (the guest default). */
	CHECK_INT(from(&again, "{\"timeout\":2}", &svc, err, sizeof(err)), 0);
	CHECK_STR(again.auth_token, "Very-Secret-99");
	mih_service_dispose(&again);
	CHECK_INT(from(&again, "{\"base_url\":\"amqp://mq/\"}", &svc, err, sizeof(err)), 0);
	CHECK(again.auth_token == NULL);
	mih_service_dispose(&again);
	json_decref(shown);
	mih_service_dispose(&svc);
	/* The type comes after the URL: validated once the whole definition is read. */
	CHECK_INT(from(&other, "{\"name\":\"s\",\"base_url\":\"https://h/ws?wsdl\",\"type\":\"soap\"}", NULL, err,
		sizeof(err)), 0);
	CHECK_INT(other.type, MIH_SERVICE_SOAP);
	mih_service_dispose(&other);
	CHECK_INT(from(&other, "{\"name\":\"s\",\"base_url\":\"amqp://u:Hidden-Pass-1@h/\",\"type\":\"rest\"}", NULL, err,
		sizeof(err)), -1);
	CHECK_STR(err, "field \"base_url\" must start with http:// or https://");
	CHECK_INT(from(&other, "{\"name\":\"s\",\"base_url\":\"amqp://u:Hidden-Pass-1@h:0/\",\"type\":\"amqp\"}", NULL,
		err, sizeof(err)), -1);
	CHECK(strstr(err, "port") != NULL && strstr(err, "Hidden") == NULL);
	CHECK_INT(from(&other, "{\"name\":\"s\",\"base_url\":\"https://h\",\"type\":\"ftp\"}", NULL, err, sizeof(err)), -1);
	CHECK_STR(err, "field \"type\" must be one of http, amqp, soap (\"rest\" is taken as http)");
}

int main(void)
{
	RUN(sensitive_header_names);
	RUN(mask_keeps_utf8_whole);
	RUN(headers_masked);
	RUN(headers_keep_masked);
	RUN(service_round_trip_keeps_masked_headers);
	RUN(amqp_password_kept_apart);
	return UNIT_DONE("service");
}
