<?php

/**
 * @generate-class-entries
 * @undocumentable
 */

namespace local_integrationhub {

/** Root of every refusal the hub throws; a caller's argument mistake is a \ValueError or \TypeError instead. */
class exception extends \RuntimeException
{
}

/** The named service is not defined. */
class service_not_found_exception extends exception
{
}

/** The named service exists but is disabled. */
class service_disabled_exception extends exception
{
}

/** A service (or rule) definition has a bad field; the message names it. */
class invalid_definition_exception extends exception
{
}

/** libcurl could not be set up for the request. */
class transport_exception extends exception
{
}

/** A template failed to compile or render; the message ends with "at line L, column C". */
class template_exception extends exception
{
    /** 1-based line in the template (getLine() stays the PHP source line) */
    public readonly int $template_line;
    /** 1-based column in the template, counted in characters */
    public readonly int $template_column;
}

/** The store could not be opened, read or written; the message says what failed. */
class store_exception extends exception
{
}

/** The task is in a state that does not allow the operation (e.g. deleting a running task). */
class task_state_exception extends exception
{
}

/** The service's circuit is open: nothing was sent. */
class circuit_open_exception extends exception
{
    public readonly string $service;
    /** seconds until a probe may go */
    public readonly int $retry_after;
}

/** A webhook failed verification; reason is missing_header, bad_format, too_old, too_new or no_match. */
class signature_exception extends exception
{
    public readonly string $reason;
}

/**
 * @strict-properties
 * @not-serializable
 */
final class mih
{
    /**
     * The request log's table, as the pure-PHP plugin named it.
     * @var string
     */
    public const LOG_TABLE = "local_integrationhub_log";

    /** the pure-PHP plugin's singleton, for mih::instance() */
    private static ?mih $instance = null;

    private function __construct() {}

    /* Parameters that can carry a credential are #[\SensitiveParameter], so
     * that a stack trace shows Object(SensitiveParameterValue) instead:
     * headers (options, header values, definitions, webhook headers such as a
     * framework's whole getallheaders()), secrets and the $DB object, whose
     * properties hold the database password. Payloads, event data and
     * webhook bodies are data and stay visible. */
    public static function request(string $service, string $path = "/", array|string|null $payload = [], ?string $method = null, #[\SensitiveParameter] array $options = []): mih_response {}

    public static function send(string $service): mih_request {}

    public static function save_service(#[\SensitiveParameter] array $definition): array {}

    public static function service(string $name): ?array {}

    public static function services(): array {}

    public static function service_defaults(): array {}

    public static function delete_service(string $name): bool {}

    public static function configure(array $settings): void {}

    public static function version(): string {}

    public static function render(string $template, mixed $data, string $mode = "json", array $partials = []): string {}

    public static function render_each(array $templates, mixed $data, string $mode = "json", array $partials = []): array {}

    public static function check_template(string $template, string $mode = "json"): void {}

    public static function circuit(string $service): array {}

    public static function reset_circuit(string $service): void {}

    public static function reset_circuits(): void {}

    public static function use_sqlite(string $path): void {}

    public static function use_db(#[\SensitiveParameter] object $db): void {}

    public static function save_rule(#[\SensitiveParameter] array $rule): array {}

    public static function rule(int $id): ?array {}

    public static function rules(array $filter = []): array {}

    public static function delete_rule(int $id): bool {}

    public static function emit(string $eventname, array|object $eventdata, array $options = []): array {}

    public static function enqueue(string $service, string $path = "/", array|string|null $payload = [], ?string $method = null): int {}

    public static function run_queue(array $options = []): array {}

    public static function tasks(array $filter = []): array {}

    public static function count_tasks(array $filter = []): int {}

    public static function task(int $id): ?array {}

    public static function retry_task(int $id): bool {}

    public static function delete_task(int $id): bool {}

    public static function dead_letters(array $filter = []): array {}

    public static function count_dead_letters(array $filter = []): int {}

    public static function replay(int $id): int {}

    public static function replay_all(array $filter = []): int {}

    public static function delete_dead_letter(int $id): bool {}

    public static function purge_dead_letters(array $filter = []): int {}

    public static function log(array $filter = []): array {}

    public static function privacy_contexts(?int $userid = null): array {}

    public static function privacy_users(?int $contextid): array {}

    public static function privacy_export(array $filter): array {}

    public static function privacy_delete(array $filter): array {}

    public static function stats(): array {}

    public static function verify_webhook(#[\SensitiveParameter] array $headers, string $body, #[\SensitiveParameter] string|array $secrets, int $tolerance = 300): void {}

    public static function rotate_secrets(): int {}

    /* Inbound calls, verified with the service's own credentials (its
     * signing_secrets, or with $auth "token" its auth_token), which never
     * leave the extension. */
    public static function verify_inbound(string $service, #[\SensitiveParameter] array $headers, string $body, string $auth = "signature", int $tolerance = 300): array {}

    public static function log_inbound(string $service, array $entry): void {}

    /* The pure-PHP plugin's API: a singleton whose execute_request() is mih::request(). */
    public static function instance(): mih {}

    /* One outcome of a call made outside the hub, for the pure-PHP plugin's circuit_breaker class. */
    public static function record_outcome(string $service, bool $success): array {}

    public function execute_request(string $servicename, string $endpoint = "/", array $payload = [], string $method = ""): mih_response {}
}

/**
 * @strict-properties
 * @not-serializable
 */
final class mih_request
{
    private function __construct() {}

    public function to(string $path): static {}

    public function with(array|string $payload): static {}

    public function method(string $method): static {}

    public function header(string $name, #[\SensitiveParameter] string $value): static {}

    public function timeout(float $seconds): static {}

    public function dispatch(): mih_response {}

    public function queue(): int {}
}

/**
 * @strict-properties
 * @not-serializable
 */
final class mih_response
{
    public readonly bool $success;
    public readonly ?int $httpstatus;
    public readonly ?string $body;
    public readonly ?string $error;
    public readonly float $latencyms;
    public readonly int $attempts;
    public readonly array $headers;

    private function __construct() {}

    public function is_ok(): bool {}

    public function json(bool $assoc = true): mixed {}

    public function header(string $name): ?string {}
}

}
