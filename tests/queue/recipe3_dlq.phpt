--TEST--
Cookbook Recipe 3: a failing webhook is retried (Failures count), lands in the DLQ with the real error, is inspected, replayed and deleted
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
mih::save_service(['name' => 'crm', 'base_url' => $srv->url, 'queue_backoff' => 0.01, 'queue_backoff_cap' => 0.01,
    'cb_failure_threshold' => 20]);
mih::save_rule(['eventname' => '\core\event\user_created', 'service' => 'crm', 'endpoint' => '/users/{{objectid}}',
    'payload_template' => '{"id": {{objectid}}, "name": "{{other.fullname}}"}']);
$srv->respond('/users/7', [['status' => 503], ['status' => 503], ['status' => 503], ['status' => 503], ['status' => 503]]);
[$id] = mih::emit('\core\event\user_created', ['objectid' => 7, 'other' => ['fullname' => 'Ana Ruiz']]);

// Status: Failed (Retry), with the "Failures" count growing; the task is not lost in between
for ($i = 1; $i <= 4; $i++) {
    $r = mih::run_queue();
    $t = mih::task($id);
    echo "run $i: retried={$r['retried']} attempts={$t['attempts']} last={$t['last_status']} {$t['last_error']}\n";
    usleep(1100000); // times are whole seconds: the retry is due in the next second
}
// View Payload: exactly the JSON that was generated
echo mih::task($id)['payload'], "\n";
// the 5th failure (max_attempts 5, as in the cookbook) moves it to the DLQ
$r = mih::run_queue();
echo "run 5: dead={$r['dead']}\n";
var_dump(mih::task($id));
$dead = mih::dead_letters();
$d = $dead[0];
printf("DLQ: task %d %s %s %s attempts=%d status=%d error=\"%s\"\npayload %s\n", $d['task_id'], $d['service'], $d['method'],
    $d['endpoint'], $d['attempts'], $d['last_status'], $d['error'], $d['payload']);
var_dump($d['eventname'], json_decode($d['eventdata'], true)['objectid'], $d['failed_at'] >= $d['created']);
$key = $d['idempotency_key'];

// Replay: the same bytes again, the same idempotency key, a fresh attempt budget
$srv->respond('/users/7', [['status' => 201]]);
$new = mih::replay($d['id']);
var_dump(mih::dead_letters(), mih::task($new)['payload'] === $d['payload'], mih::task($new)['attempts']);
$r = mih::run_queue();
echo "replayed: delivered={$r['delivered']}\n";
$keys = array_unique(array_map(fn($r) => $r['headers']['idempotency-key'], $srv->requests()));
var_dump($keys === [$key]);

// Delete: a 404 goes to the DLQ at once (not retried), then is deleted
$srv->respond('/users/8', [['status' => 404, 'body' => 'no such user']]);
mih::emit('\core\event\user_created', ['objectid' => 8, 'other' => ['fullname' => 'Bo']]);
mih::run_queue();
$d = mih::dead_letters()[0];
echo "{$d['error']} attempts={$d['attempts']} response={$d['response']}\n";
var_dump(mih::delete_dead_letter($d['id']), mih::delete_dead_letter($d['id']), mih::dead_letters());
try {
    mih::replay(999);
} catch (local_integrationhub\exception $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
?>
--EXPECT--
run 1: retried=1 attempts=1 last=503 HTTP 503 Service Unavailable
run 2: retried=1 attempts=2 last=503 HTTP 503 Service Unavailable
run 3: retried=1 attempts=3 last=503 HTTP 503 Service Unavailable
run 4: retried=1 attempts=4 last=503 HTTP 503 Service Unavailable
{"id": 7, "name": "Ana Ruiz"}
run 5: dead=1
NULL
DLQ: task 1 crm POST /users/7 attempts=5 status=503 error="HTTP 503 Service Unavailable (gave up after 5 attempts)"
payload {"id": 7, "name": "Ana Ruiz"}
string(24) "\core\event\user_created"
int(7)
bool(true)
array(0) {
}
bool(true)
int(0)
replayed: delivered=1
bool(true)
HTTP 404 Not Found attempts=1 response=no such user
bool(true)
bool(false)
array(0) {
}
local_integrationhub\task_state_exception: there is no dead letter with id 999
