--TEST--
mih::request on the process's reused curl handle: nothing of one call's method, body, redirect or timeout setting leaks into the next, and each call goes to its own URL (the parsed URL stays on the handle while it does not change: same path with another query, another server with the same path, the URL of a redirect followed before)
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
mih_test_service($srv);
$srv->respond('/moved', array_fill(0, 4, ['status' => 302, 'headers' => ['Location: /target']]));
$srv->respond('/slow', [['status' => 200, 'delay_ms' => 1500, 'body' => 'late'], ['status' => 200, 'delay_ms' => 1500, 'body' => 'late']]);

function show(mih_test_server $srv, string $label, $r): void
{
    $got = $srv->last();
    printf("%-22s -> %s %s body=%s len=%s | status=%d answer=%d bytes\n", $label, $got['method'], $got['path'],
        $got['body'] === '' ? '(none)' : $got['body'], $got['headers']['content-length'] ?? '-', $r->httpstatus,
        strlen($r->body));
}

// Every pair of methods in turn, with and without a body.
$steps = [['POST', ['a' => 1]], ['GET', []], ['HEAD', []], ['GET', []], ['PUT', ['b' => 2]], ['HEAD', []],
    ['POST', ['c' => 3]], ['DELETE', []], ['PATCH', 'raw text'], ['GET', ['q' => 'x']], ['DELETE', ['d' => 4]],
    ['HEAD', []], ['POST', []]];
foreach ($steps as $i => [$m, $payload]) {
    show($srv, "$i $m", mih::request('test', "/s$i", $payload, $m));
}

// follow_redirects on, then off, then on again
mih_test_service($srv, ['name' => 'follow', 'follow_redirects' => true]);
mih_test_service($srv, ['name' => 'nofollow', 'follow_redirects' => false]);
foreach (['follow', 'nofollow', 'follow', 'nofollow'] as $svc) {
    $r = mih::request($svc, '/moved', [], 'GET');
    echo "$svc: status=$r->httpstatus last path=", $srv->last()['path'], "\n";
}

// a long timeout, then a short one on the same handle, then the long one again
mih_test_service($srv, ['name' => 'short', 'timeout' => 0.3, 'max_retries' => 0]);
$r = mih::request('short', '/slow', [], 'GET');
echo "short: success=", var_export($r->success, true), " timed out=", var_export(str_contains((string)$r->error, 'timed out') || str_contains((string)$r->error, 'Timeout'), true), "\n";
$r = mih::request('test', '/slow', [], 'GET');
echo "long: status=$r->httpstatus body=$r->body\n";

// the URL kept on the handle: queries, two servers, repeats, a redirect's target
$srv2 = new mih_test_server();
mih_test_service($srv2, ['name' => 'other']);
$calls = [['test', '/same', ['n' => 1]], ['test', '/same', ['n' => 2]], ['test', '/same', ['n' => 2]],
    ['other', '/same', ['n' => 3]], ['other', '/same', ['n' => 3]], ['test', '/same', ['n' => 3]],
    ['follow', '/moved', []], ['test', '/target', []], ['follow', '/moved', []], ['test', '/same', []]];
$srv->reset();
$srv2->reset();
$srv->respond('/moved', array_fill(0, 2, ['status' => 302, 'headers' => ['Location: /target']]));
foreach ($calls as [$svc, $path, $query]) {
    $before = [count($srv->requests()), count($srv2->requests())];
    $r = mih::request($svc, $path, $query, 'GET');
    $on = count($srv->requests()) > $before[0] ? $srv : $srv2;
    $got = array_slice($on->requests(), $before[$on === $srv ? 0 : 1]);
    printf("%-6s %-8s -> %s: %s (status %d)\n", $svc, $path . ($query ? '?n=' . $query['n'] : ''),
        $on === $srv ? 'first' : 'second', implode(' then ', array_map(fn($g) => $g['path'] . ($g['query'] !== '' ? '?' . $g['query'] : ''), $got)),
        $r->httpstatus);
}
?>
--EXPECTF--
0 POST                 -> POST /s0 body={"a":1} len=7 | status=200 answer=%d bytes
1 GET                  -> GET /s1 body=(none) len=- | status=200 answer=%d bytes
2 HEAD                 -> HEAD /s2 body=(none) len=- | status=200 answer=0 bytes
3 GET                  -> GET /s3 body=(none) len=- | status=200 answer=%d bytes
4 PUT                  -> PUT /s4 body={"b":2} len=7 | status=200 answer=%d bytes
5 HEAD                 -> HEAD /s5 body=(none) len=- | status=200 answer=0 bytes
6 POST                 -> POST /s6 body={"c":3} len=7 | status=200 answer=%d bytes
7 DELETE               -> DELETE /s7 body=(none) len=- | status=200 answer=%d bytes
8 PATCH                -> PATCH /s8 body=raw text len=8 | status=200 answer=%d bytes
9 GET                  -> GET /s9 body=(none) len=- | status=200 answer=%d bytes
10 DELETE              -> DELETE /s10 body={"d":4} len=7 | status=200 answer=%d bytes
11 HEAD                -> HEAD /s11 body=(none) len=- | status=200 answer=0 bytes
12 POST                -> POST /s12 body=(none) len=- | status=200 answer=%d bytes
follow: status=200 last path=/target
nofollow: status=302 last path=/moved
follow: status=200 last path=/target
nofollow: status=302 last path=/moved
short: success=false timed out=true
long: status=200 body=late
test   /same?n=1 -> first: /same?n=1 (status 200)
test   /same?n=2 -> first: /same?n=2 (status 200)
test   /same?n=2 -> first: /same?n=2 (status 200)
other  /same?n=3 -> second: /same?n=3 (status 200)
other  /same?n=3 -> second: /same?n=3 (status 200)
test   /same?n=3 -> first: /same?n=3 (status 200)
follow /moved   -> first: /moved then /target (status 200)
test   /target  -> first: /target (status 200)
follow /moved   -> first: /moved then /target (status 200)
test   /same    -> first: /same (status 200)
