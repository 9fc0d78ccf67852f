--TEST--
mih::configure(): settings and list entries passed by reference are read as their values (proxy_*, proxy_bypass entries, blocked_hosts, allowed_ports)
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
[$pport, $plog] = mih_test_proxy();
mih_test_service($srv);
$host = '127.0.0.1';
$port = $pport;
$entry = 'localhost';
$bypass = ['bypassed.example', &$entry];
$settings = ['proxy_host' => &$host, 'proxy_port' => &$port, 'proxy_bypass' => &$bypass];
mih::configure($settings);
var_dump(mih::request('test', '/via')->httpstatus, count(mih_test_proxy_log($plog)));
$blocked = '192.0.2.0/24';
$allowed = $srv->port;
$hosts = [&$blocked];
$ports = [&$allowed];
mih::configure(['blocked_hosts' => &$hosts, 'allowed_ports' => &$ports]);
var_dump(mih::request('test', '/via')->httpstatus);
mih::configure(['allowed_ports' => [80]]);
var_dump(mih::request('test', '/via')->error);
?>
--EXPECTF--
int(200)
int(1)
int(200)
string(%d) "port %d is not in the allowed ports"
