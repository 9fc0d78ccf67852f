--TEST--
mih::request: refused connections, timeouts, oversize answers, dropped connections and garbage give failed responses with precise errors
--EXTENSIONS--
mih
--INI--
mih.max_response_size=32K
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
mih_test_service($srv, ['timeout' => 0.3]);
$port = mih_test_closed_port();
mih::save_service(['name' => 'refused', 'base_url' => "http://127.0.0.1:$port", 'max_retries' => 0]);

$r = mih::request('refused', '/x');
var_dump($r->success, $r->httpstatus, $r->body, $r->error === "connection refused to 127.0.0.1:$port", $r->attempts);

$srv->respond('/slow', [['status' => 200, 'delay_ms' => 1500, 'body' => 'late']]);
$r = mih::request('test', '/slow');
var_dump($r->success, $r->httpstatus, $r->error, $r->latencyms >= 250 && $r->latencyms < 3000);
$r = mih::send('test')->to('/slow')->timeout(0.2)->dispatch();
var_dump($r->error);

[$bigport] = mih_test_raw_server('big');
mih::save_service(['name' => 'big', 'base_url' => "http://127.0.0.1:$bigport", 'max_retries' => 0]);
$r = mih::request('big', '/');
var_dump($r->success, $r->httpstatus, $r->body, $r->error);
[$chunkport] = mih_test_raw_server('bigchunked');
mih::save_service(['name' => 'bigchunked', 'base_url' => "http://127.0.0.1:$chunkport", 'max_retries' => 0]);
var_dump(mih::request('bigchunked', '/')->error);
ini_set('mih.max_response_size', '1M');
var_dump(strlen(mih::request('big', '/')->body));
var_dump(ini_set('mih.max_response_size', '12'), ini_get('mih.max_response_size'));

[$dropport] = mih_test_raw_server('drop');
mih::save_service(['name' => 'drop', 'base_url' => "http://127.0.0.1:$dropport", 'max_retries' => 0]);
var_dump(mih::request('drop', '/')->error);
[$garbageport] = mih_test_raw_server('garbage');
mih::save_service(['name' => 'garbage', 'base_url' => "http://127.0.0.1:$garbageport", 'max_retries' => 0]);
$r = mih::request('garbage', '/');
var_dump($r->success, $r->httpstatus, $r->error);

mih::save_service(['name' => 'nxdomain', 'base_url' => 'http://does-not-exist.invalid', 'max_retries' => 0]);
var_dump(mih::request('nxdomain', '/')->error);
?>
--EXPECTF--
bool(false)
NULL
NULL
bool(true)
int(1)
bool(false)
NULL
string(22) "timed out after 300 ms"
bool(true)
string(22) "timed out after 200 ms"
bool(false)
NULL
NULL
string(56) "response larger than mih.max_response_size (32768 bytes)"
string(56) "response larger than mih.max_response_size (32768 bytes)"
int(65536)

Warning: ini_set(): mih.max_response_size must be between 1K and 1G, "12" given in %s on line %d
bool(false)
string(2) "1M"
string(23) "empty reply from server"
bool(false)
NULL
string(%d) "%s"
string(45) "could not resolve host does-not-exist.invalid"
