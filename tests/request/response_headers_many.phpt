--TEST--
mih_response headers: 40 distinct names, long values and a name repeated 3 times (joined in arrival order) all arrive intact; a redirect's headers are not mixed into the final answer's
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
mih_test_service($srv, ['follow_redirects' => true]);
$lines = [];
$want = [];
for ($i = 0; $i < 40; $i++) {
    $v = str_repeat(chr(97 + $i % 26), 10 + 37 * $i);   // up to 1,453 bytes: the buffer grows several times
    $lines[] = "X-H$i: $v";
    $want["x-h$i"] = $v;
}
$lines[] = 'X-Rep: ' . str_repeat('1', 700);
$lines[] = 'X-Other: o';
$lines[] = 'X-Rep: ' . str_repeat('2', 700);
$lines[] = 'X-REP: 3';
$want['x-rep'] = str_repeat('1', 700) . ', ' . str_repeat('2', 700) . ', 3';
$want['x-other'] = 'o';
$srv->respond('/many', [['status' => 200, 'body' => 'ok', 'headers' => $lines]]);
$r = mih::request('test', '/many');
$bad = [];
foreach ($want as $k => $v) {
    if (($r->headers[$k] ?? null) !== $v) {
        $bad[] = $k;
    }
}
var_dump($r->httpstatus, $bad, $r->header('X-Rep') === $want['x-rep'], $r->header('x-h39') === $want['x-h39']);

// A 302 with its own headers, then the answer: only the answer's headers remain.
$srv->respond('/moved', [['status' => 302, 'headers' => ['Location: /final', 'X-From-Redirect: yes', 'X-Both: first']]]);
$srv->respond('/final', [['status' => 200, 'body' => 'done', 'headers' => ['X-Both: second']]]);
$r = mih::request('test', '/moved');
var_dump($r->httpstatus, $r->body, $r->header('x-from-redirect'), $r->header('x-both'));
?>
--EXPECT--
int(200)
array(0) {
}
bool(true)
bool(true)
int(200)
string(4) "done"
NULL
string(6) "second"
