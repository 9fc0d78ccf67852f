--TEST--
mih: the configured web proxy carries requests and queued deliveries, proxy_bypass hosts go direct (Moodle's is_proxybypass), and libcurl's proxy environment is never used
--EXTENSIONS--
mih
--ENV--
http_proxy=http://127.0.0.1:9
HTTP_PROXY=http://127.0.0.1:9
ALL_PROXY=http://127.0.0.1:9
NO_PROXY=127.0.0.1,localhost
no_proxy=127.0.0.1,localhost
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
[$pport, $plog] = mih_test_proxy();
mih_test_service($srv);
mih::save_service(['name' => 'byname', 'base_url' => "http://localhost:{$srv->port}", 'timeout' => 5, 'max_retries' => 0]);
$seen = fn() => array_map(fn($r) => $r['method'] . ' ' . str_replace([(string)$srv->port], ['PORT'], $r['url']),
    mih_test_proxy_log($plog));
$paths = fn() => array_map(fn($r) => $r['method'] . ' ' . $r['uri'], $srv->requests());

// no proxy configured: direct, the environment's dead proxy is ignored
$r = mih::request('test', '/direct');
var_dump($r->httpstatus, $r->error);

mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $pport]);
$r = mih::request('test', '/proxied', ['a' => 1]);
var_dump($r->httpstatus, $r->json()['uri'] ?? null);
$r = mih::request('byname', '/proxied-byname', null, 'GET');
var_dump($r->httpstatus);
echo "proxy saw: ", implode(', ', $seen()), "\n";

// Moodle's proxybypass: names exactly, addresses and ranges; the environment's NO_PROXY is not
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => (string)$pport, 'proxy_type' => 'HTTP',
    'proxy_bypass' => ['localhost', '10.0.0.0/8']]);
var_dump(mih::request('byname', '/bypassed')->httpstatus, mih::request('test', '/not-bypassed')->httpstatus);
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $pport, 'proxy_bypass' => ['127.0.0.']]);
var_dump(mih::request('test', '/bypassed-partial')->httpstatus, mih::request('byname', '/localhost-is-a-name')->httpstatus);
echo "proxy saw: ", implode(', ', array_slice($seen(), 2)), "\n";

// queued deliveries, both routes in one run (the worker's handles are reused between them)
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $pport, 'proxy_bypass' => ['localhost']]);
for ($i = 0; $i < 3; $i++) {
    mih::enqueue('test', "/queued-proxied-$i", ['i' => $i]);
    mih::enqueue('byname', "/queued-direct-$i", ['i' => $i]);
}
$run = mih::run_queue(['concurrency' => 2]);
var_dump($run['delivered']);
$viaproxy = array_values(array_filter($seen(), fn($l) => str_contains($l, 'queued')));
sort($viaproxy);
echo "proxy saw: ", implode(', ', $viaproxy), "\n";
$received = array_values(array_filter($paths(), fn($l) => str_contains($l, 'queued')));
sort($received);
echo "receiver got: ", implode(', ', $received), "\n";

// proxy_host "" goes direct again, the environment still ignored
mih::configure(['proxy_host' => '']);
var_dump(mih::request('test', '/direct-again')->httpstatus);
echo count($seen()), " requests through the proxy in all\n";
$got = $paths();
echo "receiver got: ", implode(', ', array_filter($got, fn($l) => !str_contains($l, 'queued'))), "\n";
?>
--EXPECT--
int(200)
NULL
int(200)
string(8) "/proxied"
int(200)
proxy saw: POST http://127.0.0.1:PORT/proxied, GET http://localhost:PORT/proxied-byname
int(200)
int(200)
int(200)
int(200)
proxy saw: POST http://127.0.0.1:PORT/not-bypassed, POST http://localhost:PORT/localhost-is-a-name
int(6)
proxy saw: POST http://127.0.0.1:PORT/queued-proxied-0, POST http://127.0.0.1:PORT/queued-proxied-1, POST http://127.0.0.1:PORT/queued-proxied-2
receiver got: POST /queued-direct-0, POST /queued-direct-1, POST /queued-direct-2, POST /queued-proxied-0, POST /queued-proxied-1, POST /queued-proxied-2
int(200)
7 requests through the proxy in all
receiver got: POST /direct, POST /proxied, GET /proxied-byname, POST /bypassed, POST /not-bypassed, POST /bypassed-partial, POST /localhost-is-a-name, POST /direct-again
