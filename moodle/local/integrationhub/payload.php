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
 * The exact payload of a queued task or a dead letter, with its endpoint, method and headers.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// phpcs:ignore moodle.Files.RequireLogin.Missing -- page::setup() below calls admin_externalpage_setup().
require(__DIR__ . '/../../config.php');
require_once($CFG->libdir . '/adminlib.php');

use local_integrationhub\local\page;
use local_integrationhub\local\queue_actions;
use local_integrationhub\mih;

$type = required_param('type', PARAM_ALPHA);
$id = required_param('id', PARAM_INT);
// The Queue page's filters come along, so the way back shows the same rows.
$queue = queue_actions::from_request();
$url = new moodle_url('/local/integrationhub/payload.php', ['type' => $type, 'id' => $id] + $queue->params());
$returnurl = $queue->url([], $type === 'dead' ? 'dlq' : '');

page::setup('queue', $url);

if ($type === 'task') {
    $item = mih::task($id);
} else if ($type === 'dead') {
    $item = mih::dead_letter($id);
} else {
    throw new moodle_exception('invalidaction', 'local_integrationhub', $returnurl, s($type));
}
if (!$item) {
    redirect(
        $returnurl,
        get_string($type === 'task' ? 'tasknotfound' : 'deadnotfound', 'local_integrationhub', $id),
        null,
        \core\output\notification::NOTIFY_ERROR
    );
}

$headers = [];
foreach ($item['headers'] ?? [] as $name => $value) {
    $headers[] = ['name' => $name, 'value' => $value];
}
$PAGE->navbar->add(get_string('payload', 'local_integrationhub'));
echo page::header('queue');
echo $OUTPUT->render_from_template('local_integrationhub/payload', [
    'title' => get_string($type === 'task' ? 'taskpayload' : 'deadpayload', 'local_integrationhub', $id),
    'service' => $item['service'] ?? '-',
    'eventname' => $item['eventname'] ?? '-',
    'method' => $item['method'] ?? '',
    'endpoint' => $item['endpoint'] ?? '',
    'idempotencykey' => $item['idempotency_key'] ?? '',
    'headers' => $headers,
    'hasheaders' => !empty($headers),
    // The bytes sent, as the cookbook promises ("exactly what JSON was generated"); a formatted view only
    // when it differs.
    'rawpayload' => $item['payload'] ?? '',
    'formatted' => page::pretty_json($item['payload'] ?? '') !== ($item['payload'] ?? '')
        ? page::pretty_json($item['payload'] ?? '') : '',
    'error' => $item['error'] ?? ($item['last_error'] ?? ''),
    'response' => $item['response'] ?? '',
    'eventdata' => page::pretty_json($item['eventdata'] ?? ''),
    'returnurl' => $returnurl->out(false),
]);
echo $OUTPUT->footer();
