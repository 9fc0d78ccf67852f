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
 * Queues dead letters again.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

define('CLI_SCRIPT', true);

require(__DIR__ . '/../../../config.php');
require_once($CFG->libdir . '/clilib.php');

use local_integrationhub\local\hub;
use local_integrationhub\mih;

[$options, $unrecognised] = cli_get_params(['help' => false, 'id' => 0, 'all' => false, 'service' => ''], ['h' => 'help']);
if ($unrecognised) {
    cli_error(get_string('cliunknowoption', 'admin', implode("\n  ", $unrecognised)));
}
$help = "Queues dead letters of the Integration Hub again (same bytes, fresh attempt budget).

Options:
  --id=N            Replay the dead letter N
  --all             Replay every dead letter (with --service: only that service's)
  --service=NAME    Restrict --all to one service
  -h, --help        This help

Examples:
  php local/integrationhub/cli/replay_dlq.php --id=12
  php local/integrationhub/cli/replay_dlq.php --all --service='Slack Notifications'
";

if ($options["help"] || (!$options["id"] && !$options["all"])) {
    echo $help;
    exit($options["help"] ? 0 : 2);
}
if (!hub::bind()) {
    cli_error(get_string("cliextensionmissing", "local_integrationhub"));
}
try {
    if ($options["id"]) {
        $taskid = mih::replay((int)$options["id"]);
        mtrace(get_string("clireplayed", "local_integrationhub", (object)["id" => (int)$options["id"], "taskid" => $taskid]));
    } else {
        $filter = $options["service"] !== "" ? ["service" => $options["service"]] : [];
        mtrace(get_string("clireplayedall", "local_integrationhub", mih::replay_all($filter)));
    }
} catch (\local_integrationhub\exception $e) {
    cli_error($e->getMessage());
}
