--TEST--
mih: an IDN host is checked as libcurl resolves it, in punycode (bücher.invalid is xn--bcher-kva.invalid), directly and through the proxy
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

[$pport, $plog] = mih_test_proxy();
mih::save_service(['name' => 'idn', 'base_url' => 'http://bücher.invalid', 'timeout' => 5, 'max_retries' => 0]);
mih::configure(['blocked_hosts' => ['xn--bcher-kva.invalid']]);
var_dump(mih::request('idn', '/x')->error);
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $pport]);
var_dump(mih::request('idn', '/x')->error);
echo count(mih_test_proxy_log($plog)), " requests reached the proxy\n";
?>
--EXPECT--
string(69) "host xn--bcher-kva.invalid is blocked by rule "xn--bcher-kva.invalid""
string(69) "host xn--bcher-kva.invalid is blocked by rule "xn--bcher-kva.invalid""
0 requests reached the proxy
