--TEST--
mih_response: fields, is_ok(), json(), header(), non-2xx bodies kept, reason phrases
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
mih_test_service($srv);
$srv->respond('/json', [['status' => 201, 'body' => '{"a":{"b":[1,2.5,"x"]},"big":12345678901234567890}',
    'headers' => ['X-Multi: one', 'X-Multi: two', 'X-Case: Yes']]]);
$r = mih::request('test', '/json');
var_dump($r->success, $r->is_ok(), $r->httpstatus, $r->error, $r->attempts, is_float($r->latencyms), $r->latencyms > 0);
var_dump($r->json());
var_dump($r->json(false)->a->b[1]);
var_dump($r->header('x-multi'), $r->header('X-CASE'), $r->header('missing'), $r->headers['x-multi']);
try {
    $r->success = false;
} catch (Error $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}

$srv->respond('/bad', [['status' => 409, 'body' => '{"error":"email taken"}']]);
$r = mih::request('test', '/bad');
var_dump($r->success, $r->is_ok(), $r->httpstatus, $r->error, $r->body, $r->json()['error']);

$srv->respond('/custom', [['status' => 503, 'reason' => 'Down For Maintenance', 'body' => 'later']]);
var_dump(mih::request('test', '/custom')->error);
// no reason phrase on the status line: the standard one is used
[$port] = mih_test_raw_server('noreason');
mih::save_service(['name' => 'raw', 'base_url' => "http://127.0.0.1:$port", 'max_retries' => 0]);
var_dump(mih::request('raw', '/')->error);

$srv->respond('/notjson', [['status' => 200, 'body' => 'plain <b>text</b>']]);
try {
    mih::request('test', '/notjson')->json();
} catch (JsonException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
// no answer at all: no status, no body, json() throws JsonException too
mih::save_service(['name' => 'down', 'base_url' => 'http://127.0.0.1:' . mih_test_closed_port(), 'max_retries' => 0]);
$r = mih::request('down');
var_dump($r->httpstatus, $r->body, $r->headers);
try {
    $r->json();
} catch (JsonException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
?>
--EXPECT--
bool(true)
bool(true)
int(201)
NULL
int(1)
bool(true)
bool(true)
array(2) {
  ["a"]=>
  array(1) {
    ["b"]=>
    array(3) {
      [0]=>
      int(1)
      [1]=>
      float(2.5)
      [2]=>
      string(1) "x"
    }
  }
  ["big"]=>
  float(1.2345678901234567E+19)
}
float(2.5)
string(8) "one, two"
string(3) "Yes"
NULL
string(8) "one, two"
Error: Cannot modify readonly property local_integrationhub\mih_response::$success
bool(false)
bool(false)
int(409)
string(17) "HTTP 409 Conflict"
string(23) "{"error":"email taken"}"
string(11) "email taken"
string(29) "HTTP 503 Down For Maintenance"
string(18) "HTTP 404 Not Found"
JsonException: Syntax error
NULL
NULL
array(0) {
}
JsonException: Syntax error
