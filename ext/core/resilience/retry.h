/* Retry policy: which outcomes are worth another attempt, how long to wait
 * (exponential backoff with full jitter, Retry-After honoured but capped)
 * and whether another attempt still fits in the caller's deadline.
 * Pure functions; randomness comes from an injected source. All durations
 * are milliseconds. */
#ifndef MIH_RETRY_H
#define MIH_RETRY_H

#include <stddef.h>
#include <stdint.h>

/* 408, 425, 429, 500, 502, 503, 504 */
#define MIH_RETRY_DEFAULT_STATUS_COUNT 7
extern const int mih_retry_default_statuses[MIH_RETRY_DEFAULT_STATUS_COUNT];

/* What the transport saw; the caller maps its library's codes onto these. */
typedef enum {
	MIH_RETRY_RESPONSE = 0,      /* an HTTP response arrived: the status decides */
	MIH_RETRY_CONNECT_ERROR = 1, /* DNS, refused, reset, connection dropped mid-response */
	MIH_RETRY_TIMEOUT = 2,       /* connect or total timeout */
	MIH_RETRY_FATAL_ERROR = 3    /* bad URL, TLS verification, too many redirects... */
} mih_retry_outcome;

/* A source of uniformly distributed 64-bit values. */
typedef struct mih_random {
	uint64_t (*next)(void *ctx);
	void *ctx;
} mih_random;

/* Random bits from getrandom(2); falls back to a clock-seeded generator
 * when the kernel cannot provide them. ctx is unused. */
uint64_t mih_retry_random_system(void *ctx);

/* Is status in the list? statuses NULL means the default list. A caller's
 * own list is honoured as given; the default list has no other 4xx. */
int mih_retry_is_retryable_status(long status, const int *statuses, size_t n);

/* Connection errors and timeouts are retryable, fatal errors never,
 * responses by their status (see above). */
int mih_retry_is_retryable(mih_retry_outcome outcome, long status, const int *statuses, size_t n);

/* Full jitter: uniform in [0, min(cap_ms, base_ms * 2^retry_index)],
 * retry_index 0 for the wait before the first retry. Saturates instead of
 * overflowing for any retry_index; negative base or cap count as 0. A NULL
 * rnd (or rnd->next) uses mih_retry_random_system. */
int64_t mih_retry_backoff_ms(unsigned retry_index, int64_t base_ms, int64_t cap_ms,
	const mih_random *rnd);

/* The wait before the next attempt: the server's Retry-After when given
 * (has_retry_after set; honoured exactly, but never above cap_ms), else the
 * jittered backoff. */
int64_t mih_retry_next_delay_ms(unsigned retry_index, int64_t base_ms, int64_t cap_ms,
	int has_retry_after, int64_t retry_after_ms, const mih_random *rnd);

/* Parses a Retry-After value (RFC 9110 10.2.3): delta-seconds, or an
 * HTTP-date in IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), obsolete
 * RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") or asctime ("Sun Nov  6
 * 08:49:37 1994") form, surrounding spaces/tabs allowed. Returns 0 and the
 * wait from now_ms in *delay_ms (a past date gives 0; huge values saturate
 * rather than overflow), or -1 when value is not a valid Retry-After (treat
 * as absent). */
int mih_retry_parse_retry_after(const char *value, size_t len, int64_t now_ms, int64_t *delay_ms);

/* Would sleeping delay_ms from now_ms and starting another attempt still be
 * inside the deadline of a call started at start_ms with budget_ms in all?
 * A sleep that ends at or after the deadline means stop (0). budget_ms <= 0
 * means no deadline (1). */
int mih_retry_fits_deadline(int64_t start_ms, int64_t budget_ms, int64_t now_ms, int64_t delay_ms);

#endif
