--TEST--
mih: a redirect the hub refuses (another scheme, a blocked host or address, a port not allowed) is no service failure: the circuit stays closed, for calls and for queued deliveries, and a refused half-open probe gives its permit back
--EXTENSIONS--
mih
--INI--
mih.blocked_hosts=
mih.allowed_ports=
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;
use local_integrationhub\circuit_open_exception;

$srv = new mih_test_server();
$srv->respond('/file', [['status' => 302, 'headers' => ['Location: file:///etc/passwd']]]);
$srv->respond('/ftp', [['status' => 301, 'headers' => ['Location: ftp://127.0.0.1/x']]]);
// "localhost" is blocked by name; libcurl would resolve it and connect to this very server.
$srv->respond('/byname', [['status' => 302, 'headers' => ["Location: http://LocalHost:{$srv->port}/ok?token=s3cret"]]]);
$srv->respond('/address', [['status' => 307, 'headers' => ['Location: http://192.0.2.1/x']]]);
$srv->respond('/port', [['status' => 308, 'headers' => ['Location: http://127.0.0.1:1/x']]]);
$srv->respond('/relative', [['status' => 302, 'headers' => ['Location: /ok']]]);
$srv->respond('/ok', [['status' => 200, 'body' => 'fine']]);
$srv->respond('/down', [['status' => 503]]);
mih::configure(['blocked_hosts' => ['localhost', '192.0.2.0/24'], 'allowed_ports' => [$srv->port, 443]]);
mih_test_service($srv, ['follow_redirects' => true, 'cb_failure_threshold' => 2, 'cb_cooldown' => 0.3,
    'queue_backoff' => 60]);

function circuit(): string
{
    $c = mih::circuit('test');
    return "{$c['state']} failures={$c['failures']} calls={$c['calls']}";
}

echo "-- synchronous calls, three of each\n";
foreach (['/file', '/ftp', '/byname', '/address', '/port'] as $path) {
    for ($i = 0; $i < 3; $i++) {
        $r = mih::request('test', $path, [], 'GET');
    }
    echo "$path: ", var_export($r->success, true), " status=", var_export($r->httpstatus, true),
        " attempts=$r->attempts \"$r->error\"; circuit ", circuit(), "\n";
}
$r = mih::request('test', '/relative', [], 'GET');
echo "/relative: $r->httpstatus $r->body; circuit ", circuit(), "\n";
echo "requests that reached /ok: ", count(array_filter($srv->requests(), fn($q) => $q['path'] === '/ok')), "\n";

echo "-- queued deliveries\n";
foreach (['/file', '/byname', '/address', '/port', '/ftp'] as $path) {
    mih::enqueue('test', $path, [], 'GET');
}
$run = mih::run_queue();
echo "delivered={$run['delivered']} retried={$run['retried']} dead={$run['dead']} parked={$run['parked']}; circuit ", circuit(), "\n";
$dead = mih::dead_letters();
usort($dead, fn($a, $b) => $a['id'] <=> $b['id']);
foreach ($dead as $d) {
    echo "  DLQ $d[endpoint] attempts=$d[attempts]: $d[error]\n";
}

echo "-- half-open: a refused probe gives its permit back\n";
mih::request('test', '/down');
mih::request('test', '/down');
echo "after two 503: ", mih::circuit('test')['state'], "\n";
usleep(400000);
$r = mih::request('test', '/byname', [], 'GET');
echo "refused probe: \"$r->error\"; circuit ", mih::circuit('test')['state'], "\n";
try {
    $r = mih::request('test', '/ok', [], 'GET');
    echo "next call probes: $r->httpstatus; circuit ", mih::circuit('test')['state'], "\n";
} catch (circuit_open_exception $e) {
    echo get_class($e), ": ", $e->getMessage(), "\n";
}
?>
--EXPECT--
-- synchronous calls, three of each
/file: false status=NULL attempts=1 "redirect to a scheme other than http or https refused"; circuit closed failures=0 calls=0
/ftp: false status=NULL attempts=1 "redirect to a scheme other than http or https refused"; circuit closed failures=0 calls=0
/byname: false status=NULL attempts=1 "redirect refused: host LocalHost is blocked by rule "localhost""; circuit closed failures=0 calls=0
/address: false status=NULL attempts=1 "redirect refused: destination 192.0.2.1 is blocked by rule "192.0.2.0/24""; circuit closed failures=0 calls=0
/port: false status=NULL attempts=1 "redirect refused: port 1 is not in the allowed ports"; circuit closed failures=0 calls=0
/relative: 200 fine; circuit closed failures=0 calls=1
requests that reached /ok: 1
-- queued deliveries
delivered=0 retried=0 dead=5 parked=0; circuit closed failures=0 calls=1
  DLQ /file attempts=1: redirect to a scheme other than http or https refused
  DLQ /byname attempts=1: redirect refused: host LocalHost is blocked by rule "localhost"
  DLQ /address attempts=1: redirect refused: destination 192.0.2.1 is blocked by rule "192.0.2.0/24"
  DLQ /port attempts=1: redirect refused: port 1 is not in the allowed ports
  DLQ /ftp attempts=1: redirect to a scheme other than http or https refused
-- half-open: a refused probe gives its permit back
after two 503: open
refused probe: "redirect refused: host LocalHost is blocked by rule "localhost""; circuit half_open
next call probes: 200; circuit closed
