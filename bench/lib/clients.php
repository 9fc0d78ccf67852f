<?php
/*
 * The baselines that send the same requests as mih's worker: one POST of BENCH_PAYLOAD's JSON
 * per request, with the headers mih sends (Content-Type, Accept, User-Agent and a fresh
 * Idempotency-Key), over kept-alive connections. Each returns the number of 2xx answers.
 */

function bench_body(): string
{
	return json_encode(BENCH_PAYLOAD, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
}

function bench_headers(int $i): array
{
	return [
		'Content-Type' => 'application/json',
		'Accept' => 'application/json',
		'User-Agent' => 'bench/1.0',
		'Idempotency-Key' => sprintf('msg_bench%016d', $i),
	];
}

function bench_curl_header_lines(int $i): array
{
	$lines = [];
	foreach (bench_headers($i) as $k => $v) {
		$lines[] = "$k: $v";
	}
	return $lines;
}

/* The original plugin's strategy: one request at a time, curl_exec on a reused handle. */
function curl_loop(string $url, int $n): int
{
	$body = bench_body();
	$ch = curl_init($url);
	curl_setopt_array($ch, [
		CURLOPT_POST => true,
		CURLOPT_RETURNTRANSFER => true,
		CURLOPT_TIMEOUT => 10,
	]);
	$ok = 0;
	for ($i = 0; $i < $n; $i++) {
		curl_setopt($ch, CURLOPT_HTTPHEADER, bench_curl_header_lines($i));
		curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
		curl_exec($ch);
		$code = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
		$ok += $code >= 200 && $code < 300;
	}
	curl_close($ch);
	return $ok;
}

function guzzle_load(): void
{
	static $loaded = false;
	if (!$loaded) {
		/* Debian's Guzzle 7.4.5 creates dynamic properties, which PHP 8.2
		 * reports as deprecated on stdout: the notices ended up in RESULTS.md. */
		error_reporting(error_reporting() & ~E_DEPRECATED);
		require_once GUZZLE_AUTOLOAD;
		$loaded = true;
	}
}

/* Guzzle's Pool (curl_multi underneath) with $concurrency requests in flight. */
function guzzle_pool(string $url, int $n, int $concurrency): int
{
	guzzle_load();
	$client = new \GuzzleHttp\Client(['http_errors' => false, 'timeout' => 10]);
	$body = bench_body();
	$requests = function () use ($url, $n, $body) {
		for ($i = 0; $i < $n; $i++) {
			yield new \GuzzleHttp\Psr7\Request('POST', $url, bench_headers($i), $body);
		}
	};
	$ok = 0;
	$pool = new \GuzzleHttp\Pool($client, $requests(), [
		'concurrency' => $concurrency,
		'fulfilled' => function ($response) use (&$ok) {
			$code = $response->getStatusCode();
			$ok += $code >= 200 && $code < 300;
		},
	]);
	$pool->promise()->wait();
	return $ok;
}

/* wrk with $connections connections on one thread for $seconds: requests/s, or 0 on failure. */
function wrk_rate(string $dir, string $url, int $connections, float $seconds): float
{
	$script = "$dir/post.lua";
	if (!is_file($script)) {
		$lua = "wrk.method = \"POST\"\nwrk.body = " . json_encode(bench_body(), JSON_UNESCAPED_SLASHES) . "\n";
		foreach (bench_headers(0) as $k => $v) {
			$lua .= sprintf("wrk.headers[%s] = %s\n", json_encode($k), json_encode($v));
		}
		file_put_contents($script, $lua);
	}
	$cmd = sprintf('%s -t1 -c%d -d%ds -s %s %s 2>&1', WRK, $connections, (int)ceil($seconds),
		escapeshellarg($script), escapeshellarg($url));
	$out = (string)shell_exec($cmd);
	if (!preg_match('/Requests\/sec:\s+([\d.]+)/', $out, $m) || preg_match('/Non-2xx/', $out)) {
		fwrite(STDERR, "wrk failed:\n$out");
		return 0.0;
	}
	return (float)$m[1];
}

/* Raw PHP curl_multi: $concurrency easy handles reused, each re-added as soon as it finishes (what
 * a hand-written PHP drain without persistence would do). */
function curl_multi_raw(string $url, int $n, int $concurrency): int
{
	$body = bench_body();
	$mh = curl_multi_init();
	curl_multi_setopt($mh, CURLMOPT_MAXCONNECTS, $concurrency);
	$idle = [];
	for ($i = 0; $i < $concurrency; $i++) {
		$ch = curl_init($url);
		curl_setopt_array($ch, [CURLOPT_POST => true, CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 10,
			CURLOPT_POSTFIELDS => $body]);
		$idle[] = $ch;
	}
	$started = $done = $ok = 0;
	while ($done < $n) {
		while ($idle && $started < $n) {
			$ch = array_pop($idle);
			curl_setopt($ch, CURLOPT_HTTPHEADER, bench_curl_header_lines($started));
			curl_multi_add_handle($mh, $ch);
			$started++;
		}
		curl_multi_exec($mh, $running);
		while ($info = curl_multi_info_read($mh)) {
			$ch = $info['handle'];
			$code = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
			$ok += $info['result'] === CURLE_OK && $code >= 200 && $code < 300;
			curl_multi_remove_handle($mh, $ch);
			$idle[] = $ch;
			$done++;
		}
		if ($running) {
			curl_multi_select($mh, 0.1);
		}
	}
	foreach ($idle as $ch) {
		curl_close($ch);
	}
	curl_multi_close($mh);
	return $ok;
}
