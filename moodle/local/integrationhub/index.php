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
 * Dashboard: per-service successes, failures and latency over 24 hours, queue depth, DLQ size.
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

$url = new moodle_url('/local/integrationhub/index.php');
page::setup('dashboard', $url);

$stats = mih::stats();
$names = [];
$successes = [];
$failures = [];
$p50 = [];
$p95 = [];
$queued = 0;
$dead = 0;
$open = 0;
foreach ($stats as $name => $stat) {
    $names[] = $name;
    $successes[] = $stat['success_24h'];
    $failures[] = $stat['failure_24h'];
    $p50[] = $stat['p50_ms'];
    $p95[] = $stat['p95_ms'];
    $queued += array_sum($stat['queue']);
    $dead += $stat['dead'];
    $open += $stat['circuit']['state'] === 'closed' ? 0 : 1;
}

$charts = '';
if ($names) {
    $calls = new \core\chart_bar();
    $calls->set_title(get_string('chartcalls', 'local_integrationhub'));
    $calls->set_stacked(true);
    $calls->set_labels($names);
    $calls->add_series(new \core\chart_series(get_string('successes', 'local_integrationhub'), $successes));
    $calls->add_series(new \core\chart_series(get_string('failures', 'local_integrationhub'), $failures));
    $latency = new \core\chart_bar();
    $latency->set_title(get_string('chartlatency', 'local_integrationhub'));
    $latency->set_labels($names);
    $latency->add_series(new \core\chart_series(get_string('latencyp50', 'local_integrationhub'), $p50));
    $latency->add_series(new \core\chart_series(get_string('latencyp95', 'local_integrationhub'), $p95));
    $charts = $OUTPUT->render($calls) . $OUTPUT->render($latency);
}

echo page::header('dashboard');
echo $OUTPUT->render_from_template('local_integrationhub/dashboard', [
    'services' => count($names),
    'queued' => $queued,
    'dead' => $dead,
    'open' => $open,
    'charts' => $charts,
    'hascharts' => $charts !== '',
    'version' => mih::version(),
    'queueurl' => (new moodle_url('/local/integrationhub/queue.php'))->out(false),
]);
echo $OUTPUT->footer();
