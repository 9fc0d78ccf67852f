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
 * Services: list with circuit state, recent errors and latency; delete; reset circuit.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// phpcs:ignore moodle.Files.RequireLogin.Missing -- page::setup() below calls admin_externalpage_setup().
require(__DIR__ . '/../../config.php');
require_once($CFG->libdir . '/adminlib.php');

use local_integrationhub\local\page;
use local_integrationhub\mih;

$action = optional_param('action', '', PARAM_ALPHA);
$name = optional_param('name', '', PARAM_RAW_TRIMMED);
$url = new moodle_url('/local/integrationhub/services.php');

page::setup('services', $url, $action !== '');

if ($action === 'delete') {
    $service = mih::service($name);
    if (!$service) {
        redirect(
            $url,
            get_string('servicenotfound', 'local_integrationhub', s($name)),
            null,
            \core\output\notification::NOTIFY_ERROR
        );
    }
    if (optional_param('confirm', 0, PARAM_BOOL)) {
        require_sesskey();
        try {
            if (mih::delete_service($name)) {
                \local_integrationhub\local\inbound::delete_settings($name);
            }
            redirect($url, get_string('servicedeleted', 'local_integrationhub', s($name)));
        } catch (\local_integrationhub\exception $e) {
            redirect($url, s($e->getMessage()), null, \core\output\notification::NOTIFY_ERROR);
        }
    }
    echo page::header('services');
    echo $OUTPUT->confirm(
        get_string('confirmdeleteservice', 'local_integrationhub', s($name)),
        new moodle_url($url, ['action' => 'delete', 'name' => $name, 'confirm' => 1, 'sesskey' => sesskey()]),
        $url
    );
    echo $OUTPUT->footer();
    exit;
}

if ($action === 'resetcircuit') {
    require_sesskey();
    mih::reset_circuit($name);
    redirect($url, get_string('circuitreset', 'local_integrationhub', s($name)));
}

if ($action !== '') {
    throw new moodle_exception('invalidaction', 'local_integrationhub', $url, s($action));
}

$stats = mih::stats();
$canmanage = page::can_manage();
$rows = [];
foreach (mih::services() as $service) {
    $stat = $stats[$service['name']] ?? [];
    $circuit = $stat['circuit'] ?? mih::circuit($service['name']);
    $errors = [];
    // The service's own failures: refused inbound webhooks (which anyone can send) are not its errors, nor
    // those of an earlier service of the same name (the log keeps a deleted service's rows under its name).
    $since = (int)($service['timecreated'] ?? 0);
    foreach (mih::log(['service' => $service['name'], 'success' => false, 'since' => $since, 'limit' => 50]) as $entry) {
        if (($entry['direction'] ?? 'outbound') === 'outbound' && count($errors) < 3) {
            $errors[] = ['time' => page::date($entry['time']), 'error' => $entry['error']];
        }
    }
    $rows[] = [
        'name' => $service['name'],
        'baseurl' => $service['base_url'],
        // The HTTP method, or for an amqp or soap service (which have none) its type.
        'method' => ($service['type'] ?? 'http') === 'http' ? $service['method'] : strtoupper($service['type']),
        'enabled' => $service['enabled'],
        'state' => $circuit['state'],
        'statelabel' => get_string('circuit_' . $circuit['state'], 'local_integrationhub'),
        'stateclass' => ['closed' => 'success', 'open' => 'danger', 'half_open' => 'warning'][$circuit['state']] ?? 'secondary',
        'retryafter' => $circuit['retry_after'] ?? 0,
        'isclosed' => $circuit['state'] === 'closed',
        'calls' => $stat['calls_24h'] ?? 0,
        'successes' => $stat['success_24h'] ?? 0,
        'failures' => $stat['failure_24h'] ?? 0,
        // No calls in 24 hours: no latency to show (mih::stats() gives null, not 0 ms).
        'haslatency' => isset($stat['p50_ms'], $stat['p95_ms']),
        'p50' => $stat['p50_ms'] ?? 0,
        'p95' => $stat['p95_ms'] ?? 0,
        'errors' => $errors,
        'haserrors' => !empty($errors),
        'signed' => !empty($service['signing_secrets']),
        'editurl' => (new moodle_url('/local/integrationhub/service_edit.php', ['service' => $service['name']]))->out(false),
        'deleteurl' => (new moodle_url($url, ['action' => 'delete', 'name' => $service['name']]))->out(false),
        'reseturl' => $url->out(false),
    ];
}

echo page::header('services');
echo $OUTPUT->render_from_template('local_integrationhub/services', [
    'services' => $rows,
    'hasservices' => !empty($rows),
    'canmanage' => $canmanage,
    'addurl' => (new moodle_url('/local/integrationhub/service_edit.php'))->out(false),
    'sesskey' => sesskey(),
]);
echo $OUTPUT->footer();
