--TEST--
dbstore: mih::emit() inside the caller's delegated transaction is an outbox: a rollback leaves nothing queued (nor its dedupe key), a commit is delivered once; on every $DB engine
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
if (mih_test_backend() !== 'moodle') {
    /* The embedded store has no caller's transaction: the stand-in over SQLite plays $DB. */
    $GLOBALS['DB'] = mih_test_moodle_db_for($GLOBALS['MIH_TEST_STORE_FILE'] . '.moodle');
    mih::use_db($GLOBALS['DB']);
    register_shutdown_function(fn() => @unlink($GLOBALS['MIH_TEST_STORE_FILE'] . '.moodle'));
}
$DB = $GLOBALS['DB'];
/* Another request's view of the database: a connection of its own. */
$other = $DB instanceof mih_test_moodle_server_db ? mih_test_moodle_db_for($GLOBALS['MIH_TEST_STORE_FILE'])->raw_pdo()
    : new PDO('sqlite:' . $DB->export_dbconfig()->dbname);
$queued = fn() => (int)$other->query('SELECT COUNT(*) FROM ' . $DB->get_prefix() . 'local_integrationhub_queue')->fetchColumn();
$dedupe = fn() => (int)$other->query('SELECT COUNT(*) FROM ' . $DB->get_prefix() . 'local_integrationhub_dedupe')->fetchColumn();

mih::save_service(['name' => 'lms', 'base_url' => $srv->url]);
mih::save_rule(['eventname' => '\core\event\course_completed', 'service' => 'lms', 'endpoint' => '/done/{{objectid}}',
    'payload_template' => '{"course": {{courseid}}, "user": {{relateduserid}}}']);
$event = fn(int $n) => ['eventname' => '\core\event\course_completed', 'component' => 'core', 'action' => 'completed',
    'target' => 'course', 'objecttable' => 'course_completions', 'objectid' => $n, 'crud' => 'u', 'edulevel' => 2,
    'contextid' => 30, 'contextlevel' => 50, 'contextinstanceid' => 3, 'userid' => 2, 'courseid' => 3,
    'relateduserid' => 7, 'anonymous' => 0, 'other' => null, 'timecreated' => 1795600000];

echo "-- the caller's transaction rolls back\n";
$tx = $DB->start_delegated_transaction();
$ids = mih::emit('\core\event\course_completed', $event(1), ['dedupe_key' => 'completion-1']);
echo count($ids), " task inside; others see " . $queued() . " queued, " . $dedupe() . " dedupe keys\n";
try {
    $tx->rollback(new RuntimeException('the completion failed'));
} catch (RuntimeException $e) {
    echo 'caught: ', $e->getMessage(), "\n";
}
echo 'after rollback: ', count(mih::tasks()), " tasks; others see " . $queued() . " queued, " . $dedupe() . " dedupe keys\n";
$r = mih::run_queue();
echo "run_queue delivered {$r['delivered']}; receiver got ", count($srv->requests()), "\n";

echo "-- the same event again, committed (the rolled-back dedupe key is gone too)\n";
$tx = $DB->start_delegated_transaction();
$ids = mih::emit('\core\event\course_completed', $event(1), ['dedupe_key' => 'completion-1']);
echo count($ids), " task inside; others see " . $queued() . " queued\n";
$tx->allow_commit();
echo "after commit others see " . $queued() . " queued, " . $dedupe() . " dedupe keys\n";
echo 'a second emit with that key: ', count(mih::emit('\core\event\course_completed', $event(1), ['dedupe_key' => 'completion-1'])), " tasks\n";
$r = mih::run_queue();
echo "run_queue delivered {$r['delivered']}; receiver got ", count($srv->requests()), ': ', $srv->last()['uri'], ' ', $srv->last()['body'], "\n";
echo 'left: ', count(mih::tasks()), "\n";

echo "-- nested: the inner level commits, the outer rolls back\n";
$outer = $DB->start_delegated_transaction();
$inner = $DB->start_delegated_transaction();
mih::emit('\core\event\course_completed', $event(2));
$inner->allow_commit();
try {
    $outer->rollback(new RuntimeException('outer failed'));
} catch (RuntimeException $e) {
    echo 'caught: ', $e->getMessage(), "\n";
}
echo "others see " . $queued() . " queued; run_queue delivered ", mih::run_queue()['delivered'], "\n";
var_dump($DB->is_transaction_started());
?>
--EXPECT--
-- the caller's transaction rolls back
1 task inside; others see 0 queued, 0 dedupe keys
caught: the completion failed
after rollback: 0 tasks; others see 0 queued, 0 dedupe keys
run_queue delivered 0; receiver got 0
-- the same event again, committed (the rolled-back dedupe key is gone too)
1 task inside; others see 0 queued
after commit others see 1 queued, 1 dedupe keys
a second emit with that key: 0 tasks
run_queue delivered 1; receiver got 1: /done/1 {"course": 3, "user": 7}
left: 0
-- nested: the inner level commits, the outer rolls back
caught: outer failed
others see 0 queued; run_queue delivered 0
bool(false)
