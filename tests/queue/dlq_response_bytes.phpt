--TEST--
mih: mih::dead_letter() by id, and a dead letter's response is the receiver's bytes (NULs, bytes that are not UTF-8, a body that starts like the store's own bytes mark), cut at 4096 bytes on a character boundary, empty as null
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
mih::save_service(['name' => 'crm', 'base_url' => $srv->url]);
mih::save_rule(['eventname' => '\core\event\user_created', 'service' => 'crm', 'endpoint' => '/u/{{objectid}}']);
$bodies = [
    1 => "ab\0cd\0",
    2 => "\xff\xfe bytes \x80",
    3 => '$mihbin$QUJD',
    4 => str_repeat('x', 4095) . "é and more",
    5 => '',
    6 => "{\"error\":\"no\"}\0",
];
foreach ($bodies as $id => $body) {
    // 404: not retried, to the DLQ at once
    $srv->respond("/u/$id", [['status' => 404, 'body_base64' => base64_encode($body)]]);
    mih::emit('\core\event\user_created', ['objectid' => $id]);
}
$r = mih::run_queue();
echo "dead={$r['dead']}\n";
$got = [];
foreach (mih::dead_letters() as $d) {
    $got[(int)substr($d['endpoint'], 3)] = $d['response'];
    // one by id (the payload page's path) is the same entry
    if (mih::dead_letter($d['id']) !== $d) {
        echo "dead_letter({$d['id']}) differs from its dead_letters() entry\n";
    }
}
var_dump(mih::dead_letter(999999), mih::dead_letter(-1), mih::dead_letter(0));
try {
    mih::dead_letter('x');
} catch (TypeError $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
ksort($got);
foreach ($got as $id => $response) {
    $want = $bodies[$id] === '' ? null : ($id === 4 ? str_repeat('x', 4095) : $bodies[$id]);
    printf("%d: %s %s\n", $id, $response === null ? 'null' : strlen($response) . ' bytes', var_export($response === $want, true));
}
var_dump(mih::tasks());
?>
--EXPECT--
dead=6
NULL
NULL
NULL
TypeError: local_integrationhub\mih::dead_letter(): Argument #1 ($id) must be of type int, string given
1: 6 bytes true
2: 10 bytes true
3: 12 bytes true
4: 4095 bytes true
5: null true
6: 15 bytes true
array(0) {
}
