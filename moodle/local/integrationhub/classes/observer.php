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

namespace local_integrationhub;

use local_integrationhub\local\hub;

/**
 * Hands Moodle events to the extension, which queues one task per matching enabled rule.
 *
 * The extension keeps the enabled rules in a per-process cache: mih::has_rules() tells without a
 * query whether a rule listens, so an event without one costs no query and not even its event data.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class observer {
    /** @var array<int, string|null> user names looked up in this request, by user id */
    private static $usernames = [];

    /** @var string|null why the last event could not be handed to the extension, until taken */
    private static $failure = null;

    /**
     * Observes every event.
     *
     * @param \core\event\base $event
     */
    public static function handle(\core\event\base $event): void {
        global $CFG;

        if (!empty($CFG->upgraderunning) || !hub::bind()) {
            return;
        }
        // The event name is the class name, as \core\event\base sets it.
        $eventname = '\\' . get_class($event);
        try {
            // The extension's rule cache answers without a query: an event no rule listens to costs
            // neither its event data nor a user name lookup.
            if (!mih::has_rules($eventname)) {
                return;
            }
            $data = self::event_data($event);
            mih::emit($data['eventname'], $data);
        } catch (\Throwable $e) {
            // The event's own action must not fail because of the hub (the event manager does not
            // catch \Error), but a lost delivery must not go unnoticed either.
            $message = get_string(
                'emitfailed',
                'local_integrationhub',
                (object)['eventname' => $eventname, 'error' => $e->getMessage()]
            );
            // Logged always, not only when debugging is on: a production site must see a lost delivery too.
            error_log($message); // phpcs:ignore moodle.PHP.ForbiddenFunctions.FoundWithAlternative
            debugging($message, DEBUG_NORMAL);
            self::$failure = $message;
        }
    }

    /** @var string[] the integer fields of Moodle's event data */
    private const INTEGER_FIELDS = ['objectid', 'edulevel', 'contextid', 'contextlevel', 'contextinstanceid', 'userid',
        'courseid', 'relateduserid', 'anonymous', 'timecreated'];

    /**
     * The event's data plus the fields rule templates may use: ip and username.
     *
     * The integer fields are integers: an id read from the database is a numeric string on PostgreSQL
     * (user_created's objectid, contextinstanceid) but an int on MySQL, and a template's {{objectid}} in
     * value position would otherwise be "5" on one site and 5 on another.
     *
     * Anonymous events get neither ip nor username, so a rule cannot reveal who acted.
     *
     * @param \core\event\base $event
     * @return array
     */
    public static function event_data(\core\event\base $event): array {
        $data = $event->get_data();
        foreach (self::INTEGER_FIELDS as $field) {
            if (isset($data[$field]) && is_string($data[$field]) && preg_match('/^-?[0-9]{1,18}$/', $data[$field])) {
                $data[$field] = (int)$data[$field];
            }
        }
        if (!empty($data['anonymous'])) {
            return $data;
        }
        $data['ip'] = (defined('CLI_SCRIPT') && CLI_SCRIPT) ? null : getremoteaddr(null);
        $data['username'] = self::username($data);
        return $data;
    }

    /**
     * The user name of the event's user, without a query whenever the name is already at hand.
     *
     * The database is asked only when the event has an enabled rule, and at most once per user
     * and request.
     *
     * @param array $data event data
     * @return string|null
     */
    private static function username(array $data): ?string {
        global $USER, $DB;

        if (isset($data['other']['username']) && is_string($data['other']['username'])) {
            return $data['other']['username'];
        }
        $userid = (int)($data['userid'] ?? 0);
        if ($userid <= 0) {
            return null;
        }
        if (!empty($USER->id) && (int)$USER->id === $userid && isset($USER->username)) {
            return $USER->username;
        }
        if (array_key_exists($userid, self::$usernames)) {
            return self::$usernames[$userid];
        }
        if (!in_array(hub::normalise_eventname($data['eventname']), hub::rule_event_names(), true)) {
            return null;
        }
        $username = $DB->get_field('user', 'username', ['id' => $userid]);
        self::$usernames[$userid] = $username === false ? null : $username;
        return self::$usernames[$userid];
    }

    /**
     * Why the events observed since the last call could not be queued, if one could not; then forgets it.
     *
     * The inbound endpoint answers 2xx only when the rules of its webhook_received event queued their
     * deliveries: it asks here after triggering the event.
     *
     * @return string|null
     */
    public static function take_failure(): ?string {
        $failure = self::$failure;
        self::$failure = null;
        return $failure;
    }

    /**
     * Forgets the user names looked up so far (tests).
     */
    public static function reset_caches(): void {
        self::$usernames = [];
    }
}
