<?php
/* Writes package.xml (PECL package 2.0) with a <contents> listing every
 * source, config, test and doc file of the extension, or with --check
 * fails when the committed package.xml differs from what it would write
 * (a file added to ext/ or tests/ but missing from package.xml).
 * Version, date, stability, notes and the <changelog> come from
 * CHANGELOG.md (its "## VERSION (DATE, STABILITY)" headings, newest first),
 * the product's one source of truth for releases; the version must also be
 * PHP_MIH_VERSION of ext/php_mih.h. */
$root = dirname(__DIR__);
$check = in_array('--check', $argv, true);

$roles = [];
$add = function (string $path, string $role) use (&$roles, $root) {
    if (is_file("$root/$path")) {
        $roles[$path] = $role;
    }
};
foreach (['config.m4', 'config.w32'] as $f) {
    $add($f, 'src');
}
foreach (['README.md', 'LICENSE', 'CHANGELOG.md'] as $f) {
    $add($f, 'doc');
}
$walk = function (string $dir, string $role, array $exts) use (&$walk, $add, $root) {
    foreach (scandir("$root/$dir") as $name) {
        if ($name[0] === '.') {
            continue;
        }
        $path = "$dir/$name";
        if (is_dir("$root/$path")) {
            $walk($path, $role, $exts);
        } elseif (in_array(pathinfo($name, PATHINFO_EXTENSION), $exts, true)
            || in_array($name, ['Makefile'], true)) {
            $add($path, $role);
        }
    }
};
// In a git checkout the tracked files are the package (helpers' work in
// progress is not); elsewhere, whatever the tree holds.
exec('git -C ' . escapeshellarg($root) . ' ls-files -- ext tests 2>/dev/null', $tracked, $rc);
if ($rc === 0 && $tracked) {
    foreach ($tracked as $path) {
        $ext = pathinfo($path, PATHINFO_EXTENSION);
        if (str_starts_with($path, 'ext/') && in_array($ext, ['c', 'h', 'php'], true)) {
            $add($path, 'src');
        } elseif (str_starts_with($path, 'tests/') && (in_array($ext, ['phpt', 'inc', 'c', 'h', 'json'], true)
                || basename($path) === 'Makefile')) {
            $add($path, 'test');
        }
    }
} else {
    $walk('ext', 'src', ['c', 'h', 'php']);
    $walk('tests', 'test', ['phpt', 'inc', 'c', 'h', 'json']);
}
ksort($roles);

// The releases of CHANGELOG.md, newest first.
$releases = [];
$changelog = (string) @file_get_contents("$root/CHANGELOG.md");
$parts = preg_split('/^## /m', $changelog);
array_shift($parts);
foreach ($parts as $part) {
    if (!preg_match('/\A(\d+\.\d+\.\d+) \((\d{4}-\d{2}-\d{2}), (alpha|beta|stable)\)\n(.*)\z/s', $part, $m)) {
        fwrite(STDERR, "CHANGELOG.md: a release heading is not \"## X.Y.Z (YYYY-MM-DD, alpha|beta|stable)\": ## "
            . strtok($part, "\n") . "\n");
        exit(1);
    }
    $notes = trim(preg_replace('/^- /m', '* ', $m[4]));
    if ($notes === '') {
        fwrite(STDERR, "CHANGELOG.md: release $m[1] has no notes\n");
        exit(1);
    }
    $releases[] = ['version' => $m[1], 'date' => $m[2], 'stability' => $m[3], 'notes' => $notes];
}
if (!$releases) {
    fwrite(STDERR, "CHANGELOG.md has no release heading\n");
    exit(1);
}
$current = $releases[0];
$version = $current['version'];
$date = $current['date'];
$stability = $current['stability'];
if (!preg_match('/#define PHP_MIH_VERSION "([^"]+)"/', (string) @file_get_contents("$root/ext/php_mih.h"), $m)
        || $m[1] !== $version) {
    fwrite(STDERR, "ext/php_mih.h PHP_MIH_VERSION is not CHANGELOG.md's newest release $version\n");
    exit(1);
}
$indent = function (string $text, string $pad): string {
    return $pad . str_replace("\n", "\n$pad", htmlspecialchars($text, ENT_XML1));
};
$notes = $indent($current['notes'], '  ');
$history = '';
foreach ($releases as $r) {
    $history .= "  <release>\n   <date>{$r['date']}</date>\n   <version>\n    <release>{$r['version']}</release>\n"
        . "    <api>{$r['version']}</api>\n   </version>\n   <stability>\n    <release>{$r['stability']}</release>\n"
        . "    <api>{$r['stability']}</api>\n   </stability>\n"
        . "   <license uri=\"https://opensource.org/licenses/MIT\">MIT</license>\n"
        . "   <notes>\n" . $indent($r['notes'], '    ') . "\n   </notes>\n  </release>\n";
}
$files = '';
foreach ($roles as $path => $role) {
    $files .= "   <file name=\"" . htmlspecialchars($path) . "\" role=\"$role\"/>\n";
}
$xml = <<<XML
<?xml version="1.0" encoding="UTF-8"?>
<package packagerversion="1.10.13" version="2.0" xmlns="http://pear.php.net/dtd/package-2.0" xmlns:tasks="http://pear.php.net/dtd/tasks-1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://pear.php.net/dtd/tasks-1.0 http://pear.php.net/dtd/tasks-1.0.xsd http://pear.php.net/dtd/package-2.0 http://pear.php.net/dtd/package-2.0.xsd">
 <name>mih</name>
 <channel>pecl.php.net</channel>
 <summary>Integration Hub for Moodle: one reliable gateway to external HTTP services</summary>
 <description>A native gateway for Moodle (and any PHP application) to external services:
synchronous requests through named services, event rules with compiled payload templates, a
durable queue with retries, a host-wide circuit breaker, a dead-letter queue and signed webhooks.</description>
 <lead>
  <name>mih developers</name>
  <user>mih</user>
  <email>mih@localhost</email>
  <active>yes</active>
 </lead>
 <date>$date</date>
 <version>
  <release>$version</release>
  <api>$version</api>
 </version>
 <stability>
  <release>$stability</release>
  <api>$stability</api>
 </stability>
 <license uri="https://opensource.org/licenses/MIT">MIT</license>
 <notes>
$notes
 </notes>
 <contents>
  <dir name="/">
$files  </dir>
 </contents>
 <dependencies>
  <required>
   <php>
    <min>8.2.0</min>
   </php>
   <pearinstaller>
    <min>1.10.0</min>
   </pearinstaller>
  </required>
 </dependencies>
 <providesextension>mih</providesextension>
 <extsrcrelease/>
 <changelog>
$history </changelog>
</package>

XML;

if ($check) {
    $current = @file_get_contents("$root/package.xml");
    if ($current !== $xml) {
        fwrite(STDERR, "package.xml is out of date (a file is missing or stale): run php scripts/package.php\n");
        exit(1);
    }
    echo "package.xml lists all " . count($roles) . " files\n";
    exit(0);
}
file_put_contents("$root/package.xml", $xml);
echo "wrote package.xml with " . count($roles) . " files\n";
