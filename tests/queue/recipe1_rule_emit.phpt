--TEST--
Cookbook Recipe 1: a service and a rule for \core\event\user_loggedin turn a login into a queued, delivered webhook
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
// Create Service: Name "Slack Notifications", Base URL (the local receiver stands in for hooks.slack.com), Method POST
mih::save_service(['name' => 'Slack Notifications', 'base_url' => $srv->url, 'method' => 'POST']);
// Create Rule
$rule = mih::save_rule([
    'eventname' => '\core\event\user_loggedin',
    'service' => 'Slack Notifications',
    'endpoint' => '/services/T000/B000/XXXX',
    'payload_template' => "{\n\"text\": \"User {{username}} just logged in from IP {{ip}}!\"\n}",
]);
echo "rule {$rule['id']}: {$rule['eventname']} -> {$rule['service']} {$rule['method']} {$rule['endpoint']}\n";

// Test: log in (the Moodle plugin adds username and ip to the event data)
$event = ['eventname' => '\core\event\user_loggedin', 'component' => 'core', 'action' => 'loggedin', 'target' => 'user',
    'objecttable' => 'user', 'objectid' => 2, 'crud' => 'r', 'edulevel' => 0, 'contextid' => 1, 'contextlevel' => 10,
    'contextinstanceid' => 0, 'userid' => 2, 'courseid' => 0, 'relateduserid' => null, 'anonymous' => 0,
    'other' => ['username' => 'admin'], 'timecreated' => 1795600000, 'username' => 'admin', 'ip' => '192.0.2.10'];
$ids = mih::emit('\core\event\user_loggedin', $event);
echo count($ids), " task queued\n";
// Check the Queue tab to see the event status
$task = mih::tasks()[0];
echo "{$task['eventname']} {$task['service']} {$task['status']} attempts={$task['attempts']}\n";
echo mih::task($ids[0])['payload'], "\n";
var_dump(mih::emit('\core\event\course_viewed', $event), mih::emit('core\event\user_loggedout', $event));

$result = mih::run_queue();
echo "delivered={$result['delivered']} retried={$result['retried']} dead={$result['dead']} parked={$result['parked']}\n";
$got = $srv->last();
echo $got['method'], ' ', $got['uri'], "\n", $got['body'], "\n";
var_dump(json_decode($got['body'], true)['text'], str_starts_with($got['headers']['idempotency-key'], 'msg_'));
var_dump(mih::task($ids[0]), mih::tasks());
$log = mih::log(['task_id' => $ids[0]]);
echo count($log), " log row: {$log[0]['service']} {$log[0]['httpstatus']} success=", var_export($log[0]['success'], true), "\n";
// the event name may be given without the leading backslash too
echo count(mih::emit('core\event\user_loggedin', $event)), "\n";
?>
--EXPECT--
rule 1: \core\event\user_loggedin -> Slack Notifications POST /services/T000/B000/XXXX
1 task queued
\core\event\user_loggedin Slack Notifications pending attempts=0
{
"text": "User admin just logged in from IP 192.0.2.10!"
}
array(0) {
}
array(0) {
}
delivered=1 retried=0 dead=0 parked=0
POST /services/T000/B000/XXXX
{
"text": "User admin just logged in from IP 192.0.2.10!"
}
string(45) "User admin just logged in from IP 192.0.2.10!"
bool(true)
NULL
array(0) {
}
1 log row: Slack Notifications 200 success=true
1
