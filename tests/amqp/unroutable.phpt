--TEST--
AMQP: an unroutable message (mandatory, returned by the broker) is a retryable failure, queued or synchronous, never a success, and the breaker counts it
--EXTENSIONS--
mih
--SKIPIF--
<?php require __DIR__ . '/amqp.inc'; mih_test_amqp_skip(); ?>
--INI--
mih.shm_path={PWD}/unroutable.shm
--FILE--
<?php
require __DIR__ . '/amqp.inc';
require __DIR__ . '/../store.inc';
require __DIR__ . '/../children.inc';
use local_integrationhub\mih;

mih_test_use_store();
mih_test_private_breaker_table();
$amqp = new mih_test_amqp();
$q = $amqp->queue('routable');
mih::save_service(['name' => 'bus', 'type' => 'amqp', 'base_url' => $amqp->url, 'cb_failure_threshold' => 3,
    'max_retries' => 0]);
$id = mih::enqueue('bus', '/no.such.queue.' . getmypid(), ['a' => 1]);
$r = mih::run_queue();
$t = mih::task($id);
echo "delivered={$r['delivered']} retried={$r['retried']} attempts={$t['attempts']} status={$t['status']}\n";
echo preg_replace('/no\.such\.queue\.\d+/', 'no.such.queue.N', $t['last_error']), "\n";

$resp = mih::request('bus', '/no.such.queue.' . getmypid(), ['b' => 2]);
var_dump($resp->success, $resp->httpstatus);
echo preg_replace('/no\.such\.queue\.\d+/', 'no.such.queue.N', $resp->error), "\n";
// Routable: a success, on the same connection.
$ok = mih::request('bus', '/' . $q, ['c' => 3]);
var_dump($ok->success, $ok->httpstatus, $ok->error);
echo count($amqp->drain($q)), " message in the routable queue\n";
// Three failures in a row open the circuit (threshold 3).
for ($i = 0; $i < 3; $i++) {
    mih::request('bus', '/no.such.queue.' . getmypid(), []);
}
echo mih::circuit('bus')['state'], "\n";
try {
    mih::request('bus', '/' . $q, []);
} catch (local_integrationhub\circuit_open_exception $e) {
    echo get_class($e), "\n";
}
?>
--EXPECT--
delivered=0 retried=1 attempts=1 status=retrying
the broker returned the message as unroutable: 312 NO_ROUTE (exchange "", routing key "no.such.queue.N")
bool(false)
NULL
the broker returned the message as unroutable: 312 NO_ROUTE (exchange "", routing key "no.such.queue.N")
bool(true)
int(200)
NULL
1 message in the routable queue
open
local_integrationhub\circuit_open_exception
