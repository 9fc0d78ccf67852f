--TEST--
mih::request: auth types, header order and precedence, URL joining
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
$show = function (array $names) use ($srv) {
    $got = $srv->last();
    foreach ($names as $n) {
        echo "  $n: ", $got['headers'][$n] ?? '(absent)', "\n";
    }
};
mih::save_service(['name' => 'bearer', 'base_url' => $srv->url, 'auth_type' => 'bearer', 'auth_token' => 'tok-123456789']);
mih::request('bearer');
$show(['authorization', 'user-agent', 'accept', 'content-type']);
mih::save_service(['name' => 'key', 'base_url' => $srv->url, 'auth_type' => 'apikey', 'auth_token' => 'k-1', 'apikey_header' => 'X-Moodle-Key']);
mih::request('key');
$show(['x-moodle-key', 'x-api-key', 'authorization']);
mih::save_service(['name' => 'key2', 'base_url' => $srv->url, 'auth_type' => 'apikey', 'auth_token' => 'k-2']);
mih::request('key2');
$show(['x-api-key']);
mih::save_service(['name' => 'basic', 'base_url' => $srv->url, 'auth_type' => 'basic', 'auth_token' => 'moodle:pa:ss']);
mih::request('basic');
$show(['authorization']);

// service headers override the defaults; call headers override both
mih::save_service(['name' => 'h', 'base_url' => "{$srv->url}/base/", 'headers' => ['Accept' => 'text/plain', 'X-Svc' => 'svc', 'X-Both' => 'svc']]);
mih::request('h', '/p', [], null, ['headers' => ['x-both' => 'call', 'X-Call' => 'c']]);
$show(['accept', 'x-svc', 'x-both', 'x-call']);
echo $srv->last()['uri'], "\n";
mih::send('h')->to('items?sort=asc')->header('X-Both', 'builder')->method('get')->with(['page' => 2])->dispatch();
$show(['x-both']);
echo $srv->last()['uri'], "\n";
mih::request('h', '');
echo $srv->last()['uri'], "\n";
mih::request('h', '///deep//path');
echo $srv->last()['uri'], "\n";
// string payloads go verbatim; null and [] send no body
mih::request('h', '/raw', '<xml>as is</xml>', 'PUT');
echo $srv->last()['body'], "\n";
mih::request('h', '/none', null, 'POST');
var_dump($srv->last()['body'], $srv->last()['headers']['content-length'] ?? null);
mih::request('h', '/q', 'a=1&b=2', 'GET');
echo $srv->last()['uri'], "\n";
?>
--EXPECT--
  authorization: Bearer tok-123456789
  user-agent: mih/2.1.2
  accept: application/json
  content-type: application/json
  x-moodle-key: k-1
  x-api-key: (absent)
  authorization: (absent)
  x-api-key: k-2
  authorization: Basic bW9vZGxlOnBhOnNz
  accept: text/plain
  x-svc: svc
  x-both: call
  x-call: c
/base/p
  x-both: builder
/base/items?sort=asc&page=2
/base/
/base/deep//path
<xml>as is</xml>
string(0) ""
NULL
/base/q?a=1&b=2
