--TEST--
Cookbook Recipe 4, synchronous side: 5 failures open the circuit, calls then fail fast without touching the network, one probe after the cooldown closes it; 4xx never trip it; reset; a circuit opening mid-call stops its retries
--EXTENSIONS--
mih
--SKIPIF--
<?php
require __DIR__ . '/../children.inc';
mih_test_skip_if_valgrind();
?>
--INI--
mih.shm_path={PWD}/recipe4_sync.shm
--FILE--
<?php
require __DIR__ . '/../server.inc';
require __DIR__ . '/../children.inc';
use local_integrationhub\mih;
use local_integrationhub\circuit_open_exception;

mih_test_private_breaker_table();
$srv = new mih_test_server();
function show(string $label): void
{
    $c = mih::circuit('erp');
    /* Whole seconds until a probe: 2 right after opening, 1 on a slow machine. */
    $ra = $c['state'] === 'open' && in_array($c['retry_after'], [1, 2], true) ? '1..2' : $c['retry_after'];
    echo "$label: {$c['state']} failures={$c['failures']} calls={$c['calls']} retry_after=$ra\n";
}
function attempt(string $path = '/orders'): string
{
    global $srv;
    $before = count($srv->requests());
    try {
        $r = mih::request('erp', $path);
        return "HTTP {$r->httpstatus} attempts={$r->attempts} sent=" . (count($srv->requests()) - $before);
    } catch (circuit_open_exception $e) {
        $ra = in_array($e->retry_after, [1, 2], true) ? '1..2' : $e->retry_after;
        return get_class($e) . " service={$e->service} retry_after=$ra sent=" . (count($srv->requests()) - $before)
            . ' "' . $e->getMessage() . '"';
    }
}

// Recipe 4: Threshold 5, Window 60 s, Cooldown 2 s (instead of 300, to keep the test short)
mih::save_service(['name' => 'erp', 'base_url' => $srv->url, 'cb_failure_threshold' => 5, 'cb_window' => 60,
    'cb_cooldown' => 2, 'max_retries' => 0, 'timeout' => 5]);
show('new');

echo "-- 4xx answers are the caller's mistake: they never trip it\n";
$srv->respond('/missing', [['status' => 404]]);
$srv->respond('/bad', [['status' => 422]]);
for ($i = 0; $i < 6; $i++) {
    attempt('/missing');
    attempt('/bad');
}
show('after 12 4xx');

echo "-- a success between failures resets the count\n";
$srv->respond('/orders', [['status' => 500], ['status' => 500], ['status' => 503], ['status' => 500], ['status' => 200],
    ['status' => 500], ['status' => 500], ['status' => 500], ['status' => 500], ['status' => 200]]);
for ($i = 0; $i < 10; $i++) {
    attempt();
}
show('after 4 failures, a success, 4 failures, a success');

echo "-- 5 failures in a row open it\n";
$srv->respond('/orders', [['status' => 500]]);
for ($i = 1; $i <= 5; $i++) {
    echo "call $i: ", attempt(), "\n";
}
show('after 5 failures');
$c = mih::circuit('erp');
var_dump($c['service'], abs($c['opened_at'] - time()) <= 1);

echo "-- open: fail fast, nothing reaches the server\n";
echo attempt(), "\n";
try {
    mih::send('erp')->to('/orders')->with(['x' => 1])->dispatch();
} catch (circuit_open_exception $e) {
    echo "dispatch(): ", get_class($e), "\n";
}
$other = mih::save_service(['name' => 'other', 'base_url' => $srv->url]);
echo "another service is not affected: ", mih::request('other', '/orders')->httpstatus, "\n";
$srv->reset();

echo "-- after the cooldown one probe; it fails: open again for a full cooldown\n";
$srv->respond('/orders', [['status' => 502]]);
sleep(2);
usleep(200000);
show('after the cooldown');
echo "probe: ", attempt(), "\n";
show('probe failed');
echo attempt(), "\n";

echo "-- after the next cooldown one probe; it succeeds: closed\n";
$srv->respond('/orders', [['status' => 200, 'body' => '{"ok":true}']]);
sleep(2);
usleep(200000);
echo "probe: ", attempt(), "\n";
show('probe succeeded');
echo attempt(), "\n";
echo count($srv->requests()), " requests reached the server since it opened (the 2 probes and the last call)\n";

echo "-- reset_circuit() and reset_circuits()\n";
$srv->respond('/orders', [['status' => 500]]);
for ($i = 0; $i < 5; $i++) {
    attempt();
}
show('open again');
mih::reset_circuit('erp');
show('reset_circuit');
$srv->respond('/orders', [['status' => 200]]);
echo attempt(), "\n";
$srv->respond('/orders', [['status' => 500]]);
for ($i = 0; $i < 5; $i++) {
    attempt();
}
mih::reset_circuits();
show('reset_circuits');

echo "-- the circuit opens between two attempts of one call: retries stop, the last failure is returned\n";
mih::save_service(['name' => 'erp', 'max_retries' => 10, 'retry_backoff' => 0.01, 'cb_failure_threshold' => 3]);
$srv->reset();
$srv->respond('/orders', [['status' => 503, 'body' => 'down']]);
$r = mih::request('erp', '/orders');
var_dump($r->success, $r->httpstatus, $r->attempts, $r->body, $r->error, count($srv->requests()));
show('after the call');
echo attempt(), "\n";
?>
--EXPECTF--
new: closed failures=0 calls=0 retry_after=0
-- 4xx answers are the caller's mistake: they never trip it
after 12 4xx: closed failures=0 calls=12 retry_after=0
-- a success between failures resets the count
after 4 failures, a success, 4 failures, a success: closed failures=8 calls=22 retry_after=0
-- 5 failures in a row open it
call 1: HTTP 500 attempts=1 sent=1
call 2: HTTP 500 attempts=1 sent=1
call 3: HTTP 500 attempts=1 sent=1
call 4: HTTP 500 attempts=1 sent=1
call 5: HTTP 500 attempts=1 sent=1
after 5 failures: open failures=13 calls=27 retry_after=1..2
string(3) "erp"
bool(true)
-- open: fail fast, nothing reaches the server
local_integrationhub\circuit_open_exception service=erp retry_after=1..2 sent=0 "circuit of service "erp" is open: no request is sent for %d more second%s"
dispatch(): local_integrationhub\circuit_open_exception
another service is not affected: 500
-- after the cooldown one probe; it fails: open again for a full cooldown
after the cooldown: half_open failures=13 calls=27 retry_after=0
probe: HTTP 502 attempts=1 sent=1
probe failed: open failures=14 calls=28 retry_after=1..2
local_integrationhub\circuit_open_exception service=erp retry_after=1..2 sent=0 "circuit of service "erp" is open: no request is sent for %d more second%s"
-- after the next cooldown one probe; it succeeds: closed
probe: HTTP 200 attempts=1 sent=1
probe succeeded: closed failures=0 calls=0 retry_after=0
HTTP 200 attempts=1 sent=1
3 requests reached the server since it opened (the 2 probes and the last call)
-- reset_circuit() and reset_circuits()
open again: open failures=5 calls=6 retry_after=1..2
reset_circuit: closed failures=0 calls=0 retry_after=0
HTTP 200 attempts=1 sent=1
reset_circuits: closed failures=0 calls=0 retry_after=0
-- the circuit opens between two attempts of one call: retries stop, the last failure is returned
bool(false)
int(503)
int(3)
string(4) "down"
string(28) "HTTP 503 Service Unavailable"
int(3)
after the call: open failures=3 calls=3 retry_after=1..2
local_integrationhub\circuit_open_exception service=erp retry_after=1..2 sent=0 "circuit of service "erp" is open: no request is sent for %d more second%s"
