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
 * Part of tests/ci/check.php: the pure-PHP plugin's pending deliveries (adhoc tasks) moved to the
 * queue by db/upgrade.php keep their event name, rule and event data, and its AMQP and SOAP services
 * keep running with their settings mapped.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// The capture of mtrace() is fakes.php's global $CI_MTRACE, named as the fakes' globals are.
// phpcs:disable moodle.NamingConventions.ValidVariableName

/**
 * Runs local_integrationhub_upgrade_adhoc_tasks() over the fake $DB of local_integrationhub_ci_logic().
 *
 * @param string $plugin the plugin directory
 */
function local_integrationhub_ci_upgrade(string $plugin): void {
    global $DB, $CI_MTRACE;

    require_once($plugin . '/db/upgrade.php');
    $mih = \local_integrationhub\mih::class;
    $DB->execute('CREATE TABLE {task_adhoc} (id INTEGER PRIMARY KEY, classname TEXT, customdata TEXT, timecreated INTEGER)');
    $mih::save_service(['name' => 'legacy', 'base_url' => 'https://legacy.example.org']);
    $serviceid = $mih::service('legacy')['id'];
    // The PHP plugin stored event names as the event class gives them, without the leading backslash.
    $ruleid = $DB->insert_record('local_integrationhub_rules', (object)['eventname' => 'core\\event\\user_created',
        'serviceid' => $serviceid, 'endpoint' => '/users', 'http_method' => 'POST',
        'payload_template' => '{"id": {{objectid}}}', 'enabled' => 1, 'timecreated' => 1, 'timemodified' => 1]);
    $customdata = json_encode(['ruleid' => $ruleid, 'eventdata' => ['eventname' => '\\core\\event\\user_created',
        'objectid' => 41, 'userid' => 2, 'contextid' => 1]]);
    $DB->execute(
        "INSERT INTO {task_adhoc} (classname, customdata, timecreated) VALUES (?, ?, 1700000000)",
        ['\\local_integrationhub\\task\\dispatch_event_task', $customdata]
    );
    $before = array_column($mih::tasks(['limit' => 1000]), 'id');
    $CI_MTRACE = [];
    local_integrationhub_upgrade_adhoc_tasks();
    $moved = array_values(array_filter($mih::tasks(['limit' => 1000]), fn($t) => !in_array($t['id'], $before, true)));
    check(
        count($moved) === 1 && $moved[0]['eventname'] === '\\core\\event\\user_created' && $moved[0]['status'] === 'pending',
        'a migrated task keeps its event name: ' . json_encode($moved[0]['eventname'] ?? null)
    );
    $task = $moved ? $mih::task($moved[0]['id']) : null;
    $row = $task ? $DB->get_record('local_integrationhub_queue', ['id' => $task['id']]) : null;
    check($task && $task['payload'] === '{"id": 41}' && $task['rule_id'] === $ruleid
        && json_decode((string)$row->eventdata, true)['objectid'] === 41, 'a migrated task keeps its payload, rule and event data');
    check(!$DB->get_records('task_adhoc'), 'the adhoc task is gone');
    check(
        ($CI_MTRACE[0] ?? '') === 'Integration Hub: 1 pending deliveries of the previous plugin moved to the new queue.',
        'the upgrade reports the move: ' . ($CI_MTRACE[0] ?? 'nothing')
    );
    echo "upgrade: pending deliveries of the PHP plugin keep their event\n";
    local_integrationhub_ci_upgrade_transports();
}

/**
 * Runs local_integrationhub_upgrade_transports() over services and rules as the PHP plugin stored them.
 */
function local_integrationhub_ci_upgrade_transports(): void {
    global $DB, $CI_MTRACE;

    $mih = \local_integrationhub\mih::class;
    $row = fn(string $name, string $type, string $url, int $enabled) => (object)['name' => $name, 'type' => $type,
        'base_url' => $url, 'auth_type' => 'bearer', 'auth_token' => '', 'timeout' => 5, 'max_retries' => 3,
        'retry_backoff' => 1, 'cb_failure_threshold' => 5, 'cb_cooldown' => 30, 'enabled' => $enabled,
        'timecreated' => 1, 'timemodified' => 1];
    $amqp = $DB->insert_record('local_integrationhub_svc', $row(
        'legacy-bus',
        'amqp',
        'amqp://app:S%40fe-Broker-Pass@mq.example.org:5672/prod?exchange=moodle&routing_key=events&dlq=dead',
        1
    ));
    $soap = $DB->insert_record('local_integrationhub_svc', $row('legacy-erp', 'soap', 'https://erp.example.org/ws?wsdl', 0));
    $odd = $DB->insert_record('local_integrationhub_svc', $row('legacy-odd', 'ftp', 'https://odd.example.org', 1));
    $rule = $DB->insert_record('local_integrationhub_rules', (object)['eventname' => 'core\\event\\user_created',
        'serviceid' => $amqp, 'endpoint' => 'users.created', 'http_method' => 'AMQP', 'payload_template' => '',
        'enabled' => 1, 'timecreated' => 1, 'timemodified' => 1]);
    $CI_MTRACE = [];
    local_integrationhub_upgrade_transports();
    $bus = $mih::service('legacy-bus');
    check(
        $bus && $bus['type'] === 'amqp' && $bus['enabled'] === true && $bus['auth_type'] === 'none'
            && $bus['base_url'] === 'amqp://app:****Pass@mq.example.org:5672/prod?exchange=moodle&routing_key=events',
        'an AMQP service keeps running, its password out of the URL, the dlq parameter dropped: ' . json_encode($bus)
    );
    $stored = $DB->get_record('local_integrationhub_svc', ['id' => $amqp]);
    check(
        $stored->base_url === 'amqp://app@mq.example.org:5672/prod?exchange=moodle&routing_key=events'
            && $stored->auth_token === 'S@fe-Broker-Pass',
        'the broker password is the service\'s secret, decoded, and no longer in base_url'
    );
    $method = $DB->get_field('local_integrationhub_rules', 'http_method', ['id' => $rule]);
    $enabled = (int)$DB->get_field('local_integrationhub_rules', 'enabled', ['id' => $rule]);
    check($method === 'POST' && $enabled === 1, 'its rule stays enabled, method POST');
    $erp = $mih::service('legacy-erp');
    check(
        $erp && $erp['type'] === 'soap' && $erp['base_url'] === 'https://erp.example.org/ws?wsdl'
            && $erp['enabled'] === false,
        'a SOAP service keeps its WSDL and its enabled flag: ' . json_encode($erp)
    );
    $oddsvc = $mih::service('legacy-odd');
    check(
        $oddsvc && $oddsvc['type'] === 'http' && $oddsvc['enabled'] === false,
        'an unknown type is kept as a disabled HTTP service'
    );
    check(
        $CI_MTRACE === [
            'Integration Hub: the broker URL of service "legacy-bus" had a "dlq" parameter, which has been removed: '
                . 'failed deliveries go to the hub\'s dead-letter queue.',
            'Integration Hub: service "legacy-odd" has a type other than rest, amqp or soap; '
                . 'it is kept as a disabled HTTP service.',
        ],
        'the upgrade says what it changed: ' . json_encode($CI_MTRACE)
    );
    // Saved again as read back (as the service form does), the password is kept.
    $mih::save_service($bus);
    check(
        $DB->get_field('local_integrationhub_svc', 'auth_token', ['id' => $amqp]) === 'S@fe-Broker-Pass'
        || str_starts_with((string)$DB->get_field('local_integrationhub_svc', 'auth_token', ['id' => $amqp]), '$mih1$'),
        'a mapped service saves back unchanged'
    );
    $DB->delete_records('local_integrationhub_rules', ['id' => $rule]);
    foreach (['legacy-bus', 'legacy-erp', 'legacy-odd'] as $name) {
        $mih::delete_service($name);
    }
    echo "upgrade: AMQP and SOAP services of the PHP plugin keep running, settings mapped\n";
}
