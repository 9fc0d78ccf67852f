<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

// phpcs:ignoreFile -- the extension's API as it is: its 13 classes in one file, its property names
// (template_line, retry_after), and no MOODLE_INTERNAL check in a file nothing includes.

/**
 * The API of the mih PHP extension, for IDEs and static analysis (phpstan, psalm): never loaded.
 *
 * The classes below are declared by the extension itself; this file only describes them. It is
 * generated from the extension's ext/mih.stub.php by scripts/gen-ide-stub.php: do not edit it.
 * Moodle never includes it (it is outside classes/, so the autoloader does not see it). Point a
 * tool at it: phpstan `scanFiles` or `stubFiles`, psalm `<stubs>`, or an IDE's include path.
 *
 * @package    local_integrationhub
 * @copyright  2026 The mih developers
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_integrationhub;

/**
 * Root of every refusal the hub throws; a caller's argument mistake is a \ValueError or \TypeError
 * instead.
 *
 * No message of the family contains an auth token, a signing secret or another credential.
 *
 * @package  local_integrationhub
 */
class exception extends \RuntimeException {
}

/**
 * The named service is not defined.
 *
 * @package  local_integrationhub
 */
class service_not_found_exception extends exception {
}

/**
 * The named service exists but is disabled.
 *
 * @package  local_integrationhub
 */
class service_disabled_exception extends exception {
}

/**
 * A service (or rule) definition has a bad field; the message names it.
 *
 * @package  local_integrationhub
 */
class invalid_definition_exception extends exception {
}

/**
 * libcurl could not be set up for the request.
 *
 * @package  local_integrationhub
 */
class transport_exception extends exception {
}

/**
 * A template failed to compile or render; the message ends with "at line L, column C".
 *
 * A failing jsonSerialize() in the data is reported with line and column 0 (the failure is in the
 * data, not the template), the thrown exception as the previous one.
 *
 * @package  local_integrationhub
 */
class template_exception extends exception {
    /**
     * 1-based line in the template (getLine() stays the PHP source line)
     *
     * @var int
     */
    public readonly int $template_line;

    /**
     * 1-based column in the template, counted in characters
     *
     * @var int
     */
    public readonly int $template_column;
}

/**
 * The store could not be opened, read or written; the message says what failed.
 *
 * @package  local_integrationhub
 */
class store_exception extends exception {
}

/**
 * The task is in a state that does not allow the operation (e.g. deleting a running task).
 *
 * @package  local_integrationhub
 */
class task_state_exception extends exception {
}

/**
 * The service's circuit is open: nothing was sent. The code is 503.
 *
 * @package  local_integrationhub
 */
class circuit_open_exception extends exception {
    /**
     * The name of the service whose circuit is open
     *
     * @var string
     */
    public readonly string $service;

    /**
     * Seconds until a probe may go
     *
     * @var int
     */
    public readonly int $retry_after;
}

/**
 * A webhook failed verification; reason is missing_header, bad_format, too_old, too_new or
 * no_match.
 *
 * @package  local_integrationhub
 */
class signature_exception extends exception {
    /**
     * Why verification failed: missing_header, bad_format, too_old, too_new or no_match
     *
     * @var string
     */
    public readonly string $reason;
}

/**
 * The Integration Hub: named services, synchronous requests, event rules, the delivery queue and
 * its dead-letter queue, circuit breakers, signed and inbound webhooks. Static methods, plus the
 * pure-PHP plugin's mih::instance()->execute_request().
 *
 * Not serializable.
 *
 * @package  local_integrationhub
 */
final class mih {
    /**
     * The pure-PHP plugin's singleton, for mih::instance().
     *
     * @var mih|null
     */
    private static ?mih $instance = null;

    /**
     * Not instantiable: mih::instance() gives the one object there is.
     */
    private function __construct() {
    }

    /**
     * Calls a named service now and returns its answer.
     *
     * URL = the service's base_url + $path with exactly one slash between them. POST, PUT, PATCH
     * and DELETE send the payload as JSON, GET and HEAD put it in the query string; a string
     * payload is sent verbatim, null or [] sends no body. Retries connection errors, timeouts and
     * the service's retry_statuses with exponential backoff and full jitter, within the call's
     * deadline. A request that was made and failed (refused, timed out, non-2xx, blocked
     * destination, answer too large) returns a failed response with a precise error instead of
     * throwing.
     *
     * @param string $service the service's name
     * @param string $path appended to the service's base_url
     * @param array|string|null $payload the body (JSON) or query string (GET, HEAD)
     * @param string|null $method the HTTP method; null takes the service's method (default POST)
     * @param array $options headers, timeout, connect_timeout, deadline (seconds, default 30),
     *     max_retries; another key is a \ValueError
     * @return mih_response
     * @throws service_not_found_exception when no service has that name
     * @throws service_disabled_exception when the service is disabled
     * @throws circuit_open_exception when the service's circuit is open (nothing was sent)
     * @throws transport_exception when libcurl could not be set up
     * @throws store_exception when the service could not be read from the store
     */
    public static function request(
        string $service,
        string $path = "/",
        array|string|null $payload = [],
        ?string $method = null,
        #[\SensitiveParameter] array $options = []
    ): mih_response {
    }

    /**
     * Starts a fluent call to a named service:
     * mih::send('crm')->to('/api')->with($data)->dispatch().
     *
     * @param string $service the service's name (looked up when the call is dispatched or queued)
     * @return mih_request
     */
    public static function send(string $service): mih_request {
    }

    /**
     * Creates the service of that name, or updates it: fields not given keep their values.
     *
     * A field given as null takes its default; secrets come back masked ("****abcd") and a masked
     * value sent back keeps the stored secret. The fields and their defaults:
     * mih::service_defaults().
     *
     * @param array $definition name, base_url, method, auth_type (none, bearer, apikey, basic),
     *     auth_token, headers, timeouts, retry, breaker and queue settings, signing_secrets,
     *     enabled
     * @return array<string, mixed> the saved definition, secrets masked
     * @throws invalid_definition_exception when a field is bad (the message names it)
     * @throws store_exception when the store cannot be written
     */
    public static function save_service(#[\SensitiveParameter] array $definition): array {
    }

    /**
     * The definition of one service, secrets masked.
     *
     * @param string $name
     * @return array<string, mixed>|null the definition, or null when no service has that name
     * @throws store_exception when the store cannot be read
     */
    public static function service(string $name): ?array {
    }

    /**
     * Every service's definition, secrets masked, ordered by name.
     *
     * @return array<int, array<string, mixed>>
     * @throws store_exception when the store cannot be read
     */
    public static function services(): array {
    }

    /**
     * The defaults of every service field: what a form shows for a new service.
     *
     * @return array
     */
    public static function service_defaults(): array {
    }

    /**
     * Deletes a service.
     *
     * @param string $name
     * @return bool false when no service had that name
     * @throws store_exception when the store cannot be written
     */
    public static function delete_service(string $name): bool {
    }

    /**
     * Sets the site's outbound lists, on top of the host's INI lists (mih.blocked_hosts,
     * mih.allowed_ports), and the site's web proxy, instead of the host's (mih.proxy_*).
     *
     * The site's blocked hosts are blocked as well as the host's; its allowed ports can only narrow
     * the host's list, so this never lifts a restriction the host set. The proxy_* keys are one
     * group: a call with any of them replaces the whole proxy (keys left out are empty; proxy_host
     * "" is direct). Without a proxy every transfer goes direct: libcurl's
     * http_proxy/https_proxy/ALL_PROXY/NO_PROXY environment variables are never used. A proxied
     * target is checked by the policy before the transfer (its name, the addresses it resolves to
     * here, its port), and so is every redirect.
     *
     * @param array $settings blocked_hosts (addresses, CIDR and a-b ranges, names, *.wildcards),
     *     allowed_ports, proxy_host, proxy_port (0: libcurl's default, 1080), proxy_type (http or
     *     socks5), proxy_user, proxy_password (a secret, never shown back), proxy_bypass (Moodle's
     *     proxybypass entries)
     * @return void
     */
    public static function configure(#[\SensitiveParameter] array $settings): void {
    }

    /**
     * The extension's version, e.g. "2.0.0" (the product's one version: plugin and packages agree).
     *
     * @return string
     */
    public static function version(): string {
    }

    /**
     * Renders a Mustache template over data.
     *
     * Modes: json (the output must parse as JSON; tags in value position emit typed values), url
     * (values percent-encoded), html (spec escaping) and text. Inserted data is never re-read as
     * template text. Templates are compiled once per process.
     *
     * @param string $template the Mustache template
     * @param mixed $data arrays, scalars and objects as json_encode sees them
     * @param string $mode json, url, html or text
     * @param array $partials partial templates by name
     * @return string
     * @throws template_exception when the template does not compile or render ("at line L, column
     *     C")
     */
    public static function render(string $template, mixed $data, string $mode = "json", array $partials = []): string {
    }

    /**
     * Renders several templates over one data array, checked once.
     *
     * @param array $templates templates by key
     * @param mixed $data arrays, scalars and objects as json_encode sees them
     * @param string $mode json, url, html or text
     * @param array $partials partial templates by name
     * @return array<string, string> the outputs under the templates' keys
     * @throws template_exception when a template fails; the message names its key
     */
    public static function render_each(
        array $templates,
        mixed $data,
        string $mode = "json",
        array $partials = []
    ): array {
    }

    /**
     * Checks that a template compiles in a mode, without data.
     *
     * @param string $template the Mustache template
     * @param string $mode json, url, html or text
     * @return void
     * @throws template_exception naming the line and column of the first error
     */
    public static function check_template(string $template, string $mode = "json"): void {
    }

    /**
     * The state of a service's circuit breaker on this host: state (closed, open, half_open),
     * counts and times.
     *
     * @param string $service
     * @return array
     * @throws service_not_found_exception when no service has that name
     */
    public static function circuit(string $service): array {
    }

    /**
     * Closes a service's circuit on this host and forgets its failures.
     *
     * @param string $service
     * @return void
     * @throws service_not_found_exception when no service has that name
     * @throws exception when the shared breaker table cannot be written
     */
    public static function reset_circuit(string $service): void {
    }

    /**
     * Closes every circuit of this store on this host.
     *
     * @return void
     */
    public static function reset_circuits(): void {
    }

    /**
     * Uses the embedded SQLite store at $path (created when missing) for this process.
     *
     * @param string $path the database file
     * @return void
     * @throws store_exception when the file cannot be opened or created; the store in use stays as
     *     it was
     */
    public static function use_sqlite(string $path): void {
    }

    /**
     * Uses Moodle's $DB as the store for this request: an event emitted inside a Moodle transaction
     * is queued in that transaction.
     *
     * @param object $db Moodle's moodle_database ($DB)
     * @return void
     */
    public static function use_db(#[\SensitiveParameter] object $db): void {
    }

    /**
     * Creates a rule (no id) or updates one (with its id), after checking everything: the service
     * exists, both templates compile, the method is known.
     *
     * @param array $rule eventname, service, endpoint (a url-mode template), method,
     *     payload_template (json mode; empty sends the event data), headers, enabled, and id to
     *     update
     * @return array<string, mixed> the saved rule, credential headers masked
     * @throws invalid_definition_exception when a field is bad (the message names it)
     * @throws template_exception when a template does not compile
     * @throws store_exception when the store cannot be written
     */
    public static function save_rule(#[\SensitiveParameter] array $rule): array {
    }

    /**
     * One rule, credential headers masked.
     *
     * @param int $id
     * @return array<string, mixed>|null the rule, or null when there is no rule with that id
     * @throws store_exception when the store cannot be read
     */
    public static function rule(int $id): ?array {
    }

    /**
     * The rules, credential headers masked.
     *
     * @param array $filter eventname, service, enabled
     * @return array
     * @throws store_exception when the store cannot be read
     */
    public static function rules(array $filter = []): array {
    }

    /**
     * Deletes a rule.
     *
     * @param int $id
     * @return bool false when there was no rule with that id
     * @throws store_exception when the store cannot be written
     */
    public static function delete_rule(int $id): bool {
    }

    /**
     * Renders every enabled rule of the event and queues one task per rule, in one transaction.
     *
     * A rule whose template fails on this data sends its task straight to the DLQ with the error.
     * An event with no rule costs no query.
     *
     * @param string $eventname Moodle's \component\event\name (the leading backslash optional)
     * @param array|object $eventdata the event's data (Moodle's $event->get_data())
     * @param array $options dedupe_key: an event with a key seen within mih.dedupe_ttl queues
     *     nothing
     * @return array<int, int> the ids of the queued tasks
     * @throws template_exception when a jsonSerialize() in the data throws (nothing is queued)
     * @throws store_exception when the store cannot be written
     */
    public static function emit(string $eventname, array|object $eventdata, array $options = []): array {
    }

    /**
     * Queues one call to a named service for the worker (mih::run_queue()).
     *
     * @param string $service the service's name
     * @param string $path appended to the service's base_url
     * @param array|string|null $payload the body (JSON) or query string (GET, HEAD)
     * @param string|null $method the HTTP method; null takes the service's method
     * @return int the task's id
     * @throws service_not_found_exception when no service has that name
     * @throws store_exception when the store cannot be written
     */
    public static function enqueue(
        string $service,
        string $path = "/",
        array|string|null $payload = [],
        ?string $method = null
    ): int {
    }

    /**
     * Delivers due tasks concurrently (curl_multi) under a lease, retrying, parking or moving them
     * to the DLQ.
     *
     * @param array $options limit (0: all due), time_limit (seconds, 0: none), concurrency (16),
     *     per_service (the concurrency)
     * @return array{delivered: int, retried: int, dead: int, parked: int, seconds: float} the outcome of the
     *     run
     * @throws store_exception when the store cannot be read or written
     */
    public static function run_queue(array $options = []): array {
    }

    /**
     * Queued tasks, filtered in SQL.
     *
     * @param array $filter status (pending, retrying, parked, running), service, eventname, limit
     *     (50), offset
     * @return array
     * @throws store_exception when the store cannot be read
     */
    public static function tasks(array $filter = []): array {
    }

    /**
     * How many tasks the filter of mih::tasks() (without limit and offset) matches.
     *
     * @param array $filter status, service, eventname
     * @return int
     * @throws store_exception when the store cannot be read
     */
    public static function count_tasks(array $filter = []): int {
    }

    /**
     * One task with its exact payload, endpoint, method and headers (credentials masked).
     *
     * @param int $id
     * @return array<string, mixed>|null the task, or null when there is no task with that id
     * @throws store_exception when the store cannot be read
     */
    public static function task(int $id): ?array {
    }

    /**
     * Makes a waiting or parked task claimable by the very next worker run (the admin's "Retry
     * now").
     *
     * @param int $id
     * @return bool false when there is no such task
     * @throws task_state_exception when a worker holds the task
     * @throws store_exception when the store cannot be written
     */
    public static function retry_task(int $id): bool {
    }

    /**
     * Deletes a task that no worker holds.
     *
     * @param int $id
     * @return bool false when there is no such task
     * @throws task_state_exception when a worker holds the task
     * @throws store_exception when the store cannot be written
     */
    public static function delete_task(int $id): bool {
    }

    /**
     * Dead letters: the real last error, the truncated response body, the payload and the event
     * data.
     *
     * @param array $filter service, eventname, since (failed at or after), error (any part,
     *     ignoring case), limit (50), offset
     * @return array
     * @throws store_exception when the store cannot be read
     */
    public static function dead_letters(array $filter = []): array {
    }

    /**
     * One dead letter by id, with the same fields as an entry of dead_letters().
     *
     * @param int $id
     * @return array<string, mixed>|null the dead letter, or null when there is none with that id
     * @throws store_exception when the store cannot be read
     */
    public static function dead_letter(int $id): ?array {
    }

    /**
     * How many dead letters the filter of mih::dead_letters() (without limit and offset) matches.
     *
     * @param array $filter service, eventname, since, error
     * @return int
     * @throws store_exception when the store cannot be read
     */
    public static function count_dead_letters(array $filter = []): int {
    }

    /**
     * Queues a dead letter's bytes again with a fresh attempt budget, and removes the entry once
     * queued.
     *
     * @param int $id
     * @return int the new task's id
     * @throws task_state_exception when there is no dead letter with that id
     * @throws store_exception when the store cannot be written
     */
    public static function replay(int $id): int {
    }

    /**
     * Replays every dead letter the filter matches.
     *
     * @param array $filter service, eventname, since, error
     * @return int how many were queued again
     * @throws store_exception when the store cannot be written
     */
    public static function replay_all(array $filter = []): int {
    }

    /**
     * Deletes one dead letter.
     *
     * @param int $id
     * @return bool false when there was no such dead letter
     * @throws store_exception when the store cannot be written
     */
    public static function delete_dead_letter(int $id): bool {
    }

    /**
     * Deletes every dead letter the filter matches.
     *
     * @param array $filter service, eventname, since, error
     * @return int how many were deleted
     * @throws store_exception when the store cannot be written
     */
    public static function purge_dead_letters(array $filter = []): int {
    }

    /**
     * The request log (one row per HTTP attempt, no payload), newest first.
     *
     * @param array $filter service, task_id, success, since, limit, offset
     * @return array
     * @throws store_exception when the store cannot be read
     */
    public static function log(array $filter = []): array {
    }

    /**
     * Writes the request-log rows of synchronous calls buffered in this process now (one multi-row
     * insert) and returns how many there were. They are also written every mih.log_flush_rows
     * calls, before any read of the log, on a store change, and at the end of the request (with
     * Moodle's $DB from a shutdown function the hub registers, while $DB is still usable). A failed
     * write is a notice, never an exception: the log is diagnostics.
     *
     * @return int how many rows were buffered
     */
    public static function flush_log(): int {
    }

    /**
     * The statements the store has sent through the bound Moodle $DB since mih::use_db(): "reads"
     * (get_records_sql), "writes" (execute, insert_record, insert_records: one each, whatever the
     * number of rows), "total" (reads + writes) and "transactions" (delegated transactions the
     * store started while none of its own was open; Moodle adds a BEGIN and a COMMIT only when the
     * caller had none open either). All 0 on the SQLite store. Deterministic: the tests assert them
     * per operation.
     *
     * @return array{reads: int, writes: int, total: int, transactions: int}
     */
    public static function query_counts(): array {
    }

    /**
     * The distinct context ids (ascending) of the tasks and dead letters linked to a user (null: of
     * all).
     *
     * @param int|null $userid the user, or null for every row
     * @return array<int, int|null> context ids; null stands for rows without a context
     * @throws store_exception when the store cannot be read
     */
    public static function privacy_contexts(?int $userid = null): array {
    }

    /**
     * The distinct user ids (ascending) the tasks and dead letters of a context are linked to.
     *
     * @param int|null $contextid the context, or null for rows without one
     * @return array
     * @throws store_exception when the store cannot be read
     */
    public static function privacy_users(?int $contextid): array {
    }

    /**
     * The tasks and dead letters of a user and/or a context, for a Moodle privacy export.
     *
     * @param array $filter userid (int) and/or contextid (int, or null for rows without a context);
     *     at least one
     * @return array{tasks: array<int, array<string, mixed>>, dead_letters: array<int, array<string, mixed>>} ordered by id
     * @throws store_exception when the store cannot be read
     */
    public static function privacy_export(array $filter): array {
    }

    /**
     * Deletes the tasks and dead letters of users and/or a context, and the log rows of those
     * deliveries, in one transaction.
     *
     * @param array $filter userid (int) or userids (a non-empty list), and/or contextid (int or
     *     null); at least one
     * @return array{tasks: int, dead_letters: int, log: int} how many rows of each were deleted
     * @throws store_exception when the store cannot be written
     */
    public static function privacy_delete(array $filter): array {
    }

    /**
     * Figures for a dashboard, by service name: circuit, calls_24h, success_24h, failure_24h,
     * p50_ms and p95_ms, queue (pending, retrying, parked, running) and dead. The call figures
     * count the hub's own calls to the service (direction outbound) by its id, so a service deleted
     * and created again under the same name starts from none; inbound webhooks are in log() only.
     *
     * @return array
     * @throws store_exception when the store cannot be read
     */
    public static function stats(): array {
    }

    /**
     * Whether an enabled rule matches the event, from the per-process rules cache (no query while
     * it is fresh): lets an observer skip building the event data of an event nothing listens to.
     * The leading backslash is optional.
     *
     * @param string $eventname the event's name, e.g. \core\event\user_loggedin
     * @return bool
     * @throws store_exception when the rules cannot be loaded
     */
    public static function has_rules(string $eventname): bool {
    }

    /**
     * Verifies a Standard Webhooks v1 signature (webhook-id, webhook-timestamp, webhook-signature)
     * in constant time.
     *
     * @param array $headers the request's headers (names in any case)
     * @param string $body the exact bytes received
     * @param string|array $secrets one secret or several (whsec_ + base64, the prefix optional)
     * @param int $tolerance seconds the timestamp may differ from now
     * @return void
     * @throws signature_exception when verification fails; its reason says why
     */
    public static function verify_webhook(
        #[\SensitiveParameter] array $headers,
        string $body,
        #[\SensitiveParameter] string|array $secrets,
        int $tolerance = 300
    ): void {
    }

    /**
     * Re-encrypts every stored secret under mih.secret_key, in one transaction.
     *
     * @return int how many values were rewritten (0 when nothing was left)
     * @throws store_exception when a value does not decrypt or the store cannot be written
     */
    public static function rotate_secrets(): int {
    }

    /**
     * Verifies an inbound call with the service's own credentials, which never leave the extension.
     *
     * With $auth "signature": Standard Webhooks v1 (webhook-id, webhook-timestamp,
     * webhook-signature) signed with one of the service's signing_secrets, the timestamp within
     * $tolerance seconds. With "token": the service's auth_token as "Authorization: Bearer" or
     * X-API-Key (the pure-PHP plugin's check), compared in constant time. A disabled service is
     * still verified (enabled says so).
     *
     * @param string $service the service's name
     * @param array $headers the request's headers (names in any case)
     * @param string $body the exact bytes received
     * @param string $auth signature or token
     * @param int $tolerance seconds the timestamp may differ from now
     * @return array<string, mixed> service, serviceid, enabled, auth, webhook_id, timestamp
     * @throws signature_exception when the call is refused; reason: missing_header, bad_format,
     *     too_old, too_new, no_match or not_configured
     * @throws service_not_found_exception when no service has that name
     * @throws store_exception when the service could not be read from the store
     */
    public static function verify_inbound(
        string $service,
        #[\SensitiveParameter] array $headers,
        string $body,
        string $auth = "signature",
        int $tolerance = 300
    ): array {
    }

    /**
     * Writes the request-log row of an inbound call (direction inbound) at once, in the caller's
     * transaction on Moodle's $DB.
     *
     * @param string $service the service's name (a name that is no service is logged with id 0)
     * @param array $entry success (bool, required), endpoint, method, httpstatus, error, latencyms
     * @return void
     * @throws store_exception when the row cannot be written
     */
    public static function log_inbound(string $service, array $entry): void {
    }

    /**
     * The pure-PHP plugin's singleton: the one mih object of the request.
     *
     * @return mih
     */
    public static function instance(): mih {
    }

    /**
     * Tells the service's circuit breaker the outcome of a call made outside the hub (the pure-PHP
     * plugin's circuit_breaker::record_success() and record_failure()).
     *
     * An open circuit still cooling down takes no outcome: only a probe after the cooldown closes
     * it.
     *
     * @param string $service the service's name
     * @param bool $success whether the call succeeded (a failure counts as a connection error)
     * @return array<string, mixed> the circuit, as mih::circuit() returns it
     * @throws service_not_found_exception when no service has that name
     */
    public static function record_outcome(string $service, bool $success): array {
    }

    /**
     * The pure-PHP plugin's execute_request(): mih::request() with its arguments.
     *
     * @param string $servicename the service's name
     * @param string $endpoint appended to the service's base_url
     * @param array $payload the body (JSON) or query string (GET, HEAD)
     * @param string $method the HTTP method; "" takes the service's method
     * @return mih_response
     * @throws service_not_found_exception when no service has that name
     * @throws service_disabled_exception when the service is disabled
     * @throws circuit_open_exception when the service's circuit is open (nothing was sent)
     * @throws transport_exception when libcurl could not be set up
     * @throws store_exception when the service could not be read from the store
     */
    public function execute_request(
        string $servicename,
        string $endpoint = "/",
        array $payload = [],
        string $method = ""
    ): mih_response {
    }
}

/**
 * A call being built by mih::send(): each setter returns the builder.
 *
 * Not serializable.
 *
 * @package  local_integrationhub
 */
final class mih_request {
    /**
     * Made by mih::send() only.
     */
    private function __construct() {
    }

    /**
     * Sets the path appended to the service's base_url.
     *
     * @param string $path
     * @return static
     */
    public function to(string $path): static {
    }

    /**
     * Sets the payload: an array sent as JSON (or query string), a string sent verbatim.
     *
     * @param array|string $payload
     * @return static
     */
    public function with(array|string $payload): static {
    }

    /**
     * Sets the HTTP method (upper-cased; an unknown method is a \ValueError).
     *
     * @param string $method
     * @return static
     */
    public function method(string $method): static {
    }

    /**
     * Adds a header; a later one with the same name wins.
     *
     * @param string $name
     * @param string $value
     * @return static
     */
    public function header(string $name, #[\SensitiveParameter] string $value): static {
    }

    /**
     * Sets the timeout of each attempt, in seconds.
     *
     * @param float $seconds
     * @return static
     */
    public function timeout(float $seconds): static {
    }

    /**
     * Sends the call now, as mih::request() does.
     *
     * @return mih_response
     * @throws service_not_found_exception when no service has that name
     * @throws service_disabled_exception when the service is disabled
     * @throws circuit_open_exception when the service's circuit is open
     * @throws transport_exception when libcurl could not be set up
     */
    public function dispatch(): mih_response {
    }

    /**
     * Queues the call for the worker, as mih::enqueue() does.
     *
     * @return int the task's id
     * @throws service_not_found_exception when no service has that name
     * @throws store_exception when the store cannot be written
     */
    public function queue(): int {
    }
}

/**
 * The answer to a synchronous call (mih::request(), mih_request::dispatch()); read-only.
 *
 * Not serializable.
 *
 * @package  local_integrationhub
 */
final class mih_response {
    /**
     * True for a 2xx answer
     *
     * @var bool
     */
    public readonly bool $success;

    /**
     * The HTTP status, null when no HTTP answer came
     *
     * @var int|null
     */
    public readonly ?int $httpstatus;

    /**
     * The response body, kept for non-2xx answers too
     *
     * @var string|null
     */
    public readonly ?string $body;

    /**
     * Why the call failed ("HTTP 404 Not Found", "timed out after 5000 ms", ...), null on success
     *
     * @var string|null
     */
    public readonly ?string $error;

    /**
     * Milliseconds the whole call took, retries and backoff included
     *
     * @var float
     */
    public readonly float $latencyms;

    /**
     * How many HTTP attempts were made
     *
     * @var int
     */
    public readonly int $attempts;

    /**
     * The response headers: lower-case name => value, repeats joined with ", "
     *
     * @var array
     */
    public readonly array $headers;

    /**
     * Made by the hub only.
     */
    private function __construct() {
    }

    /**
     * Whether the call succeeded (a 2xx answer).
     *
     * @return bool
     */
    public function is_ok(): bool {
    }

    /**
     * Decodes the body with PHP's own JSON decoder.
     *
     * @param bool $assoc objects as arrays (the default) or as \stdClass
     * @return mixed
     * @throws \JsonException when the body is not JSON
     */
    public function json(bool $assoc = true): mixed {
    }

    /**
     * One response header.
     *
     * @param string $name the header's name, in any case
     * @return string|null its value, or null when the answer had no such header
     */
    public function header(string $name): ?string {
    }
}
