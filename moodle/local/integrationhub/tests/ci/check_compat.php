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
 * Part of tests/ci/check.php: the pure-PHP plugin's public API as another plugin calls it — mih::instance()
 * and execute_request(), the fluent chain and mih_response, service\registry, rule\registry,
 * circuit_breaker, retry_policy, task\queue_manager, webhook_handler, transport\http and the
 * preview_payload web service — against a real receiver on 127.0.0.1, with their refusals caught as
 * \moodle_exception (the extension's exception chained).
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// phpcs:disable

if (!class_exists('dml_missing_record_exception', false)) {
    /** Moodle's exception of a MUST_EXIST read that found nothing. */
    class dml_missing_record_exception extends dml_exception {
        /**
         * @param string $tablename
         * @param string $sql
         * @param array|null $params
         */
        public function __construct($tablename, $sql = '', ?array $params = null) {
            parent::__construct('invalidrecord', $tablename, $sql);
        }
    }
}

/**
 * Runs the compatibility checks.
 *
 * @param string $plugin the plugin directory
 * @param string $root the repository root
 */
function local_integrationhub_ci_compat(string $plugin, string $root): void {
    global $DB, $CFG, $CI_CONFIG, $CI_EVENTS;

    require_once(__DIR__ . '/lib/external_fakes.php');

    $hub = \local_integrationhub\local\hub::class;
    $mih = \local_integrationhub\mih::class;
    $file = tempnam(sys_get_temp_dir(), 'mihcompat');
    $DB = new \local_integrationhub_ci_db($file);
    // The system context, as the privacy fakes' context_system reads it.
    $DB->execute('CREATE TABLE {context} (id INTEGER PRIMARY KEY, contextlevel INTEGER, instanceid INTEGER)');
    $DB->execute('INSERT INTO {context} (id, contextlevel, instanceid) VALUES (1, 10, 0)');
    $CI_CONFIG = ['local_integrationhub' => ['version' => 2026120300]];
    $CFG->curlsecurityblockedhosts = '';
    $CFG->curlsecurityallowedport = '';
    $hub::reset();
    check($hub::bind(), 'compat: the hub binds to a fresh $DB');
    $srv = new \mih_test_server();
    $caught = function (callable $fn): ?\Throwable {
        try {
            $fn();
        } catch (\Throwable $e) {
            return $e;
        }
        return null;
    };

    // service\registry, as the PHP plugin's callers used it.
    $registry = \local_integrationhub\service\registry::class;
    $id = $registry::create_service((object)['name' => 'crm', 'base_url' => $srv->url, 'auth_type' => 'bearer',
        'auth_token' => 'crm-token-0123456789', 'timeout' => 5, 'max_retries' => 0, 'retry_backoff' => 1,
        'cb_failure_threshold' => 3, 'cb_cooldown' => 30]);
    $idb = $registry::create_service((object)['name' => 'billing', 'base_url' => $srv->url]);
    $svc = $registry::get_service('crm');
    check(is_int($id) && $svc->id === $id && $svc->name === 'crm' && $svc->base_url === $srv->url && $svc->type === 'rest'
        && $svc->auth_type === 'bearer' && $svc->timeout === 5 && $svc->max_retries === 0 && $svc->cb_failure_threshold === 3
        && $svc->enabled === 1 && $svc->auth_token === '****6789', 'compat: create_service() and get_service() keep the record shape: '
        . json_encode($svc));
    check($registry::get_service('nobody') === false, 'compat: get_service() of an unknown name is false');
    // The PHP plugin's AMQP and SOAP types, as its service form saved them (auth_type bearer without a token).
    $busid = $registry::create_service((object)['name' => 'bus', 'type' => 'amqp', 'auth_type' => 'bearer', 'auth_token' => '',
        'base_url' => 'amqp://app:Broker-Pass-12@mq.example.org:5672/?routing_key=events']);
    $bus = $registry::get_service_by_id($busid);
    check($bus->type === 'amqp' && $bus->base_url === 'amqp://app:****s-12@mq.example.org:5672/?routing_key=events',
        'compat: an AMQP service is created with its type, the password masked: ' . json_encode($bus));
    $soapid = $registry::create_service((object)['name' => 'erp', 'type' => 'soap', 'base_url' => 'https://erp.example.org/ws?wsdl']);
    check($registry::get_service_by_id($soapid)->type === 'soap', 'compat: a SOAP service is created with its type');
    $e = $caught(fn() => $registry::create_service((object)['name' => 'ftp', 'type' => 'ftp', 'base_url' => $srv->url]));
    check($e instanceof \moodle_exception && $e->errorcode === 'servicetypeunsupported', 'compat: an unknown type is refused');
    $registry::delete_service($busid);
    $registry::delete_service($soapid);
    check($registry::get_service_by_id($idb)->name === 'billing', 'compat: get_service_by_id()');
    $all = $registry::get_all_services();
    check(array_keys($all) === [$idb, $id] && $all[$id]->name === 'crm', 'compat: get_all_services() keyed by id, by name');
    check($registry::update_service($id, (object)['timeout' => 7]) === true && $registry::get_service('crm')->timeout === 7
        && $registry::get_service('crm')->auth_token === '****6789', 'compat: update_service() changes only what it is given');
    $e = $caught(fn() => $registry::create_service((object)['name' => 'crm', 'base_url' => $srv->url]));
    check($e instanceof \moodle_exception && $e->errorcode === 'serviceexists', 'compat: a taken name is a moodle_exception');
    $e = $caught(fn() => $registry::get_service_by_id(99999));
    check($e instanceof \dml_missing_record_exception, 'compat: get_service_by_id() of an unknown id is dml_missing_record_exception');
    $e = $caught(fn() => $registry::create_service((object)['name' => 'bad', 'base_url' => 'ftp://x']));
    check($e instanceof \moodle_exception && $e->errorcode === 'hub_error'
        && $e->getPrevious() instanceof \local_integrationhub\invalid_definition_exception,
        'compat: a refused definition is a moodle_exception with the extension\'s exception chained');

    // mih::instance() / execute_request(), the fluent chain and mih_response, against the receiver.
    check($mih::instance() === $mih::instance(), 'compat: mih::instance() is a singleton');
    $srv->respond('/api/users', [['status' => 201, 'body' => '{"id": 9}']]);
    $r = $mih::instance()->execute_request('crm', '/api/users', ['name' => 'maria']);
    $last = $srv->last();
    check($r->success && $r->httpstatus === 201 && $r->body === '{"id": 9}' && $r->error === null && $r->attempts === 1
        && is_float($r->latencyms) && $r->is_ok() && $r->json() === ['id' => 9],
        'compat: execute_request() returns the response fields as before');
    check($last && $last['method'] === 'POST' && $last['body'] === '{"name":"maria"}'
        && $last['headers']['authorization'] === 'Bearer crm-token-0123456789',
        'compat: execute_request() with the default method sends the payload as JSON with the service\'s auth');
    $r = $mih::send('crm')->to('/api/users')->with(['q' => 'x'])->method('get')->dispatch();
    check($r->success && $srv->last()['method'] === 'GET' && $srv->last()['query'] === 'q=x', 'compat: the fluent chain');
    $e = $caught(fn() => $mih::instance()->execute_request('nobody'));
    check($e instanceof \local_integrationhub\service_not_found_exception && $e instanceof \local_integrationhub\exception,
        'compat: execute_request() of an unknown service throws the extension\'s exception (README: catch both)');

    // transport\http.
    $http = new \local_integrationhub\transport\http();
    check($http instanceof \local_integrationhub\transport\contract, 'compat: transport\\http implements the contract');
    $srv->respond('/gone', [['status' => 404]]);
    $res = $http->execute($svc, '/gone', []);
    check($res['success'] === false && $res['http_code'] === 404 && $res['error'] === 'HTTP 404 Not Found'
        && array_keys($res) === ['success', 'response', 'error', 'latency', 'attempts', 'http_code'],
        'compat: transport\\http returns the contract\'s array: ' . json_encode($res));
    $res = $http->execute($svc, '/ok', ['a' => 1], 'PUT');
    check($res['success'] === true && $res['http_code'] === 200 && $srv->last()['method'] === 'PUT', 'compat: transport\\http PUT');

    // circuit_breaker: outcomes of calls made outside the hub, and the hub's own calls, open the same circuit.
    $cb = \local_integrationhub\service\circuit_breaker::from_service($registry::get_service('crm'));
    $mih::reset_circuit('crm');
    check($cb->is_available() && $cb->get_state()->state === 'closed' && $cb->get_state_label() === 'CLOSED',
        'compat: a new circuit is closed');
    $cb->record_failure();
    $cb->record_failure();
    check($cb->is_available() && $cb->get_state()->failure_count === 2, 'compat: failures below the threshold keep it closed');
    $cb->record_failure();
    $state = $cb->get_state();
    check(!$cb->is_available() && $state->state === 'open' && $cb->get_state_label() === 'OPEN' && $state->serviceid === $id
        && array_keys((array)$state) === ['id', 'serviceid', 'state', 'failure_count', 'last_failure', 'timemodified'],
        'compat: the threshold opens the circuit: ' . json_encode($state));
    $e = $caught(fn() => $mih::request('crm', '/x'));
    check($e instanceof \local_integrationhub\circuit_open_exception, 'compat: mih::request() sees the circuit opened by record_failure()');
    $res = $http->execute($svc, '/x', []);
    check($res['success'] === false && str_contains((string)$res['error'], 'open'), 'compat: transport\\http reports the open circuit');
    $cb->reset();
    check($cb->is_available() && $cb->get_state()->state === 'closed', 'compat: reset() closes it');
    $cb->record_failure();
    $cb->record_failure();
    $cb->record_success();
    $cb->record_failure();
    $cb->record_failure();
    check($cb->is_available(), 'compat: record_success() breaks a run of failures');
    $e = $caught(fn() => (new \local_integrationhub\service\circuit_breaker(99999))->record_success());
    check($e instanceof \moodle_exception && $e->errorcode === 'service_not_found', 'compat: an unknown service id is a moodle_exception');

    // retry_policy around the caller's own code (the receiver fails twice).
    $policy = new class(3, 1) extends \local_integrationhub\service\retry_policy {
        /** @var int[] */
        public $pauses = [];

        /**
         * @param int $seconds
         */
        protected function pause(int $seconds): void {
            $this->pauses[] = $seconds;
        }
    };
    $srv->respond('/flaky', [['status' => 503], ['status' => 503], ['status' => 200, 'body' => 'ok']]);
    $result = $policy->execute(function (int $attempt) use ($mih) {
        $r = $mih::request('billing', '/flaky', [], 'POST', ['max_retries' => 0]);
        if (!$r->success) {
            throw new \Exception("attempt $attempt: " . $r->error);
        }
        return $r->body;
    });
    check($result === 'ok' && $policy->pauses === [1, 2] && $policy->get_total_attempts() === 4,
        'compat: retry_policy retries with 1 s then 2 s: ' . json_encode($policy->pauses));
    $e = $caught(fn() => (new class(1, 1) extends \local_integrationhub\service\retry_policy {
        /**
         * @param int $seconds
         */
        protected function pause(int $seconds): void {
        }
    })->execute(function () {
        throw new \RuntimeException('always');
    }));
    check($e instanceof \RuntimeException && $e->getMessage() === 'always', 'compat: retry_policy rethrows the last exception');
    check(\local_integrationhub\service\retry_policy::from_service($registry::get_service('crm'))->get_total_attempts() === 1,
        'compat: retry_policy::from_service() reads max_retries');
    check((new \local_integrationhub\service\retry_policy(10, 1))->delay(9) === 60, 'compat: the backoff is capped at 60 s');

    // rule\registry.
    $rules = \local_integrationhub\rule\registry::class;
    $rid = $rules::create_rule((object)['eventname' => '\\core\\event\\user_created', 'serviceid' => $id, 'endpoint' => '/users',
        'http_method' => 'post', 'payload_template' => '{"id": {{objectid}}, "u": "{{username}}"}']);
    $rid2 = $rules::create_rule((object)['eventname' => '\\core\\event\\course_viewed', 'serviceid' => $idb]);
    $rule = $rules::get_rule($rid);
    check($rule->id === $rid && $rule->eventname === '\\core\\event\\user_created' && $rule->serviceid === $id
        && $rule->endpoint === '/users' && $rule->http_method === 'POST' && $rule->enabled === 1
        && $rule->payload_template === '{"id": {{objectid}}, "u": "{{username}}"}', 'compat: create_rule() and get_rule(): '
        . json_encode($rule));
    check(array_keys($rules::get_all_rules()) === [$rid2, $rid], 'compat: get_all_rules() keyed by id, by event name');
    $rules::update_rule($rid, (object)['endpoint' => '/v2/users', 'enabled' => 0]);
    $rule = $rules::get_rule($rid);
    check($rule->endpoint === '/v2/users' && $rule->enabled === 0 && $rule->serviceid === $id, 'compat: update_rule()');
    $e = $caught(fn() => $rules::update_rule($rid, (object)['payload_template' => '{"id": {{#objectid}}}']));
    check($e instanceof \moodle_exception && $e->getPrevious() instanceof \local_integrationhub\invalid_definition_exception
        && str_contains($e->getPrevious()->getMessage(), 'payload_template'), 'compat: a template that does not compile is a moodle_exception with the extension\'s exception chained');
    $e = $caught(fn() => $rules::get_rule(99999));
    check($e instanceof \dml_missing_record_exception, 'compat: get_rule() of an unknown id');
    check($rules::get_event_display_name('\\mod_forum\\event\\post_created') === 'Post Created'
        && count($rules::get_common_events()) === 5, 'compat: event display names');

    // task\queue_manager over the extension's queue.
    $rules::update_rule($rid, (object)['enabled' => 1]);
    $hub::rules_changed();
    $mih::emit('\\core\\event\\user_created', ['eventname' => '\\core\\event\\user_created', 'objectid' => 8, 'username' => 'ana']);
    $qm = \local_integrationhub\task\queue_manager::class;
    $pending = $qm::get_pending_tasks();
    $t = $pending[0] ?? null;
    check(count($pending) === 1 && $t->ruleid === $rid && $t->servicename === 'crm' && $t->eventname === '\\core\\event\\user_created'
        && json_decode($t->customdata)->ruleid === $rid && isset($t->nextruntime), 'compat: get_pending_tasks(): ' . json_encode($t));
    check($qm::retry_task($t->id) === true && $qm::retry_task(99999) === false, 'compat: retry_task()');
    $taskid = $mih::enqueue('billing', '/x');
    $rules::delete_rule($rid);
    check($qm::purge_orphan_tasks() === 1 && count($qm::get_pending_tasks()) === 1, 'compat: purge_orphan_tasks() deletes the task of a deleted rule');
    check($qm::delete_task($taskid) === true && !$qm::get_pending_tasks(), 'compat: delete_task()');

    // webhook_handler: the log row and the event.
    $CI_EVENTS = [];
    $res = \local_integrationhub\webhook_handler::handle($registry::get_service('crm'), ['status' => 'done'], 'amqp');
    $logs = $DB->get_records_sql("SELECT * FROM {local_integrationhub_log} WHERE direction = 'inbound'");
    $log = reset($logs);
    check($res === ['success' => true, 'error' => null] && count($logs) === 1 && $log->servicename === 'crm'
        && $log->endpoint === 'amqp' && $log->http_method === 'INBOUND' && (int)$log->success === 1,
        'compat: webhook_handler::handle() logs an inbound row: ' . json_encode($log));
    check(count($CI_EVENTS) === 1 && $CI_EVENTS[0]['eventname'] === '\\local_integrationhub\\event\\webhook_received'
        && $CI_EVENTS[0]['other'] === ['serviceid' => $id, 'servicename' => 'crm', 'source' => 'amqp', 'payload' => ['status' => 'done']],
        'compat: webhook_handler::handle() fires webhook_received');

    // preview_payload, under its name.
    $functions = [];
    require($plugin . '/db/services.php');
    check(($functions['local_integrationhub_preview_payload']['classname'] ?? '') === \local_integrationhub\external\preview_payload::class,
        'compat: db/services.php declares local_integrationhub_preview_payload');
    $p = \local_integrationhub\external\preview_payload::preview('{"id": {{objectid}}, "u": "{{userid}}"}', '');
    check($p['success'] === true && $p['raw'] === '{"id": 123, "u": "5"}' && json_decode($p['payload'], true) === ['id' => 123, 'u' => '5']
        && $p['error'] === '', 'compat: preview_payload renders over the mock data: ' . json_encode($p));
    $p = \local_integrationhub\external\preview_payload::preview('{"id": {{#objectid}}', '');
    check($p['success'] === false && $p['payload'] === '' && str_contains($p['error'], 'line 1'), 'compat: preview_payload reports a bad template');

    // Deleting a service through the registry.
    check($registry::delete_service($idb) === true && $registry::get_service('billing') === false, 'compat: delete_service()');

    $srv->stop();
    $hub::reset();
    @unlink($file);
    foreach (['-wal', '-shm'] as $suffix) {
        @unlink($file . $suffix);
    }
    echo "compat: the pure-PHP plugin's classes against a real receiver\n";
}
