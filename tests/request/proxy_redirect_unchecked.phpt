--TEST--
mih: through the proxy a redirect whose target cannot be evaluated (a Location that does not parse) is refused, never left to libcurl
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
[$pport, $plog] = mih_test_proxy();
mih_test_service($srv, ['follow_redirects' => true]);
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $pport]);
$srv->respond('/bad', [['status' => 302, 'headers' => ['Location: http://[::1/']]]);
$r = mih::request('test', '/bad');
var_dump($r->error, $r->httpstatus);
echo "proxy saw: ", implode(', ', array_map(fn($r) => parse_url($r['url'], PHP_URL_PATH), mih_test_proxy_log($plog))), "\n";
?>
--EXPECT--
string(49) "redirect refused: its target could not be checked"
NULL
proxy saw: /bad
