--TEST--
Queue scale-out: 4 worker processes drain one queue of 5000 tasks at once; every task is delivered exactly once (by Idempotency-Key) and the workers share the work
--EXTENSIONS--
mih
pdo
pdo_sqlite
--SKIPIF--
<?php
require __DIR__ . '/../children.inc';
mih_test_skip_if_valgrind();
?>
--INI--
mih.shm_path={PWD}/scaleout_workers.shm
mih.store_durability=normal
--FILE--
<?php
require __DIR__ . '/../server.inc';
require __DIR__ . '/../children.inc';
use local_integrationhub\mih;

const TASKS = 5000;
const WORKERS = 4;
const CONCURRENCY = 8;

mih_test_private_breaker_table();
$srv = new mih_test_server(__DIR__ . '/../router.inc', 4);
/* A generous timeout: no lease runs out on a loaded machine, so a second
 * delivery could only come from two workers claiming one task. */
mih::save_service(['name' => 'sink', 'base_url' => $srv->url, 'timeout' => 20, 'max_attempts' => 5,
    'queue_backoff' => 0.01, 'queue_backoff_cap' => 0.01, 'cb_failure_threshold' => 1000]);

$keys = [];
$t0 = microtime(true);
if (mih_test_backend() === 'moodle') {
    $tx = $GLOBALS['DB']->start_delegated_transaction();
}
for ($i = 0; $i < TASKS; $i++) {
    $id = mih::enqueue('sink', '/hook/' . $i, ['n' => $i]);
    $keys[mih::task($id)['idempotency_key']] = $id;
}
if (isset($tx)) {
    $tx->allow_commit();
}
echo count($keys), " tasks queued with distinct keys\n";
$queued = microtime(true) - $t0;

$started = microtime(true);
$options = json_encode(['concurrency' => CONCURRENCY, 'per_service' => CONCURRENCY, 'time_limit' => 60]);
$workers = [];
for ($w = 0; $w < WORKERS; $w++) {
    $workers[] = new mih_test_child('worker_child.inc', [90, $options]);
}
$delivered = [];
foreach ($workers as $w => $worker) {
    $rc = $worker->wait(100);
    $delivered[$w] = 0;
    foreach (explode("\n", trim($worker->output())) as $line) {
        $r = json_decode($line, true);
        if (is_array($r)) {
            $delivered[$w] += $r['delivered'];
        } elseif ($line !== 'DONE') {
            echo "worker $w: $line\n";
        }
    }
    if ($rc !== 0) {
        echo "worker $w exit code $rc\n";
    }
}
$seconds = microtime(true) - $started;

$deliveries = [];
foreach ($srv->requests() as $r) {
    $key = $r['headers']['idempotency-key'] ?? '(none)';
    $deliveries[$key] = ($deliveries[$key] ?? 0) + 1;
}
echo "left in the queue: ", count(mih::tasks(['limit' => TASKS])), "\n";
echo "dead letters: ", count(mih::dead_letters(['limit' => TASKS])), "\n";
echo "keys delivered: ", count(array_intersect_key($deliveries, $keys)), "\n";
echo "keys never queued: ", count(array_diff_key($deliveries, $keys)), "\n";
echo "delivered more than once: ", count(array_filter($deliveries, fn($n) => $n > 1)), "\n";
echo "deliveries counted by the workers: ", array_sum($delivered), "\n";
echo "every worker delivered some: ", var_export(min($delivered) > 0, true), "\n";
printf("scale-out on %s: %d tasks queued in %.1f s, drained by %d workers in %.1f s, per worker %s\n",
    mih_test_backend_name(), TASKS, $queued, WORKERS, $seconds, json_encode($delivered));
?>
--EXPECTF--
5000 tasks queued with distinct keys
left in the queue: 0
dead letters: 0
keys delivered: 5000
keys never queued: 0
delivered more than once: 0
deliveries counted by the workers: 5000
every worker delivered some: true
scale-out on %s: 5000 tasks queued in %f s, drained by 4 workers in %f s, per worker [%s]
