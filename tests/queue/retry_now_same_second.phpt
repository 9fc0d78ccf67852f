--TEST--
mih::retry_task() then mih::run_queue() in the same second attempts the task (one attempt per task per run is kept by a run token, not by the clock)
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
mih::save_service(['name' => 'crm', 'base_url' => $srv->url, 'timeout' => 5, 'queue_backoff' => 600,
    'queue_backoff_cap' => 600]);
$srv->respond('/flaky', [['status' => 503], ['status' => 200, 'body' => 'ok']]);
$id = mih::enqueue('crm', '/flaky', ['n' => 1]);

$r = mih::run_queue();
$t = mih::task($id);
echo "run 1: retried={$r['retried']} status={$t['status']} attempts={$t['attempts']} {$t['last_error']}\n";

/* The admin's "Retry now", then cron, within one second: wait for a fresh
 * second so that both happen in it. */
while (fmod(microtime(true), 1.0) > 0.2) {
    usleep(20000);
}
$second = time();
var_dump(mih::retry_task($id));
$t = mih::task($id);
echo "task: {$t['status']}, due: ", var_export($t['next_run'] <= time(), true), "\n";
$r = mih::run_queue();
echo "run 2: delivered={$r['delivered']} retried={$r['retried']}; task ", var_export(mih::task($id), true), "\n";
echo "same second: ", var_export(time() === $second, true), "\n";
echo "requests: ", count(array_filter($srv->requests(), fn($q) => $q['path'] === '/flaky')), "\n";

/* Still at most one attempt per task per run: a retry due again during the
 * run (backoff 1 ms, the run kept busy 2.5 s by a slow delivery) waits for
 * the next run. */
mih::save_service(['name' => 'crm', 'queue_backoff' => 0.001, 'queue_backoff_cap' => 0.001]);
$srv->respond('/down', [['status' => 503]]);
$srv->respond('/slow', [['status' => 200, 'delay_ms' => 2500]]);
$down = mih::enqueue('crm', '/down');
mih::enqueue('crm', '/slow');
$r = mih::run_queue();
$t = mih::task($down);
echo "busy run: delivered={$r['delivered']} retried={$r['retried']}; /down attempts={$t['attempts']} status={$t['status']}\n";
echo "requests to /down: ", count(array_filter($srv->requests(), fn($q) => $q['path'] === '/down')), "\n";
$r = mih::run_queue(['limit' => 1]);
echo "next run: retried={$r['retried']} attempts=", mih::task($down)['attempts'], "\n";
?>
--EXPECT--
run 1: retried=1 status=retrying attempts=1 HTTP 503 Service Unavailable
bool(true)
task: retrying, due: true
run 2: delivered=1 retried=0; task NULL
same second: true
requests: 2
busy run: delivered=1 retried=1; /down attempts=1 status=retrying
requests to /down: 1
next run: retried=1 attempts=2
