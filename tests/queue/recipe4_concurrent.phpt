--TEST--
Cookbook Recipe 4, concurrent worker: once a service has failed, it gets exactly failure_threshold failed calls in a row before its circuit opens, however many of its tasks are due together; a healthy one keeps its concurrency
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
mih::save_service(['name' => 'erp', 'base_url' => $srv->url, 'cb_failure_threshold' => 5, 'cb_window' => 60,
    'cb_cooldown' => 300, 'queue_backoff' => 0.01, 'queue_backoff_cap' => 0.01, 'max_attempts' => 10]);
mih::save_service(['name' => 'crm', 'base_url' => $srv->url]);
$srv->respond('/orders', [['status' => 500]]);
$srv->respond('/contacts', [['status' => 204]]);

// The ERP failed once (the circuit still closed), then twelve ERP deliveries
// and four CRM ones are due at once, sixteen slots: before the circuit opens
// only four more ERP calls may be on the wire or answered.
mih::enqueue('erp', '/orders', ['n' => 'first']);
mih::run_queue(['concurrency' => 1]);
echo "after one: ", mih::circuit('erp')['state'], " failures=", mih::circuit('erp')['failures'], "\n";
foreach (mih::tasks(['service' => 'erp']) as $t) {
    mih::delete_task($t['id']);
}
$srv->reset();
$srv->respond('/orders', [['status' => 500]]);
$srv->respond('/contacts', [['status' => 204]]);
for ($i = 0; $i < 12; $i++) {
    mih::enqueue('erp', '/orders', ['n' => $i]);
}
for ($i = 0; $i < 4; $i++) {
    mih::enqueue('crm', '/contacts', ['n' => $i]);
}
$r = mih::run_queue(['concurrency' => 16]);
$paths = array_count_values(array_column($srv->requests(), 'path'));
echo "delivered={$r['delivered']} retried={$r['retried']} parked={$r['parked']}\n";
echo "ERP calls: ", $paths['/orders'] ?? 0, ", CRM calls: ", $paths['/contacts'] ?? 0, "\n";
$c = mih::circuit('erp');
echo "circuit {$c['state']} failures={$c['failures']}\n";

// Two failures already counted, the circuit still closed: three more calls
// may fail, so at most three go out together.
mih::reset_circuit('erp');
foreach (mih::tasks(['service' => 'erp']) as $t) {
    mih::delete_task($t['id']);
}
$srv->reset();
$srv->respond('/orders', [['status' => 500]]);
mih::enqueue('erp', '/orders', ['n' => 'a']);
mih::enqueue('erp', '/orders', ['n' => 'b']);
mih::run_queue(['concurrency' => 1]);
echo "after two: ", mih::circuit('erp')['state'], " failures=", mih::circuit('erp')['failures'], "\n";
foreach (mih::tasks(['service' => 'erp']) as $t) {
    mih::delete_task($t['id']);
}
$srv->reset();
$srv->respond('/orders', [['status' => 500]]);
for ($i = 0; $i < 10; $i++) {
    mih::enqueue('erp', '/orders', ['n' => $i]);
}
$r = mih::run_queue(['concurrency' => 16]);
echo "second run: ERP calls ", count($srv->requests()), ", parked={$r['parked']}, circuit ", mih::circuit('erp')['state'], "\n";

// A service that answers: all its due deliveries go out together.
mih::reset_circuit('erp');
foreach (mih::tasks(['service' => 'erp']) as $t) {
    mih::delete_task($t['id']);
}
$srv->reset();
$srv->respond('/orders', [['status' => 204]]);
for ($i = 0; $i < 12; $i++) {
    mih::enqueue('erp', '/orders', ['n' => $i]);
}
$r = mih::run_queue(['concurrency' => 16]);
echo "healthy: delivered={$r['delivered']} calls=", count($srv->requests()), "\n";

// ... all at once: a receiver that answers only once eight calls wait
// together sees eight, not the five of the threshold.
[$port, $state] = mih_test_raw_server('gather');
mih::save_service(['name' => 'wide', 'base_url' => "http://127.0.0.1:$port", 'cb_failure_threshold' => 5]);
for ($i = 0; $i < 8; $i++) {
    mih::enqueue('wide', '/gather', ['n' => $i]);
}
$r = mih::run_queue(['concurrency' => 8]);
echo "wide: delivered={$r['delivered']}, on the wire together: ", mih_test_raw_state($state)['pending_max'], "\n";

?>
--EXPECT--
after one: closed failures=1
delivered=4 retried=4 parked=8
ERP calls: 4, CRM calls: 4
circuit open failures=5
after two: closed failures=2
second run: ERP calls 3, parked=7, circuit open
healthy: delivered=12 calls=12
wide: delivered=8, on the wire together: 8
