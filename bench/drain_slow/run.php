<?php
/*
 * Queue drain against a slow receiver (scenario 2 of issue 7): every answer is delayed 50 ms
 * (nginx's echo module, `echo_sleep 0.05`), so at concurrency C the ideal is C / 0.05 s
 * deliveries/s. Measures mih::run_queue at C = 64 and 128 (per_service = C) against that
 * ideal, with wrk at the same connection count as a check that the receiver reaches it.
 * Prints a markdown section on stdout, progress on stderr.
 *
 *   php -d extension=modules/mih.so bench/drain_slow/run.php
 *
 * BENCH_RUNS (5), BENCH_SLOW_ROUNDS (30: tasks = C x rounds, an ideal drain of 1.5 s).
 */

use local_integrationhub\mih;

require __DIR__ . '/../lib/common.php';
require __DIR__ . '/../lib/clients.php';

const DELAY = 0.05;
const TARGET_OF_IDEAL = 0.90;
const CONCURRENCIES = [64, 128];

$runs = bench_env_int('BENCH_RUNS', 5);
$rounds = bench_env_int('BENCH_SLOW_ROUNDS', 30);
$dir = bench_tmpdir('drain_slow');
$server = nginx_start($dir, DELAY);
$url = $server['url'] . '/hook';
$p = fn(string $line) => bench_progress('drain_slow', $line);

$mih = $wrk = $ideal = [];
foreach (CONCURRENCIES as $c) {
	$n = $c * $rounds;
	$p("queueing $n tasks for concurrency $c");
	bench_queue_template($dir, "$dir/queue-$c.sqlite", $server['url'], $n);
	$mih[$c] = $wrk[$c] = $ideal[$c] = [];
}
for ($r = 0; $r < $runs; $r++) {
	foreach (CONCURRENCIES as $c) {
		$n = $c * $rounds;
		[$rate, $res] = bench_drain_copy($dir, "$dir/queue-$c.sqlite", 'normal', ['concurrency' => $c, 'per_service' => $c]);
		if ($res['delivered'] !== $n) {
			fwrite(STDERR, "drain_slow: delivered {$res['delivered']} of $n\n");
			nginx_stop($server);
			exit(1);
		}
		$w = wrk_rate($dir, $url, $c, 2);
		if ($w <= 0) {
			nginx_stop($server);
			exit(1);
		}
		$mih[$c][] = $rate;
		$wrk[$c][] = $w;
		$ideal[$c][] = $c / DELAY;
		$p(sprintf('run %d, concurrency %d: mih %s/s, wrk %s/s (ideal %s/s)', $r + 1, $c, fmt($rate), fmt($w), fmt($c / DELAY)));
	}
}
nginx_stop($server);
bench_rmtree($dir);

$missed = [];
$echo = trim((string)shell_exec("dpkg-query -W -f='\${Version}' libnginx-mod-http-echo"));
$out = [];
$out[] = '## Queue drain, slow receiver (bench/drain_slow)';
$out[] = '';
$out[] = sprintf("Receiver: Debian's nginx with libnginx-mod-http-echo %s, one worker process, `echo_sleep %.2f; echo_status 204;` on 127.0.0.1: every answer comes %d ms after the request. At concurrency C the ideal is C / %.2f s deliveries/s. **mih**: `mih::run_queue(['concurrency' => C, 'per_service' => C])` draining C × %d tasks (an ideal drain of %.1f s) from a fresh copy of a queue built with `mih::enqueue` before timing, `mih.store_durability = normal`; only the drain is timed. **wrk**: `wrk -t1 -cC -d2s` with the same body and headers, to show the receiver reaches the ideal.",
	$echo, DELAY, DELAY * 1000, DELAY, $rounds, $rounds * DELAY);
$out[] = '';
$out[] = "Figures: median over $runs runs; a ratio is the median of the per-run ratios.";
$out[] = '';
$out[] = '| concurrency | ideal deliveries/s | mih median deliveries/s | slowest – fastest run | wrk median requests/s |';
$out[] = '| ---: | ---: | ---: | --- | ---: |';
foreach (CONCURRENCIES as $c) {
	$out[] = sprintf('| %d | %s | %s | %s – %s | %s |', $c, fmt($c / DELAY), fmt(median($mih[$c])), fmt(min($mih[$c])),
		fmt(max($mih[$c])), fmt(median($wrk[$c])));
}
$out[] = '';
$out[] = '| ratio (same run) | median | slowest – fastest run | target |';
$out[] = '| --- | ---: | --- | --- |';
foreach (CONCURRENCIES as $c) {
	$out[] = ratio_row("mih / ideal, concurrency $c", $mih[$c], $ideal[$c], TARGET_OF_IDEAL, $missed, 'slow receiver', true);
}
foreach (CONCURRENCIES as $c) {
	$out[] = ratio_row("wrk / ideal, concurrency $c", $wrk[$c], $ideal[$c], null, $missed, 'slow receiver', true);
}
bench_finish($out, $missed, __DIR__);
