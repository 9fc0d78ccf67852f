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
