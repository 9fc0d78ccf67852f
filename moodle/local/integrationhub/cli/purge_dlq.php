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
 * Deletes dead letters.
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

[$options, $unrecognised] = cli_get_params(
    ['help' => false, 'id' => 0, 'all' => false, 'service' => '', 'eventname' => ''],
    ['h' => 'help']
);
if ($unrecognised) {
    cli_error(get_string('cliunknowoption', 'admin', implode("\n  ", $unrecognised)));
}
$help = "Deletes dead letters of the Integration Hub.

Options:
  --id=N               Delete the dead letter N
  --all                Delete every dead letter (narrowed by --service and --eventname)
  --service=NAME       Only that service's dead letters
  --eventname=NAME     Only the dead letters of that event, e.g. '\\core\\event\\user_loggedin'
  -h, --help           This help

Example:
  php local/integrationhub/cli/purge_dlq.php --all --service='Slack Notifications'
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
        if (!mih::delete_dead_letter((int)$options["id"])) {
            cli_error(get_string("deadnotfound", "local_integrationhub", (int)$options["id"]));
        }
        mtrace(get_string("deaddeleted", "local_integrationhub", (int)$options["id"]));
    } else {
        $filter = [];
        if ($options["service"] !== "") {
            $filter["service"] = $options["service"];
        }
        if ($options["eventname"] !== "") {
            $filter["eventname"] = $options["eventname"];
        }
        mtrace(get_string("clipurged", "local_integrationhub", mih::purge_dead_letters($filter)));
    }
} catch (\local_integrationhub\exception $e) {
    cli_error($e->getMessage());
}
