--TEST--
mih: a task queued without an idempotency key gets "msg_" + 32 hex digits, the first 12 the enqueue time in Unix milliseconds, so keys sort in queueing order (mih::enqueue and the batch insert of mih::emit); keys stay unique
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

mih::save_service(['name' => 'crm', 'base_url' => 'http://127.0.0.1:9']);
foreach (['/a', '/b'] as $path) {
    mih::save_rule(['eventname' => '\core\event\user_created', 'service' => 'crm', 'endpoint' => $path]);
}

$keys = [];
$bad = [];
$check = function (int $id, float $before, float $after) use (&$keys, &$bad): void {
    $key = mih::task($id)['idempotency_key'];
    if (!preg_match('/^msg_([0-9a-f]{12})[0-9a-f]{20}$/', $key, $m)) {
        $bad[] = "format: $key";
        return;
    }
    $ms = hexdec($m[1]);
    if ($ms < (int)floor($before * 1000) || $ms > (int)ceil($after * 1000)) {
        $bad[] = "time: $key ($ms not in " . floor($before * 1000) . '..' . ceil($after * 1000) . ')';
    }
    $keys[] = $key;
};
for ($i = 0; $i < 40; $i++) {
    $before = microtime(true);
    $id = mih::enqueue('crm', '/one', ['i' => $i]);
    $check($id, $before, microtime(true));
    if ($i % 10 === 0) {
        usleep(2000);   /* a few milliseconds apart: the clock part must grow */
        $before = microtime(true);
        $ids = mih::emit('\core\event\user_created', ['objectid' => $i]);
        $after = microtime(true);
        foreach ($ids as $e) {
            $check($e, $before, $after);
        }
        usleep(2000);
    }
}
echo count($keys), " keys, problems: ", json_encode($bad), "\n";
echo "unique: ", var_export(count(array_unique($keys)) === count($keys), true), "\n";
/* Within one millisecond the order is random; across milliseconds it is the queueing order. */
$clock = array_map(fn($k) => substr($k, 4, 12), $keys);
$sorted = $clock;
sort($sorted, SORT_STRING);
echo "clock parts in queueing order: ", var_export($sorted === $clock, true), "\n";
echo "distinct milliseconds > 8: ", var_export(count(array_unique($clock)) > 8, true), "\n";
?>
--EXPECT--
48 keys, problems: []
unique: true
clock parts in queueing order: true
distinct milliseconds > 8: true
