/* libFuzzer harness for the webhook verifier's header parsing (sign.c).
 * Input: "id\ntimestamp\nsignature\nsecret\nbody"; the fuzzed secret is
 * checked alongside the spec's, so secret decoding is exercised as well. */
#include "sign.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SPEC_SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

/* Copies the next '\n'-terminated field into a fresh NUL-terminated string. */
static char *next_field(const uint8_t **data, size_t *size)
{
	const uint8_t *nl = memchr(*data, '\n', *size);
	size_t len = nl ? (size_t)(nl - *data) : *size;
	char *field = malloc(len + 1);

	if (!field) {
		abort();
	}
	memcpy(field, *data, len);
	field[len] = '\0';
	*data += nl ? len + 1 : len;
	*size -= nl ? len + 1 : len;
	return field;
}

static void check_message_is_clean(const char *err)
{
	if (strstr(err, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *id = next_field(&data, &size);
	char *timestamp = next_field(&data, &size);
	char *signature = next_field(&data, &size);
	char *secret = next_field(&data, &size);
	const char *secrets[] = { SPEC_SECRET, secret };
	unsigned char decoded[64];
	char err[256], mask[MIH_SIGN_MASK_SIZE];
	size_t n;
	mih_sign_result result;

	err[0] = '\0';
	result = mih_sign_verify(id, timestamp, signature, (const char *)data, size, secrets, 2,
		1614265330, 300, err, sizeof(err));
	if (result != MIH_SIGN_OK && err[0] == '\0') {
		abort();
	}
	check_message_is_clean(err);
	result = mih_sign_verify(id, timestamp, signature, (const char *)data, size, secrets, 1,
		1614265330, INT64_MAX, err, sizeof(err));
	check_message_is_clean(err);
	mih_sign_base64_decode(signature, strlen(signature), decoded, sizeof(decoded), &n, err, sizeof(err));
	mih_sign_mask(signature, strlen(signature), mask, sizeof(mask));
	(void)result;
	free(id);
	free(timestamp);
	free(signature);
	free(secret);
	return 0;
}
