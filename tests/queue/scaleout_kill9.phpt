--TEST--
Queue scale-out crash test: 4 worker processes drain one queue of 3000 tasks while workers are SIGKILLed at random moments and replaced; nothing is lost, and every duplicate is a task in flight at a kill
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
mih.shm_path={PWD}/scaleout_kill9.shm
mih.lease_margin=1
mih.store_durability=normal
--FILE--
<?php
require __DIR__ . '/../server.inc';
require __DIR__ . '/../children.inc';
use local_integrationhub\mih;

const TASKS = 3000;
const WORKERS = 4;
const KILLS = 5;
const CONCURRENCY = 8;

$seed = (int)(getenv('MIH_TEST_SEED') ?: random_int(1, PHP_INT_MAX >> 1));
echo "seed $seed (rerun with MIH_TEST_SEED=$seed)\n";
mt_srand($seed);
mih_test_private_breaker_table();

$srv = new mih_test_server(__DIR__ . '/../router.inc', 4);
/* timeout 3 s: a send is never cut short (and retried) on a loaded machine,
 * so every duplicate comes from a kill; lease = 3 + 1 s. */
mih::save_service(['name' => 'sink', 'base_url' => $srv->url, 'timeout' => 3, 'max_attempts' => 5,
    'queue_backoff' => 0.01, 'queue_backoff_cap' => 0.01, 'cb_failure_threshold' => 1000]);

$keys = [];
if (mih_test_backend() === 'moodle') {
    $tx = $GLOBALS['DB']->start_delegated_transaction();
}
for ($i = 0; $i < TASKS; $i++) {
    $id = mih::enqueue('sink', '/hook/' . $i, ['n' => $i]);
    $keys[mih::task($id)['idempotency_key']] = $id;
}
if (isset($tx)) {
    $tx->allow_commit();
}
echo count($keys), " tasks queued with distinct keys\n";

$targets = [];
while (count($targets) < KILLS) {
    $targets[mt_rand(200, TASKS - 800)] = true;
}
$targets = array_keys($targets);
sort($targets);

$log = "{$srv->dir}/requests.jsonl";
$seen = static function () use ($log): int {
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
$workers = [];
for ($w = 0; $w < WORKERS; $w++) {
    $workers[$w] = new mih_test_child('worker_child.inc', [60, $options]);
}
$kill_times = [];
foreach ($targets as $target) {
    while ($seen() < $target && microtime(true) - $started < 50) {
        usleep(2000);
    }
    usleep(mt_rand(0, 30) * 1000);
    $w = mt_rand(0, WORKERS - 1);
    if (!$workers[$w]->running()) {
        echo "worker $w ended before a kill:\n", $workers[$w]->output();
        break;
    }
    $workers[$w]->kill();
    $kill_times[] = microtime(true);
    $workers[$w] = new mih_test_child('worker_child.inc', [60, $options]);
}
echo count($kill_times), " workers killed with SIGKILL mid-drain and replaced\n";
/* The survivors and the replacements drain the rest, the killed workers'
 * leased tasks included once their leases end. */
$bad = 0;
foreach ($workers as $w => $worker) {
    $rc = $worker->wait(70);
    if ($rc !== 0) {
        $bad++;
        echo "worker $w exit code $rc\n", $worker->output();
    }
}
echo "workers ending with an error: $bad\n";

$requests = $srv->requests();
$deliveries = [];
foreach ($requests as $r) {
    $deliveries[$r['headers']['idempotency-key'] ?? '(none)'][] = $r['time'];
}
$dead = mih::dead_letters(['limit' => TASKS]);
echo "left in the queue: ", count(mih::tasks(['limit' => TASKS])), "\n";
echo "dead letters: ", count($dead), "\n";
echo "deliveries with a key that was never queued: ", count(array_diff_key($deliveries, $keys)), "\n";
$missing = array_diff_key($keys, $deliveries);
foreach ($dead as $d) {
    unset($missing[$d['idempotency_key']]);
}
echo "lost (neither delivered nor dead): ", count($missing), "\n";

/* Each duplicate must straddle a kill, and no kill may explain more
 * duplicates than the killed worker had in flight (CONCURRENCY); see
 * crash_kill9.phpt for the greedy matching. */
$intervals = [];
foreach ($deliveries as $key => $times) {
    sort($times);
    for ($j = 1; $j < count($times); $j++) {
        $intervals[] = [$times[$j - 1] - 1.0, $times[$j], $key];
    }
}
usort($intervals, fn($a, $b) => $a[1] <=> $b[1]);
$per_kill = array_fill(0, count($kill_times), 0);
$unexplained = 0;
foreach ($intervals as [$from, $to, $key]) {
    $by = null;
    foreach ($kill_times as $k => $t) {
        if ($t > $from && $t < $to && $per_kill[$k] < CONCURRENCY) {
            $by = $k;
            break;
        }
    }
    if ($by === null) {
        $unexplained++;
    } else {
        $per_kill[$by]++;
    }
}
echo "duplicates not matched to a kill they straddle (at most ", CONCURRENCY, " per kill): $unexplained\n";
printf("scale-out kill -9 on %s: %d requests, %d duplicates, per kill %s, %.1f s\n", mih_test_backend_name(),
    count($requests), count($intervals), json_encode($per_kill), microtime(true) - $started);
?>
--EXPECTF--
seed %d (rerun with MIH_TEST_SEED=%d)
3000 tasks queued with distinct keys
5 workers killed with SIGKILL mid-drain and replaced
workers ending with an error: 0
left in the queue: 0
dead letters: 0
deliveries with a key that was never queued: 0
lost (neither delivered nor dead): 0
duplicates not matched to a kill they straddle (at most 8 per kill): 0
scale-out kill -9 on %s: %d requests, %d duplicates, per kill [%s], %f s
