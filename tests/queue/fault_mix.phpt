--TEST--
Queue fault injection: 500s, 429 with Retry-After, 404s, timeouts, dropped connections and slow answers in a seeded mix all end delivered or dead, each as its fault dictates
--EXTENSIONS--
mih
pdo
pdo_sqlite
--SKIPIF--
<?php
require __DIR__ . '/../children.inc';
mih_test_skip_if_valgrind(true);
?>
--INI--
mih.shm_path={PWD}/fault_mix.shm
--FILE--
<?php
require __DIR__ . '/../server.inc';
require __DIR__ . '/../children.inc';
use local_integrationhub\mih;

const MAX_ATTEMPTS = 3;
const BACKOFF_CAP = 3;

$seed = (int)(getenv('MIH_TEST_SEED') ?: random_int(1, PHP_INT_MAX >> 1));
echo "seed $seed (rerun with MIH_TEST_SEED=$seed)\n";
mt_srand($seed);
mih_test_private_breaker_table();

/* Every connection answered in a process of its own: a slow answer never
 * delays another one into a timeout. */
$srv = new mih_test_fork_server();
$common = ['timeout' => 1, 'max_attempts' => MAX_ATTEMPTS, 'queue_backoff' => 0.01, 'queue_backoff_cap' => BACKOFF_CAP,
    'cb_failure_threshold' => 1000];
mih::save_service(['name' => 'fx', 'base_url' => $srv->url] + $common);

/* fault => [count, answers of its path (the last one repeats), expected end, server requests] */
$faults = [
    'ok' => [20, [['status' => 200]], 'delivered', 1],
    'slow' => [6, [['status' => 200, 'delay_ms' => 400]], 'delivered', 1],
    'e500_once' => [8, [['status' => 500], ['status' => 200]], 'delivered', 2],
    'e500_always' => [4, [['status' => 500]], 'dead', MAX_ATTEMPTS],
    'r429' => [4, [['status' => 429, 'headers' => ['Retry-After: 2']], ['status' => 200]], 'delivered', 2],
    'r429_capped' => [3, [['status' => 429, 'headers' => ['Retry-After: 3600']], ['status' => 201]], 'delivered', 2],
    'e404' => [5, [['status' => 404, 'body' => 'gone']], 'dead', 1],
    'timeout_once' => [4, [['status' => 200, 'delay_ms' => 1500], ['status' => 200]], 'delivered', 2],
    'drop' => [4, [['drop' => true]], 'dead', MAX_ATTEMPTS],
    'drop_once' => [3, [['drop' => true], ['status' => 200]], 'delivered', 2],
    'truncated_once' => [3, [['status' => 200, 'body' => str_repeat('y', 100), 'truncate' => true], ['status' => 200]],
        'delivered', 2],
];
$mix = [];
foreach ($faults as $fault => [$count]) {
    $mix = array_merge($mix, array_fill(0, $count, $fault));
}
/* The seeded order decides which faults share a worker run and the connections. */
for ($i = count($mix) - 1; $i > 0; $i--) {
    $j = mt_rand(0, $i);
    [$mix[$i], $mix[$j]] = [$mix[$j], $mix[$i]];
}
$tasks = [];
foreach ($mix as $n => $fault) {
    $path = "/$fault/$n";
    $srv->respond($path, $faults[$fault][1]);
    $id = mih::enqueue('fx', $path, ['n' => $n]);
    $tasks[$id] = ['fault' => $fault, 'path' => $path, 'key' => mih::task($id)['idempotency_key']];
}
echo count($tasks), " tasks queued\n";

$runs = 0;
$total = ['delivered' => 0, 'retried' => 0, 'dead' => 0, 'parked' => 0];
$started = microtime(true);
while (mih::tasks(['limit' => 1]) && microtime(true) - $started < 40) {
    $r = mih::run_queue();
    foreach ($total as $k => $_) {
        $total[$k] += $r[$k];
    }
    $runs++;
    usleep(200000);
}
echo "queue empty: ", var_export(mih::tasks() === [], true), "\n";
echo "delivered={$total['delivered']} dead={$total['dead']} parked={$total['parked']}\n";
echo "delivered + dead == queued: ", var_export($total['delivered'] + $total['dead'] === count($tasks), true), "\n";

/* Every task ended as its fault dictates, after the expected number of requests. */
$dead = [];
foreach (mih::dead_letters(['limit' => 1000]) as $d) {
    $dead[$d['task_id']] = $d;
}
$by_path = [];
foreach ($srv->requests() as $r) {
    $by_path[$r['path']][] = $r;
}
$report = [];
foreach ($tasks as $id => $t) {
    $f = $t['fault'];
    $end = isset($dead[$id]) ? 'dead' : 'delivered';
    $seen = $by_path[$t['path']] ?? [];
    $keys = array_unique(array_column(array_column($seen, 'headers'), 'idempotency-key'));
    $line = $end . ' requests=' . count($seen) . ($keys === [$t['key']] ? '' : ' WRONG-KEY');
    if (isset($dead[$id])) {
        $line .= " attempts={$dead[$id]['attempts']} \"{$dead[$id]['error']}\"";
    }
    $report[$f][$line] = ($report[$f][$line] ?? 0) + 1;
}
ksort($report);

foreach ($report as $f => $lines) {
    foreach ($lines as $line => $n) {
        echo "$f x$n: $line\n";
    }
}

/* Retry-After: the retry never came before it, and a huge one was capped by queue_backoff_cap. */
foreach (['r429' => 2, 'r429_capped' => BACKOFF_CAP] as $fault => $wait) {
    $ok = true;
    foreach ($tasks as $t) {
        if ($t['fault'] !== $fault) {
            continue;
        }
        [$first, $second] = $by_path[$t['path']];
        $gap = $second['time'] - $first['time'];
        if ($gap < $wait || $gap > $wait + 6) {
            $ok = false;
            echo "$fault {$t['path']}: retried after $gap s\n";
        }
    }
    echo "$fault retried after {$wait} s (at most " . ($wait + 6) . "): ", var_export($ok, true), "\n";
}
printf("stats: %d runs, %.1f s\n", $runs, microtime(true) - $started);
?>
--EXPECTF--
seed %d (rerun with MIH_TEST_SEED=%d)
64 tasks queued
queue empty: true
delivered=51 dead=13 parked=0
delivered + dead == queued: true
drop x4: dead requests=3 attempts=3 "empty reply from server (gave up after 3 attempts)"
drop_once x3: delivered requests=2
e404 x5: dead requests=1 attempts=1 "HTTP 404 Not Found"
e500_always x4: dead requests=3 attempts=3 "HTTP 500 Internal Server Error (gave up after 3 attempts)"
e500_once x8: delivered requests=2
ok x20: delivered requests=1
r429 x4: delivered requests=2
r429_capped x3: delivered requests=2
slow x6: delivered requests=1
timeout_once x4: delivered requests=2
truncated_once x3: delivered requests=2
r429 retried after 2 s (at most 8): true
r429_capped retried after 3 s (at most 9): true
stats: %d runs, %f s
