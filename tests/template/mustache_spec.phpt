--TEST--
mih::render in html mode passes the Mustache spec (core suites required, optional suites reported)
--EXTENSIONS--
mih
--SKIPIF--
<?php
if (!is_dir(__DIR__ . '/../../../shared/mustache-spec')) {
    die('skip the Mustache spec is not beside the repository (../shared/mustache-spec)');
}
?>
--FILE--
<?php
use local_integrationhub\mih;

$dir = __DIR__ . '/../../../shared/mustache-spec';
$core = ['comments', 'delimiters', 'interpolation', 'inverted', 'partials', 'sections'];
$totals = ['core' => [0, 0], 'optional' => [0, 0]];
foreach (glob("$dir/*.json") as $file) {
    $suite = basename($file, '.json');
    if ($suite === '~lambdas') {
        continue;
    }
    $kind = in_array($suite, $core, true) ? 'core' : 'optional';
    foreach (json_decode(file_get_contents($file), true)['tests'] as $t) {
        try {
            $out = mih::render($t['template'], $t['data'], 'html', $t['partials'] ?? []);
        } catch (Throwable $e) {
            $out = get_class($e) . ': ' . $e->getMessage();
        }
        if ($out === $t['expected']) {
            $totals[$kind][0]++;
        } else {
            $totals[$kind][1]++;
            if ($kind === 'core') {
                echo "FAIL $suite: {$t['name']}\n";
            }
        }
    }
}
printf("core: %d passed, %d failed\n", ...$totals['core']);
printf("optional (~inheritance, ~dynamic-names): %d passed, %d failed\n", ...$totals['optional']);
?>
--EXPECT--
core: 136 passed, 0 failed
optional (~inheritance, ~dynamic-names): 48 passed, 0 failed
