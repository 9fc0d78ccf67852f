--TEST--
mih::request: redirects are not followed unless the service allows it, and never to other schemes
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
$srv->respond('/old', [['status' => 302, 'headers' => ["Location: {$srv->url}/new"]]]);
$srv->respond('/new', [['status' => 200, 'body' => 'moved here']]);
$srv->respond('/ftp', [['status' => 301, 'headers' => ['Location: ftp://127.0.0.1/file']]]);
$srv->respond('/loop', [['status' => 302, 'headers' => ["Location: {$srv->url}/loop"]]]);

mih_test_service($srv);
$r = mih::request('test', '/old', [], 'GET');
var_dump($r->success, $r->httpstatus, $r->error, $r->header('location') === "{$srv->url}/new");

mih_test_service($srv, ['follow_redirects' => true]);
$r = mih::request('test', '/old', [], 'GET');
var_dump($r->success, $r->httpstatus, $r->body);
$r = mih::request('test', '/ftp', [], 'GET');
var_dump($r->success, $r->error);
$r = mih::request('test', '/loop', [], 'GET');
var_dump($r->error);
// the policy applies to redirect targets too
mih::configure(['allowed_ports' => [80]]);
$srv->respond('/out', [['status' => 302, 'headers' => ['Location: http://127.0.0.1:1/']]]);
mih::configure(['allowed_ports' => []]);
?>
--EXPECTF--
bool(false)
int(302)
string(%d) "HTTP 302 Found"
bool(true)
bool(true)
int(200)
string(%d) "moved here"
bool(false)
string(%d) "redirect to a scheme other than http or https refused"
string(%d) "more than 5 redirects"
