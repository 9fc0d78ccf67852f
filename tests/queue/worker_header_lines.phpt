--TEST--
mih::run_queue(): the header lines of every delivery, built once per service for the run, are exactly those of the task (methods and bodies too): service headers and auth per service, a rule's headers on its tasks only, the task's own Idempotency-Key (also when the service's headers name one), and handles reused across services, each delivery to its own task's URL (the parsed URL stays on a handle while it does not change)
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
mih::save_service(['name' => 'a', 'base_url' => $srv->url . '/a', 'headers' => ['X-Svc' => 'a'],
    'auth_type' => 'bearer', 'auth_token' => 'tok-a']);
mih::save_service(['name' => 'b', 'base_url' => $srv->url . '/b', 'headers' => ['X-Svc' => 'b', 'Accept' => 'text/plain'],
    'auth_type' => 'apikey', 'apikey_header' => 'X-Api-Key', 'auth_token' => 'key-b']);
mih::save_service(['name' => 'c', 'base_url' => $srv->url . '/c', 'headers' => ['Idempotency-Key' => 'fixed']]);
mih::save_rule(['eventname' => '\core\event\user_created', 'service' => 'a', 'endpoint' => '/rule',
    'headers' => ['X-Rule' => 'r1']]);

$want = [];
for ($i = 0; $i < 6; $i++) {
    foreach (['a', 'b', 'c'] as $s) {
        $id = mih::enqueue($s, "/t$i", ['i' => $i]);
        $want[mih::task($id)['idempotency_key']] = $s;
        $path[mih::task($id)['idempotency_key']] = "/$s/t$i";
    }
    $id = mih::enqueue('a', "/g$i", ['i' => $i], 'GET');
    $want[mih::task($id)['idempotency_key']] = 'get';
    $path[mih::task($id)['idempotency_key']] = "/a/g$i";
    foreach (mih::emit('\core\event\user_created', ['objectid' => $i]) as $id) {
        $want[mih::task($id)['idempotency_key']] = 'rule';
        $path[mih::task($id)['idempotency_key']] = '/a/rule';
    }
}
$r = mih::run_queue(['concurrency' => 4]);
echo "delivered={$r['delivered']} of ", count($want), "\n";

$seen = [];
$wrong = 0;
$keep = ['content-type', 'accept', 'authorization', 'x-api-key', 'x-svc', 'x-rule', 'user-agent'];
foreach ($srv->requests() as $q) {
    $h = $q['headers'];
    $key = $h['idempotency-key'] ?? '(none)';
    $kind = $want[$key] ?? "unknown key $key";
    $wrong += ($path[$key] ?? null) !== $q['path'];
    unset($want[$key]);
    $shape = [$q['method'] . ($q['body'] === '' ? ' without body' : ' with body')];
    foreach ($keep as $name) {
        if (isset($h[$name])) {
            $shape[] = $name === 'user-agent' ? 'user-agent: ' . (str_starts_with($h[$name], 'mih/') ? 'mih/*' : $h[$name]) : "$name: {$h[$name]}";
        }
    }
    $seen[$kind][implode(' | ', $shape)] = ($seen[$kind][implode(' | ', $shape)] ?? 0) + 1;
}
ksort($seen);
foreach ($seen as $kind => $shapes) {
    foreach ($shapes as $shape => $n) {
        echo "$kind x$n: $shape\n";
    }
}
echo "keys not delivered: ", count($want), ", deliveries to another URL than their task's: $wrong\n";
?>
--EXPECT--
delivered=30 of 30
a x6: POST with body | content-type: application/json | accept: application/json | authorization: Bearer tok-a | x-svc: a | user-agent: mih/*
b x6: POST with body | content-type: application/json | accept: text/plain | x-api-key: key-b | x-svc: b | user-agent: mih/*
c x6: POST with body | content-type: application/json | accept: application/json | user-agent: mih/*
get x6: GET without body | content-type: application/json | accept: application/json | authorization: Bearer tok-a | x-svc: a | user-agent: mih/*
rule x6: POST with body | content-type: application/json | accept: application/json | authorization: Bearer tok-a | x-svc: a | x-rule: r1 | user-agent: mih/*
keys not delivered: 0, deliveries to another URL than their task's: 0
