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
 * Re-encrypts every stored secret under the current mih.secret_key (or decrypts them when only
 * mih.secret_keys_old is set), so that old keys can be retired.
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

[$options, $unrecognised] = cli_get_params(['help' => false], ['h' => 'help']);
if ($unrecognised) {
    cli_error(get_string('cliunknowoption', 'admin', implode("\n  ", $unrecognised)));
}
if ($options['help']) {
    echo "Re-encrypts the Integration Hub's stored secrets (auth tokens, signing secrets, credential
headers) under the current mih.secret_key, reading old values with mih.secret_keys_old. Run it
after changing the key; the old key can be removed from mih.secret_keys_old afterwards.

Options:
  -h, --help        This help

Example:
  php local/integrationhub/cli/rotate_secrets.php
";
    exit(0);
}
if (!hub::bind()) {
    cli_error(get_string('cliextensionmissing', 'local_integrationhub'));
}
try {
    mtrace(get_string('secretsrotated', 'local_integrationhub', mih::rotate_secrets()));
} catch (\local_integrationhub\exception $e) {
    cli_error($e->getMessage());
}
