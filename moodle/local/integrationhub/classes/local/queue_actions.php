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

use core\output\notification;
use local_integrationhub\mih;

/**
 * The Queue page's request: its filters and pages, and the actions on tasks and dead letters.
 *
 * Filters and pages are GET parameters (t* for the queue, d* for the dead letter queue) that every
 * link, form and redirect of the page carries on, so an action never loses the admin's view.
 * Filtering, counting and paging happen in the extension's store, never over lists in PHP.
 *
 * Actions are POSTed with the sesskey: a row's buttons send action and id, the buttons under a
 * table send action with the ticked rows as ids[]. Each row is done on its own: a row that
 * cannot be done (a task a worker holds right now, an entry already gone) is reported and the
 * others still go ahead.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class queue_actions {
    /** Rows per page of each table. */
    public const PERPAGE = 50;

    /** Task statuses, as the extension names them, in the order the filter lists them. */
    public const STATUSES = ['pending', 'retrying', 'parked', 'running'];

    /** The page's parameters and their defaults: queue filter and page, then the DLQ's. */
    private const DEFAULTS = [
        'tservice' => '', 'tevent' => '', 'tstatus' => '', 'tpage' => 0,
        'dservice' => '', 'devent' => '', 'derror' => '', 'dpage' => 0,
    ];

    /** The queue table's own parameters. */
    public const TASK_PARAMS = ['tservice', 'tevent', 'tstatus', 'tpage'];

    /** The DLQ table's own parameters. */
    public const DEAD_PARAMS = ['dservice', 'devent', 'derror', 'dpage'];

    /** Row actions: which table they act on and the message of one row done. */
    private const ROW_ACTIONS = [
        'retry' => ['task', 'taskretried'],
        'deletetask' => ['task', 'taskdeleted'],
        'replay' => ['dead', 'replayed'],
        'deletedead' => ['dead', 'deaddeleted'],
    ];

    /** Message of several rows done, per action. */
    private const BULK_DONE = [
        'retry' => 'bulkretried',
        'deletetask' => 'bulktaskdeleted',
        'replay' => 'bulkreplayed',
        'deletedead' => 'bulkdeaddeleted',
    ];

    /** @var string the requested action, '' for none */
    public $action;

    /** @var array the page's parameters, cleaned (see DEFAULTS) */
    private $params;

    /**
     * A request to the Queue page: its parameters cleaned (unknown ones dropped, filters normalised) and its action.
     *
     * @param array $params page parameters (see DEFAULTS), missing ones at their defaults
     * @param string $action the requested action
     */
    public function __construct(array $params = [], string $action = '') {
        $params = array_intersect_key($params, self::DEFAULTS) + self::DEFAULTS;
        foreach ($params as $name => $value) {
            // The extension refuses NUL bytes in a filter: a pasted one is dropped, not an error page.
            $params[$name] = is_int(self::DEFAULTS[$name]) ? max(0, (int)$value) : trim(str_replace("\0", '', (string)$value));
        }
        if (!in_array($params['tstatus'], self::STATUSES, true)) {
            $params['tstatus'] = '';
        }
        foreach (['tevent', 'devent'] as $name) {
            if ($params[$name] !== '') {
                $params[$name] = hub::normalise_eventname($params[$name]);
            }
        }
        $this->params = $params;
        $this->action = $action;
    }

    /**
     * The page's filters, pages and action from the request (POST first, then GET, as Moodle reads them).
     *
     * @return self
     */
    public static function from_request(): self {
        $params = [];
        foreach (self::DEFAULTS as $name => $default) {
            $type = is_int($default) ? PARAM_INT : ($name === 'tstatus' ? PARAM_ALPHA : PARAM_TEXT);
            $params[$name] = optional_param($name, $default, $type);
        }
        return new self($params, optional_param('action', '', PARAM_ALPHA));
    }

    /**
     * The same request with some parameters changed (e.g. a page brought back within the rows).
     *
     * @param array $changes parameter => value
     * @return self
     */
    public function with(array $changes): self {
        return new self(array_merge($this->params, $changes), $this->action);
    }

    /**
     * The parameters that differ from their defaults, for links and hidden fields.
     *
     * @param string[] $only names to keep (all when empty)
     * @return array
     */
    public function params(array $only = []): array {
        $params = [];
        foreach ($this->params as $name => $value) {
            if ($value !== self::DEFAULTS[$name] && (!$only || in_array($name, $only, true))) {
                $params[$name] = $value;
            }
        }
        return $params;
    }

    /**
     * The Queue page with the current filters and pages, changed by $changes (a default or null drops one).
     *
     * @param array $changes parameter => value
     * @param string $anchor fragment, e.g. dlq
     * @return \moodle_url
     */
    public function url(array $changes = [], string $anchor = ''): \moodle_url {
        $params = [];
        foreach (array_merge($this->params(), $changes) as $name => $value) {
            $isdefault = array_key_exists($name, self::DEFAULTS) && $value === self::DEFAULTS[$name];
            if ($value !== null && $value !== '' && !$isdefault) {
                $params[$name] = $value;
            }
        }
        $url = new \moodle_url('/local/integrationhub/queue.php', $params);
        if ($anchor !== '') {
            $url->set_anchor($anchor);
        }
        return $url;
    }

    /**
     * One parameter's cleaned value.
     *
     * @param string $name
     * @return string|int
     */
    public function param(string $name) {
        return $this->params[$name];
    }

    /**
     * Whether an event name given to a filter can name an event at all (the extension's rule).
     *
     * @param string $eventname normalised
     * @return bool
     */
    private static function valid_eventname(string $eventname): bool {
        return strlen($eventname) <= 251 && preg_match('/^\\\\[A-Za-z0-9_]+(\\\\[A-Za-z0-9_]+){2,}$/', $eventname) === 1;
    }

    /**
     * Filter values that cannot match anything as typed, as warnings for the page.
     *
     * @return string[]
     */
    public function warnings(): array {
        $warnings = [];
        foreach (['tevent', 'devent'] as $name) {
            $value = $this->params[$name];
            if ($value !== '' && !self::valid_eventname($value) && !isset($warnings[$value])) {
                $warnings[$value] = get_string('invalideventname', 'local_integrationhub', $value);
            }
        }
        return array_values($warnings);
    }

    /**
     * The extension's filter of the queue table, or null when it cannot match anything.
     *
     * @param bool $withstatus false to leave the status out (for the counts per status)
     * @return array|null
     */
    public function task_filter(bool $withstatus = true): ?array {
        $filter = array_filter(['service' => $this->params['tservice'], 'eventname' => $this->params['tevent'],
            'status' => $withstatus ? $this->params['tstatus'] : ''], 'strlen');
        return isset($filter['eventname']) && !self::valid_eventname($filter['eventname']) ? null : $filter;
    }

    /**
     * The extension's filter of the dead letter table, or null when it cannot match anything.
     *
     * @return array|null
     */
    public function dead_filter(): ?array {
        $filter = array_filter(['service' => $this->params['dservice'], 'eventname' => $this->params['devent'],
            'error' => $this->params['derror']], 'strlen');
        return isset($filter['eventname']) && !self::valid_eventname($filter['eventname']) ? null : $filter;
    }

    /**
     * How many tasks the queue filter matches.
     *
     * @return int
     */
    public function count_tasks(): int {
        $filter = $this->task_filter();
        return $filter === null ? 0 : mih::count_tasks($filter);
    }

    /**
     * Tasks per status under the queue's service and event filter.
     *
     * @return int[] status => count
     */
    public function status_counts(): array {
        $filter = $this->task_filter(false);
        $counts = [];
        foreach (self::STATUSES as $status) {
            $counts[$status] = $filter === null ? 0 : mih::count_tasks($filter + ['status' => $status]);
        }
        return $counts;
    }

    /**
     * How many dead letters the DLQ filter matches.
     *
     * @return int
     */
    public function count_dead_letters(): int {
        $filter = $this->dead_filter();
        return $filter === null ? 0 : mih::count_dead_letters($filter);
    }

    /**
     * The page to show: the one asked for, or the last one when it is past the end.
     *
     * @param string $name tpage or dpage
     * @param int $total rows matching the filter
     * @return int
     */
    public function page(string $name, int $total): int {
        return min($this->params[$name], max(0, intdiv($total - 1, self::PERPAGE)));
    }

    /**
     * The tasks of one page of the queue table.
     *
     * @param int $page
     * @return array[] as mih::tasks() returns them
     */
    public function tasks(int $page): array {
        $filter = $this->task_filter();
        return $filter === null ? [] : mih::tasks($filter + ['limit' => self::PERPAGE, 'offset' => $page * self::PERPAGE]);
    }

    /**
     * The dead letters of one page of the DLQ table.
     *
     * @param int $page
     * @return array[] as mih::dead_letters() returns them
     */
    public function dead_letters(int $page): array {
        $filter = $this->dead_filter();
        return $filter === null ? [] : mih::dead_letters($filter + ['limit' => self::PERPAGE, 'offset' => $page * self::PERPAGE]);
    }

    /**
     * Whether the action (replay all, purge) must be confirmed first.
     *
     * @return bool
     */
    public function needs_confirmation(): bool {
        return in_array($this->action, ['replayall', 'purge'], true) && !optional_param('confirm', 0, PARAM_BOOL);
    }

    /**
     * The question of the confirmation page: how many dead letters replay all or purge would take.
     *
     * @return string
     */
    public function confirmation(): string {
        $replay = $this->action === 'replayall';
        if ($this->dead_filter() === []) {
            return get_string($replay ? 'confirmreplayall' : 'confirmpurge', 'local_integrationhub');
        }
        return get_string(
            $replay ? 'confirmreplayallfiltered' : 'confirmpurgefiltered',
            'local_integrationhub',
            $this->count_dead_letters()
        );
    }

    /**
     * Where to go after the action: the page with the same filters, at the table acted on.
     *
     * @return \moodle_url
     */
    public function return_url(): \moodle_url {
        $dead = in_array($this->action, ['replay', 'deletedead', 'replayall', 'purge'], true);
        return $this->url([], $dead ? 'dlq' : '');
    }

    /**
     * Does the requested action (the sesskey and local/integrationhub:manage are required).
     *
     * @return \stdClass message (HTML, values escaped) and type (a notification type) to show after it
     * @throws \moodle_exception for an unknown action
     */
    public function execute(): \stdClass {
        if (!isset(self::ROW_ACTIONS[$this->action]) && !in_array($this->action, ['replayall', 'purge'], true)) {
            throw new \moodle_exception('invalidaction', 'local_integrationhub', $this->url(), s($this->action));
        }
        require_sesskey();
        require_capability('local/integrationhub:manage', \context_system::instance());
        if ($this->action === 'replayall' || $this->action === 'purge') {
            return $this->dead_bulk();
        }
        $id = optional_param('id', 0, PARAM_INT);
        if ($id > 0) {
            return $this->rows([$id], false);
        }
        $ids = array_values(array_unique(array_filter(optional_param_array('ids', [], PARAM_INT), fn($id) => $id > 0)));
        return $this->rows($ids, true);
    }

    /**
     * Replay all or purge, over the dead letters the DLQ filter matches.
     *
     * @return \stdClass
     */
    private function dead_bulk(): \stdClass {
        $filter = $this->dead_filter();
        try {
            $replay = $this->action === 'replayall';
            $count = $filter === null ? 0 : ($replay ? mih::replay_all($filter) : mih::purge_dead_letters($filter));
            return self::result(
                get_string($replay ? 'replayedall' : 'purged', 'local_integrationhub', $count),
                notification::NOTIFY_SUCCESS
            );
        } catch (\local_integrationhub\exception $e) {
            return self::result(s($e->getMessage()), notification::NOTIFY_ERROR);
        }
    }

    /**
     * The action on each row, one at a time; a refusal is noted and the rest go ahead.
     *
     * @param int[] $ids
     * @param bool $selection whether the rows are the ticked ones (a summary) or one row's button
     * @return \stdClass
     */
    private function rows(array $ids, bool $selection): \stdClass {
        [$table, $donestring] = self::ROW_ACTIONS[$this->action];
        if (!$ids) {
            return self::result(get_string('noneselected', 'local_integrationhub'), notification::NOTIFY_WARNING);
        }
        $done = 0;
        $failures = [];
        foreach ($ids as $id) {
            try {
                $outcome = $this->row($id);
            } catch (\local_integrationhub\exception $e) {
                $outcome = $e->getMessage();
            }
            if (!$selection) {
                return is_string($outcome) ? self::result(s($outcome), notification::NOTIFY_ERROR)
                    : self::result(get_string($donestring, 'local_integrationhub', $outcome), notification::NOTIFY_SUCCESS);
            }
            if (is_string($outcome)) {
                $failures[] = get_string(
                    $table === 'task' ? 'bulktaskfailed' : 'bulkdeadfailed',
                    'local_integrationhub',
                    (object)['id' => $id, 'error' => s($outcome)]
                );
            } else {
                $done++;
            }
        }
        $summary = get_string(
            self::BULK_DONE[$this->action],
            'local_integrationhub',
            (object)['done' => $done, 'total' => count($ids)]
        );
        $type = !$failures ? notification::NOTIFY_SUCCESS : ($done ? notification::NOTIFY_WARNING : notification::NOTIFY_ERROR);
        return self::result(implode('<br>', array_merge([$summary], $failures)), $type);
    }

    /**
     * The action on one row.
     *
     * @param int $id
     * @return mixed what the done message is given, or a string saying why it was not done
     * @throws \local_integrationhub\exception when the extension refuses (e.g. a task a worker holds)
     */
    private function row(int $id) {
        switch ($this->action) {
            case 'retry':
                return mih::retry_task($id) ? $id : get_string('tasknotfound', 'local_integrationhub', $id);
            case 'deletetask':
                return mih::delete_task($id) ? $id : get_string('tasknotfound', 'local_integrationhub', $id);
            case 'replay':
                return (object)['id' => $id, 'taskid' => mih::replay($id)];
            default:
                return mih::delete_dead_letter($id) ? $id : get_string('deadnotfound', 'local_integrationhub', $id);
        }
    }

    /**
     * A message to show after an action.
     *
     * @param string $message HTML
     * @param string $type notification type
     * @return \stdClass
     */
    private static function result(string $message, string $type): \stdClass {
        return (object)['message' => $message, 'type' => $type];
    }
}
