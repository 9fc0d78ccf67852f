/* The real clock behind mih_clock; see clock.h. */
#include <time.h>

#include "clock.h"

int64_t mih_clock_real_ms(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
		return (int64_t)time(NULL) * 1000;
	}
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t mih_clock_now_ms(const mih_clock *clock)
{
	if (clock == NULL || clock->now_ms == NULL) {
		return mih_clock_real_ms(NULL);
	}
	return clock->now_ms(clock->ctx);
}

double mih_clock_monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
