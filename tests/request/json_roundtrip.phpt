--TEST--
mih: request bodies are the bytes of json_encode(JSON_UNESCAPED_SLASHES|JSON_UNESCAPED_UNICODE); json() matches json_decode
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
mih_test_service($srv);
mt_srand($seed = 20261125);
echo "seed $seed\n";
$samples = [
    ['int' => PHP_INT_MAX, 'neg' => -1, 'zero' => 0, 'float' => 0.1, 'whole' => 1.0, 'tiny' => 1.5e-7, 'big' => 1e25, 'negzero' => -0.0],
    ['list' => [1, 2, 3], 'gap' => [0 => 'a', 2 => 'b'], 'empty' => [], 'obj' => (object)[], 'nested' => ['a' => ['b' => ['c' => null]]]],
    ['s' => "quote \" backslash \\ slash / tab \t nl \n ctrl \x01 ls \u{2028} ps \u{2029} emoji 😀 ñ"],
    ['numeric' => '123', 'bools' => [true, false], 7 => 'int key', '' => 'empty key'],
    [1, 'two', 3.5],
];
for ($i = 0; $i < 20; $i++) {
    $row = [];
    for ($j = 0; $j < 5; $j++) {
        $row["k$j"] = match (mt_rand(0, 4)) { 0 => mt_rand(), 1 => mt_rand() / mt_getrandmax() * 1e6, 2 => bin2hex(random_bytes(3)),
            3 => (bool)mt_rand(0, 1), 4 => [mt_rand(), 'x'] };
    }
    $samples[] = $row;
}
$ok = 0;
foreach ($samples as $i => $payload) {
    $r = mih::request('test', '/echo', $payload);
    $sent = $srv->last()['body'];
    $expected = json_encode($payload, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
    if ($sent !== $expected) {
        echo "sample $i differs:\n  sent     $sent\n  expected $expected\n";
        continue;
    }
    // and back: json() decodes like json_decode
    $srv->respond('/back', [['status' => 200, 'body' => $sent]]);
    $back = mih::request('test', '/back');
    if ($back->json() !== json_decode($sent, true) || $back->json(false) != json_decode($sent)) {
        echo "sample $i does not round-trip\n";
        continue;
    }
    $ok++;
}
echo "$ok of ", count($samples), " samples identical\n";
echo $srv->requests()[4]["body"], "\n";
?>
--EXPECTF--
seed 20261125
25 of 25 samples identical
{"s":"quote \" backslash \\ slash / tab \t nl \n ctrl \u0001 ls \u2028 ps \u2029 emoji 😀 ñ"}
