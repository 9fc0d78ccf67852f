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
 * What the pure-PHP plugin's classes (service\registry, rule\registry, circuit_breaker, ...) share:
 * the extension's refusals turned into the \moodle_exception their callers catch, and the records they
 * returned built from the extension's definitions.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class compat {
    /**
     * Runs $fn with the store bound; a refusal of the extension becomes a \moodle_exception.
     *
     * @param callable $fn
     * @param string|null $service the service the call concerns, for the message
     * @return mixed what $fn returns
     * @throws \moodle_exception
     */
    public static function call(callable $fn, ?string $service = null) {
        hub::require_extension();
        hub::bind();
        try {
            return $fn();
        } catch (\local_integrationhub\exception $e) {
            throw self::convert($e, $service);
        } catch (\ValueError $e) {
            // An argument the extension refuses (a NUL byte, an unknown method): the caller's mistake.
            throw new legacy_exception('hub_error', $e->getMessage(), $e);
        }
    }

    /**
     * The \moodle_exception the PHP plugin threw for the same refusal.
     *
     * @param \local_integrationhub\exception $e
     * @param string|null $service
     * @return \moodle_exception
     */
    public static function convert(\local_integrationhub\exception $e, ?string $service = null): \moodle_exception {
        if ($e instanceof \local_integrationhub\service_not_found_exception) {
            return new legacy_exception('service_not_found', $service ?? '', $e);
        }
        if ($e instanceof \local_integrationhub\service_disabled_exception) {
            return new legacy_exception('service_disabled', $service ?? '', $e);
        }
        if ($e instanceof \local_integrationhub\circuit_open_exception) {
            return new legacy_exception('circuit_open_error', $e->service, $e);
        }
        return new legacy_exception('hub_error', $e->getMessage(), $e);
    }

    /**
     * A service as the PHP plugin's local_integrationhub_svc record looked (secrets masked), plus the
     * extension's own fields.
     *
     * @param array $service as mih::service() returns it
     * @return \stdClass
     */
    public static function service_record(array $service): \stdClass {
        $record = [
            'id' => $service['id'],
            'name' => $service['name'],
            'type' => ($service['type'] ?? 'http') === 'http' ? 'rest' : $service['type'],
            'base_url' => $service['base_url'],
            'auth_type' => $service['auth_type'] === 'none' ? 'bearer' : $service['auth_type'],
            'auth_token' => $service['auth_token'] ?? '',
            'timeout' => (int)ceil($service['timeout']),
            'max_retries' => $service['max_retries'],
            'retry_backoff' => (int)ceil($service['retry_backoff']),
            'cb_failure_threshold' => $service['cb_failure_threshold'],
            'cb_cooldown' => (int)ceil($service['cb_cooldown']),
            'response_queue' => null,
            'enabled' => $service['enabled'] ? 1 : 0,
            'timecreated' => $service['timecreated'],
            'timemodified' => $service['timemodified'],
        ];
        return (object)($record + $service);
    }

    /**
     * The name of the service of an id.
     *
     * @param int $id
     * @return string|null
     */
    public static function service_name(int $id): ?string {
        foreach (mih::services() as $service) {
            if ((int)$service['id'] === $id) {
                return $service['name'];
            }
        }
        return null;
    }
}
