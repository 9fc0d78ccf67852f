--TEST--
dbstore: mih::run_queue() forgets expired dedupe keys at the end of its run, oldest first and at most 1000 a run, never a fresh one; a forgotten key queues its event again, a fresh one does not; on every engine
--EXTENSIONS--
mih
pdo
pdo_sqlite
--INI--
mih.dedupe_ttl=3600
--FILE--
<?php
require __DIR__ . '/../server.inc';
require __DIR__ . '/../children.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
$DB = $GLOBALS['DB'] ?? null;
$prefix = $DB ? $DB->get_prefix() : '';
/* Another connection's view of the database, to age keys and count them. */
$other = $DB instanceof mih_test_moodle_server_db ? mih_test_moodle_db_for($GLOBALS['MIH_TEST_STORE_FILE'])->raw_pdo()
    : new PDO('sqlite:' . ($DB ? $DB->export_dbconfig()->dbname : $GLOBALS['MIH_TEST_STORE_FILE']),
        null, null, [PDO::ATTR_TIMEOUT => 10]);
$table = $prefix . 'local_integrationhub_dedupe';
$keys = fn() => array_map('strval', $other->query("SELECT dedupekey FROM $table ORDER BY dedupekey")->fetchAll(PDO::FETCH_COLUMN));
$age = function (array $keys, int $seconds) use ($other, $table): void {
    $stmt = $other->prepare("UPDATE $table SET timecreated = timecreated - ? WHERE dedupekey = ?");
    foreach ($keys as $k) {
        $stmt->execute([$seconds, $k]);
    }
};

mih::save_service(['name' => 'lms', 'base_url' => $srv->url]);
mih::save_rule(['eventname' => '\core\event\course_completed', 'service' => 'lms', 'endpoint' => '/done/{{objectid}}']);
$event = fn(int $n) => ['eventname' => '\core\event\course_completed', 'component' => 'core', 'action' => 'completed',
    'target' => 'course', 'objecttable' => 'course_completions', 'objectid' => $n, 'crud' => 'u', 'edulevel' => 2,
    'contextid' => 30, 'contextlevel' => 50, 'contextinstanceid' => 3, 'userid' => 2, 'courseid' => 3,
    'relateduserid' => 7, 'anonymous' => 0, 'other' => null, 'timecreated' => 1795600000];
$emit = fn(string $key) => count(mih::emit('\core\event\course_completed', $event(1), ['dedupe_key' => $key]));

foreach (['a', 'b', 'c', 'd'] as $k) {
    $emit($k);
}
/* a and b are past the ttl, c is well within it, d is new. */
$age(['a', 'b'], 3600);
$age(['c'], 3000);
$r = mih::run_queue();
echo "run: delivered {$r['delivered']}; keys left: ", implode(' ', $keys()), "\n";
echo "a again: ", $emit('a'), " task, c again: ", $emit('c'), " tasks\n";
mih::run_queue();

echo "-- at most 1000 a run, oldest first\n";
$old = time() - 7200;
$insert = $other->prepare("INSERT INTO $table (dedupekey, timecreated) VALUES (?, ?)");
$other->beginTransaction();
for ($i = 0; $i < 1005; $i++) {
    $insert->execute([sprintf('bulk-%04d', $i), $old + $i]);
}
$other->commit();
$count = fn() => (int)$other->query("SELECT COUNT(*) FROM $table")->fetchColumn();
echo "keys before: ", $count(), "\n";
mih::run_queue();
echo "after one run: ", $count(), "; the oldest left: ",
    $other->query("SELECT MIN(dedupekey) FROM $table WHERE dedupekey LIKE 'bulk-%'")->fetchColumn(), "\n";
mih::run_queue();
echo "after two runs: ", $count(), " (", implode(' ', $keys()), ")\n";

echo "-- a worker's prune meets an emit reviving the same expired key in an open transaction\n";
/* On PostgreSQL and MariaDB the prune's DELETE waits for the emit's
 * transaction (seen in pg_stat_activity or the process list), then finds
 * the old row gone and leaves the new one; the emit's transaction goes on
 * and commits. The embedded store serializes them: the emit commits first. */
$other->prepare("INSERT INTO $table (dedupekey, timecreated) VALUES (?, ?)")->execute(['race', time() - 2 * 86400]);
$dir = sys_get_temp_dir() . '/mih-dedupe-prune-' . getmypid() . '-' . bin2hex(random_bytes(4));
mkdir($dir, 0700);
$first = new mih_test_child('dedupe_child.inc', ['first', 'race', $dir, getmypid()]);
$deadline = microtime(true) + 30;
while (!file_exists("$dir/first.emitted") && $first->running() && microtime(true) < $deadline) {
    usleep(5000);
}
$worker = new mih_test_child('worker_child.inc', ['30', '{}']);
$engine = mih_test_engine();
$waits = true;
if ($engine === 'pgsql' || $engine === 'mysql') {
    $sql = $engine === 'pgsql'
        ? "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM %local_integrationhub_dedupe%'"
        : "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND = 'Query' AND INFO LIKE 'DELETE FROM %local_integrationhub_dedupe%'";
    $waits = false;
    $deadline = microtime(true) + 30;
    while (!$waits && $worker->running() && microtime(true) < $deadline) {
        $waits = (int)$other->query($sql)->fetchColumn() > 0;
        usleep(5000);
    }
}
echo "the prune waits for the emit's transaction: ", $waits ? 'yes' : 'no', "\n";
touch("$dir/first.commit");
$rc = [$first->wait(60), $worker->wait(60)];
echo $first->output();
echo 'exit codes: ', implode(' ', $rc), ', worker done: ', str_contains($worker->output(), 'DONE') ? 'yes' : 'no', "\n";
echo "the revived key is kept: ", (int)$other->query("SELECT COUNT(*) FROM $table WHERE dedupekey = 'race' AND timecreated > " . (time() - 600))->fetchColumn(), "\n";
$other->exec("DELETE FROM {$prefix}local_integrationhub_meta WHERE name LIKE 'after-%'");
if (!$DB) {
    mih::delete_service('after-first');
}
array_map('unlink', glob("$dir/*"));
rmdir($dir);
?>
--EXPECT--
run: delivered 4; keys left: c d
a again: 1 task, c again: 0 tasks
-- at most 1000 a run, oldest first
keys before: 1008
after one run: 8; the oldest left: bulk-1000
after two runs: 3 (a c d)
-- a worker's prune meets an emit reviving the same expired key in an open transaction
the prune waits for the emit's transaction: yes
first: emit returned 1 task id
first: wrote a row after the emit and committed
exit codes: 0 0, worker done: yes
the revived key is kept: 1
