/* libFuzzer harness for the Retry-After parser (delta-seconds and the three
 * HTTP-date forms) and the delay helpers fed from its result. Input: the
 * first 8 bytes are "now" (Unix ms, any value), the rest is the header
 * value. Invariants: no crash or UB, a parsed delay is never negative, a
 * delay is never above the cap, and parsing is deterministic. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "retry.h"

static uint64_t fuzz_random(void *ctx)
{
	return *(const uint64_t *)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t now_ms = 0, delay = 0, again = 0, next;
	uint64_t r;
	mih_random rnd = {fuzz_random, &r};
	char *value;
	int rc;

	if (size >= sizeof(now_ms)) {
		memcpy(&now_ms, data, sizeof(now_ms));
		data += sizeof(now_ms);
		size -= sizeof(now_ms);
	}
	/* A heap copy of exactly size bytes so ASan catches any over-read. */
	value = malloc(size ? size : 1);
	if (value == NULL) {
		return 0;
	}
	memcpy(value, data, size);
	rc = mih_retry_parse_retry_after(value, size, now_ms, &delay);
	if (rc == 0) {
		if (delay < 0) {
			abort();
		}
		if (mih_retry_parse_retry_after(value, size, now_ms, &again) != 0 || again != delay) {
			abort();
		}
	} else if (rc != -1) {
		abort();
	}
	r = (uint64_t)now_ms * 0x9e3779b97f4a7c15ULL;
	next = mih_retry_next_delay_ms((unsigned)(size * 7), delay % 100000, 60000, rc == 0, delay, &rnd);
	if (next < 0 || next > 60000) {
		abort();
	}
	mih_retry_fits_deadline(now_ms, delay, now_ms, next);
	free(value);
	return 0;
}
