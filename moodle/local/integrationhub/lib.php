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
 * Callbacks of local_integrationhub.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

/**
 * Binds the mih store to this request's $DB and passes the site's outbound HTTP rules.
 *
 * Moodle 4.2 and 4.3 call this legacy callback; from 4.4 the hook in db/hooks.php replaces it
 * (Moodle then skips this function because the plugin registers the replacing hook).
 */
function local_integrationhub_after_config() {
    \local_integrationhub\local\hub::bind();
}

/**
 * The oldest mih extension this release of the plugin runs on (the product's version is one:
 * scripts/check-version.sh keeps it at most the plugin's release).
 */
define('LOCAL_INTEGRATIONHUB_MIH_MIN_VERSION', '2.1.0');

/**
 * Environment check (environment.xml): the mih extension is loaded and not older than
 * LOCAL_INTEGRATIONHUB_MIH_MIN_VERSION, or the result says which version is needed and what the server has.
 *
 * @param environment_results $result the result Moodle fills in for this check
 * @param string|false|null $installed the loaded extension's version, false for none; null reads it
 * @return environment_results
 */
function local_integrationhub_environment_mih(
    environment_results $result,
    string|false|null $installed = null
): environment_results {
    $needed = LOCAL_INTEGRATIONHUB_MIH_MIN_VERSION;
    if ($installed === null) {
        $installed = extension_loaded('mih') ? phpversion('mih') : false;
    }
    $result->setNeededVersion($needed);
    $result->setCurrentVersion($installed === false ? '' : $installed);
    $a = (object)['needed' => $needed, 'current' => $installed === false ? '' : $installed];
    if ($installed === false) {
        $result->setStatus(false);
        $result->setFeedbackStr(['environmentmihmissing', 'local_integrationhub', $a]);
    } else if (version_compare($installed, $needed, '<')) {
        $result->setStatus(false);
        $result->setFeedbackStr(['environmentmihold', 'local_integrationhub', $a]);
    } else {
        $result->setStatus(true);
    }
    return $result;
}
