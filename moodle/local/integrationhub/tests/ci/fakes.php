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
 * Part 3 of tests/ci/check.php: minimal fakes of the Moodle API the observer, the binding and the
 * queue task call, and the scenario run over them with the real extension.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// phpcs:disable

namespace core\event {
    /** The part of Moodle's event base class the observer uses. */
    abstract class base {
        /** @var array */
        protected $data;

        /** @var int get_data() calls, to check what an event without a rule costs */
        public static $getdata = 0;

        /**
         * @param array $data as get_data() returns it
         */
        public function __construct(array $data) {
            $this->data = $data + ['eventname' => '\\' . static::class, 'component' => 'core', 'action' => 'x',
                'target' => 'y', 'objecttable' => null, 'objectid' => null, 'crud' => 'r', 'edulevel' => 0,
                'contextid' => 1, 'contextlevel' => 10, 'contextinstanceid' => 0, 'userid' => 2, 'courseid' => 0,
                'relateduserid' => null, 'anonymous' => 0, 'other' => null, 'timecreated' => 1700000000];
        }

        /**
         * @return array
         */
        public function get_data() {
            self::$getdata++;
            return $this->data;
        }

        /** Moodle's education level "other". */
        const LEVEL_OTHER = 0;

        /**
         * The event's name, as Moodle's events give it.
         *
         * @return string
         */
        public static function get_name() {
            return 'Fake ' . substr(strrchr(static::class, '\\'), 1);
        }

        /**
         * Moodle's event factory: the data given, then init() and validate_data().
         *
         * @param array $data context, other, ...
         * @return static
         */
        public static function create(array $data = []) {
            unset($data['context']);
            $event = new static($data + ['contextid' => 1, 'userid' => 0]);
            $event->init();
            $event->validate_data();
            return $event;
        }

        /** Sets crud and edulevel. */
        protected function init() {
        }

        /** Checks the data. */
        protected function validate_data() {
        }

        /**
         * Dispatches to the plugin's observer of every event (db/events.php), as an internal observer runs.
         */
        public function trigger() {
            global $CI_EVENTS;
            $CI_EVENTS[] = $this->data;
            \local_integrationhub\observer::handle($this);
        }

        /**
         * A field of the data, as Moodle's events read them.
         *
         * @param string $name
         * @return mixed
         */
        public function __get($name) {
            return $this->data[$name] ?? null;
        }
    }

    /** Fake core events. */
    class user_loggedin extends base {
    }
    /** Fake core events. */
    class course_viewed extends base {
    }
    /** Fake core events. */
    class user_updated extends base {
    }
    /** Fake core events. */
    class user_created extends base {
    }
}

namespace core\task {
    /** The base class of scheduled tasks. */
    abstract class scheduled_task {
    }
}

namespace {
    define('MOODLE_INTERNAL', true);
    define('CLI_SCRIPT', false);
    define('DEBUG_NORMAL', 15);

    require_once(__DIR__ . '/lib/fake_cache.php');

    /** Invalidation by event: drops the cached keys. */
    class cache_helper {
        /**
         * @param string $event
         * @param array $keys
         */
        public static function invalidate_by_event($event, array $keys) {
            cache::$stores = [];
        }
    }

    /**
     * @param string $plugin
     * @param string $name
     * @return mixed
     */
    function get_config($plugin, $name = null) {
        global $CI_CONFIG;
        return $CI_CONFIG[$plugin][$name] ?? false;
    }

    /**
     * @return bool
     */
    function during_initial_install() {
        return false;
    }

    /**
     * @param string|null $default
     * @return string|null
     */
    function getremoteaddr($default = '0.0.0.0') {
        return $_SERVER['REMOTE_ADDR'] ?? $default;
    }

    /**
     * @param string $id
     * @param string $component
     * @param mixed $a
     * @return string
     */
    function get_string($id, $component = '', $a = null) {
        static $strings = null;
        if ($strings === null) {
            $string = [];
            require(dirname(__DIR__, 2) . '/lang/en/local_integrationhub.php');
            $strings = $string;
        }
        $text = $strings[$id] ?? "[[$id]]";
        if (is_object($a)) {
            foreach ((array)$a as $k => $v) {
                $text = str_replace('{$a->' . $k . '}', (string)$v, $text);
            }
        } else if ($a !== null) {
            $text = str_replace('{$a}', (string)$a, $text);
        }
        return $text;
    }

    /**
     * @param string $message
     * @param int $level
     */
    function debugging($message = '', $level = 0) {
        global $CI_DEBUGGING;
        $CI_DEBUGGING[] = $message;
    }

    /**
     * @param string $text
     */
    function mtrace($text) {
        global $CI_MTRACE;
        $CI_MTRACE[] = $text;
    }

    /**
     * @param float $value
     * @param int $decimals
     * @return string
     */
    function format_float($value, $decimals = 1) {
        return number_format($value, $decimals, '.', '');
    }

    /**
     * @param string $text
     * @return string
     */
    function s($text) {
        return htmlspecialchars((string)$text, ENT_QUOTES);
    }

    /**
     * Runs the scenario.
     *
     * @param string $plugin the plugin directory
     * @param string $root the repository root
     */
    function local_integrationhub_ci_logic(string $plugin, string $root): void {
        global $DB, $CFG, $USER, $CI_CONFIG, $CI_MTRACE, $CI_DEBUGGING;

        require_once($root . '/tests/moodle_db.inc');
        require_once(__DIR__ . '/lib/fake_db.php');
        // Moodle's class autoloading for the plugin's classes/ (frankenstyle namespace to path).
        spl_autoload_register(function (string $class) use ($plugin): void {
            $prefix = 'local_integrationhub\\';
            if (str_starts_with($class, $prefix)) {
                $file = $plugin . '/classes/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
                if (is_file($file)) {
                    require_once($file);
                }
            }
        });
        require_once($plugin . '/classes/local/hub.php');
        require_once($plugin . '/classes/observer.php');
        require_once($plugin . '/classes/task/run_queue.php');

        $file = tempnam(sys_get_temp_dir(), 'mihci');
        $DB = new \local_integrationhub_ci_db($file);
        $DB->execute('CREATE TABLE {user} (id INTEGER PRIMARY KEY, username TEXT)');
        $DB->execute("INSERT INTO {user} (id, username) VALUES (2, 'admin'), (5, 'maria')");
        $CFG = (object)['curlsecurityblockedhosts' => "10.0.0.0/8\n169.254.169.254", 'curlsecurityallowedport' => ''];
        $USER = (object)['id' => 2, 'username' => 'admin'];
        $CI_CONFIG = ['local_integrationhub' => ['version' => 2026030100]];
        $_SERVER['REMOTE_ADDR'] = '203.0.113.7';
        $hub = \local_integrationhub\local\hub::class;
        $mih = \local_integrationhub\mih::class;

        check($hub::bind(), 'hub::bind() binds the store to $DB');
        $secret = $hub::generate_secret();
        check(preg_match('/^whsec_[A-Za-z0-9+\/]{43}=$/', $secret) === 1, 'generated secret is whsec_ + base64 of 32 bytes');
        $mih::save_service(['name' => 'Slack Notifications', 'base_url' => 'http://127.0.0.1:1',
            'signing_secrets' => [$secret]]);
        $mih::save_rule(['eventname' => '\\core\\event\\user_loggedin', 'service' => 'Slack Notifications',
            'endpoint' => '/services/T000/B000/XXXX',
            'payload_template' => '{"text": "User {{username}} just logged in from IP {{ip}}!"}']);
        $mih::save_rule(['eventname' => '\\core\\event\\user_updated', 'service' => 'Slack Notifications',
            'endpoint' => '/u', 'payload_template' => '{"who": "{{username}}", "ip": "{{ip}}"}']);
        $hub::rules_changed();

        // Recipe 1: the cookbook's template as written.
        \local_integrationhub\observer::handle(new \core\event\user_loggedin(['other' => ['username' => 'admin']]));
        $tasks = $mih::tasks();
        check(count($tasks) === 1, 'a login event with a rule queues one task');
        $task = $tasks ? $mih::task($tasks[0]['id']) : null;
        check($task && $task['payload'] === '{"text": "User admin just logged in from IP 203.0.113.7!"}',
            'the queued payload carries username and ip: ' . ($task['payload'] ?? 'none'));

        // No rule: no query at all.
        $before = array_sum($DB->calls);
        \local_integrationhub\observer::handle(new \core\event\course_viewed([]));
        $getdata = \core\event\base::$getdata;
        \local_integrationhub\observer::handle(new \core\event\course_viewed([]));
        check(array_sum($DB->calls) === $before, 'an event without a rule costs no database call');
        check(\core\event\base::$getdata === $getdata, 'an event without a rule does not build its event data');

        // Another user's event: the user name is looked up once per request.
        \local_integrationhub\observer::handle(new \core\event\user_updated(['userid' => 5]));
        \local_integrationhub\observer::handle(new \core\event\user_updated(['userid' => 5]));
        check(($DB->calls['get_field'] ?? 0) === 1, 'the user name of another user is looked up once');
        $payloads = array_map(fn($t) => $mih::task($t['id'])['payload'], $mih::tasks());
        check(in_array('{"who": "maria", "ip": "203.0.113.7"}', $payloads, true), 'another user\'s name is filled in');

        // Anonymous events reveal neither who nor where.
        \local_integrationhub\observer::handle(new \core\event\user_updated(['userid' => 5, 'anonymous' => 1]));
        $payloads = array_map(fn($t) => $mih::task($t['id'])['payload'], $mih::tasks());
        check(in_array('{"who": "", "ip": ""}', $payloads, true), 'an anonymous event carries no username or ip');

        // Ids read from the database are numeric strings on PostgreSQL: templates see them as integers.
        $mih::save_rule(['eventname' => '\\core\\event\\user_created', 'service' => 'Slack Notifications',
            'endpoint' => '/users/{{objectid}}', 'payload_template' => '{"id": {{objectid}}, "ctx": {{contextinstanceid}}}']);
        $hub::rules_changed();
        $before = array_column($mih::tasks(), 'id');
        \local_integrationhub\observer::handle(new \core\event\user_created(['objectid' => '8', 'relateduserid' => '8',
            'contextinstanceid' => '8']));
        $new = array_values(array_filter($mih::tasks(), fn($t) => !in_array($t['id'], $before, true)));
        $task = $new ? $mih::task($new[0]['id']) : null;
        check($task && $task['payload'] === '{"id": 8, "ctx": 8}' && $task['endpoint'] === '/users/8',
            'numeric-string ids of the event reach templates as integers: ' . ($task['payload'] ?? 'none'));
        if ($task) {
            $mih::delete_task($task['id']);
        }
        foreach ($mih::rules() as $rule) {
            if ($rule['eventname'] === '\\core\\event\\user_created') {
                $mih::delete_rule($rule['id']);
            }
        }
        $hub::rules_changed();

        // The scheduled task runs the queue and prints its counts (the receiver refuses: retried).
        $CI_MTRACE = [];
        (new \local_integrationhub\task\run_queue())->execute();
        $expected = '/^Integration Hub queue: 0 delivered, 4 to retry, 0 to the dead letter queue, 0 parked, in [0-9.]+ s\.$/';
        check(count($CI_MTRACE) === 1 && preg_match($expected,
            $CI_MTRACE[0]) === 1, 'run_queue prints its counts: ' . ($CI_MTRACE[0] ?? 'nothing'));

        // A blocked-host entry the extension cannot parse is reported and the rest still applies.
        $CFG->curlsecurityblockedhosts = "127.0.0.0/8\nnot_a_host!";
        $CI_DEBUGGING = [];
        $hub::configure();
        check(count($CI_DEBUGGING) === 1 && str_contains($CI_DEBUGGING[0], 'not_a_host!'), 'a bad blocked-host entry is reported');
        $response = $mih::request('Slack Notifications', '/x', []);
        check(!$response->success && str_contains((string)$response->error, '127.0.0.0/8'),
            'the valid entries still block: ' . $response->error);

        // The site's web proxy is passed too (a closed port on 127.0.0.1: nothing listens), the
        // password never in a message; a service Moodle's proxybypass covers goes direct.
        $closed = stream_socket_server('tcp://127.0.0.1:0');
        $proxyport = (int)substr(strrchr(stream_socket_get_name($closed, false), ':'), 1);
        fclose($closed);
        $CFG->curlsecurityblockedhosts = '';
        $CFG->proxyhost = '127.0.0.1';
        $CFG->proxyport = (string)$proxyport;
        $CFG->proxytype = 'HTTP';
        $CFG->proxyuser = 'moodle';
        $CFG->proxypassword = 'CiProxySecret';
        $CFG->proxybypass = '';
        $hub::configure();
        $mih::save_service(['name' => 'proxy check', 'base_url' => 'http://127.0.0.1:1', 'max_retries' => 0,
            'cb_failure_threshold' => 100, 'cb_min_calls' => 100]);
        $response = $mih::request('proxy check', '/x', []);
        check(!$response->success && $response->error === "connection refused by the proxy 127.0.0.1:$proxyport",
            'requests go through the site\'s web proxy: ' . $response->error);
        $CFG->proxybypass = 'localhost,127.0.0.1';
        $hub::configure();
        $response = $mih::request('proxy check', '/x', []);
        check(!$response->success && $response->error === 'connection refused to 127.0.0.1:1',
            'a host in proxybypass goes direct: ' . $response->error);
        $CFG->proxybypass = '';
        $CFG->proxyhost = '';
        $hub::configure();
        $response = $mih::request('proxy check', '/x', []);
        check($response->error === 'connection refused to 127.0.0.1:1',
            'a web proxy the site drops no longer applies: ' . $response->error);
        $CFG->proxyhost = 'user:CiProxySecret@proxy';
        $CI_DEBUGGING = [];
        $hub::configure();
        check(count($CI_DEBUGGING) === 1 && str_contains($CI_DEBUGGING[0], 'proxy_host')
            && !str_contains($CI_DEBUGGING[0], 'CiProxySecret'), 'a bad proxy host is reported without the password');
        $response = $mih::request('proxy check', '/x', []);
        check($response->error === 'connection refused to 127.0.0.1:1', 'and requests go direct: ' . $response->error);
        $CFG->proxyhost = '';
        $hub::configure();
        $mih::delete_service('proxy check');

        require_once(__DIR__ . '/check_forms.php');
        local_integrationhub_ci_forms($plugin, $root);
        require_once(__DIR__ . '/check_upgrade.php');
        local_integrationhub_ci_upgrade($plugin);

        @unlink($file);
        foreach (['-wal', '-shm'] as $suffix) {
            @unlink($file . $suffix);
        }
        echo "logic: observer, binding and queue task checked over the fake \$DB\n";
    }
}
