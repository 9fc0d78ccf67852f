/* Retry policy: retryable outcomes, jittered backoff, Retry-After, deadlines. */
#include <stdint.h>

#include "unit.h"
#include "retry.h"

/* 1994-11-06 08:49:37 UTC, the RFC's example date. */
#define RFC_DATE_MS 784111777000LL
/* 2025-06-01 00:00:00 UTC */
#define NOW_2025_MS 1748736000000LL

static uint64_t fixed_random(void *ctx)
{
	return *(uint64_t *)ctx;
}

static int64_t backoff_with(uint64_t r, unsigned i, int64_t base, int64_t cap)
{
	mih_random rnd = {fixed_random, &r};

	return mih_retry_backoff_ms(i, base, cap, &rnd);
}

static int64_t parse(const char *v, int64_t now)
{
	int64_t d = -42;

	if (mih_retry_parse_retry_after(v, strlen(v), now, &d) != 0) {
		return -1;
	}
	return d;
}

TEST(retryable_statuses)
{
	static const int custom[] = {404, 500};
	static const long yes[] = {408, 425, 429, 500, 502, 503, 504};
	static const long no[] = {200, 301, 400, 401, 403, 404, 409, 422, 501, 505};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		CHECK_INT(mih_retry_is_retryable_status(yes[i], NULL, 0), 1);
		CHECK_INT(mih_retry_is_retryable_status(yes[i], mih_retry_default_statuses,
			MIH_RETRY_DEFAULT_STATUS_COUNT), 1);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		CHECK_INT(mih_retry_is_retryable_status(no[i], NULL, 0), 0);
	}
	CHECK_INT(mih_retry_is_retryable_status(404, custom, 2), 1);
	CHECK_INT(mih_retry_is_retryable_status(503, custom, 2), 0);
	CHECK_INT(mih_retry_is_retryable_status(500, custom, 0), 0);
}

TEST(retryable_outcomes)
{
	CHECK_INT(mih_retry_is_retryable(MIH_RETRY_CONNECT_ERROR, 0, NULL, 0), 1);
	CHECK_INT(mih_retry_is_retryable(MIH_RETRY_TIMEOUT, 0, NULL, 0), 1);
	CHECK_INT(mih_retry_is_retryable(MIH_RETRY_FATAL_ERROR, 503, NULL, 0), 0);
	CHECK_INT(mih_retry_is_retryable(MIH_RETRY_RESPONSE, 503, NULL, 0), 1);
	CHECK_INT(mih_retry_is_retryable(MIH_RETRY_RESPONSE, 400, NULL, 0), 0);
	CHECK_INT(mih_retry_is_retryable((mih_retry_outcome)42, 503, NULL, 0), 0);
}

TEST(backoff_bounds)
{
	/* Jitter 0 gives 0, jitter "1" gives the full exponential ceiling. */
	CHECK_INT(backoff_with(0, 0, 100, 10000), 0);
	CHECK_INT(backoff_with(UINT64_MAX, 0, 100, 10000), 100);
	CHECK_INT(backoff_with(UINT64_MAX, 1, 100, 10000), 200);
	CHECK_INT(backoff_with(UINT64_MAX, 3, 100, 10000), 800);
	CHECK_INT(backoff_with(UINT64_MAX, 6, 100, 10000), 6400);
	CHECK_INT(backoff_with(UINT64_MAX, 7, 100, 10000), 10000);
	CHECK_INT(backoff_with(0, 7, 100, 10000), 0);
	/* Half way. */
	CHECK_INT(backoff_with(UINT64_C(1) << 63, 3, 100, 10000), 400);
	CHECK_INT(backoff_with(UINT64_MAX, 0, 100, 50), 50);
}

TEST(backoff_overflow_safe)
{
	CHECK_INT(backoff_with(UINT64_MAX, 63, 100, 10000), 10000);
	CHECK_INT(backoff_with(UINT64_MAX, 64, 100, 10000), 10000);
	CHECK_INT(backoff_with(UINT64_MAX, 1000000, 100, 10000), 10000);
	CHECK_INT(backoff_with(UINT64_MAX, 4000000000u, 1, INT64_MAX), INT64_MAX);
	CHECK_INT(backoff_with(UINT64_MAX, 62, 1, INT64_MAX), INT64_C(1) << 62);
	CHECK_INT(backoff_with(UINT64_MAX, 63, 1, INT64_MAX), INT64_MAX);
	CHECK_INT(backoff_with(UINT64_MAX, 1, INT64_MAX, INT64_MAX), INT64_MAX);
	CHECK_INT(backoff_with(UINT64_MAX, 5, -100, 10000), 0);
	CHECK_INT(backoff_with(UINT64_MAX, 5, 100, -1), 0);
}

TEST(backoff_system_random_in_range)
{
	int i;

	for (i = 0; i < 1000; i++) {
		int64_t d = mih_retry_backoff_ms((unsigned)(i % 10), 100, 5000, NULL);

		CHECK(d >= 0 && d <= 5000 && d <= (100 << (i % 10)));
	}
}

TEST(next_delay)
{
	uint64_t r = UINT64_MAX;
	mih_random rnd = {fixed_random, &r};

	CHECK_INT(mih_retry_next_delay_ms(2, 100, 10000, 0, 0, &rnd), 400);
	CHECK_INT(mih_retry_next_delay_ms(2, 100, 10000, 1, 5000, &rnd), 5000);
	CHECK_INT(mih_retry_next_delay_ms(2, 100, 10000, 1, 20000, &rnd), 10000);
	CHECK_INT(mih_retry_next_delay_ms(2, 100, 10000, 1, 0, &rnd), 0);
	CHECK_INT(mih_retry_next_delay_ms(2, 100, 10000, 1, -7, &rnd), 0);
	CHECK_INT(mih_retry_next_delay_ms(2, 100, 10000, 1, INT64_MAX, &rnd), 10000);
}

TEST(deadline)
{
	CHECK_INT(mih_retry_fits_deadline(1000, 5000, 2000, 1000), 1);
	CHECK_INT(mih_retry_fits_deadline(1000, 5000, 2000, 3999), 1);
	CHECK_INT(mih_retry_fits_deadline(1000, 5000, 2000, 4000), 0);
	CHECK_INT(mih_retry_fits_deadline(1000, 5000, 7000, 0), 0);
	CHECK_INT(mih_retry_fits_deadline(1000, 0, 999999, 999999), 1);
	CHECK_INT(mih_retry_fits_deadline(1000, -1, 999999, 999999), 1);
	CHECK_INT(mih_retry_fits_deadline(1000, 5000, 2000, INT64_MAX), 0);
	CHECK_INT(mih_retry_fits_deadline(INT64_MAX - 10, INT64_MAX, INT64_MAX - 5, 1), 1);
	CHECK_INT(mih_retry_fits_deadline(1000, 5000, 2000, -50), 1);
}

TEST(retry_after_delta_seconds)
{
	CHECK_INT(parse("120", 0), 120000);
	CHECK_INT(parse("0", 0), 0);
	CHECK_INT(parse("  7\t", 0), 7000);
	CHECK_INT(parse("007", 0), 7000);
	CHECK_INT(parse("99999999999999999999999999", 0), INT64_MAX);
	CHECK_INT(parse("9223372036854775", 0), 9223372036854775000LL);
	CHECK_INT(parse("9223372036854776", 0), INT64_MAX);
	CHECK_INT(parse("-5", 0), -1);
	CHECK_INT(parse("+5", 0), -1);
	CHECK_INT(parse("1.5", 0), -1);
	CHECK_INT(parse("5s", 0), -1);
	CHECK_INT(parse("5 5", 0), -1);
	CHECK_INT(parse("", 0), -1);
	CHECK_INT(parse("   ", 0), -1);
	CHECK_INT(parse("soon", 0), -1);
}

TEST(retry_after_embedded_nul_and_null)
{
	int64_t d;

	CHECK_INT(mih_retry_parse_retry_after("12\0" "3", 4, 0, &d), -1);
	CHECK_INT(mih_retry_parse_retry_after("123", 2, 0, &d), 0);
	CHECK_INT(d, 12000);
	CHECK_INT(mih_retry_parse_retry_after(NULL, 3, 0, &d), -1);
}

TEST(retry_after_imf_fixdate)
{
	CHECK_INT(parse("Sun, 06 Nov 1994 08:49:37 GMT", RFC_DATE_MS - 10000), 10000);
	CHECK_INT(parse("Sun, 06 Nov 1994 08:49:37 GMT", RFC_DATE_MS), 0);
	CHECK_INT(parse("Sun, 06 Nov 1994 08:49:37 GMT", RFC_DATE_MS + 1), 0);
	CHECK_INT(parse("Sun, 06 Nov 1994 08:49:37 GMT", NOW_2025_MS), 0);
	CHECK_INT(parse("  Sun, 06 Nov 1994 08:49:37 GMT ", RFC_DATE_MS - 1), 1);
	CHECK_INT(parse("Sun, 01 Jun 2025 00:00:30 GMT", NOW_2025_MS), 30000);
	CHECK_INT(parse("sun, 01 jun 2025 00:01:00 gmt", NOW_2025_MS), 60000);
	CHECK_INT(parse("Thu, 29 Feb 2024 00:00:00 GMT", 0), 1709164800000LL);
	CHECK_INT(parse("Sat, 01 Jan 2000 00:00:00 GMT", 0), 946684800000LL);
	CHECK_INT(parse("Fri, 31 Dec 9999 23:59:59 GMT", 0), 253402300799000LL);
	CHECK_INT(parse("Thu, 01 Jan 1970 00:00:00 GMT", 0), 0);
	CHECK_INT(parse("Thu, 01 Jan 1970 00:00:01 GMT", 0), 1000);
	/* A leap second is accepted (it rolls into the next minute). */
	CHECK_INT(parse("Sat, 31 Dec 2016 23:59:60 GMT", 0), 1483228800000LL);
}

TEST(retry_after_bad_dates)
{
	static const char *const bad[] = {
		"Wed, 29 Feb 2023 00:00:00 GMT",   /* not a leap year */
		"Mon, 31 Apr 2025 00:00:00 GMT",
		"Mon, 00 Apr 2025 00:00:00 GMT",
		"Sun, 06 Nov 1994 24:00:00 GMT",
		"Sun, 06 Nov 1994 08:60:37 GMT",
		"Sun, 06 Nov 1994 08:49:61 GMT",
		"Sun, 06 Nov 1994 08:49:37 UTC",
		"Sun, 06 Nov 1994 08:49:37",
		"Sun, 6 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 94 08:49:37 GMT",
		"Sun, 06 Foo 1994 08:49:37 GMT",
		"Sun 06 Nov 1994 08:49:37 GMT",
		"Sun,06 Nov 1994 08:49:37 GMT",
		"Sun, 06  Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 08:49:37 GMT x",
		"Sun, 06 Nov 1994 08:49:37 GMTX",
		"Sunday, 06 Nov 1994 08:49:37 GMT",
		"Sun, 06-Nov-94 08:49:37 GMT",
		"Sundays, 06-Nov-94 08:49:37 GMT",
		"Funday, 06-Nov-94 08:49:37 GMT",
		"Sunday, 06-Nov-1994 08:49:37 GMT",
		"Sun Nov 6 08:49:37 1994",
		"Sun Nov  6 08:49:37 94",
		"Sun Nov  6 08:49:37 1994 GMT",
		"Sun Nov   6 08:49:37 1994",
		"Nov  6 08:49:37 1994",
		"Sun, ",
		"Sun",
		",",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], 0) != -1) {
			fprintf(stderr, "accepted bad date: %s\n", bad[i]);
			CHECK(0);
		}
	}
}

TEST(retry_after_rfc850)
{
	/* Two-digit years: within 50 years ahead of now they are this century,
	 * further ahead the previous one. */
	CHECK_INT(parse("Sunday, 06-Nov-94 08:49:37 GMT", RFC_DATE_MS - 5000), 5000);
	CHECK_INT(parse("Sunday, 06-Nov-94 08:49:37 GMT", NOW_2025_MS), 0);
	CHECK_INT(parse("Sunday, 01-Jun-25 00:00:10 GMT", NOW_2025_MS), 10000);
	CHECK_INT(parse("Saturday, 01-Jun-30 00:00:00 GMT", NOW_2025_MS),
		1906502400000LL - NOW_2025_MS);
	CHECK_INT(parse("sunday, 06-nov-94 08:49:37 gmt", RFC_DATE_MS - 1), 1);
}

TEST(retry_after_asctime)
{
	CHECK_INT(parse("Sun Nov  6 08:49:37 1994", RFC_DATE_MS - 3000), 3000);
	CHECK_INT(parse("Sun Nov 16 08:49:37 1994", RFC_DATE_MS), 10LL * 86400000);
	CHECK_INT(parse("Sun Nov 06 08:49:37 1994", RFC_DATE_MS - 1), 1);
	CHECK_INT(parse("Sun Nov  6 08:49:37 1994", NOW_2025_MS), 0);
}

TEST(retry_after_extreme_now)
{
	CHECK_INT(parse("Sun, 06 Nov 1994 08:49:37 GMT", INT64_MIN), INT64_MAX);
	CHECK_INT(parse("Sun, 06 Nov 1994 08:49:37 GMT", INT64_MAX), 0);
	CHECK(parse("Sunday, 06-Nov-94 08:49:37 GMT", INT64_MIN) >= -1);
	CHECK(parse("Sunday, 06-Nov-94 08:49:37 GMT", INT64_MAX) >= -1);
}

int main(void)
{
	RUN(retryable_statuses);
	RUN(retryable_outcomes);
	RUN(backoff_bounds);
	RUN(backoff_overflow_safe);
	RUN(backoff_system_random_in_range);
	RUN(next_delay);
	RUN(deadline);
	RUN(retry_after_delta_seconds);
	RUN(retry_after_embedded_nul_and_null);
	RUN(retry_after_imf_fixdate);
	RUN(retry_after_bad_dates);
	RUN(retry_after_rfc850);
	RUN(retry_after_asctime);
	RUN(retry_after_extreme_now);
	return UNIT_DONE("retry");
}
