--TEST--
SOAP services go through the configured web proxy like HTTP ones (the WSDL and the calls, from mih::request and the worker, with the proxy's credentials), proxy_bypass hosts go direct, a SOCKS5 proxy is refused with a message saying why (SoapClient speaks HTTP to a proxy); the proxy password is in no message
--EXTENSIONS--
mih
soap
--FILE--
<?php
require __DIR__ . '/soap.inc';
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_soap_server();
$port = parse_url($srv->url, PHP_URL_PORT);
mih::save_service(['name' => 'erp', 'type' => 'soap', 'base_url' => $srv->url . '/service.wsdl', 'max_retries' => 0,
    'cb_failure_threshold' => 50]);
$seen = function (string $log, int $from = 0) use ($port) {
    return array_map(fn($r) => $r['method'] . ' ' . str_replace((string)$port, 'PORT', $r['url'])
        . ($r['proxy_authorization'] ? ($r['auth_ok'] ? ' (auth ok)' : ' (auth WRONG)') : ''),
        array_slice(mih_test_proxy_log($log), $from));
};

// Through a proxy: the WSDL is fetched through it, then the call.
[$pport, $plog] = mih_test_proxy();
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $pport]);
$r = mih::request('erp', '/register', ['id' => 1]);
var_dump($r->success, $r->body);
echo "proxy saw:\n  ", implode("\n  ", $seen($plog)), "\n";

// Queued deliveries too.
mih::enqueue('erp', '/register', ['id' => 2]);
mih::enqueue('erp', '/register', ['id' => 3]);
$run = mih::run_queue();
echo "delivered={$run['delivered']}\n";
echo "proxy saw:\n  ", implode("\n  ", $seen($plog, 2)), "\n";
echo 'server got: ', implode(', ', array_map(fn($c) => $c['data']['id'], $srv->calls())), "\n";

// Bypassed: direct, the proxy sees nothing more.
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $pport, 'proxy_bypass' => ['127.0.0.1']]);
var_dump(mih::request('erp', '/register', ['id' => 4])->success, count(mih_test_proxy_log($plog)));

// The WSDL bypassed (direct) but its endpoint not, or the other way round: refused, as SoapClient
// sends a whole call one way (as an HTTP redirect that changes route is refused).
mih::save_service(['name' => 'mixed', 'type' => 'soap', 'base_url' => "http://localhost:$port/service.wsdl?location="
    . rawurlencode("http://127.0.0.1:$port/soap"), 'max_retries' => 0]);
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $pport, 'proxy_bypass' => ['localhost']]);
$r = mih::request('mixed', '/register', ['id' => 40]);
echo 'error: ', $r->error, "\n";
mih::save_service(['name' => 'mixed2', 'type' => 'soap', 'base_url' => "http://127.0.0.1:$port/service.wsdl?location="
    . rawurlencode("http://localhost:$port/soap"), 'max_retries' => 0]);
$r = mih::request('mixed2', '/register', ['id' => 41]);
echo 'error: ', $r->error, "\n";
// (the second WSDL came through the proxy; neither call was sent)
var_dump(count(mih_test_proxy_log($plog)));

// A document the WSDL imports must go the WSDL's way too: the WSDL through the proxy, its import
// from a bypassed host, refused before it is fetched.
mih::save_service(['name' => 'mixed3', 'type' => 'soap', 'base_url' => "http://127.0.0.1:$port/service.wsdl?import="
    . rawurlencode("http://localhost:$port/types.xsd"), 'max_retries' => 0]);
$r = mih::request('mixed3', '/register', ['id' => 42]);
echo 'error: ', $r->error, "\n";
echo 'proxy saw: ', implode(', ', $seen($plog, 5)), "\n";

// A proxy with Basic credentials: sent to it; a wrong password fails without showing it.
[$aport, $alog] = mih_test_proxy('hub:s3cret-proxy-pw');
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $aport, 'proxy_user' => 'hub', 'proxy_password' => 's3cret-proxy-pw']);
var_dump(mih::request('erp', '/register', ['id' => 5])->success);
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $aport, 'proxy_user' => 'hub', 'proxy_password' => 'wr0ng-proxy-pw']);
$r = mih::request('erp', '/register', ['id' => 6]);
var_dump($r->success);
echo "error: $r->error\n";
echo "proxy with credentials saw:\n  ", implode("\n  ", $seen($alog)), "\n";

// SOCKS5: SoapClient cannot use it; refused with the reason, nothing sent.
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $pport, 'proxy_type' => 'socks5']);
try {
    mih::request('erp', '/register', ['id' => 7]);
} catch (local_integrationhub\transport_exception $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
$id = mih::enqueue('erp', '/register', ['id' => 8]);
$run = mih::run_queue();
$dead = mih::dead_letters();
echo "dead={$run['dead']}: ", end($dead)['error'], "\n";

$all = json_encode([mih::log(), mih::dead_letters(), mih::tasks()]);
var_dump(str_contains($all, 'proxy-pw'));
echo 'server got: ', implode(', ', array_map(fn($c) => $c['data']['id'], $srv->calls())), "\n";
?>
--EXPECTF--
bool(true)
string(24) "{"received":true,"id":1}"
proxy saw:
  GET http://127.0.0.1:PORT/service.wsdl
  POST http://127.0.0.1:PORT/soap
delivered=2
proxy saw:
  POST http://127.0.0.1:PORT/soap
  POST http://127.0.0.1:PORT/soap
server got: 1, 2, 3
bool(true)
int(4)
error: the endpoint address in the WSDL: 127.0.0.1 goes through the proxy (proxy_bypass) and this call goes direct
error: the endpoint address in the WSDL: localhost bypasses the proxy (proxy_bypass) and this call goes through it
int(5)
error: a document the WSDL loads was refused: localhost bypasses the proxy (proxy_bypass) and the WSDL went through it
proxy saw: GET http://127.0.0.1:PORT/service.wsdl?import=http%3A%2F%2Flocalhost%3APORT%2Ftypes.xsd
bool(true)
bool(false)
error: SOAP fault HTTP: Proxy Authentication Required
proxy with credentials saw:
  POST http://127.0.0.1:PORT/soap (auth ok)
  POST http://127.0.0.1:PORT/soap (auth WRONG)
local_integrationhub\transport_exception: service "erp" is a soap service and the web proxy 127.0.0.1:%d is SOCKS5: PHP's SoapClient goes only through an HTTP proxy (add the WSDL's host to proxy_bypass to call it direct)
dead=1: service "erp" is a soap service and the web proxy 127.0.0.1:%d is SOCKS5: PHP's SoapClient goes only through an HTTP proxy (add the WSDL's host to proxy_bypass to call it direct)
bool(false)
server got: 1, 2, 3, 4, 5
