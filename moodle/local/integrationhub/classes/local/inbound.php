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

namespace local_integrationhub\local;

use local_integrationhub\mih;

/**
 * Inbound webhooks: which services accept them, and the handling of one call to webhook.php.
 *
 * A service accepts inbound calls only once an administrator opts it in (closed by default). A call is
 * verified by the extension with the service's own credentials, which never reach PHP: a Standard
 * Webhooks v1 signature made with one of its signing secrets, or (for senders of the pure-PHP plugin) its
 * auth token as "Authorization: Bearer" or X-API-Key. Every call, accepted or refused, gets a request-log
 * row with direction "inbound"; an accepted one is answered 200 only after its log row, its webhook-id
 * and the effects of the webhook_received event (rules queue their deliveries) are committed together.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class inbound {
    /** @var string services opted in to inbound calls */
    public const TABLE = 'local_integrationhub_inbound';

    /** @var string webhook-id values already accepted */
    public const SEEN = 'local_integrationhub_seen';

    /** @var int default seconds a signed timestamp may differ from now (Standard Webhooks' own default) */
    public const DEFAULT_TOLERANCE = 300;

    /** @var int default largest body accepted, in bytes */
    public const DEFAULT_MAX_BYTES = 1048576;

    /** @var string[] the ways a call can prove it comes from the service */
    public const AUTHS = ['signature', 'token'];

    /** @var array<string, array{int, string}> a refusal's HTTP status and message string, by reason */
    private const REFUSALS = [
        'method_not_allowed' => [405, 'webhook_method_not_allowed'],
        'missing_service' => [400, 'webhook_missing_service'],
        'unknown_service' => [404, 'webhook_invalid_service'],
        'too_large' => [413, 'webhook_too_large'],
        'missing_credentials' => [401, 'webhook_missing_credentials'],
        'bad_format' => [400, 'webhook_bad_format'],
        'too_old' => [400, 'webhook_too_old'],
        'too_new' => [400, 'webhook_too_new'],
        'bad_signature' => [403, 'webhook_bad_signature'],
        'bad_token' => [403, 'webhook_invalid_token'],
        'not_configured' => [403, 'webhook_not_configured'],
        'service_disabled' => [503, 'webhook_service_disabled'],
        'empty_body' => [400, 'webhook_empty_body'],
        'invalid_json' => [400, 'webhook_invalid_json'],
        'replay' => [409, 'webhook_replay'],
        'not_recorded' => [500, 'webhook_error'],
    ];

    /**
     * The inbound settings of a service, or null when it has none (it accepts no inbound call).
     *
     * @param string $service service name
     * @return \stdClass|null with enabled (bool), auth, tolerance (int)
     */
    public static function settings(string $service): ?\stdClass {
        global $DB;

        $record = $DB->get_record(self::TABLE, ['service' => $service]);
        if (!$record) {
            return null;
        }
        return (object)[
            'enabled' => (bool)$record->enabled,
            'auth' => in_array($record->auth, self::AUTHS, true) ? $record->auth : 'signature',
            'tolerance' => max(0, (int)$record->tolerance),
        ];
    }

    /**
     * Saves a service's inbound settings.
     *
     * @param string $service service name
     * @param bool $enabled whether the service accepts inbound calls
     * @param string $auth signature or token
     * @param int $tolerance seconds
     */
    public static function save_settings(string $service, bool $enabled, string $auth, int $tolerance): void {
        global $DB;

        if (!in_array($auth, self::AUTHS, true)) {
            throw new \coding_exception('inbound auth must be signature or token');
        }
        $values = ['service' => $service, 'enabled' => $enabled ? 1 : 0, 'auth' => $auth,
            'tolerance' => max(0, $tolerance), 'timemodified' => time()];
        $record = $DB->get_record(self::TABLE, ['service' => $service]);
        if ($record) {
            $DB->update_record(self::TABLE, (object)(['id' => $record->id] + $values));
        } else {
            $DB->insert_record(self::TABLE, (object)$values);
        }
    }

    /**
     * Forgets a deleted service's inbound settings and seen ids.
     *
     * @param string $service
     */
    public static function delete_settings(string $service): void {
        global $DB;
        $DB->delete_records(self::TABLE, ['service' => $service]);
        $DB->delete_records(self::SEEN, ['service' => $service]);
    }

    /**
     * The largest body accepted, in bytes (setting inbound_max_bytes).
     *
     * @return int
     */
    public static function max_bytes(): int {
        $value = (int)get_config('local_integrationhub', 'inbound_max_bytes');
        return $value > 0 ? $value : self::DEFAULT_MAX_BYTES;
    }

    /**
     * The address a service's senders post to (the PHP plugin's, so upgraded senders keep working).
     *
     * @param string $service
     * @return string
     */
    public static function url(string $service): string {
        global $CFG;
        return ($CFG->wwwroot ?? '') . '/local/integrationhub/webhook.php?service=' . rawurlencode($service);
    }

    /**
     * Handles one call to webhook.php.
     *
     * @param string $method the request method
     * @param string $service the service parameter ('' when missing)
     * @param array $headers the request headers (name => value, names in any case)
     * @param callable $readbody fn(int $limit): string, reads at most $limit bytes of the body
     * @param int|null $contentlength the Content-Length header, when sent
     * @return array [HTTP status, response body (array, JSON-encoded by the caller), extra headers]
     */
    public static function handle(
        string $method,
        string $service,
        array $headers,
        callable $readbody,
        ?int $contentlength
    ): array {
        $start = microtime(true);
        if (!hub::bind()) {
            return [503, ['success' => false, 'error' => get_string('extensionmissing', 'local_integrationhub')], []];
        }
        if (strtoupper($method) !== 'POST') {
            return self::refuse('method_not_allowed', $service, $start, ['Allow' => 'POST']);
        }
        if ($service === '') {
            return self::refuse('missing_service', $service, $start);
        }
        if (strlen($service) > 255 || str_contains($service, "\0")) {
            return self::refuse('unknown_service', '', $start);
        }
        // A service that is not defined and one that accepts no inbound call look the same from outside.
        try {
            $settings = self::settings($service);
            $known = $settings && $settings->enabled && mih::service($service);
        } catch (\local_integrationhub\exception | \dml_exception $e) {
            return self::refuse('not_recorded', $service, $start, [], $e->getMessage());
        }
        if (!$known) {
            return self::refuse('unknown_service', $service, $start);
        }
        $max = self::max_bytes();
        if ($contentlength !== null && $contentlength > $max) {
            return self::refuse('too_large', $service, $start);
        }
        $body = $readbody($max + 1);
        if (strlen($body) > $max) {
            return self::refuse('too_large', $service, $start);
        }
        try {
            $verified = mih::verify_inbound($service, $headers, $body, $settings->auth, $settings->tolerance);
        } catch (\local_integrationhub\signature_exception $e) {
            $reason = [
                'missing_header' => 'missing_credentials',
                'no_match' => $settings->auth === 'token' ? 'bad_token' : 'bad_signature',
                'error' => 'not_recorded',
            ][$e->reason] ?? $e->reason;
            return self::refuse(isset(self::REFUSALS[$reason]) ? $reason : 'bad_format', $service, $start);
        } catch (\local_integrationhub\service_not_found_exception $e) {
            return self::refuse('unknown_service', $service, $start);
        } catch (\ValueError | \TypeError $e) {
            // A header the extension cannot read (a NUL byte): the sender's mistake.
            return self::refuse('bad_format', $service, $start);
        } catch (\local_integrationhub\exception $e) {
            // The store could not be read: nothing is recorded, the sender should try again.
            return self::refuse('not_recorded', $service, $start, [], $e->getMessage());
        }
        if (!$verified['enabled']) {
            return self::refuse('service_disabled', $service, $start);
        }
        if ($body === '') {
            return self::refuse('empty_body', $service, $start);
        }
        $payload = json_decode($body, true);
        if (!is_array($payload)) {
            return self::refuse('invalid_json', $service, $start);
        }
        $webhookid = $verified['webhook_id'];
        if ($webhookid !== null && strlen($webhookid) > 255) {
            return self::refuse('bad_format', $service, $start);
        }
        return self::record($verified, $payload, $settings->tolerance, $start);
    }

    /**
     * Records an accepted call: its seen id, its log row and the event, in one transaction.
     *
     * @param array $verified what mih::verify_inbound() returned
     * @param array $payload the decoded body
     * @param int $tolerance seconds
     * @param float $start microtime of the call's start
     * @return array [status, body, headers]
     */
    private static function record(array $verified, array $payload, int $tolerance, float $start): array {
        global $DB;

        $service = $verified['service'];
        $webhookid = $verified['webhook_id'];
        $seen = $webhookid === null ? null : ['service' => $service, 'webhookid' => self::seen_key($webhookid)];
        $now = time();
        try {
            $tx = $DB->start_delegated_transaction();
            try {
                if ($webhookid !== null) {
                    $DB->delete_records_select(self::SEEN, 'expires < ?', [$now]);
                    if ($DB->record_exists(self::SEEN, $seen)) {
                        $tx->rollback(new \local_integrationhub\local\inbound_replay());
                    }
                    // The unique index refuses the second of two concurrent deliveries of one id.
                    $DB->insert_record(self::SEEN, (object)($seen + [
                        'timecreated' => $now, 'expires' => $now + 2 * $tolerance + 60]));
                }
                mih::log_inbound($service, ['endpoint' => 'webhook', 'httpstatus' => 200, 'success' => true,
                    'latencyms' => self::elapsed($start)]);
                $event = \local_integrationhub\event\webhook_received::create([
                    'context' => \context_system::instance(),
                    'other' => [
                        'serviceid' => (int)$verified['serviceid'],
                        'servicename' => $service,
                        'source' => 'webhook',
                        'webhookid' => $webhookid,
                        'payload' => $payload,
                    ],
                ]);
                \local_integrationhub\observer::take_failure();
                $event->trigger();
                // The observer keeps an event's own action alive when queuing fails; here the failure is the
                // webhook's: nothing is recorded and the sender is told to try again.
                $failure = \local_integrationhub\observer::take_failure();
                if ($failure !== null) {
                    throw new \moodle_exception('webhook_error', 'local_integrationhub', '', null, $failure);
                }
                $tx->allow_commit();
            } catch (\Throwable $e) {
                if (!$tx->is_disposed()) {
                    $tx->rollback($e);
                }
                throw $e;
            }
        } catch (inbound_replay $e) {
            return self::refuse('replay', $service, $start);
        } catch (\dml_write_exception $e) {
            // The seen id was inserted by a concurrent delivery of the same webhook.
            if ($webhookid !== null && $DB->record_exists(self::SEEN, $seen)) {
                return self::refuse('replay', $service, $start);
            }
            return self::refuse('not_recorded', $service, $start, [], $e->getMessage());
        } catch (\Throwable $e) {
            $detail = $e instanceof \moodle_exception && $e->debuginfo ? $e->debuginfo : $e->getMessage();
            return self::refuse('not_recorded', $service, $start, [], $detail);
        }
        return [200, ['success' => true, 'webhook_id' => $webhookid], []];
    }

    /**
     * The key a webhook-id is remembered by: its SHA-256 in hex, so that an id of any length (up to the
     * 255 bytes accepted) and the service name fit in one Moodle index.
     *
     * @param string $webhookid the webhook-id header
     * @return string 64 hex digits
     */
    public static function seen_key(string $webhookid): string {
        return hash('sha256', $webhookid);
    }

    /**
     * A refusal: its log row and its answer. Neither ever holds a credential: the reason and a fixed message.
     *
     * @param string $reason a key of REFUSALS
     * @param string $service the service parameter
     * @param float $start microtime of the call's start
     * @param array $headers extra response headers
     * @param string|null $detail what failed, for the log only (an internal error)
     * @return array [status, body, headers]
     */
    private static function refuse(
        string $reason,
        string $service,
        float $start,
        array $headers = [],
        ?string $detail = null
    ): array {
        [$status, $stringid] = self::REFUSALS[$reason];
        $message = get_string($stringid, 'local_integrationhub');
        try {
            mih::log_inbound(substr($service, 0, 255), ['endpoint' => 'webhook', 'httpstatus' => $status,
                'success' => false, 'error' => $reason . ': ' . ($detail ?? $message), 'latencyms' => self::elapsed($start)]);
        } catch (\Throwable $e) {
            debugging('Integration Hub: the inbound log row could not be written: ' . $e->getMessage(), DEBUG_NORMAL);
        }
        return [$status, ['success' => false, 'error' => $message, 'reason' => $reason], $headers];
    }

    /**
     * Milliseconds since $start.
     *
     * @param float $start
     * @return int
     */
    private static function elapsed(float $start): int {
        return (int)round((microtime(true) - $start) * 1000);
    }
}
