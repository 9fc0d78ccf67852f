--TEST--
AMQP: a synchronous mih::request on an amqp service publishes and waits for the confirm; connections are reused within the process (calls and a worker run share one)
--EXTENSIONS--
mih
--SKIPIF--
<?php require __DIR__ . '/amqp.inc'; mih_test_amqp_skip(); ?>
--INI--
mih.shm_path={PWD}/sync_request.shm
--FILE--
<?php
require __DIR__ . '/amqp.inc';
require __DIR__ . '/../store.inc';
require __DIR__ . '/../children.inc';
use local_integrationhub\mih;

mih_test_use_store();
mih_test_private_breaker_table();
$amqp = new mih_test_amqp();
$q = $amqp->queue('sync');
mih::save_service(['name' => 'bus', 'type' => 'amqp', 'base_url' => $amqp->url . '?queue_declare=' . $q]);
$r = mih::request('bus', '/', ['hello' => 'wörld/€']);
var_dump($r->success, $r->httpstatus, $r->attempts, $r->body, $r->error);
$r2 = mih::send('bus')->to('/' . $q)->with(['n' => 2])->header('X-Trace', 't-1')->dispatch();
var_dump($r2->success);
mih::enqueue('bus', '/', 'raw text');
$w = mih::run_queue();
echo "queued: delivered={$w['delivered']}\n";
$msgs = $amqp->drain($q);
foreach ($msgs as $m) {
    echo $m['body'], ' id=', preg_match('/^msg_[0-9A-Za-z]+$/', (string)$m['id']) ? 'msg_*' : var_export($m['id'], true),
        ' headers=', json_encode($m['headers']), "\n";
}
var_dump(count(array_unique(array_column($msgs, 'id'))));
// One connection for the two calls and the run: this process holds exactly one to the broker.
echo $amqp->own_connections(), " connection(s) open\n";
mih::request('bus', '/', ['again' => true]);
echo $amqp->own_connections(), " connection(s) open after another call\n";
echo count($amqp->drain($q)), " more message\n";
?>
--EXPECT--
bool(true)
int(200)
int(1)
string(0) ""
NULL
bool(true)
queued: delivered=1
{"hello":"wörld/€"} id=msg_* headers=[]
{"n":2} id=msg_* headers={"X-Trace":"t-1"}
raw text id=msg_* headers=[]
int(3)
1 connection(s) open
1 connection(s) open after another call
1 more message
