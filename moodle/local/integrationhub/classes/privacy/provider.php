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

/**
 * Privacy provider: what the hub sends to external services and what it keeps.
 *
 * The hub stores payloads that rules render from event data, which may hold a user's id, user
 * name and IP address, in its queue, dead-letter queue and request log, and sends them to the
 * external services an administrator configured. Rows are not linked to a user by a column
 * (the data sits inside the payloads), so they cannot be exported or deleted per user; the queue
 * empties as deliveries succeed, the request log is pruned by age and count, and dead letters are
 * kept until an administrator replays or deletes them.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class provider implements \core_privacy\local\metadata\provider {
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
            'eventname' => 'privacy:metadata:queue:eventname',
            'payload' => 'privacy:metadata:queue:payload',
            'eventdata' => 'privacy:metadata:queue:eventdata',
            'timecreated' => 'privacy:metadata:queue:timecreated',
        ], 'privacy:metadata:queue');

        $collection->add_database_table('local_integrationhub_dlq', [
            'eventname' => 'privacy:metadata:dlq:eventname',
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
}
