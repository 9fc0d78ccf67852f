<?php
/*
 * Queue drain against a zero-latency receiver (scenario 1 of issue 7): deliveries/s of
 * mih::run_queue draining N queued tasks from a SQLite store, against wrk (the ceiling),
 * Guzzle's Pool and a plain curl_exec loop sending the same N requests to the same nginx.
 * Prints a markdown section on stdout, progress on stderr.
 *
 *   php -d extension=modules/mih.so bench/drain/run.php
 *
 * BENCH_RUNS (5), BENCH_DRAIN_TASKS (20000), BENCH_DRAIN_CONCURRENCY (16).
 * mih drains with durability normal (issue 7's targets) and with full, the default (issue 16's
 * target against Guzzle), both interleaved with the baselines.
 */

use local_integrationhub\mih;

require __DIR__ . '/../lib/common.php';
require __DIR__ . '/../lib/clients.php';

const TARGET_VS_GUZZLE = 3.0;
const TARGET_VS_WRK = 0.25;
const TARGET_FULL_VS_GUZZLE = 2.5;

$runs = bench_env_int('BENCH_RUNS', 5);
$n = bench_env_int('BENCH_DRAIN_TASKS', 20000);
$c = bench_env_int('BENCH_DRAIN_CONCURRENCY', 16);

$dir = bench_tmpdir('drain');
$server = nginx_start($dir);
$url = $server['url'] . '/hook';
$p = fn(string $line) => bench_progress('drain', $line);

$p("queueing $n tasks");
bench_queue_template($dir, "$dir/queue.sqlite", $server['url'], $n);

$options = ['concurrency' => $c, 'per_service' => $c];
$engines = [
	'mih' => function () use ($dir, $options, $n) {
		[$rate, $r] = bench_drain_copy($dir, "$dir/queue.sqlite", 'normal', $options);
		return $r['delivered'] === $n ? $rate : 0.0;
	},
	'full' => function () use ($dir, $options, $n) {
		[$rate, $r] = bench_drain_copy($dir, "$dir/queue.sqlite", 'full', $options);
		return $r['delivered'] === $n ? $rate : 0.0;
	},
	'guzzle' => function () use ($url, $n, $c) {
		$t = hrtime(true);
		$ok = guzzle_pool($url, $n, $c);
		return $ok === $n ? $n / ((hrtime(true) - $t) / 1e9) : 0.0;
	},
	'curl' => function () use ($url, $n) {
		$t = hrtime(true);
		$ok = curl_loop($url, $n);
		return $ok === $n ? $n / ((hrtime(true) - $t) / 1e9) : 0.0;
	},
	'wrk' => fn() => wrk_rate($dir, $url, $c, 2),
];
$rates = array_fill_keys(array_keys($engines), []);
for ($r = 0; $r < $runs; $r++) {
	foreach (rotated(array_keys($engines), $r) as $name) {
		$rate = $engines[$name]();
		if ($rate <= 0) {
			fwrite(STDERR, "drain: $name did not deliver every request\n");
			nginx_stop($server);
			exit(1);
		}
		$rates[$name][] = $rate;
		$p(sprintf('run %d: %s %s/s', $r + 1, $name, fmt($rate)));
	}
}
nginx_stop($server);
bench_rmtree($dir);

$missed = [];
$guzzle = trim((string)shell_exec("dpkg-query -W -f='\${Version}' php-guzzlehttp-guzzle"));
$nginx = trim((string)shell_exec("dpkg-query -W -f='\${Version}' nginx"));
$wrkv = trim((string)shell_exec("dpkg-query -W -f='\${Version}' wrk"));
$out = [];
$out[] = '## Queue drain, zero-latency receiver (bench/drain)';
$out[] = '';
$out[] = "Receiver: Debian's nginx $nginx, one worker process, `return 204;` on 127.0.0.1, keep-alive unbounded. Every client sends the same $n POSTs of a " . strlen(bench_body()) . "-byte JSON event with the headers mih sends (Content-Type, Accept, User-Agent, an Idempotency-Key), $c at a time, over kept-alive connections.";
$out[] = '';
$out[] = "- **mih**: `mih::run_queue(['concurrency' => $c, 'per_service' => $c])` draining $n tasks queued with `mih::enqueue` into a fresh SQLite store (a copy of one queue built before timing; only the drain is timed). Twice: with `mih.store_durability = normal` (no fsync at commit) and with `full`, the default (an fsync per commit: per settle of at most $c outcomes, claims riding along). Per delivery the worker claims, sends, records the breaker outcome, writes a request-log row and deletes the task.";
$out[] = "- **wrk** $wrkv: `wrk -t1 -c$c -d2s -s post.lua` with the same body and headers: the ceiling (no PHP, no persistence).";
$out[] = "- **Guzzle** $guzzle (Debian's php-guzzlehttp-guzzle, its curl multi handler): `GuzzleHttp\\Pool` with `concurrency => $c` over a generator of the $n `Request`s, counting 2xx answers.";
$out[] = "- **curl_exec loop**: one reused ext/curl handle, one request at a time (the original plugin's strategy).";
$out[] = '';
$out[] = "Figures: median over $runs runs, engines interleaved in a rotating order; a ratio is the median of the per-run ratios.";
$out[] = '';
$out[] = '| client | median deliveries/s | slowest – fastest run |';
$out[] = '| --- | ---: | --- |';
$out[] = rate_row("mih::run_queue, durability normal", $rates['mih']);
$out[] = rate_row("mih::run_queue, durability full", $rates['full']);
$out[] = rate_row("wrk, $c connections", $rates['wrk']);
$out[] = rate_row("Guzzle Pool, concurrency $c", $rates['guzzle']);
$out[] = rate_row('curl_exec loop, one at a time', $rates['curl']);
$out[] = '';
$out[] = '| ratio (same run) | median | slowest – fastest run | target |';
$out[] = '| --- | ---: | --- | --- |';
$out[] = ratio_row('mih / Guzzle', $rates['mih'], $rates['guzzle'], TARGET_VS_GUZZLE, $missed, 'drain');
$out[] = ratio_row('mih, durability full / Guzzle', $rates['full'], $rates['guzzle'], TARGET_FULL_VS_GUZZLE, $missed, 'drain');
$out[] = ratio_row('mih / wrk', $rates['mih'], $rates['wrk'], TARGET_VS_WRK, $missed, 'drain', true);
$out[] = ratio_row('mih / curl_exec loop', $rates['mih'], $rates['curl'], null, $missed, 'drain');
$out[] = ratio_row('Guzzle / curl_exec loop', $rates['guzzle'], $rates['curl'], null, $missed, 'drain');
$out[] = '';
$out[] = sprintf('Per delivery (medians): mih %.0f µs (durability full %.0f µs), Guzzle %.0f µs, curl_exec loop %.0f µs, wrk %.0f µs.',
	1e6 / median($rates['mih']), 1e6 / median($rates['full']), 1e6 / median($rates['guzzle']), 1e6 / median($rates['curl']), 1e6 / median($rates['wrk']));
bench_finish($out, $missed, __DIR__);
