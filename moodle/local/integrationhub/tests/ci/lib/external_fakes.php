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
 * The classes of Moodle's core_external the plugin's web services extend or build (only declared here,
 * for check_compat.php, which calls the services' logic without the web service layer).
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// phpcs:disable

namespace core_external;

/** Base of web service functions. */
class external_api {
}

/** A value of a parameter or result. */
class external_value {
    /**
     * @param mixed ...$args
     */
    public function __construct(...$args) {
    }
}

/** The parameters of a function. */
class external_function_parameters {
    /**
     * @param array $keys
     */
    public function __construct(array $keys = []) {
    }
}

/** A structure of values. */
class external_single_structure {
    /**
     * @param array $keys
     */
    public function __construct(array $keys = []) {
    }
}
