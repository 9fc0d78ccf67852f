--TEST--
Cookbook Recipe 4, queued side: an open circuit parks deliveries without using attempts, until a probe is allowed
--EXTENSIONS--
mih
pdo
pdo_sqlite
--SKIPIF--
<?php if (getenv('USE_ZEND_ALLOC') === '0') die('skip timing-dependent (2 s cooldown): too slow under valgrind'); ?>
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
// Threshold 5, Window 60, Cooldown (a few seconds here instead of 300)
mih::save_service(['name' => 'erp', 'base_url' => $srv->url, 'cb_failure_threshold' => 5, 'cb_window' => 60,
    'cb_cooldown' => 2, 'queue_backoff' => 0.01, 'queue_backoff_cap' => 0.01, 'max_attempts' => 10]);
$srv->respond('/orders', [['status' => 500]]);
for ($i = 0; $i < 8; $i++) {
    mih::enqueue('erp', '/orders', ['n' => $i]);
}
$r = mih::run_queue(['concurrency' => 1]);
echo "first run: delivered={$r['delivered']} retried={$r['retried']} parked={$r['parked']}\n";
echo count($srv->requests()), " requests reached the ERP\n";
$c = mih::circuit('erp');
echo "circuit {$c['state']} failures={$c['failures']} retry_after<=2: ", var_export($c['retry_after'] >= 1 && $c['retry_after'] <= 2, true), "\n";
$parked = mih::tasks(['status' => 'parked']);
echo count($parked), " parked, attempts: ", implode(',', array_column($parked, 'attempts')), "\n";
echo $parked[0]['last_error'], "\n";
$r = mih::run_queue();
echo "while open: delivered={$r['delivered']} parked={$r['parked']} requests=", count($srv->requests()), "\n";

// the ERP recovers; after the cooldown one probe goes and closes the circuit
$srv->respond('/orders', [['status' => 200]]);
sleep(3);
$r = mih::run_queue(['concurrency' => 1]);
echo "after cooldown: delivered={$r['delivered']} dead={$r['dead']}\n";
echo mih::circuit('erp')['state'], ' ', count(mih::tasks()), " left\n";
?>
--EXPECTF--
first run: delivered=0 retried=5 parked=3
5 requests reached the ERP
circuit open failures=5 retry_after<=2: true
3 parked, attempts: 0,0,0
circuit open: retry in %d s
while open: delivered=0 parked=0 requests=5
after cooldown: delivered=8 dead=0
closed 0 left
