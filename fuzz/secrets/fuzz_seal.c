/* libFuzzer harness for the secrets-at-rest core (seal.c). The input is
 * opened as a stored value (envelope parsing, base64, GCM), parsed as a key
 * spec (key files excluded), and sealed: the envelope must open to the same
 * bytes, must not open in another context, and must not open once any one
 * of its bytes is changed. No message may repeat the input. */
#define _GNU_SOURCE
#include "seal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KEY_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static mih_keyring kr;

/* What the messages are made of besides key ids: an input that is a piece
 * of this is not a leak when it shows up in one. */
static const char vocabulary[] =
	"is not a well-formed encrypted value|is encrypted with key id , which is not configured"
	" (neither mih.secret_key nor in mih.secret_keys_old)|does not decrypt with key id "
	" (altered, or not this field's value)|a key must be 64 hex digits, base64 of 32 bytes, or the"
	" absolute path of a file holding one|out of memory reading a secret|libcrypto failed to decrypt a secret";

static void check_message_is_clean(const char *err, const char *input, size_t len)
{
	if (len >= 8 && memmem(err, strlen(err), input, len) && !memmem(vocabulary, sizeof(vocabulary) - 1, input, len)) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	char err[256], *env = NULL, *out = NULL;
	unsigned char key[MIH_SEAL_KEY_BYTES];
	size_t outlen;
	mih_unseal_result r;

	if (kr.count == 0 && mih_keyring_load(&kr, KEY_HEX, "", err, sizeof(err)) != 0) {
		abort();
	}
	err[0] = '\0';
	r = mih_unseal(&kr, "auth_token", in, size, &out, &outlen, err, sizeof(err));
	if ((r == MIH_UNSEAL_OK || r == MIH_UNSEAL_PLAIN) != (out != NULL)) {
		abort();
	}
	if (r == MIH_UNSEAL_PLAIN && (outlen != size || memcmp(out, in, size) != 0)) {
		abort();
	}
	if (r != MIH_UNSEAL_OK && r != MIH_UNSEAL_PLAIN) {
		check_message_is_clean(err, in, size);
	}
	free(out);
	out = NULL;

	if (size == 0 || in[0] != '/') {
		err[0] = '\0';
		if (mih_seal_parse_key(in, size, key, err, sizeof(err)) != 0) {
			check_message_is_clean(err, in, size);
		}
	}

	if (mih_seal(&kr, "header:x-token", in, size, &env, err, sizeof(err)) != 0) {
		abort();
	}
	if (mih_unseal(&kr, "header:x-token", env, strlen(env), &out, &outlen, err, sizeof(err)) != MIH_UNSEAL_OK
			|| outlen != size || memcmp(out, in, size) != 0) {
		abort();
	}
	free(out);
	out = NULL;
	if (mih_unseal(&kr, "auth_token", env, strlen(env), &out, &outlen, err, sizeof(err)) == MIH_UNSEAL_OK) {
		abort();
	}
	free(out);
	out = NULL;
	/* change one byte of the envelope, chosen by the input */
	{
		size_t at = size ? (size_t)data[0] * 7 % strlen(env) : strlen(env) - 2;
		char was = env[at];

		env[at] = was == 'A' ? 'B' : 'A';
		if (mih_unseal(&kr, "header:x-token", env, strlen(env), &out, &outlen, err, sizeof(err)) == MIH_UNSEAL_OK) {
			abort();
		}
		free(out);
	}
	free(env);
	return 0;
}
