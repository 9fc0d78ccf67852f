<?php
/*
 * The limits of a queue drain on this machine, and mih as a share of them (issue 16). The C
 * program bench/floor/floor (built here with make: pkg-config sqlite3 libcurl) measures, without
 * PHP:
 *   - the store floor: claim + delete + log row for a wave of BENCH_FLOOR_WAVE (64) tasks in two
 *     fsynced transactions (SQLite WAL, synchronous=FULL: mih.store_durability full), per delivery;
 *   - raw libcurl multi: the same POSTs mih sends, BENCH_FLOOR_CONCURRENCY (16) at a time.
 * Next to them, in the same run and against the same private nginx: mih::run_queue with durability
 * full, raw PHP curl_multi (ext/curl), and mih::request against a raw curl_exec loop.
 *
 *   php -d extension=modules/mih.so bench/floor/run.php
 *
 * BENCH_RUNS (5), BENCH_FLOOR_TASKS (4000), BENCH_FLOOR_WAVE (64), BENCH_FLOOR_CONCURRENCY (16),
 * BENCH_FLOOR_REQUESTS (3000: the synchronous comparison), BENCH_FLOOR_DURABILITY (full: the
 * mih.store_durability of the drain; normal shows what the fsync of each settle costs, and its
 * ratios are then not held to the targets, which are for the default, full).
 */

use local_integrationhub\mih;

require __DIR__ . '/../lib/common.php';
require __DIR__ . '/../lib/clients.php';

const TARGET_DRAIN_VS_MULTI = 0.5;
const TARGET_REQUEST_VS_CURL = 0.9;

$runs = bench_env_int('BENCH_RUNS', 5);
$n = bench_env_int('BENCH_FLOOR_TASKS', 4000);
$wave = bench_env_int('BENCH_FLOOR_WAVE', 64);
$c = bench_env_int('BENCH_FLOOR_CONCURRENCY', 16);
$nreq = bench_env_int('BENCH_FLOOR_REQUESTS', 3000);
$durability = getenv('BENCH_FLOOR_DURABILITY') ?: 'full';
if (!in_array($durability, ['full', 'normal'], true)) {
	fwrite(STDERR, "floor: BENCH_FLOOR_DURABILITY must be full or normal, got \"$durability\"\n");
	exit(1);
}
/* The targets are for the default durability; another is a diagnostic, shown but not held to them. */
$held = $durability === 'full';
$p = fn(string $line) => bench_progress('floor', $line);

$make = [];
exec('make -s -C ' . escapeshellarg(__DIR__) . ' 2>&1', $make, $rc);
if ($rc !== 0 || !is_executable(__DIR__ . '/floor')) {
	fwrite(STDERR, "floor: building bench/floor/floor failed:\n" . implode("\n", $make) . "\n");
	exit(1);
}
$dir = bench_tmpdir('floor');
$server = nginx_start($dir);
$url = $server['url'] . '/hook';

/* One line "name value" from the C program. */
$floor = function (array $args) {
	$cmd = escapeshellarg(__DIR__ . '/floor') . ' ' . implode(' ', array_map('escapeshellarg', $args)) . ' 2>&1';
	$out = trim((string)shell_exec($cmd));
	if (!preg_match('/^\S+ ([0-9.]+)$/', $out, $m)) {
		fwrite(STDERR, "floor: bench/floor/floor failed: $out\n");
		exit(1);
	}
	return (float)$m[1];
};

$p("queueing $n tasks");
bench_queue_template($dir, "$dir/queue.sqlite", $server['url'], $n);
$engines = [
	'store' => fn() => $floor(['store', "$dir/floor.sqlite", (string)$n, (string)$wave]),
	'cmulti' => fn() => $floor(['multi', $url, (string)(4 * $n), (string)$c]),
	'phpmulti' => function () use ($url, $n, $c) {
		$t = hrtime(true);
		$ok = curl_multi_raw($url, $n, $c);
		return $ok === $n ? $n / ((hrtime(true) - $t) / 1e9) : 0.0;
	},
	'mih' => function () use ($dir, $n, $c, $durability) {
		[$rate, $r] = bench_drain_copy($dir, "$dir/queue.sqlite", $durability, ['concurrency' => $c]);
		return $r['delivered'] === $n ? $rate : 0.0;
	},
	'request' => function () use ($dir, $server, $nreq) {
		bench_store($dir, "$dir/request.sqlite", $server['url'], 'full');
		mih::request('bench', '/hook', BENCH_PAYLOAD);
		$t = hrtime(true);
		$ok = 0;
		for ($i = 0; $i < $nreq; $i++) {
			$ok += mih::request('bench', '/hook', BENCH_PAYLOAD)->success;
		}
		$rate = $nreq / ((hrtime(true) - $t) / 1e9);
		mih::flush_log();
		mih::use_sqlite("$dir/idle.sqlite");
		return $ok === $nreq ? $rate : 0.0;
	},
	'curl' => function () use ($url, $nreq) {
		$t = hrtime(true);
		$ok = curl_loop($url, $nreq);
		return $ok === $nreq ? $nreq / ((hrtime(true) - $t) / 1e9) : 0.0;
	},
];
$res = array_fill_keys(array_keys($engines), []);
for ($r = 0; $r < $runs; $r++) {
	foreach (rotated(array_keys($engines), $r) as $name) {
		$v = $engines[$name]();
		if ($v <= 0) {
			fwrite(STDERR, "floor: $name did not complete\n");
			nginx_stop($server);
			exit(1);
		}
		$res[$name][] = $v;
		$p(sprintf('run %d: %s %s', $r + 1, $name, fmt($v, $name === 'store' ? 1 : 0)));
	}
}
nginx_stop($server);
bench_rmtree($dir);

/* The drain limit of one run: a delivery costs at least the store floor plus one multi request. */
$limit = array_map(fn($us, $rps) => 1e6 / ($us + 1e6 / $rps), $res['store'], $res['cmulti']);
$missed = [];
$out = [];
$out[] = '## Limits of a drain on this machine (bench/floor)';
$out[] = '';
$out[] = "The C program `bench/floor/floor` (no PHP) measures the **store floor** — claim, delete and log row for a wave of $wave tasks in two fsynced SQLite transactions (WAL, synchronous=FULL, i.e. `mih.store_durability = full`), one `UPDATE ... RETURNING` claiming the wave — and **raw libcurl multi** ($c POSTs in flight, kept-alive, handles reused, " . (4 * $n) . " requests). Against the same private nginx (`return 204;`, one worker) in the same run: `mih::run_queue(['concurrency' => $c])` draining $n tasks with durability $durability" . ($held ? ' (the default)' : ' (BENCH_FLOOR_DURABILITY; the default is full, which the targets are for)') . ", raw PHP `curl_multi` (ext/curl, $c handles reused, $n requests), and $nreq sequential `mih::request()` calls (durability full, log rows buffered) against a reused `curl_exec` handle.";
$out[] = '';
$out[] = "Figures: median over $runs runs, engines interleaved in a rotating order; ratios are medians of per-run ratios.";
$out[] = '';
$out[] = '| figure | median | slowest – fastest run |';
$out[] = '| --- | ---: | --- |';
$us = fn(array $v) => sprintf('| %%s | %s µs | %s – %s µs |', fmt(median($v), 1), fmt(max($v), 1), fmt(min($v), 1));
$out[] = sprintf($us($res['store']), "store floor per delivery (wave of $wave, durability full)");
$out[] = rate_row("raw libcurl multi, requests/s ($c in flight)", $res['cmulti']);
$out[] = rate_row('drain limit, deliveries/s (1 / (store floor + 1 multi request))', $limit);
$out[] = rate_row("raw PHP curl_multi, requests/s ($c in flight)", $res['phpmulti']);
$out[] = rate_row("mih::run_queue, durability $durability, deliveries/s", $res['mih']);
$out[] = rate_row('mih::request, sequential calls/s', $res['request']);
$out[] = rate_row('curl_exec loop, sequential requests/s', $res['curl']);
$out[] = '';
$out[] = '| ratio (same run) | median | slowest – fastest run | target |';
$out[] = '| --- | ---: | --- | --- |';
$out[] = ratio_row('mih drain / drain limit', $res['mih'], $limit, null, $missed, 'floor', true);
$out[] = ratio_row($held ? 'mih drain / raw PHP curl_multi' : "mih drain (durability $durability) / raw PHP curl_multi",
	$res['mih'], $res['phpmulti'], $held ? TARGET_DRAIN_VS_MULTI : null, $missed, 'floor', true);
$out[] = ratio_row('raw PHP curl_multi / raw libcurl multi', $res['phpmulti'], $res['cmulti'], null, $missed, 'floor', true);
$out[] = ratio_row('mih::request / curl_exec', $res['request'], $res['curl'], TARGET_REQUEST_VS_CURL, $missed, 'floor');
$out[] = '';
$out[] = sprintf('Per delivery (medians): mih drain %.1f µs = store floor %.1f µs + libcurl multi %.1f µs + %.1f µs of mih\'s own work; raw PHP curl_multi %.1f µs.',
	1e6 / median($res['mih']), median($res['store']), 1e6 / median($res['cmulti']),
	1e6 / median($res['mih']) - median($res['store']) - 1e6 / median($res['cmulti']), 1e6 / median($res['phpmulti']));
bench_finish($out, $missed, __DIR__);
