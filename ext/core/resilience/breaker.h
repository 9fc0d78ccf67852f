/* Circuit breaker: a pure state machine over a fixed-size POD struct.
 *
 * No I/O, no clock, no pointers: the caller passes "now" (Unix ms) and the
 * struct may live in shared memory (shm.c keeps one per circuit, host-wide).
 * Every time in this API is in milliseconds, except the two fields of
 * mih_breaker_snapshot documented in seconds for display.
 *
 * States: closed -> open when the failure condition holds; open for
 * cooldown_ms, then half-open (computed lazily from time); in half-open at
 * most halfopen_probes calls hold a probe permit at a time; a probe success
 * closes the circuit, a probe failure re-opens it for a full cooldown. A
 * probe permit expires after probe_ttl_ms so a probe whose process died does
 * not wedge the circuit.
 *
 * Which outcomes are failures (5xx, 429, connection errors, timeouts) is the
 * caller's decision: mih_breaker_record() only gets failure yes/no.
 *
 * Stale outcomes: every permit carries the "period" (a counter bumped at
 * each state change) it was issued in. An outcome whose period is over (the
 * circuit opened, closed or went half-open since), or a probe outcome whose
 * permit expired or was re-issued, is ignored for the state machine, so a
 * slow call can never close or re-open a circuit it no longer speaks for. */
#ifndef MIH_BREAKER_H
#define MIH_BREAKER_H

#include <stddef.h>
#include <stdint.h>

/* Count mode tracks the timestamps of up to this many consecutive failures,
 * so failure_threshold is exact over its whole range 1..1000. */
#define MIH_BREAKER_MAX_THRESHOLD 1000
/* Buckets of the sliding window (calls and failures, both modes). */
#define MIH_BREAKER_BUCKETS 60
#define MIH_BREAKER_MAX_PROBES 16

typedef enum {
	MIH_BREAKER_CLOSED = 0,
	MIH_BREAKER_OPEN = 1,
	MIH_BREAKER_HALF_OPEN = 2
} mih_breaker_status;

typedef enum {
	/* failure_threshold consecutive failures spanning at most window_ms */
	MIH_BREAKER_MODE_COUNT = 0,
	/* >= min_calls outcomes in the window and failure percentage >= failure_rate */
	MIH_BREAKER_MODE_RATE = 1
} mih_breaker_mode;

typedef enum {
	MIH_BREAKER_ALLOW = 0,       /* closed: go ahead */
	MIH_BREAKER_ALLOW_PROBE = 1, /* half-open: this call is a probe, permit taken */
	MIH_BREAKER_REJECT = 2       /* open, or half-open with every probe permit out */
} mih_breaker_decision;

typedef struct mih_breaker_config {
	mih_breaker_mode mode;
	uint32_t failure_threshold; /* count mode, 1..MIH_BREAKER_MAX_THRESHOLD */
	int64_t window_ms;          /* > 0 */
	int64_t cooldown_ms;        /* > 0: how long the circuit stays open */
	uint32_t min_calls;         /* rate mode, >= 1 */
	uint32_t failure_rate;      /* rate mode, percent 1..100 */
	uint32_t halfopen_probes;   /* 1..MIH_BREAKER_MAX_PROBES */
	int64_t probe_ttl_ms;       /* > 0: service timeout + margin, set by the caller */
} mih_breaker_config;

/* Identifies what an outcome speaks for; filled by mih_breaker_allow(). */
typedef struct mih_breaker_permit {
	uint64_t period;
	uint32_t probe_token;       /* 0 unless ALLOW_PROBE */
	uint32_t probe_slot;
	/* ALLOW in count mode after a failure: the failures the closed circuit
	 * could still take when the permit was issued before one more opens it
	 * (1..threshold-1). A caller with concurrent calls keeps at most this
	 * many outcomes outstanding, so once a service has failed it gets no
	 * more than failure_threshold failed calls in a row before the circuit
	 * opens. No recent failure, rate mode and probes: MIH_BREAKER_NO_LIMIT
	 * (a healthy service keeps its full concurrency). */
	uint32_t headroom;
} mih_breaker_permit;

#define MIH_BREAKER_NO_LIMIT UINT32_MAX

/* A state change made by a call, for the caller to log durably; from == to
 * when nothing changed. */
typedef struct mih_breaker_transition {
	mih_breaker_status from;
	mih_breaker_status to;
	int64_t at_ms;
} mih_breaker_transition;

typedef struct mih_breaker_snapshot {
	mih_breaker_status state;   /* open -> half_open already applied from time */
	uint32_t failures;          /* failed outcomes within the window */
	uint32_t calls;             /* outcomes within the window */
	uint32_t consecutive_failures;
	uint32_t probes_in_flight;  /* unexpired probe permits (half-open) */
	int64_t opened_at;          /* Unix seconds of the last opening, 0 when closed */
	int64_t retry_after;        /* seconds until a probe may go, 0 unless open */
} mih_breaker_snapshot;

/* The state itself: plain old data, all zero = closed and empty. Callers
 * treat the fields as private; they are public only so the struct can be
 * embedded (and zero-initialised) in shared memory. */
typedef struct mih_breaker_bucket {
	int64_t epoch;              /* now_ms / bucket width of the counts below */
	uint32_t calls;
	uint32_t failures;
} mih_breaker_bucket;

typedef struct mih_breaker_probe {
	int64_t expires_ms;
	uint32_t token;             /* 0 = free */
	uint32_t reserved;
} mih_breaker_probe;

typedef struct mih_breaker_state {
	uint32_t status;            /* mih_breaker_status as stored (open not yet aged) */
	uint32_t run_length;        /* consecutive failures, capped at the maximum */
	uint64_t period;
	int64_t opened_at_ms;
	int64_t open_until_ms;
	uint32_t ring_head;         /* where the next failure timestamp goes */
	uint32_t next_token;
	int64_t bucket_width_ms;
	mih_breaker_probe probes[MIH_BREAKER_MAX_PROBES];
	mih_breaker_bucket buckets[MIH_BREAKER_BUCKETS];
	int64_t failure_ring[MIH_BREAKER_MAX_THRESHOLD];
} mih_breaker_state;

/* The cookbook's Recipe 4: count mode, 5 failures within 60 s, open 300 s,
 * one probe, probe_ttl 60 s (callers should set timeout + margin). */
void mih_breaker_config_default(mih_breaker_config *c);

/* 0 when every field is in range, else -1 with the offending field named in
 * err. The other functions clamp out-of-range fields instead of failing. */
int mih_breaker_config_check(const mih_breaker_config *c, char *err, size_t errlen);

/* May a call go now? ALLOW / ALLOW_PROBE fill *permit_out (pass it back to
 * mih_breaker_record); REJECT sets *retry_after_ms (> 0) to the time until a
 * probe may go: the end of the cooldown, or in half-open the expiry of the
 * first outstanding probe permit (an upper bound: the probe may finish
 * sooner). retry_after_ms and transition may be NULL. */
mih_breaker_decision mih_breaker_allow(mih_breaker_state *s, const mih_breaker_config *c,
	int64_t now_ms, mih_breaker_permit *permit_out, int64_t *retry_after_ms,
	mih_breaker_transition *transition);

/* Records the outcome of a call. permit is what allow() returned, or NULL
 * for an outcome not preceded by allow() (then it counts only while the
 * circuit is closed). Returns 1 when the outcome was applied, 0 when it was
 * ignored as stale (see the header comment). transition may be NULL. */
int mih_breaker_record(mih_breaker_state *s, const mih_breaker_config *c, int64_t now_ms,
	int failure, const mih_breaker_permit *permit, mih_breaker_transition *transition);

/* Gives back a permit whose call ended without an outcome (refused before
 * it said anything about the service): a probe permit's slot is free again
 * at once instead of when it expires, so the next call may probe. Nothing
 * else changes; a stale permit or one that is not a probe's is ignored. */
void mih_breaker_release(mih_breaker_state *s, const mih_breaker_permit *permit);

/* Read-only view (does not age the stored state). */
void mih_breaker_info(const mih_breaker_state *s, const mih_breaker_config *c, int64_t now_ms,
	mih_breaker_snapshot *out);

/* The earliest Unix ms at which allow() may not reject: now_ms when a call
 * may go now. For queued deliveries to park until then. */
int64_t mih_breaker_next_allowed_ms(const mih_breaker_state *s, const mih_breaker_config *c,
	int64_t now_ms);

/* Back to closed and empty. Outstanding permits become stale. */
void mih_breaker_reset(mih_breaker_state *s);

const char *mih_breaker_status_name(mih_breaker_status st);

#endif
