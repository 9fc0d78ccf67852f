--TEST--
dbstore: payloads and response bodies are bytes on every engine: NUL, bytes that are not UTF-8 and text that looks like the store's own encoding go through the queue, the DLQ and a replay unchanged
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
mih::save_service(['name' => 'bin', 'base_url' => $srv->url, 'max_attempts' => 1, 'cb_failure_threshold' => 1000]);
$payloads = ['nul' => "a\0b\0", 'latin1' => "caf\xe9 \xff\xfe", 'mark' => '$mihbin$YQBi', 'emoji' => "\u{1F600} ok", 'empty' => ''];
foreach ($payloads as $name => $payload) {
    $id = mih::enqueue('bin', "/ok/$name", $payload);
    echo "$name queued: ", var_export(mih::task($id)['payload'] === $payload, true), "\n";
}
$r = mih::run_queue();
echo "delivered {$r['delivered']}\n";
foreach ($srv->requests() as $req) {
    $name = substr($req['path'], 4);
    echo "$name received: ", var_export($req["body"] === $payloads[$name], true), "\n";
}

/* A receiver answering a failure with bytes that are not UTF-8. */
$srv->respond('/fail', [['status' => 404, 'body_base64' => base64_encode("oops \xff\xfe \xc3")]]);
$id = mih::enqueue('bin', '/fail', "bin\0\xff");
$r = mih::run_queue();
echo "dead {$r['dead']}\n";
$dead = mih::dead_letters()[0];
$full = $dead;
var_dump($full['payload'] === "bin\0\xff", $full['response'] === "oops \xff\xfe \xc3");
$srv->respond('/fail', [['status' => 200]]);
$new = mih::replay($dead['id']);
var_dump(mih::task($new)['payload'] === "bin\0\xff");
echo "delivered ", mih::run_queue()['delivered'], "\n";
var_dump($srv->last()["body"] === "bin\0\xff");
?>
--EXPECT--
nul queued: true
latin1 queued: true
mark queued: true
emoji queued: true
empty queued: true
delivered 5
nul received: true
latin1 received: true
mark received: true
emoji received: true
empty received: true
dead 1
bool(true)
bool(true)
bool(true)
delivered 1
bool(true)
