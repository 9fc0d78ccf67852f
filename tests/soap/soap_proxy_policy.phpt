--TEST--
SOAP services: a site's proxy (configure()) is held to the host's INI lists (mih.allowed_ports, mih.blocked_hosts), as for HTTP transfers: refused before anything is sent, the reason named
--EXTENSIONS--
mih
soap
--INI--
mih.blocked_hosts=127.0.0.0/8
mih.allowed_ports=80,443
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

[$pport, $plog] = mih_test_proxy();
// A target the host's lists allow: port 80, a name that does not resolve here (the proxy would resolve it).
mih::save_service(['name' => 'erp', 'type' => 'soap', 'base_url' => 'http://erp.mih-test.invalid/service.wsdl',
    'max_retries' => 0]);

// The proxy's port is not among the allowed ones.
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $pport]);
$r = mih::request('erp', '/register', ['id' => 1]);
var_dump($r->success);
echo 'error: ', str_replace((string)$pport, 'PPORT', $r->error), "\n";

// On port 80 its address is blocked (nothing listens there: it must not even be tried).
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => 80]);
mih::enqueue('erp', '/register', ['id' => 2]);
$run = mih::run_queue();
$dead = mih::dead_letters();
echo "dead={$run['dead']}: ", $dead[0]['error'], "\n";
var_dump(count(mih_test_proxy_log($plog)));
?>
--EXPECTF--
bool(false)
error: the proxy 127.0.0.1:PPORT: %s
dead=1: the proxy 127.0.0.1:80: %s
int(0)
