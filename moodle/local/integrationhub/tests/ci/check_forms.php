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
 * Part of tests/ci/check.php: the cookbook's services and rules made through the Add Service and Add
 * Rule forms, submitted with the field set a browser posts (tests/ci/lib/formslib.php processes it as
 * formslib does), then Recipes 3 and 4 driven through the queue by the scheduled task against a real
 * receiver on 127.0.0.1.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// phpcs:disable

namespace {
    /** The event list the rule form offers (Moodle's report_eventlist). */
    class report_eventlist_list_generator {
        /**
         * @param bool $detail
         * @return array
         */
        public static function get_all_events_list($detail = true) {
            return ['\\core\\event\\user_loggedin' => [], '\\core\\event\\user_created' => [],
                '\\core\\event\\course_viewed' => []];
        }
    }

    /**
     * Submits a form as the browser posts it and runs the page's processing of it.
     *
     * @param \moodleform $form
     * @param array $post the POST fields
     * @param callable $save the page's processing: fn(\stdClass $data) => result
     * @return mixed the result, or the form's errors as ['errors' => [...]]
     */
    function local_integrationhub_ci_submit(\moodleform $form, array $post, callable $save) {
        \moodleform::receive($post);
        $data = $form->get_data();
        $_POST = [];
        return $data ? $save($data) : ['errors' => $form->errors];
    }

    /**
     * The form checks and Recipes 3 and 4; runs inside local_integrationhub_ci_logic() over its fake $DB.
     *
     * @param string $plugin the plugin directory
     * @param string $root the repository root
     */
    function local_integrationhub_ci_forms(string $plugin, string $root): void {
        global $DB, $CFG, $CI_MTRACE;

        $CFG->libdir = __DIR__ . '/lib';
        require_once($CFG->libdir . '/formslib.php');
        require_once($plugin . '/classes/form/service_form.php');
        require_once($plugin . '/classes/form/rule_form.php');
        require_once($plugin . '/classes/local/eventlist.php');
        // The test receiver; server.inc binds a store of its own, so the hub is bound to $DB again.
        require_once($root . '/tests/server.inc');
        \local_integrationhub\local\hub::reset();
        check(\local_integrationhub\local\hub::bind(), 'the hub binds to $DB again after the receiver started');
        $CFG->curlsecurityblockedhosts = '';
        $CFG->curlsecurityallowedport = '';
        $CFG->debug = 0;
        $CFG->debugdisplay = false;
        $CFG->debugdeveloper = false;
        \local_integrationhub\local\hub::configure();

        $mih = \local_integrationhub\mih::class;
        $sform = \local_integrationhub\form\service_form::class;
        $rform = \local_integrationhub\form\rule_form::class;
        $defaults = $mih::service_defaults();
        $compare = function (array $a, array $b): array {
            $diff = [];
            foreach ($b as $k => $v) {
                if (!in_array($k, ['id', 'name', 'base_url', 'timecreated', 'timemodified'], true) && $a[$k] !== $v) {
                    $diff[] = $k;
                }
            }
            return $diff;
        };

        // The Add Service form opens with the documented defaults.
        $form = new $sform(null, ['service' => null]);
        $form->set_data($sform::to_form(null));
        $shown = [];
        foreach (['cb_failure_threshold', 'cb_window', 'cb_cooldown', 'max_attempts', 'timeout', 'max_retries',
                'retry_statuses', 'cb_failure_statuses', 'queue_backoff', 'apikey_header', 'method'] as $field) {
            $shown[$field] = $form->shown($field);
        }
        check($shown === ['cb_failure_threshold' => '5', 'cb_window' => '60', 'cb_cooldown' => '30', 'max_attempts' => '5',
            'timeout' => '5', 'max_retries' => '3', 'retry_statuses' => '408, 425, 429, 500, 502, 503, 504',
            'cb_failure_statuses' => '5xx, 429', 'queue_backoff' => '60', 'apikey_header' => 'X-API-Key', 'method' => 'POST'],
            'the Add Service form shows the defaults: ' . json_encode($shown));

        // Recipe 1's service, only Name, Base URL and Method filled in, the rest as displayed.
        $post = $form->browser_post(['name' => 'Slack Notifications (form)', 'base_url' => 'https://hooks.slack.com',
            'method' => 'POST']);
        check(($post['cb_failure_threshold'] ?? null) === '5' && !isset($post['name_frozen']),
            'the browser posts the shown defaults');
        // As the browser walk saw Moodle 5.0 post it: the inputs hidden by hideIf are disabled, not posted.
        $absent = array_values(array_intersect(['auth_token', 'apikey_header', 'cb_min_calls', 'cb_failure_rate'],
            array_keys($post)));
        check(!$absent, 'the inputs hidden by hideIf are not posted: ' . implode(', ', $absent));
        [$saved] = local_integrationhub_ci_submit($form, $post, fn($data) => $sform::save($data, null));
        $reference = $mih::save_service(['name' => 'reference', 'base_url' => 'https://hooks.slack.com', 'method' => 'POST']);
        $diff = $compare($saved, $reference);
        check(!$diff, 'a service added in the form equals save_service(name, base_url, method): ' . implode(', ', $diff));

        // The same form posted with every untouched field empty (the issue's report: lists came back []).
        $form = new $sform(null, ['service' => null]);
        $post = $form->browser_post(['name' => 'crm-blank', 'base_url' => 'https://crm.example.org', 'method' => 'POST']);
        foreach ($form->mform()->elements as $name => $el) {
            if (in_array($el['type'], ['text', 'textarea', 'passwordunmask'], true) && !in_array($name, ['name', 'base_url'], true)) {
                $post[$name] = '';
            }
        }
        $result = local_integrationhub_ci_submit($form, $post, fn($data) => $sform::save($data, null));
        $diff = isset($result['errors']) ? array_keys($result['errors']) : $compare($result[0], $reference);
        check(!$diff, 'empty fields take the defaults: ' . implode(', ', $diff));
        check(isset($result[0]) && $result[0]['retry_statuses'] === [408, 425, 429, 500, 502, 503, 504]
            && $result[0]['cb_failure_statuses'] === ['5xx', 429], 'empty status lists are the default lists');

        // "none" is the documented way to say no status; saved back unchanged it stays empty.
        $service = $mih::service('crm-blank');
        $form = new $sform(null, ['service' => $service]);
        $form->set_data($sform::to_form($service));
        $post = $form->browser_post(['retry_statuses' => 'none', 'cb_failure_statuses' => 'NONE']);
        [$none] = local_integrationhub_ci_submit($form, $post, fn($data) => $sform::save($data, $service));
        check($none['retry_statuses'] === [] && $none['cb_failure_statuses'] === [], '"none" saves an empty list');
        $form = new $sform(null, ['service' => $none]);
        $form->set_data($sform::to_form($none));
        check($form->shown('retry_statuses') === 'none', 'an empty list is shown as "none"');
        [$again] = local_integrationhub_ci_submit($form, $form->browser_post(), fn($data) => $sform::save($data, $none));
        check($again['retry_statuses'] === [] && !$compare($again, $none), 'an unchanged edit keeps every field');

        // Fields hidden by hideIf keep their stored values through an unchanged edit (rate-mode settings and the
        // API key header of a count-mode service without authentication).
        $mih::save_service(['name' => 'crm-blank', 'cb_min_calls' => 20, 'cb_failure_rate' => 30, 'apikey_header' => 'X-Key']);
        $hiddenkept = $mih::service('crm-blank');
        $form = new $sform(null, ['service' => $hiddenkept]);
        $form->set_data($sform::to_form($hiddenkept));
        [$kept] = local_integrationhub_ci_submit($form, $form->browser_post(), fn($data) => $sform::save($data, $hiddenkept));
        check($kept['cb_min_calls'] === 20 && $kept['cb_failure_rate'] === 30 && $kept['apikey_header'] === 'X-Key',
            'an unchanged edit keeps the values of the fields hideIf hides');

        // An AMQP service: the broker password goes in the URL, is shown masked and kept through an unchanged edit.
        $form = new $sform(null, ['service' => null]);
        $post = $form->browser_post(['name' => 'bus', 'type' => 'amqp',
            'base_url' => 'amqp://app:Broker-Pass-123@mq.example.org/prod?exchange=moodle']);
        check(!isset($post['auth_type']) && !isset($post['method']), 'an AMQP service hides the method and the HTTP auth');
        [$bus] = local_integrationhub_ci_submit($form, $post, fn($data) => $sform::save($data, null));
        check($bus['type'] === 'amqp' && $bus['base_url'] === 'amqp://app:****-123@mq.example.org/prod?exchange=moodle',
            'the Add Service form saves an AMQP service, its password masked: ' . $bus['base_url']);
        $form = new $sform(null, ['service' => $bus]);
        $form->set_data($sform::to_form($bus));
        [$busagain] = local_integrationhub_ci_submit($form, $form->browser_post(), fn($data) => $sform::save($data, $bus));
        $stored = $DB->get_record('local_integrationhub_svc', ['name' => 'bus']);
        check(!$compare($busagain, $bus) && $stored->base_url === 'amqp://app@mq.example.org/prod?exchange=moodle'
            && $mih::service('bus')['auth_token'] === '****-123', 'an unchanged edit of an AMQP service keeps its password');
        $mih::delete_service('bus');

        // Adding a service whose name is taken does not overwrite it.
        $form = new $sform(null, ['service' => null]);
        $post = $form->browser_post(['name' => 'crm-blank', 'base_url' => 'https://other.example.org']);
        try {
            local_integrationhub_ci_submit($form, $post, fn($data) => $sform::save($data, null));
            check(false, 'adding a taken name is refused');
        } catch (\moodle_exception $e) {
            check($mih::service('crm-blank')['base_url'] === 'https://crm.example.org', 'adding a taken name is refused');
        }

        // Recipe 3: a failing webhook, through the forms, the observer and the scheduled task.
        $srv = new \mih_test_server();
        $form = new $sform(null, ['service' => null]);
        // Short backoffs so five cron runs fit in a few seconds; everything else as the form shows it.
        $post = $form->browser_post(['name' => 'crm', 'base_url' => $srv->url, 'method' => 'POST',
            'queue_backoff' => '0.01', 'queue_backoff_cap' => '0.01']);
        local_integrationhub_ci_submit($form, $post, fn($data) => $sform::save($data, null));
        $form = new $rform(null, ['rule' => null]);
        $form->set_data($rform::to_form(null));
        $template = "{\r\n\"id\": {{objectid}},\r\n\"name\": \"{{other.fullname}}\"\r\n}";
        $post = $form->browser_post(['eventname' => '\\core\\event\\user_created', 'service' => 'crm',
            'endpoint' => '/users/{{objectid}}', 'payload_template' => $template]);
        check(($post['enabled'] ?? null) === '1' && ($post['method'] ?? null) === 'POST', 'the Add Rule form posts its defaults');
        $rule = local_integrationhub_ci_submit($form, $post, fn($data) => $rform::save($data));
        check(($rule['payload_template'] ?? null) === str_replace("\r\n", "\n", $template),
            'the textarea\'s CR LF is saved as LF');
        check(($rule['method'] ?? null) === 'POST' && ($rule['endpoint'] ?? null) === '/users/{{objectid}}',
            'the rule keeps method and endpoint');

        $srv->respond('/users/7', array_fill(0, 5, ['status' => 503]));
        \local_integrationhub\observer::handle(new \core\event\user_created(['objectid' => 7,
            'other' => ['fullname' => 'Ana Ruiz']]));
        $task = array_values(array_filter($mih::tasks(), fn($t) => $t['service'] === 'crm'))[0] ?? null;
        check($task && $task['status'] === 'pending' && $task['attempts'] === 0, 'Recipe 3: the task is Pending');
        $id = $task['id'] ?? 0;
        $runs = [];
        for ($i = 1; $i <= 5; $i++) {
            $CI_MTRACE = [];
            (new \local_integrationhub\task\run_queue())->execute();
            $t = $mih::task($id);
            $runs[] = $t ? $t['status'] . '/' . $t['attempts'] : 'dlq';
            usleep(1100000);
        }
        check($runs === ['retrying/1', 'retrying/2', 'retrying/3', 'retrying/4', 'dlq'],
            'Recipe 3: Failed (Retry) with the Failures count rising, then the DLQ after 5: ' . implode(' ', $runs));
        $payload = json_decode($srv->requests()[0]['body'] ?? 'null', true);
        check($payload === ['id' => 7, 'name' => 'Ana Ruiz'], 'Recipe 3: the exact JSON was sent');
        $dead = array_values(array_filter($mih::dead_letters(), fn($d) => $d['service'] === 'crm'));
        check(count($dead) === 1 && str_starts_with($dead[0]['error'], 'HTTP 503 Service Unavailable') && $dead[0]['attempts'] === 5,
            'Recipe 3: the DLQ shows the error: ' . ($dead[0]['error'] ?? 'none'));
        // Five 503s in a row also opened crm's circuit (threshold 5): reset it, as the Services page does.
        check($mih::circuit('crm')['state'] === 'open', 'Recipe 3: five 503s in a row open the circuit');
        $mih::reset_circuit('crm');
        // A 404 is not worth a retry: straight to the DLQ, with the cookbook's error.
        $srv->respond('/users/8', [['status' => 404]]);
        \local_integrationhub\observer::handle(new \core\event\user_created(['objectid' => 8, 'other' => ['fullname' => 'Bo']]));
        (new \local_integrationhub\task\run_queue())->execute();
        $dead = array_values(array_filter($mih::dead_letters(), fn($d) => $d['service'] === 'crm'));
        $eight = array_values(array_filter($dead, fn($d) => $d['endpoint'] === '/users/8'));
        check(count($dead) === 2 && $eight && $eight[0]['error'] === 'HTTP 404 Not Found' && $eight[0]['attempts'] === 1,
            'Recipe 3: a 404 lands in the DLQ at once as "HTTP 404 Not Found": ' . ($eight[0]['error'] ?? 'none'));
        // Replay and Delete.
        $srv->respond('/users/7', [['status' => 200]]);
        $seven = array_values(array_filter($dead, fn($d) => $d['endpoint'] === '/users/7'))[0];
        $mih::replay($seven['id']);
        (new \local_integrationhub\task\run_queue())->execute();
        $requests = $srv->requests();
        check(end($requests)['path'] === '/users/7' && !array_filter($mih::tasks(), fn($t) => $t['service'] === 'crm'),
            'Recipe 3: the replayed task is delivered');
        check($eight && $mih::delete_dead_letter($eight[0]['id'])
            && !array_filter($mih::dead_letters(), fn($d) => $d['service'] === 'crm'), 'Recipe 3: Delete empties the DLQ');

        // Recipe 4: the ERP service's Resilience Settings edited to 5 / 60 / 300, the receiver answers 500.
        $form = new $sform(null, ['service' => null]);
        $post = $form->browser_post(['name' => 'ERP', 'base_url' => $srv->url, 'method' => 'POST']);
        [$erp] = local_integrationhub_ci_submit($form, $post, fn($data) => $sform::save($data, null));
        $form = new $sform(null, ['service' => $erp]);
        $form->set_data($sform::to_form($erp));
        $post = $form->browser_post(['cb_failure_threshold' => '5', 'cb_window' => '60', 'cb_cooldown' => '300',
            'max_retries' => '0']);
        [$erp] = local_integrationhub_ci_submit($form, $post, fn($data) => $sform::save($data, $erp));
        check($erp['cb_failure_threshold'] === 5 && $erp['cb_window'] == 60 && $erp['cb_cooldown'] == 300
            && $erp['cb_failure_statuses'] === ['5xx', 429], 'Recipe 4: the edited service keeps 5 / 60 / 300 and counts 5xx');
        $form = new $rform(null, ['rule' => null]);
        $form->set_data($rform::to_form(null));
        $post = $form->browser_post(['eventname' => '\\core\\event\\course_viewed', 'service' => 'ERP', 'endpoint' => '/erp',
            'payload_template' => '{"course": {{courseid}}}']);
        local_integrationhub_ci_submit($form, $post, fn($data) => $rform::save($data));
        $srv->respond('/erp', array_fill(0, 20, ['status' => 500]));
        // One event per cron run, as they come on a site: five failures in a row, then two more events.
        $before = count($srv->requests());
        for ($i = 0; $i < 7; $i++) {
            \local_integrationhub\observer::handle(new \core\event\course_viewed(['courseid' => 10 + $i]));
            (new \local_integrationhub\task\run_queue())->execute();
        }
        $sent = count($srv->requests()) - $before;
        $circuit = $mih::circuit('ERP');
        $erptasks = array_values(array_filter($mih::tasks(), fn($t) => $t['service'] === 'ERP'));
        $parked = count(array_filter($erptasks, fn($t) => $t['status'] === 'parked'));
        check($circuit['state'] === 'open', 'Recipe 4: the circuit OPENS after 5 failures: ' . $circuit['state']);
        check($sent === 5 && $parked === 2, "Recipe 4: 5 calls reached the ERP, later events are parked ($sent sent, $parked parked)");
        check($circuit['retry_after'] > 200, 'Recipe 4: it stays open for the 300 s cooldown');
        echo "forms: Add Service / Add Rule as a browser posts them, Recipes 3 and 4 through the queue\n";
    }
}
