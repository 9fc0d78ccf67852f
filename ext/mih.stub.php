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

/**
 * @strict-properties
 * @not-serializable
 */
final class mih
{
    private function __construct() {}

    public static function request(string $service, string $path = "/", array|string|null $payload = [], ?string $method = null, array $options = []): mih_response {}

    public static function send(string $service): mih_request {}

    public static function save_service(array $definition): array {}

    public static function service(string $name): ?array {}

    public static function services(): array {}

    public static function delete_service(string $name): bool {}

    public static function configure(array $settings): void {}

    public static function version(): string {}

    public static function render(string $template, mixed $data, string $mode = "json", array $partials = []): string {}

    public static function check_template(string $template, string $mode = "json"): void {}
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

    public function header(string $name, string $value): static {}

    public function timeout(float $seconds): static {}

    public function dispatch(): mih_response {}
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
