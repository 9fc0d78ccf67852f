--TEST--
mih: the request log (filters, newest first), stats() per service, replay_all/purge_dead_letters with filters
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
mih::save_service(['name' => 'a', 'base_url' => $srv->url, 'max_retries' => 0]);
mih::save_service(['name' => 'b', 'base_url' => $srv->url, 'max_retries' => 0]);
$srv->respond('/bad', [['status' => 404]]);
mih::request('a', '/ok');
mih::request('a', '/bad');
mih::request('b', '/ok');
$log = mih::log();
echo count($log), " rows, newest first: ", implode(' ', array_map(fn($r) => "{$r['service']}{$r['endpoint']}:{$r['httpstatus']}", $log)), "\n";
echo count(mih::log(['service' => 'a'])), ' ', count(mih::log(['success' => false])), ' ', count(mih::log(['limit' => 1, 'offset' => 2])),
    ' ', count(mih::log(['since' => time() + 100])), "\n";
$r = $log[2];
printf("%s %s %s task=%s event=%s success=%s error=%s attempt=%d latency>=0=%s\n", $r['service'], $r['method'], $r['endpoint'],
    var_export($r['task_id'], true), var_export($r['eventname'], true), var_export($r['success'], true), var_export($r['error'], true),
    $r['attempt'], var_export($r['latencyms'] >= 0, true));
try {
    mih::log(['success' => 'no']);
} catch (TypeError $e) {
    echo $e->getMessage(), "\n";
}

// dead letters for two services and two events; bulk operations honour the filters
mih::save_rule(['eventname' => '\core\event\e1', 'service' => 'a', 'endpoint' => '/bad']);
mih::save_rule(['eventname' => '\core\event\e2', 'service' => 'b', 'endpoint' => '/bad']);
foreach (range(1, 3) as $i) {
    mih::emit('\core\event\e1', ['i' => $i]);
    mih::emit('\core\event\e2', ['i' => $i]);
}
mih::run_queue();
echo count(mih::dead_letters()), ' ', count(mih::dead_letters(['service' => 'a'])), ' ',
    count(mih::dead_letters(['eventname' => 'core\event\e2'])), ' ', count(mih::dead_letters(['limit' => 2])), "\n";
$stats = mih::stats();
ksort($stats);
foreach ($stats as $name => $s) {
    printf("%s: calls=%d ok=%d failed=%d p50=%s queue=%s dead=%d circuit=%s\n", $name, $s['calls_24h'], $s['success_24h'],
        $s['failure_24h'], $s['p50_ms'] === null ? 'null' : 'int', json_encode($s['queue']), $s['dead'], $s['circuit']['state']);
}
echo mih::replay_all(['service' => 'a', 'eventname' => '\core\event\e1']), " replayed\n";
echo count(mih::tasks()), " queued, ", count(mih::dead_letters()), " dead\n";
echo mih::purge_dead_letters(['eventname' => '\core\event\e2']), " purged\n";
echo mih::purge_dead_letters(), " purged\n";
try {
    mih::purge_dead_letters(['limit' => 5]);
} catch (ValueError $e) {
    echo $e->getMessage(), "\n";
}
?>
--EXPECT--
3 rows, newest first: b/ok:200 a/bad:404 a/ok:200
2 1 1 0
a POST /ok task=NULL event=NULL success=true error=NULL attempt=1 latency>=0=true
local_integrationhub\mih::log(): Argument #1 ($filter) filter "success" must be of type bool, string given
6 3 3 2
a: calls=5 ok=1 failed=4 p50=int queue={"pending":0,"retrying":0,"parked":0,"running":0} dead=3 circuit=closed
b: calls=4 ok=1 failed=3 p50=int queue={"pending":0,"retrying":0,"parked":0,"running":0} dead=3 circuit=closed
3 replayed
3 queued, 3 dead
3 purged
0 purged
local_integrationhub\mih::purge_dead_letters(): Argument #1 ($filter) contains unknown filter "limit" (known: service, eventname, since, error)
