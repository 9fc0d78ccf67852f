<?php
/*
 * Template rendering benchmark: mih::render() against the original plugin's str_replace
 * approach and against Twig, over the 13 sample Moodle events. Prints a markdown section on
 * stdout (bench/run.sh puts it into bench/RESULTS.md) and progress on stderr.
 *
 *   php -d extension=modules/mih.so bench/template/run.php
 *   php -d extension=modules/mih.so bench/template/run.php --profile   (short mih-only loop, for callgrind)
 *
 * BENCH_RUNS (default 7) runs per figure, BENCH_RUN_SECONDS (default 0.2) per engine and run.
 */

use local_integrationhub\mih;

require __DIR__ . '/original.php';

const TWIG_AUTOLOAD = '/usr/share/php/Twig/autoload.php';
const TARGET_VS_TWIG = 10.0;
const TARGET_VS_ORIGINAL = 3.0;

function progress(string $line): void
{
	fwrite(STDERR, "   template: $line\n");
}

function load_events(): array
{
	$path = getenv('MIH_SAMPLES') ?: __DIR__ . '/../../../shared/moodle-events/samples.json';
	$events = json_decode((string)@file_get_contents($path), true);
	if (!is_array($events) || count($events) === 0) {
		fwrite(STDERR, "cannot read the sample events from $path (set MIH_SAMPLES)\n");
		exit(1);
	}
	return array_values($events);
}

/* Rule k of the emit path: one of the three bodies wrapped with its rule number, so that
 * every rule is a different template text (a different compiled template in each engine). */
function rule_templates(array $bodies, int $count): array
{
	$names = array_keys($bodies);
	$rules = [];
	for ($k = 0; $k < $count; $k++) {
		$body = $bodies[$names[$k % count($names)]];
		$rule = [];
		foreach ($body as $dialect => $text) {
			$rule[$dialect] = $count <= count($names) ? $text : "{\"rule\": $k, \"payload\": $text}";
		}
		$rules["rule$count.$k"] = $rule;
	}
	return $rules;
}

function make_twig(array $rules, $autoescape = 'js'): \Twig\Environment
{
	$sources = [];
	foreach ($rules as $name => $rule) {
		$sources[$name] = $rule['twig'];
	}
	return new \Twig\Environment(new \Twig\Loader\ArrayLoader($sources), [
		'autoescape' => $autoescape,
		'strict_variables' => false,
		'cache' => false,
	]);
}

/* JSON equality regardless of key order, strict on types. */
function canonical($value)
{
	if (is_array($value)) {
		if (!array_is_list($value)) {
			ksort($value, SORT_STRING);
		}
		return array_map('canonical', $value);
	}
	return $value;
}

function same_json(string $a, string $b): bool
{
	$da = json_decode($a, true, 512, JSON_THROW_ON_ERROR);
	$db = json_decode($b, true, 512, JSON_THROW_ON_ERROR);
	return canonical($da) === canonical($db);
}

/* Returns the markdown rows of the check and whether every comparison held. */
function verify(array $rules, \Twig\Environment $twig, array $events): array
{
	$rows = [];
	$allok = true;
	foreach ($rules as $name => $rule) {
		$twigok = $origok = 0;
		foreach ($events as $event) {
			try {
				$twigok += same_json(mih::render($rule['mustache'], $event), $twig->render($name, $event));
				$origok += same_json(mih::render($rule['original'], $event),
					original_render($rule['original'], original_flatten($event)));
			} catch (Throwable $e) {
				fwrite(STDERR, "$name, {$event['eventname']}: " . $e->getMessage() . "\n");
			}
		}
		$n = count($events);
		$allok = $allok && $twigok === $n && $origok === $n;
		$rows[] = "| $name | $twigok / $n | $origok / $n |";
	}
	return [$rows, $allok];
}

function seconds(callable $loop, int $iterations): float
{
	$start = hrtime(true);
	$loop($iterations);
	return (hrtime(true) - $start) / 1e9;
}

/* Iterations that take about $target seconds; doubles as the warm-up (compiles and caches
 * every template in every engine). */
function calibrate(callable $loop, float $target): int
{
	$n = 16;
	while (($t = seconds($loop, $n)) < 0.05) {
		$n *= 2;
	}
	return max(1, (int)($n * $target / $t));
}

/* Slices per run: each run times every engine in this many short slices,
 * interleaved, so that a burst of load on the shared machine falls on all
 * engines of the run alike instead of on whichever was being timed. */
const SLICES = 10;

/* Runs every engine $runs times, in SLICES interleaved slices per run, in a
 * rotating order; returns per engine the list of ops/s, one per run. */
function measure(array $engines, int $runs, float $target): array
{
	$iterations = [];
	foreach ($engines as $name => $loop) {
		$iterations[$name] = max(1, intdiv(calibrate($loop, $target), SLICES));
	}
	$rates = array_fill_keys(array_keys($engines), []);
	$names = array_keys($engines);
	for ($r = 0; $r < $runs; $r++) {
		$time = array_fill_keys($names, 0.0);
		for ($k = 0; $k < SLICES; $k++) {
			$o = ($r + $k) % count($names);
			foreach (array_merge(array_slice($names, $o), array_slice($names, 0, $o)) as $name) {
				$time[$name] += seconds($engines[$name], $iterations[$name]);
			}
		}
		foreach ($names as $name) {
			$rates[$name][] = $iterations[$name] * SLICES / $time[$name];
		}
	}
	return $rates;
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

function fmt(float $ops): string
{
	return number_format($ops, 0, '.', ',');
}

function rate_rows(array $rates, array $labels, int $per): array
{
	$rows = ["| engine | median events/s | median renders/s | slowest – fastest run (events/s) |", "| --- | ---: | ---: | --- |"];
	foreach ($rates as $name => $list) {
		$rows[] = sprintf("| %s | %s | %s | %s – %s |", $labels[$name], fmt(median($list)),
			fmt(median($list) * $per), fmt(min($list)), fmt(max($list)));
	}
	return $rows;
}

/* A ratio row: median over runs of (mih ops / baseline ops) measured in the same run. */
function ratio_row(string $label, array $mih, array $base, ?float $target, array &$missed, string $scenario): string
{
	$ratios = per_run_ratios($mih, $base);
	$m = median($ratios);
	$verdict = '';
	if ($target !== null) {
		if ($m >= $target) {
			$verdict = "met (target ≥ {$target}x)";
		} else {
			$verdict = sprintf("**missed** (target ≥ %sx: %.0f%% short)", $target, 100 * (1 - $m / $target));
			$missed[] = sprintf("%s, %s: %.2fx, target %sx", $scenario, $label, $m, $target);
		}
	}
	return sprintf("| %s | %.2fx | %.2fx – %.2fx | %s |", $label, $m, min($ratios), max($ratios), $verdict);
}

function single_engines(array $rule, string $name, \Twig\Environment $twig, \Twig\Environment $raw, array $events): array
{
	$count = count($events);
	$tm = $rule['mustache'];
	$to = $rule['original'];
	return [
		'mih' => function (int $n) use ($tm, $events, $count) {
			for ($i = 0; $i < $n; $i++) {
				mih::render($tm, $events[$i % $count]);
			}
		},
		'mih_plain' => function (int $n) use ($to, $events, $count) {
			for ($i = 0; $i < $n; $i++) {
				mih::render($to, $events[$i % $count]);
			}
		},
		'mih_conv' => function (int $n) use ($events, $count) {
			for ($i = 0; $i < $n; $i++) {
				mih::render('{"no": "tags"}', $events[$i % $count]);
			}
		},
		'twig' => function (int $n) use ($twig, $name, $events, $count) {
			for ($i = 0; $i < $n; $i++) {
				$twig->render($name, $events[$i % $count]);
			}
		},
		'twig_raw' => function (int $n) use ($raw, $name, $events, $count) {
			for ($i = 0; $i < $n; $i++) {
				$raw->render($name, $events[$i % $count]);
			}
		},
		'original' => function (int $n) use ($to, $events, $count) {
			for ($i = 0; $i < $n; $i++) {
				original_render($to, original_flatten($events[$i % $count]));
			}
		},
	];
}

function emit_engines(array $rules, \Twig\Environment $twig, array $events): array
{
	$count = count($events);
	$mustache = array_column($rules, 'mustache');
	$original = array_column($rules, 'original');
	$names = array_keys($rules);
	return [
		'mih_each' => function (int $n) use ($mustache, $events, $count) {
			for ($i = 0; $i < $n; $i++) {
				mih::render_each($mustache, $events[$i % $count]);
			}
		},
		'mih' => function (int $n) use ($mustache, $events, $count) {
			for ($i = 0; $i < $n; $i++) {
				$event = $events[$i % $count];
				foreach ($mustache as $t) {
					mih::render($t, $event);
				}
			}
		},
		'twig' => function (int $n) use ($twig, $names, $events, $count) {
			for ($i = 0; $i < $n; $i++) {
				$event = $events[$i % $count];
				foreach ($names as $t) {
					$twig->render($t, $event);
				}
			}
		},
		'original' => function (int $n) use ($original, $events, $count) {
			for ($i = 0; $i < $n; $i++) {
				$flat = original_flatten($events[$i % $count]);
				foreach ($original as $t) {
					original_render($t, $flat);
				}
			}
		},
	];
}

function profile(array $rule, array $events): void
{
	$count = count($events);
	for ($i = 0; $i < 3000; $i++) {
		mih::render($rule['mustache'], $events[$i % $count]);
	}
}

/* Self and inclusive instruction counts per function inside mih::render, from callgrind. */
function callgrind_costs(string $file, bool $inclusive): array
{
	$cmd = 'callgrind_annotate --auto=no ' . ($inclusive ? '--inclusive=yes ' : '') . escapeshellarg($file) . ' 2>/dev/null';
	$costs = [];
	foreach (explode("\n", (string)shell_exec($cmd)) as $line) {
		if (!preg_match('/^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(\S+)(?:\s+\[(\S+)\])?/', $line, $m) || $m[2] === 'PROGRAM') {
			continue;
		}
		$fn = preg_replace("/'\d+$/", '', substr($m[2], strrpos($m[2], ':') + 1));
		if (str_starts_with($fn, '0x') && isset($m[3])) {
			$fn = basename($m[3]) . ' (no symbols) ' . $fn;
		}
		$ir = (int)str_replace(',', '', $m[1]);
		/* The same function shows once per source file it was inlined from: add the self
		 * costs, keep the largest inclusive one. */
		$costs[$fn] = $inclusive ? max($costs[$fn] ?? 0, $ir) : ($costs[$fn] ?? 0) + $ir;
	}
	arsort($costs);
	return $costs;
}

function where_time_goes(float $one, float $conv, float $twig, float $original): array
{
	$out = ["### Where the time goes", ""];
	$needed = 1e6 / $twig / TARGET_VS_TWIG;
	$floor = 1e6 / $conv;
	$out[] = sprintf("Per render (scenario 1 medians): mih %.2f µs, Twig %.2f µs, original %.2f µs. "
		. "%.0fx Twig would need %.2f µs per render, %s the %.2f µs that a mih::render of a "
		. "template without tags already costs (conversion of the event array into the C tree, "
		. "cache lookup, returning the string); %.0fx the original needs %.2f µs.",
		1e6 / $one, 1e6 / $twig, 1e6 / $original, TARGET_VS_TWIG, $needed,
		$needed < $floor ? 'less than' : sprintf('only %.2f µs more than', $needed - $floor), $floor,
		TARGET_VS_ORIGINAL, 1e6 / $original / TARGET_VS_ORIGINAL);
	$out[] = "";
	$so = getenv('MIH_SO') ?: realpath(__DIR__ . '/../../modules/mih.so');
	if (trim((string)shell_exec('(command -v valgrind && command -v callgrind_annotate) | wc -l')) !== '2' || !$so) {
		$out[] = "(valgrind is not installed: no profile.)";
		return $out;
	}
	progress('profiling mih::render under callgrind');
	$file = tempnam(sys_get_temp_dir(), 'cg');
	$cmd = sprintf('valgrind --tool=callgrind --toggle-collect=zim_local_integrationhub_mih_render '
		. '--callgrind-out-file=%s %s -d extension=%s %s --profile >/dev/null 2>&1',
		escapeshellarg($file), escapeshellarg(PHP_BINARY), escapeshellarg($so), escapeshellarg(__FILE__));
	exec($cmd, $ignored, $rc);
	$inclusive = callgrind_costs($file, true);
	$self = callgrind_costs($file, false);
	unlink($file);
	$total = $inclusive['zim_local_integrationhub_mih_render'] ?? 0;
	if ($rc !== 0 || $total === 0) {
		$out[] = "(callgrind failed: no profile.)";
		return $out;
	}
	$renders = 3000;
	$out[] = sprintf("Profile: `valgrind --tool=callgrind --toggle-collect=zim_local_integrationhub_mih_render "
		. "php -d extension=modules/mih.so bench/template/run.php --profile` (%d renders of the Slack "
		. "template over the 13 events, only the inside of mih::render counted): %s instructions per render.",
		$renders, fmt($total / $renders));
	$out[] = "";
	$out[] = "| inside mih::render (inclusive) | share | instructions per render |";
	$out[] = "| --- | ---: | ---: |";
	$parts = [
		'check_table' => 'checking the PHP data once (recursion, enums, INF/NAN, depth: check_table)',
		'mih_tpl_cache_get_hashed' => 'finding the compiled template when the per-request memo misses (mih_tpl_cache_get_hashed)',
		'mih_tpl_render_values_into' => 'render (mih_tpl_render_values_into), of which:',
		'lookup_names' => '— names not yet looked up in their context (lookup_names, zv_lookup_hashed)',
		'tpl_json_serialize' => '— serialising `{{other}}` as JSON (tpl_json_serialize)',
		'tpl_json_escape' => '— escaping string content that needs it (tpl_json_escape)',
		'tpl_json_validate' => '— re-parsing the output to check it is JSON (tpl_json_validate)',
	];
	foreach ($parts as $fn => $label) {
		if (isset($inclusive[$fn])) {
			$out[] = sprintf("| %s | %.1f%% | %s |", $label, 100 * $inclusive[$fn] / $total, fmt($inclusive[$fn] / $renders));
		}
	}
	$out[] = "";
	$out[] = "Reading: what is left is spread thin — the op loop, one indirect call per value into the "
		. "PHP value provider, escaping and number formatting — with no single item above a fifth of "
		. "a render; the next steps are in bench/template/ANALYSIS.md.";
	$out[] = "";
	$out[] = "Top functions by own cost (callgrind_annotate, self):";
	$out[] = "";
	$out[] = "| function | share | instructions per render |";
	$out[] = "| --- | ---: | ---: |";
	foreach (array_slice($self, 0, 15, true) as $fn => $ir) {
		$out[] = sprintf("| `%s` | %.1f%% | %s |", $fn, 100 * $ir / $total, fmt($ir / $renders));
	}
	$out[] = "";
	return $out;
}

if (!extension_loaded('mih')) {
	fwrite(STDERR, "the mih extension is not loaded: php -d extension=modules/mih.so " . $argv[0] . "\n");
	exit(1);
}
if (!is_file(TWIG_AUTOLOAD)) {
	fwrite(STDERR, "Twig is missing: apt-get install php-twig (bench/run.sh does it)\n");
	exit(1);
}
require TWIG_AUTOLOAD;

$bodies = require __DIR__ . '/templates.php';
$events = load_events();
if (in_array('--profile', $argv, true)) {
	profile($bodies['slack'], $events);
	exit(0);
}
$runs = max(3, (int)(getenv('BENCH_RUNS') ?: 7));
$target = (float)(getenv('BENCH_RUN_SECONDS') ?: 0.2);

$rules3 = rule_templates($bodies, 3);
$rules10 = rule_templates($bodies, 10);
$single = ['single' => $bodies['slack']];
$twig = make_twig($single + $rules3 + $rules10);

progress('checking that the engines agree');
[$checkrows, $allok] = verify($rules3, $twig, $events);
if (!$allok) {
	fwrite(STDERR, "the engines disagree (above); not timing\n");
	exit(1);
}
[$checkrows10, $allok10] = verify($rules10, $twig, $events);
if (!$allok10) {
	fwrite(STDERR, "the engines disagree on the 10 rule templates; not timing\n");
	exit(1);
}

$missed = [];
$out = [];
$labels = [
	'mih' => 'mih::render',
	'mih_each' => 'mih::render_each (data checked once, as mih::emit does)',
	'mih_plain' => 'mih::render, the original\'s section-free template',
	'mih_conv' => 'mih::render, template without tags (≈ data check + call)',
	'twig' => 'Twig ' . \Twig\Environment::VERSION,
	'twig_raw' => 'Twig, autoescape off (not JSON-safe: shows what escaping costs Twig)',
	'original' => 'original (str_replace + json_decode + json_encode)',
];

progress("scenario 1: one render from PHP data, $runs runs");
$s1 = measure(single_engines($bodies['slack'], 'single', $twig, make_twig($single, false), $events), $runs, $target);
$out[] = "### Scenario 1: one render from PHP data (conversion included)";
$out[] = "";
$out[] = "Each operation renders the Slack template for the next sample event, passing the PHP array "
	. "to the engine: `mih::render(\$template, \$event)` (a check of the whole array — recursion, "
	. "enums, INF/NAN, depth — then the compiled template, found by the identity of the PHP string, "
	. "renders reading the array in place; the output is JSON by construction for this template, "
	. "proven when it was compiled), "
	. "`\$twig->render('single', \$event)`, and for the original `original_render(\$template, "
	. "original_flatten(\$event))`.";
$out[] = "";
array_push($out, ...rate_rows($s1, $labels, 1));
$out[] = "";
$out[] = "| ratio (same run) | median | slowest – fastest run | target |";
$out[] = "| --- | ---: | --- | --- |";
$out[] = ratio_row('mih / Twig', $s1['mih'], $s1['twig'], TARGET_VS_TWIG, $missed, 'scenario 1');
$out[] = ratio_row('mih / original', $s1['mih'], $s1['original'], TARGET_VS_ORIGINAL, $missed, 'scenario 1');
$out[] = ratio_row('mih (section-free template) / original, equal output', $s1['mih_plain'], $s1['original'], null, $missed, 'scenario 1');
$out[] = "";
$conv = median($s1['mih_conv']);
$one = median($s1['mih']);
$convshare = (1 / $conv) / (1 / $one);
$out[] = sprintf("A mih::render of a template with no tags over the same event costs %.2f µs, %.0f%% of "
	. "the %.2f µs of a full render: that is the part of each call spent checking the PHP array, "
	. "finding the template and returning the string, rather than rendering.",
	1e6 / $conv, 100 * $convshare, 1e6 / $one);
$out[] = "";

foreach ([3 => $rules3, 10 => $rules10] as $n => $rules) {
	progress("scenario 2: emit path, $n rules, $runs runs");
	$s2 = measure(emit_engines($rules, $twig, $events), $runs, $target);
	$out[] = "### Scenario 2: emit path, $n rules per event";
	$out[] = "";
	$out[] = "Each operation renders $n different rule templates for one event. The original flattens "
		. "the event once and runs its replace/decode/encode per rule; Twig renders the same array $n "
		. "times. **mih::render_each** is the emit path: the event array is checked once and the $n "
		. "compiled templates read it in place, as mih::emit does for the rules of an event (it "
		. "renders through the same code). The row \"$n × mih::render\" checks the array $n times.";
	$out[] = "";
	array_push($out, ...rate_rows($s2, ['mih' => "$n × mih::render"] + $labels, $n));
	$out[] = "";
	$out[] = "| ratio (same run) | median | slowest – fastest run | target |";
	$out[] = "| --- | ---: | --- | --- |";
	$out[] = ratio_row('mih::render_each / Twig', $s2['mih_each'], $s2['twig'], TARGET_VS_TWIG, $missed, "scenario 2 ($n rules)");
	$out[] = ratio_row('mih::render_each / original', $s2['mih_each'], $s2['original'], TARGET_VS_ORIGINAL, $missed, "scenario 2 ($n rules)");
	$out[] = ratio_row("$n × mih::render / Twig", $s2['mih'], $s2['twig'], null, $missed, "scenario 2 ($n rules)");
	$out[] = "";
}

$head = [];
$head[] = "## Template rendering (bench/template)";
$head[] = "";
$head[] = "One realistic payload template — a Slack incoming-webhook body (`bench/template/templates.php`, "
	. "`slack`) using eventname, component, action, target, crud, objectid, userid, relateduserid, "
	. "courseid, contextinstanceid, timecreated, `other` as a whole JSON value and `other.shortname`, "
	. "with two sections (`{{#relateduserid}}`, `{{#other.shortname}}`) — rendered in json mode for "
	. "each of the 13 sample events of `shared/moodle-events/samples.json`, in turn. The emit path "
	. "adds a CRM body and an audit body (sections over `other.username`, `relateduserid`, "
	. "`courseid`); with 10 rules, rule k is body k mod 3 wrapped as `{\"rule\": k, \"payload\": …}` "
	. "so that the 10 texts differ.";
$head[] = "";
$head[] = "- **Twig** (Debian's php-twig, " . \Twig\Environment::VERSION . "): `autoescape => 'js'` for "
	. "the tags inside JSON string literals — Twig's js strategy emits only `\\uXXXX` and the short "
	. "escapes that JSON also has, so the string content is valid JSON — and `|json_encode|raw` in "
	. "value positions (numbers, null, `other`). `cache => false`: templates are compiled once per "
	. "process and kept in memory as classes, like mih's cache. Twig's output is not re-parsed "
	. "(mih checks that its output is JSON; Twig is spared that cost). The row \"Twig, autoescape "
	. "off\" in scenario 1 shows that the escaping strategy is a small part of Twig's time, so another "
	. "JSON-safe choice (e.g. `|json_encode` everywhere) would not change the picture.";
$head[] = "- **original**: the plugin's `dispatch_event_task` loop (`bench/template/original.php`): "
	. "`str_replace('{{key}}', …)` for every key of the event data, strings escaped by `json_encode` "
	. "minus the quotes, then `json_decode` to validate and `json_encode` for the body the transport "
	. "sends. As published it only replaced top-level scalars (so `{{relateduserid}}` (null) and "
	. "`{{other}}` stayed in the text and every body here would be invalid JSON, and "
	. "`other.*` was unreachable); the baseline flattens the data into dotted keys and "
	. "`json_encode`s null and array values, which only adds work. It has no sections, so it renders "
	. "a section-free variant of each template (the conditional parts left out): it does strictly "
	. "less than mih; the row \"mih, the original's section-free template\" is the equal-work comparison.";
$head[] = "- PHP's CLI runs with its Debian php.ini (OPcache off for the CLI, as by default), because "
	. "Twig needs the mbstring and ctype modules loaded there.";
$head[] = "";
$head[] = "### Check before timing: the engines agree";
$head[] = "";
$head[] = "Every output is `json_decode`d and compared as JSON (key order ignored, types strict) for "
	. "each sample event: mih vs Twig on the full templates, and the original vs mih on the "
	. "original's section-free templates.";
$head[] = "";
$head[] = "| template | mih = Twig | original = mih (section-free) |";
$head[] = "| --- | ---: | ---: |";
array_push($head, ...$checkrows, ...$checkrows10);
$head[] = "";
$head[] = "Figures: median over $runs runs; each run times every engine for about {$target} s in "
	. SLICES . " slices, the engines' slices interleaved in a rotating order (so that a burst of load "
	. "on the shared machine falls on all of them); a ratio is the median of the per-run ratios "
	. "(both engines measured in the same run).";
$head[] = "";

$tail = [];
if ($missed) {
	$tail[] = "### Targets missed";
	$tail[] = "";
	foreach ($missed as $m) {
		$tail[] = "- $m";
	}
	$tail[] = "";
	array_push($tail, ...where_time_goes($one, $conv, median($s1['twig']), median($s1['original'])));
}
echo implode("\n", array_merge($head, $out, $tail)), "\n";
exit($missed ? 3 : 0);
