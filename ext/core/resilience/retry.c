/* Retry policy; see retry.h. */
#include <sys/random.h>
#include <strings.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "retry.h"

const int mih_retry_default_statuses[MIH_RETRY_DEFAULT_STATUS_COUNT] = {
	408, 425, 429, 500, 502, 503, 504
};

static int64_t sub_saturating(int64_t a, int64_t b)
{
	if (b == INT64_MIN) {
		return a >= 0 ? INT64_MAX : a - b;
	}
	return mih_add_saturating(a, -b);
}

/* splitmix64: only the fallback when getrandom(2) fails, where jitter
 * quality matters more than unpredictability. */
static uint64_t fallback_random(void)
{
	static uint64_t state;
	uint64_t z;

	if (state == 0) {
		state = (uint64_t)mih_clock_real_ms(NULL) ^ ((uint64_t)getpid() << 32);
	}
	z = (state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t mih_retry_random_system(void *ctx)
{
	uint64_t v;

	(void)ctx;
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v)) {
		return v;
	}
	return fallback_random();
}

int mih_retry_is_retryable_status(long status, const int *statuses, size_t n)
{
	size_t i;

	if (statuses == NULL) {
		statuses = mih_retry_default_statuses;
		n = MIH_RETRY_DEFAULT_STATUS_COUNT;
	}
	for (i = 0; i < n; i++) {
		if (statuses[i] == status) {
			return 1;
		}
	}
	return 0;
}

int mih_retry_is_retryable(mih_retry_outcome outcome, long status, const int *statuses, size_t n)
{
	switch (outcome) {
	case MIH_RETRY_CONNECT_ERROR:
	case MIH_RETRY_TIMEOUT:
		return 1;
	case MIH_RETRY_RESPONSE:
		return mih_retry_is_retryable_status(status, statuses, n);
	default:
		return 0;
	}
}

int64_t mih_retry_backoff_ms(unsigned retry_index, int64_t base_ms, int64_t cap_ms,
	const mih_random *rnd)
{
	int64_t ceiling;
	uint64_t r;

	if (base_ms < 0) {
		base_ms = 0;
	}
	if (cap_ms < 0) {
		cap_ms = 0;
	}
	/* base * 2^i <= cap exactly when base <= floor(cap / 2^i). */
	ceiling = cap_ms;
	if (retry_index < 63 && base_ms <= (cap_ms >> retry_index)) {
		ceiling = base_ms << retry_index;
	}
	r = (rnd != NULL && rnd->next != NULL) ? rnd->next(rnd->ctx) : mih_retry_random_system(NULL);
	/* Scales r to [0, ceiling] without modulo bias: r = max gives ceiling. */
	return (int64_t)(((unsigned __int128)r * ((uint64_t)ceiling + 1)) >> 64);
}

int64_t mih_retry_next_delay_ms(unsigned retry_index, int64_t base_ms, int64_t cap_ms,
	int has_retry_after, int64_t retry_after_ms, const mih_random *rnd)
{
	if (!has_retry_after) {
		return mih_retry_backoff_ms(retry_index, base_ms, cap_ms, rnd);
	}
	if (cap_ms < 0) {
		cap_ms = 0;
	}
	if (retry_after_ms < 0) {
		retry_after_ms = 0;
	}
	return retry_after_ms < cap_ms ? retry_after_ms : cap_ms;
}

int mih_retry_fits_deadline(int64_t start_ms, int64_t budget_ms, int64_t now_ms, int64_t delay_ms)
{
	if (budget_ms <= 0) {
		return 1;
	}
	if (delay_ms < 0) {
		delay_ms = 0;
	}
	return mih_add_saturating(now_ms, delay_ms) < mih_add_saturating(start_ms, budget_ms);
}

/* ---- Retry-After ---- */

/* Locale-independent: PHP scripts may call setlocale(). */
static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static int is_alpha(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

typedef struct cursor {
	const char *p;
	const char *end;
} cursor;

static const char *const short_days[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const long_days[7] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
};
static const char *const months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

static int eat_char(cursor *c, char ch)
{
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return 1;
	}
	return 0;
}

/* Exactly n digits. */
static int eat_digits(cursor *c, int n, int *out)
{
	int v = 0;

	if (c->end - c->p < n) {
		return 0;
	}
	while (n-- > 0) {
		if (!is_digit(*c->p)) {
			return 0;
		}
		v = v * 10 + (*c->p++ - '0');
	}
	*out = v;
	return 1;
}

/* A run of letters equal (ignoring case) to one of names: its index or -1. */
static int eat_name(cursor *c, const char *const *names, int count)
{
	const char *start = c->p;
	size_t len;
	int i;

	while (c->p < c->end && is_alpha(*c->p)) {
		c->p++;
	}
	len = (size_t)(c->p - start);
	for (i = 0; i < count; i++) {
		if (strlen(names[i]) == len && strncasecmp(start, names[i], len) == 0) {
			return i;
		}
	}
	return -1;
}

static int eat_word(cursor *c, const char *word)
{
	const char *const words[1] = {word};

	return eat_name(c, words, 1) == 0;
}

typedef struct civil_time {
	int64_t year;
	int month;                  /* 1..12 */
	int day;
	int hour, minute, second;
} civil_time;

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil), so no timegm() and no TZ dependency. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int64_t year_of_ms(int64_t ms)
{
	int64_t z = ms / 86400000, era, doe, yoe, doy, mp;

	if (ms % 86400000 < 0) {
		z--;
	}
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	return yoe + era * 400 + (mp >= 10);
}

/* RFC 9110: a two-digit year more than 50 years in the future is the most
 * recent past year with those digits. */
static int64_t expand_two_digit_year(int yy, int64_t now_ms)
{
	int64_t current = year_of_ms(now_ms);
	int64_t year = current - current % 100 + yy;

	if (year > current + 50) {
		year -= 100;
	} else if (year + 100 <= current + 50) {
		year += 100;
	}
	return year;
}

static int eat_time(cursor *c, civil_time *t)
{
	return eat_digits(c, 2, &t->hour) && eat_char(c, ':')
		&& eat_digits(c, 2, &t->minute) && eat_char(c, ':')
		&& eat_digits(c, 2, &t->second)
		&& t->hour <= 23 && t->minute <= 59 && t->second <= 60;
}

static int eat_month(cursor *c, civil_time *t)
{
	int m = eat_name(c, months, 12);

	t->month = m + 1;
	return m >= 0;
}

/* After "Sun, ": 06 Nov 1994 08:49:37 GMT */
static int parse_imf_rest(cursor *c, civil_time *t)
{
	int year;

	if (!(eat_digits(c, 2, &t->day) && eat_char(c, ' ') && eat_month(c, t) && eat_char(c, ' ')
			&& eat_digits(c, 4, &year) && eat_char(c, ' ') && eat_time(c, t)
			&& eat_char(c, ' ') && eat_word(c, "GMT"))) {
		return 0;
	}
	t->year = year;
	return 1;
}

/* After "Sunday, ": 06-Nov-94 08:49:37 GMT */
static int parse_rfc850_rest(cursor *c, civil_time *t, int64_t now_ms)
{
	int yy;

	if (!(eat_digits(c, 2, &t->day) && eat_char(c, '-') && eat_month(c, t) && eat_char(c, '-')
			&& eat_digits(c, 2, &yy) && eat_char(c, ' ') && eat_time(c, t)
			&& eat_char(c, ' ') && eat_word(c, "GMT"))) {
		return 0;
	}
	t->year = expand_two_digit_year(yy, now_ms);
	return 1;
}

/* After "Sun ": Nov  6 08:49:37 1994 */
static int parse_asctime_rest(cursor *c, civil_time *t)
{
	int year;

	if (!(eat_month(c, t) && eat_char(c, ' '))) {
		return 0;
	}
	if (eat_char(c, ' ')) {
		if (!eat_digits(c, 1, &t->day)) {
			return 0;
		}
	} else if (!eat_digits(c, 2, &t->day)) {
		return 0;
	}
	if (!(eat_char(c, ' ') && eat_time(c, t) && eat_char(c, ' ') && eat_digits(c, 4, &year))) {
		return 0;
	}
	t->year = year;
	return 1;
}

static int parse_http_date(cursor *c, int64_t now_ms, int64_t *epoch_ms)
{
	cursor at_day = *c;
	civil_time t = {0};
	int ok;

	if (eat_name(c, short_days, 7) >= 0) {
		ok = eat_char(c, ',') ? eat_char(c, ' ') && parse_imf_rest(c, &t)
			: eat_char(c, ' ') && parse_asctime_rest(c, &t);
	} else {
		*c = at_day;
		ok = eat_name(c, long_days, 7) >= 0 && eat_char(c, ',') && eat_char(c, ' ')
			&& parse_rfc850_rest(c, &t, now_ms);
	}
	/* The year bound also keeps the millisecond arithmetic below in range
	 * whatever now_ms a two-digit year was expanded against. */
	if (!ok || c->p != c->end || t.year < 0 || t.year > 9999
		|| t.day < 1 || t.day > days_in_month(t.year, t.month)) {
		return 0;
	}
	*epoch_ms = (days_from_civil(t.year, t.month, t.day) * 86400
		+ t.hour * 3600 + t.minute * 60 + t.second) * 1000;
	return 1;
}

static int parse_delta_seconds(cursor *c, int64_t *delay_ms)
{
	int64_t seconds = 0;

	if (c->p == c->end) {
		return 0;
	}
	for (; c->p < c->end; c->p++) {
		if (!is_digit(*c->p)) {
			return 0;
		}
		if (seconds <= INT64_MAX / 1000) {
			seconds = seconds * 10 + (*c->p - '0');
		}
	}
	*delay_ms = seconds > INT64_MAX / 1000 ? INT64_MAX : seconds * 1000;
	return 1;
}

int mih_retry_parse_retry_after(const char *value, size_t len, int64_t now_ms, int64_t *delay_ms)
{
	cursor c;
	int64_t date_ms, wait;

	if (value == NULL) {
		return -1;
	}
	c.p = value;
	c.end = value + len;
	while (c.p < c.end && (*c.p == ' ' || *c.p == '\t')) {
		c.p++;
	}
	while (c.end > c.p && (c.end[-1] == ' ' || c.end[-1] == '\t')) {
		c.end--;
	}
	if (c.p < c.end && is_digit(*c.p)) {
		return parse_delta_seconds(&c, delay_ms) ? 0 : -1;
	}
	if (!parse_http_date(&c, now_ms, &date_ms)) {
		return -1;
	}
	wait = sub_saturating(date_ms, now_ms);
	*delay_ms = wait > 0 ? wait : 0;
	return 0;
}
