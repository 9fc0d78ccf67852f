--TEST--
dbstore: an emit() that fails inside the caller's delegated transaction rolls its own nested level back before throwing, so the caller's rollback ends the transaction and later writes work (an inbound webhook whose rule cannot queue)
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../store.inc';
mih_test_use_store('emit_failure_rollback');
use local_integrationhub\mih;

/* The SQLite stand-in of $DB on every backend: the failure is an SQLite trigger. */
$file = $GLOBALS['MIH_TEST_STORE_FILE'] . '.moodle';
register_shutdown_function(fn() => @unlink($file));
$DB = new mih_test_moodle_db($file);
mih::use_db($DB);
mih::save_service(['name' => 'sink', 'base_url' => 'https://sink.example.org']);
mih::save_rule(['eventname' => '\core\event\x', 'service' => 'sink', 'endpoint' => '/', 'payload_template' => '{"a": 1}']);
$DB->raw_pdo()->exec("CREATE TRIGGER full_queue BEFORE INSERT ON mdl_local_integrationhub_queue BEGIN SELECT RAISE(ABORT, 'queue full'); END");

$tx = $DB->start_delegated_transaction();
try {
    mih::emit('\core\event\x', ['eventname' => '\core\event\x']);
} catch (local_integrationhub\store_exception $e) {
    echo $e->getMessage(), "\n";
}
try {
    $tx->rollback(new RuntimeException('the caller gives up'));
} catch (RuntimeException $e) {
    echo $e->getMessage(), "\n";
}
var_dump($DB->is_transaction_started());
$DB->raw_pdo()->exec('DROP TRIGGER full_queue');
mih::log_inbound('sink', ['httpstatus' => 500, 'success' => false]);
echo count(mih::log(['service' => 'sink'])), " log row\n";
echo count(mih::emit('\core\event\x', ['eventname' => '\core\event\x'])), " task\n";
?>
--EXPECT--
could not queue the event: $DB->insert_record() failed: dml_write_exception: Error writing to database (queue full)
the caller gives up
bool(false)
1 log row
1 task
