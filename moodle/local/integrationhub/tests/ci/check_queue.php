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
 * Part of tests/ci/check.php (after fakes.php): the Queue page's logic, queue_actions and
 * queue_view, driven with the parameters a browser sends (filters in the query string; sesskey,
 * action, id and ids[] as strings in the POST body) against a real store over the fake $DB, with
 * tasks (pending, retrying, running) and dead letters. The page's template is rendered with the
 * extension's own Mustache engine and read back as HTML, to check what the forms really submit.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// phpcs:disable

namespace core\output {
    if (!class_exists(notification::class, false)) {
        /** The notification types. */
        class notification {
            /** Success. */
            const NOTIFY_SUCCESS = 'success';
            /** Warning. */
            const NOTIFY_WARNING = 'warning';
            /** Info. */
            const NOTIFY_INFO = 'info';
            /** Error. */
            const NOTIFY_ERROR = 'error';
        }
    }
}

namespace {
    foreach (['PARAM_INT' => 'int', 'PARAM_ALPHA' => 'alpha', 'PARAM_TEXT' => 'text', 'PARAM_BOOL' => 'bool',
            'PARAM_RAW' => 'raw'] as $name => $value) {
        defined($name) || define($name, $value);
    }

    if (!class_exists('moodle_url', false)) {
        /** What the plugin uses of moodle_url. */
        class moodle_url {
            /** @var string */
            protected $path;
            /** @var array */
            protected $params = [];
            /** @var string|null */
            protected $anchor = null;

            /**
             * @param string|moodle_url $url
             * @param array|null $params
             * @param string|null $anchor
             */
            public function __construct($url, ?array $params = null, $anchor = null) {
                if ($url instanceof moodle_url) {
                    [$this->path, $this->params, $this->anchor] = [$url->path, $url->params, $url->anchor];
                } else {
                    $parts = parse_url($url);
                    $this->path = $parts['path'] ?? '';
                    if (isset($parts['query'])) {
                        parse_str($parts['query'], $this->params);
                    }
                    $this->anchor = $parts['fragment'] ?? null;
                }
                foreach ((array)$params as $key => $value) {
                    $this->params[$key] = (string)$value;   // As Moodle does.
                }
                if ($anchor !== null) {
                    $this->anchor = $anchor;
                }
            }

            /**
             * @return array
             */
            public function params() {
                return $this->params;
            }

            /**
             * @param string $name
             * @return string|null
             */
            public function param($name) {
                return $this->params[$name] ?? null;
            }

            /**
             * @param string $anchor
             */
            public function set_anchor($anchor) {
                $this->anchor = $anchor === '' ? null : $anchor;
            }

            /**
             * @return string|null
             */
            public function get_anchor() {
                return $this->anchor;
            }

            /**
             * @return string
             */
            public function get_path() {
                return $this->path;
            }

            /**
             * @param bool $escaped
             * @return string
             */
            public function out($escaped = true) {
                $query = [];
                foreach ($this->params as $key => $value) {
                    $query[] = rawurlencode($key) . '=' . rawurlencode($value);
                }
                return 'https://moodle.test' . $this->path . ($query ? '?' . implode($escaped ? '&amp;' : '&', $query) : '')
                    . ($this->anchor !== null ? '#' . $this->anchor : '');
            }
        }
    }

    if (!class_exists('context_system', false)) {
        /** The system context. */
        class context_system {
            /**
             * @return context_system
             */
            public static function instance() {
                return new context_system();
            }
        }
    }

    if (!function_exists('clean_param')) {
        /**
         * The cleaning of the types the plugin's pages use, as moodlelib does it.
         *
         * @param mixed $param
         * @param string $type
         * @return mixed
         */
        function clean_param($param, $type) {
            if (is_array($param) || is_object($param)) {
                throw new coding_exception('clean_param() can not process arrays, please use clean_param_array() instead.');
            }
            switch ($type) {
                case PARAM_INT:
                    return (int)$param;
                case PARAM_ALPHA:
                    return preg_replace('/[^a-zA-Z]/', '', (string)$param);
                case PARAM_BOOL:
                    return in_array(strtolower((string)$param), ['on', 'yes', 'true', '1'], true) ? 1 : 0;
                case PARAM_TEXT:
                    return strip_tags((string)$param);
                default:
                    return $param;
            }
        }

        /**
         * POST first, then GET, as moodlelib reads a parameter.
         *
         * @param string $parname
         * @param mixed $default
         * @param string $type
         * @return mixed
         */
        function optional_param($parname, $default, $type) {
            $param = $_POST[$parname] ?? $_GET[$parname] ?? null;
            if ($param === null) {
                return $default;
            }
            if (is_array($param)) {
                debugging('Invalid array parameter detected in required_param(): ' . $parname);
                return optional_param_array($parname, $default, $type);
            }
            return clean_param($param, $type);
        }

        /**
         * @param string $parname
         * @param string $type
         * @return mixed
         */
        function required_param($parname, $type) {
            $param = $_POST[$parname] ?? $_GET[$parname] ?? null;
            if ($param === null) {
                throw new moodle_exception('missingparam', '', '', $parname);
            }
            return clean_param($param, $type);
        }

        /**
         * @param string $parname
         * @param array $default
         * @param string $type
         * @return array
         */
        function optional_param_array($parname, $default, $type) {
            $param = $_POST[$parname] ?? $_GET[$parname] ?? null;
            if ($param === null) {
                return $default;
            }
            if (!is_array($param)) {
                debugging('optional_param_array() expects array parameters only: ' . $parname);
                return $default;
            }
            $result = [];
            foreach ($param as $key => $value) {
                if (!preg_match('/^[a-z0-9_-]+$/i', $key)) {
                    debugging('Invalid key name in optional_param_array() detected: ' . $key . ', parameter: ' . $parname);
                    continue;
                }
                $result[$key] = clean_param($value, $type);
            }
            return $result;
        }
    }

    if (!function_exists('sesskey')) {
        /**
         * @return string
         */
        function sesskey() {
            return 'ci-sesskey';
        }

        /**
         * @param string|null $sesskey
         * @return bool
         */
        function confirm_sesskey($sesskey = null) {
            return ($sesskey ?? required_param('sesskey', PARAM_RAW)) === sesskey();
        }

        /**
         * @throws moodle_exception
         */
        function require_sesskey() {
            if (!confirm_sesskey()) {
                throw new moodle_exception('invalidsesskey');
            }
        }
    }

    if (!function_exists('has_capability')) {
        /**
         * @param string $capability
         * @param context_system $context
         * @return bool
         */
        function has_capability($capability, $context) {
            global $CI_CAPABILITIES;
            return !empty($CI_CAPABILITIES[$capability]);
        }

        /**
         * @param string $capability
         * @param context_system $context
         * @throws moodle_exception
         */
        function require_capability($capability, $context) {
            if (!has_capability($capability, $context)) {
                throw new moodle_exception('nopermissions', '', '', $capability);
            }
        }
    }

    if (!function_exists('userdate')) {
        /**
         * @param int $time
         * @param string $format
         * @return string
         */
        function userdate($time, $format = '') {
            return gmdate('Y-m-d H:i', $time);
        }
    }

    /**
     * The outcome of $fn: its value, or the class and message of what it threw.
     *
     * @param callable $fn
     * @return mixed
     */
    function local_integrationhub_ci_outcome(callable $fn) {
        try {
            return $fn();
        } catch (Throwable $e) {
            return get_class($e) . ': ' . $e->getMessage();
        }
    }

    /**
     * A browser's request: the query string in $_GET, the form body in $_POST (all strings).
     *
     * @param array $get
     * @param array $post
     * @return \local_integrationhub\local\queue_actions
     */
    function local_integrationhub_ci_request(array $get, array $post = []) {
        $_GET = $get;
        $_POST = $post;
        return \local_integrationhub\local\queue_actions::from_request();
    }

    /**
     * Runs the Queue page scenario.
     *
     * @param string $plugin the plugin directory
     * @param string $root the repository root
     */
    function local_integrationhub_ci_queue(string $plugin, string $root): void {
        global $DB, $CFG, $CI_CAPABILITIES;

        require_once($plugin . '/classes/local/page.php');
        require_once($plugin . '/classes/local/queue_actions.php');
        require_once($plugin . '/classes/local/queue_view.php');
        $mih = \local_integrationhub\mih::class;
        $hub = \local_integrationhub\local\hub::class;
        $request = 'local_integrationhub_ci_request';
        $outcome = 'local_integrationhub_ci_outcome';
        $queuetable = '{local_integrationhub_queue}';

        $file = tempnam(sys_get_temp_dir(), 'mihciq');
        // Records every read with its limits, to see that pages are read a page at a time.
        $DB = new class($file) extends mih_test_moodle_db {
            /** @var array[] sql, limitfrom, limitnum */
            public $reads = [];

            /**
             * @return array
             */
            public function get_records_sql($sql, ?array $params = null, $limitfrom = 0, $limitnum = 0) {
                $this->reads[] = [$sql, (int)$limitfrom, (int)$limitnum];
                return parent::get_records_sql($sql, $params, $limitfrom, $limitnum);
            }
        };
        // The system context, as the context classes of the privacy fakes read it.
        $DB->execute('CREATE TABLE {context} (id INTEGER PRIMARY KEY, contextlevel INTEGER, instanceid INTEGER)');
        $DB->execute('INSERT INTO {context} (id, contextlevel, instanceid) VALUES (1, 10, 0)');
        $CFG->curlsecurityblockedhosts = '127.0.0.0/8';
        $CFG->curlsecurityallowedport = '';
        $hub::reset();
        check($hub::bind(), 'queue page: the store is bound to a fresh $DB');
        $CI_CAPABILITIES = ['local/integrationhub:manage' => true];

        // Dead letters: deliveries to a blocked destination, and a template failing on its data.
        $mih::save_service(['name' => 'crm', 'base_url' => 'http://127.0.0.1:1']);
        $mih::save_service(['name' => 'erp', 'base_url' => 'http://127.0.0.1:2']);
        $mih::save_rule(['eventname' => '\\core\\event\\user_deleted', 'service' => 'crm', 'endpoint' => '/gone']);
        $mih::save_rule(['eventname' => '\\core\\event\\course_viewed', 'service' => 'crm', 'endpoint' => '/c',
            'payload_template' => '{"n": {{#missing}}1{{/missing}}']);
        foreach (range(1, 3) as $i) {
            $mih::emit('\\core\\event\\user_deleted', ['objectid' => $i]);
        }
        $mih::emit('\\core\\event\\course_viewed', ['objectid' => 4]);
        $run = $mih::run_queue();
        $dead = $mih::dead_letters(['limit' => 100]);
        check($run['dead'] === 3 && count($dead) === 4, 'queue page: 4 dead letters (3 blocked, 1 template)');
        // Queued tasks: 55 for erp (more than a page), one made to wait, one held by a worker.
        $mih::save_rule(['eventname' => '\\core\\event\\user_created', 'service' => 'erp', 'endpoint' => '/u']);
        $taskids = [];
        foreach (range(1, 55) as $i) {
            $taskids = array_merge($taskids, $mih::emit('\\core\\event\\user_created', ['objectid' => $i]));
        }
        $crmtask = $mih::enqueue('crm', '/direct');
        [$waiting, $held] = [$taskids[0], $taskids[1]];
        $DB->execute("UPDATE $queuetable SET next_run = ? WHERE id = ?", [time() + 600, $waiting]);
        $DB->execute("UPDATE $queuetable SET lease_until = ?, claim_token = ? WHERE id = ?", [time() + 600, 'worker', $held]);
        check(($mih::task($held)['status'] ?? '') === 'running' && ($mih::task($waiting)['status'] ?? '') === 'retrying',
            'queue page: a task held by a worker and one waiting for its retry');

        // Filters as a browser sends them: a status the page does not know is dropped, pages below 0 are 0.
        $r = $request(['tservice' => 'erp', 'tevent' => 'core\\event\\user_created', 'tstatus' => 'bogus', 'tpage' => '7',
            'derror' => '  127.0.0.0/8 ', 'dpage' => '-3', 'other' => 'x']);
        check($r->params() === ['tservice' => 'erp', 'tevent' => '\\core\\event\\user_created', 'tpage' => 7,
            'derror' => '127.0.0.0/8'], 'queue page: filters cleaned: ' . json_encode($r->params()));
        check($r->task_filter() === ['service' => 'erp', 'eventname' => '\\core\\event\\user_created']
            && $r->dead_filter() === ['error' => '127.0.0.0/8'], 'queue page: the extension\'s filters');
        check($r->url()->out(false) === 'https://moodle.test/local/integrationhub/queue.php?tservice=erp'
            . '&tevent=%5Ccore%5Cevent%5Cuser_created&tpage=7&derror=127.0.0.0%2F8', 'queue page: the URL keeps the filters: '
            . $r->url()->out(false));
        check(!array_key_exists('tpage', $r->url(['tpage' => null])->params())
            && $r->url(['tpage' => 0, 'dpage' => 2])->params()['dpage'] === '2', 'queue page: url() changes a parameter');

        // Counting and paging happen in the store: one page read with its limits, totals by COUNT.
        $DB->reads = [];
        $view = new \local_integrationhub\local\queue_view($r);
        check($view->page_total('tpage') === 55 && $view->page('tpage') === 1,
            'queue page: 55 erp tasks, page 7 shows the last (1)');
        check($r->status_counts() === ['pending' => 53, 'retrying' => 1, 'parked' => 0, 'running' => 1],
            'queue page: counts per status: ' . json_encode($r->status_counts()));
        check(count($r->tasks(1)) === 5 && count($r->tasks(0)) === 50, 'queue page: pages of 50');
        check($view->page_total('dpage') === 3, 'queue page: 3 dead letters with the blocked range in their error');
        $queuereads = array_filter($DB->reads, fn($q) => str_contains($q[0], 'local_integrationhub_queue')
            || str_contains($q[0], 'local_integrationhub_dlq'));
        $unbounded = array_filter($queuereads, fn($q) => $q[2] === 0 && !str_contains($q[0], 'COUNT('));
        check($queuereads && !$unbounded, 'queue page: no read of the queue or the DLQ without a limit: '
            . json_encode(array_values($unbounded)));
        check((bool)array_filter($queuereads, fn($q) => $q[1] === 50 && $q[2] === 50),
            'queue page: page 2 read as limitfrom 50, limitnum 50');

        // What the page shows, and what its forms send.
        $data = $view->export(true);
        $rows = $data['tasks'];
        check(count($rows) === 5 && $data['taskfilter']['matches'] === get_string('filtermatches', 'local_integrationhub', 55),
            'queue page: the last page of the filtered queue');
        $labels = array_column($data['taskfilter']['statuses'], 'label', 'value');
        check($labels['retrying'] === 'Failed (Retry) (1)' && $labels['pending'] === 'Pending (53)'
            && $labels[''] === 'All statuses (55)',
            'queue page: statuses named as in the cookbook, with counts: ' . json_encode($labels));
        check(array_column($data['taskfilter']['hidden'], 'value', 'name') === ['derror' => '127.0.0.0/8'],
            'queue page: the queue filter form carries the DLQ filter');
        check(array_column($data['deadfilter']['hidden'], 'value', 'name') === ['tservice' => 'erp',
            'tevent' => '\\core\\event\\user_created', 'tpage' => 1],
            'queue page: the DLQ filter form carries the queue filter and page');
        $row = $rows[0];
        $payload = new moodle_url($row['payloadurl']);
        check($payload->param('type') === 'task' && $payload->param('tservice') === 'erp'
            && $payload->param('derror') === '127.0.0.0/8',
            'queue page: the payload link (</>) keeps the filters for the way back');
        $retry = new moodle_url($row['retryurl']);
        check($retry->param('action') === 'retry' && $retry->param('id') === (string)$row['id']
            && $retry->param('tservice') === 'erp',
            'queue page: a row\'s Retry now names the action, the row and the filters');
        $paging = $view->paging_url('dpage');
        check($paging->param('dpage') === null && $paging->param('tpage') === '1' && $paging->param('derror') === '127.0.0.0/8'
            && $paging->get_anchor() === 'dlq', 'queue page: the DLQ paging bar keeps every filter and the queue\'s page');
        $reset = new moodle_url($data['taskfilter']['reseturl']);
        check($reset->params() === ['derror' => '127.0.0.0/8'], 'queue page: "Show all" clears only the queue filter');

        // The template, rendered by the extension's Mustache engine with stand-ins of the core templates it
        // includes. A partial missing from the stand-ins would render as nothing here and fail in Moodle
        // ("the requested file could not be found"): every core partial a plugin template names must be one
        // of Moodle 5.0's lib/templates.
        $core = ['core/checkbox-toggleall-master', 'core/checkbox-toggleall-slave', 'core/checkbox-toggleall-master-button'];
        foreach (glob($plugin . '/templates/*.mustache') as $template) {
            preg_match_all('/{{>\s*([a-z_]+\/[a-z0-9_-]+)\s*}}/', file_get_contents($template), $m);
            foreach ($m[1] as $partial) {
                check(in_array($partial, $core, true) || (str_starts_with($partial, 'local_integrationhub/')
                    && is_file($plugin . '/templates/' . substr($partial, 21) . '.mustache')),
                    basename($template) . ": the partial $partial exists");
            }
        }
        $partials = [
            'core/checkbox-toggleall-master' => '<input type="checkbox" id="{{id}}" data-action="toggle" data-toggle="master" '
                . 'data-togglegroup="{{togglegroup}}">',
            'core/checkbox-toggleall-slave' => '<input type="checkbox" id="{{id}}" name="{{name}}" value="{{value}}" '
                . 'data-action="toggle" data-toggle="slave" data-togglegroup="{{togglegroup}}">',
        ];
        $data['taskpaging'] = $data['deadpaging'] = '';
        $html = $mih::render(file_get_contents($plugin . '/templates/queue.mustache'), $data, 'html', $partials);
        $buttongroups = [];
        $groupsdoc = new DOMDocument();
        @$groupsdoc->loadHTML('<!DOCTYPE html><html><body>' . $html . '</body></html>');
        foreach ((new DOMXPath($groupsdoc))->query('//*[@data-togglegroup]') as $el) {
            $buttongroups[$el->getAttribute('data-toggle')][$el->getAttribute('data-togglegroup')] = true;
        }
        check(array_keys($buttongroups['action'] ?? []) === array_keys($buttongroups['master'] ?? [])
            && array_keys($buttongroups['slave'] ?? []) === array_keys($buttongroups['master'] ?? []),
            'queue page: select all, the row checkboxes and the bulk buttons share their toggle groups: '
            . json_encode(array_map('array_keys', $buttongroups)));
        $doc = new DOMDocument();
        @$doc->loadHTML('<!DOCTYPE html><html><body>' . $html . '</body></html>');
        $xpath = new DOMXPath($doc);
        $taskform = $xpath->query('//form[@id="local_integrationhub-taskform"]')->item(0);
        check($taskform && $taskform->getAttribute('method') === 'post', 'queue page: the tasks table is a POST form');
        if ($taskform) {
            $fields = [];
            foreach ($xpath->query('.//input[@type="hidden"]', $taskform) as $input) {
                $fields[$input->getAttribute('name')] = $input->getAttribute('value');
            }
            check($fields === ['sesskey' => 'ci-sesskey', 'tservice' => 'erp', 'tevent' => '\\core\\event\\user_created',
                'tpage' => '1', 'derror' => '127.0.0.0/8'], 'queue page: the form posts the sesskey, the filters, the page shown: '
                . json_encode($fields));
            $boxes = [];
            foreach ($xpath->query('.//input[@type="checkbox"][@name="ids[]"]', $taskform) as $input) {
                $boxes[] = (int)$input->getAttribute('value');
            }
            check($boxes === array_column($rows, 'id'), 'queue page: one ids[] checkbox per row');
            $master = './/input[@data-toggle="master"][@data-togglegroup="local_integrationhub-tasks"]';
            check($xpath->query($master, $taskform)->length === 1,
                'queue page: a select-all checkbox for the tasks');
            $buttons = [];
            foreach ($xpath->query('.//button[@name="action"]', $taskform) as $button) {
                $buttons[] = $button->getAttribute('value');
            }
            check($buttons === ['retry', 'deletetask'], 'queue page: the buttons under the table: ' . implode(',', $buttons));
            check($xpath->query('.//button[@formaction="' . $row['retryurl'] . '"]', $taskform)->length === 1,
                'queue page: each row has its own Retry now');
        }
        check(str_contains($html, '&lt;/&gt;') && $xpath->query('//h3[@id="dlq"]')->length === 1
            && $xpath->query('//form[@id="local_integrationhub-deadform"]//input[@name="ids[]"]')->length === 3,
            'queue page: the code icon, the DLQ section and its 3 rows');
        $filterform = $xpath->query('//form[@method="get"][.//input[@type="text"][@name="derror"]]')->item(0);
        check($filterform && $xpath->query('.//input[@type="hidden"][@name="tservice"][@value="erp"]', $filterform)->length === 1,
            'queue page: the DLQ filter form keeps the queue filter');

        // A viewer sees no checkboxes and no buttons.
        $viewer = $mih::render(file_get_contents($plugin . '/templates/queue.mustache'), ['canmanage' => false] + $data, 'html',
            $partials);
        check(!str_contains($viewer, 'ids[]') && !str_contains($viewer, 'formaction'),
            'queue page: nothing to act with for a viewer');

        // Bulk Retry now: the ticked ids as strings; a task a worker holds and a vanished one are reported, the rest go ahead.
        $get = ['tservice' => 'erp', 'tevent' => '\\core\\event\\user_created', 'tpage' => '1'];
        $r = $request($get, ['sesskey' => 'ci-sesskey', 'action' => 'retry',
            'ids' => [(string)$waiting, (string)$held, 'x', '999999', (string)$waiting, '-4']]);
        $result = $r->execute();
        check($result->type === 'warning' && str_starts_with($result->message,
            get_string('bulkretried', 'local_integrationhub', (object)['done' => 1, 'total' => 3])),
            'queue page: bulk retry: 1 of 3 done: ' . $result->message);
        check(str_contains($result->message, "Task $held: task $held is running") && str_contains($result->message,
            'Task 999999: There is no task 999999.'), 'queue page: bulk retry names each refused row');
        check(($mih::task($waiting)['status'] ?? '') === 'pending' && ($mih::task($held)['status'] ?? '') === 'running',
            'queue page: the waiting task is due now, the held one untouched');
        $back = $r->return_url();
        check($back->params() == $get && $back->get_anchor() === null, 'queue page: the redirect keeps the filters and the page');

        // Bulk Delete: two pending tasks and the held one.
        $before = $mih::count_tasks();
        $r = $request($get, ['sesskey' => 'ci-sesskey', 'action' => 'deletetask',
            'ids' => [(string)$taskids[2], (string)$taskids[3], (string)$held]]);
        $result = $r->execute();
        check($result->type === 'warning' && str_contains($result->message, '2 of 3') && $mih::count_tasks() === $before - 2
            && $mih::task($held) !== null, 'queue page: bulk delete: 2 of 3, the held task kept: ' . $result->message);

        // A row's own button (action and id in the URL, formaction) acts on that row only, whatever is ticked.
        $r = $request($get + ['action' => 'deletetask', 'id' => (string)$held],
            ['sesskey' => 'ci-sesskey', 'ids' => [(string)$taskids[4]]]);
        $result = $r->execute();
        check($result->type === 'error' && str_contains($result->message, "task $held is running")
            && $mih::task($taskids[4]) !== null, 'queue page: a row refused on its own: ' . $result->message);
        $r = $request($get + ['action' => 'retry', 'id' => (string)$taskids[4]], ['sesskey' => 'ci-sesskey']);
        $result = $r->execute();
        check($result->type === 'success' && $result->message === get_string('taskretried', 'local_integrationhub', $taskids[4]),
            'queue page: a row done on its own: ' . $result->message);

        // Nothing ticked; no sesskey, a wrong one; no manage capability; an unknown action: nothing happens.
        $r = $request($get, ['sesskey' => 'ci-sesskey', 'action' => 'deletetask']);
        $result = $r->execute();
        check($result->type === 'warning' && $result->message === get_string('noneselected', 'local_integrationhub'),
            'queue page: nothing ticked');
        $count = $mih::count_tasks();
        $attempts = [
            [['action' => 'deletetask', 'ids' => [(string)$taskids[5]]], 'missingparam'],
            [['action' => 'deletetask', 'ids' => [(string)$taskids[5]], 'sesskey' => 'stolen'], 'invalidsesskey'],
            [['action' => 'explode', 'sesskey' => 'ci-sesskey'], 'invalidaction'],
        ];
        foreach ($attempts as [$post, $error]) {
            $said = $outcome(fn() => $request($get, $post)->execute());
            check(is_string($said) && str_contains($said, $error), "queue page: refused ($error): " . json_encode($said));
        }
        $CI_CAPABILITIES = [];
        $said = $outcome(fn() => $request($get, ['action' => 'deletetask', 'ids' => [(string)$taskids[5]],
            'sesskey' => 'ci-sesskey'])->execute());
        $CI_CAPABILITIES = ['local/integrationhub:manage' => true];
        check(is_string($said) && str_contains($said, 'nopermissions'), 'queue page: refused without local/integrationhub:manage');
        check($mih::count_tasks() === $count, 'queue page: refused actions changed nothing');

        // Dead letters: bulk Replay (one already gone), then bulk Delete.
        $deadids = array_column($mih::dead_letters(['limit' => 100]), 'id');
        $dget = ['derror' => '127.0.0.0/8', 'tpage' => '1'];
        $tasksbefore = $mih::count_tasks();
        $r = $request($dget, ['sesskey' => 'ci-sesskey', 'action' => 'replay',
            'ids' => [(string)$deadids[0], (string)$deadids[1], '424242']]);
        $result = $r->execute();
        check($result->type === 'warning' && str_contains($result->message,
            get_string('bulkreplayed', 'local_integrationhub', (object)['done' => 2, 'total' => 3]))
            && str_contains($result->message, 'Dead letter 424242: there is no dead letter with id 424242')
            && $mih::count_tasks() === $tasksbefore + 2 && $mih::count_dead_letters() === 2,
            'queue page: bulk replay: 2 of 3 queued again: ' . $result->message);
        check($r->return_url()->get_anchor() === 'dlq' && $r->return_url()->params() == $dget,
            'queue page: after a DLQ action, back at the DLQ with the filters');
        $r = $request($dget, ['sesskey' => 'ci-sesskey', 'action' => 'deletedead', 'ids' => [(string)$deadids[2]]]);
        $result = $r->execute();
        check($result->type === 'success' && $mih::count_dead_letters() === 1, 'queue page: bulk delete of a dead letter');

        // Replay all and purge act on what the DLQ filter matches, after a confirmation that says how many.
        $mih::emit('\\core\\event\\course_viewed', ['objectid' => 5]);
        $mih::emit('\\core\\event\\course_viewed', ['objectid' => 6]);
        $r = $request(['dservice' => 'crm', 'devent' => '\\core\\event\\course_viewed', 'action' => 'purge']);
        check($r->needs_confirmation() && $r->confirmation() === get_string('confirmpurgefiltered', 'local_integrationhub', 3),
            'queue page: purge asks first, with the count: ' . $r->confirmation());
        $r = $request(['action' => 'replayall']);
        check($r->confirmation() === get_string('confirmreplayall', 'local_integrationhub'),
            'queue page: unfiltered replay all asks as before');
        $r = $request(['devent' => '\\core\\event\\course_viewed', 'action' => 'purge', 'confirm' => '1'],
            ['sesskey' => 'ci-sesskey']);
        $result = $r->execute();
        check(!$r->needs_confirmation() && $result->message === get_string('purged', 'local_integrationhub', 3)
            && $mih::count_dead_letters() === 0, 'queue page: the confirmed purge deleted the 3 matching: ' . $result->message);

        // An event name that cannot be one is said so, and matches nothing (the extension is not asked).
        $r = $request(['tevent' => 'user_created', 'devent' => 'user_created']);
        check(count($r->warnings()) === 1 && $r->count_tasks() === 0 && $r->tasks(0) === [] && $r->dead_letters(0) === []
            && $r->status_counts() === array_fill_keys(\local_integrationhub\local\queue_actions::STATUSES, 0),
            'queue page: an invalid event name warns once and matches nothing');
        $r = $request(['devent' => '\\core\\event\\' . str_repeat('a', 300), 'derror' => "a\0b"]);
        check($outcome(fn() => $r->count_dead_letters()) === 0 && $r->dead_filter() === null && $r->param('derror') === 'ab',
            'queue page: an overlong event name and a NUL byte never reach the extension as errors');
        $r = $request(['tservice' => 'gone']);
        $data = (new \local_integrationhub\local\queue_view($r))->export(true);
        check(in_array(['value' => 'gone', 'label' => 'gone', 'selected' => true], $data['taskfilter']['services'], true)
            && !$data['hastasks'] && $data['notasks'] === get_string('nomatch', 'local_integrationhub'),
            'queue page: a service filter for a deleted service stays selected and matches nothing');

        $_GET = $_POST = [];
        $hub::reset();
        foreach (['', '-wal', '-shm'] as $suffix) {
            @unlink($file . $suffix);
        }
        echo "queue page: filters, paging, bulk actions and the template checked over the fake \$DB\n";
    }

    local_integrationhub_ci_queue($plugin, $root);
}
