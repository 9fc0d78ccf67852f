#!/bin/sh
# Checks the layout rules of ext/ (README, "Layout"), run by scripts/test.sh:
# - no include cycle between the extension's own files (an #include "x.h"
#   resolves to the ext/ file of that name: every folder is on the include
#   path, see config.m4);
# - the cores (ext/core/) include no Zend glue header and no PHP header;
# - no .c or .h file over 600 lines unless a line near its top (within the
#   first 40) gives the reason, starting "Why this file is long:". Generated
#   files (first line "This is a generated file") are exempt.
set -eu
cd "$(dirname "$0")/.."
php -n <<'PHP'
<?php
$max = 600;
$files = [];
$it = new RecursiveIteratorIterator(new RecursiveDirectoryIterator('ext', FilesystemIterator::SKIP_DOTS));
foreach ($it as $f) {
    $p = $f->getPathname();
    if (preg_match('/\.[ch]$/', $p) && !str_contains($p, '/.libs/')) {
        $files[] = $p;
    }
}
sort($files);
$byname = [];
foreach ($files as $p) {
    $byname[basename($p)][] = $p;
}
$errors = [];
foreach ($byname as $name => $paths) {
    if (count($paths) > 1) {
        $errors[] = "two files named $name (includes go by name): " . implode(', ', $paths);
    }
}
$edges = [];
foreach ($files as $p) {
    $lines = file($p);
    $core = str_starts_with($p, 'ext/core/');
    foreach ($lines as $n => $line) {
        if (!preg_match('/^\s*#\s*include\s+"([^"]+)"/', $line, $m)) {
            continue;
        }
        $inc = $m[1];
        if (isset($byname[basename($inc)])) {
            $target = $byname[basename($inc)][0];
            $edges[$p][] = $target;
            if ($core && !str_starts_with($target, 'ext/core/')) {
                $errors[] = "$p:" . ($n + 1) . ": a core includes the glue header $target";
            }
        } elseif ($core) {
            $errors[] = "$p:" . ($n + 1) . ": a core includes \"$inc\" (PHP or Zend): the cores are plain C";
        }
    }
    if (count($lines) > $max && !str_contains($lines[0], 'This is a generated file')) {
        $head = implode('', array_slice($lines, 0, 40));
        if (!str_contains($head, 'Why this file is long:')) {
            $errors[] = "$p has " . count($lines) . " lines (over $max) and no \"Why this file is long:\" reason at its top";
        }
    }
}
/* cycles: depth-first search with colours */
$colour = [];
$stack = [];
$visit = function (string $v) use (&$visit, &$colour, &$stack, &$edges, &$errors): void {
    $colour[$v] = 1;
    $stack[] = $v;
    foreach ($edges[$v] ?? [] as $w) {
        if (($colour[$w] ?? 0) === 1) {
            $cycle = array_slice($stack, array_search($w, $stack, true));
            $errors[] = 'include cycle: ' . implode(' -> ', $cycle) . " -> $w";
        } elseif (($colour[$w] ?? 0) === 0) {
            $visit($w);
        }
    }
    array_pop($stack);
    $colour[$v] = 2;
};
foreach ($files as $p) {
    if (($colour[$p] ?? 0) === 0) {
        $visit($p);
    }
}
if ($errors) {
    file_put_contents("php://stderr", implode("\n", $errors) . "\nlayout check failed (scripts/check-layout.sh)\n");
    exit(1);
}
echo "layout: " . count($files) . " files in ext/, no include cycle, cores free of Zend, long files explained\n";
PHP
