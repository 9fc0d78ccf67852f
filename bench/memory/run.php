<?php
/*
 * Worker memory (scenario 6 of issue 7): one PHP process drains 100k queued tasks against a
 * zero-latency nginx in batches of mih::run_queue(['limit' => 10000]); after each batch it
 * reads its own VmRSS and VmHWM (/proc/self/status) and PHP's heap (memory_get_usage).
 * Prints a markdown section on stdout, progress on stderr.
 *
 *   php -d extension=modules/mih.so bench/memory/run.php
 *
 * BENCH_MEMORY_TASKS (100000), BENCH_MEMORY_BATCH (10000), BENCH_MEMORY_CONCURRENCY (16).
 */

use local_integrationhub\mih;

require __DIR__ . '/../lib/common.php';

/* Flat: the high-water mark after the last batch at most this much above the one after the first. */
const FLAT_GROWTH_KIB = 1024;
const FLAT_GROWTH_SHARE = 0.05;

$total = bench_env_int('BENCH_MEMORY_TASKS', 100000);
$batch = bench_env_int('BENCH_MEMORY_BATCH', 10000);
$c = bench_env_int('BENCH_MEMORY_CONCURRENCY', 16);
$dir = bench_tmpdir('memory');
$server = nginx_start($dir);
$p = fn(string $line) => bench_progress('memory', $line);

bench_store($dir, "$dir/store.sqlite", $server['url'], 'normal');
$p("queueing $total tasks");
for ($i = 0; $i < $total; $i++) {
	mih::enqueue('bench', '/hook', BENCH_PAYLOAD);
}
$before = bench_rss();
$rows = [];
$drained = 0;
$seconds = 0.0;
while ($drained < $total) {
	$r = mih::run_queue(['limit' => $batch, 'concurrency' => $c, 'per_service' => $c]);
	if ($r['delivered'] !== min($batch, $total - $drained)) {
		fwrite(STDERR, "memory: a batch delivered {$r['delivered']}: " . json_encode($r) . "\n");
		nginx_stop($server);
		exit(1);
	}
	$drained += $r['delivered'];
	$seconds += $r['seconds'];
	$m = bench_rss();
	$rows[] = [$drained, $m['rss'], $m['hwm'], memory_get_usage(), memory_get_peak_usage(), $r['seconds']];
	$p(sprintf('%s drained: VmRSS %s KiB, VmHWM %s KiB', fmt($drained), fmt($m['rss']), fmt($m['hwm'])));
}
$left = array_sum(mih::stats()['bench']['queue'] ?? [-1]);
nginx_stop($server);
bench_rmtree($dir);
if ($left !== 0) {
	fwrite(STDERR, "memory: $left tasks left in the queue\n");
	exit(1);
}

$first = $rows[0];
$last = end($rows);
$growth = $last[2] - $first[2];
$limit = max(FLAT_GROWTH_KIB, (int)(FLAT_GROWTH_SHARE * $first[2]));
$flat = $growth <= $limit;
$out = [];
$out[] = '## Worker memory over 100k deliveries (bench/memory)';
$out[] = '';
$out[] = sprintf("One PHP process queues %s tasks with `mih::enqueue` (SQLite store, `mih.store_durability = normal`), then drains them against the zero-latency nginx with `mih::run_queue(['limit' => %d, 'concurrency' => %d, 'per_service' => %d])` until the queue is empty, reading `/proc/self/status` after every batch. Before the first batch (queue built, store open): VmRSS %s KiB, VmHWM %s KiB. The request log is pruned to `mih.log_max_rows` (10000) as the worker goes.",
	fmt($total), $batch, $c, $c, fmt($before['rss']), fmt($before['hwm']));
$out[] = '';
$out[] = '| tasks drained | VmRSS (KiB) | VmHWM (KiB) | PHP heap (memory_get_usage, bytes) | PHP peak (bytes) | batch deliveries/s |';
$out[] = '| ---: | ---: | ---: | ---: | ---: | ---: |';
foreach ($rows as [$n, $rss, $hwm, $heap, $peak, $s]) {
	$out[] = sprintf('| %s | %s | %s | %s | %s | %s |', fmt($n), fmt($rss), fmt($hwm), fmt($heap), fmt($peak), fmt($batch / $s));
}
$out[] = '';
$out[] = sprintf('Peak RSS (VmHWM) after %s deliveries: %s KiB; after %s: %s KiB; growth %+d KiB (%+.1f%%). Target: flat, i.e. growth at most max(%d KiB, %.0f%%) = %s KiB: %s.',
	fmt($first[0]), fmt($first[2]), fmt($last[0]), fmt($last[2]), $growth, 100 * $growth / $first[2],
	FLAT_GROWTH_KIB, 100 * FLAT_GROWTH_SHARE, fmt($limit), $flat ? 'met' : '**missed**');
$out[] = sprintf('Drain rate over the whole run: %s deliveries/s. The PHP heap grows by a few hundred bytes per batch: that is the row this script adds to its own table of figures after each batch, not the worker.', fmt($total / $seconds));
echo implode("\n", $out), "\n";
exit($flat ? 0 : 3);
