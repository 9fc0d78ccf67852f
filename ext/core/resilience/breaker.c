/* Circuit breaker state machine; see breaker.h for the semantics.
 *
 * The state may live in shared memory written by processes that can be
 * killed at any instruction, so every read is bounds-safe whatever the
 * stored values, and every transition writes its fields first and the
 * status word last: a half-applied update leaves a valid (if slightly
 * stale) state, never an out-of-range index. */
#include <stdio.h>
#include <string.h>

#include "breaker.h"
#include "clock.h"

void mih_breaker_config_default(mih_breaker_config *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = MIH_BREAKER_MODE_COUNT;
	c->failure_threshold = 5;
	c->window_ms = 60000;
	c->cooldown_ms = 300000;
	c->min_calls = 10;
	c->failure_rate = 50;
	c->halfopen_probes = 1;
	c->probe_ttl_ms = 60000;
}

int mih_breaker_config_check(const mih_breaker_config *c, char *err, size_t errlen)
{
	if (c->mode != MIH_BREAKER_MODE_COUNT && c->mode != MIH_BREAKER_MODE_RATE) {
		snprintf(err, errlen, "breaker mode must be count or rate, got %d", (int)c->mode);
	} else if (c->failure_threshold < 1 || c->failure_threshold > MIH_BREAKER_MAX_THRESHOLD) {
		snprintf(err, errlen, "failure_threshold must be between 1 and %d, got %u",
			MIH_BREAKER_MAX_THRESHOLD, c->failure_threshold);
	} else if (c->window_ms <= 0) {
		snprintf(err, errlen, "window must be positive, got %lld ms", (long long)c->window_ms);
	} else if (c->cooldown_ms <= 0) {
		snprintf(err, errlen, "cooldown must be positive, got %lld ms", (long long)c->cooldown_ms);
	} else if (c->min_calls < 1) {
		snprintf(err, errlen, "min_calls must be at least 1, got %u", c->min_calls);
	} else if (c->failure_rate < 1 || c->failure_rate > 100) {
		snprintf(err, errlen, "failure_rate must be between 1 and 100, got %u", c->failure_rate);
	} else if (c->halfopen_probes < 1 || c->halfopen_probes > MIH_BREAKER_MAX_PROBES) {
		snprintf(err, errlen, "halfopen_probes must be between 1 and %d, got %u",
			MIH_BREAKER_MAX_PROBES, c->halfopen_probes);
	} else if (c->probe_ttl_ms <= 0) {
		snprintf(err, errlen, "probe_ttl must be positive, got %lld ms", (long long)c->probe_ttl_ms);
	} else {
		return 0;
	}
	return -1;
}

/* A copy of the config with every field forced into range, so a bad config
 * degrades the breaker instead of breaking an invariant. */
static void config_clamped(const mih_breaker_config *c, mih_breaker_config *out)
{
	if (c == NULL) {
		mih_breaker_config_default(out);
		return;
	}
	*out = *c;
	if (out->mode != MIH_BREAKER_MODE_RATE) {
		out->mode = MIH_BREAKER_MODE_COUNT;
	}
	if (out->failure_threshold < 1) {
		out->failure_threshold = 1;
	} else if (out->failure_threshold > MIH_BREAKER_MAX_THRESHOLD) {
		out->failure_threshold = MIH_BREAKER_MAX_THRESHOLD;
	}
	if (out->window_ms < 1) {
		out->window_ms = 1;
	}
	if (out->cooldown_ms < 0) {
		out->cooldown_ms = 0;
	}
	if (out->min_calls < 1) {
		out->min_calls = 1;
	}
	if (out->failure_rate < 1) {
		out->failure_rate = 1;
	} else if (out->failure_rate > 100) {
		out->failure_rate = 100;
	}
	if (out->halfopen_probes < 1) {
		out->halfopen_probes = 1;
	} else if (out->halfopen_probes > MIH_BREAKER_MAX_PROBES) {
		out->halfopen_probes = MIH_BREAKER_MAX_PROBES;
	}
	if (out->probe_ttl_ms < 1) {
		out->probe_ttl_ms = 1;
	}
}

static mih_breaker_status stored_status(const mih_breaker_state *s)
{
	if (s->status == MIH_BREAKER_OPEN || s->status == MIH_BREAKER_HALF_OPEN) {
		return (mih_breaker_status)s->status;
	}
	return MIH_BREAKER_CLOSED;
}

/* Open ages into half-open once the cooldown is over. */
static mih_breaker_status current_status(const mih_breaker_state *s, int64_t now_ms)
{
	mih_breaker_status st = stored_status(s);

	if (st == MIH_BREAKER_OPEN && now_ms >= s->open_until_ms) {
		return MIH_BREAKER_HALF_OPEN;
	}
	return st;
}

static uint32_t run_length(const mih_breaker_state *s)
{
	return s->run_length > MIH_BREAKER_MAX_THRESHOLD ? MIH_BREAKER_MAX_THRESHOLD : s->run_length;
}

/* Timestamp of the back-th most recent failure (1 = the latest). */
static int64_t failure_time(const mih_breaker_state *s, uint32_t back)
{
	uint32_t head = s->ring_head % MIH_BREAKER_MAX_THRESHOLD;

	return s->failure_ring[(head + MIH_BREAKER_MAX_THRESHOLD - back) % MIH_BREAKER_MAX_THRESHOLD];
}

static void push_failure(mih_breaker_state *s, int64_t now_ms)
{
	uint32_t head = s->ring_head % MIH_BREAKER_MAX_THRESHOLD;

	s->failure_ring[head] = now_ms;
	s->ring_head = (head + 1) % MIH_BREAKER_MAX_THRESHOLD;
	if (s->run_length < MIH_BREAKER_MAX_THRESHOLD) {
		s->run_length++;
	}
}

static int64_t bucket_width(const mih_breaker_config *e)
{
	int64_t w = e->window_ms / MIH_BREAKER_BUCKETS;

	if (w * MIH_BREAKER_BUCKETS < e->window_ms) {
		w++;
	}
	return w < 1 ? 1 : w;
}

static int64_t bucket_epoch(int64_t now_ms, int64_t width)
{
	return now_ms < 0 ? 0 : now_ms / width;
}

/* Outcomes in the buckets of the last window (the window is rounded to
 * whole buckets: between 59 and 60 bucket widths of history count). */
static void window_counts(const mih_breaker_state *s, const mih_breaker_config *e, int64_t now_ms,
	uint32_t *calls, uint32_t *failures)
{
	int64_t width = bucket_width(e);
	int64_t epoch = bucket_epoch(now_ms, width);
	int i;

	*calls = 0;
	*failures = 0;
	if (s->bucket_width_ms != width) {
		return;
	}
	for (i = 0; i < MIH_BREAKER_BUCKETS; i++) {
		const mih_breaker_bucket *b = &s->buckets[i];

		if (b->epoch <= epoch && b->epoch > epoch - MIH_BREAKER_BUCKETS) {
			*calls += b->calls;
			*failures += b->failures < b->calls ? b->failures : b->calls;
		}
	}
}

static void count_outcome(mih_breaker_state *s, const mih_breaker_config *e, int64_t now_ms,
	int failure)
{
	int64_t width = bucket_width(e);
	int64_t epoch = bucket_epoch(now_ms, width);
	mih_breaker_bucket *b;

	if (s->bucket_width_ms != width) {
		/* The window changed: counts of another bucket size mean nothing. */
		memset(s->buckets, 0, sizeof(s->buckets));
		s->bucket_width_ms = width;
	}
	b = &s->buckets[epoch % MIH_BREAKER_BUCKETS];
	if (b->epoch != epoch) {
		b->calls = 0;
		b->failures = 0;
		b->epoch = epoch;
	}
	b->calls++;
	if (failure) {
		b->failures++;
	}
}

static void note_transition(mih_breaker_transition *t, mih_breaker_status from,
	mih_breaker_status to, int64_t now_ms)
{
	if (t != NULL) {
		t->from = from;
		t->to = to;
		t->at_ms = now_ms;
	}
}

static void enter_open(mih_breaker_state *s, const mih_breaker_config *e, int64_t now_ms,
	mih_breaker_transition *t)
{
	note_transition(t, stored_status(s), MIH_BREAKER_OPEN, now_ms);
	s->opened_at_ms = now_ms;
	s->open_until_ms = mih_add_saturating(now_ms, e->cooldown_ms);
	memset(s->probes, 0, sizeof(s->probes));
	s->period++;
	s->status = MIH_BREAKER_OPEN;
}

static void enter_half_open(mih_breaker_state *s, int64_t now_ms, mih_breaker_transition *t)
{
	note_transition(t, stored_status(s), MIH_BREAKER_HALF_OPEN, now_ms);
	memset(s->probes, 0, sizeof(s->probes));
	s->period++;
	s->status = MIH_BREAKER_HALF_OPEN;
}

static void enter_closed(mih_breaker_state *s, int64_t now_ms, mih_breaker_transition *t)
{
	note_transition(t, stored_status(s), MIH_BREAKER_CLOSED, now_ms);
	s->run_length = 0;
	memset(s->buckets, 0, sizeof(s->buckets));
	memset(s->probes, 0, sizeof(s->probes));
	s->opened_at_ms = 0;
	s->open_until_ms = 0;
	s->period++;
	s->status = MIH_BREAKER_CLOSED;
}

/* A free (or expired) probe slot among the first halfopen_probes: returns
 * its index, or -1 and the wait until the first outstanding permit expires. */
static int free_probe_slot(const mih_breaker_state *s, const mih_breaker_config *e,
	int64_t now_ms, int64_t *wait_ms)
{
	int64_t earliest = INT64_MAX;
	uint32_t i;

	for (i = 0; i < e->halfopen_probes; i++) {
		const mih_breaker_probe *p = &s->probes[i];

		if (p->token == 0 || p->expires_ms <= now_ms) {
			return (int)i;
		}
		if (p->expires_ms < earliest) {
			earliest = p->expires_ms;
		}
	}
	*wait_ms = earliest - now_ms;
	return -1;
}

static uint32_t new_token(mih_breaker_state *s)
{
	s->next_token++;
	if (s->next_token == 0) {
		s->next_token = 1;
	}
	return s->next_token;
}

static mih_breaker_decision take_probe(mih_breaker_state *s, const mih_breaker_config *e,
	int64_t now_ms, mih_breaker_permit *permit, int64_t *retry_after_ms)
{
	int64_t wait_ms = 0;
	int slot = free_probe_slot(s, e, now_ms, &wait_ms);
	mih_breaker_probe *p;

	if (slot < 0) {
		*retry_after_ms = wait_ms;
		return MIH_BREAKER_REJECT;
	}
	p = &s->probes[slot];
	p->token = 0;
	p->expires_ms = mih_add_saturating(now_ms, e->probe_ttl_ms);
	p->token = new_token(s);
	permit->period = s->period;
	permit->probe_slot = (uint32_t)slot;
	permit->probe_token = p->token;
	return MIH_BREAKER_ALLOW_PROBE;
}

/* Failures of the current run recent enough to combine with one at now_ms
 * into an opening run (see count_tripped). */
static uint32_t recent_run(const mih_breaker_state *s, const mih_breaker_config *e, int64_t now_ms)
{
	uint32_t n = 0, len = run_length(s);

	while (n < len && now_ms - failure_time(s, n + 1) <= e->window_ms) {
		n++;
	}
	return n;
}

static uint32_t headroom(const mih_breaker_state *s, const mih_breaker_config *e, int64_t now_ms)
{
	uint32_t recent;

	if (e->mode != MIH_BREAKER_MODE_COUNT) {
		return MIH_BREAKER_NO_LIMIT;
	}
	recent = recent_run(s, e, now_ms);
	if (recent == 0) {
		return MIH_BREAKER_NO_LIMIT;   /* nothing points at trouble: no cap */
	}
	return recent >= e->failure_threshold ? 1 : e->failure_threshold - recent;
}

mih_breaker_decision mih_breaker_allow(mih_breaker_state *s, const mih_breaker_config *c,
	int64_t now_ms, mih_breaker_permit *permit_out, int64_t *retry_after_ms,
	mih_breaker_transition *transition)
{
	mih_breaker_config e;
	mih_breaker_permit permit = {0};
	int64_t wait_ms = 0;
	mih_breaker_decision d;

	permit.headroom = MIH_BREAKER_NO_LIMIT;
	config_clamped(c, &e);
	note_transition(transition, stored_status(s), stored_status(s), now_ms);
	switch (current_status(s, now_ms)) {
	case MIH_BREAKER_CLOSED:
		permit.period = s->period;
		permit.headroom = headroom(s, &e, now_ms);
		d = MIH_BREAKER_ALLOW;
		break;
	case MIH_BREAKER_OPEN:
		wait_ms = s->open_until_ms - now_ms;
		d = MIH_BREAKER_REJECT;
		break;
	default:
		if (stored_status(s) != MIH_BREAKER_HALF_OPEN) {
			enter_half_open(s, now_ms, transition);
		}
		d = take_probe(s, &e, now_ms, &permit, &wait_ms);
		break;
	}
	if (permit_out != NULL) {
		*permit_out = permit;
	}
	if (retry_after_ms != NULL) {
		*retry_after_ms = d == MIH_BREAKER_REJECT ? (wait_ms > 0 ? wait_ms : 1) : 0;
	}
	return d;
}

static int rate_tripped(const mih_breaker_state *s, const mih_breaker_config *e, int64_t now_ms)
{
	uint32_t calls, failures;

	window_counts(s, e, now_ms, &calls, &failures);
	return calls >= e->min_calls && (uint64_t)failures * 100 >= (uint64_t)e->failure_rate * calls;
}

/* failure_threshold failures in a row whose first is at most window_ms
 * before the latest (a clock stepped backwards counts as inside). */
static int count_tripped(const mih_breaker_state *s, const mih_breaker_config *e, int64_t now_ms)
{
	if (run_length(s) < e->failure_threshold) {
		return 0;
	}
	return now_ms - failure_time(s, e->failure_threshold) <= e->window_ms;
}

static int record_probe(mih_breaker_state *s, const mih_breaker_config *e, int64_t now_ms,
	int failure, const mih_breaker_permit *permit, mih_breaker_transition *t)
{
	mih_breaker_probe *p;

	if (stored_status(s) != MIH_BREAKER_HALF_OPEN || permit->period != s->period
		|| permit->probe_slot >= MIH_BREAKER_MAX_PROBES) {
		return 0;
	}
	p = &s->probes[permit->probe_slot];
	if (p->token != permit->probe_token || p->expires_ms <= now_ms) {
		return 0;
	}
	if (failure) {
		count_outcome(s, e, now_ms, 1);
		enter_open(s, e, now_ms, t);
	} else {
		enter_closed(s, now_ms, t);
	}
	return 1;
}

int mih_breaker_record(mih_breaker_state *s, const mih_breaker_config *c, int64_t now_ms,
	int failure, const mih_breaker_permit *permit, mih_breaker_transition *transition)
{
	mih_breaker_config e;

	config_clamped(c, &e);
	note_transition(transition, stored_status(s), stored_status(s), now_ms);
	if (permit != NULL && permit->probe_token != 0) {
		return record_probe(s, &e, now_ms, failure, permit, transition);
	}
	if (stored_status(s) != MIH_BREAKER_CLOSED || (permit != NULL && permit->period != s->period)) {
		return 0;
	}
	count_outcome(s, &e, now_ms, failure);
	if (failure) {
		push_failure(s, now_ms);
	} else {
		s->run_length = 0;
	}
	if (e.mode == MIH_BREAKER_MODE_COUNT ? (failure && count_tripped(s, &e, now_ms))
			: rate_tripped(s, &e, now_ms)) {
		enter_open(s, &e, now_ms, transition);
	}
	return 1;
}

void mih_breaker_release(mih_breaker_state *s, const mih_breaker_permit *permit)
{
	mih_breaker_probe *p;

	if (permit == NULL || permit->probe_token == 0 || permit->probe_slot >= MIH_BREAKER_MAX_PROBES
		|| stored_status(s) != MIH_BREAKER_HALF_OPEN || permit->period != s->period) {
		return;
	}
	p = &s->probes[permit->probe_slot];
	if (p->token == permit->probe_token) {
		memset(p, 0, sizeof(*p));
	}
}

static uint32_t probes_in_flight(const mih_breaker_state *s, int64_t now_ms)
{
	uint32_t n = 0;
	int i;

	if (stored_status(s) != MIH_BREAKER_HALF_OPEN) {
		return 0;
	}
	for (i = 0; i < MIH_BREAKER_MAX_PROBES; i++) {
		if (s->probes[i].token != 0 && s->probes[i].expires_ms > now_ms) {
			n++;
		}
	}
	return n;
}

void mih_breaker_info(const mih_breaker_state *s, const mih_breaker_config *c, int64_t now_ms,
	mih_breaker_snapshot *out)
{
	mih_breaker_config e;

	config_clamped(c, &e);
	memset(out, 0, sizeof(*out));
	out->state = current_status(s, now_ms);
	window_counts(s, &e, now_ms, &out->calls, &out->failures);
	out->consecutive_failures = run_length(s);
	out->probes_in_flight = probes_in_flight(s, now_ms);
	if (out->state != MIH_BREAKER_CLOSED) {
		out->opened_at = s->opened_at_ms / 1000;
	}
	if (out->state == MIH_BREAKER_OPEN) {
		out->retry_after = (s->open_until_ms - now_ms + 999) / 1000;
	}
}

int64_t mih_breaker_next_allowed_ms(const mih_breaker_state *s, const mih_breaker_config *c,
	int64_t now_ms)
{
	mih_breaker_config e;
	int64_t wait_ms = 0;

	config_clamped(c, &e);
	switch (current_status(s, now_ms)) {
	case MIH_BREAKER_CLOSED:
		return now_ms;
	case MIH_BREAKER_OPEN:
		return s->open_until_ms;
	default:
		/* Still stored as open: the first allow() resets every probe slot. */
		if (stored_status(s) != MIH_BREAKER_HALF_OPEN
			|| free_probe_slot(s, &e, now_ms, &wait_ms) >= 0) {
			return now_ms;
		}
		return mih_add_saturating(now_ms, wait_ms);
	}
}

void mih_breaker_reset(mih_breaker_state *s)
{
	/* Keep the period moving so permits issued before the reset are stale. */
	uint64_t period = s->period;

	memset(s, 0, sizeof(*s));
	s->period = period + 1;
}

const char *mih_breaker_status_name(mih_breaker_status st)
{
	switch (st) {
	case MIH_BREAKER_OPEN:
		return "open";
	case MIH_BREAKER_HALF_OPEN:
		return "half_open";
	default:
		return "closed";
	}
}
