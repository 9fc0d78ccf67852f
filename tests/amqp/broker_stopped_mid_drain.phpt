--TEST--
AMQP: the broker stopped while a worker drains the queue loses nothing: no task is marked delivered without the broker holding it, the failed ones are retried, and once it is back every task is in the queue (duplicates only of tasks whose confirm was lost, same message-id)
--EXTENSIONS--
mih
--SKIPIF--
<?php
require __DIR__ . '/amqp.inc';
mih_test_amqp_skip();
require __DIR__ . '/../children.inc';
mih_test_skip_if_valgrind();
?>
--INI--
mih.shm_path={PWD}/broker_stopped_mid_drain.shm
mih.store_durability=normal
--FILE--
<?php
require __DIR__ . '/amqp.inc';
require __DIR__ . '/../store.inc';
require __DIR__ . '/../children.inc';
use local_integrationhub\mih;

const TASKS = 4000;
mih_test_use_store();
mih_test_private_breaker_table();
$amqp = new mih_test_amqp();
$q = $amqp->queue('middrain');
mih::save_service(['name' => 'bus', 'type' => 'amqp', 'base_url' => $amqp->url . '?routing_key=' . $q, 'timeout' => 5,
    'connect_timeout' => 1, 'queue_backoff' => 0.01, 'queue_backoff_cap' => 0.01, 'max_attempts' => 100,
    'cb_failure_threshold' => 1000, 'cb_cooldown' => 0.5]);
$all = [];
for ($i = 0; $i < TASKS; $i++) {
    $id = mih::enqueue('bus', '/', ['n' => $i]);
    $all[mih::task($id)['idempotency_key']] = $id;
}
$queued = fn() => array_column(mih::tasks(['limit' => TASKS]), 'idempotency_key');

$worker = new mih_test_child('worker_child.inc', [120, json_encode(['concurrency' => 4])]);
$t0 = microtime(true);
while (mih::count_tasks() > TASKS - 300 && microtime(true) - $t0 < 60) {
    usleep(5000);
}
$left = mih::count_tasks();
mih_test_amqp::ctl('stop_app');
echo "stopped mid-drain: ", ($left > 0 && $left < TASKS) ? 'yes' : "no ($left left)", "\n";
usleep(1500000);
// While the broker is down, the store may only have lost tasks the broker confirmed.
$delivered = array_diff(array_keys($all), $queued());
mih_test_amqp::ctl('start_app');
mih_test_amqp::ctl('await_startup');
$held = array_column($amqp->drain($q), 'id');
$missing = array_diff($delivered, $held);
echo "marked delivered while down: ", count($delivered) > 0 ? 'some' : 'none', ", of which not in the broker: ",
    count($missing), "\n";
// The failures were retried, not lost: the worker (still running) drains the rest.
$worker->wait(120);
echo "worker: ", trim(substr($worker->output(), -5)), ", tasks left: ", mih::count_tasks(), ", dead letters: ",
    count(mih::dead_letters()), "\n";
$failed = count(mih::log(['success' => false, 'limit' => 100000]));
echo "failed attempts while the broker was down: ", $failed > 0 ? 'some' : 'none', "\n";
$held = array_merge($held, array_column($amqp->drain($q), 'id'));
$distinct = array_unique($held);
sort($distinct);
$expect = array_keys($all);
sort($expect);
var_dump($distinct === $expect);
// A duplicate can only be a message published once more after its confirm was lost with the connection.
$dups = count($held) - count($distinct);
echo "duplicates within the failed attempts: ", $dups <= $failed ? 'yes' : "no ($dups > $failed)", "\n";
?>
--EXPECT--
stopped mid-drain: yes
marked delivered while down: some, of which not in the broker: 0
worker: DONE, tasks left: 0, dead letters: 0
failed attempts while the broker was down: some
bool(true)
duplicates within the failed attempts: yes
