/* Circuit breaker state machine, driven by a hand-moved clock. */
#include <stdint.h>

#include "unit.h"
#include "breaker.h"

#define T0 1700000000000LL      /* a plausible Unix ms "now" */

static mih_breaker_state st;

static void fresh(mih_breaker_config *c)
{
	memset(&st, 0, sizeof(st));
	mih_breaker_config_default(c);
}

/* One closed-era call that fails (or succeeds) at now. */
static mih_breaker_decision call(const mih_breaker_config *c, int64_t now, int failure)
{
	mih_breaker_permit p;
	mih_breaker_decision d = mih_breaker_allow(&st, c, now, &p, NULL, NULL);

	if (d != MIH_BREAKER_REJECT) {
		mih_breaker_record(&st, c, now, failure, &p, NULL);
	}
	return d;
}

static mih_breaker_status status_at(const mih_breaker_config *c, int64_t now)
{
	mih_breaker_snapshot info;

	mih_breaker_info(&st, c, now, &info);
	return info.state;
}

/* Opens a default count-mode circuit at T0 (5 failures in 4 ms). */
static void open_at_t0(const mih_breaker_config *c)
{
	int i;

	for (i = 0; i < 5; i++) {
		call(c, T0 - 4 + i, 1);
	}
}

TEST(config_default_and_check)
{
	mih_breaker_config c;
	char err[200];

	mih_breaker_config_default(&c);
	CHECK_INT(c.failure_threshold, 5);
	CHECK_INT(c.window_ms, 60000);
	CHECK_INT(c.cooldown_ms, 300000);
	CHECK_INT(c.halfopen_probes, 1);
	CHECK_INT(mih_breaker_config_check(&c, err, sizeof(err)), 0);
	c.failure_threshold = 1001;
	CHECK_INT(mih_breaker_config_check(&c, err, sizeof(err)), -1);
	CHECK(strstr(err, "failure_threshold") != NULL);
	mih_breaker_config_default(&c);
	c.failure_rate = 101;
	CHECK_INT(mih_breaker_config_check(&c, err, sizeof(err)), -1);
	CHECK(strstr(err, "failure_rate") != NULL);
	mih_breaker_config_default(&c);
	c.halfopen_probes = 0;
	CHECK_INT(mih_breaker_config_check(&c, err, sizeof(err)), -1);
	CHECK(strstr(err, "halfopen_probes") != NULL);
	mih_breaker_config_default(&c);
	c.probe_ttl_ms = 0;
	CHECK_INT(mih_breaker_config_check(&c, err, sizeof(err)), -1);
	CHECK(strstr(err, "probe_ttl") != NULL);
	mih_breaker_config_default(&c);
	c.mode = (mih_breaker_mode)7;
	CHECK_INT(mih_breaker_config_check(&c, err, sizeof(err)), -1);
	CHECK(strstr(err, "mode") != NULL);
}

TEST(count_opens_at_threshold)
{
	mih_breaker_config c;
	mih_breaker_permit p;
	mih_breaker_transition t;
	int i;

	fresh(&c);
	for (i = 0; i < 4; i++) {
		CHECK_INT(call(&c, T0 + i * 1000, 1), MIH_BREAKER_ALLOW);
	}
	CHECK_INT(status_at(&c, T0 + 4000), MIH_BREAKER_CLOSED);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 4000, &p, NULL, &t), MIH_BREAKER_ALLOW);
	CHECK_INT(t.from, t.to);
	CHECK_INT(mih_breaker_record(&st, &c, T0 + 4000, 1, &p, &t), 1);
	CHECK_INT(t.from, MIH_BREAKER_CLOSED);
	CHECK_INT(t.to, MIH_BREAKER_OPEN);
	CHECK_INT(t.at_ms, T0 + 4000);
	CHECK_INT(status_at(&c, T0 + 4000), MIH_BREAKER_OPEN);
}

TEST(count_success_resets)
{
	mih_breaker_config c;
	int i;

	fresh(&c);
	for (i = 0; i < 4; i++) {
		call(&c, T0 + i, 1);
	}
	call(&c, T0 + 4, 0);
	for (i = 0; i < 4; i++) {
		call(&c, T0 + 5 + i, 1);
	}
	CHECK_INT(status_at(&c, T0 + 10), MIH_BREAKER_CLOSED);
	call(&c, T0 + 10, 1);
	CHECK_INT(status_at(&c, T0 + 10), MIH_BREAKER_OPEN);
}

TEST(count_failures_spread_over_more_than_window)
{
	mih_breaker_config c;

	fresh(&c);
	/* First and fifth failure 60001 ms apart: longer than the window. */
	call(&c, T0, 1);
	call(&c, T0 + 15000, 1);
	call(&c, T0 + 30000, 1);
	call(&c, T0 + 45000, 1);
	call(&c, T0 + 60001, 1);
	CHECK_INT(status_at(&c, T0 + 60001), MIH_BREAKER_CLOSED);
	/* The last five now span 15000..61000: inside the window. */
	call(&c, T0 + 61000, 1);
	CHECK_INT(status_at(&c, T0 + 61000), MIH_BREAKER_OPEN);
}

TEST(count_failures_exactly_window_apart)
{
	mih_breaker_config c;

	fresh(&c);
	call(&c, T0, 1);
	call(&c, T0 + 1, 1);
	call(&c, T0 + 2, 1);
	call(&c, T0 + 3, 1);
	call(&c, T0 + 60000, 1);
	CHECK_INT(status_at(&c, T0 + 60000), MIH_BREAKER_OPEN);
}

TEST(count_large_threshold_exact)
{
	mih_breaker_config c;
	int i;

	fresh(&c);
	c.failure_threshold = 1000;
	c.window_ms = 1000000;
	for (i = 0; i < 999; i++) {
		call(&c, T0 + i, 1);
	}
	CHECK_INT(status_at(&c, T0 + 999), MIH_BREAKER_CLOSED);
	call(&c, T0 + 999, 1);
	CHECK_INT(status_at(&c, T0 + 999), MIH_BREAKER_OPEN);
}

TEST(open_rejects_until_cooldown_then_half_open)
{
	mih_breaker_config c;
	mih_breaker_permit p;
	mih_breaker_transition t;
	int64_t wait;

	fresh(&c);
	open_at_t0(&c);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 1000, &p, &wait, &t), MIH_BREAKER_REJECT);
	CHECK_INT(wait, 299000);
	CHECK_INT(t.from, t.to);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 299999, &p, &wait, NULL), MIH_BREAKER_REJECT);
	CHECK_INT(wait, 1);
	CHECK_INT(status_at(&c, T0 + 299999), MIH_BREAKER_OPEN);
	CHECK_INT(status_at(&c, T0 + 300000), MIH_BREAKER_HALF_OPEN);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 300000, &p, &wait, &t), MIH_BREAKER_ALLOW_PROBE);
	CHECK_INT(wait, 0);
	CHECK(p.probe_token != 0);
	CHECK_INT(t.from, MIH_BREAKER_OPEN);
	CHECK_INT(t.to, MIH_BREAKER_HALF_OPEN);
	/* One probe at a time: the next caller waits for the permit's expiry. */
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 301000, NULL, &wait, &t), MIH_BREAKER_REJECT);
	CHECK_INT(wait, 59000);
	CHECK_INT(t.from, t.to);
}

TEST(probe_success_closes)
{
	mih_breaker_config c;
	mih_breaker_permit p;
	mih_breaker_transition t;
	mih_breaker_snapshot info;

	fresh(&c);
	open_at_t0(&c);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 300000, &p, NULL, NULL), MIH_BREAKER_ALLOW_PROBE);
	CHECK_INT(mih_breaker_record(&st, &c, T0 + 300500, 0, &p, &t), 1);
	CHECK_INT(t.from, MIH_BREAKER_HALF_OPEN);
	CHECK_INT(t.to, MIH_BREAKER_CLOSED);
	mih_breaker_info(&st, &c, T0 + 300500, &info);
	CHECK_INT(info.state, MIH_BREAKER_CLOSED);
	CHECK_INT(info.failures, 0);
	CHECK_INT(info.consecutive_failures, 0);
	CHECK_INT(info.opened_at, 0);
	CHECK_INT(call(&c, T0 + 300600, 0), MIH_BREAKER_ALLOW);
	/* A fresh count: four failures do not re-open. */
	call(&c, T0 + 300601, 1);
	call(&c, T0 + 300602, 1);
	call(&c, T0 + 300603, 1);
	call(&c, T0 + 300604, 1);
	CHECK_INT(status_at(&c, T0 + 300604), MIH_BREAKER_CLOSED);
}

TEST(probe_failure_reopens_for_full_cooldown)
{
	mih_breaker_config c;
	mih_breaker_permit p;
	mih_breaker_transition t;
	mih_breaker_snapshot info;
	int64_t wait;

	fresh(&c);
	open_at_t0(&c);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 300000, &p, NULL, NULL), MIH_BREAKER_ALLOW_PROBE);
	CHECK_INT(mih_breaker_record(&st, &c, T0 + 310000, 1, &p, &t), 1);
	CHECK_INT(t.from, MIH_BREAKER_HALF_OPEN);
	CHECK_INT(t.to, MIH_BREAKER_OPEN);
	mih_breaker_info(&st, &c, T0 + 310000, &info);
	CHECK_INT(info.state, MIH_BREAKER_OPEN);
	CHECK_INT(info.opened_at, (T0 + 310000) / 1000);
	CHECK_INT(info.retry_after, 300);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 609999, &p, &wait, NULL), MIH_BREAKER_REJECT);
	CHECK_INT(wait, 1);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 610000, &p, NULL, NULL), MIH_BREAKER_ALLOW_PROBE);
}

/* A probe whose call was refused before it spoke for the service gives its
 * permit back: the next call probes at once, nothing is counted. */
TEST(released_probe_frees_its_slot)
{
	mih_breaker_config c;
	mih_breaker_permit p, again, closed_permit;
	mih_breaker_snapshot info;
	uint32_t failures;

	fresh(&c);
	open_at_t0(&c);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 300000, &p, NULL, NULL), MIH_BREAKER_ALLOW_PROBE);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 300001, &again, NULL, NULL), MIH_BREAKER_REJECT);
	mih_breaker_info(&st, &c, T0 + 300001, &info);
	failures = info.failures;
	mih_breaker_release(&st, &p);
	mih_breaker_info(&st, &c, T0 + 300002, &info);
	CHECK_INT(info.state, MIH_BREAKER_HALF_OPEN);
	CHECK_INT(info.probes_in_flight, 0);
	CHECK_INT(info.failures, failures);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 300002, &again, NULL, NULL), MIH_BREAKER_ALLOW_PROBE);
	/* Releasing the old permit again, or after its slot was re-issued, is harmless. */
	mih_breaker_release(&st, &p);
	mih_breaker_info(&st, &c, T0 + 300003, &info);
	CHECK_INT(info.probes_in_flight, 1);
	CHECK_INT(mih_breaker_record(&st, &c, T0 + 300004, 0, &again, NULL), 1);
	CHECK_INT(status_at(&c, T0 + 300004), MIH_BREAKER_CLOSED);
	/* A closed circuit's permit and a stale probe permit change nothing. */
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 300005, &closed_permit, NULL, NULL), MIH_BREAKER_ALLOW);
	mih_breaker_release(&st, &closed_permit);
	mih_breaker_release(&st, &again);
	mih_breaker_release(&st, NULL);
	CHECK_INT(status_at(&c, T0 + 300006), MIH_BREAKER_CLOSED);
}

TEST(two_probes)
{
	mih_breaker_config c;
	mih_breaker_permit p1, p2, p3;
	mih_breaker_transition t;

	fresh(&c);
	c.halfopen_probes = 2;
	open_at_t0(&c);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 300000, &p1, NULL, NULL), MIH_BREAKER_ALLOW_PROBE);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 300001, &p2, NULL, NULL), MIH_BREAKER_ALLOW_PROBE);
	CHECK(p1.probe_token != p2.probe_token);
	CHECK(p1.probe_slot != p2.probe_slot);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 300002, &p3, NULL, NULL), MIH_BREAKER_REJECT);
	/* The first success closes; the other probe's late failure is stale. */
	CHECK_INT(mih_breaker_record(&st, &c, T0 + 300010, 0, &p2, &t), 1);
	CHECK_INT(t.to, MIH_BREAKER_CLOSED);
	CHECK_INT(mih_breaker_record(&st, &c, T0 + 300020, 1, &p1, &t), 0);
	CHECK_INT(t.from, t.to);
	CHECK_INT(status_at(&c, T0 + 300020), MIH_BREAKER_CLOSED);
}

TEST(probe_permit_expires)
{
	mih_breaker_config c;
	mih_breaker_permit dead, next;
	mih_breaker_snapshot info;
	int64_t wait;

	fresh(&c);
	c.probe_ttl_ms = 30000;
	open_at_t0(&c);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 300000, &dead, NULL, NULL), MIH_BREAKER_ALLOW_PROBE);
	mih_breaker_info(&st, &c, T0 + 300000, &info);
	CHECK_INT(info.probes_in_flight, 1);
	CHECK_INT(mih_breaker_next_allowed_ms(&st, &c, T0 + 310000), T0 + 330000);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 329999, &next, &wait, NULL), MIH_BREAKER_REJECT);
	CHECK_INT(wait, 1);
	mih_breaker_info(&st, &c, T0 + 330000, &info);
	CHECK_INT(info.probes_in_flight, 0);
	CHECK_INT(mih_breaker_next_allowed_ms(&st, &c, T0 + 330000), T0 + 330000);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 330000, &next, NULL, NULL), MIH_BREAKER_ALLOW_PROBE);
	CHECK(next.probe_token != dead.probe_token);
	/* The dead probe's outcome arrives late: ignored, whichever it is. */
	CHECK_INT(mih_breaker_record(&st, &c, T0 + 330001, 0, &dead, NULL), 0);
	CHECK_INT(mih_breaker_record(&st, &c, T0 + 330001, 1, &dead, NULL), 0);
	CHECK_INT(status_at(&c, T0 + 330001), MIH_BREAKER_HALF_OPEN);
	CHECK_INT(mih_breaker_record(&st, &c, T0 + 330002, 0, &next, NULL), 1);
	CHECK_INT(status_at(&c, T0 + 330002), MIH_BREAKER_CLOSED);
}

TEST(expired_probe_outcome_ignored_even_if_slot_free)
{
	mih_breaker_config c;
	mih_breaker_permit p;

	fresh(&c);
	c.probe_ttl_ms = 1000;
	open_at_t0(&c);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 300000, &p, NULL, NULL), MIH_BREAKER_ALLOW_PROBE);
	CHECK_INT(mih_breaker_record(&st, &c, T0 + 301000, 0, &p, NULL), 0);
	CHECK_INT(status_at(&c, T0 + 301000), MIH_BREAKER_HALF_OPEN);
}

TEST(stale_outcomes_do_not_corrupt)
{
	mih_breaker_config c;
	mih_breaker_permit closed_era, old_probe, probe;
	mih_breaker_snapshot info;
	int i;

	fresh(&c);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 - 100, &closed_era, NULL, NULL), MIH_BREAKER_ALLOW);
	open_at_t0(&c);
	/* A slow call from before the opening: neither counted nor closing. */
	CHECK_INT(mih_breaker_record(&st, &c, T0 + 10, 0, &closed_era, NULL), 0);
	CHECK_INT(mih_breaker_record(&st, &c, T0 + 10, 1, NULL, NULL), 0);
	CHECK_INT(status_at(&c, T0 + 10), MIH_BREAKER_OPEN);
	/* Half-open: a closed-era success must not close the circuit. */
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 300000, &old_probe, NULL, NULL),
		MIH_BREAKER_ALLOW_PROBE);
	CHECK_INT(mih_breaker_record(&st, &c, T0 + 300001, 0, &closed_era, NULL), 0);
	CHECK_INT(mih_breaker_record(&st, &c, T0 + 300001, 0, NULL, NULL), 0);
	CHECK_INT(status_at(&c, T0 + 300001), MIH_BREAKER_HALF_OPEN);
	/* Re-open, and in the next half-open period the old probe is stale. */
	CHECK_INT(mih_breaker_record(&st, &c, T0 + 300002, 1, &old_probe, NULL), 1);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 600002, &probe, NULL, NULL), MIH_BREAKER_ALLOW_PROBE);
	CHECK_INT(probe.probe_slot, old_probe.probe_slot);
	CHECK_INT(mih_breaker_record(&st, &c, T0 + 600003, 1, &old_probe, NULL), 0);
	CHECK_INT(status_at(&c, T0 + 600003), MIH_BREAKER_HALF_OPEN);
	CHECK_INT(mih_breaker_record(&st, &c, T0 + 600004, 0, &probe, NULL), 1);
	/* Closed again: the first closed era's failure still does not count. */
	for (i = 0; i < 10; i++) {
		CHECK_INT(mih_breaker_record(&st, &c, T0 + 600005, 1, &closed_era, NULL), 0);
	}
	mih_breaker_info(&st, &c, T0 + 600005, &info);
	CHECK_INT(info.state, MIH_BREAKER_CLOSED);
	CHECK_INT(info.calls, 0);
	/* A probe outcome replayed after closing is stale too. */
	CHECK_INT(mih_breaker_record(&st, &c, T0 + 600006, 1, &probe, NULL), 0);
	CHECK_INT(status_at(&c, T0 + 600006), MIH_BREAKER_CLOSED);
}

TEST(null_permit_counts_while_closed)
{
	mih_breaker_config c;
	int i;

	fresh(&c);
	for (i = 0; i < 5; i++) {
		CHECK_INT(mih_breaker_record(&st, &c, T0 + i, 1, NULL, NULL), 1);
	}
	CHECK_INT(status_at(&c, T0 + 5), MIH_BREAKER_OPEN);
}

TEST(rate_mode_needs_min_calls)
{
	mih_breaker_config c;
	int i;

	fresh(&c);
	c.mode = MIH_BREAKER_MODE_RATE;
	c.min_calls = 10;
	c.failure_rate = 50;
	for (i = 0; i < 9; i++) {
		call(&c, T0 + i, 1);
	}
	CHECK_INT(status_at(&c, T0 + 9), MIH_BREAKER_CLOSED);
	call(&c, T0 + 9, 1);
	CHECK_INT(status_at(&c, T0 + 9), MIH_BREAKER_OPEN);
}

TEST(rate_mode_percentage)
{
	mih_breaker_config c;
	mih_breaker_permit p;
	mih_breaker_transition t;
	mih_breaker_snapshot info;
	int i;

	fresh(&c);
	c.mode = MIH_BREAKER_MODE_RATE;
	c.min_calls = 10;
	c.failure_rate = 50;
	/* 6 successes, 4 failures: 40 %. */
	for (i = 0; i < 6; i++) {
		call(&c, T0 + i, 0);
	}
	for (i = 0; i < 4; i++) {
		call(&c, T0 + 10 + i, 1);
	}
	mih_breaker_info(&st, &c, T0 + 20, &info);
	CHECK_INT(info.state, MIH_BREAKER_CLOSED);
	CHECK_INT(info.calls, 10);
	CHECK_INT(info.failures, 4);
	/* Failures in a row do not matter in rate mode; the 50 % mark does:
	 * 11 calls 5 failures is 45 %, 12 calls 6 failures is 50 %. */
	call(&c, T0 + 21, 1);
	CHECK_INT(status_at(&c, T0 + 21), MIH_BREAKER_CLOSED);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + 22, &p, NULL, NULL), MIH_BREAKER_ALLOW);
	CHECK_INT(mih_breaker_record(&st, &c, T0 + 22, 1, &p, &t), 1);
	CHECK_INT(t.to, MIH_BREAKER_OPEN);
	mih_breaker_info(&st, &c, T0 + 22, &info);
	CHECK_INT(info.calls, 12);
	CHECK_INT(info.failures, 6);
}

TEST(rate_mode_window_forgets_old_calls)
{
	mih_breaker_config c;
	mih_breaker_snapshot info;
	int i;

	fresh(&c);
	c.mode = MIH_BREAKER_MODE_RATE;
	c.min_calls = 10;
	c.failure_rate = 50;
	for (i = 0; i < 9; i++) {
		call(&c, T0 + i, 1);
	}
	/* Two windows later those nine are gone: one more failure is 1 call. */
	call(&c, T0 + 120000, 1);
	mih_breaker_info(&st, &c, T0 + 120000, &info);
	CHECK_INT(info.state, MIH_BREAKER_CLOSED);
	CHECK_INT(info.calls, 1);
	CHECK_INT(info.failures, 1);
	for (i = 0; i < 9; i++) {
		call(&c, T0 + 120001 + i, 0);
	}
	CHECK_INT(status_at(&c, T0 + 120010), MIH_BREAKER_CLOSED);
}

TEST(reset_closes_and_stales_permits)
{
	mih_breaker_config c;
	mih_breaker_permit p;
	mih_breaker_snapshot info;

	fresh(&c);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 - 100, &p, NULL, NULL), MIH_BREAKER_ALLOW);
	open_at_t0(&c);
	mih_breaker_reset(&st);
	mih_breaker_info(&st, &c, T0 + 1, &info);
	CHECK_INT(info.state, MIH_BREAKER_CLOSED);
	CHECK_INT(info.calls, 0);
	CHECK_INT(info.opened_at, 0);
	CHECK_INT(mih_breaker_record(&st, &c, T0 + 2, 1, &p, NULL), 0);
	CHECK_INT(call(&c, T0 + 3, 0), MIH_BREAKER_ALLOW);
}

TEST(info_fields)
{
	mih_breaker_config c;
	mih_breaker_snapshot info;

	fresh(&c);
	call(&c, T0, 0);
	call(&c, T0 + 1, 1);
	call(&c, T0 + 2, 1);
	mih_breaker_info(&st, &c, T0 + 3, &info);
	CHECK_INT(info.state, MIH_BREAKER_CLOSED);
	CHECK_INT(info.calls, 3);
	CHECK_INT(info.failures, 2);
	CHECK_INT(info.consecutive_failures, 2);
	CHECK_INT(info.retry_after, 0);
	call(&c, T0 + 3, 1);
	call(&c, T0 + 4, 1);
	call(&c, T0 + 1000, 1);
	mih_breaker_info(&st, &c, T0 + 1500, &info);
	CHECK_INT(info.state, MIH_BREAKER_OPEN);
	CHECK_INT(info.opened_at, (T0 + 1000) / 1000);
	CHECK_INT(info.retry_after, 300);   /* 299.5 s rounded up */
	CHECK_INT(info.failures, 5);
	CHECK_INT(mih_breaker_next_allowed_ms(&st, &c, T0 + 1500), T0 + 301000);
	/* Lazily half-open; info does not change the stored state. */
	mih_breaker_info(&st, &c, T0 + 301000, &info);
	CHECK_INT(info.state, MIH_BREAKER_HALF_OPEN);
	CHECK_INT(info.retry_after, 0);
	CHECK_INT(info.opened_at, (T0 + 1000) / 1000);
	CHECK_INT(st.status, MIH_BREAKER_OPEN);
	CHECK_INT(mih_breaker_next_allowed_ms(&st, &c, T0 + 301000), T0 + 301000);
	CHECK_INT(mih_breaker_next_allowed_ms(&st, &c, T0 + 400000), T0 + 400000);
	CHECK_STR(mih_breaker_status_name(MIH_BREAKER_HALF_OPEN), "half_open");
	CHECK_STR(mih_breaker_status_name(MIH_BREAKER_OPEN), "open");
	CHECK_STR(mih_breaker_status_name(MIH_BREAKER_CLOSED), "closed");
}

TEST(window_change_restarts_counts)
{
	mih_breaker_config c;
	mih_breaker_snapshot info;

	fresh(&c);
	call(&c, T0, 1);
	c.window_ms = 120000;
	mih_breaker_info(&st, &c, T0, &info);
	CHECK_INT(info.calls, 0);
	call(&c, T0 + 1, 0);
	mih_breaker_info(&st, &c, T0 + 1, &info);
	CHECK_INT(info.calls, 1);
}

TEST(garbage_state_is_safe)
{
	mih_breaker_config c;
	mih_breaker_permit p;
	mih_breaker_snapshot info;
	int i;

	mih_breaker_config_default(&c);
	memset(&st, 0xff, sizeof(st));
	mih_breaker_info(&st, &c, T0, &info);
	mih_breaker_allow(&st, &c, T0, &p, NULL, NULL);
	mih_breaker_record(&st, &c, T0, 1, &p, NULL);
	p.probe_slot = 0xffffffffu;
	p.probe_token = 5;
	mih_breaker_record(&st, &c, T0, 0, &p, NULL);
	mih_breaker_next_allowed_ms(&st, &c, T0);
	for (i = 0; i < 10; i++) {
		call(&c, T0 + i, 1);
	}
	/* Out-of-range config values are clamped, not trusted. */
	memset(&c, 0, sizeof(c));
	c.mode = (mih_breaker_mode)99;
	c.failure_threshold = 100000;
	c.halfopen_probes = 1000;
	memset(&st, 0, sizeof(st));
	call(&c, T0, 1);
	CHECK_INT(status_at(&c, T0), MIH_BREAKER_CLOSED);
	CHECK(1);
}

TEST(null_config_uses_defaults)
{
	int i;

	memset(&st, 0, sizeof(st));
	for (i = 0; i < 5; i++) {
		call(NULL, T0 + i, 1);
	}
	CHECK_INT(status_at(NULL, T0 + 5), MIH_BREAKER_OPEN);
}

/* The permit of a closed count-mode circuit says how many more failures it
 * can take; failures older than the window no longer count against it. */
TEST(headroom_counts_recent_failures)
{
	mih_breaker_config c;
	mih_breaker_permit p;

	fresh(&c);
	CHECK_INT(mih_breaker_allow(&st, &c, T0, &p, NULL, NULL), MIH_BREAKER_ALLOW);
	CHECK(p.headroom == MIH_BREAKER_NO_LIMIT);   /* healthy: no cap */
	call(&c, T0, 1);
	call(&c, T0 + 1, 1);
	mih_breaker_allow(&st, &c, T0 + 2, &p, NULL, NULL);
	CHECK_INT(p.headroom, 3);
	/* the first of the two is now outside the 60 s window, the second not */
	mih_breaker_allow(&st, &c, T0 + 60001, &p, NULL, NULL);
	CHECK_INT(p.headroom, 4);
	mih_breaker_allow(&st, &c, T0 + 60002, &p, NULL, NULL);
	CHECK(p.headroom == MIH_BREAKER_NO_LIMIT);   /* both out of the window */
	call(&c, T0 + 60003, 1);
	mih_breaker_allow(&st, &c, T0 + 60003, &p, NULL, NULL);
	CHECK_INT(p.headroom, 4);
	call(&c, T0 + 60003, 0);                      /* a success ends the run */
	mih_breaker_allow(&st, &c, T0 + 60003, &p, NULL, NULL);
	CHECK(p.headroom == MIH_BREAKER_NO_LIMIT);
	call(&c, T0 + 60004, 1);
	mih_breaker_allow(&st, &c, T0 + 60005, &p, NULL, NULL);
	CHECK_INT(p.headroom, 4);
	/* 4 failed calls: one more opens it */
	call(&c, T0 + 60006, 1);
	call(&c, T0 + 60007, 1);
	call(&c, T0 + 60008, 1);
	mih_breaker_allow(&st, &c, T0 + 60009, &p, NULL, NULL);
	CHECK_INT(p.headroom, 1);
	call(&c, T0 + 60009, 1);
	CHECK_INT(status_at(&c, T0 + 60010), MIH_BREAKER_OPEN);
}

TEST(headroom_unlimited_in_rate_mode_and_for_probes)
{
	mih_breaker_config c;
	mih_breaker_permit p;

	fresh(&c);
	c.mode = MIH_BREAKER_MODE_RATE;
	c.min_calls = 10;
	c.failure_rate = 50;
	call(&c, T0, 1);
	mih_breaker_allow(&st, &c, T0 + 1, &p, NULL, NULL);
	CHECK(p.headroom == MIH_BREAKER_NO_LIMIT);
	fresh(&c);
	open_at_t0(&c);
	CHECK_INT(mih_breaker_allow(&st, &c, T0 + c.cooldown_ms + 10, &p, NULL, NULL), MIH_BREAKER_ALLOW_PROBE);
	CHECK(p.headroom == MIH_BREAKER_NO_LIMIT);
}

int main(void)
{
	RUN(config_default_and_check);
	RUN(count_opens_at_threshold);
	RUN(count_success_resets);
	RUN(count_failures_spread_over_more_than_window);
	RUN(count_failures_exactly_window_apart);
	RUN(count_large_threshold_exact);
	RUN(open_rejects_until_cooldown_then_half_open);
	RUN(probe_success_closes);
	RUN(probe_failure_reopens_for_full_cooldown);
	RUN(released_probe_frees_its_slot);
	RUN(two_probes);
	RUN(probe_permit_expires);
	RUN(expired_probe_outcome_ignored_even_if_slot_free);
	RUN(stale_outcomes_do_not_corrupt);
	RUN(null_permit_counts_while_closed);
	RUN(rate_mode_needs_min_calls);
	RUN(rate_mode_percentage);
	RUN(rate_mode_window_forgets_old_calls);
	RUN(reset_closes_and_stales_permits);
	RUN(info_fields);
	RUN(window_change_restarts_counts);
	RUN(garbage_state_is_safe);
	RUN(null_config_uses_defaults);
	RUN(headroom_counts_recent_failures);
	RUN(headroom_unlimited_in_rate_mode_and_for_probes);
	return UNIT_DONE("breaker");
}
