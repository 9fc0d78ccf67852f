--TEST--
Queue crash test: a worker draining 2000 tasks is SIGKILLed at random moments and restarted; nothing is lost, and every duplicate is a task that was in flight at a kill
--EXTENSIONS--
mih
pdo
pdo_sqlite
--SKIPIF--
<?php
require __DIR__ . '/../children.inc';
mih_test_skip_if_valgrind();
?>
--INI--
mih.shm_path={PWD}/crash_kill9.shm
mih.lease_margin=1
--FILE--
<?php
require __DIR__ . '/../server.inc';
require __DIR__ . '/../children.inc';
use local_integrationhub\mih;

const TASKS = 2000;
const KILLS = 6;
const CONCURRENCY = 8;

$seed = (int)(getenv('MIH_TEST_SEED') ?: random_int(1, PHP_INT_MAX >> 1));
echo "seed $seed (rerun with MIH_TEST_SEED=$seed)\n";
mt_srand($seed);
mih_test_private_breaker_table();

$srv = new mih_test_server(__DIR__ . '/../router.inc', 4);
/* timeout 3 s: a send is never cut short (and retried) by a slow loaded
 * machine, so every duplicate comes from a kill; lease = 3 + 1 s. */
mih::save_service(['name' => 'sink', 'base_url' => $srv->url, 'timeout' => 3, 'max_attempts' => 5,
    'queue_backoff' => 0.01, 'queue_backoff_cap' => 0.01, 'cb_failure_threshold' => 1000]);

$keys = [];
$ids = [];
if (mih_test_backend() === 'moodle') {
    $tx = $GLOBALS['DB']->start_delegated_transaction();   // one commit for the whole batch
}
for ($i = 0; $i < TASKS; $i++) {
    $id = mih::enqueue('sink', '/hook/' . $i, ['n' => $i]);
    $ids[$id] = true;
    $keys[mih::task($id)['idempotency_key']] = $id;
}
if (isset($tx)) {
    $tx->allow_commit();
}
echo count($ids), " tasks queued, ", count($keys), " distinct idempotency keys\n";

/* The kills come when the server has seen these (seeded, random) numbers of
 * requests, so each one hits the worker in the middle of the drain. */
$targets = [];
while (count($targets) < KILLS) {
    $targets[mt_rand(100, TASKS - 200)] = true;
}
$targets = array_keys($targets);
sort($targets);

$log = "{$srv->dir}/requests.jsonl";
$seen = static function () use ($log): int {
    /* Counts the lines the server appended since the last call. */
    static $offset = 0, $lines = 0;
    $fh = @fopen($log, 'r');
    if ($fh) {
        fseek($fh, $offset);
        $chunk = (string)stream_get_contents($fh);
        fclose($fh);
        $complete = strrpos($chunk, "\n");
        if ($complete !== false) {
            $lines += substr_count($chunk, "\n", 0, $complete + 1);
            $offset += $complete + 1;
        }
    }
    return $lines;
};
$options = json_encode(['concurrency' => CONCURRENCY, 'per_service' => CONCURRENCY, 'time_limit' => 60]);
$started = microtime(true);
$kill_times = [];
$kills = 0;
foreach ($targets as $target) {
    $worker = new mih_test_child('worker_child.inc', [45, $options]);
    /* A random extra moment after the target, up to 30 ms. */
    $extra = mt_rand(0, 30) * 1000;
    while ($seen() < $target && $worker->running() && microtime(true) - $started < 50) {
        usleep(2000);
    }
    usleep($extra);
    if (!$worker->running()) {
        echo "worker ended before kill ", $kills + 1, ":\n", $worker->output();
        break;
    }
    $worker->kill();
    $kill_times[] = microtime(true);
    $kills++;
}
echo "$kills workers killed with SIGKILL mid-drain\n";

/* The last worker drains what is left, the killed workers' leased tasks
 * included once their leases end. */
$worker = new mih_test_child('worker_child.inc', [45, $options]);
$rc = $worker->wait(50);
echo "last worker exit code $rc\n";
if ($rc !== 0) {
    echo $worker->output();
}

$requests = $srv->requests();
$deliveries = [];
foreach ($requests as $r) {
    $deliveries[$r['headers']['idempotency-key'] ?? '(none)'][] = $r['time'];
}
$dead = mih::dead_letters(['limit' => TASKS]);
echo "left in the queue: ", count(mih::tasks(['limit' => TASKS])), "\n";
echo "dead letters: ", count($dead), "\n";
$unknown = array_diff_key($deliveries, $keys);
echo "deliveries with a key that was never queued: ", count($unknown), "\n";
$missing = array_diff_key($keys, $deliveries);
foreach ($dead as $d) {
    unset($missing[$d['idempotency_key']]);
}
echo "lost (neither delivered nor dead): ", count($missing), "\n";
echo "distinct keys delivered + dead == queued: ", var_export(count($deliveries) + count($dead) === TASKS, true), "\n";

/* Duplicates: a key sent more than once. Each must be a task that was in
 * flight when a worker was killed: matched to a kill that falls between its
 * two deliveries, no kill matched to more tasks than a worker has in flight
 * (CONCURRENCY). The server may read a request a worker sent just before its
 * death a little after it (tolerance 1 s); the resend comes after the lease.
 * Matching greedily by the resend time, each to the earliest kill that still
 * has room, finds such an assignment whenever one exists. */
$intervals = [];
foreach ($deliveries as $key => $times) {
    sort($times);
    for ($j = 1; $j < count($times); $j++) {
        $intervals[] = [$times[$j - 1] - 1.0, $times[$j], $key];
    }
}
$duplicates = count($intervals);
usort($intervals, fn($a, $b) => $a[1] <=> $b[1]);
$per_kill = array_fill(0, count($kill_times), 0);
$unexplained = [];
foreach ($intervals as [$from, $to, $key]) {
    $by = null;
    foreach ($kill_times as $k => $t) {
        if ($t > $from && $t < $to && $per_kill[$k] < CONCURRENCY) {
            $by = $k;
            break;
        }
    }
    if ($by === null) {
        $unexplained[] = $key;
    } else {
        $per_kill[$by]++;
    }
}
printf("stats: %d requests, %d duplicates, per kill %s, %.1f s\n", count($requests), $duplicates,
    json_encode($per_kill), microtime(true) - $started);
echo "duplicates not matched to a kill they straddle (at most ", CONCURRENCY, " per kill): ", count($unexplained), $unexplained ? ' (' . implode(', ', $unexplained) . ')' : '', "\n";
echo "duplicates within kills * concurrency: ", var_export($duplicates <= $kills * CONCURRENCY, true), "\n";
?>
--EXPECTF--
seed %d (rerun with MIH_TEST_SEED=%d)
2000 tasks queued, 2000 distinct idempotency keys
6 workers killed with SIGKILL mid-drain
last worker exit code 0
left in the queue: 0
dead letters: 0
deliveries with a key that was never queued: 0
lost (neither delivered nor dead): 0
distinct keys delivered + dead == queued: true
stats: %d requests, %d duplicates, per kill [%s], %f s
duplicates not matched to a kill they straddle (at most %d per kill): 0
duplicates within kills * concurrency: true
