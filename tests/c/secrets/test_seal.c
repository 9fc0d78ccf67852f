/* Unit tests of the secrets-at-rest core (ext/core/secrets/seal.c): AES-256-GCM
 * envelopes, key specs, key ids and rotation. */
#include "unit.h"
#include "seal.h"

#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#define KEY_A_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
/* the same 32 bytes in base64 */
#define KEY_A_B64 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define KEY_B_HEX "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"
#define SECRET "Bearer sk_live_0123456789abcdef"

static mih_keyring ring(const char *current, const char *old)
{
	mih_keyring kr;
	char err[256];

	CHECK_INT(mih_keyring_load(&kr, current, old, err, sizeof(err)), 0);
	return kr;
}

static char *seal(const mih_keyring *kr, const char *context, const char *plain)
{
	char *out = NULL;
	char err[256];

	CHECK_INT(mih_seal(kr, context, plain, strlen(plain), &out, err, sizeof(err)), 0);
	return out;
}

static mih_unseal_result open_value(const mih_keyring *kr, const char *context, const char *value,
	char **plain, char *err, size_t errlen)
{
	size_t len;

	return mih_unseal(kr, context, value, strlen(value), plain, &len, err, errlen);
}

TEST(round_trip)
{
	mih_keyring kr = ring(KEY_A_HEX, "");
	char *env = seal(&kr, "auth_token", SECRET), *again = seal(&kr, "auth_token", SECRET);
	char *plain = NULL, err[256];
	size_t len;

	CHECK(env && mih_seal_is_sealed(env, strlen(env)));
	CHECK(strncmp(env, MIH_SEAL_PREFIX, strlen(MIH_SEAL_PREFIX)) == 0);
	CHECK(!strstr(env, "sk_live"));
	/* a fresh nonce every time */
	CHECK(again && strcmp(env, again) != 0);
	CHECK_INT(mih_unseal(&kr, "auth_token", env, strlen(env), &plain, &len, err, sizeof(err)), MIH_UNSEAL_OK);
	CHECK_STR(plain, SECRET);
	CHECK_INT(len, strlen(SECRET));
	free(plain);
	/* the empty value too */
	free(again);
	again = seal(&kr, "header:x-token", "");
	CHECK_INT(mih_unseal(&kr, "header:x-token", again, strlen(again), &plain, &len, err, sizeof(err)),
		MIH_UNSEAL_OK);
	CHECK_STR(plain, "");
	CHECK_INT(len, 0);
	free(plain);
	free(again);
	free(env);
	mih_keyring_wipe(&kr);
}

TEST(plaintext_passes_through)
{
	mih_keyring empty, kr = ring(KEY_A_HEX, "");
	char *plain = NULL, err[256];

	mih_keyring_init(&empty);
	CHECK_INT(open_value(&kr, "auth_token", "legacy-token", &plain, err, sizeof(err)), MIH_UNSEAL_PLAIN);
	CHECK_STR(plain, "legacy-token");
	free(plain);
	CHECK_INT(open_value(&empty, "auth_token", "legacy-token", &plain, err, sizeof(err)), MIH_UNSEAL_PLAIN);
	CHECK_STR(plain, "legacy-token");
	free(plain);
	/* nothing to seal with */
	CHECK_INT(mih_seal(&empty, "auth_token", "x", 1, &plain, err, sizeof(err)), -1);
	CHECK(plain == NULL);
	mih_keyring_wipe(&kr);
}

TEST(tampering_is_detected)
{
	mih_keyring kr = ring(KEY_A_HEX, "");
	char *env = seal(&kr, "auth_token", SECRET), *plain = NULL, err[256];
	size_t body = strlen(MIH_SEAL_PREFIX) + MIH_SEAL_KEY_ID_LEN + 1;
	size_t positions[] = { body + 2, body + 20, strlen(env) - 6 };

	for (size_t i = 0; i < sizeof(positions) / sizeof(positions[0]); i++) {
		char saved = env[positions[i]];

		env[positions[i]] = saved == 'A' ? 'B' : 'A';
		CHECK_INT(open_value(&kr, "auth_token", env, &plain, err, sizeof(err)), MIH_UNSEAL_FAILED);
		CHECK(plain == NULL);
		CHECK(strstr(err, "does not decrypt") != NULL);
		env[positions[i]] = saved;
	}
	/* another field's value does not open here */
	CHECK_INT(open_value(&kr, "signing_secrets", env, &plain, err, sizeof(err)), MIH_UNSEAL_FAILED);
	/* truncated: still base64, so the tag fails; cut inside a quantum, malformed */
	env[strlen(env) - 4] = '\0';
	CHECK_INT(open_value(&kr, "auth_token", env, &plain, err, sizeof(err)), MIH_UNSEAL_FAILED);
	env[strlen(env) - 1] = '\0';
	CHECK_INT(open_value(&kr, "auth_token", env, &plain, err, sizeof(err)), MIH_UNSEAL_MALFORMED);
	CHECK_INT(open_value(&kr, "auth_token", "$mih1$", &plain, err, sizeof(err)), MIH_UNSEAL_MALFORMED);
	CHECK_INT(open_value(&kr, "auth_token", "$mih1$0123ABCD$AAAA", &plain, err, sizeof(err)), MIH_UNSEAL_MALFORMED);
	CHECK_INT(open_value(&kr, "auth_token", "$mih1$0123abcd$!!!!", &plain, err, sizeof(err)), MIH_UNSEAL_UNKNOWN_KEY);
	free(env);
	mih_keyring_wipe(&kr);
}

TEST(wrong_key_does_not_open)
{
	mih_keyring a = ring(KEY_A_HEX, ""), b = ring(KEY_B_HEX, ""), forged;
	char *env = seal(&a, "auth_token", SECRET), *plain = NULL, err[256];

	/* another key: its id is not in the envelope */
	CHECK_INT(open_value(&b, "auth_token", env, &plain, err, sizeof(err)), MIH_UNSEAL_UNKNOWN_KEY);
	CHECK(strstr(err, a.keys[0].id) != NULL);
	CHECK(strstr(err, "mih.secret_key") != NULL);
	/* another key under the right id: the tag does not verify */
	forged = b;
	memcpy(forged.keys[0].id, a.keys[0].id, sizeof(forged.keys[0].id));
	CHECK_INT(open_value(&forged, "auth_token", env, &plain, err, sizeof(err)), MIH_UNSEAL_FAILED);
	CHECK(plain == NULL);
	free(env);
	mih_keyring_wipe(&a);
	mih_keyring_wipe(&b);
}

TEST(rotation)
{
	mih_keyring a = ring(KEY_A_HEX, ""), rotated = ring(KEY_B_HEX, KEY_A_B64), old_only = ring("", KEY_A_HEX);
	char *env = seal(&a, "auth_token", SECRET), *plain = NULL, *resealed, err[256];

	CHECK_INT(rotated.count, 2);
	CHECK_STR(mih_keyring_current_id(&rotated), rotated.keys[0].id);
	CHECK(mih_seal_is_current(&a, env, strlen(env)));
	/* under the new key, a value sealed under the old one still opens but is due for rewriting */
	CHECK(!mih_seal_is_current(&rotated, env, strlen(env)));
	CHECK_INT(open_value(&rotated, "auth_token", env, &plain, err, sizeof(err)), MIH_UNSEAL_OK);
	CHECK_STR(plain, SECRET);
	resealed = seal(&rotated, "auth_token", plain);
	free(plain);
	CHECK(mih_seal_is_current(&rotated, resealed, strlen(resealed)));
	CHECK(strstr(resealed, rotated.keys[0].id) == resealed + strlen(MIH_SEAL_PREFIX));
	/* the old key alone no longer opens it */
	CHECK_INT(open_value(&a, "auth_token", resealed, &plain, err, sizeof(err)), MIH_UNSEAL_UNKNOWN_KEY);
	/* plaintext is due for sealing when there is a current key, not otherwise */
	CHECK(!mih_seal_is_current(&rotated, "plain", 5));
	CHECK(mih_seal_is_current(&old_only, "plain", 5));
	/* with old keys only: values open, and are due for decrypting */
	CHECK(mih_keyring_current_id(&old_only) == NULL);
	CHECK(!mih_seal_is_current(&old_only, env, strlen(env)));
	CHECK_INT(open_value(&old_only, "auth_token", env, &plain, err, sizeof(err)), MIH_UNSEAL_OK);
	CHECK_STR(plain, SECRET);
	free(plain);
	free(resealed);
	free(env);
	mih_keyring_wipe(&a);
	mih_keyring_wipe(&rotated);
	mih_keyring_wipe(&old_only);
}

TEST(key_specs)
{
	unsigned char a[MIH_SEAL_KEY_BYTES], b[MIH_SEAL_KEY_BYTES];
	char err[256], path[] = "/tmp/mih-test-key-XXXXXX", id[MIH_SEAL_KEY_ID_LEN + 1];
	const char *bad[] = { "", "abc", KEY_A_HEX "00", "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
		"relative/path", "/nonexistent/mih/key" };
	int fd;

	CHECK_INT(mih_seal_parse_key(KEY_A_HEX, strlen(KEY_A_HEX), a, err, sizeof(err)), 0);
	CHECK_INT(mih_seal_parse_key(KEY_A_B64, strlen(KEY_A_B64), b, err, sizeof(err)), 0);
	CHECK(memcmp(a, b, sizeof(a)) == 0);
	CHECK_INT(a[31], 0x1f);
	CHECK_INT(mih_seal_parse_key("  " KEY_A_HEX "\n", strlen(KEY_A_HEX) + 3, b, err, sizeof(err)), 0);
	/* upper-case hex */
	CHECK_INT(mih_seal_parse_key("FFEEDDCCBBAA99887766554433221100FFEEDDCCBBAA99887766554433221100", 64, b,
		err, sizeof(err)), 0);
	CHECK_INT(b[0], 0xff);
	/* a key file holding either form */
	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(write(fd, KEY_A_B64 "\n", strlen(KEY_A_B64) + 1) == (ssize_t)strlen(KEY_A_B64) + 1);
	close(fd);
	memset(b, 0, sizeof(b));
	CHECK_INT(mih_seal_parse_key(path, strlen(path), b, err, sizeof(err)), 0);
	CHECK(memcmp(a, b, sizeof(a)) == 0);
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(write(fd, "not a key\n", 10) == 10);
	close(fd);
	CHECK_INT(mih_seal_parse_key(path, strlen(path), b, err, sizeof(err)), -1);
	CHECK(strstr(err, "key file") != NULL);
	unlink(path);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK_INT(mih_seal_parse_key(bad[i], strlen(bad[i]), b, err, sizeof(err)), -1);
		CHECK(err[0] != '\0');
		/* the message never repeats what was given */
		CHECK(strlen(bad[i]) < 4 || !strstr(err, bad[i]));
	}
	/* key ids: stable, 8 lower-case hex digits, different per key */
	CHECK_INT(mih_seal_key_id(a, id), 0);
	CHECK_INT(strlen(id), MIH_SEAL_KEY_ID_LEN);
	CHECK(strspn(id, "0123456789abcdef") == MIH_SEAL_KEY_ID_LEN);
	{
		mih_keyring kr = ring(KEY_A_HEX, ""), kb = ring(KEY_B_HEX, "");

		CHECK_STR(kr.keys[0].id, id);
		CHECK(strcmp(kb.keys[0].id, id) != 0);
		mih_keyring_wipe(&kr);
		mih_keyring_wipe(&kb);
	}
}

TEST(keyring_load)
{
	mih_keyring kr;
	char err[256], many[2048] = "";

	/* old keys separated by commas or white space; the current key listed again is ignored */
	CHECK_INT(mih_keyring_load(&kr, KEY_A_HEX, " " KEY_B_HEX ",\n" KEY_A_B64 " ", err, sizeof(err)), 0);
	CHECK_INT(kr.count, 2);
	CHECK(kr.has_current);
	mih_keyring_wipe(&kr);
	CHECK_INT(kr.count, 0);
	/* nothing set: an empty keyring */
	CHECK_INT(mih_keyring_load(&kr, "", "", err, sizeof(err)), 0);
	CHECK_INT(kr.count, 0);
	CHECK(!kr.has_current);
	CHECK_INT(mih_keyring_load(&kr, NULL, NULL, err, sizeof(err)), 0);
	/* a bad entry names its setting and position, not its value */
	CHECK_INT(mih_keyring_load(&kr, "secret-not-a-key", "", err, sizeof(err)), -1);
	CHECK(strstr(err, "mih.secret_key:") == err);
	CHECK(!strstr(err, "secret-not-a-key"));
	CHECK_INT(kr.count, 0);
	CHECK_INT(mih_keyring_load(&kr, KEY_A_HEX, KEY_B_HEX ",oops-not-a-key", err, sizeof(err)), -1);
	CHECK(strstr(err, "mih.secret_keys_old entry 2:") == err);
	CHECK(!strstr(err, "oops"));
	CHECK_INT(kr.count, 0);
	CHECK(!kr.has_current);
	/* at most MIH_SEAL_MAX_OLD_KEYS old keys */
	for (int i = 0; i <= MIH_SEAL_MAX_OLD_KEYS; i++) {
		char hex[80];

		snprintf(hex, sizeof(hex), "%064x,", i + 1);
		strcat(many, hex);
	}
	CHECK_INT(mih_keyring_load(&kr, KEY_A_HEX, many, err, sizeof(err)), -1);
	CHECK(strstr(err, "at most") != NULL);
	many[strlen(many) - 65] = '\0';
	CHECK_INT(mih_keyring_load(&kr, KEY_A_HEX, many, err, sizeof(err)), 0);
	CHECK_INT(kr.count, 1 + MIH_SEAL_MAX_OLD_KEYS);
	mih_keyring_wipe(&kr);
}

TEST(adding_keys)
{
	unsigned char a[MIH_SEAL_KEY_BYTES], b[MIH_SEAL_KEY_BYTES];
	mih_keyring kr;
	char err[256];

	memset(a, 1, sizeof(a));
	memset(b, 2, sizeof(b));
	mih_keyring_init(&kr);
	CHECK_INT(mih_keyring_add(&kr, a, false, err, sizeof(err)), 0);
	CHECK_INT(mih_keyring_add(&kr, b, false, err, sizeof(err)), 0);
	CHECK(!kr.has_current);
	/* an old key promoted to current moves to the front */
	CHECK_INT(mih_keyring_add(&kr, b, true, err, sizeof(err)), 0);
	CHECK_INT(kr.count, 2);
	CHECK(kr.has_current);
	CHECK(memcmp(kr.keys[0].bytes, b, sizeof(b)) == 0);
	CHECK(memcmp(kr.keys[1].bytes, a, sizeof(a)) == 0);
	CHECK_INT(mih_keyring_add(&kr, a, true, err, sizeof(err)), -1);
	mih_keyring_wipe(&kr);
}

int main(void)
{
	RUN(round_trip);
	RUN(plaintext_passes_through);
	RUN(tampering_is_detected);
	RUN(wrong_key_does_not_open);
	RUN(rotation);
	RUN(key_specs);
	RUN(keyring_load);
	RUN(adding_keys);
	return UNIT_DONE("seal");
}
