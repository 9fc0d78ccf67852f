--TEST--
mih::privacy_export() returns a user's or a context's tasks and dead letters in full; mih::privacy_delete() removes them with the request-log rows of their deliveries, by user, users and context
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../store.inc';
use local_integrationhub\mih;

mih_test_use_store('privacy_export_delete');
// port 1 refuses: every delivery fails and leaves a log row; "once" gives up at once (DLQ), "again" retries
mih::save_service(['name' => 'again', 'base_url' => 'http://127.0.0.1:1', 'max_retries' => 0]);
mih::save_service(['name' => 'once', 'base_url' => 'http://127.0.0.1:1', 'max_retries' => 0, 'max_attempts' => 1]);
mih::save_rule(['eventname' => '\core\event\user_loggedin', 'service' => 'again', 'endpoint' => '/login/{{userid}}',
    'payload_template' => '{"text": "User {{other.username}} logged in from {{ip}}"}']);
mih::save_rule(['eventname' => '\core\event\user_updated', 'service' => 'once', 'endpoint' => '/users/{{relateduserid}}',
    'payload_template' => '{"by": {{userid}}, "user": {{relateduserid}}}']);

function login(int $userid, string $username, int $contextid): int
{
    return mih::emit('\core\event\user_loggedin', ['userid' => $userid, 'relateduserid' => null,
        'contextid' => $contextid, 'ip' => '203.0.113.7', 'other' => ['username' => $username]])[0];
}
function updated(int $userid, int $relateduserid, int $contextid): void
{
    mih::emit('\core\event\user_updated', ['userid' => $userid, 'relateduserid' => $relateduserid,
        'contextid' => $contextid, 'other' => null]);
}
function summary(): string
{
    $out = [];
    foreach ([2, 5, 8] as $u) {
        $e = mih::privacy_export(['userid' => $u]);
        $out[] = "$u: " . count($e['tasks']) . ' tasks ' . count($e['dead_letters']) . ' dead';
    }
    return implode(', ', $out) . ', log ' . count(mih::log(['limit' => 100]));
}

$ana = login(2, 'ana', 30);
$maria = login(5, 'maria', 30);
login(8, 'pablo', 40);
updated(2, 5, 40);     // ana updates maria's profile: linked to both
updated(8, 8, 30);
$r = mih::run_queue();
echo "retried {$r['retried']} dead {$r['dead']}\n", summary(), "\n";

$e = mih::privacy_export(['userid' => 2, 'contextid' => 30]);
$t = $e['tasks'][0];
echo json_encode(['eventname' => $t['eventname'], 'service' => $t['service'], 'status' => $t['status'],
    'attempts' => $t['attempts'], 'endpoint' => $t['endpoint'], 'payload' => $t['payload']], JSON_UNESCAPED_SLASHES), "\n";
echo $t['eventdata'], "\n";
var_dump($t['id'] === $ana, is_int($t['created']), $t['userid'], $t['contextid'], count($e['dead_letters']));
$d = mih::privacy_export(['userid' => 5, 'contextid' => 40])['dead_letters'][0];
echo json_encode(['eventname' => $d['eventname'], 'service' => $d['service'], 'payload' => $d['payload'],
    'error' => strtok($d['error'], ':'), 'links' => [$d['userid'], $d['relateduserid'], $d['contextid']]],
    JSON_UNESCAPED_SLASHES), "\n";

// ana: her task, the dead letter about maria and their log rows go; the others stay
print_r(mih::privacy_delete(['userid' => 2]));
echo summary(), "\n";
echo "maria's log rows: ", count(mih::log(['task_id' => $maria])), "\n";
// everyone in context 30: maria's login and pablo's update
print_r(mih::privacy_delete(['contextid' => 30]));
echo summary(), "\n";
// a list of users (one of them without data), with the rows queued without an event left alone
mih::enqueue('again', '/direct', ['no' => 'event']);
print_r(mih::privacy_delete(['userids' => [5, 8, 99]]));
echo summary(), ', without a context: ', count(mih::privacy_export(['contextid' => null])['tasks']), "\n";
print_r(mih::privacy_delete(['contextid' => null]));
echo count(mih::tasks()), ' tasks, ', count(mih::dead_letters()), ' dead letters, ', count(mih::log()), " log rows\n";
?>
--EXPECT--
retried 3 dead 2
2: 1 tasks 1 dead, 5: 1 tasks 1 dead, 8: 1 tasks 1 dead, log 5
{"eventname":"\\core\\event\\user_loggedin","service":"again","status":"retrying","attempts":1,"endpoint":"/login/2","payload":"{\"text\": \"User ana logged in from 203.0.113.7\"}"}
{"userid":2,"relateduserid":null,"contextid":30,"ip":"203.0.113.7","other":{"username":"ana"}}
bool(true)
bool(true)
int(2)
int(30)
int(0)
{"eventname":"\\core\\event\\user_updated","service":"once","payload":"{\"by\": 2, \"user\": 5}","error":"connection refused to 127.0.0.1","links":[2,5,40]}
Array
(
    [tasks] => 1
    [dead_letters] => 1
    [log] => 2
)
2: 0 tasks 0 dead, 5: 1 tasks 0 dead, 8: 1 tasks 1 dead, log 3
maria's log rows: 1
Array
(
    [tasks] => 1
    [dead_letters] => 1
    [log] => 2
)
2: 0 tasks 0 dead, 5: 0 tasks 0 dead, 8: 1 tasks 0 dead, log 1
Array
(
    [tasks] => 1
    [dead_letters] => 0
    [log] => 1
)
2: 0 tasks 0 dead, 5: 0 tasks 0 dead, 8: 0 tasks 0 dead, log 0, without a context: 1
Array
(
    [tasks] => 1
    [dead_letters] => 0
    [log] => 0
)
0 tasks, 0 dead letters, 0 log rows
