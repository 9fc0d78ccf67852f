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
 * The config.php of the fake Moodle site check_inbound.php serves webhook.php from (PHP's built-in server):
 * the Moodle API webhook.php and the plugin's inbound code call, over the checker's SQLite file.
 *
 * Environment: MIHCI_ROOT (repository), MIHCI_SITE (the site's directory, with the plugin copied under
 * local/integrationhub), MIHCI_DB (the SQLite file the checker shares), MIHCI_EVENTS (a file that gets one
 * JSON line per triggered event) and MIHCI_MAXBYTES (the inbound_max_bytes setting).
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// phpcs:disable

namespace core\event {
    /** What the plugin's events and observer use of Moodle's event base class. */
    abstract class base {
        /** Education level "other". */
        const LEVEL_OTHER = 0;
        /** @var array */
        protected $data = [];

        /**
         * @param array $data
         * @return static
         */
        public static function create(array $data = []) {
            $event = new static();
            $event->data = [
                'eventname' => '\\' . static::class, 'component' => 'local_integrationhub', 'action' => 'received',
                'target' => 'webhook', 'objecttable' => null, 'objectid' => null, 'crud' => 'r', 'edulevel' => 0,
                'contextid' => 1, 'contextlevel' => 10, 'contextinstanceid' => 0, 'userid' => 0, 'courseid' => 0,
                'relateduserid' => null, 'anonymous' => 0, 'other' => $data['other'] ?? null, 'timecreated' => time(),
            ];
            $event->init();
            $event->validate_data();
            return $event;
        }

        /** Sets crud and edulevel. */
        abstract protected function init();

        /** Checks the data. */
        protected function validate_data() {
        }

        /**
         * @return array
         */
        public function get_data() {
            return $this->data;
        }

        /**
         * @param string $name
         * @return mixed
         */
        public function __get($name) {
            return $this->data[$name] ?? null;
        }

        /** Records the event, then runs the plugin's observers (db/events.php) as Moodle runs internal ones. */
        public function trigger() {
            global $DB;
            file_put_contents(getenv('MIHCI_EVENTS'), json_encode($this->data) . "\n", FILE_APPEND | LOCK_EX);
            $observers = [];
            require(getenv('MIHCI_SITE') . '/local/integrationhub/db/events.php');
            foreach ($observers as $observer) {
                if ($observer['eventname'] === '*' || $observer['eventname'] === $this->data['eventname']) {
                    call_user_func($observer['callback'], $this);
                }
            }
        }
    }
}

namespace {
    define('MOODLE_INTERNAL', true);
    define('CLI_SCRIPT', false);
    define('DEBUG_NORMAL', 15);
    define('DEBUG_DEVELOPER', 32767);
    define('PARAM_RAW_TRIMMED', 'raw_trimmed');
    define('PARAM_ALPHANUMEXT', 'alphanumext');

    $root = getenv('MIHCI_ROOT');
    $plugin = getenv('MIHCI_SITE') . '/local/integrationhub';
    require_once($root . '/tests/moodle_db.inc');
    require_once(__DIR__ . '/lib/fake_db.php');
    spl_autoload_register(function (string $class) use ($plugin): void {
        $prefix = 'local_integrationhub\\';
        if (str_starts_with($class, $prefix)) {
            $file = $plugin . '/classes/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require_once($file);
            }
        }
    });

    /** The system context. */
    class context_system {
        /** @var int */
        public $id = 1;

        /**
         * @return context_system
         */
        public static function instance() {
            return new context_system();
        }
    }

    require_once(__DIR__ . '/lib/fake_cache.php');

    /**
     * @param string $plugin
     * @param string|null $name
     * @return mixed
     */
    function get_config($plugin, $name = null) {
        return ['version' => 2026120300, 'inbound_max_bytes' => getenv('MIHCI_MAXBYTES')][$name] ?? false;
    }

    /**
     * @return bool
     */
    function during_initial_install() {
        return false;
    }

    /**
     * Moodle's optional_param() for the two types webhook.php may use.
     *
     * @param string $name
     * @param mixed $default
     * @param string $type
     * @return mixed
     */
    function optional_param($name, $default, $type) {
        if (!isset($_GET[$name]) || !is_string($_GET[$name])) {
            return $default;
        }
        return $type === PARAM_ALPHANUMEXT ? preg_replace('/[^A-Za-z0-9_-]/', '', $_GET[$name]) : trim($_GET[$name]);
    }

    /**
     * @param string $id
     * @param string $component
     * @param mixed $a
     * @return string
     */
    function get_string($id, $component = '', $a = null) {
        $string = [];
        require(getenv('MIHCI_SITE') . '/local/integrationhub/lang/en/local_integrationhub.php');
        return str_replace('{$a}', (string)$a, $string[$id] ?? "[[$id]]");
    }

    /**
     * @param string $message
     * @param int $level
     */
    function debugging($message = '', $level = 0) {
        error_log('debugging: ' . $message);
    }

    /**
     * @param string|null $default
     * @return string|null
     */
    function getremoteaddr($default = '0.0.0.0') {
        return $_SERVER['REMOTE_ADDR'] ?? $default;
    }

    /**
     * @param string $text
     * @return string
     */
    function s($text) {
        return htmlspecialchars((string)$text, ENT_QUOTES);
    }

    $CFG = (object)['wwwroot' => 'http://127.0.0.1', 'curlsecurityblockedhosts' => '', 'curlsecurityallowedport' => ''];
    $USER = (object)['id' => 0];
    $DB = new local_integrationhub_ci_db(getenv('MIHCI_DB'));
}
