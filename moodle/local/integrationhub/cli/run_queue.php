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
 * Runs the Integration Hub queue once, as the scheduled task does.
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

[$options, $unrecognised] = cli_get_params(['help' => false, 'time-limit' => 0, 'limit' => 0], ['h' => 'help']);
if ($unrecognised) {
    cli_error(get_string('cliunknowoption', 'admin', implode("\n  ", $unrecognised)));
}
$help = "Runs the Integration Hub queue once.

Options:
  --time-limit=SECONDS  Stop claiming new tasks after this many seconds (default: the plugin setting)
  --limit=N             Deliver at most N tasks
  -h, --help            This help

Example:
  php local/integrationhub/cli/run_queue.php --time-limit=30
";

if ($options["help"]) {
    echo $help;
    exit(0);
}
if (!hub::bind()) {
    cli_error(get_string("cliextensionmissing", "local_integrationhub"));
}
$run = ["time_limit" => (int)$options["time-limit"] ?: \local_integrationhub\task\run_queue::time_limit()];
if ((int)$options["limit"] > 0) {
    $run["limit"] = (int)$options["limit"];
}
mtrace(\local_integrationhub\task\run_queue::summary(mih::run_queue($run)));
