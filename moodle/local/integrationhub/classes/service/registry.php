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

namespace local_integrationhub\service;

use local_integrationhub\local\compat;
use local_integrationhub\local\hub;
use local_integrationhub\local\inbound;
use local_integrationhub\mih;

/**
 * The pure-PHP plugin's service registry, over the extension's service definitions.
 *
 * Records come back as the PHP plugin's local_integrationhub_svc rows did (plus the extension's fields),
 * except that auth_token is masked ("****" + its last 4 characters): the extension never shows a secret
 * back. Refusals are \moodle_exception, as before.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class registry {
    /** @var string Table name for services. */
    const TABLE = 'local_integrationhub_svc';

    /** @var string[] the PHP plugin's fields that map one to one onto the extension's */
    private const FIELDS = ['base_url', 'auth_token', 'timeout', 'max_retries', 'retry_backoff', 'cb_failure_threshold',
        'cb_cooldown'];

    /**
     * Get a service record by its unique name (slug).
     *
     * @param string $name The service name.
     * @return \stdClass|false The service record, or false if not found.
     */
    public static function get_service(string $name) {
        $service = compat::call(fn() => mih::service($name), $name);
        return $service ? compat::service_record($service) : false;
    }

    /**
     * Get a service record by its ID.
     *
     * @param int $id The service ID.
     * @return \stdClass The service record.
     * @throws \dml_missing_record_exception If not found.
     */
    public static function get_service_by_id(int $id): \stdClass {
        $name = compat::call(fn() => compat::service_name($id));
        if ($name === null) {
            throw new \dml_missing_record_exception(self::TABLE, 'id = ?', [$id]);
        }
        return self::get_service($name);
    }

    /**
     * Get all registered services, keyed by id, ordered by name.
     *
     * @return \stdClass[]
     */
    public static function get_all_services(): array {
        $records = [];
        foreach (compat::call(fn() => mih::services()) as $service) {
            $records[$service['id']] = compat::service_record($service);
        }
        return $records;
    }

    /**
     * Create a new service.
     *
     * @param \stdClass $data name, base_url, auth_type, auth_token, timeout, max_retries, retry_backoff,
     *                        cb_failure_threshold, cb_cooldown (and any field of the extension's definition)
     * @return int The new service ID.
     * @throws \moodle_exception when the name is taken or the definition is refused
     */
    public static function create_service(\stdClass $data): int {
        $name = trim((string)($data->name ?? ''));
        if (compat::call(fn() => mih::service($name), $name)) {
            throw new \moodle_exception('serviceexists', 'local_integrationhub', '', s($name));
        }
        $definition = ['name' => $name, 'enabled' => true] + self::definition($data);
        $definition['auth_type'] ??= trim((string)($data->auth_token ?? '')) === '' ? 'none' : 'bearer';
        return (int)compat::call(fn() => mih::save_service($definition), $name)['id'];
    }

    /**
     * Update an existing service (fields not given keep their values; the name cannot change).
     *
     * @param int $id The service ID.
     * @param \stdClass $data The data to update.
     * @return bool True on success.
     * @throws \dml_missing_record_exception If not found.
     */
    public static function update_service(int $id, \stdClass $data): bool {
        $record = self::get_service_by_id($id);
        if (isset($data->name) && trim((string)$data->name) !== $record->name) {
            throw new \moodle_exception('servicerename', 'local_integrationhub', '', s($record->name));
        }
        $definition = ['name' => $record->name] + self::definition($data);
        if (isset($data->enabled)) {
            $definition['enabled'] = (bool)$data->enabled;
        }
        compat::call(fn() => mih::save_service($definition), $record->name);
        return true;
    }

    /**
     * Delete a service, with its rules, queued tasks and dead letters (a task a worker is delivering right
     * now cannot be deleted: the call fails with a \moodle_exception, and can be repeated).
     *
     * @param int $id The service ID.
     * @return bool True on success.
     */
    public static function delete_service(int $id): bool {
        $name = compat::call(fn() => compat::service_name($id));
        if ($name === null) {
            return true;
        }
        // As the PHP plugin did: the service's rules and dead letters go with it, and so do its queued tasks.
        $deleted = compat::call(function () use ($name) {
            foreach (mih::rules(['service' => $name]) as $rule) {
                mih::delete_rule($rule['id']);
            }
            do {
                $tasks = mih::tasks(['service' => $name, 'limit' => 500]);
                foreach ($tasks as $task) {
                    mih::delete_task($task['id']);
                }
            } while ($tasks);
            mih::purge_dead_letters(['service' => $name]);
            return mih::delete_service($name);
        }, $name);
        inbound::delete_settings($name);
        hub::rules_changed();
        return $deleted;
    }

    /**
     * The extension's definition fields from the PHP plugin's record fields.
     *
     * @param \stdClass $data
     * @return array
     */
    private static function definition(\stdClass $data): array {
        // The PHP plugin's types: rest (the extension's http), amqp and soap.
        $type = strtolower(trim((string)($data->type ?? '')));
        if (!in_array($type, ['', 'rest', 'http', 'amqp', 'soap'], true)) {
            throw new \moodle_exception('servicetypeunsupported', 'local_integrationhub', '', s($type));
        }
        $definition = [];
        if ($type !== '') {
            $definition['type'] = $type === 'rest' ? 'http' : $type;
        }
        foreach (self::FIELDS as $field) {
            if (isset($data->$field)) {
                $definition[$field] = $data->$field;
            }
        }
        if (isset($data->auth_type)) {
            $definition['auth_type'] = isset($data->auth_token) && trim((string)$data->auth_token) === ''
                ? 'none' : $data->auth_type;
        }
        // The extension's own fields pass through as they are.
        $own = ['id', 'name', 'type', 'response_queue', 'enabled', 'timecreated', 'timemodified'];
        foreach ((array)$data as $field => $value) {
            $passes = !in_array($field, $own, true) && !isset($definition[$field]);
            if ($passes && array_key_exists($field, mih::service_defaults())) {
                $definition[$field] = $value;
            }
        }
        return $definition;
    }
}
