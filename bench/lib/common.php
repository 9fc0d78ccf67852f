<?php
/*
 * Shared helpers of the HTTP and queue benchmarks (bench/drain, bench/drain_slow, bench/request,
 * bench/emit, bench/memory): a private nginx on 127.0.0.1, a fresh SQLite store, statistics and
 * markdown rows. Not a benchmark itself (bench/run.sh only runs directories with a run.php).
 */

use local_integrationhub\mih;

const NGINX = '/usr/sbin/nginx';
const NGINX_ECHO_MODULE = '/usr/lib/nginx/modules/ngx_http_echo_module.so';
const WRK = '/usr/bin/wrk';
const GUZZLE_AUTOLOAD = '/usr/share/php/GuzzleHttp/autoload.php';

/* The body every benchmark sends: a Moodle-event-sized JSON document (~300 bytes). */
const BENCH_PAYLOAD = [
	'eventname' => '\\core\\event\\user_loggedin',
	'component' => 'core',
	'action' => 'loggedin',
	'target' => 'user',
	'crud' => 'r',
	'objectid' => 1234,
	'userid' => 1234,
	'relateduserid' => null,
	'courseid' => 0,
	'contextinstanceid' => 1234,
	'timecreated' => 1732540000,
	'other' => ['username' => 'student42'],
];

function bench_progress(string $bench, string $line): void
{
	fwrite(STDERR, "   $bench: $line\n");
}

function bench_env_int(string $name, int $default): int
{
	$v = getenv($name);
	return $v === false || $v === '' ? $default : (int)$v;
}

function bench_tmpdir(string $bench): string
{
	$dir = sys_get_temp_dir() . "/mih-bench-$bench-" . getmypid() . '-' . bin2hex(random_bytes(3));
	if (!mkdir($dir, 0755)) {
		fwrite(STDERR, "cannot create $dir\n");
		exit(1);
	}
	return $dir;
}

function bench_rmtree(string $dir): void
{
	if (!is_dir($dir)) {
		return;
	}
	foreach (new RecursiveIteratorIterator(new RecursiveDirectoryIterator($dir, FilesystemIterator::SKIP_DOTS),
		RecursiveIteratorIterator::CHILD_FIRST) as $f) {
		$f->isDir() && !$f->isLink() ? rmdir($f->getPathname()) : unlink($f->getPathname());
	}
	rmdir($dir);
}

/* A port the kernel has just handed out (closed again before nginx binds it). */
function bench_free_port(): int
{
	$s = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
	if (!$s) {
		fwrite(STDERR, "cannot find a free port: $errstr\n");
		exit(1);
	}
	$port = (int)substr(strrchr(stream_socket_get_name($s, false), ':'), 1);
	fclose($s);
	return $port;
}

/*
 * Starts Debian's nginx with a private prefix, config and logs in $dir, one worker process,
 * listening on 127.0.0.1 only. $delay 0: every request answers 204 at once (`return 204`);
 * $delay > 0: the echo module sleeps that long (`echo_sleep`), then answers 204. Keep-alive
 * is unbounded so that no client pays for reconnections. Returns the handle for nginx_stop().
 */
function nginx_start(string $dir, float $delay = 0.0, int $workers = 1): array
{
	$prefix = "$dir/nginx";
	@mkdir($prefix, 0755, true);
	$port = bench_free_port();
	$load = $delay > 0 ? 'load_module ' . NGINX_ECHO_MODULE . ';' : '';
	$location = $delay > 0
		? sprintf('echo_sleep %.3f; echo_status 204;', $delay)
		: 'return 204;';
	$user = posix_geteuid() === 0 ? 'user nobody nogroup;' : '';
	$conf = <<<CONF
		$load
		$user
		worker_processes $workers;
		pid $prefix/nginx.pid;
		error_log $prefix/error.log warn;
		events { worker_connections 4096; }
		http {
			access_log off;
			client_body_temp_path $prefix/body;
			proxy_temp_path $prefix/proxy;
			fastcgi_temp_path $prefix/fastcgi;
			uwsgi_temp_path $prefix/uwsgi;
			scgi_temp_path $prefix/scgi;
			keepalive_requests 100000000;
			keepalive_timeout 300s;
			client_body_buffer_size 64k;
			server {
				listen 127.0.0.1:$port backlog=4096;
				location / { $location }
			}
		}
		CONF;
	file_put_contents("$prefix/nginx.conf", $conf);
	$cmd = [NGINX, '-p', $prefix, '-c', "$prefix/nginx.conf", '-e', "$prefix/error.log", '-g', 'daemon off;'];
	$proc = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['file', "$prefix/stdout", 'w'],
		2 => ['file', "$prefix/stderr", 'w']], $pipes);
	if (!$proc) {
		fwrite(STDERR, "cannot start nginx\n");
		exit(1);
	}
	$server = ['proc' => $proc, 'port' => $port, 'prefix' => $prefix, 'url' => "http://127.0.0.1:$port"];
	for ($i = 0; $i < 200; $i++) {
		$c = @stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 0.1);
		if ($c) {
			fclose($c);
			return $server;
		}
		if (!proc_get_status($proc)['running']) {
			break;
		}
		usleep(25000);
	}
	fwrite(STDERR, "nginx did not start:\n" . @file_get_contents("$prefix/stderr") . @file_get_contents("$prefix/error.log"));
	nginx_stop($server);
	exit(1);
}

/* Stops our own nginx by its process id (SIGQUIT: graceful; SIGTERM after a second). */
function nginx_stop(array $server): void
{
	$status = proc_get_status($server['proc']);
	if ($status['running']) {
		posix_kill($status['pid'], SIGQUIT);
		for ($i = 0; $i < 40 && proc_get_status($server['proc'])['running']; $i++) {
			usleep(25000);
		}
		if (proc_get_status($server['proc'])['running']) {
			posix_kill($status['pid'], SIGTERM);
		}
	}
	proc_close($server['proc']);
}

/*
 * A fresh SQLite store at $path with one service "bench" pointing at $url. Every figure reports
 * the durability it was measured with. Breaker state should go to a private table so that other
 * users of the host's default table are not touched: mih.shm_path is PHP_INI_SYSTEM, so
 * bench/run.sh passes it with -d (bench_private_breaker_table() says when it is missing).
 */
function bench_store(string $dir, string $path, string $url, string $durability, array $extra = []): void
{
	bench_private_breaker_table();
	ini_set('mih.store_durability', $durability);
	mih::use_sqlite($path);
	mih::save_service(array_merge([
		'name' => 'bench',
		'base_url' => $url,
		'method' => 'POST',
		'timeout' => 10,
		'max_retries' => 0,
		'max_attempts' => 5,
	], $extra));
}

/* Says so when this run shares the host's default breaker table. */
function bench_private_breaker_table(): void
{
	if ((string)ini_get('mih.shm_path') === '') {
		fwrite(STDERR, "note: mih.shm_path is not set, so breaker state goes to the host's default table "
			. "(bench/run.sh passes -d mih.shm_path=<its work dir>/breaker.shm)\n");
	}
}

function median(array $values): float
{
	sort($values);
	$n = count($values);
	return $n % 2 ? $values[intdiv($n, 2)] : ($values[$n / 2 - 1] + $values[$n / 2]) / 2;
}

function per_run_ratios(array $a, array $b): array
{
	return array_map(fn($x, $y) => $x / $y, $a, $b);
}

function fmt(float $v, int $decimals = 0): string
{
	return number_format($v, $decimals, '.', ',');
}

/* Rotates the order of $names by run number, so that drift of a shared machine hits every
 * engine alike. */
function rotated(array $names, int $run): array
{
	$k = $run % count($names);
	return array_merge(array_slice($names, $k), array_slice($names, 0, $k));
}

/* "| label | median | slowest – fastest |" for a list of per-run rates. */
function rate_row(string $label, array $rates, string $extra = ''): string
{
	return sprintf('| %s | %s | %s – %s |%s', $label, fmt(median($rates)), fmt(min($rates)), fmt(max($rates)),
		$extra === '' ? '' : " $extra |");
}

/*
 * A ratio row: median over runs of a/b measured in the same run, with the verdict against
 * $target (a minimum ratio); a miss is recorded in $missed with how far short it is.
 */
function ratio_row(string $label, array $a, array $b, ?float $target, array &$missed, string $scenario,
	bool $percent = false): string
{
	$ratios = per_run_ratios($a, $b);
	$m = median($ratios);
	$show = fn(float $r) => $percent ? sprintf('%.0f%%', 100 * $r) : sprintf('%.2fx', $r);
	$verdict = '';
	if ($target !== null) {
		if ($m >= $target) {
			$verdict = 'met (target ≥ ' . $show($target) . ')';
		} else {
			$verdict = sprintf('**missed** (target ≥ %s: %.0f%% short)', $show($target), 100 * (1 - $m / $target));
			$missed[] = sprintf('%s, %s: %s, target ≥ %s', $scenario, $label, $show($m), $show($target));
		}
	}
	return sprintf('| %s | %s | %s – %s | %s |', $label, $show($m), $show(min($ratios)), $show(max($ratios)), $verdict);
}

/* VmRSS and VmHWM of this process, in KiB. */
function bench_rss(): array
{
	$status = (string)file_get_contents('/proc/self/status');
	preg_match('/^VmRSS:\s+(\d+)/m', $status, $rss);
	preg_match('/^VmHWM:\s+(\d+)/m', $status, $hwm);
	return ['rss' => (int)($rss[1] ?? 0), 'hwm' => (int)($hwm[1] ?? 0)];
}

/*
 * Enqueues $n tasks for service "bench" into a new store at $path (durability normal: the
 * queue is only built here, not measured), then closes it, so that copies of the file are
 * complete queues: each timed drain starts from an identical copy without paying for the
 * enqueue again.
 */
function bench_queue_template(string $dir, string $path, string $url, int $n): void
{
	bench_store($dir, $path, $url, 'normal');
	for ($i = 0; $i < $n; $i++) {
		mih::enqueue('bench', '/hook', BENCH_PAYLOAD);
	}
	/* Switching stores closes this connection: SQLite checkpoints the WAL into the file. */
	mih::use_sqlite("$dir/idle.sqlite");
	foreach (['-wal', '-shm'] as $suffix) {
		if (is_file($path . $suffix) && filesize($path . $suffix) > 0) {
			fwrite(STDERR, "the queue template $path was not checkpointed\n");
			exit(1);
		}
	}
}

/*
 * Drains a fresh copy of the queue template with run_queue($options) under $durability;
 * returns [deliveries/s of the drain alone, run_queue's result].
 */
function bench_drain_copy(string $dir, string $template, string $durability, array $options): array
{
	$path = "$dir/run.sqlite";
	foreach (['', '-wal', '-shm'] as $suffix) {
		@unlink($path . $suffix);
	}
	copy($template, $path);
	ini_set('mih.store_durability', $durability);
	mih::use_sqlite($path);
	mih::reset_circuits();
	$start = hrtime(true);
	$result = mih::run_queue($options);
	$seconds = (hrtime(true) - $start) / 1e9;
	mih::use_sqlite("$dir/idle.sqlite");
	return [$result['delivered'] / $seconds, $result];
}

/**
 * Prints a scenario's report and exits: the lines of $out, then the targets it missed with the
 * scenario's ANALYSIS.md (in $dir, unless null) when there is one. Exit status 3 when a target was missed.
 */
function bench_finish(array $out, array $missed, ?string $dir): never
{
	if ($missed) {
		$out[] = '';
		$out[] = '### Targets missed';
		$out[] = '';
		foreach ($missed as $m) {
			$out[] = "- $m";
		}
		$analysis = $dir === null ? null : $dir . '/ANALYSIS.md';
		if ($analysis !== null && is_file($analysis)) {
			$out[] = '';
			$out[] = trim(file_get_contents($analysis));
		}
	}
	echo implode("\n", $out), "\n";
	exit($missed ? 3 : 0);
}
