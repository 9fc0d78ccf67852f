/* libFuzzer harness for the inbound token core: the Bearer parser and the
 * token comparison. Input: the first byte splits the rest into an
 * Authorization value and an expected token. Invariants: no crash or UB, a
 * parsed token lies inside the value and is non-empty with no blank at either
 * end, and a token always equals itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inbound.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t split, n = 0;
	char *value;
	const char *token = NULL;

	if (size < 1) {
		return 0;
	}
	split = data[0] % size;
	data++;
	size--;
	if (split > size) {
		split = size;
	}
	/* A heap copy of exactly the value's bytes so ASan catches any over-read. */
	value = malloc(split ? split : 1);
	if (!value) {
		return 0;
	}
	memcpy(value, data, split);
	if (mih_inbound_bearer(value, split, &token, &n)) {
		if (n == 0 || token < value || token + n > value + split
				|| token[0] == ' ' || token[0] == '\t' || token[n - 1] == ' ' || token[n - 1] == '\t') {
			abort();
		}
		if (!mih_inbound_token_equals(token, n, token, n)) {
			abort();
		}
	}
	mih_inbound_trim(value, split, &n);
	if (split < size && size - split > 0) {
		mih_inbound_token_equals((const char *)data + split, size - split, value, split);
	}
	free(value);
	return 0;
}
