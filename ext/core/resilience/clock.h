/* An injectable wall clock. The cores take "now" as a parameter or through a
 * mih_clock so tests can drive time by hand; production code passes
 * mih_clock_real_ms. Times are Unix milliseconds (CLOCK_REALTIME) because
 * they are shared between processes and stored (breaker opened_at, queue
 * due times): a monotonic clock is per boot and meaningless in a file. */
#ifndef MIH_CLOCK_H
#define MIH_CLOCK_H

#include <stdint.h>

typedef struct mih_clock {
	int64_t (*now_ms)(void *ctx);
	void *ctx;
} mih_clock;

/* CLOCK_REALTIME in milliseconds since the Unix epoch; ctx is unused. */
int64_t mih_clock_real_ms(void *ctx);

/* The time of a clock, or the real time when clock is NULL. */
int64_t mih_clock_now_ms(const mih_clock *clock);

/* CLOCK_MONOTONIC in seconds: for durations and freshness checks within one
 * process (latencies, deadlines, cache ages), never stored or shared. */
double mih_clock_monotonic_s(void);

/* a + b for times and durations in milliseconds, clamped to the int64
 * range instead of overflowing (a far-off deadline stays far off). */
static inline int64_t mih_add_saturating(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b) {
		return INT64_MAX;
	}
	if (b < 0 && a < INT64_MIN - b) {
		return INT64_MIN;
	}
	return a + b;
}

#endif
