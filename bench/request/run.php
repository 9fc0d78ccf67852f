<?php
/*
 * Synchronous mih::request overhead (scenario 3 of issue 7): N calls to a zero-latency nginx
 * against raw curl_exec on a reused ext/curl handle doing the same work from PHP (encode the
 * payload, set the headers, send, read the status and body). Prints a markdown section on
 * stdout, progress on stderr.
 *
 *   php -d extension=modules/mih.so bench/request/run.php
 *   php -d extension=modules/mih.so bench/request/run.php --profile        (mih only, for callgrind)
 *   php -d extension=modules/mih.so bench/request/run.php --profile=curl   (the raw loop only)
 *
 * BENCH_RUNS (5), BENCH_REQUEST_CALLS (4000 per engine and run).
 */

use local_integrationhub\mih;

require __DIR__ . '/../lib/common.php';
require __DIR__ . '/../lib/clients.php';

const TARGET_OVERHEAD = 0.10;

$runs = bench_env_int('BENCH_RUNS', 5);
$n = bench_env_int('BENCH_REQUEST_CALLS', 4000);
$profile = in_array('--profile', $argv, true) ? 'mih' : (in_array('--profile=curl', $argv, true) ? 'curl' : null);
$dir = bench_tmpdir('request');
$server = nginx_start($dir);
$p = fn(string $line) => bench_progress('request', $line);

/* The default durability (full): the request log is written without fsync either way. */
bench_store($dir, "$dir/store.sqlite", $server['url'], 'full');
$payload = BENCH_PAYLOAD;
$url = $server['url'] . '/hook';

$engines = [
	'mih' => function (int $n) use ($payload) {
		$ok = 0;
		for ($i = 0; $i < $n; $i++) {
			$ok += mih::request('bench', '/hook', $payload, 'POST')->success;
		}
		mih::flush_log();   /* what the request's end writes: timed with the calls */
		return $ok;
	},
	'curl' => function (int $n) use ($payload, $url) {
		static $ch = null;
		$ch ??= curl_init();
		$ok = 0;
		for ($i = 0; $i < $n; $i++) {
			curl_setopt_array($ch, [
				CURLOPT_URL => $url,
				CURLOPT_POST => true,
				CURLOPT_RETURNTRANSFER => true,
				CURLOPT_TIMEOUT => 10,
				CURLOPT_HTTPHEADER => ['Content-Type: application/json', 'Accept: application/json',
					'User-Agent: bench/1.0'],
				CURLOPT_POSTFIELDS => json_encode($payload, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE),
			]);
			$body = curl_exec($ch);
			$code = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
			$ok += $body !== false && $code >= 200 && $code < 300;
		}
		return $ok;
	},
];

if ($profile) {
	$engines[$profile](200);   /* warm: connection, caches */
	$engines[$profile]($n);
	nginx_stop($server);
	bench_rmtree($dir);
	exit(0);
}

foreach ($engines as $name => $loop) {
	$loop(200);                /* warm-up: connections kept alive, store open */
}
$rates = array_fill_keys(array_keys($engines), []);
for ($r = 0; $r < $runs; $r++) {
	foreach (rotated(array_keys($engines), $r) as $name) {
		$t = hrtime(true);
		$ok = $engines[$name]($n);
		$rate = $n / ((hrtime(true) - $t) / 1e9);
		if ($ok !== $n) {
			fwrite(STDERR, "request: $name: $ok of $n calls succeeded\n");
			nginx_stop($server);
			exit(1);
		}
		$rates[$name][] = $rate;
		$p(sprintf('run %d: %s %s calls/s', $r + 1, $name, fmt($rate)));
	}
}
nginx_stop($server);
bench_rmtree($dir);

$missed = [];
$mih_us = 1e6 / median($rates['mih']);
$curl_us = 1e6 / median($rates['curl']);
$out = [];
$out[] = '## Synchronous mih::request overhead (bench/request)';
$out[] = '';
$out[] = "Receiver: Debian's nginx, one worker, `return 204;` on 127.0.0.1. $n calls per engine and run, after a warm-up of 200 (connection open, store open).";
$out[] = '';
$out[] = "- **mih**: `mih::request('bench', '/hook', \$payload, 'POST')` as is: JSON-encodes the payload, builds the headers, asks the circuit breaker (shared memory), sends over its kept-alive connection, tells the breaker the outcome, writes one request-log row into the SQLite store (`mih.store_durability = full`, the default; log rows are written with synchronous=NORMAL, no fsync) and returns a `mih_response` (status, body, headers, latency).";
$out[] = "- **raw ext/curl**: one reused handle; per call `json_encode` of the same payload, `curl_setopt_array` (URL, POST, headers, body), `curl_exec`, `curl_getinfo` of the status. No log, no breaker, no response object.";
$out[] = '';
$out[] = "Figures: median over $runs runs, engines interleaved in a rotating order; the overhead is the median of the per-run ratios.";
$out[] = '';
$out[] = '| client | median calls/s | slowest – fastest run | median µs per call |';
$out[] = '| --- | ---: | --- | ---: |';
$out[] = rate_row('mih::request', $rates['mih'], sprintf('%.1f', $mih_us));
$out[] = rate_row('raw curl_exec, reused handle', $rates['curl'], sprintf('%.1f', $curl_us));
$out[] = '';
/* "Within 10% of raw ext/curl": mih's throughput at least 1/1.1 of curl's. */
$out[] = '| ratio (same run) | median | slowest – fastest run | target |';
$out[] = '| --- | ---: | --- | --- |';
$out[] = ratio_row('mih / raw curl_exec (calls/s)', $rates['mih'], $rates['curl'], 1 / (1 + TARGET_OVERHEAD), $missed, 'request');
$overheads = array_map(fn($m, $c) => $c / $m - 1, $rates['mih'], $rates['curl']);
$out[] = '';
$out[] = sprintf('Time per call: mih %.1f µs against %.1f µs, i.e. %+.0f%% (median of per-run overheads; slowest – fastest run %+.0f%% – %+.0f%%; target: at most +%.0f%%).',
	$mih_us, $curl_us, 100 * median($overheads), 100 * max($overheads), 100 * min($overheads), 100 * TARGET_OVERHEAD);
bench_finish($out, $missed, __DIR__);
