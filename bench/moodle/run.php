<?php
/*
 * The Moodle scenario of issue 16: mih over Moodle's $DB on PostgreSQL 15 — the $DB stand-in of the
 * tests (tests/moodle_db.inc, tests/moodle_db_server.inc: Moodle's DML contract over PDO, its
 * statement counters perf_get_queries()) on a private server started by bench/moodle/pgsql.sh —
 * reporting statements and time per operation:
 *   - mih::request() to an instant keep-alive receiver, against a raw curl_exec loop;
 *   - mih::emit() of an event with one matching rule inside the caller's transaction, and of an
 *     event no rule matches;
 *   - the drain by mih::run_queue() (concurrency 16) of an instant receiver and of a 50 ms one.
 * Statement counts are deterministic (the tests assert them, tests/dbstore/query_counts.phpt); the
 * times are this machine's. PostgreSQL runs with fsync off (scripts/dbservers.sh): the figures are
 * the CPU and round-trip cost, not the disk's.
 *
 *   php -d extension=modules/mih.so bench/moodle/run.php      (starts PostgreSQL itself)
 *
 * BENCH_RUNS (5), BENCH_MOODLE_CALLS (500), BENCH_MOODLE_TASKS (2000), BENCH_MOODLE_SLOW_TASKS (480).
 */

use local_integrationhub\mih;

if (getenv('MIH_TEST_PGSQL') === false) {
	/* Again, under a private PostgreSQL server. */
	$cmd = array_merge(['sh', __DIR__ . '/pgsql.sh', PHP_BINARY], php_ini_loaded_file() === false ? ['-n'] : []);
	foreach (['curl', 'posix', 'pdo', 'pdo_sqlite', 'pdo_pgsql'] as $ext) {
		if (php_ini_loaded_file() === false && extension_loaded($ext)) {
			array_push($cmd, '-d', "extension=$ext");
		}
	}
	foreach (ini_get_all('mih', false) as $name => $value) {
		array_push($cmd, '-d', "$name=$value");
	}
	/* bench/run.sh names the copy of mih.so it runs in MIH_SO. */
	if (getenv('MIH_SO')) {
		array_push($cmd, '-d', 'extension=' . getenv('MIH_SO'));
	}
	$cmd[] = __FILE__;
	$proc = proc_open($cmd, [0 => STDIN, 1 => STDOUT, 2 => STDERR], $pipes);
	exit($proc ? proc_close($proc) : 1);
}

require __DIR__ . '/../lib/common.php';
require __DIR__ . '/../lib/clients.php';
require __DIR__ . '/../../tests/moodle_db.inc';
require __DIR__ . '/../../tests/moodle_db_server.inc';

const TARGET_REQUEST_QUERIES = 0.0;
const TARGET_EMIT_QUERIES = 1.0;
const TARGET_DRAIN_QUERIES = 0.2;
const TARGET_SLOW_SHARE = 0.9;

$runs = bench_env_int('BENCH_RUNS', 5);
$calls = bench_env_int('BENCH_MOODLE_CALLS', 500);
$tasks = bench_env_int('BENCH_MOODLE_TASKS', 2000);
$slowtasks = bench_env_int('BENCH_MOODLE_SLOW_TASKS', 480);
$c = 16;
$p = fn(string $line) => bench_progress('moodle', $line);

$dir = bench_tmpdir('moodle');
$fast = nginx_start($dir . '/fast');
$slow = nginx_start($dir . '/slow', 0.05);
bench_private_breaker_table();
$DB = new mih_test_moodle_pgsql_db("$dir/site");
mih::use_db($DB);
mih::save_service(['name' => 'bench', 'base_url' => $fast['url'], 'timeout' => 10, 'max_retries' => 0]);
mih::save_service(['name' => 'slow', 'base_url' => $slow['url'], 'timeout' => 10, 'max_retries' => 0]);
mih::save_rule(['eventname' => '\core\event\user_loggedin', 'service' => 'bench', 'endpoint' => '/hook',
	'payload_template' => '{"user": {{userid}}, "name": "{{other.username}}"}']);
$event = BENCH_PAYLOAD;
$q = fn() => $DB->perf_get_queries();
$queue = $DB->get_prefix() . 'local_integrationhub_queue';
$empty = fn() => $DB->raw_pdo()->exec("DELETE FROM $queue");

/* Each returns [seconds, statements] for its whole batch. */
$ops = [
	'request' => function () use ($calls, $q) {
		mih::request('bench', '/hook', BENCH_PAYLOAD);
		mih::flush_log();
		$s0 = $q();
		$t = hrtime(true);
		for ($i = 0; $i < $calls; $i++) {
			mih::request('bench', '/hook', BENCH_PAYLOAD);
		}
		mih::flush_log();   /* what the request's end writes: counted, and timed */
		return [(hrtime(true) - $t) / 1e9, $q() - $s0, $calls];
	},
	'curl' => function () use ($calls, $fast) {
		$t = hrtime(true);
		$ok = curl_loop($fast['url'] . '/hook', $calls);
		return [(hrtime(true) - $t) / 1e9, 0, $ok];
	},
	'emit' => function () use ($calls, $q, $DB, $event, $empty) {
		$empty();
		mih::emit('\core\event\user_loggedin', $event);
		$tx = $DB->start_delegated_transaction();   /* the user's request, already in a transaction */
		$s0 = $q();
		$t = hrtime(true);
		for ($i = 0; $i < $calls; $i++) {
			mih::emit('\core\event\user_loggedin', $event);
		}
		$seconds = (hrtime(true) - $t) / 1e9;
		$n = $q() - $s0;
		$tx->allow_commit();
		$empty();
		return [$seconds, $n, $calls];
	},
	'norule' => function () use ($calls, $q, $event) {
		$s0 = $q();
		$t = hrtime(true);
		for ($i = 0; $i < $calls; $i++) {
			mih::emit('\core\event\course_viewed', $event);
		}
		return [(hrtime(true) - $t) / 1e9, $q() - $s0, $calls];
	},
	'drain' => function () use ($tasks, $q, $c, $empty) {
		$empty();
		for ($i = 0; $i < $tasks; $i++) {
			mih::enqueue('bench', '/hook', BENCH_PAYLOAD);
		}
		$s0 = $q();
		$t = hrtime(true);
		$r = mih::run_queue(['concurrency' => $c]);
		return [(hrtime(true) - $t) / 1e9, $q() - $s0, $r['delivered'] === $tasks ? $tasks : 0];
	},
	'slow' => function () use ($slowtasks, $q, $c, $empty) {
		$empty();
		for ($i = 0; $i < $slowtasks; $i++) {
			mih::enqueue('slow', '/hook', BENCH_PAYLOAD);
		}
		$s0 = $q();
		$t = hrtime(true);
		$r = mih::run_queue(['concurrency' => $c]);
		return [(hrtime(true) - $t) / 1e9, $q() - $s0, $r['delivered'] === $slowtasks ? $slowtasks : 0];
	},
];
$res = array_fill_keys(array_keys($ops), []);
for ($r = 0; $r < $runs; $r++) {
	foreach (rotated(array_keys($ops), $r) as $name) {
		[$seconds, $statements, $done] = $ops[$name]();
		if ($done <= 0) {
			fwrite(STDERR, "moodle: $name did not complete\n");
			exit(1);
		}
		$res[$name][] = ['seconds' => $seconds, 'per' => $seconds / $done, 'queries' => $statements / $done,
			'rate' => $done / $seconds];
		$p(sprintf('run %d: %s %.4f ms/op, %.3f statements/op', $r + 1, $name, 1e3 * $seconds / $done, $statements / $done));
	}
}
nginx_stop($fast);
nginx_stop($slow);
$DB->drop_tables();
bench_rmtree($dir);

$col = fn(string $name, string $key) => array_column($res[$name], $key);
$ms = fn(string $name) => 1e3 * median($col($name, 'per'));
$qs = fn(string $name) => median($col($name, 'queries'));
$missed = [];
$verdict = function (bool $met, string $target, string $what) use (&$missed) {
	if (!$met) {
		$missed[] = "moodle, $what: target $target";
	}
	return $met ? "met ($target)" : "**missed** ($target)";
};
$pg = trim((string)shell_exec("dpkg-query -W -f='\${Version}' postgresql-15"));
$out = [];
$out[] = '## Moodle $DB on PostgreSQL (bench/moodle)';
$out[] = '';
$out[] = "mih bound with `mih::use_db(\$DB)` to the tests' \$DB stand-in (Moodle's DML contract over PDO, statements counted like `moodle_database::perf_get_queries()`: BEGIN and COMMIT count as reads) on a private PostgreSQL $pg (fsync off) on 127.0.0.1; receivers: Debian's nginx (`return 204;`, and `echo_sleep 0.05` for the 50 ms one). $calls calls or events per run, $tasks tasks per instant drain, $slowtasks per 50 ms drain, concurrency $c (`per_service` left at its default: the concurrency). Median over $runs runs, operations interleaved in a rotating order.";
$out[] = '';
$out[] = '| operation | time per operation | statements per operation | target |';
$out[] = '| --- | ---: | ---: | --- |';
/* The contract: no statement per call; the buffered log rows in one INSERT per mih.log_flush_rows
 * calls and at the end (the flush counted here); the log's prune (BEGIN, DELETE, COMMIT) once per
 * 500 rows written; one read of the store's version when a run outlasts mih.rules_ttl. */
$flushrows = (int)ini_get('mih.log_flush_rows');
$allowed = (ceil($calls / $flushrows) + 1 + 3 * ceil($calls / 500) + 1) / $calls;
$out[] = sprintf('| `mih::request`, instant keep-alive receiver (the buffered log rows written at the end included) | %.3f ms | %.3f | %s |',
	$ms('request'), $qs('request'), $verdict($qs('request') <= $allowed + 1e-9,
	sprintf('≤ %.3f: none per call; 1 INSERT per %d calls (mih.log_flush_rows) and at the end, the log prune per 500 rows', $allowed, $flushrows),
	'request statements'));
$out[] = sprintf('| raw `curl_exec` loop, same receiver | %.3f ms | – | mih − curl_exec = %.3f ms %s |', $ms('curl'),
	$ms('request') - $ms('curl'), $verdict($ms('request') - $ms('curl') <= 0.05, '≤ 0.05 ms', 'request time over curl_exec'));
$out[] = sprintf('| `mih::emit`, one matching rule, inside the caller\'s transaction | %.3f ms | %.3f | %s; %s |', $ms('emit'),
	$qs('emit'), $verdict(abs($qs('emit') - 1) < 1e-9, '1 statement', 'emit statements'),
	$verdict($ms('emit') <= 0.15, '≤ 0.15 ms', 'emit time'));
$out[] = sprintf('| `mih::emit`, no rule | %.4f ms | %.3f | %s |', $ms('norule'), $qs('norule'),
	$verdict($qs('norule') == 0, '0 statements', 'no-rule emit statements'));
$out[] = sprintf('| drain, instant receiver | %s tasks/s | %.3f per task | %s; %s |', fmt(median($col('drain', 'rate'))),
	$qs('drain'), $verdict(median($col('drain', 'rate')) >= 10000, '≥ 10,000 tasks/s', 'drain rate'),
	$verdict($qs('drain') <= TARGET_DRAIN_QUERIES, '≤ 0.2 per task', 'drain statements'));
$limit = $c / 0.05;
$out[] = sprintf('| drain, 50 ms receiver | %s tasks/s (%.0f%% of concurrency / latency = %s) | %.3f per task | %s |',
	fmt(median($col('slow', 'rate'))), 100 * median($col('slow', 'rate')) / $limit, fmt($limit), $qs('slow'),
	$verdict(median($col('slow', 'rate')) >= TARGET_SLOW_SHARE * $limit, '≥ 90% of concurrency / latency', 'slow drain'));
bench_finish($out, $missed, __DIR__);
