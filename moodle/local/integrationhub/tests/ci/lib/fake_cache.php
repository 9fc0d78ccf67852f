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
 * The stand-in of Moodle's MUC (\cache::make()) the plugin checks and the fake site of check_inbound.php
 * use: an application cache held in memory, per process.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// phpcs:disable

/** A MUC application cache held in memory. */
class cache {
    /** @var array */
    public static $stores = [];
    /** @var string */
    private $key;

    /**
     * @param string $component
     * @param string $area
     * @return cache
     */
    public static function make($component, $area) {
        $c = new cache();
        $c->key = "$component/$area";
        return $c;
    }

    /**
     * @param string $key
     * @return mixed false when absent
     */
    public function get($key) {
        return self::$stores[$this->key][$key] ?? false;
    }

    /**
     * @param string $key
     * @param mixed $value
     */
    public function set($key, $value) {
        self::$stores[$this->key][$key] = $value;
    }
}
