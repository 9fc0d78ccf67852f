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

/**
 * Queue: the queued tasks (view payload, retry now, delete) and the dead-letter queue at the
 * bottom (view payload, replay, delete, replay all, purge).
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

require(__DIR__ . '/../../config.php');
require_once($CFG->libdir . '/adminlib.php');

use local_integrationhub\local\page;
use local_integrationhub\mih;

const LOCAL_INTEGRATIONHUB_PERPAGE = 50;

$action = optional_param('action', '', PARAM_ALPHA);
$id = optional_param('id', 0, PARAM_INT);
$status = optional_param('status', '', PARAM_ALPHAEXT);
$taskpage = optional_param('tpage', 0, PARAM_INT);
$deadpage = optional_param('dpage', 0, PARAM_INT);
$url = new moodle_url('/local/integrationhub/queue.php');

page::setup('queue', $url, $action !== '');

$notify = function (string $string, $a = null, string $type = \core\output\notification::NOTIFY_SUCCESS) use ($url) {
    redirect($url, get_string($string, 'local_integrationhub', $a), null, $type);
};

// A refusal of the hub (a task a worker holds, a vanished entry) is shown, not thrown.
try {
    switch ($action) {
        case '':
            break;
        case 'retry':
            require_sesskey();
            $done = mih::retry_task($id);
            $notify($done ? 'taskretried' : 'tasknotfound', $id,
                $done ? \core\output\notification::NOTIFY_SUCCESS : \core\output\notification::NOTIFY_ERROR);
            break;
        case 'deletetask':
            require_sesskey();
            $done = mih::delete_task($id);
            $notify($done ? 'taskdeleted' : 'tasknotfound', $id,
                $done ? \core\output\notification::NOTIFY_SUCCESS : \core\output\notification::NOTIFY_ERROR);
            break;
        case 'replay':
            require_sesskey();
            $taskid = mih::replay($id);
            $notify('replayed', (object)['id' => $id, 'taskid' => $taskid]);
            break;
        case 'deletedead':
            require_sesskey();
            $done = mih::delete_dead_letter($id);
            $notify($done ? 'deaddeleted' : 'deadnotfound', $id,
                $done ? \core\output\notification::NOTIFY_SUCCESS : \core\output\notification::NOTIFY_ERROR);
            break;
        case 'replayall':
        case 'purge':
            if (optional_param('confirm', 0, PARAM_BOOL)) {
                require_sesskey();
                if ($action === 'replayall') {
                    $notify('replayedall', mih::replay_all());
                }
                $notify('purged', mih::purge_dead_letters());
            }
            echo page::header('queue');
            echo $OUTPUT->confirm(get_string($action === 'replayall' ? 'confirmreplayall' : 'confirmpurge', 'local_integrationhub'),
                new moodle_url($url, ['action' => $action, 'confirm' => 1, 'sesskey' => sesskey()]), $url);
            echo $OUTPUT->footer();
            exit;
        default:
            throw new moodle_exception('invalidaction', 'local_integrationhub', $url, s($action));
    }
} catch (\local_integrationhub\exception $e) {
    redirect($url, s($e->getMessage()), null, \core\output\notification::NOTIFY_ERROR);
}

// Totals for paging come from the stats the extension already aggregates per service.
$queuecounts = ['pending' => 0, 'retrying' => 0, 'parked' => 0, 'running' => 0];
$deadtotal = 0;
foreach (mih::stats() as $stat) {
    foreach ($queuecounts as $name => $count) {
        $queuecounts[$name] += $stat['queue'][$name] ?? 0;
    }
    $deadtotal += $stat['dead'] ?? 0;
}
$tasktotal = $status !== '' ? ($queuecounts[$status] ?? 0) : array_sum($queuecounts);

$filter = ['limit' => LOCAL_INTEGRATIONHUB_PERPAGE, 'offset' => $taskpage * LOCAL_INTEGRATIONHUB_PERPAGE];
if ($status !== '') {
    $filter['status'] = $status;
}
$tasks = [];
foreach (mih::tasks($filter) as $task) {
    $tasks[] = [
        'id' => $task['id'],
        'eventname' => $task['eventname'] ?? '-',
        'service' => $task['service'],
        'status' => $task['status'],
        'statuslabel' => get_string('status_' . $task['status'], 'local_integrationhub'),
        'statusclass' => ['pending' => 'info', 'retrying' => 'warning', 'parked' => 'secondary',
            'running' => 'primary'][$task['status']] ?? 'light',
        'attempts' => $task['attempts'],
        'nextrun' => page::date($task['next_run']),
        'created' => page::date($task['created']),
        'laststatus' => $task['last_status'],
        'lasterror' => $task['last_error'],
        'payloadurl' => (new moodle_url('/local/integrationhub/payload.php', ['type' => 'task', 'id' => $task['id']]))->out(false),
        'running' => $task['status'] === 'running',
    ];
}
$dead = [];
foreach (mih::dead_letters(['limit' => LOCAL_INTEGRATIONHUB_PERPAGE, 'offset' => $deadpage * LOCAL_INTEGRATIONHUB_PERPAGE])
        as $letter) {
    $dead[] = [
        'id' => $letter['id'],
        'eventname' => $letter['eventname'] ?? '-',
        'service' => $letter['service'] ?? '-',
        'attempts' => $letter['attempts'],
        'laststatus' => $letter['last_status'],
        'error' => $letter['error'],
        'failedat' => page::date($letter['failed_at']),
        'payloadurl' => (new moodle_url('/local/integrationhub/payload.php',
            ['type' => 'dead', 'id' => $letter['id']]))->out(false),
    ];
}

$statusoptions = [['value' => '', 'label' => get_string('allstatuses', 'local_integrationhub'), 'selected' => $status === '']];
foreach (array_keys($queuecounts) as $name) {
    $statusoptions[] = ['value' => $name, 'selected' => $status === $name,
        'label' => get_string('status_' . $name, 'local_integrationhub') . ' (' . $queuecounts[$name] . ')'];
}

echo page::header('queue');
echo $OUTPUT->render_from_template('local_integrationhub/queue', [
    'tasks' => $tasks,
    'hastasks' => !empty($tasks),
    'dead' => $dead,
    'hasdead' => !empty($dead),
    'deadtotal' => $deadtotal,
    'statusoptions' => $statusoptions,
    'canmanage' => page::can_manage(),
    'actionurl' => $url->out(false),
    'sesskey' => sesskey(),
    'taskpaging' => $OUTPUT->paging_bar($tasktotal, $taskpage, LOCAL_INTEGRATIONHUB_PERPAGE,
        new moodle_url($url, ['status' => $status, 'dpage' => $deadpage]), 'tpage'),
    'deadpaging' => $OUTPUT->paging_bar($deadtotal, $deadpage, LOCAL_INTEGRATIONHUB_PERPAGE,
        new moodle_url($url, ['status' => $status, 'tpage' => $taskpage]), 'dpage'),
    'replayallurl' => (new moodle_url($url, ['action' => 'replayall']))->out(false),
    'purgeurl' => (new moodle_url($url, ['action' => 'purge']))->out(false),
]);
echo $OUTPUT->footer();
