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

namespace local_integrationhub\local;

/**
 * A refusal of the hub as the pure-PHP plugin's classes threw it: a \moodle_exception, with the
 * extension's exception (a \local_integrationhub\exception) chained as the previous one.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class legacy_exception extends \moodle_exception {
    /**
     * Constructor.
     *
     * @param string $errorcode a string of local_integrationhub (the PHP plugin's code where it had one)
     * @param mixed $a the string's parameter
     * @param \Throwable $previous what the extension threw
     */
    public function __construct(string $errorcode, $a, \Throwable $previous) {
        parent::__construct($errorcode, 'local_integrationhub', '', $a);
        // The constructor of moodle_exception takes no previous exception: set it as \Exception's own.
        \Exception::__construct($this->getMessage(), 0, $previous);
    }
}
