<?php
/* Checks composer.json, the package description PIE (the PHP Foundation's
 * extension installer) reads:
 * - against Composer's own schema (Debian's composer package) and our
 *   transcription of PIE's documented php-ext schema
 *   (scripts/pie/php-ext.schema.json), with Debian's php-json-schema;
 * - its configure-options are exactly the --enable/--with options that
 *   config.m4 declares, extension-name is config.m4's extension and
 *   priority is the one of the Debian package's mih.ini;
 * - and, so that the check is known to fail, that a few broken copies of it
 *   are rejected. */
$root = dirname(__DIR__);
require '/usr/share/php/JsonSchema/autoload.php';

$failures = 0;
function fail(string $why): void
{
    global $failures;
    $failures++;
    fwrite(STDERR, "composer.json: $why\n");
}

/** @return string[] the schema errors of $data, "" for none */
function schema_errors(object $data, string $schemafile): array
{
    $validator = new JsonSchema\Validator();
    $schema = json_decode(file_get_contents($schemafile));
    $validator->validate($data, $schema);
    $errors = [];
    foreach ($validator->getErrors() as $e) {
        $errors[] = ($e['property'] !== '' ? $e['property'] . ': ' : '') . $e['message'];
    }
    return $errors;
}

$composerschema = '/usr/share/php/data/Composer/res/composer-schema.json';
if (!is_file($composerschema)) {
    fwrite(STDERR, "$composerschema not found: install Debian's composer package\n");
    exit(1);
}
$pieschema = "$root/scripts/pie/php-ext.schema.json";
$text = file_get_contents("$root/composer.json");
$json = json_decode($text, false, 512, JSON_THROW_ON_ERROR);
$all = function (object $data) use ($composerschema, $pieschema): array {
    return array_merge(schema_errors($data, $composerschema), schema_errors($data, $pieschema));
};
foreach ($all($json) as $e) {
    fail($e);
}

// configure-options against config.m4.
$m4 = file_get_contents("$root/config.m4");
preg_match_all('/^\s*PHP_ARG_(ENABLE|WITH)\(\[?([a-z0-9_-]+)\]?/mi', $m4, $m, PREG_SET_ORDER);
$declared = [];
foreach ($m as $arg) {
    $declared[] = (strtoupper($arg[1]) === 'ENABLE' ? 'enable-' : 'with-') . str_replace('_', '-', $arg[2]);
}
$listed = [];
foreach ($json->{'php-ext'}->{'configure-options'} ?? [] as $opt) {
    $listed[] = preg_replace(['/^disable-/', '/^without-/'], ['enable-', 'with-'], $opt->name);
    if (($opt->description ?? '') === '') {
        fail("configure option {$opt->name} has no description");
    }
}
sort($declared);
sort($listed);
if (!$declared) {
    fail('no PHP_ARG_ENABLE or PHP_ARG_WITH found in config.m4');
}
if ($declared !== $listed) {
    fail('configure-options (' . implode(', ', $listed) . ') are not the options config.m4 declares ('
        . implode(', ', $declared) . ')');
}
if (!preg_match('/PHP_NEW_EXTENSION\((\w+),/', $m4, $ext) || ($json->{'php-ext'}->{'extension-name'} ?? '') !== $ext[1]) {
    fail('php-ext.extension-name is not the extension config.m4 builds');
}
$ini = (string) @file_get_contents("$root/debian/mih.ini");
if (!preg_match('/^; priority=(\d+)$/m', $ini, $p) || (int) $p[1] !== ($json->{'php-ext'}->priority ?? 0)) {
    fail('php-ext.priority is not the "; priority=" of debian/mih.ini');
}

// Broken copies must be rejected, or the schema check proves nothing.
$broken = [
    'priority 5' => function ($d) { $d->{'php-ext'}->priority = 5; },
    'os-families with os-families-exclude' => function ($d) { $d->{'php-ext'}->{'os-families-exclude'} = ['windows']; },
    'an unknown OS family' => function ($d) { $d->{'php-ext'}->{'os-families'} = ['linux', 'plan9']; },
    'a configure option named "--enable-mih"' => function ($d) { $d->{'php-ext'}->{'configure-options'}[0]->name = '--enable-mih'; },
    'a misspelt key' => function ($d) { $d->{'php-ext'}->{'extension_name'} = 'mih'; },
    'no package name' => function ($d) { unset($d->name); },
    'a licence that is not SPDX-shaped' => function ($d) { $d->license = 42; },
];
foreach ($broken as $what => $break) {
    $copy = json_decode($text);
    $break($copy);
    if (!$all($copy)) {
        fail("the schema check accepts a copy with $what");
    }
}

if ($failures) {
    exit(1);
}
echo "composer.json: valid for Composer and PIE's php-ext schema; configure-options = config.m4's ("
    . implode(', ', $declared) . "); " . count($broken) . " broken copies rejected\n";
