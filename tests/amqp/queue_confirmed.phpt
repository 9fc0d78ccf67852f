--TEST--
AMQP: queued deliveries are published with confirms; every delivered task is in the broker's queue exactly once, with its idempotency key as message-id and the Standard Webhooks headers
--EXTENSIONS--
mih
--SKIPIF--
<?php require __DIR__ . '/amqp.inc'; mih_test_amqp_skip(); ?>
--INI--
mih.shm_path={PWD}/queue_confirmed.shm
--FILE--
<?php
require __DIR__ . '/amqp.inc';
require __DIR__ . '/../store.inc';
require __DIR__ . '/../children.inc';
use local_integrationhub\mih;

const TASKS = 300;
mih_test_use_store();
mih_test_private_breaker_table();
$amqp = new mih_test_amqp();
$q = $amqp->queue('confirmed');
$secret = 'whsec_' . base64_encode(str_repeat('k', 32));
mih::save_service(['name' => 'bus', 'type' => 'amqp', 'base_url' => $amqp->url . '?routing_key=' . $q,
    'signing_secrets' => [$secret]]);
mih::save_rule(['eventname' => '\core\event\user_created', 'service' => 'bus', 'endpoint' => '/',
    'payload_template' => '{"id": {{objectid}}}']);
$keys = [];
for ($i = 1; $i <= TASKS; $i++) {
    [$id] = mih::emit('\core\event\user_created', ['objectid' => $i]);
    $keys[mih::task($id)['idempotency_key']] = $i;
}
$r = mih::run_queue();
echo "delivered={$r['delivered']} retried={$r['retried']} dead={$r['dead']} left=", mih::count_tasks(), "\n";

$msgs = $amqp->drain($q);
$ids = array_column($msgs, 'id');
echo "messages: ", count($msgs), ", distinct ids: ", count(array_unique($ids)), "\n";
$idset = $ids;
sort($idset);
$expect = array_keys($keys);
sort($expect);
var_dump($idset === $expect);
$bodiesok = true;
$signedok = 0;
foreach ($msgs as $m) {
    $bodiesok = $bodiesok && $m['body'] === '{"id": ' . $keys[$m['id']] . '}' && $m['content_type'] === 'application/json'
        && $m['delivery_mode'] === 2;
    try {
        mih::verify_webhook($m['headers'], $m['body'], $secret);
        $signedok++;
    } catch (local_integrationhub\signature_exception $e) {
        echo $e->getMessage(), "\n";
    }
}
var_dump($bodiesok, $signedok === TASKS);
echo implode(',', array_keys($msgs[0]['headers'])), "\n";
$log = mih::log(['limit' => 1]);
echo $log[0]['service'], ' ', $log[0]['httpstatus'], ' ', var_export($log[0]['success'], true), "\n";
// Nothing left to deliver: a second run publishes nothing more.
$r = mih::run_queue();
echo "second run delivered={$r['delivered']}, queue holds ", count($amqp->drain($q)), "\n";
?>
--EXPECT--
delivered=300 retried=0 dead=0 left=0
messages: 300, distinct ids: 300
bool(true)
bool(true)
bool(true)
webhook-id,webhook-timestamp,webhook-signature
bus 200 true
second run delivered=0, queue holds 0
