--TEST--
mih: tasks() filters and paging, retry_task, delete_task (a running task throws), run_queue options
--EXTENSIONS--
mih
pdo
pdo_sqlite
--SKIPIF--
<?php if (getenv('USE_ZEND_ALLOC') === '0') die('skip starts a worker process (too slow under valgrind)'); ?>
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

function attempt(callable $fn): void
{
    try {
        $r = $fn();
        echo is_array($r) ? json_encode($r) : var_export($r, true), "\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
$srv = new mih_test_server();
mih::save_service(['name' => 'a', 'base_url' => $srv->url, 'timeout' => 5]);
mih::save_service(['name' => 'b', 'base_url' => $srv->url, 'enabled' => false]);
$ids = [];
for ($i = 0; $i < 5; $i++) {
    $ids[] = mih::enqueue('a', "/a/$i", ['i' => $i]);
}
$ids[] = mih::enqueue('b', '/b', 'raw body', 'put');
echo count(mih::tasks()), ' ', count(mih::tasks(['service' => 'a'])), ' ', count(mih::tasks(['service' => 'b'])), ' ',
    count(mih::tasks(['limit' => 2])), ' ', implode(',', array_column(mih::tasks(['limit' => 2, 'offset' => 2]), 'id')), "\n";
attempt(fn() => mih::tasks(['status' => 'weird']));
attempt(fn() => mih::tasks(['limit' => 0]));
attempt(fn() => mih::tasks(['sort' => 'id']));
attempt(fn() => mih::run_queue(['concurrency' => 0]));
attempt(fn() => mih::run_queue(['speed' => 1]));
attempt(fn() => mih::run_queue(['time_limit' => 'soon']));

// a disabled service parks its tasks without using an attempt
$r = mih::run_queue(['limit' => 1]);
echo "limit 1: delivered={$r['delivered']}\n";
$r = mih::run_queue();
echo "rest: delivered={$r['delivered']} parked={$r['parked']}\n";
$t = mih::tasks()[0];
echo "{$t['service']} {$t['status']} attempts={$t['attempts']} {$t['last_error']}\n";
var_dump(mih::retry_task($t['id']), mih::tasks()[0]['status'], mih::retry_task(9999));
var_dump(mih::delete_task($ids[5]), mih::delete_task($ids[5]), mih::tasks());

// a running task (leased by a worker in another process) cannot be deleted
$srv->respond('/slow', [['status' => 200, 'delay_ms' => 3000]]);
$slow = mih::enqueue('a', '/slow');
$child = proc_open([PHP_BINARY, '-n', '-d', 'extension=' . dirname(__DIR__, 2) . '/modules/mih.so',
    ...mih_test_backend_php_args(),
    '-r', 'require $argv[1]; mih_test_bind_store($argv[2], $argv[3]); local_integrationhub\mih::run_queue(["limit" => 1]);',
    __DIR__ . '/../store.inc', mih_test_backend(), $GLOBALS['MIH_TEST_STORE_FILE']], [], $pipes);
$deadline = microtime(true) + 10;
do {
    usleep(50000);
    $state = mih::task($slow)['status'] ?? null;
} while ($state !== 'running' && microtime(true) < $deadline);
echo "slow task: $state\n";
attempt(fn() => mih::delete_task($slow));
attempt(fn() => mih::retry_task($slow));
proc_close($child);
var_dump(mih::task($slow));
?>
--EXPECT--
6 5 1 2 3,4
ValueError: local_integrationhub\mih::tasks(): Argument #1 ($filter) filter "status" must be one of pending, retrying, parked, running
ValueError: local_integrationhub\mih::tasks(): Argument #1 ($filter) filter "limit" must be at least 1
ValueError: local_integrationhub\mih::tasks(): Argument #1 ($filter) contains unknown filter "sort" (known: status, service, eventname, limit, offset)
ValueError: local_integrationhub\mih::run_queue(): Argument #1 ($options) option "concurrency" must be between 1 and 1024
ValueError: local_integrationhub\mih::run_queue(): Argument #1 ($options) contains unknown option "speed" (known: limit, time_limit, concurrency, per_service)
TypeError: local_integrationhub\mih::run_queue(): Argument #1 ($options) option "time_limit" must be of type int|float, string given
limit 1: delivered=1
rest: delivered=4 parked=1
b parked attempts=0 service disabled
bool(true)
string(7) "pending"
bool(false)
bool(true)
bool(false)
array(0) {
}
slow task: running
local_integrationhub\task_state_exception: task 7 is running (leased by a worker): it cannot be deleted now
local_integrationhub\task_state_exception: task 7 is running (leased by a worker): it cannot be rescheduled now
NULL
