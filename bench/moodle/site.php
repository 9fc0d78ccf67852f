<?php
/*
 * Issue 16's Moodle figures measured in a real, already installed Moodle site (not the $DB stand-in
 * of bench/moodle/run.php): the extension bound to the site's own $DB as the plugin binds it
 * (local_integrationhub's after_config hook, hub::bind()), statements counted by Moodle itself
 * ($DB->perf_get_reads() / perf_get_writes(): BEGIN and COMMIT count as reads), reporting time and
 * statements per operation:
 *   - local_integrationhub\mih::request() to an instant keep-alive receiver, against Moodle's own
 *     \curl class (a new \curl per call, as Moodle code uses it) and a raw curl_exec loop, same receiver;
 *   - a real Moodle event (\core\event\course_viewed of the front page course, triggered as the
 *     admin) with one matching enabled rule of the plugin, in the request and inside a delegated
 *     transaction, and the same event with that rule disabled (the hub's observer still runs);
 *     Moodle's whole event path is in the figure: its other observers and the standard log store
 *     (whose buffered rows are flushed inside the timing, as the request's end would);
 *   - the drain by the plugin's scheduled task (\local_integrationhub\task\run_queue::execute()), of
 *     the instant receiver and, when the script starts nginx itself and Debian's nginx echo module
 *     (libnginx-mod-http-echo) is installed, of a second nginx that answers every request 50 ms
 *     after it came (echo_sleep): against the ideal of concurrency / latency.
 *
 * It installs and builds nothing and changes no site setting. It creates services named
 * bench_site_* (and their rule, tasks and log rows) and deletes them at the end (and at the start,
 * left over from an interrupted run), and the standard log store's rows of the events it triggered. Run it as the web server's user, which owns the site's
 * dataroot (Moodle writes its caches there):
 *
 *   su -s /bin/sh www-data -c 'php bench/moodle/site.php /opt/moodle [RECEIVER_URL]'
 *
 * RECEIVER_URL: an instant receiver that answers every POST at once with a 2xx over kept-alive
 * connections (e.g. nginx `return 204;`); without it the script starts Debian's nginx itself on a
 * free 127.0.0.1 port (bench/lib/common.php), or, without nginx, PHP's built-in server (which
 * closes every connection: the report says so). The receiver must be allowed by the site's
 * curlsecurityblockedhosts and curlsecurityallowedport: the script says so and stops when it is not.
 *
 * BENCH_RUNS (5), BENCH_SITE_CALLS (500), BENCH_SITE_EVENTS (500), BENCH_SITE_TASKS (2000),
 * BENCH_SITE_SLOW_TASKS (480: 30 waves of the worker's default concurrency, an ideal drain of 1.5 s).
 */

define('CLI_SCRIPT', true);

if ($argc < 2 || $argc > 3 || in_array($argv[1], ['-h', '--help'], true)) {
	fwrite(STDERR, "usage: php bench/moodle/site.php MOODLE_DIR [RECEIVER_URL]\n"
		. "  MOODLE_DIR: the installed site (the folder with config.php); run as the user owning its dataroot\n");
	exit(2);
}
$site = rtrim($argv[1], '/');
if (!is_file("$site/config.php")) {
	fwrite(STDERR, "site.php: $site/config.php not found: give the folder of an installed Moodle site\n");
	exit(2);
}
$receiverarg = $argv[2] ?? null;
if ($receiverarg !== null && !preg_match('#^https?://[^/]+#', $receiverarg)) {
	fwrite(STDERR, "site.php: the receiver URL must start with http:// or https://, got \"$receiverarg\"\n");
	exit(2);
}

require $site . '/config.php';
require_once $CFG->libdir . '/filelib.php';
require __DIR__ . '/../lib/common.php';
require __DIR__ . '/../lib/clients.php';

use local_integrationhub\local\hub;
use local_integrationhub\mih;
use local_integrationhub\task\run_queue;

const SITE_PREFIX = 'bench_site_';
const SITE_EVENT = '\\core\\event\\course_viewed';
/* The slow receiver's latency, and the worker's default concurrency (mih::run_queue(), which the
 * scheduled task leaves to its default): the ideal drain of the slow receiver is their ratio. */
const SITE_SLOW_LATENCY = 0.05;
const SITE_CONCURRENCY = 16;

/* Moodle writes caches into its dataroot: files created there by another user break the site. */
if (function_exists('posix_geteuid') && fileowner($CFG->dataroot) !== posix_geteuid()) {
	$owner = posix_getpwuid(fileowner($CFG->dataroot))['name'] ?? fileowner($CFG->dataroot);
	fwrite(STDERR, "site.php: run this as the owner of $CFG->dataroot ($owner), e.g. su -s /bin/sh $owner -c 'php ...'\n");
	exit(2);
}
if (!hub::available()) {
	fwrite(STDERR, "site.php: the mih extension is not loaded in this PHP (php --ri mih)\n");
	exit(1);
}
if (!hub::bind()) {
	fwrite(STDERR, "site.php: local_integrationhub is not installed on this site (admin/cli/upgrade.php)\n");
	exit(1);
}

$runs = bench_env_int('BENCH_RUNS', 5);
$calls = bench_env_int('BENCH_SITE_CALLS', 500);
$events = bench_env_int('BENCH_SITE_EVENTS', 500);
$tasks = bench_env_int('BENCH_SITE_TASKS', 2000);
$slowtasks = bench_env_int('BENCH_SITE_SLOW_TASKS', 30 * SITE_CONCURRENCY);
$p = fn(string $line) => bench_progress('site', $line);

/* Removes every service named bench_site_* with its rules, tasks, dead letters and log rows. */
function site_cleanup(): int
{
	global $DB;

	mih::flush_log();
	$n = 0;
	foreach (mih::services() as $service) {
		$name = $service['name'];
		if (strncmp($name, SITE_PREFIX, strlen(SITE_PREFIX)) !== 0) {
			continue;
		}
		foreach (mih::rules(['service' => $name]) as $rule) {
			mih::delete_rule($rule['id']);
		}
		$DB->delete_records('local_integrationhub_queue', ['serviceid' => $service['id']]);
		mih::purge_dead_letters(['service' => $name]);
		mih::reset_circuit($name);
		mih::delete_service($name);
		$DB->delete_records('local_integrationhub_log', ['serviceid' => $service['id']]);
		$n++;
	}
	if (isset($GLOBALS['site_log_rows'])) {
		get_log_manager(true);   /* writes the rows still buffered, so that they are removed too */
		$rows = $GLOBALS['site_log_rows'];
		$DB->delete_records_select('logstore_standard_log',
			'id > :after AND eventname = :eventname AND userid = :userid AND contextid = :contextid AND origin = :origin',
			$rows + ['eventname' => SITE_EVENT, 'origin' => 'cli']);
	}
	hub::rules_changed();
	return $n;
}

/* Collects what mtrace() prints (the scheduled task's summary), instead of printing it to STDOUT. */
function site_mtrace(string $string, string $eol): void
{
	$GLOBALS['site_mtrace_lines'][] = $string;
}

/* The tasks of other services in the queue, by service: the scheduled task would deliver them too. */
function site_other_tasks(): array
{
	$others = [];
	foreach (mih::services() as $service) {
		if (strncmp($service['name'], SITE_PREFIX, strlen(SITE_PREFIX)) === 0) {
			continue;
		}
		$n = mih::count_tasks(['service' => $service['name']]);
		if ($n > 0) {
			$others[] = "{$service['name']}: $n";
		}
	}
	return $others;
}

if (($left = site_cleanup()) > 0) {
	$p("removed $left service(s) left by an earlier run");
}
$others = site_other_tasks();
if ($others) {
	fwrite(STDERR, "site.php: the queue holds tasks of other services (" . implode(', ', $others) . "): the "
		. "scheduled task would deliver them within the drain measured here. Empty the queue first "
		. "(Site administration > Server > Integration Hub > Queue) and run again.\n");
	exit(1);
}
$otherrules = array_filter(mih::rules(['eventname' => SITE_EVENT, 'enabled' => true]),
	fn(array $r) => strncmp($r['service'], SITE_PREFIX, strlen(SITE_PREFIX)) !== 0);
if ($otherrules) {
	fwrite(STDERR, 'site.php: ' . count($otherrules) . ' enabled rule(s) of other services listen to ' . SITE_EVENT
		. ': their deliveries would be counted; disable them and run again.' . "\n");
	exit(1);
}

/* The receiver: the one given, else a private nginx, else PHP's built-in server. */
$dir = bench_tmpdir('site');
$nginx = null;
$phpserver = null;
if ($receiverarg !== null) {
	$url = rtrim($receiverarg, '/');
	$receiver = "the receiver given ($url)";
} else if (is_executable(NGINX)) {
	$nginx = nginx_start($dir);
	$url = $nginx['url'];
	$receiver = "a private nginx (`return 204;`, one worker, keep-alive) on $url";
} else {
	$port = bench_free_port();
	file_put_contents("$dir/router.php", "<?php http_response_code(204);\n");
	$phpserver = proc_open([PHP_BINARY, '-n', '-S', "127.0.0.1:$port", "$dir/router.php"],
		[0 => ['file', '/dev/null', 'r'], 1 => ['file', "$dir/php-server.log", 'w'], 2 => ['file', "$dir/php-server.log", 'a']], $pipes);
	for ($i = 0; $i < 200 && !($c = @stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 0.1)); $i++) {
		usleep(25000);
	}
	if (empty($c)) {
		fwrite(STDERR, "site.php: PHP's built-in server did not start on 127.0.0.1:$port\n");
		proc_terminate($phpserver);
		bench_rmtree($dir);
		exit(1);
	}
	fclose($c);
	$url = "http://127.0.0.1:$port";
	$receiver = "PHP's built-in server answering 204 on $url (nginx is not installed; it closes every connection)";
}
/* The slow receiver: only with our own nginx and its echo module. */
$slownginx = null;
$slowurl = null;
if ($nginx && is_readable(NGINX_ECHO_MODULE)) {
	$slownginx = nginx_start("$dir/slow", SITE_SLOW_LATENCY);
	$slowurl = $slownginx['url'];
	$receiver .= sprintf('; slow receiver: a second private nginx answering 204 %d ms after each request (`echo_sleep`) on %s',
		1000 * SITE_SLOW_LATENCY, $slowurl);
} else {
	$p('no slow-receiver drain: it needs nginx started by this script and ' . NGINX_ECHO_MODULE . ' (libnginx-mod-http-echo)');
}
$stopreceiver = function () use (&$nginx, &$slownginx, &$phpserver, $dir) {
	if ($nginx) {
		nginx_stop($nginx);
		$nginx = null;
	}
	if ($slownginx) {
		nginx_stop($slownginx);
		$slownginx = null;
	}
	if ($phpserver) {
		proc_terminate($phpserver);
		proc_close($phpserver);
		$phpserver = null;
	}
	bench_rmtree($dir);
};

/* Moodle's outbound rules: report, never change. */
$security = new \core\files\curl_security_helper();
foreach (array_filter([$url, $slowurl]) as $u) {
	if ($security->url_is_blocked($u . '/hook')) {
		$stopreceiver();
		fwrite(STDERR, "site.php: the site blocks $u (" . $security->get_blocked_url_string() . "): allow its host in "
			. "curlsecurityblockedhosts and its port in curlsecurityallowedport (Site administration > General > Security > "
			. "HTTP security), or give a receiver URL the site allows.\n");
		exit(1);
	}
}

$done = false;
\core_shutdown_manager::register_function(function () use (&$done, $stopreceiver) {
	if (!$done) {
		/* An error stopped the run: leave nothing behind. */
		site_cleanup();
		$stopreceiver();
	}
});

/* The run acts as the admin, as a logged-in request would: events carry the admin's id. */
\core\session\manager::set_user(get_admin());
$frontpage = context_course::instance(SITEID);
/* The standard log store's rows of the events triggered here are removed at the end too. */
if ($DB->get_manager()->table_exists('logstore_standard_log')) {
	$loggedfrom = (int)$DB->get_field_sql('SELECT MAX(id) FROM {logstore_standard_log}');
	$GLOBALS['site_log_rows'] = ['after' => $loggedfrom, 'userid' => (int)$USER->id, 'contextid' => (int)$frontpage->id];
}
$trigger = fn() => \core\event\course_viewed::create(['context' => $frontpage])->trigger();

$req = SITE_PREFIX . 'req';
$evt = SITE_PREFIX . 'evt';
$drain = SITE_PREFIX . 'drain';
$slow = SITE_PREFIX . 'slow';
foreach ([$req, $evt, $drain] as $name) {
	mih::save_service(['name' => $name, 'base_url' => $url, 'timeout' => 10, 'max_retries' => 0]);
}
if ($slowurl) {
	mih::save_service(['name' => $slow, 'base_url' => $slowurl, 'timeout' => 10, 'max_retries' => 0]);
}
$evtid = (int)mih::service($evt)['id'];
$rule = mih::save_rule(['eventname' => SITE_EVENT, 'service' => $evt, 'endpoint' => '/hook',
	'payload_template' => '{"user": {{userid}}, "name": "{{username}}", "course": {{courseid}}, "at": {{timecreated}}}']);
hub::rules_changed();
$setrule = function (bool $enabled) use ($rule, $trigger, $evtid) {
	global $DB;
	mih::save_rule(['id' => $rule['id'], 'enabled' => $enabled]);
	hub::rules_changed();
	$trigger();   /* the first event after a change reloads the rule cache: not measured */
	get_log_manager(true);
	$DB->delete_records('local_integrationhub_queue', ['serviceid' => $evtid]);
};
$queued = fn() => mih::count_tasks(['service' => $evt]);

/* Moodle's statement counters and the store's own (mih::query_counts()). */
$counters = function () use (&$DB) {
	$store = mih::query_counts();
	return [$DB->perf_get_reads(), $DB->perf_get_writes(), $store['total'], $store['transactions'], $DB->perf_get_queries_time()];
};
/* Runs $body and returns [seconds, reads, writes, store statements, store transactions, seconds in $DB queries]. */
$measure = function (callable $body) use ($counters) {
	[$r0, $w0, $s0, $x0, $d0] = $counters();
	$t = hrtime(true);
	$body();
	$seconds = (hrtime(true) - $t) / 1e9;
	[$r1, $w1, $s1, $x1, $d1] = $counters();
	return [$seconds, $r1 - $r0, $w1 - $w0, $s1 - $s0, $x1 - $x0, $d1 - $d0];
};
$body = bench_body();
$hook = $url . '/hook';
$moodlecurl = function () use ($hook, $body) {
	$c = new \curl();
	$c->setHeader(['Content-Type: application/json', 'Accept: application/json']);
	$c->post($hook, $body, ['CURLOPT_TIMEOUT' => 10]);
	$code = (int)($c->get_info()['http_code'] ?? 0);
	return $c->get_errno() === 0 && $code >= 200 && $code < 300;
};
$check = function (bool $ok, string $what) {
	if (!$ok) {
		throw new \RuntimeException("site.php: $what");
	}
};

/* The row an event of the rule queues, for the plain-$DB baseline: the same INSERT without the hub. */
$setrule(true);
$trigger();
get_log_manager(true);
$queuerow = $DB->get_record('local_integrationhub_queue', ['serviceid' => $evtid], '*', MUST_EXIST);
unset($queuerow->id);
$DB->delete_records('local_integrationhub_queue', ['serviceid' => $evtid]);

/* The same INSERTs by $DB alone, one statement per event, in autocommit or in one delegated transaction. */
$dbinsert = function (bool $intx) use ($events, $measure, $queuerow, $evtid) {
	global $DB;
	$m = $measure(function () use ($events, $queuerow, $intx) {
		global $DB;
		$tx = $intx ? $DB->start_delegated_transaction() : null;
		$row = clone $queuerow;
		for ($i = 0; $i < $events; $i++) {
			$row->idempotency_key = sprintf('%s%d_%d_%d', SITE_PREFIX, getmypid(), hrtime(true), $i);
			$DB->insert_record('local_integrationhub_queue', $row);
		}
		$tx?->allow_commit();
	});
	$DB->delete_records('local_integrationhub_queue', ['serviceid' => $evtid]);
	return [...$m, $events];
};

/* Queues $tasks tasks for $drain (not timed), then times $run draining them, and checks they were all delivered. */
$drainrun = function (callable $run, string $drain, int $tasks) use ($measure, $check) {
	global $CFG;
	for ($i = 0; $i < $tasks; $i++) {
		mih::enqueue($drain, '/hook', BENCH_PAYLOAD);
	}
	$check(mih::count_tasks() === $tasks, 'the queue holds ' . mih::count_tasks() . " tasks, not the $tasks queued");
	$GLOBALS['site_mtrace_lines'] = [];
	$CFG->mtrace_wrapper = 'site_mtrace';   /* for this process only: execute() reports with mtrace() */
	$m = $measure($run);
	unset($CFG->mtrace_wrapper);
	$summary = implode(' ', $GLOBALS['site_mtrace_lines']);
	$check(mih::count_tasks(['service' => $drain]) === 0,
		mih::count_tasks(['service' => $drain]) . " of $tasks tasks left after the drain ($summary)");
	$check(mih::count_dead_letters(['service' => $drain]) === 0, "the drain sent tasks to the DLQ ($summary)");
	return [...$m, $tasks];
};

/* Each returns [seconds, reads, writes, store statements, store transactions, seconds in $DB, operations done]. */
$ops = [
	'mih_request' => function () use ($calls, $req, $measure, $check) {
		$first = mih::request($req, '/hook', BENCH_PAYLOAD);
		$check($first->success, "mih::request to $req failed: " . ($first->error ?? "HTTP $first->httpstatus"));
		mih::flush_log();
		$ok = 0;
		$m = $measure(function () use ($calls, $req, &$ok) {
			for ($i = 0; $i < $calls; $i++) {
				$ok += mih::request($req, '/hook', BENCH_PAYLOAD)->success;
			}
			mih::flush_log();   /* what the request's end writes: counted, and timed */
		});
		$check($ok === $calls, "mih::request: $ok of $calls calls succeeded");
		return [...$m, $calls];
	},
	'moodle_curl' => function () use ($calls, $measure, $moodlecurl, $check) {
		$check($moodlecurl(), 'Moodle\'s \curl could not reach the receiver');
		$ok = 0;
		$m = $measure(function () use ($calls, $moodlecurl, &$ok) {
			for ($i = 0; $i < $calls; $i++) {
				$ok += $moodlecurl();
			}
		});
		$check($ok === $calls, "\\curl: $ok of $calls calls succeeded");
		return [...$m, $calls];
	},
	'curl_exec' => function () use ($calls, $measure, $hook, $check) {
		$ok = 0;
		$m = $measure(function () use ($calls, $hook, &$ok) {
			$ok = curl_loop($hook, $calls);
		});
		$check($ok === $calls, "curl_exec: $ok of $calls calls succeeded");
		return [...$m, $calls];
	},
	'event_rule' => function () use ($events, $measure, $trigger, $setrule, $queued, $check, $evtid) {
		global $DB;
		$setrule(true);
		$m = $measure(function () use ($events, $trigger) {
			for ($i = 0; $i < $events; $i++) {
				$trigger();
			}
			get_log_manager(true);   /* flushes the standard log store's buffered rows */
		});
		$check($queued() === $events, "event with a rule: {$queued()} tasks queued for $events events");
		$DB->delete_records('local_integrationhub_queue', ['serviceid' => $evtid]);
		return [...$m, $events];
	},
	'event_rule_tx' => function () use ($events, $measure, $trigger, $setrule, $queued, $check, $evtid) {
		global $DB;
		$setrule(true);
		$m = $measure(function () use ($events, $trigger) {
			global $DB;
			$tx = $DB->start_delegated_transaction();
			for ($i = 0; $i < $events; $i++) {
				$trigger();
			}
			$tx->allow_commit();
			get_log_manager(true);
		});
		$check($queued() === $events, "event with a rule in a transaction: {$queued()} tasks queued for $events events");
		$DB->delete_records('local_integrationhub_queue', ['serviceid' => $evtid]);
		return [...$m, $events];
	},
	'db_insert' => fn() => $dbinsert(false),
	'db_insert_tx' => fn() => $dbinsert(true),
	'event_norule' => function () use ($events, $measure, $trigger, $setrule, $queued, $check) {
		$setrule(false);
		$m = $measure(function () use ($events, $trigger) {
			for ($i = 0; $i < $events; $i++) {
				$trigger();
			}
			get_log_manager(true);
		});
		$check($queued() === 0, "event with its rule disabled: {$queued()} tasks queued");
		return [...$m, $events];
	},
	'drain' => fn() => $drainrun(fn() => (new run_queue())->execute(), $drain, $tasks),
];
if ($slowurl) {
	$ops['drain_slow'] = fn() => $drainrun(fn() => (new run_queue())->execute(), $slow, $slowtasks);
}

$res = array_fill_keys(array_keys($ops), []);
try {
	for ($r = 0; $r < $runs; $r++) {
		foreach (rotated(array_keys($ops), $r) as $name) {
			[$seconds, $reads, $writes, $store, $tx, $indb, $n] = $ops[$name]();
			$res[$name][] = ['per' => $seconds / $n, 'rate' => $n / $seconds, 'reads' => $reads / $n,
				'writes' => $writes / $n, 'store' => $store / $n, 'tx' => $tx / $n, 'indb' => $indb / $n];
			$p(sprintf('run %d: %s %.4f ms/op (%.4f in $DB), %.3f reads + %.3f writes per op (%.3f by the store, %.3f store transactions)',
				$r + 1, $name, 1e3 * $seconds / $n, 1e3 * $indb / $n, $reads / $n, $writes / $n, $store / $n, $tx / $n));
		}
	}
} catch (\Throwable $e) {
	fwrite(STDERR, get_class($e) . ': ' . $e->getMessage() . "\n");
	exit(1);   /* the shutdown function cleans up */
}
$removed = site_cleanup();
$stopreceiver();
$done = true;
$p("removed the $removed bench services with their rule, tasks and log rows");

$col = fn(string $name, string $key) => array_column($res[$name], $key);
$ms = fn(string $name) => 1e3 * median($col($name, 'per'));
$time = fn(string $name) => sprintf('%.3f ms (%.3f – %.3f) | %.3f ms', $ms($name), 1e3 * min($col($name, 'per')),
	1e3 * max($col($name, 'per')), 1e3 * median($col($name, 'indb')));
$q = fn(string $name) => median($col($name, 'reads')) + median($col($name, 'writes'));
$stmts = fn(string $name) => sprintf('%.3f (%.3f + %.3f)', $q($name), median($col($name, 'reads')), median($col($name, 'writes')));
$sq = fn(string $name) => median($col($name, 'store'));
$storeq = fn(string $name) => sprintf('%.3f (%.3f)', $sq($name), median($col($name, 'tx')));
/* Per-run ratios and differences, then their median. */
$ratio = fn(string $a, string $b, string $key = 'per') => median(per_run_ratios($col($a, $key), $col($b, $key)));
$diff = fn(string $a, string $b) => 1e3 * median(array_map(fn($x, $y) => $x - $y, $col($a, 'per'), $col($b, 'per')));
$rate = fn(string $name) => median($col($name, 'rate'));
$missed = [];
$verdict = function (bool $met, string $target, string $what) use (&$missed) {
	if (!$met) {
		$missed[] = "site, $what: target $target";
	}
	return $met ? "met ($target)" : "**missed** ($target)";
};

$release = $CFG->release;
$dbfamily = $DB->get_dbfamily();
$dbversion = $DB->get_server_info()['version'] ?? '?';
$logstores = (string)get_config('tool_log', 'enabled_stores');
$durability = '';
if ($dbfamily === 'postgres') {
	$durability = ', fsync ' . $DB->get_field_sql('SHOW fsync') . ', synchronous_commit ' . $DB->get_field_sql('SHOW synchronous_commit');
}
/* The targets of issue 16 (bench/moodle/run.php): no statement per call but the buffered log rows
 * (one INSERT per mih.log_flush_rows calls and at the end, the log prune per 500 rows, one read of
 * the store's version when a run outlasts mih.rules_ttl); one statement per event with a rule; none
 * without; at most 0.2 per drained task. */
$flushrows = (int)ini_get('mih.log_flush_rows');
$allowed = (ceil($calls / $flushrows) + 1 + 3 * ceil($calls / 500) + 1) / $calls;
$hubtx = $diff('event_rule_tx', 'event_norule');
$out = [];
$out[] = '## Real Moodle site (bench/moodle/site.php)';
$out[] = '';
$out[] = "Moodle $release on $dbfamily $dbversion ({$CFG->dbhost}$durability), log stores: " . ($logstores === '' ? 'none' : $logstores) . ', mih ' . mih::version() . ' bound to the site\'s $DB by local_integrationhub (hub::bind()), run as the web server\'s user from the CLI; statements from $DB->perf_get_reads() / perf_get_writes() (their sum is perf_get_queries(); BEGIN and COMMIT count as reads), time in queries from $DB->perf_get_queries_time(), "store" = those the extension sent, with its own transactions in brackets (mih::query_counts()). Receiver: ' . $receiver . ". $calls calls, $events events, $tasks drained tasks per run; median over $runs runs (slowest – fastest in brackets), operations interleaved in a rotating order; ratios and differences are medians of the per-run ones.";
$out[] = '';
$out[] = '| operation | time per operation | of which in $DB queries | statements per operation (reads + writes) | of which the mih store | vs same-run baseline | target |';
$out[] = '| --- | ---: | ---: | ---: | ---: | --- | --- |';
$out[] = sprintf('| `local_integrationhub\mih::request` (the buffered log rows written at the end included) | %s | %s | %s | %.2fx the time of Moodle\'s `\curl`; %.2fx raw `curl_exec`, %+.3f ms | %s; mih − curl_exec %s |',
	$time('mih_request'), $stmts('mih_request'), $storeq('mih_request'), $ratio('mih_request', 'moodle_curl'),
	$ratio('mih_request', 'curl_exec'), $diff('mih_request', 'curl_exec'),
	$verdict($q('mih_request') <= $allowed + 1e-9, sprintf('≤ %.3f statements: the log rows, 1 INSERT per %d calls', $allowed, $flushrows), 'request statements'),
	$verdict($diff('mih_request', 'curl_exec') <= 0.05, '≤ 0.05 ms', 'request time over curl_exec'));
$out[] = sprintf('| Moodle\'s `\curl` (`new \curl`, `post()`), same receiver | %s | %s | %s | baseline | – |',
	$time('moodle_curl'), $stmts('moodle_curl'), $storeq('moodle_curl'));
$out[] = sprintf('| raw `curl_exec` on one reused handle, same receiver | %s | %s | %s | %.2fx the time of `\curl` | – |',
	$time('curl_exec'), $stmts('curl_exec'), $storeq('curl_exec'), $ratio('curl_exec', 'moodle_curl'));
$out[] = sprintf('| `%s` triggered, one matching rule (queues one task) | %s | %s | %s | %+.3f ms over the event without a rule (%.2fx); the INSERT alone: %.3f ms | %s |',
	SITE_EVENT, $time('event_rule'), $stmts('event_rule'), $storeq('event_rule'), $diff('event_rule', 'event_norule'),
	$ratio('event_rule', 'event_norule'), $ms('db_insert'),
	$verdict(abs($sq('event_rule') - 1) < 1e-9, '1 store statement', 'event statements'));
$out[] = sprintf('| the same, %d events inside one delegated transaction (the outbox) | %s | %s | %s | %+.3f ms over the event without a rule (%.2fx); the INSERT alone: %.3f ms | %s; the hub\'s increment %s |',
	$events, $time('event_rule_tx'), $stmts('event_rule_tx'), $storeq('event_rule_tx'), $hubtx,
	$ratio('event_rule_tx', 'event_norule'), $ms('db_insert_tx'),
	$verdict(abs($sq('event_rule_tx') - 1) < 1e-9, '1 store statement', 'event statements in a transaction'),
	$verdict($hubtx <= 0.15, '≤ 0.15 ms', 'event time in a transaction'));
$out[] = sprintf('| baseline: the queue row such an event writes, by `$DB->insert_record()` alone (no hub, no event), autocommit | %s | %s | %s | – | – |',
	$time('db_insert'), $stmts('db_insert'), $storeq('db_insert'));
$out[] = sprintf('| baseline: the same INSERTs, %d in one delegated transaction | %s | %s | %s | – | – |',
	$events, $time('db_insert_tx'), $stmts('db_insert_tx'), $storeq('db_insert_tx'));
$out[] = sprintf('| `%s` triggered, its rule disabled (no rule listens) | %s | %s | %s | baseline | %s |',
	SITE_EVENT, $time('event_norule'), $stmts('event_norule'), $storeq('event_norule'),
	$verdict($sq('event_norule') == 0, '0 store statements', 'no-rule event statements'));
$out[] = sprintf('| drain by the scheduled task (`run_queue::execute()`: its time limit, the worker\'s defaults concurrency 16, per_service = concurrency) | %s tasks/s (%s – %s) | %.3f ms per task | %s per task | %s | %.2fx the calls/s of `\curl` one after another | %s; %s |',
	fmt($rate('drain')), fmt(min($col('drain', 'rate'))), fmt(max($col('drain', 'rate'))), 1e3 * median($col('drain', 'indb')),
	$stmts('drain'), $storeq('drain'),
	$ratio('drain', 'moodle_curl', 'rate'),
	$verdict($rate('drain') >= 10000, '≥ 10,000 tasks/s', 'drain rate'),
	$verdict($q('drain') <= 0.2 + 1e-9, '≤ 0.2 statements per task', 'drain statements'));
if ($slowurl) {
	$ideal = SITE_CONCURRENCY / SITE_SLOW_LATENCY;
	$share = median(array_map(fn($r) => $r / $ideal, $col('drain_slow', 'rate')));
	$out[] = sprintf('| drain by the scheduled task, %d ms receiver (%d tasks; the same defaults: concurrency %d, per_service = concurrency) | %s tasks/s (%s – %s) | %.3f ms per task | %s per task | %s | %.0f%% of concurrency / latency (%s tasks/s) | %s |',
		1000 * SITE_SLOW_LATENCY, $slowtasks, SITE_CONCURRENCY, fmt($rate('drain_slow')), fmt(min($col('drain_slow', 'rate'))),
		fmt(max($col('drain_slow', 'rate'))), 1e3 * median($col('drain_slow', 'indb')), $stmts('drain_slow'), $storeq('drain_slow'),
		100 * $share, fmt($ideal), $verdict($share >= 0.9, '≥ 90% of concurrency / latency', 'slow drain'));
}
$out[] = '';
$out[] = 'Event rows: Moodle\'s whole event path (its observers, the standard log store, whose buffered rows are written inside the timing) is in each; the difference from the event without a rule is the hub\'s rule match, render and queue INSERT.';
/* No ANALYSIS.md here: bench/moodle's is about the stand-in. */
bench_finish($out, $missed, null);
