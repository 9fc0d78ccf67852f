--TEST--
dbstore: two processes emitting the same dedupe key at once, new or expired, queue the event once: the second waits for the first's transaction, then reads the key as seen (no task ids) and its own transaction goes on and commits; on every engine
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../server.inc';
require __DIR__ . '/../children.inc';
use local_integrationhub\mih;

/* Each child opens a delegated transaction on the Moodle backends and emits
 * the same key; the first holds its transaction open until the second is
 * waiting for it: on PostgreSQL and MariaDB the second's session is seen
 * waiting for a lock (pg_stat_activity, INNODB_TRX), on SQLite (BEGIN
 * IMMEDIATE) it has started and not returned. The embedded store has no
 * caller's transaction: the first's emit commits before the second starts. */
mih::save_service(['name' => 'lms', 'base_url' => 'http://127.0.0.1:9']);
mih::save_rule(['eventname' => '\core\event\course_completed', 'service' => 'lms', 'endpoint' => '/done/{{objectid}}']);
$engine = mih_test_engine();
$DB = $GLOBALS['DB'] ?? null;
$prefix = $DB ? $DB->get_prefix() : '';
/* Another connection's view of the database. */
$other = match (true) {
    $DB instanceof mih_test_moodle_server_db => mih_test_moodle_db_for($GLOBALS['MIH_TEST_STORE_FILE'])->raw_pdo(),
    default => new PDO('sqlite:' . $GLOBALS['MIH_TEST_STORE_FILE'], null, null, [PDO::ATTR_TIMEOUT => 10]),
};
$count = fn(string $table, string $where = '1 = 1', array $params = []) =>
    (int)(($s = $other->prepare("SELECT COUNT(*) FROM $prefix$table WHERE $where")) && $s->execute($params) ? $s->fetchColumn() : -1);

function wait_for(string $file, mih_test_child $child): bool
{
    $deadline = microtime(true) + 30;
    while (!file_exists($file) && microtime(true) < $deadline) {
        if (!$child->running() && !file_exists($file)) {
            return false;
        }
        usleep(5000);
    }
    return file_exists($file);
}

/* Whether the session $session is seen waiting in a write to the dedupe
 * table (for a lock: PostgreSQL's pg_stat_activity says so; MariaDB's
 * INNODB_TRX may not yet, its PROCESSLIST shows the statement running),
 * within 30 s; false as soon as the second's emit has returned. */
function lock_wait_seen(PDO $other, string $engine, string $session, string $returned): bool
{
    $sql = match ($engine) {
        'pgsql' => "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = ? AND wait_event_type = 'Lock'",
        'mysql' => "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ? AND COMMAND = 'Query'"
            . " AND INFO LIKE '%local_integrationhub_dedupe%' AND INFO NOT LIKE 'SELECT%'",
    };
    $stmt = $other->prepare($sql);
    $deadline = microtime(true) + 30;
    do {
        $stmt->execute([$session]);
        if ((int)$stmt->fetchColumn() > 0) {
            return true;
        }
        usleep(5000);
    } while (!file_exists($returned) && microtime(true) < $deadline);
    return false;
}

function race(string $key): void
{
    global $engine, $DB, $count;
    $dir = sys_get_temp_dir() . '/mih-dedupe-race-' . getmypid() . '-' . bin2hex(random_bytes(4));
    mkdir($dir, 0700);
    $tasks = count(mih::tasks(['limit' => 100]));
    $first = new mih_test_child('dedupe_child.inc', ['first', $key, $dir, getmypid()]);
    if (!wait_for("$dir/first.emitted", $first)) {
        echo "first did not emit:\n", $first->output();
        return;
    }
    $second = new mih_test_child('dedupe_child.inc', ['second', $key, $dir, getmypid()]);
    $waiting = wait_for("$dir/second.started", $second);
    if ($waiting && ($engine === 'pgsql' || $engine === 'mysql')) {
        $waiting = lock_wait_seen($GLOBALS['other'], $engine, file_get_contents("$dir/second.session"), "$dir/second.emitted");
    } else if ($waiting && $DB) {
        usleep(300000);
    }
    /* On the embedded store the first's emit committed before the second started. */
    $waiting = $waiting && ($DB === null || !file_exists("$dir/second.emitted"));
    echo 'the second\'s emit waits for the first\'s commit: ', $waiting ? 'yes' : 'no', "\n";
    touch("$dir/first.commit");
    $rc = [$first->wait(60), $second->wait(60)];
    echo $first->output(), $second->output();
    echo 'exit codes: ', implode(' ', $rc), "\n";
    echo 'tasks queued: ', count(mih::tasks(['limit' => 100])) - $tasks, "\n";
    echo "rows for the key: ", $count('local_integrationhub_dedupe', 'dedupekey = ?', [$key]), "\n";
    echo "second's own row committed: ", $DB ? $count('local_integrationhub_meta', "name = 'after-second'")
        : (int)(mih::service('after-second') !== null), "\n";
    if ($DB) {
        $GLOBALS['other']->exec("DELETE FROM {$DB->get_prefix()}local_integrationhub_meta WHERE name LIKE 'after-%'");
    } else {
        mih::delete_service('after-first');
        mih::delete_service('after-second');
    }
    array_map('unlink', glob("$dir/*"));
    rmdir($dir);
}

echo "-- a new key\n";
race('course-3-user-5');

echo "-- an expired key (remembered 2 days ago, mih.dedupe_ttl one day)\n";
$table = ($DB ? $prefix : '') . 'local_integrationhub_dedupe';
$other->prepare("INSERT INTO $table (dedupekey, timecreated) VALUES (?, ?)")->execute(['course-4-user-5', time() - 2 * 86400]);
race('course-4-user-5');
echo "its row is fresh: ", $count('local_integrationhub_dedupe', 'dedupekey = ? AND timecreated > ?', ['course-4-user-5', time() - 600]), "\n";
?>
--EXPECT--
-- a new key
the second's emit waits for the first's commit: yes
first: emit returned 1 task id
first: wrote a row after the emit and committed
second: emit returned 0 task ids
second: wrote a row after the emit and committed
exit codes: 0 0
tasks queued: 1
rows for the key: 1
second's own row committed: 1
-- an expired key (remembered 2 days ago, mih.dedupe_ttl one day)
the second's emit waits for the first's commit: yes
first: emit returned 1 task id
first: wrote a row after the emit and committed
second: emit returned 0 task ids
second: wrote a row after the emit and committed
exit codes: 0 0
tasks queued: 1
rows for the key: 1
second's own row committed: 1
its row is fresh: 1
