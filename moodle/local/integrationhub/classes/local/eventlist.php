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

/**
 * The site's events, for the rule form's event picker and its payload preview.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class eventlist {
    /**
     * Every concrete event class of the site, as picker options: name => "Human name (\name)".
     *
     * @return array<string, string>
     */
    public static function options(): array {
        global $CFG;

        // Names only: the detailed list builds HTML and reads every doc comment.
        if (class_exists(\report_eventlist_list_generator::class)) {
            $names = array_keys(\report_eventlist_list_generator::get_all_events_list(false));
        } else {
            $names = array_map(
                fn($c) => '\\' . $c,
                array_keys(\core_component::get_component_classes_in_namespace(null, 'event'))
            );
        }
        // Deprecated events warn when asked for their name.
        $debug = [$CFG->debug, $CFG->debugdisplay, $CFG->debugdeveloper];
        $CFG->debug = 0;
        $CFG->debugdisplay = false;
        $CFG->debugdeveloper = false;
        $options = [];
        foreach ($names as $name) {
            if (!is_a($name, \core\event\base::class, true) || $name === '\\' . \core\event\unknown_logged::class) {
                continue;
            }
            $class = new \ReflectionClass($name);
            if ($class->isAbstract()) {
                continue;
            }
            try {
                $options[$name] = $name::get_name() . ' (' . $name . ')';
            } catch (\Throwable $e) {
                $options[$name] = $name;
            }
        }
        [$CFG->debug, $CFG->debugdisplay, $CFG->debugdeveloper] = $debug;
        ksort($options);
        return $options;
    }

    /**
     * Sample data of an event as the observer would hand it to the extension.
     *
     * The latest occurrence in the standard log when there is one (real data), otherwise data
     * built from the event class's static description.
     *
     * @param string $eventname
     * @return array
     */
    public static function sample(string $eventname): array {
        global $DB, $USER;

        $eventname = hub::normalise_eventname($eventname);
        $data = self::from_log($eventname);
        if ($data === null) {
            $data = self::synthetic($eventname);
        }
        if (empty($data['anonymous'])) {
            $data['ip'] = getremoteaddr(null);
            $data['username'] = $data['other']['username'] ?? null;
            if ($data['username'] === null && !empty($data['userid'])) {
                $username = (int)$data['userid'] === (int)$USER->id ? $USER->username
                    : $DB->get_field('user', 'username', ['id' => $data['userid']]);
                $data['username'] = $username === false ? null : $username;
            }
        }
        return $data;
    }

    /**
     * The latest logged occurrence of the event, or null.
     *
     * @param string $eventname
     * @return array|null
     */
    private static function from_log(string $eventname): ?array {
        global $DB;

        $dbman = $DB->get_manager();
        if (!$dbman->table_exists('logstore_standard_log')) {
            return null;
        }
        $records = $DB->get_records('logstore_standard_log', ['eventname' => $eventname], 'id DESC', '*', 0, 1);
        $record = reset($records);
        if (!$record) {
            return null;
        }
        $other = null;
        if ($record->other !== null && $record->other !== '') {
            $other = json_decode($record->other, true);
            if ($other === null && $record->other !== 'null') {
                $other = @unserialize($record->other, ['allowed_classes' => false]);
            }
        }
        $data = [];
        $fields = ['eventname', 'component', 'action', 'target', 'objecttable', 'objectid', 'crud', 'edulevel',
            'contextid', 'contextlevel', 'contextinstanceid', 'userid', 'courseid', 'relateduserid', 'anonymous'];
        foreach ($fields as $field) {
            $data[$field] = $record->$field;
        }
        $intfields = ['objectid', 'edulevel', 'contextid', 'contextlevel', 'contextinstanceid', 'userid', 'courseid',
            'relateduserid', 'anonymous'];
        foreach ($intfields as $field) {
            $data[$field] = $data[$field] === null ? null : (int)$data[$field];
        }
        $data['other'] = $other === false ? null : $other;
        $data['timecreated'] = (int)$record->timecreated;
        return $data;
    }

    /**
     * Event data built from the class's static description, with plausible values.
     *
     * @param string $eventname
     * @return array
     */
    private static function synthetic(string $eventname): array {
        global $USER, $SITE;

        $info = [
            'eventname' => $eventname, 'component' => '', 'action' => '', 'target' => '',
            'objecttable' => null, 'crud' => 'r', 'edulevel' => 0,
        ];
        if (is_a($eventname, \core\event\base::class, true)) {
            try {
                $info = $eventname::get_static_info();
            } catch (\Throwable $e) {
                $info['eventname'] = $eventname;
            }
        }
        $context = \context_system::instance();
        return $info + [
            'objectid' => $info['objecttable'] ? 1 : null,
            'contextid' => $context->id,
            'contextlevel' => CONTEXT_SYSTEM,
            'contextinstanceid' => 0,
            'userid' => (int)$USER->id,
            'courseid' => (int)$SITE->id,
            'relateduserid' => null,
            'anonymous' => 0,
            'other' => $eventname === '\\core\\event\\user_loggedin' ? ['username' => $USER->username] : null,
            'timecreated' => time(),
        ];
    }
}
