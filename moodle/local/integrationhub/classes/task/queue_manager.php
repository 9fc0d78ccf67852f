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

use local_integrationhub\local\compat;
use local_integrationhub\mih;

/**
 * The pure-PHP plugin's queue helper, over the extension's queue (deliveries are no longer adhoc tasks).
 *
 * Tasks come back as the PHP plugin's enriched task_adhoc records: id, classname, nextruntime, faildelay,
 * customdata (JSON with ruleid), eventname, servicename, ruleid, plus the extension's status, attempts
 * and last error.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class queue_manager {
    /** @var int tasks read per page */
    private const PAGE = 500;

    /**
     * Every queued task, soonest first.
     *
     * @return array List of task objects.
     */
    public static function get_pending_tasks() {
        $results = [];
        foreach (self::all_tasks() as $task) {
            $ruleid = (int)($task['rule_id'] ?? 0);
            $results[] = (object)[
                'id' => $task['id'],
                'classname' => '\\local_integrationhub\\task\\dispatch_event_task',
                'nextruntime' => $task['next_run'],
                'faildelay' => 0,
                'customdata' => json_encode(['ruleid' => $ruleid]),
                'timecreated' => $task['created'],
                'eventname' => $task['eventname'] ?? get_string('col_event', 'local_integrationhub'),
                'servicename' => $task['service'],
                'ruleid' => $ruleid,
                'status' => $task['status'],
                'attempts' => $task['attempts'],
                'last_error' => $task['last_error'],
            ];
        }
        usort($results, fn($a, $b) => [$a->nextruntime, $a->id] <=> [$b->nextruntime, $b->id]);
        return $results;
    }

    /**
     * Makes a task due now ("Retry now").
     *
     * @param int $taskid
     * @return bool True when the task exists.
     */
    public static function retry_task($taskid) {
        return (bool)compat::call(fn() => mih::retry_task((int)$taskid));
    }

    /**
     * Deletes a task.
     *
     * @param int $taskid
     * @return bool True when it was deleted.
     * @throws \moodle_exception when a worker is delivering it right now
     */
    public static function delete_task(int $taskid): bool {
        return (bool)compat::call(fn() => mih::delete_task($taskid));
    }

    /**
     * Deletes the tasks whose rule no longer exists.
     *
     * @return int Number of tasks purged.
     */
    public static function purge_orphan_tasks(): int {
        $rules = array_column(compat::call(fn() => mih::rules()), 'id', 'id');
        $purged = 0;
        foreach (self::all_tasks() as $task) {
            $ruleid = $task['rule_id'] ?? null;
            if ($ruleid !== null && !isset($rules[$ruleid]) && compat::call(fn() => mih::delete_task($task['id']))) {
                $purged++;
            }
        }
        return $purged;
    }

    /**
     * Every task with its rule id.
     *
     * @return array[]
     */
    private static function all_tasks(): array {
        $tasks = [];
        for ($offset = 0;; $offset += self::PAGE) {
            $page = compat::call(fn() => mih::tasks(['limit' => self::PAGE, 'offset' => $offset]));
            foreach ($page as $task) {
                $full = compat::call(fn() => mih::task($task['id']));
                $tasks[] = $task + ['rule_id' => $full['rule_id'] ?? null];
            }
            if (count($page) < self::PAGE) {
                return $tasks;
            }
        }
    }
}
