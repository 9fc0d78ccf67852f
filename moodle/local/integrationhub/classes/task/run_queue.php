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

namespace local_integrationhub\task;

use local_integrationhub\local\hub;
use local_integrationhub\mih;

/**
 * Delivers the queued webhooks: one worker run of the extension, bounded in time.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class run_queue extends \core\task\scheduled_task {
    /** @var int seconds one run may take when the setting is unset; the task runs every minute */
    public const DEFAULT_TIME_LIMIT = 50;

    /**
     * Name shown in the scheduled tasks list.
     *
     * @return string
     */
    public function get_name() {
        return get_string('taskrunqueue', 'local_integrationhub');
    }

    /**
     * Runs the queue and prints what happened.
     */
    public function execute() {
        if (!hub::bind()) {
            mtrace(get_string('extensionmissing', 'local_integrationhub'));
            return;
        }
        $result = mih::run_queue(['time_limit' => self::time_limit()]);
        mtrace(self::summary($result));
    }

    /**
     * The configured time limit of one run, in seconds.
     *
     * @return int
     */
    public static function time_limit(): int {
        $limit = (int)get_config('local_integrationhub', 'queuetimelimit');
        return $limit > 0 ? $limit : self::DEFAULT_TIME_LIMIT;
    }

    /**
     * One line with the counts of a worker run.
     *
     * @param array $result what mih::run_queue() returned
     * @return string
     */
    public static function summary(array $result): string {
        return get_string('runqueueresult', 'local_integrationhub', (object)[
            'delivered' => (int)($result['delivered'] ?? 0),
            'retried' => (int)($result['retried'] ?? 0),
            'dead' => (int)($result['dead'] ?? 0),
            'parked' => (int)($result['parked'] ?? 0),
            'seconds' => format_float((float)($result['seconds'] ?? 0), 2),
        ]);
    }
}
