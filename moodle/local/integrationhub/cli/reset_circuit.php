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
 * Closes the circuit of a service, or of every service.
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

[$options, $unrecognised] = cli_get_params(['help' => false, 'service' => '', 'all' => false], ['h' => 'help']);
if ($unrecognised) {
    cli_error(get_string('cliunknowoption', 'admin', implode("\n  ", $unrecognised)));
}
$help = "Closes the circuit breaker of an Integration Hub service.

Options:
  --service=NAME    The service whose circuit to close
  --all             Close every circuit of this site
  -h, --help        This help

Example:
  php local/integrationhub/cli/reset_circuit.php --service='Slack Notifications'
";

if ($options["help"] || ($options["service"] === "" && !$options["all"])) {
    echo $help;
    exit($options["help"] ? 0 : 2);
}
if (!hub::bind()) {
    cli_error(get_string("cliextensionmissing", "local_integrationhub"));
}
try {
    if ($options["all"]) {
        mih::reset_circuits();
        mtrace(get_string("circuitsreset", "local_integrationhub"));
    } else {
        mih::reset_circuit($options["service"]);
        mtrace(get_string("circuitreset", "local_integrationhub", $options["service"]));
    }
} catch (\local_integrationhub\exception $e) {
    cli_error($e->getMessage());
}
