/* mih::run_queue(): the queue worker. Claims due tasks under a lease, sends
 * them concurrently with curl_multi (connections kept alive within a run),
 * and settles each outcome: delivered, retried later, parked, or moved to
 * the DLQ. A worker killed at any moment loses nothing: its tasks become
 * due again when their lease ends.
 *
 * Why this file is long: the worker is one run: claiming, sending
 * concurrently with curl_multi, and settling each outcome (delivered,
 * retried, parked, dead) share the run's state (handles, services, breaker
 * permits, deadlines); split, that state would have to be published to the
 * other files. */
#include "mih_private.h"
#include "retry.h"
#include "clock.h"
#include "sign.h"
#include "mih_amqp.h"
#include "mih_soap.h"

#include <math.h>
#include <time.h>

#define PARK_DISABLED_SECONDS 60
/* Claimed tasks held at most: this many times the concurrency. */
#define HELD_WAVES 4

typedef struct worker_job {
	mih_store_task task;
	size_t svc_index;
	mih_breaker_permit permit;
	char *url;
	HashTable lines;               /* built for this task (has_lines) */
	bool has_lines;
	zend_string *idem_line;        /* else: the service's lines and this one */
	const char **line_ptrs;
	bool easy_ready;               /* transfer.easy carries the fixed options */
	mih_http_handle_url easy_url;  /* and this URL */
	mih_http_request req;
	mih_http_response resp;
	mih_http_transfer transfer;
	double started;
	long latency_ms;
} worker_job;

/* Handles ready for reuse, with whether their fixed options are set. */
typedef struct idle_easy {
	CURL *easy;
	bool ready;
	mih_http_handle_url url;
} idle_easy;

/* A service's header lines without the per-task ones, built at its first
 * task of the run (a service cannot change during a run). */
typedef struct service_lines {
	bool built;
	bool usable;                   /* false: every task builds its own lines */
	HashTable lines;
	const char **ptrs;
	size_t n;
} service_lines;

typedef struct worker {
	mih_store *st;
	CURLM *multi;
	mih_service *services;
	long *service_inflight;        /* parallel to services */
	long *service_unheard;         /* of those, sent but not yet told to the breaker */
	service_lines *svc_lines;      /* parallel to services */
	size_t nservices;
	worker_job **backlog;          /* claimed, waiting for a slot (see claim_room) */
	size_t nbacklog;
	worker_job **done;             /* finished transfers whose outcome is not yet written */
	size_t ndone, done_cap;
	worker_job **settled;          /* outcomes committed, slots free: their log rows wait */
	size_t nsettled, settled_cap;
	worker_job **proto;            /* amqp and soap deliveries waiting for flush_proto() */
	size_t nproto, proto_cap;
	mih_store_log_row *wave_log;   /* the log rows of a settle, written with one insert
	                                * once the replacements are sent (write_wave_log) */
	const mih_store_task **wave_ok; /* its delivered tasks, deleted with one statement */
	size_t nwave_log, nwave_ok, wave_cap;
	bool exhausted;                /* the last claim found the queue empty */
	bool quiet;                    /* the last pump found no finished transfer */
	double first_done;             /* when the oldest of done finished */
	mih_http_url_memo url_memo;    /* the policy cannot change during a run */
	idle_easy *idle;               /* easy handles ready for reuse */
	size_t nidle;
	long inflight;
	long concurrency, per_service, limit, taken;
	long lease;
	char run_token[MIH_STORE_RUN_TOKEN_LEN + 1]; /* one attempt per task per run */
	double time_limit, started;
	long delivered, retried, dead, parked;
	bool failed;
	char err[512];
} worker;

static bool find_service(worker *w, int64_t id, size_t *index)
{
	size_t i;

	for (i = 0; i < w->nservices; i++) {
		if (w->services[i].id == id) {
			*index = i;
			return true;
		}
	}
	return false;
}

/* The handle goes back with what is set on it (url moves along). */
static void put_idle(worker *w, CURL *easy, bool ready, mih_http_handle_url *url)
{
	w->idle[w->nidle].easy = easy;
	w->idle[w->nidle].ready = ready;
	w->idle[w->nidle++].url = *url;
	memset(url, 0, sizeof(*url));
}

static void give_back_easy(worker *w, worker_job *job)
{
	put_idle(w, job->transfer.easy, job->easy_ready, &job->easy_url);
	job->transfer.easy = NULL;
}

/* A delivery under way: its slot is held until settled, and the breaker
 * has not heard its outcome yet. */
static void count_sent(worker *w, const worker_job *job)
{
	w->service_inflight[job->svc_index]++;
	w->service_unheard[job->svc_index]++;
}

static void job_free(worker *w, worker_job *job)
{
	if (job->transfer.easy) {
		give_back_easy(w, job);
	}
	mih_http_response_dispose(&job->resp);
	if (job->line_ptrs) {
		efree(job->line_ptrs);
	}
	if (job->has_lines) {
		zend_hash_destroy(&job->lines);
	}
	if (job->idem_line) {
		zend_string_release(job->idem_line);
	}
	free(job->url);
	mih_store_task_dispose(&job->task);
	efree(job);
}

/* Slots in use: transfers running, and finished ones whose outcome is not
 * written yet. A task's slot is free only once its outcome is committed, so
 * a worker killed at any moment has at most `concurrency` tasks whose
 * delivery it may have made without recording it (each sent again, with
 * the same Idempotency-Key, after its lease). */
static long busy(const worker *w)
{
	return w->inflight + (long)w->ndone + (long)w->nproto;
}

/* Deliveries of one service at once: an amqp service's go out as one batch
 * of publishes on one connection, so they are not held to per_service. */
static long service_slots(const worker *w, size_t index)
{
	return w->services[index].type == MIH_SERVICE_AMQP ? w->concurrency : w->per_service;
}

static void store_failed(worker *w, const char *what, const char *err)
{
	if (!w->failed) {
		snprintf(w->err, sizeof(w->err), "%s: %s", what, err);
		w->failed = true;
	}
}

/* ---- settling outcomes --------------------------------------------------------- */

static void log_attempt(worker *w, worker_job *job, bool success)
{
	mih_store_log_row row;
	const mih_service *svc = &w->services[job->svc_index];

	memset(&row, 0, sizeof(row));
	row.serviceid = svc->id;
	row.servicename = svc->name;
	row.endpoint = job->task.endpoint;
	row.http_method = job->task.http_method;
	row.taskid = job->task.id;
	row.eventname = job->task.eventname;
	row.http_status = job->resp.outcome == MIH_HTTP_ANSWERED ? (int)job->resp.status : 0;
	row.latency_ms = job->latency_ms;
	row.success = success;
	row.error_message = success ? NULL : job->resp.error;
	row.attempt_count = job->task.attempts + 1;
	row.timecreated = mih_store_now(w->st);
	/* Strings borrowed from the job, which lives until the row is written. */
	w->wave_log[w->nwave_log++] = row;
}

static void to_dlq(worker *w, mih_store_task *task, long attempts, int status, const char *error,
	const char *response, size_t response_len)
{
	char err[256];
	int64_t dead_id;
	int rc = mih_store_to_dlq(w->st, task, attempts, status, error, response, response_len, &dead_id, err, sizeof(err));

	if (rc < 0) {
		store_failed(w, "could not move a task to the DLQ", err);
	} else if (rc == MIH_STORE_DONE) {
		w->dead++;
	}
}

static void park(worker *w, mih_store_task *task, int64_t until, const char *reason)
{
	char err[256];

	if (mih_store_park(w->st, task, until, reason, err, sizeof(err)) != 0) {
		store_failed(w, "could not park a task", err);
	} else {
		w->parked++;
	}
}

/* Queue backoff: full jitter on queue_backoff doubling per attempt, capped;
 * a Retry-After from the server wins, within the cap. */
static int64_t next_run_after_failure(const mih_service *svc, const mih_http_response *resp, long attempts)
{
	mih_random rnd = { mih_retry_random_system, NULL };
	int64_t ra_ms = 0, delay;
	bool has_ra = php_mih_retry_after(resp, &ra_ms);

	delay = mih_retry_next_delay_ms((unsigned)(attempts - 1), (int64_t)(svc->queue_backoff * 1000.0),
		(int64_t)(svc->queue_backoff_cap * 1000.0), has_ra, ra_ms, &rnd);
	/* Whole seconds, as every queue time, rounded up so that the backoff is
	 * never shortened (the run token keeps a run from trying it again). */
	return (mih_clock_real_ms(NULL) + delay + 999) / 1000;
}

static bool job_delivered(const worker_job *job)
{
	return job->resp.outcome == MIH_HTTP_ANSWERED && job->resp.status >= 200 && job->resp.status <= 299;
}

static bool wave_all_delivered(const worker *w)
{
	for (size_t i = 0; i < w->ndone; i++) {
		if (!job_delivered(w->done[i])) {
			return false;
		}
	}
	return true;
}

/* Writes the outcome of one finished attempt: its log row, then delivered,
 * rescheduled or dead. The breaker was told at harvest time. */
static void book(worker *w, worker_job *job)
{
	const mih_service *svc = &w->services[job->svc_index];
	mih_http_response *resp = &job->resp;
	long attempts = job->task.attempts + 1;
	bool success = job_delivered(job);
	char err[256];
	int status = resp->outcome == MIH_HTTP_ANSWERED ? (int)resp->status : 0;

	log_attempt(w, job, success);
	if (success) {
		w->wave_ok[w->nwave_ok++] = &job->task;
		return;
	}
	if (resp->outcome == MIH_HTTP_BLOCKED || !php_mih_is_retryable(svc, resp) || attempts >= svc->max_attempts) {
		char reason[600];
		if (php_mih_is_retryable(svc, resp) && attempts >= svc->max_attempts) {
			snprintf(reason, sizeof(reason), "%s (gave up after %ld attempts)", resp->error, attempts);
		} else {
			snprintf(reason, sizeof(reason), "%s", resp->error);
		}
		to_dlq(w, &job->task, attempts, status, reason, resp->body, resp->body_len);
		return;
	}
	if (mih_store_reschedule(w->st, &job->task, attempts, next_run_after_failure(svc, resp, attempts), status,
			resp->error, err, sizeof(err)) != 0) {
		store_failed(w, "could not reschedule a task", err);
	} else {
		w->retried++;
	}
}

/* A finished attempt: the breaker hears of it at once (so the next
 * transfers are decided with it), the store later, in one transaction
 * with the others of the pass (settle). */
static void finished(worker *w, worker_job *job)
{
	job->latency_ms = (long)((mih_clock_monotonic_s() - job->started) * 1000.0 + 0.5);
	php_mih_breaker_record(w->st, &w->services[job->svc_index], &job->permit, &job->resp);
	w->service_unheard[job->svc_index]--;
	if (job->transfer.easy) {
		/* The response is copied out: the handle can carry the next task. */
		give_back_easy(w, job);
	}
	if (w->ndone == 0) {
		w->first_done = mih_clock_monotonic_s();
	}
	if (w->ndone == w->done_cap) {
		w->done_cap = w->done_cap ? w->done_cap * 2 : 16;
		w->done = safe_erealloc(w->done, w->done_cap, sizeof(worker_job *), 0);
	}
	w->done[w->ndone++] = job;
}

/* ---- starting transfers -------------------------------------------------------- */

static CURL *take_easy(worker *w, bool *ready, mih_http_handle_url *url)
{
	if (w->nidle > 0) {
		w->nidle--;
		*ready = w->idle[w->nidle].ready;
		*url = w->idle[w->nidle].url;
		return w->idle[w->nidle].easy;
	}
	*ready = false;
	memset(url, 0, sizeof(*url));
	return curl_easy_init();
}

/* The lines every task of an http service without signing secrets sends
 * (php_mih_headers_build without task headers), kept for the run. Not
 * usable when the service's own headers name an Idempotency-Key: that
 * line is replaced per task. */
static const service_lines *lines_of(worker *w, size_t index)
{
	service_lines *sl = &w->svc_lines[index];
	const mih_service *svc = &w->services[index];
	zval *line;

	if (sl->built) {
		return sl->usable ? sl : NULL;
	}
	sl->built = true;
	if (svc->type != MIH_SERVICE_HTTP || json_array_size(svc->signing_secrets) > 0) {
		return NULL;
	}
	php_mih_headers_build(&sl->lines, svc, NULL, NULL);
	if (zend_hash_str_exists(&sl->lines, "idempotency-key", sizeof("idempotency-key") - 1)) {
		zend_hash_destroy(&sl->lines);
		return NULL;
	}
	sl->ptrs = safe_emalloc(zend_hash_num_elements(&sl->lines) + 1, sizeof(char *), 0);
	ZEND_HASH_FOREACH_VAL(&sl->lines, line) {
		sl->ptrs[sl->n++] = Z_STRVAL_P(line);
	} ZEND_HASH_FOREACH_END();
	sl->usable = true;
	return sl;
}

static void service_lines_free(worker *w)
{
	for (size_t i = 0; w->svc_lines && i < w->nservices; i++) {
		if (w->svc_lines[i].usable) {
			efree(w->svc_lines[i].ptrs);
			zend_hash_destroy(&w->svc_lines[i].lines);
		}
	}
	if (w->svc_lines) {
		efree(w->svc_lines);
	}
}

static void start_job(worker *w, worker_job *job)
{
	const mih_service *svc = &w->services[job->svc_index];
	char idem[128];
	zval *line;
	size_t n = 0;
	CURL *easy;
	const service_lines *shared;

	if (job->task.lease_until < mih_store_now(w->st) + (int64_t)ceil(svc->timeout) + 1) {
		/* Waited in the backlog until its lease nearly ran out: another worker
		 * may claim it soon, so sending it now could deliver it twice. It is
		 * due again when the lease ends. */
		job_free(w, job);
		return;
	}

	job->url = mih_http_join_url(svc->base_url, job->task.endpoint, strlen(job->task.endpoint));
	/* The same key on every retry and replay, so receivers can deduplicate. */
	snprintf(idem, sizeof(idem), "%s", job->task.idempotency_key ? job->task.idempotency_key : "");
	if ((!job->task.headers || !*job->task.headers) && (shared = lines_of(w, job->svc_index))) {
		/* The service's lines as they are, then the task's key. */
		job->idem_line = zend_string_concat2("Idempotency-Key: ", 17, idem, strlen(idem));
		job->line_ptrs = safe_emalloc(shared->n + 1, sizeof(char *), 0);
		memcpy(job->line_ptrs, shared->ptrs, shared->n * sizeof(char *));
		n = shared->n;
		job->line_ptrs[n++] = ZSTR_VAL(job->idem_line);
	} else {
		php_mih_headers_build(&job->lines, svc, NULL, job->task.headers);
		job->has_lines = true;
		php_mih_header_put(&job->lines, "Idempotency-Key", 15, idem, strlen(idem));
		if (json_array_size(svc->signing_secrets) > 0) {
			php_mih_headers_sign(&job->lines, svc, idem, job->task.payload, job->task.payload_len);
		}
		job->line_ptrs = safe_emalloc(zend_hash_num_elements(&job->lines), sizeof(char *), 0);
		ZEND_HASH_FOREACH_VAL(&job->lines, line) {
			job->line_ptrs[n++] = Z_STRVAL_P(line);
		} ZEND_HASH_FOREACH_END();
	}
	if (svc->type != MIH_SERVICE_HTTP) {
		/* Not libcurl's: sent by flush_proto(), the slot held until settled. */
		job->started = mih_clock_monotonic_s();
		if (w->nproto == w->proto_cap) {
			w->proto_cap = w->proto_cap ? w->proto_cap * 2 : 16;
			w->proto = safe_erealloc(w->proto, w->proto_cap, sizeof(worker_job *), 0);
		}
		w->proto[w->nproto++] = job;
		count_sent(w, job);
		return;
	}

	job->req.method = job->task.http_method;
	job->req.url = job->url ? job->url : "";
	job->req.headers = job->line_ptrs;
	job->req.nheaders = n;
	if (php_mih_method_has_body(job->task.http_method) && job->task.payload_len > 0) {
		job->req.body = job->task.payload;
		job->req.body_len = job->task.payload_len;
	}
	job->req.timeout_ms = (long)ceil(svc->timeout * 1000.0);
	job->req.connect_timeout_ms = (long)ceil(svc->connect_timeout * 1000.0);
	job->req.follow_redirects = svc->follow_redirects;
	job->req.max_response = (size_t)MIH_G(max_response_size);
	job->req.policy = php_mih_policy();
	/* Every task sets its route again (mih_http.c set_route): a reused
	 * handle keeps no proxy option from the task before. */
	job->req.proxy = php_mih_proxy();
	job->req.proxy_policy = php_mih_proxy_policy();
	job->req.memo = &w->url_memo;
	job->req.policy_gen = MIH_G(policy_gen);
	/* No Accept-Encoding: a webhook's answer is small and only its first
	 * bytes are kept (in the DLQ), so decoding would be work for nothing. */
	job->req.accept_compressed = false;
	job->started = mih_clock_monotonic_s();

	/* A handle only ever set up here: its fixed options stay set. */
	easy = take_easy(w, &job->easy_ready, &job->easy_url);
	job->req.handle_ready = &job->easy_ready;
	job->req.handle_url = &job->easy_url;
	job->transfer.user = job;
	if (!easy || mih_http_transfer_setup(&job->transfer, easy, &job->req, &job->resp) != 0) {
		if (easy && !job->transfer.easy) {
			put_idle(w, easy, job->easy_ready, &job->easy_url);
		}
		if (!easy) {
			job->resp.outcome = MIH_HTTP_SETUP_ERROR;
			snprintf(job->resp.error, sizeof(job->resp.error), "libcurl could not create a handle");
		}
		/* Not an outcome, but a probe's permit goes back. */
		php_mih_breaker_record(w->st, svc, &job->permit, &job->resp);
		to_dlq(w, &job->task, job->task.attempts, 0, job->resp.error, NULL, 0);
		curl_slist_free_all(job->transfer.header_list);
		job->transfer.header_list = NULL;
		job_free(w, job);
		return;
	}
	if (job->transfer.blocked) {
		/* The URL's host or port is refused: nothing is sent. */
		mih_http_transfer_finish(&job->transfer, CURLE_COULDNT_CONNECT);
		count_sent(w, job);   /* held until settled, like a transfer */
		finished(w, job);
		return;
	}
	curl_multi_add_handle(w->multi, easy);
	w->inflight++;
	count_sent(w, job);
}

/* Sends the waiting amqp and soap deliveries: each amqp service's as one
 * batch of publishes whose confirms are awaited together (within the
 * service's timeout), each soap one as a SoapClient call. */
static void flush_proto(worker *w)
{
	while (w->nproto > 0) {
		size_t index = w->proto[0]->svc_index, n = 0, kept = 0, i;
		const mih_service *svc = &w->services[index];
		worker_job **batch;
		php_mih_amqp_item *items;

		if (svc->type == MIH_SERVICE_SOAP) {
			worker_job *job = w->proto[0];
			memmove(&w->proto[0], &w->proto[1], (w->nproto - 1) * sizeof(worker_job *));
			w->nproto--;
			php_mih_soap_call(svc, job->task.endpoint, job->task.payload, job->task.payload_len, &job->lines,
				svc->timeout, svc->connect_timeout, &job->resp);
			finished(w, job);
			continue;
		}
		batch = safe_emalloc(w->nproto, sizeof(worker_job *), 0);
		items = safe_emalloc(w->nproto, sizeof(php_mih_amqp_item), 0);
		for (i = 0; i < w->nproto; i++) {
			worker_job *job = w->proto[i];
			if (job->svc_index != index) {
				w->proto[kept++] = job;
				continue;
			}
			items[n].endpoint = job->task.endpoint;
			items[n].body = job->task.payload;
			items[n].body_len = job->task.payload_len;
			items[n].message_id = job->task.idempotency_key;
			items[n].lines = &job->lines;
			items[n].resp = &job->resp;
			batch[n++] = job;
		}
		w->nproto = kept;
		php_mih_amqp_send(svc, items, n, svc->timeout);
		for (i = 0; i < n; i++) {
			finished(w, batch[i]);
		}
		efree(items);
		efree(batch);
	}
}

/* No attempt is used: the task waits for the breaker to allow a probe. */
static void park_rejected(worker *w, worker_job *job, int64_t retry_after)
{
	int64_t next = php_mih_breaker_next_allowed_ms(w->st, &w->services[job->svc_index]);
	char reason[128];

	snprintf(reason, sizeof(reason), "circuit open: retry in %lld s", (long long)((retry_after + 999) / 1000));
	park(w, &job->task, (next + 999) / 1000, reason);
	job_free(w, job);
}

/* After a failure, a closed count-mode circuit takes at most its headroom
 * more failures before it opens: with that many of this service's calls
 * still unheard, the next waits for one of them, so a service failing
 * every call gets failure_threshold failed calls in a row from this
 * worker, not threshold plus whatever was sent alongside the last ones
 * (the cookbook's Recipe 4). Without a recent failure there is no cap. */
static bool held_by_headroom(const worker *w, const worker_job *job)
{
	long unheard = w->service_unheard[job->svc_index];

	return job->permit.probe_token == 0 && unheard > 0 && (uint64_t)unheard >= job->permit.headroom;
}

/* Decides what to do with a claimed task before any network traffic. */
static void dispatch_claimed(worker *w, mih_store_task *task)
{
	worker_job *job = ecalloc(1, sizeof(worker_job));
	size_t index;
	int64_t retry_after = 0;

	job->task = *task;
	memset(task, 0, sizeof(*task));
	if (!find_service(w, job->task.serviceid, &index)) {
		to_dlq(w, &job->task, job->task.attempts, 0, "the service of this task no longer exists", NULL, 0);
		job_free(w, job);
		return;
	}
	job->svc_index = index;
	if (!w->services[index].enabled) {
		park(w, &job->task, mih_store_now(w->st) + PARK_DISABLED_SECONDS, "service disabled");
		job_free(w, job);
		return;
	}
	if (busy(w) >= w->concurrency || w->service_inflight[index] >= service_slots(w, index)) {
		w->backlog[w->nbacklog++] = job;
		return;
	}
	if (php_mih_breaker_allow(w->st, &w->services[index], &job->permit, &retry_after) == MIH_BREAKER_REJECT) {
		if (w->service_inflight[index] > 0) {
			/* Our own probe is in flight: its outcome decides, within this run. */
			w->backlog[w->nbacklog++] = job;
			return;
		}
		park_rejected(w, job, retry_after);
		return;
	}
	if (held_by_headroom(w, job)) {
		w->backlog[w->nbacklog++] = job;
		return;
	}
	start_job(w, job);
}

/* Starts backlogged jobs whose service has a free slot; returns how many
 * transfers it added. */
static long drain_backlog(worker *w)
{
	size_t i = 0;
	long before = w->inflight;

	while (i < w->nbacklog && busy(w) < w->concurrency) {
		worker_job *job = w->backlog[i];
		int64_t retry_after = 0;
		if (w->service_inflight[job->svc_index] >= service_slots(w, job->svc_index)) {
			i++;
			continue;
		}
		if (php_mih_breaker_allow(w->st, &w->services[job->svc_index], &job->permit, &retry_after) == MIH_BREAKER_REJECT) {
			if (w->service_inflight[job->svc_index] > 0) {
				i++; /* still waiting for our own probe */
				continue;
			}
			memmove(&w->backlog[i], &w->backlog[i + 1], (w->nbacklog - i - 1) * sizeof(worker_job *));
			w->nbacklog--;
			park_rejected(w, job, retry_after);
			continue;
		}
		if (held_by_headroom(w, job)) {
			i++; /* waits for an outcome of this service's calls in flight */
			continue;
		}
		memmove(&w->backlog[i], &w->backlog[i + 1], (w->nbacklog - i - 1) * sizeof(worker_job *));
		w->nbacklog--;
		start_job(w, job);
	}
	return w->inflight - before;
}

static bool may_claim(const worker *w)
{
	if (w->failed || (w->limit > 0 && w->taken >= w->limit)) {
		return false;
	}
	return w->time_limit <= 0 || mih_clock_monotonic_s() - w->started < w->time_limit;
}

/* Tasks held (in flight plus backlog) are kept up to HELD_WAVES times the
 * concurrency, so that a finished transfer is replaced at once from the
 * backlog instead of waiting for a claim, and claims come in batches of a
 * whole wave while transfers run. The lease covers a backlogged task for
 * the waves ahead of it (start_job drops one whose lease is nearly over:
 * it becomes due again when the lease ends). */
static long claim_room(const worker *w, long freeing)
{
	long held = busy(w) - freeing;
	long room = HELD_WAVES * w->concurrency - held - (long)w->nbacklog;

	if (room <= 0 || !may_claim(w)) {
		return 0;
	}
	/* The queue was empty at the last look: ask again only once everything
	 * held is done (then an empty answer ends the run), not on every pass. */
	if (w->exhausted && (held > 0 || w->nbacklog > 0)) {
		return 0;
	}
	/* While transfers run, claim only once at most one wave is left held:
	 * a claim costs the same statement and commit for 1 task or for 64.
	 * Slots being freed (a settle) are refilled from the backlog next, so
	 * then the backlog counts as running. */
	if ((held > 0 || (freeing > 0 && w->nbacklog > 0)) && room < (HELD_WAVES - 1) * w->concurrency) {
		return 0;
	}
	if (w->limit > 0 && room > w->limit - w->taken) {
		room = w->limit - w->taken;
	}
	return room;
}

/* Finished transfers hold their slots until their outcomes are written, so
 * they are written soon, but together (a wave costs the same few statements
 * and one commit whatever its size): once settle_batch() of them wait, when
 * nothing else runs, or when no other answer came in and the first one
 * waiting has waited SETTLE_WAIT_S. */
#define SETTLE_WAIT_S 0.002

/* How many waiting outcomes make a settle due: the whole wave up to 16
 * slots (one commit, one fsync, for all of them), an eighth of the slots
 * above that (at least 16), so that on a slow receiver the first answers
 * of a large wave get their slots back while the rest of it is still
 * coming in, instead of all of them waiting for the last (bench/drain_slow:
 * 85% -> 90% of concurrency / latency at 128 slots). A settle still takes
 * every outcome waiting. */
static size_t settle_batch(const worker *w)
{
	long n = w->concurrency <= 16 ? w->concurrency : MAX(16, w->concurrency / 8);

	/* No task waits for a freed slot (the queue was empty at the last
	 * look): an early settle would only cost commits. */
	if (w->nbacklog == 0 && (w->exhausted || !may_claim(w))) {
		n = w->concurrency;
	}

	return (size_t)n;
}

static bool settle_due(const worker *w)
{
	if (w->ndone == 0) {
		return false;
	}
	return w->inflight == 0 || w->ndone >= settle_batch(w)
		|| (w->quiet && mih_clock_monotonic_s() - w->first_done >= SETTLE_WAIT_S);
}

static void claimed(worker *w, mih_store_task *tasks, size_t count, long room)
{
	w->taken += (long)count;
	w->exhausted = count < (size_t)room;
	for (size_t i = 0; i < count; i++) {
		dispatch_claimed(w, &tasks[i]);
	}
	mih_store_task_list_free(tasks, count);
}

/* Writes the log rows of the last settle and frees its jobs, whose strings
 * they borrow. Called once the slots that settle freed carry their next
 * transfers, so on a slow receiver the log write overlaps the wait for
 * their answers instead of delaying the requests; nothing waits for these
 * rows. A crash between the settle's commit and this write loses at most
 * one wave's log rows (diagnostics), never an outcome. */
static void write_wave_log(worker *w)
{
	size_t i;

	if (w->nwave_log) {
		php_mih_log_append_many(w->st, w->wave_log, w->nwave_log);
		w->nwave_log = 0;
	}
	for (i = 0; i < w->nsettled; i++) {
		job_free(w, w->settled[i]);
	}
	w->nsettled = 0;
}

/* Writes the outcomes of every finished transfer (deletes, reschedules,
 * dead letters) in one transaction: one commit (one fsync with
 * durability=full) for all of them instead of several per delivery. A
 * failed commit leaves the tasks leased: they become due again when the
 * lease ends, so nothing is lost (a delivered one may be sent twice, with
 * the same Idempotency-Key). On the SQLite file, the next claim, when one
 * is due once these slots are free, is made in the same transaction: the
 * claim costs no commit of its own, and its tasks are dispatched only
 * after the commit (a claim rolled back with it was never acted on). The
 * wave's log rows are made here and written by write_wave_log(). */
static void settle(worker *w)
{
	bool in_tx = false;
	char err[256];
	size_t i;
	mih_store_task *tasks = NULL;
	size_t count = 0;
	long room = 0;
	worker_job **swap;
	size_t swap_cap;

	write_wave_log(w);
	if (w->ndone > w->wave_cap) {
		w->wave_cap = w->ndone;
		w->wave_log = safe_erealloc(w->wave_log, w->wave_cap, sizeof(*w->wave_log), 0);
		w->wave_ok = safe_erealloc(w->wave_ok, w->wave_cap, sizeof(*w->wave_ok), 0);
	}
	w->nwave_log = w->nwave_ok = 0;
	/* On the SQLite file one transaction makes the wave one fsync. On
	 * Moodle's $DB a wave of deliveries is one DELETE, atomic by itself (its
	 * log rows follow in a statement of their own: a crash between the two
	 * loses only log rows), so a BEGIN and a COMMIT would triple the
	 * statements; failures (reschedules, dead letters) keep the transaction. */
	if (!php_mih_store_is_db(w->st) || !wave_all_delivered(w)) {
		if (mih_store_begin(w->st, err, sizeof(err)) != 0) {
			store_failed(w, "could not start a transaction", err);
		} else {
			in_tx = true;
		}
	}
	/* Failures one by one (each has its own next run or dead letter), the
	 * delivered tasks and the log rows of the whole wave set-based: one
	 * DELETE per claim token and one multi-row INSERT. */
	for (i = 0; i < w->ndone; i++) {
		book(w, w->done[i]);
	}
	if (w->nwave_ok) {
		if (mih_store_complete_many(w->st, w->wave_ok, w->nwave_ok, err, sizeof(err)) != 0) {
			store_failed(w, "could not mark tasks delivered", err);
		} else {
			w->delivered += (long)w->nwave_ok;
		}
	}
	if (in_tx && !php_mih_store_is_db(w->st) && (room = claim_room(w, (long)w->ndone)) > 0
			&& mih_store_claim_due_once(w->st, room, w->lease, w->run_token, &tasks, &count, err, sizeof(err)) != 0) {
		store_failed(w, "could not claim tasks", err);
		room = 0;
	}
	if (in_tx && mih_store_commit(w->st, err, sizeof(err)) != 0) {
		store_failed(w, "could not record the outcomes of deliveries", err);
		mih_store_task_list_free(tasks, count);
		tasks = NULL;
		count = 0;
		room = 0;
		/* Rolled back with the outcomes: these tasks are sent again. */
		w->nwave_log = 0;
	}
	/* The slots are free; the jobs live on in settled until their log
	 * rows are written. */
	for (i = 0; i < w->ndone; i++) {
		w->service_inflight[w->done[i]->svc_index]--;
	}
	swap = w->settled;
	swap_cap = w->settled_cap;
	w->settled = w->done;
	w->settled_cap = w->done_cap;
	w->nsettled = w->ndone;
	w->done = swap;
	w->done_cap = swap_cap;
	w->ndone = 0;
	if (room > 0) {
		claimed(w, tasks, count, room);
	}
}

/* Claims the next batch into the backlog, while the transfers are on the
 * wire. On the SQLite file the claim's commit is relaxed (no fsync with
 * durability full): a power loss can only undo the claim, which makes its
 * tasks due again at once instead of at the end of their lease, and no
 * worker outlives a power loss to be sending them. Every outcome is still
 * committed durably (settle), and that commit makes the claims before it
 * durable too. Returns true when tasks were claimed. */
static bool claim_more(worker *w)
{
	long room = claim_room(w, 0);
	mih_store_task *tasks = NULL;
	size_t count = 0;
	bool in_tx = false;
	char err[256];

	if (room == 0) {
		return false;
	}
	if (!php_mih_store_is_db(w->st)) {
		if (mih_store_begin_relaxed(w->st, err, sizeof(err)) != 0) {
			store_failed(w, "could not start a transaction", err);
			return false;
		}
		in_tx = true;
	}
	if (mih_store_claim_due_once(w->st, room, w->lease, w->run_token, &tasks, &count, err, sizeof(err)) != 0) {
		store_failed(w, "could not claim tasks", err);
		if (in_tx) {
			mih_store_rollback(w->st, NULL, 0);
		}
		return false;
	}
	if (in_tx && mih_store_commit(w->st, err, sizeof(err)) != 0) {
		store_failed(w, "could not claim tasks", err);
		mih_store_task_list_free(tasks, count);
		return false;
	}
	claimed(w, tasks, count, room);
	return count > 0;
}

/* Lets libcurl send and receive, then takes every finished transfer off
 * the multi handle. */
static void pump(worker *w)
{
	CURLMsg *msg;
	int left, running = 0;

	curl_multi_perform(w->multi, &running);
	w->quiet = true;
	while ((msg = curl_multi_info_read(w->multi, &left))) {
		mih_http_transfer *t = NULL;
		worker_job *job;
		if (msg->msg != CURLMSG_DONE) {
			continue;
		}
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		job = t->user;
		curl_multi_remove_handle(w->multi, msg->easy_handle);
		mih_http_transfer_finish(&job->transfer, msg->data.result);
		w->inflight--;
		w->quiet = false;
		finished(w, job);
	}
}

/* ---- options and the run ----------------------------------------------------------- */

static zend_result worker_options(HashTable *options, worker *w)
{
	zend_string *key;
	zval *v;

	ZEND_HASH_FOREACH_STR_KEY_VAL(options, key, v) {
		zend_long *target = NULL;
		zend_long min = 0, max = 0;
		if (key && zend_string_equals_literal(key, "time_limit")) {
			double d;
			if (Z_TYPE_P(v) == IS_LONG) {
				d = (double)Z_LVAL_P(v);
			} else if (Z_TYPE_P(v) == IS_DOUBLE) {
				d = Z_DVAL_P(v);
			} else {
				zend_argument_type_error(1, "option \"time_limit\" must be of type int|float, %s given", zend_zval_type_name(v));
				return FAILURE;
			}
			if (!(d >= 0) || d > 86400) {
				zend_argument_value_error(1, "option \"time_limit\" must be between 0 (none) and 86400 seconds");
				return FAILURE;
			}
			w->time_limit = d;
			continue;
		}
		if (key && zend_string_equals_literal(key, "limit")) {
			target = &w->limit; min = 0; max = ZEND_LONG_MAX;
		} else if (key && zend_string_equals_literal(key, "concurrency")) {
			target = &w->concurrency; min = 1; max = 1024;
		} else if (key && zend_string_equals_literal(key, "per_service")) {
			target = &w->per_service; min = 1; max = 1024;
		} else {
			zend_argument_value_error(1, "contains unknown option \"%s\" (known: limit, time_limit, concurrency, per_service)",
				key ? ZSTR_VAL(key) : "(numeric key)");
			return FAILURE;
		}
		if (Z_TYPE_P(v) != IS_LONG) {
			zend_argument_type_error(1, "option \"%s\" must be of type int, %s given", ZSTR_VAL(key), zend_zval_type_name(v));
			return FAILURE;
		}
		if (Z_LVAL_P(v) < min || Z_LVAL_P(v) > max) {
			zend_argument_value_error(1, "option \"%s\" must be between " ZEND_LONG_FMT " and " ZEND_LONG_FMT,
				ZSTR_VAL(key), min, max);
			return FAILURE;
		}
		*target = Z_LVAL_P(v);
	} ZEND_HASH_FOREACH_END();
	return SUCCESS;
}

/* The lease outlives the slowest service's timeout by mih.lease_margin, so
 * a task is never handed to a second worker while the first may still be
 * sending it. */
static long lease_seconds(const worker *w)
{
	double longest = 1;
	size_t i;

	for (i = 0; i < w->nservices; i++) {
		longest = MAX(longest, w->services[i].timeout);
	}
	return (long)ceil(longest) + (long)MIH_G(lease_margin);
}

static void worker_free(worker *w)
{
	size_t i;

	for (i = 0; i < w->nbacklog; i++) {
		/* Unstarted jobs keep their lease; they become due when it ends. */
		job_free(w, w->backlog[i]);
	}
	for (i = 0; i < w->ndone; i++) {
		job_free(w, w->done[i]);
	}
	if (w->done) {
		efree(w->done);
	}
	for (i = 0; i < w->nsettled; i++) {
		job_free(w, w->settled[i]);
	}
	if (w->settled) {
		efree(w->settled);
	}
	for (i = 0; i < w->nproto; i++) {
		job_free(w, w->proto[i]);
	}
	if (w->proto) {
		efree(w->proto);
	}
	if (w->wave_log) {
		efree(w->wave_log);
		efree(w->wave_ok);
	}
	mih_http_url_memo_dispose(&w->url_memo);
	for (i = 0; i < w->nidle; i++) {
		curl_easy_cleanup(w->idle[i].easy);
		mih_http_handle_url_dispose(&w->idle[i].url);
	}
	if (w->multi) {
		curl_multi_cleanup(w->multi);
	}
	if (w->backlog) {
		efree(w->backlog);
	}
	if (w->idle) {
		efree(w->idle);
	}
	if (w->service_unheard) {
		efree(w->service_unheard);
	}
	if (w->service_inflight) {
		efree(w->service_inflight);
	}
	service_lines_free(w);
	mih_store_service_list_free(w->services, w->nservices);
}

/* Expired dedupe keys forgotten per run: one run a minute keeps up with
 * 1.4 million new keys a day. */
#define DEDUPE_PRUNE_PER_RUN 1000

ZEND_METHOD(local_integrationhub_mih, run_queue)
{
	HashTable *options = NULL;
	worker w;

	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_ARRAY_HT(options)
	ZEND_PARSE_PARAMETERS_END();

	memset(&w, 0, sizeof(w));
	w.concurrency = 16;
	w.per_service = 0;
	if (options && worker_options(options, &w) != SUCCESS) {
		RETURN_THROWS();
	}
	/* By default one service may use every slot: a slow receiver alone
	 * then drains at concurrency / latency. */
	if (w.per_service == 0) {
		w.per_service = w.concurrency;
	}
	w.st = php_mih_store();
	if (!w.st) {
		RETURN_THROWS();
	}
	if (mih_store_service_list(w.st, &w.services, &w.nservices, w.err, sizeof(w.err)) != 0) {
		php_mih_store_throw("could not load services", w.err);
		RETURN_THROWS();
	}
	if (mih_store_new_run_token(w.run_token) != 0) {
		mih_store_service_list_free(w.services, w.nservices);
		php_mih_throw(php_mih_store_exception_ce, 0, "the queue worker could not generate a run token");
		RETURN_THROWS();
	}
	w.started = mih_clock_monotonic_s();
	w.lease = lease_seconds(&w);
	w.multi = curl_multi_init();
	w.backlog = safe_emalloc(HELD_WAVES * (size_t)w.concurrency, sizeof(worker_job *), 0);
	w.idle = safe_emalloc((size_t)w.concurrency + 1, sizeof(idle_easy), 0);
	w.service_inflight = ecalloc(MAX(w.nservices, 1), sizeof(long));
	w.service_unheard = ecalloc(MAX(w.nservices, 1), sizeof(long));
	w.svc_lines = ecalloc(MAX(w.nservices, 1), sizeof(service_lines));
	if (!w.multi) {
		worker_free(&w);
		php_mih_throw(php_mih_transport_exception_ce, 0, "libcurl could not create a multi handle");
		RETURN_THROWS();
	}
	curl_multi_setopt(w.multi, CURLMOPT_MAXCONNECTS, w.concurrency);

	for (;;) {
		bool claimed;
		if (settle_due(&w)) {
			settle(&w);
		}
		/* Free slots are refilled from the backlog at once, and the new
		 * requests sent, so the claim below overlaps with the network. */
		if (drain_backlog(&w) > 0) {
			pump(&w);
		}
		/* Answers that came meanwhile go first; an empty backlog cannot wait. */
		claimed = (w.ndone == 0 || w.nbacklog == 0) && claim_more(&w);
		if (drain_backlog(&w) > 0) {
			pump(&w);
		}
		/* The last settle's log rows, now that its slots' next transfers
		 * (and the claim that feeds them) are under way. */
		write_wave_log(&w);
		flush_proto(&w);
		if (w.inflight == 0 && w.nbacklog == 0 && w.ndone == 0 && w.nproto == 0 && !claimed) {
			break;
		}
		if (w.inflight > 0 && !settle_due(&w)) {
			/* With answers waiting to be written, a short wait lets the rest
			 * of the wave come in, so it is written with them. */
			curl_multi_poll(w.multi, NULL, 0, w.ndone > 0 ? 1 : 100, NULL);
			pump(&w);
		}
	}
	write_wave_log(&w);
	worker_free(&w);
	if (w.failed) {
		php_mih_store_throw("the queue worker stopped", w.err);
		RETURN_THROWS();
	}
	/* Housekeeping, after the deliveries: expired dedupe keys would
	 * otherwise stay forever. A failure costs this run's prune only. */
	if (mih_store_dedupe_prune(w.st, (long)MIH_G(dedupe_ttl), DEDUPE_PRUNE_PER_RUN, NULL,
		w.err, sizeof(w.err)) != 0) {
		php_error_docref(NULL, E_WARNING, "mih: could not forget expired dedupe keys: %s", w.err);
	}
	array_init(return_value);
	add_assoc_long(return_value, "delivered", w.delivered);
	add_assoc_long(return_value, "retried", w.retried);
	add_assoc_long(return_value, "dead", w.dead);
	add_assoc_long(return_value, "parked", w.parked);
	add_assoc_double(return_value, "seconds", mih_clock_monotonic_s() - w.started);
}
