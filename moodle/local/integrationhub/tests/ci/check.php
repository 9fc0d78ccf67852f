<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

/**
 * CI check of local_integrationhub that runs without Moodle.
 *
 * 1. php -l on every PHP file of the plugin;
 * 2. db/install.xml is well-formed XMLDB (fields, keys, indexes, names, references) and declares
 *    exactly the tables and columns of the extension's own schema (those a new embedded SQLite store creates), plus
 *    the plugin's own inbound tables;
 * 3. with the extension loaded: the observer, the binding and the queue task run over a stand-in
 *    of Moodle's $DB (tests/moodle_db.inc) and minimal fakes of the Moodle functions they call:
 *    a cookbook rule queues the exact payload with username and ip, an event without a rule costs
 *    no query, an anonymous event carries neither field, the task prints its counts; then the forms,
 *    the upgrade, the privacy provider, the queue page, the inbound endpoint (check_inbound.php: the real
 *    webhook.php under PHP's built-in server, driven by a real sender), the pure-PHP plugin's classes
 *    (check_compat.php, against a real receiver); and the environment check (environment.xml) passes
 *    with the loaded extension and fails, naming the minimum version, without it or with an older one
 *    (check_environment.php).
 *
 * Usage: php -d extension=modules/mih.so moodle/local/integrationhub/tests/ci/check.php
 * (pdo_sqlite is needed for part 3; without the extension part 3 is reported as skipped).
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// phpcs:disable moodle.Files.MoodleInternal.MoodleInternalGlobalState
// phpcs:disable moodle.Files.RequireLogin.Missing

$plugin = dirname(__DIR__, 2);
$root = dirname($plugin, 3);
$failures = 0;
$checks = 0;

/**
 * Records one check.
 *
 * @param bool $ok
 * @param string $what
 */
function check(bool $ok, string $what): void {
    global $failures, $checks;
    $checks++;
    if (!$ok) {
        $failures++;
        fwrite(STDERR, "FAIL: $what\n");
    }
}

// 1. Lint.
// The npm build's node_modules (scripts/build-amd.sh) is not part of the plugin.
$files = new RecursiveIteratorIterator(new RecursiveCallbackFilterIterator(
    new RecursiveDirectoryIterator($plugin, FilesystemIterator::SKIP_DOTS),
    fn($file) => $file->getFilename() !== 'node_modules'
));
$linted = 0;
foreach ($files as $file) {
    if ($file->getExtension() !== 'php') {
        continue;
    }
    $out = [];
    exec(escapeshellarg(PHP_BINARY) . ' -n -l ' . escapeshellarg($file->getPathname()) . ' 2>&1', $out, $rc);
    check($rc === 0, 'php -l ' . $file->getPathname() . ': ' . implode(' ', $out));
    $text = file_get_contents($file->getPathname());
    check(str_contains($text, 'GNU General Public License'), 'GPL header in ' . $file->getPathname());
    $linted++;
}
echo "lint: $linted PHP files\n";

// 2. install.xml.
$doc = new DOMDocument();
check(@$doc->load($plugin . '/db/install.xml') === true, 'db/install.xml is well-formed XML');
$rootel = $doc->documentElement;
check(
    $rootel && $rootel->nodeName === 'XMLDB' && $rootel->getAttribute('PATH') === 'local/integrationhub/db',
    'install.xml root is <XMLDB PATH="local/integrationhub/db">'
);
$xmltables = [];
foreach ($doc->getElementsByTagName('TABLE') as $table) {
    $name = $table->getAttribute('NAME');
    check(preg_match('/^[a-z][a-z0-9_]*$/', $name) && strlen($name) <= 28, "table name $name (lowercase, at most 28 characters)");
    check(!isset($xmltables[$name]), "table $name declared once");
    $fields = [];
    $lengths = [];
    foreach ($table->getElementsByTagName('FIELD') as $field) {
        $fname = $field->getAttribute('NAME');
        $type = $field->getAttribute('TYPE');
        check(preg_match('/^[a-z][a-z0-9_]*$/', $fname) && strlen($fname) <= 30, "$name.$fname: field name");
        check(!isset($fields[$fname]), "$name.$fname declared once");
        check(in_array($type, ['int', 'char', 'text', 'number', 'binary'], true), "$name.$fname: TYPE $type");
        if (in_array($type, ['int', 'char', 'number'], true)) {
            check(preg_match('/^[0-9]+$/', $field->getAttribute('LENGTH')) === 1, "$name.$fname: LENGTH");
        }
        if ($type === 'number') {
            check(preg_match('/^[0-9]+$/', $field->getAttribute('DECIMALS')) === 1, "$name.$fname: DECIMALS");
        }
        check(in_array($field->getAttribute('NOTNULL'), ['true', 'false'], true), "$name.$fname: NOTNULL");
        $lengths[$fname] = (int)$field->getAttribute('LENGTH');
        check($fname !== 'id' || $field->getAttribute('SEQUENCE') === 'true', "$name.id is the SEQUENCE");
        $fields[$fname] = $type;
    }
    check(array_key_first($fields) === 'id', "$name: id is the first field");
    $haspk = false;
    foreach (['KEY', 'INDEX'] as $tag) {
        $names = [];
        foreach ($table->getElementsByTagName($tag) as $el) {
            $kname = $el->getAttribute('NAME');
            check(!isset($names[$kname]), "$name: $tag $kname declared once");
            $names[$kname] = true;
            // The sizes xmldb_index::validateDefinition() counts: Moodle refuses to create an index over
            // 999 bytes (a char counted as 3), or over a text or binary column.
            $bytes = 0;
            foreach (explode(',', $el->getAttribute('FIELDS')) as $kf) {
                $kf = trim($kf);
                check(isset($fields[$kf]), "$name: $tag $kname names existing field $kf");
                $ktype = $fields[$kf] ?? '';
                check(!in_array($ktype, ['text', 'binary'], true), "$name: $tag $kname: no $ktype column ($kf) in an index");
                $bytes += ['int' => 8, 'number' => 12, 'char' => 3 * ($lengths[$kf] ?? 0)][$ktype] ?? 0;
            }
            check($bytes <= 999, "$name: $tag $kname spans $bytes bytes of the 999 Moodle allows");
            if ($tag === 'KEY' && $el->getAttribute('TYPE') === 'primary') {
                $haspk = $el->getAttribute('FIELDS') === 'id';
            }
            if ($tag === 'KEY' && str_starts_with($el->getAttribute('TYPE'), 'foreign')) {
                $reftables[] = [$name, $el->getAttribute('REFTABLE')];
            }
        }
    }
    check($haspk, "$name: primary key on id");
    $xmltables[$name] = $fields;
}
foreach ($reftables ?? [] as [$from, $to]) {
    check(isset($xmltables[$to]), "$from: foreign key to a declared table ($to)");
}

if (!class_exists('local_integrationhub\\mih', false) || !extension_loaded('pdo_sqlite')) {
    echo "install.xml: " . count($xmltables) . " tables (schema not compared: needs the mih extension and pdo_sqlite)\n";
} else {
    // The extension's own schema, as it creates it in a new embedded SQLite file (store_sqlite.c).
    $schemafile = tempnam(sys_get_temp_dir(), 'mihschema');
    unlink($schemafile);
    \local_integrationhub\mih::use_sqlite($schemafile);
    \local_integrationhub\mih::services();
    $pdo = new PDO('sqlite:' . $schemafile);
    $ctables = [];
    $names = $pdo->query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
        ->fetchAll(PDO::FETCH_COLUMN);
    foreach ($names as $table) {
        $columns = array_column($pdo->query('PRAGMA table_info(' . $table . ')')->fetchAll(PDO::FETCH_ASSOC), 'name');
        $ctables[$table] = $columns;
    }
    $pdo = null;
    foreach (['', '-wal', '-shm'] as $suffix) {
        @unlink($schemafile . $suffix);
    }
    $sqlitenames = array_keys($ctables);
    // The plugin's own tables (inbound webhooks, written by the plugin, not by the extension's store).
    $pluginonly = ['local_integrationhub_inbound', 'local_integrationhub_seen'];
    $xmlnames = array_values(array_diff(array_keys($xmltables), $pluginonly));
    sort($sqlitenames);
    sort($xmlnames);
    check($sqlitenames === $xmlnames, 'install.xml declares the tables of the embedded store: ' . implode(', ', $sqlitenames));
    foreach ($ctables as $table => $columns) {
        $declared = array_keys($xmltables[$table] ?? []);
        $missing = array_diff($columns, $declared);
        $extra = array_diff($declared, $columns);
        check(!$missing && !$extra, "$table: columns match the embedded store" .
            ($missing ? ' (missing in install.xml: ' . implode(', ', $missing) . ')' : '') .
            ($extra ? ' (not in the embedded store: ' . implode(', ', $extra) . ')' : ''));
    }
    echo "install.xml: " . count($xmltables) . " tables, compared with the schema of a new embedded SQLite store\n";
}

// 3. Plugin logic over the extension.
if (!class_exists('local_integrationhub\\mih', false) || !extension_loaded('pdo_sqlite')) {
    echo "logic: skipped (needs the mih extension and pdo_sqlite)\n";
} else {
    require(__DIR__ . '/fakes.php');
    require(__DIR__ . '/check_environment.php');
    local_integrationhub_ci_environment($plugin);
    local_integrationhub_ci_logic($plugin, $root);
    // The privacy fakes declare the context classes the queue check only declares when missing.
    require(__DIR__ . '/check_privacy.php');
    require(__DIR__ . '/check_queue.php');
    require(__DIR__ . '/check_inbound.php');
    local_integrationhub_ci_inbound($plugin, $root);
    require(__DIR__ . '/check_compat.php');
    local_integrationhub_ci_compat($plugin, $root);
}

echo $failures ? "plugin check: $failures of $checks checks FAILED\n" : "plugin check: all $checks checks passed\n";
exit($failures ? 1 : 0);
