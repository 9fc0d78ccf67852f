--TEST--
mih: outbound safety like Moodle's curlsecurityblockedhosts/allowedport, checked on the address connected to
--EXTENSIONS--
mih
--INI--
mih.blocked_hosts=192.0.2.0/24, blocked.example
mih.allowed_ports=
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
mih_test_service($srv, ['max_retries' => 3, 'retry_backoff' => 0.01]);
// "localhost" resolves to 127.0.0.1 (and ::1, this host too): the address check catches the name
mih::save_service(['name' => 'byname', 'base_url' => "http://localhost:{$srv->port}", 'max_retries' => 3]);

echo "INI policy: ", mih::request('test')->httpstatus, "\n";
var_dump(ini_get('mih.blocked_hosts'));

mih::configure(['blocked_hosts' => ['127.0.0.0/8']]);
$r = mih::request('test', '/x');
var_dump($r->success, $r->httpstatus, $r->error, $r->attempts);
$r = mih::request('byname', '/x');
var_dump($r->error, $r->attempts);

mih::configure(['blocked_hosts' => ['localhost']]);
var_dump(mih::request('byname', '/x')->error);
echo "by address still allowed: ", mih::request('test')->httpstatus, "\n";

// Moodle's defaults, passed through as the plugin does
mih::configure(['blocked_hosts' => explode(',', '127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,0.0.0.0,localhost,169.254.169.254,::1'),
    'allowed_ports' => ['80', 443]]);
$r = mih::request('test');
var_dump($r->error);
mih::configure(['blocked_hosts' => []]);
$r = mih::request('test');
var_dump($r->error, $r->attempts);
mih::configure(['allowed_ports' => [$srv->port]]);
echo "port allowed: ", mih::request('test')->httpstatus, "\n";

echo count(array_filter($srv->requests(), fn($r) => $r['path'] === '/x')), " blocked requests reached the server\n";
?>
--EXPECTF--
INI policy: 200
string(%d) "192.0.2.0/24, blocked.example"
bool(false)
NULL
string(%d) "destination 127.0.0.1 is blocked by rule "127.0.0.0/8""
int(1)
string(%d) "destination %s blocked by rule "127.0.0.0/8""
int(1)
string(%d) "%slocalhost%s"
by address still allowed: 200
string(%d) "%s127.0.0.0/8%s"
string(%d) "port %d is not in the allowed ports"
int(1)
port allowed: 200
0 blocked requests reached the server
