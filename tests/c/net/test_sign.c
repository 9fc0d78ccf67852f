/* Unit tests of the Standard Webhooks signing core (ext/core/net/sign.c). */
#include "unit.h"
#include "sign.h"

#include <stdint.h>

#define SPEC_SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define SPEC_KEY_TEXT "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define SPEC_ID "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define SPEC_TS "1614265330"
#define SPEC_TS_NUM 1614265330
#define SPEC_BODY "{\"test\": 2432232314}"
#define SPEC_SIG_B64 "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
#define SPEC_SIG "v1," SPEC_SIG_B64
#define OTHER_SECRET "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

static char err[256];

/* Verifies the spec message at the spec time with a 5 minute tolerance. */
static mih_sign_result verify_spec(const char *signature, const char *const *secrets, size_t n)
{
	err[0] = '\0';
	return mih_sign_verify(SPEC_ID, SPEC_TS, signature, SPEC_BODY, strlen(SPEC_BODY), secrets, n,
		SPEC_TS_NUM, 300, err, sizeof(err));
}

/* No error message may ever reveal a key or what the signature should be. */
static void check_err_is_clean(const char *message)
{
	CHECK(message[0] != '\0');
	CHECK(strstr(message, SPEC_KEY_TEXT) == NULL);
	CHECK(strstr(message, "MfKQ9r8G") == NULL);
	CHECK(strstr(message, SPEC_SIG_B64) == NULL);
	CHECK(strstr(message, "g0hM9SsE") == NULL);
	CHECK(strstr(message, "AAECAwQF") == NULL);
}

TEST(spec_vector_signs)
{
	const char *secrets[] = { SPEC_SECRET };
	char header[MIH_SIGN_HEADER_SIZE(1)];

	CHECK_INT(mih_sign_sign(SPEC_ID, SPEC_TS_NUM, SPEC_BODY, strlen(SPEC_BODY), secrets, 1,
		header, sizeof(header), err, sizeof(err)), 0);
	CHECK_STR(header, SPEC_SIG);
	CHECK_INT(strlen(header), MIH_SIGN_ENTRY_LEN);
}

TEST(spec_vector_signs_without_prefix)
{
	const char *secrets[] = { SPEC_KEY_TEXT };
	char header[MIH_SIGN_HEADER_SIZE(1)];

	CHECK_INT(mih_sign_sign(SPEC_ID, SPEC_TS_NUM, SPEC_BODY, strlen(SPEC_BODY), secrets, 1,
		header, sizeof(header), err, sizeof(err)), 0);
	CHECK_STR(header, SPEC_SIG);
}

TEST(spec_vector_verifies)
{
	const char *with_prefix[] = { SPEC_SECRET };
	const char *without_prefix[] = { SPEC_KEY_TEXT };

	CHECK_INT(verify_spec(SPEC_SIG, with_prefix, 1), MIH_SIGN_OK);
	CHECK_INT(verify_spec(SPEC_SIG, without_prefix, 1), MIH_SIGN_OK);
}

TEST(sign_with_two_secrets_lists_both)
{
	const char *secrets[] = { OTHER_SECRET, SPEC_SECRET };
	const char *only_old[] = { SPEC_SECRET };
	const char *only_new[] = { OTHER_SECRET };
	char header[MIH_SIGN_HEADER_SIZE(2)];

	CHECK_INT(mih_sign_sign(SPEC_ID, SPEC_TS_NUM, SPEC_BODY, strlen(SPEC_BODY), secrets, 2,
		header, sizeof(header), err, sizeof(err)), 0);
	CHECK_INT(strlen(header), 2 * MIH_SIGN_ENTRY_LEN + 1);
	CHECK(strncmp(header, "v1,", 3) == 0);
	CHECK(header[MIH_SIGN_ENTRY_LEN] == ' ');
	CHECK_STR(header + MIH_SIGN_ENTRY_LEN + 1, SPEC_SIG);
	CHECK_INT(verify_spec(header, only_old, 1), MIH_SIGN_OK);
	CHECK_INT(verify_spec(header, only_new, 1), MIH_SIGN_OK);
	CHECK_INT(verify_spec(header, secrets, 2), MIH_SIGN_OK);
}

TEST(rotation_old_signature_verifies_against_list)
{
	const char *rotated[] = { OTHER_SECRET, SPEC_SECRET };
	const char *reordered[] = { SPEC_SECRET, OTHER_SECRET };
	const char *new_only[] = { OTHER_SECRET };

	CHECK_INT(verify_spec(SPEC_SIG, rotated, 2), MIH_SIGN_OK);
	CHECK_INT(verify_spec(SPEC_SIG, reordered, 2), MIH_SIGN_OK);
	CHECK_INT(verify_spec(SPEC_SIG, new_only, 1), MIH_SIGN_NO_MATCH);
	check_err_is_clean(err);
}

TEST(other_versions_are_ignored)
{
	const char *secrets[] = { SPEC_SECRET };

	CHECK_INT(verify_spec("v1a,c29tZSBlZDI1NTE5IHNpZ25hdHVyZQ== " SPEC_SIG, secrets, 1), MIH_SIGN_OK);
	CHECK_INT(verify_spec(SPEC_SIG " v2,anything-goes-here", secrets, 1), MIH_SIGN_OK);
	CHECK_INT(verify_spec("v1a,c29tZSBlZDI1NTE5IHNpZ25hdHVyZQ==", secrets, 1), MIH_SIGN_NO_MATCH);
	CHECK(strstr(err, "no v1 entry") != NULL);
}

TEST(extra_spaces_between_entries_are_tolerated)
{
	const char *secrets[] = { SPEC_SECRET };

	CHECK_INT(verify_spec("  v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=   " SPEC_SIG "  ", secrets, 1),
		MIH_SIGN_OK);
}

TEST(missing_headers_are_named)
{
	const char *secrets[] = { SPEC_SECRET };
	const char *b = SPEC_BODY;

	CHECK_INT(mih_sign_verify(NULL, SPEC_TS, SPEC_SIG, b, strlen(b), secrets, 1, SPEC_TS_NUM, 300,
		err, sizeof(err)), MIH_SIGN_MISSING_HEADER);
	CHECK(strstr(err, "webhook-id") != NULL);
	CHECK_INT(mih_sign_verify(SPEC_ID, "", SPEC_SIG, b, strlen(b), secrets, 1, SPEC_TS_NUM, 300,
		err, sizeof(err)), MIH_SIGN_MISSING_HEADER);
	CHECK(strstr(err, "webhook-timestamp") != NULL);
	CHECK_INT(mih_sign_verify(SPEC_ID, SPEC_TS, NULL, b, strlen(b), secrets, 1, SPEC_TS_NUM, 300,
		err, sizeof(err)), MIH_SIGN_MISSING_HEADER);
	CHECK(strstr(err, "webhook-signature") != NULL);
	CHECK_INT(mih_sign_verify("", NULL, NULL, b, strlen(b), secrets, 1, SPEC_TS_NUM, 300,
		err, sizeof(err)), MIH_SIGN_MISSING_HEADER);
	CHECK(strstr(err, "webhook-id") != NULL);
}

TEST(bad_timestamps_are_bad_format)
{
	static const char *const bad[] = {
		"abc", "-5", "+5", " 5", "5 ", "1.5", "0x10", "99999999999999999999", "1614265330a"
	};
	const char *secrets[] = { SPEC_SECRET };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(mih_sign_verify(SPEC_ID, bad[i], SPEC_SIG, SPEC_BODY, strlen(SPEC_BODY), secrets, 1,
			SPEC_TS_NUM, 300, err, sizeof(err)), MIH_SIGN_BAD_FORMAT);
		CHECK(strstr(err, "webhook-timestamp") != NULL);
		check_err_is_clean(err);
	}
}

TEST(malformed_signature_lists_are_bad_format)
{
	static const char *const bad[] = {
		"v1", ",abc", "v1,", "   ", "v1,not*base64!", "v1,AAAA", "v1 ," SPEC_SIG_B64,
		SPEC_SIG " garbage", "v!," SPEC_SIG_B64, "v1," SPEC_SIG_B64 "AAAA",
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE", "v1,g0hM9SsE-OTPJTGt_tmIKtSyZlE3uFJELVlNIOLJ1OE="
	};
	const char *secrets[] = { SPEC_SECRET };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(verify_spec(bad[i], secrets, 1), MIH_SIGN_BAD_FORMAT);
		CHECK(strstr(err, "webhook-signature") != NULL);
		check_err_is_clean(err);
	}
}

TEST(malformed_entry_is_numbered)
{
	const char *secrets[] = { SPEC_SECRET };

	CHECK_INT(verify_spec(SPEC_SIG " v1a,x nocomma", secrets, 1), MIH_SIGN_BAD_FORMAT);
	CHECK(strstr(err, "entry 3") != NULL);
	CHECK_INT(verify_spec("v1a,x v1,AAAA", secrets, 1), MIH_SIGN_BAD_FORMAT);
	CHECK(strstr(err, "entry 2") != NULL);
}

TEST(bad_secrets_are_bad_format_without_revealing_them)
{
	static const char *const bad[] = {
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS!", "whsec_", "", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS",
		"MfKQ9r8G=KYqrTwjUPD8ILPZIo2LaLaSw===", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n",
		"WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *secrets[] = { SPEC_SECRET, bad[i] };

		CHECK_INT(verify_spec(SPEC_SIG, secrets, 2), MIH_SIGN_BAD_FORMAT);
		CHECK(strstr(err, "secret #2") != NULL);
		check_err_is_clean(err);
		CHECK_INT(mih_sign_check_secret(bad[i], err, sizeof(err)), -1);
		check_err_is_clean(err);
	}
	CHECK_INT(verify_spec(SPEC_SIG, NULL, 0), MIH_SIGN_BAD_FORMAT);
	CHECK(strstr(err, "no signing secret") != NULL);
	{
		const char *null_secret[] = { NULL };

		CHECK_INT(verify_spec(SPEC_SIG, null_secret, 1), MIH_SIGN_BAD_FORMAT);
	}
}

TEST(oversized_secret_is_rejected)
{
	char secret[MIH_SIGN_MAX_KEY_BYTES / 3 * 4 + 8 + 1];

	memset(secret, 'A', sizeof(secret) - 1);
	secret[sizeof(secret) - 1] = '\0';
	CHECK_INT(mih_sign_check_secret(secret, err, sizeof(err)), -1);
	CHECK(strstr(err, "more than the 256 allowed") != NULL);
}

TEST(timestamp_window)
{
	const char *secrets[] = { SPEC_SECRET };
	const char *b = SPEC_BODY;
	size_t n = strlen(b);

	CHECK_INT(mih_sign_verify(SPEC_ID, SPEC_TS, SPEC_SIG, b, n, secrets, 1, SPEC_TS_NUM + 300, 300,
		err, sizeof(err)), MIH_SIGN_OK);
	CHECK_INT(mih_sign_verify(SPEC_ID, SPEC_TS, SPEC_SIG, b, n, secrets, 1, SPEC_TS_NUM + 301, 300,
		err, sizeof(err)), MIH_SIGN_TOO_OLD);
	CHECK(strstr(err, "301 s old") != NULL);
	CHECK_INT(mih_sign_verify(SPEC_ID, SPEC_TS, SPEC_SIG, b, n, secrets, 1, SPEC_TS_NUM - 300, 300,
		err, sizeof(err)), MIH_SIGN_OK);
	CHECK_INT(mih_sign_verify(SPEC_ID, SPEC_TS, SPEC_SIG, b, n, secrets, 1, SPEC_TS_NUM - 301, 300,
		err, sizeof(err)), MIH_SIGN_TOO_NEW);
	check_err_is_clean(err);
	CHECK_INT(mih_sign_verify(SPEC_ID, SPEC_TS, SPEC_SIG, b, n, secrets, 1, SPEC_TS_NUM, -10,
		err, sizeof(err)), MIH_SIGN_OK);
	CHECK_INT(mih_sign_verify(SPEC_ID, SPEC_TS, SPEC_SIG, b, n, secrets, 1, SPEC_TS_NUM + 1, -10,
		err, sizeof(err)), MIH_SIGN_TOO_OLD);
}

TEST(timestamp_extremes_do_not_overflow)
{
	const char *secrets[] = { SPEC_SECRET };
	const char *b = SPEC_BODY;

	CHECK_INT(mih_sign_verify(SPEC_ID, "9223372036854775807", SPEC_SIG, b, strlen(b), secrets, 1,
		INT64_MIN, INT64_MAX, err, sizeof(err)), MIH_SIGN_TOO_NEW);
	CHECK_INT(mih_sign_verify(SPEC_ID, "9223372036854775808", SPEC_SIG, b, strlen(b), secrets, 1,
		0, 300, err, sizeof(err)), MIH_SIGN_BAD_FORMAT);
	CHECK_INT(mih_sign_verify(SPEC_ID, "0", SPEC_SIG, b, strlen(b), secrets, 1, INT64_MAX, 300,
		err, sizeof(err)), MIH_SIGN_TOO_OLD);
}

TEST(tampering_is_no_match)
{
	const char *secrets[] = { SPEC_SECRET };
	const char *body = "{\"test\": 2432232315}";

	CHECK_INT(mih_sign_verify(SPEC_ID, SPEC_TS, SPEC_SIG, body, strlen(body), secrets, 1,
		SPEC_TS_NUM, 300, err, sizeof(err)), MIH_SIGN_NO_MATCH);
	check_err_is_clean(err);
	CHECK_INT(mih_sign_verify("msg_other", SPEC_TS, SPEC_SIG, SPEC_BODY, strlen(SPEC_BODY), secrets, 1,
		SPEC_TS_NUM, 300, err, sizeof(err)), MIH_SIGN_NO_MATCH);
	CHECK_INT(mih_sign_verify(SPEC_ID, "1614265331", SPEC_SIG, SPEC_BODY, strlen(SPEC_BODY), secrets, 1,
		SPEC_TS_NUM, 300, err, sizeof(err)), MIH_SIGN_NO_MATCH);
	/* Same signature bytes, other last character: canonical base64 forbids it. */
	CHECK_INT(verify_spec("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF=", secrets, 1),
		MIH_SIGN_BAD_FORMAT);
	CHECK_INT(verify_spec("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=", secrets, 1),
		MIH_SIGN_NO_MATCH);
}

TEST(exact_body_bytes_are_signed)
{
	const char *secrets[] = { SPEC_SECRET };
	const char body[] = { 'a', '\0', 'b' };
	char header[MIH_SIGN_HEADER_SIZE(1)];

	CHECK_INT(mih_sign_sign(SPEC_ID, 5, body, sizeof(body), secrets, 1, header, sizeof(header),
		err, sizeof(err)), 0);
	CHECK_INT(mih_sign_verify(SPEC_ID, "5", header, body, sizeof(body), secrets, 1, 5, 0,
		err, sizeof(err)), MIH_SIGN_OK);
	CHECK_INT(mih_sign_verify(SPEC_ID, "5", header, body, 1, secrets, 1, 5, 0,
		err, sizeof(err)), MIH_SIGN_NO_MATCH);
	CHECK_INT(mih_sign_sign(SPEC_ID, 5, NULL, 0, secrets, 1, header, sizeof(header),
		err, sizeof(err)), 0);
	CHECK_INT(mih_sign_verify(SPEC_ID, "5", header, "", 0, secrets, 1, 5, 0, err, sizeof(err)),
		MIH_SIGN_OK);
}

TEST(sign_rejects_bad_arguments)
{
	const char *secrets[] = { SPEC_SECRET, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS!" };
	char header[MIH_SIGN_HEADER_SIZE(2)];

	CHECK_INT(mih_sign_sign("", 1, "x", 1, secrets, 1, header, sizeof(header), err, sizeof(err)), -1);
	CHECK(strstr(err, "message id") != NULL);
	CHECK_INT(mih_sign_sign("m", -1, "x", 1, secrets, 1, header, sizeof(header), err, sizeof(err)), -1);
	CHECK(strstr(err, "negative") != NULL);
	CHECK_INT(mih_sign_sign("m", 1, "x", 1, secrets, 1, header, MIH_SIGN_HEADER_SIZE(1) - 1,
		err, sizeof(err)), -1);
	CHECK(strstr(err, "too small") != NULL);
	CHECK_INT(mih_sign_sign("m", 1, "x", 1, secrets, 2, header, sizeof(header), err, sizeof(err)), -1);
	CHECK(strstr(err, "secret #2") != NULL);
	check_err_is_clean(err);
	CHECK_STR(header, "");
	CHECK_INT(mih_sign_sign("m", 1, "x", 1, secrets, 0, header, sizeof(header), err, sizeof(err)), -1);
	CHECK_INT(mih_sign_sign("m", 1, NULL, 3, secrets, 1, header, sizeof(header), err, sizeof(err)), -1);
}

TEST(base64_decodes_strictly)
{
	unsigned char out[8];
	size_t n = 99;

	CHECK_INT(mih_sign_base64_decode("", 0, out, sizeof(out), &n, err, sizeof(err)), 0);
	CHECK_INT(n, 0);
	CHECK_INT(mih_sign_base64_decode("Zg==", 4, out, sizeof(out), &n, err, sizeof(err)), 0);
	CHECK_INT(n, 1);
	CHECK(memcmp(out, "f", 1) == 0);
	CHECK_INT(mih_sign_base64_decode("Zm8=", 4, out, sizeof(out), &n, err, sizeof(err)), 0);
	CHECK_INT(n, 2);
	CHECK(memcmp(out, "fo", 2) == 0);
	CHECK_INT(mih_sign_base64_decode("Zm9vYmFy", 8, out, sizeof(out), &n, err, sizeof(err)), 0);
	CHECK_INT(n, 6);
	CHECK(memcmp(out, "foobar", 6) == 0);
	CHECK_INT(mih_sign_base64_decode("+/+/", 4, out, sizeof(out), &n, err, sizeof(err)), 0);
	CHECK_INT(n, 3);
	CHECK_INT(out[0], 0xfb);
	CHECK_INT(out[1], 0xff);
	CHECK_INT(out[2], 0xbf);
}

TEST(base64_rejects_non_canonical_input)
{
	static const struct {
		const char *text;
		const char *why;
	} bad[] = {
		{ "Zg=", "multiple of 4" }, { "Zg", "multiple of 4" }, { "Zh==", "non-zero bits" },
		{ "Zm9=", "non-zero bits" }, { "Z===", "padding" }, { "====", "padding" },
		{ "=Zg=", "padding" }, { "Zg==Zg==", "padding" }, { "Zm9v\n===", "padding" },
		{ "Zm 9", "offset 2" }, { "Zm9v-_==", "offset 4" }, { "Zm9\x80", "offset 3" },
	};
	unsigned char out[8];
	size_t i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK_INT(mih_sign_base64_decode(bad[i].text, strlen(bad[i].text), out, sizeof(out), &n,
			err, sizeof(err)), -1);
		if (!strstr(err, bad[i].why)) {
			fprintf(stderr, "base64 \"%s\": got \"%s\", expected \"%s\"\n", bad[i].text, err, bad[i].why);
			CHECK(0);
		}
	}
	CHECK_INT(mih_sign_base64_decode("Zm9vYmFy", 8, out, 5, &n, err, sizeof(err)), -1);
	CHECK(strstr(err, "more than the 5 allowed") != NULL);
	CHECK_INT(mih_sign_base64_decode("Zg=!", 4, out, sizeof(out), &n, NULL, 0), -1);
}

TEST(base64_encodes_every_tail_length)
{
	static const char *const expected[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=" };
	unsigned char back[8];
	char out[16];
	size_t len, n;

	for (len = 0; len < sizeof(expected) / sizeof(expected[0]); len++) {
		CHECK_INT(mih_sign_base64_encode((const unsigned char *)"foobar", len, out, sizeof(out)), 0);
		CHECK_STR(out, expected[len]);
		CHECK_INT(mih_sign_base64_decode(out, strlen(out), back, sizeof(back), &n, err, sizeof(err)), 0);
		CHECK_INT(n, len);
		CHECK(memcmp(back, "foobar", len) == 0);
	}
	CHECK_INT(mih_sign_base64_encode((const unsigned char *)"foo", 3, out, 4), -1);
	CHECK_STR(out, "");
	CHECK_INT(mih_sign_base64_encode((const unsigned char *)"foo", 3, out, 5), 0);
}

TEST(generated_secret_is_usable)
{
	const char *secrets[1];
	char a[MIH_SIGN_SECRET_SIZE], b[MIH_SIGN_SECRET_SIZE], header[MIH_SIGN_HEADER_SIZE(1)];
	unsigned char key[64];
	size_t n;

	CHECK_INT(mih_sign_generate_secret(a, sizeof(a)), 0);
	CHECK_INT(mih_sign_generate_secret(b, sizeof(b)), 0);
	CHECK(strncmp(a, "whsec_", 6) == 0);
	CHECK_INT(strlen(a), MIH_SIGN_SECRET_SIZE - 1);
	CHECK(strcmp(a, b) != 0);
	CHECK_INT(mih_sign_check_secret(a, err, sizeof(err)), 0);
	CHECK_INT(mih_sign_base64_decode(a + 6, strlen(a + 6), key, sizeof(key), &n, err, sizeof(err)), 0);
	CHECK_INT(n, MIH_SIGN_SECRET_KEY_BYTES);
	secrets[0] = a;
	CHECK_INT(mih_sign_sign("msg_1", 100, "{}", 2, secrets, 1, header, sizeof(header), err,
		sizeof(err)), 0);
	CHECK_INT(mih_sign_verify("msg_1", "100", header, "{}", 2, secrets, 1, 100, 0, err, sizeof(err)),
		MIH_SIGN_OK);
	CHECK_INT(mih_sign_generate_secret(a, MIH_SIGN_SECRET_SIZE - 1), -1);
	CHECK_STR(a, "");
}

TEST(msg_id_is_ulid_shaped)
{
	static const unsigned char zeros[10] = { 0 };
	static const unsigned char ones[10] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	char id[MIH_SIGN_MSG_ID_SIZE], later[MIH_SIGN_MSG_ID_SIZE];

	/* Time part of the ULID specification's example. */
	CHECK_INT(mih_sign_format_msg_id(1469918176385LL, zeros, id, sizeof(id)), 0);
	CHECK_STR(id, "msg_01ARYZ6S410000000000000000");
	CHECK_INT(mih_sign_format_msg_id(0, ones, id, sizeof(id)), 0);
	CHECK_STR(id, "msg_0000000000ZZZZZZZZZZZZZZZZ");
	CHECK_INT(mih_sign_format_msg_id(281474976710655LL, ones, id, sizeof(id)), 0);
	CHECK_STR(id, "msg_7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
	CHECK_INT(mih_sign_format_msg_id(-5, zeros, id, sizeof(id)), 0);
	CHECK_STR(id, "msg_00000000000000000000000000");
	CHECK_INT(mih_sign_format_msg_id(1000, ones, id, sizeof(id)), 0);
	CHECK_INT(mih_sign_format_msg_id(1001, zeros, later, sizeof(later)), 0);
	CHECK(strcmp(id, later) < 0);
	CHECK_INT(mih_sign_format_msg_id(1, zeros, id, MIH_SIGN_MSG_ID_SIZE - 1), -1);
	CHECK_STR(id, "");
}

TEST(new_msg_ids_differ)
{
	char a[MIH_SIGN_MSG_ID_SIZE], b[MIH_SIGN_MSG_ID_SIZE];
	size_t i;

	CHECK_INT(mih_sign_new_msg_id(a, sizeof(a)), 0);
	CHECK_INT(mih_sign_new_msg_id(b, sizeof(b)), 0);
	CHECK_INT(strlen(a), MIH_SIGN_MSG_ID_SIZE - 1);
	CHECK(strncmp(a, "msg_", 4) == 0);
	CHECK(strcmp(a, b) != 0);
	for (i = 4; a[i]; i++) {
		CHECK(strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ", a[i]) != NULL);
	}
	/* The first digit holds the top 3 of 48 time bits: '0' until the year 3084. */
	CHECK(a[4] == '0');
	CHECK_INT(mih_sign_new_msg_id(a, 3), -1);
}

TEST(mask_shows_only_the_tail_of_long_secrets)
{
	char out[MIH_SIGN_MASK_SIZE];
	const char *euro = "aaaaaaaaaa\xe2\x82\xacyz";

	CHECK_INT(mih_sign_mask("abc", 3, out, sizeof(out)), 0);
	CHECK_STR(out, "****");
	CHECK_INT(mih_sign_mask("abcdefghijk", 11, out, sizeof(out)), 0);
	CHECK_STR(out, "****");
	CHECK_INT(mih_sign_mask("abcdefghijkl", 12, out, sizeof(out)), 0);
	CHECK_STR(out, "****ijkl");
	CHECK_INT(mih_sign_mask(SPEC_SECRET, strlen(SPEC_SECRET), out, sizeof(out)), 0);
	CHECK_STR(out, "****LaSw");
	CHECK_INT(mih_sign_mask(euro, strlen(euro), out, sizeof(out)), 0);
	CHECK_STR(out, "****yz");
	CHECK_INT(mih_sign_mask(NULL, 0, out, sizeof(out)), 0);
	CHECK_STR(out, "****");
	CHECK_INT(mih_sign_mask("abcdefghijkl", 12, out, MIH_SIGN_MASK_SIZE - 1), -1);
	CHECK_STR(out, "");
}

TEST(result_names)
{
	CHECK_STR(mih_sign_result_name(MIH_SIGN_OK), "ok");
	CHECK_STR(mih_sign_result_name(MIH_SIGN_MISSING_HEADER), "missing_header");
	CHECK_STR(mih_sign_result_name(MIH_SIGN_BAD_FORMAT), "bad_format");
	CHECK_STR(mih_sign_result_name(MIH_SIGN_TOO_OLD), "too_old");
	CHECK_STR(mih_sign_result_name(MIH_SIGN_TOO_NEW), "too_new");
	CHECK_STR(mih_sign_result_name(MIH_SIGN_NO_MATCH), "no_match");
	CHECK_STR(mih_sign_result_name(MIH_SIGN_ERROR), "error");
	CHECK_STR(mih_sign_result_name((mih_sign_result)42), "unknown");
}

int main(void)
{
	RUN(spec_vector_signs);
	RUN(spec_vector_signs_without_prefix);
	RUN(spec_vector_verifies);
	RUN(sign_with_two_secrets_lists_both);
	RUN(rotation_old_signature_verifies_against_list);
	RUN(other_versions_are_ignored);
	RUN(extra_spaces_between_entries_are_tolerated);
	RUN(missing_headers_are_named);
	RUN(bad_timestamps_are_bad_format);
	RUN(malformed_signature_lists_are_bad_format);
	RUN(malformed_entry_is_numbered);
	RUN(bad_secrets_are_bad_format_without_revealing_them);
	RUN(oversized_secret_is_rejected);
	RUN(timestamp_window);
	RUN(timestamp_extremes_do_not_overflow);
	RUN(tampering_is_no_match);
	RUN(exact_body_bytes_are_signed);
	RUN(sign_rejects_bad_arguments);
	RUN(base64_decodes_strictly);
	RUN(base64_rejects_non_canonical_input);
	RUN(base64_encodes_every_tail_length);
	RUN(generated_secret_is_usable);
	RUN(msg_id_is_ulid_shaped);
	RUN(new_msg_ids_differ);
	RUN(mask_shows_only_the_tail_of_long_secrets);
	RUN(result_names);
	return UNIT_DONE("sign");
}
