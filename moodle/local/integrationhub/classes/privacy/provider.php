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

namespace local_integrationhub\privacy;

use core_privacy\local\metadata\collection;
use core_privacy\local\metadata\provider as metadata_provider;
use core_privacy\local\request\approved_contextlist;
use core_privacy\local\request\approved_userlist;
use core_privacy\local\request\contextlist;
use core_privacy\local\request\core_userlist_provider;
use core_privacy\local\request\plugin\provider as plugin_provider;
use core_privacy\local\request\transform;
use core_privacy\local\request\userlist;
use core_privacy\local\request\writer;
use local_integrationhub\local\hub;
use local_integrationhub\mih;

/**
 * Privacy provider: what the hub sends to external services and what it keeps.
 *
 * Rules render payloads from event data, which may hold a user's id, user name and IP address, and
 * send them to the external services an administrator configured. Until delivered, a payload and
 * its event data wait in the queue; a delivery that failed for good stays in the dead-letter
 * queue until an administrator replays or deletes it. Each of those rows names the userid,
 * relateduserid and contextid of its event: a row belongs to both users and to that context (to
 * the system context when it has none, or when that context no longer exists), and is exported and
 * deleted as such, with the request-log rows of its delivery. A row linked to two users is deleted
 * whole when either asks. The request log keeps no payload; the rows of deliveries that already
 * succeeded are not linked to a user and go when the log is pruned by age and size.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class provider implements core_userlist_provider, metadata_provider, plugin_provider {
    /**
     * Describes the data sent away and stored.
     *
     * @param collection $collection
     * @return collection
     */
    public static function get_metadata(collection $collection): collection {
        $collection->add_external_location_link('externalservices', [
            'userid' => 'privacy:metadata:externalservices:userid',
            'username' => 'privacy:metadata:externalservices:username',
            'ip' => 'privacy:metadata:externalservices:ip',
            'relateduserid' => 'privacy:metadata:externalservices:relateduserid',
            'other' => 'privacy:metadata:externalservices:other',
            'timecreated' => 'privacy:metadata:externalservices:timecreated',
        ], 'privacy:metadata:externalservices');

        $collection->add_database_table('local_integrationhub_queue', [
            'userid' => 'privacy:metadata:queue:userid',
            'relateduserid' => 'privacy:metadata:queue:relateduserid',
            'eventname' => 'privacy:metadata:queue:eventname',
            'endpoint' => 'privacy:metadata:queue:endpoint',
            'payload' => 'privacy:metadata:queue:payload',
            'eventdata' => 'privacy:metadata:queue:eventdata',
            'timecreated' => 'privacy:metadata:queue:timecreated',
        ], 'privacy:metadata:queue');

        $collection->add_database_table('local_integrationhub_dlq', [
            'userid' => 'privacy:metadata:dlq:userid',
            'relateduserid' => 'privacy:metadata:dlq:relateduserid',
            'eventname' => 'privacy:metadata:dlq:eventname',
            'endpoint' => 'privacy:metadata:dlq:endpoint',
            'payload' => 'privacy:metadata:dlq:payload',
            'eventdata' => 'privacy:metadata:dlq:eventdata',
            'response' => 'privacy:metadata:dlq:response',
            'timecreated' => 'privacy:metadata:dlq:timecreated',
        ], 'privacy:metadata:dlq');

        $collection->add_database_table('local_integrationhub_log', [
            'endpoint' => 'privacy:metadata:log:endpoint',
            'error_message' => 'privacy:metadata:log:error_message',
            'timecreated' => 'privacy:metadata:log:timecreated',
        ], 'privacy:metadata:log');

        return $collection;
    }

    /**
     * The contexts of the queued and failed deliveries the user triggered or that are about them.
     *
     * @param int $userid
     * @return contextlist
     */
    public static function get_contexts_for_userid(int $userid): contextlist {
        global $DB;

        $contextlist = new contextlist();
        if (!self::bound()) {
            return $contextlist;
        }
        $ids = [];
        foreach (mih::privacy_contexts($userid) as $rawid) {
            $ids[(int)self::context_of($rawid)->id] = true;
        }
        // Every id is an existing context now; a few hundred at a time keeps IN lists portable.
        foreach (array_chunk(array_keys($ids), 500) as $chunk) {
            [$insql, $params] = $DB->get_in_or_equal($chunk, SQL_PARAMS_NAMED);
            $contextlist->add_from_sql("SELECT id FROM {context} WHERE id $insql", $params);
        }
        return $contextlist;
    }

    /**
     * The users the queued and failed deliveries of a context are linked to.
     *
     * @param userlist $userlist
     */
    public static function get_users_in_context(userlist $userlist) {
        if (!self::bound()) {
            return;
        }
        $userids = [];
        foreach (self::stored_contexts($userlist->get_context()) as $rawid) {
            foreach (mih::privacy_users($rawid) as $userid) {
                $userids[$userid] = true;
            }
        }
        if ($userids) {
            $userlist->add_users(array_keys($userids));
        }
    }

    /**
     * Exports the user's queued and failed deliveries in the approved contexts.
     *
     * @param approved_contextlist $contextlist
     */
    public static function export_user_data(approved_contextlist $contextlist) {
        if (!$contextlist->count() || !self::bound()) {
            return;
        }
        $approved = array_flip(array_map('intval', $contextlist->get_contextids()));
        $rows = mih::privacy_export(['userid' => (int)$contextlist->get_user()->id]);
        $bycontext = [];
        foreach ($rows['tasks'] as $task) {
            $bycontext[(int)self::context_of($task['contextid'])->id]['tasks'][] = self::task_data($task);
        }
        foreach ($rows['dead_letters'] as $dead) {
            $bycontext[(int)self::context_of($dead['contextid'])->id]['deadletters'][] = self::dead_letter_data($dead);
        }
        foreach ($bycontext as $contextid => $data) {
            if (!isset($approved[$contextid])) {
                continue;
            }
            $writer = writer::with_context(\context::instance_by_id($contextid));
            if (!empty($data['tasks'])) {
                $writer->export_data(
                    [get_string('privacy:path:queue', 'local_integrationhub')],
                    (object)['deliveries' => $data['tasks']]
                );
            }
            if (!empty($data['deadletters'])) {
                $writer->export_data(
                    [get_string('privacy:path:dlq', 'local_integrationhub')],
                    (object)['deliveries' => $data['deadletters']]
                );
            }
        }
    }

    /**
     * Deletes the queued and failed deliveries of every user in the context.
     *
     * @param \context $context
     */
    public static function delete_data_for_all_users_in_context(\context $context) {
        if (!self::bound()) {
            return;
        }
        foreach (self::stored_contexts($context) as $rawid) {
            mih::privacy_delete(['contextid' => $rawid]);
        }
    }

    /**
     * Deletes the user's queued and failed deliveries in the approved contexts.
     *
     * @param approved_contextlist $contextlist
     */
    public static function delete_data_for_user(approved_contextlist $contextlist) {
        if (!$contextlist->count() || !self::bound()) {
            return;
        }
        $userid = (int)$contextlist->get_user()->id;
        $rawids = mih::privacy_contexts($userid);
        foreach ($contextlist->get_contexts() as $context) {
            foreach (self::stored_contexts($context, $rawids) as $rawid) {
                mih::privacy_delete(['userid' => $userid, 'contextid' => $rawid]);
            }
        }
    }

    /**
     * Deletes the queued and failed deliveries of the approved users in the context.
     *
     * @param approved_userlist $userlist
     */
    public static function delete_data_for_users(approved_userlist $userlist) {
        $userids = array_values(array_filter(array_map('intval', $userlist->get_userids())));
        if (!$userids || !self::bound()) {
            return;
        }
        foreach (self::stored_contexts($userlist->get_context()) as $rawid) {
            mih::privacy_delete(['userids' => $userids, 'contextid' => $rawid]);
        }
    }

    /**
     * Whether the store can be reached; user data that exists but cannot be read is an error.
     *
     * @return bool false only while the plugin's tables do not exist yet
     * @throws \moodle_exception when the mih extension is not loaded
     */
    private static function bound(): bool {
        hub::require_extension();
        return hub::bind();
    }

    /**
     * The context a row belongs to: its own, or the system context when it has none or that context is gone.
     *
     * @param int|null $contextid the row's contextid
     * @return \context
     */
    private static function context_of(?int $contextid): \context {
        $context = $contextid === null ? false : \context::instance_by_id($contextid, IGNORE_MISSING);
        return $context ?: \context_system::instance();
    }

    /**
     * The contextids stored in rows that belong to the context (null: rows without one).
     *
     * @param \context $context
     * @param array|null $rawids the contextids to choose from for the system context; all stored ones by default
     * @return array
     */
    private static function stored_contexts(\context $context, ?array $rawids = null): array {
        if ((int)$context->contextlevel !== CONTEXT_SYSTEM) {
            return [(int)$context->id];
        }
        $rawids ??= mih::privacy_contexts();
        return array_values(array_filter(
            $rawids,
            fn($rawid) => (int)self::context_of($rawid)->id === (int)$context->id
        ));
    }

    /**
     * A queued delivery as exported.
     *
     * @param array $task as mih::privacy_export() returns it
     * @return \stdClass
     */
    private static function task_data(array $task): \stdClass {
        return (object)[
            'eventname' => $task['eventname'],
            'service' => $task['service'],
            'status' => $task['status'],
            'endpoint' => $task['endpoint'],
            'payload' => $task['payload'],
            'eventdata' => self::event_data($task['eventdata']),
            'userid' => $task['userid'] === null ? null : transform::user($task['userid']),
            'relateduserid' => $task['relateduserid'] === null ? null : transform::user($task['relateduserid']),
            'attempts' => $task['attempts'],
            'lasterror' => $task['last_error'],
            'timecreated' => transform::datetime($task['created']),
            'nextrun' => transform::datetime($task['next_run']),
        ];
    }

    /**
     * A failed delivery as exported.
     *
     * @param array $dead as mih::privacy_export() returns it
     * @return \stdClass
     */
    private static function dead_letter_data(array $dead): \stdClass {
        return (object)[
            'eventname' => $dead['eventname'],
            'service' => $dead['service'],
            'endpoint' => $dead['endpoint'],
            'payload' => $dead['payload'],
            'eventdata' => self::event_data($dead['eventdata']),
            'userid' => $dead['userid'] === null ? null : transform::user($dead['userid']),
            'relateduserid' => $dead['relateduserid'] === null ? null : transform::user($dead['relateduserid']),
            'attempts' => $dead['attempts'],
            'error' => $dead['error'],
            'response' => $dead['response'],
            'timecreated' => transform::datetime($dead['created']),
            'timefailed' => transform::datetime($dead['failed_at']),
        ];
    }

    /**
     * Stored event data, decoded so that the export shows it as data rather than as a JSON string.
     *
     * @param string|null $json
     * @return mixed
     */
    private static function event_data(?string $json) {
        if ($json === null) {
            return null;
        }
        $data = json_decode($json);
        return json_last_error() === JSON_ERROR_NONE ? $data : $json;
    }
}
