--TEST--
Circuit breaker, rate mode: opens once at least cb_min_calls calls in the window fail at cb_failure_rate percent or more; successes do not reset it; 4xx count as calls, not failures
--EXTENSIONS--
mih
--INI--
mih.shm_path={PWD}/rate_mode.shm
--FILE--
<?php
require __DIR__ . '/../server.inc';
require __DIR__ . '/../children.inc';
use local_integrationhub\mih;
use local_integrationhub\circuit_open_exception;

mih_test_private_breaker_table();
$srv = new mih_test_server();
$srv->respond('/ok', [['status' => 200]]);
$srv->respond('/fail', [['status' => 500]]);
$srv->respond('/missing', [['status' => 404]]);

function call(string $service, string $path): string
{
    try {
        $r = mih::request($service, $path);
        $out = (string)$r->httpstatus;
    } catch (circuit_open_exception $e) {
        $out = 'circuit_open_exception';
    }
    $c = mih::circuit($service);
    return "$out -> {$c['state']} {$c['failures']}/{$c['calls']}";
}

$rate = ['cb_mode' => 'rate', 'cb_min_calls' => 10, 'cb_failure_rate' => 50, 'cb_window' => 60, 'cb_cooldown' => 2,
    'cb_failure_threshold' => 2, 'max_retries' => 0];
echo "-- fewer than cb_min_calls calls never open it, even all failing (count mode would at 2)\n";
mih::save_service(['name' => 'few', 'base_url' => $srv->url] + $rate);
for ($i = 1; $i <= 10; $i++) {
    echo "call $i: ", call('few', '/fail'), "\n";
}

echo "-- the failure rate over the window, with successes and 4xx in between\n";
mih::save_service(['name' => 'mixed', 'base_url' => $srv->url] + $rate);
foreach (['/ok', '/ok', '/ok', '/missing', '/ok', '/ok', '/ok', '/fail', '/fail', '/fail', '/fail', '/fail', '/fail', '/fail']
    as $i => $path) {
    echo "call ", $i + 1, " $path: ", call('mixed', $path), "\n";
}
$before = count($srv->requests());
echo "open: ", call('mixed', '/ok'), ", sent ", count($srv->requests()) - $before, "\n";

echo "-- half-open after the cooldown: one probe, success closes it with fresh counts\n";
sleep(2);
usleep(200000);
echo mih::circuit('mixed')['state'], "\n";
echo "probe: ", call('mixed', '/ok'), "\n";
echo "after: ", call('mixed', '/fail'), "\n";

echo "-- rate mode settings are validated\n";
foreach ([['cb_mode' => 'ratio'], ['cb_failure_rate' => 0], ['cb_failure_rate' => 101], ['cb_min_calls' => 0]] as $bad) {
    try {
        mih::save_service(['name' => 'bad', 'base_url' => $srv->url] + $bad);
        echo json_encode($bad), " accepted\n";
    } catch (local_integrationhub\invalid_definition_exception $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
?>
--EXPECT--
-- fewer than cb_min_calls calls never open it, even all failing (count mode would at 2)
call 1: 500 -> closed 1/1
call 2: 500 -> closed 2/2
call 3: 500 -> closed 3/3
call 4: 500 -> closed 4/4
call 5: 500 -> closed 5/5
call 6: 500 -> closed 6/6
call 7: 500 -> closed 7/7
call 8: 500 -> closed 8/8
call 9: 500 -> closed 9/9
call 10: 500 -> open 10/10
-- the failure rate over the window, with successes and 4xx in between
call 1 /ok: 200 -> closed 0/1
call 2 /ok: 200 -> closed 0/2
call 3 /ok: 200 -> closed 0/3
call 4 /missing: 404 -> closed 0/4
call 5 /ok: 200 -> closed 0/5
call 6 /ok: 200 -> closed 0/6
call 7 /ok: 200 -> closed 0/7
call 8 /fail: 500 -> closed 1/8
call 9 /fail: 500 -> closed 2/9
call 10 /fail: 500 -> closed 3/10
call 11 /fail: 500 -> closed 4/11
call 12 /fail: 500 -> closed 5/12
call 13 /fail: 500 -> closed 6/13
call 14 /fail: 500 -> open 7/14
open: circuit_open_exception -> open 7/14, sent 0
-- half-open after the cooldown: one probe, success closes it with fresh counts
half_open
probe: 200 -> closed 0/0
after: 500 -> closed 1/1
-- rate mode settings are validated
local_integrationhub\invalid_definition_exception: invalid service definition: field "cb_mode" must be "count" or "rate"
local_integrationhub\invalid_definition_exception: invalid service definition: field "cb_failure_rate" must be an integer between 1 and 100
local_integrationhub\invalid_definition_exception: invalid service definition: field "cb_failure_rate" must be an integer between 1 and 100
local_integrationhub\invalid_definition_exception: invalid service definition: field "cb_min_calls" must be an integer between 1 and 1000000
