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
 * What the Queue page shows (templates/queue.mustache) for one request: the filter forms, the
 * page of tasks and the page of dead letters, each row with its checkbox and buttons.
 *
 * The paging bars are left to the page (they need the renderer): page_total() and paging_url()
 * give what they need.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class queue_view {
    /** Badge colour per task status. */
    private const STATUS_CLASSES = ['pending' => 'info', 'retrying' => 'warning', 'parked' => 'secondary', 'running' => 'primary'];

    /** @var queue_actions */
    private $request;

    /** @var int[] status => tasks under the queue's service and event filter */
    private $statuscounts;

    /** @var int tasks matching the queue filter */
    private $tasktotal;

    /** @var int dead letters matching the DLQ filter */
    private $deadtotal;

    /**
     * Counts what the filters match (the paging bars and the status filter need it).
     *
     * @param queue_actions $request
     */
    public function __construct(queue_actions $request) {
        $this->statuscounts = $request->status_counts();
        // The statuses partition the queue: no separate count is needed.
        $status = $request->param('tstatus');
        $this->tasktotal = $status !== '' ? $this->statuscounts[$status] : array_sum($this->statuscounts);
        $this->deadtotal = $request->count_dead_letters();
        // A page past the end (rows were deleted meanwhile) shows the last one, and links carry that.
        $this->request = $request->with(['tpage' => $request->page('tpage', $this->tasktotal),
            'dpage' => $request->page('dpage', $this->deadtotal)]);
    }

    /**
     * Rows matching the filter of one table.
     *
     * @param string $pagevar tpage or dpage
     * @return int
     */
    public function page_total(string $pagevar): int {
        return $pagevar === 'dpage' ? $this->deadtotal : $this->tasktotal;
    }

    /**
     * The page of one table shown now.
     *
     * @param string $pagevar tpage or dpage
     * @return int
     */
    public function page(string $pagevar): int {
        return $this->request->param($pagevar);
    }

    /**
     * The base URL of one table's paging bar: every filter and the other table's page kept.
     *
     * @param string $pagevar tpage or dpage
     * @return \moodle_url
     */
    public function paging_url(string $pagevar): \moodle_url {
        return $this->request->url([$pagevar => null], $pagevar === 'dpage' ? 'dlq' : '');
    }

    /**
     * The template context.
     *
     * @param bool $canmanage whether the user may act (checkboxes and buttons)
     * @return array
     */
    public function export(bool $canmanage): array {
        $request = $this->request;
        $base = (new \moodle_url('/local/integrationhub/queue.php'))->out(false);
        $tasks = array_map(fn($task) => $this->task_row($task), $request->tasks($this->page('tpage')));
        $dead = array_map(fn($letter) => $this->dead_row($letter), $request->dead_letters($this->page('dpage')));
        $services = array_column(mih::services(), 'name');
        $events = [];
        foreach (mih::rules() as $rule) {
            $events[$rule['eventname']] = ['value' => $rule['eventname']];
        }
        ksort($events);
        $taskfiltered = (bool)$request->params(['tservice', 'tevent', 'tstatus']);
        $deadfiltered = (bool)$request->params(['dservice', 'devent', 'derror']);
        return [
            'warnings' => $request->warnings(),
            'canmanage' => $canmanage,
            'sesskey' => sesskey(),
            'actionurl' => $base,
            'deadactionurl' => $base . '#dlq',
            'events' => array_values($events),
            'taskfilter' => [
                'hidden' => self::hidden($request->params(queue_actions::DEAD_PARAMS)),
                'services' => self::service_options($services, $request->param('tservice')),
                'statuses' => $this->status_options(),
                'event' => $request->param('tevent'),
                'active' => $taskfiltered,
                'matches' => $taskfiltered ? get_string('filtermatches', 'local_integrationhub', $this->tasktotal) : '',
                'reseturl' => $request->url(array_fill_keys(queue_actions::TASK_PARAMS, null))->out(false),
            ],
            'tasks' => $tasks,
            'hastasks' => !empty($tasks),
            'notasks' => get_string($taskfiltered ? 'nomatch' : 'notasks', 'local_integrationhub'),
            'taskhidden' => self::hidden($request->params()),
            'taskselectall' => self::select_all('local_integrationhub-tasks'),
            'deadfilter' => [
                'hidden' => self::hidden($request->params(queue_actions::TASK_PARAMS)),
                'services' => self::service_options($services, $request->param('dservice')),
                'event' => $request->param('devent'),
                'error' => $request->param('derror'),
                'active' => $deadfiltered,
                'matches' => $deadfiltered ? get_string('filtermatches', 'local_integrationhub', $this->deadtotal) : '',
                'reseturl' => $request->url(array_fill_keys(queue_actions::DEAD_PARAMS, null), 'dlq')->out(false),
            ],
            'dead' => $dead,
            'hasdead' => !empty($dead),
            'nodead' => get_string($deadfiltered ? 'nomatch' : 'nodead', 'local_integrationhub'),
            'deadtotal' => $deadfiltered ? mih::count_dead_letters() : $this->deadtotal,
            'deadhidden' => self::hidden($request->params()),
            'deadselectall' => self::select_all('local_integrationhub-dead'),
            'replayallurl' => $request->url(['action' => 'replayall'])->out(false),
            'purgeurl' => $request->url(['action' => 'purge'])->out(false),
        ];
    }

    /**
     * One row of the queue table.
     *
     * @param array $task as mih::tasks() returns it
     * @return array
     */
    private function task_row(array $task): array {
        $id = (int)$task['id'];
        return [
            'id' => $id,
            'eventname' => $task['eventname'] ?? '-',
            'service' => $task['service'] ?? '-',
            'status' => $task['status'],
            'statuslabel' => get_string('status_' . $task['status'], 'local_integrationhub'),
            'statusclass' => self::STATUS_CLASSES[$task['status']] ?? 'light',
            'attempts' => $task['attempts'],
            'nextrun' => page::date($task['next_run']),
            'created' => page::date($task['created']),
            'laststatus' => $task['last_status'],
            'lasterror' => $task['last_error'],
            'running' => $task['status'] === 'running',
            'payloadurl' => $this->payload_url('task', $id),
            'checkbox' => self::checkbox(
                'local_integrationhub-tasks',
                'local_integrationhub-task-' . $id,
                $id,
                get_string('selecttask', 'local_integrationhub', $id)
            ),
            'retryurl' => $this->request->url(['action' => 'retry', 'id' => $id])->out(false),
            'deleteurl' => $this->request->url(['action' => 'deletetask', 'id' => $id])->out(false),
        ];
    }

    /**
     * One row of the DLQ table.
     *
     * @param array $letter as mih::dead_letters() returns it
     * @return array
     */
    private function dead_row(array $letter): array {
        $id = (int)$letter['id'];
        return [
            'id' => $id,
            'eventname' => $letter['eventname'] ?? '-',
            'service' => $letter['service'] ?? '-',
            'attempts' => $letter['attempts'],
            'laststatus' => $letter['last_status'],
            'error' => $letter['error'],
            'failedat' => page::date($letter['failed_at']),
            'payloadurl' => $this->payload_url('dead', $id),
            'checkbox' => self::checkbox(
                'local_integrationhub-dead',
                'local_integrationhub-dead-' . $id,
                $id,
                get_string('selectdead', 'local_integrationhub', $id)
            ),
            'replayurl' => $this->request->url(['action' => 'replay', 'id' => $id], 'dlq')->out(false),
            'deleteurl' => $this->request->url(['action' => 'deletedead', 'id' => $id], 'dlq')->out(false),
        ];
    }

    /**
     * The payload page of a row; its way back keeps the filters.
     *
     * @param string $type task or dead
     * @param int $id
     * @return string
     */
    private function payload_url(string $type, int $id): string {
        return (new \moodle_url(
            '/local/integrationhub/payload.php',
            ['type' => $type, 'id' => $id] + $this->request->params()
        ))->out(false);
    }

    /**
     * The status filter's options, each with its count under the other filters.
     *
     * @return array
     */
    private function status_options(): array {
        $current = $this->request->param('tstatus');
        $options = [['value' => '', 'selected' => $current === '',
            'label' => get_string('allstatuses', 'local_integrationhub') . ' (' . array_sum($this->statuscounts) . ')']];
        foreach ($this->statuscounts as $status => $count) {
            $options[] = ['value' => $status, 'selected' => $current === $status,
                'label' => get_string('status_' . $status, 'local_integrationhub') . ' (' . $count . ')'];
        }
        return $options;
    }

    /**
     * A service filter's options; a service that no longer exists but is asked for stays listed.
     *
     * @param string[] $services names
     * @param string $current
     * @return array
     */
    private static function service_options(array $services, string $current): array {
        if ($current !== '' && !in_array($current, $services, true)) {
            $services[] = $current;
        }
        $options = [['value' => '', 'label' => get_string('allservices', 'local_integrationhub'), 'selected' => $current === '']];
        foreach ($services as $name) {
            $options[] = ['value' => $name, 'label' => $name, 'selected' => $name === $current];
        }
        return $options;
    }

    /**
     * Hidden fields that carry parameters through a form.
     *
     * @param array $params
     * @return array
     */
    private static function hidden(array $params): array {
        $fields = [];
        foreach ($params as $name => $value) {
            $fields[] = ['name' => $name, 'value' => $value];
        }
        return $fields;
    }

    /**
     * A row's checkbox, as core/checkbox-toggleall renders it.
     *
     * @param string $group toggle group of the table
     * @param string $elementid
     * @param int $id the row's id, the value sent in ids[]
     * @param string $label for screen readers (plain text)
     * @return array
     */
    private static function checkbox(string $group, string $elementid, int $id, string $label): array {
        return ['master' => false, 'id' => $elementid, 'name' => 'ids[]', 'value' => $id, 'togglegroup' => $group,
            'classes' => '', 'checked' => false, 'label' => s($label), 'labelclasses' => 'sr-only visually-hidden'];
    }

    /**
     * A table's "select all" checkbox, as core/checkbox-toggleall renders it.
     *
     * @param string $group toggle group of the table
     * @return array
     */
    private static function select_all(string $group): array {
        return ['master' => true, 'isbutton' => false, 'id' => $group . '-all', 'name' => '', 'value' => '',
            'togglegroup' => $group, 'classes' => '', 'checked' => false, 'label' => get_string('selectall'),
            'labelclasses' => 'sr-only visually-hidden', 'selectall' => get_string('selectall'),
            'deselectall' => get_string('deselectall')];
    }
}
