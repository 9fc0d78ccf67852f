<?php
/*
 * Enqueue throughput of the event bridge (scenario 4 of issue 7): mih::emit events/s with 3
 * matching rules (3 tasks per event), into the embedded SQLite store with durability full and
 * normal, and through mih::use_db over a Moodle-style $DB, one event per transaction and
 * batches of events inside one delegated transaction. Prints a markdown section on stdout,
 * progress on stderr.
 *
 *   php -d extension=modules/mih.so bench/emit/run.php
 *
 * BENCH_RUNS (5), BENCH_EMIT_FULL (300 events per run), BENCH_EMIT_NORMAL (3000),
 * BENCH_EMIT_DB (300), BENCH_EMIT_BATCHED (3000), BENCH_EMIT_BATCH (100 events per transaction).
 */

use local_integrationhub\mih;

require __DIR__ . '/../lib/common.php';
require __DIR__ . '/../../tests/moodle_db.inc';

const EVENT = '\\core\\event\\user_loggedin';
const RULE_TEMPLATES = [
	'{"text": "User {{other.username}} ({{userid}}) logged in", "time": {{timecreated}}}',
	'{"event": "{{eventname}}", "user": {{userid}}, "context": {{contextinstanceid}}, "data": {{other}}}',
	'{"audit": {"who": {{userid}}, "what": "{{action}}", "on": "{{target}}", "crud": "{{crud}}"}}',
];

$runs = bench_env_int('BENCH_RUNS', 5);
$counts = [
	'full' => bench_env_int('BENCH_EMIT_FULL', 300),
	'normal' => bench_env_int('BENCH_EMIT_NORMAL', 3000),
	'db' => bench_env_int('BENCH_EMIT_DB', 300),
	'batched' => bench_env_int('BENCH_EMIT_BATCHED', 3000),
];
$batch = bench_env_int('BENCH_EMIT_BATCH', 100);
$dir = bench_tmpdir('emit');
$p = fn(string $line) => bench_progress('emit', $line);
$url = 'http://127.0.0.1:9';      /* nothing is sent: emit only queues */

function add_service_and_rules(string $url): void
{
	mih::save_service(['name' => 'bench', 'base_url' => $url]);
	foreach (RULE_TEMPLATES as $k => $template) {
		mih::save_rule(['eventname' => EVENT, 'service' => 'bench', 'endpoint' => "/hook/$k",
			'method' => 'POST', 'payload_template' => $template, 'enabled' => true]);
	}
}

/* A template SQLite store holding the service and the 3 rules; every run copies it. */
bench_private_breaker_table();
ini_set('mih.store_durability', 'normal');
mih::use_sqlite("$dir/template.sqlite");
add_service_and_rules($url);
mih::use_sqlite("$dir/idle.sqlite");

function fresh_sqlite(string $dir, string $durability): void
{
	$path = "$dir/run.sqlite";
	mih::use_sqlite("$dir/idle.sqlite");
	foreach (['', '-wal', '-shm'] as $suffix) {
		@unlink($path . $suffix);
	}
	copy("$dir/template.sqlite", $path);
	ini_set('mih.store_durability', $durability);
	mih::use_sqlite($path);
}

function fresh_db(string $dir, string $url): mih_test_moodle_db
{
	$path = "$dir/moodle.sqlite";
	mih::use_sqlite("$dir/idle.sqlite");
	foreach (['', '-wal', '-shm'] as $suffix) {
		@unlink($path . $suffix);
	}
	$db = new mih_test_moodle_db($path);
	mih::use_db($db);
	add_service_and_rules($url);
	return $db;
}

function event_data(int $i): array
{
	$e = BENCH_PAYLOAD;
	$e['objectid'] = $e['userid'] = $i;
	$e['other'] = ['username' => "student$i"];
	return $e;
}

/* Emits $n events after one untimed emit (which loads the rule cache); events/s. */
function timed_emits(int $n, ?mih_test_moodle_db $db = null, int $batch = 0): float
{
	$ids = mih::emit(EVENT, event_data(0));
	if (count($ids) !== count(RULE_TEMPLATES)) {
		fwrite(STDERR, 'emit: expected ' . count(RULE_TEMPLATES) . ' tasks per event, got ' . count($ids) . "\n");
		exit(1);
	}
	$t = hrtime(true);
	if ($batch > 0) {
		for ($i = 1; $i <= $n; $i += $batch) {
			$tx = $db->start_delegated_transaction();
			for ($j = $i; $j < $i + $batch && $j <= $n; $j++) {
				mih::emit(EVENT, event_data($j));
			}
			$tx->allow_commit();
		}
	} else {
		for ($i = 1; $i <= $n; $i++) {
			mih::emit(EVENT, event_data($i));
		}
	}
	$rate = $n / ((hrtime(true) - $t) / 1e9);
	$pending = mih::stats()['bench']['queue']['pending'] ?? -1;
	if ($pending !== ($n + 1) * count(RULE_TEMPLATES)) {
		fwrite(STDERR, "emit: expected " . (($n + 1) * count(RULE_TEMPLATES)) . " queued tasks, found $pending\n");
		exit(1);
	}
	return $rate;
}

$engines = [
	'full' => function () use ($dir, $counts) {
		fresh_sqlite($dir, 'full');
		return timed_emits($counts['full']);
	},
	'normal' => function () use ($dir, $counts) {
		fresh_sqlite($dir, 'normal');
		return timed_emits($counts['normal']);
	},
	'db' => function () use ($dir, $url, $counts) {
		return timed_emits($counts['db'], fresh_db($dir, $url));
	},
	'batched' => function () use ($dir, $url, $counts, $batch) {
		return timed_emits($counts['batched'], fresh_db($dir, $url), $batch);
	},
];
$rates = array_fill_keys(array_keys($engines), []);
for ($r = 0; $r < $runs; $r++) {
	foreach (rotated(array_keys($engines), $r) as $name) {
		$rates[$name][] = $engines[$name]();
		$p(sprintf('run %d: %s %s events/s', $r + 1, $name, fmt(end($rates[$name]))));
	}
}
mih::use_sqlite("$dir/idle.sqlite");
bench_rmtree($dir);

$out = [];
$out[] = '## Enqueue: mih::emit with 3 matching rules (bench/emit)';
$out[] = '';
$out[] = 'Each event matches 3 enabled rules (3 different JSON payload templates over the event, `other` included as a JSON value), so each `mih::emit` renders 3 payloads and queues 3 tasks. Every timed series starts from a fresh store holding the service and the rules, after one untimed emit that loads the rule cache; the number of queued tasks is checked afterwards.';
$out[] = '';
$out[] = '- **SQLite store** (`mih::use_sqlite`): emit wraps its tasks in one transaction of its own, so one event is one commit; `mih.store_durability = full` (the default: fsync at every commit) and `normal` (no fsync at commit).';
$out[] = '- **Batches in one transaction**: the public API has no begin/commit for the embedded SQLite store, so N events in one transaction are impossible there; emit already batches the tasks of one event. A caller can batch only through `mih::use_db($DB)`, where an emit inside the caller\'s delegated transaction joins it (the outbox). Measured with `tests/moodle_db.inc`, the stand-in for Moodle\'s `$DB` used by the tests: PHP code over PDO SQLite (WAL, SQLite\'s default synchronous=FULL: an fsync per commit), with Moodle\'s delegated-transaction semantics and stricter checks than Moodle (PCRE JIT off). One event per delegated transaction (emit opens its own), and ' . $batch . " events per `\$DB->start_delegated_transaction()` … `allow_commit()`. Its cost is mostly the PHP stand-in's, not what Moodle's own drivers would cost; read it for the effect of batching.";
$out[] = '';
$out[] = "Figures: median over $runs runs, series interleaved in a rotating order; a ratio is the median of the per-run ratios.";
$out[] = '';
$out[] = '| series | events per run | median events/s | median tasks/s | slowest – fastest run (events/s) |';
$out[] = '| --- | ---: | ---: | ---: | --- |';
$labels = [
	'full' => 'SQLite, durability full, one event per transaction',
	'normal' => 'SQLite, durability normal, one event per transaction',
	'db' => '`use_db` stand-in, one event per delegated transaction',
	'batched' => "`use_db` stand-in, $batch events per delegated transaction",
];
foreach ($labels as $name => $label) {
	$out[] = sprintf('| %s | %s | %s | %s | %s – %s |', $label, fmt($counts[$name]), fmt(median($rates[$name])),
		fmt(3 * median($rates[$name])), fmt(min($rates[$name])), fmt(max($rates[$name])));
}
$out[] = '';
$missed = [];
$out[] = '| ratio (same run) | median | slowest – fastest run |';
$out[] = '| --- | ---: | --- |';
foreach ([['normal', 'full', 'SQLite: normal / full'], ['batched', 'db', "`use_db`: batches of $batch / one per transaction"],
	['full', 'db', 'SQLite full / `use_db` stand-in, one per transaction']] as [$a, $b, $label]) {
	$out[] = preg_replace('/ \|[^|]*\|$/', ' |', ratio_row($label, $rates[$a], $rates[$b], null, $missed, 'emit'));
}
$out[] = '';
$out[] = sprintf('Per event (medians): SQLite full %.0f µs, normal %.0f µs; `use_db` stand-in %.0f µs one per transaction, %.0f µs in batches of %d.',
	1e6 / median($rates['full']), 1e6 / median($rates['normal']), 1e6 / median($rates['db']), 1e6 / median($rates['batched']), $batch);
$analysis = __DIR__ . '/ANALYSIS.md';
if (is_file($analysis)) {
	$out[] = '';
	$out[] = trim(file_get_contents($analysis));
}
echo implode("\n", $out), "\n";
exit(0);
