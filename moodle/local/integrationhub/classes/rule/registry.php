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

namespace local_integrationhub\rule;

use local_integrationhub\local\compat;
use local_integrationhub\local\hub;
use local_integrationhub\mih;

/**
 * The pure-PHP plugin's rule registry, over the extension's rules.
 *
 * Records come back as the PHP plugin's local_integrationhub_rules rows did (id, eventname, serviceid,
 * endpoint, http_method, payload_template, enabled, timecreated, timemodified), plus the extension's
 * service name and headers. Templates are the extension's Mustache: the PHP plugin's {{objectid}} and
 * "{{username}}" placeholders render as they did.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class registry {
    /** @var string Table name. */
    const TABLE = 'local_integrationhub_rules';

    /**
     * Get a rule by ID.
     *
     * @param int $id Rule ID.
     * @return \stdClass
     * @throws \dml_missing_record_exception
     */
    public static function get_rule(int $id): \stdClass {
        $rule = compat::call(fn() => mih::rule($id));
        if (!$rule) {
            throw new \dml_missing_record_exception(self::TABLE, 'id = ?', [$id]);
        }
        return self::record($rule, self::service_ids());
    }

    /**
     * Get all rules, keyed by id, ordered by event name.
     *
     * @return array
     */
    public static function get_all_rules(): array {
        $ids = self::service_ids();
        $rules = compat::call(fn() => mih::rules());
        usort($rules, fn($a, $b) => [$a['eventname'], $a['id']] <=> [$b['eventname'], $b['id']]);
        $records = [];
        foreach ($rules as $rule) {
            $records[$rule['id']] = self::record($rule, $ids);
        }
        return $records;
    }

    /**
     * Create a new rule.
     *
     * @param \stdClass $data eventname, serviceid, endpoint, http_method, payload_template, enabled
     * @return int New rule ID.
     * @throws \moodle_exception when the service does not exist or a template does not compile
     */
    public static function create_rule(\stdClass $data): int {
        $name = compat::call(fn() => compat::service_name((int)$data->serviceid));
        if ($name === null) {
            throw new \moodle_exception('service_not_found', 'local_integrationhub', '', (int)$data->serviceid);
        }
        $rule = [
            'eventname' => trim((string)$data->eventname),
            'service' => $name,
            'endpoint' => isset($data->endpoint) && trim($data->endpoint) !== '' ? trim($data->endpoint) : '/',
            'method' => isset($data->http_method) ? strtoupper(trim($data->http_method)) : 'POST',
            'payload_template' => isset($data->payload_template) ? trim($data->payload_template) : '',
            'enabled' => isset($data->enabled) ? (bool)$data->enabled : true,
        ];
        $saved = compat::call(fn() => mih::save_rule($rule), $name);
        hub::rules_changed();
        return (int)$saved['id'];
    }

    /**
     * Update an existing rule (fields not given keep their values).
     *
     * @param int $id Rule ID.
     * @param \stdClass $data New data.
     */
    public static function update_rule(int $id, \stdClass $data): void {
        $current = compat::call(fn() => mih::rule($id));
        if (!$current) {
            throw new \dml_missing_record_exception(self::TABLE, 'id = ?', [$id]);
        }
        $rule = ['id' => $id];
        if (isset($data->eventname)) {
            $rule['eventname'] = trim($data->eventname);
        }
        if (isset($data->serviceid)) {
            $rule['service'] = compat::call(fn() => compat::service_name((int)$data->serviceid));
            if ($rule['service'] === null) {
                throw new \moodle_exception('service_not_found', 'local_integrationhub', '', (int)$data->serviceid);
            }
        }
        if (isset($data->endpoint)) {
            $rule['endpoint'] = trim($data->endpoint) === '' ? '/' : trim($data->endpoint);
        }
        if (isset($data->http_method)) {
            $rule['method'] = strtoupper(trim($data->http_method));
        }
        if (isset($data->payload_template)) {
            $rule['payload_template'] = trim($data->payload_template);
        }
        if (isset($data->enabled)) {
            $rule['enabled'] = (bool)$data->enabled;
        }
        compat::call(fn() => mih::save_rule($rule + ['eventname' => $current['eventname'], 'service' => $current['service']]));
        hub::rules_changed();
    }

    /**
     * Delete a rule.
     *
     * @param int $id Rule ID.
     */
    public static function delete_rule(int $id): void {
        compat::call(fn() => mih::delete_rule($id));
        hub::rules_changed();
    }

    /**
     * Get a human-readable name for an event class.
     *
     * @param string $classname
     * @return string
     */
    public static function get_event_display_name(string $classname): string {
        $classname = ltrim($classname, '\\');
        if (class_exists("\\{$classname}")) {
            try {
                $fullclass = "\\{$classname}";
                if (is_a($fullclass, \core\event\base::class, true)) {
                    return $fullclass::get_name();
                }
            } catch (\Exception $e) {
                debugging($e->getMessage(), DEBUG_DEVELOPER);
            }
        }
        $parts = explode('\\', $classname);
        $pretty = str_replace('_', ' ', end($parts));
        $pretty = preg_replace('/([a-z])([A-Z])/', '$1 $2', $pretty);
        return ucwords($pretty);
    }

    /**
     * Get all available events in the system.
     *
     * @return array [classname => Display Name]
     */
    public static function get_all_events_dynamic(): array {
        $list = [];
        foreach (array_keys(\core_component::get_component_classes_in_namespace(null, 'event')) as $event) {
            if (is_a($event, \core\event\base::class, true) && !(new \ReflectionClass($event))->isAbstract()) {
                $list["\\{$event}"] = self::get_event_display_name($event);
            }
        }
        asort($list);
        return $list;
    }

    /**
     * Get a list of common events for the dropdown.
     *
     * @return array [classname => Display Name]
     */
    public static function get_common_events(): array {
        $list = [];
        $common = ['\\core\\event\\user_created', '\\core\\event\\user_loggedin', '\\core\\event\\course_created',
            '\\core\\event\\user_enrolment_created', '\\core\\event\\user_graded'];
        foreach ($common as $classname) {
            $list[$classname] = self::get_event_display_name($classname);
        }
        return $list;
    }

    /**
     * Service ids by name.
     *
     * @return array<string, int>
     */
    private static function service_ids(): array {
        return array_column(compat::call(fn() => mih::services()), 'id', 'name');
    }

    /**
     * A rule as the PHP plugin's record.
     *
     * @param array $rule as mih::rule() returns it
     * @param array $ids service ids by name
     * @return \stdClass
     */
    private static function record(array $rule, array $ids): \stdClass {
        return (object)[
            'id' => $rule['id'],
            'eventname' => $rule['eventname'],
            'serviceid' => $ids[$rule['service']] ?? 0,
            'endpoint' => $rule['endpoint'],
            'http_method' => $rule['method'] ?? 'POST',
            'payload_template' => $rule['payload_template'],
            'enabled' => $rule['enabled'] ? 1 : 0,
            'timecreated' => $rule['timecreated'],
            'timemodified' => $rule['timemodified'],
            'service' => $rule['service'],
            'headers' => $rule['headers'],
        ];
    }
}
