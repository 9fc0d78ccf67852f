--TEST--
dbstore: the fake $DB's delegated transactions nest like Moodle's (commit with the outermost, any rollback dooms all)
--EXTENSIONS--
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../moodle_db.inc';

$file = tempnam(sys_get_temp_dir(), 'mih_fake_');
$db = new mih_test_moodle_db($file);
$row = fn(string $key) => ['serviceid' => 1, 'idempotency_key' => $key, 'claim_token' => '', 'run_token' => '', 'timecreated' => 1, 'timemodified' => 1];
$keys = fn() => implode(',', array_keys($db->get_records_sql('SELECT idempotency_key FROM {local_integrationhub_queue} ORDER BY id')));
function attempt(callable $f): void
{
    try {
        $f();
        echo "no exception\n";
    } catch (Exception $e) {
        echo get_class($e), ': ', $e->getMessage(), ($e instanceof moodle_exception && $e->debuginfo ? " [{$e->debuginfo}]" : ''), "\n";
    }
}

// nested: only the outermost commit makes work durable
$outer = $db->start_delegated_transaction();
$db->insert_record('local_integrationhub_queue', $row('a'));
$inner = $db->start_delegated_transaction();
$db->insert_record('local_integrationhub_queue', $row('b'));
$inner->allow_commit();
var_dump($db->is_transaction_started());
$other = new PDO('sqlite:' . $file);
echo 'other connection sees: ', $other->query('SELECT COUNT(*) FROM mdl_local_integrationhub_queue')->fetchColumn(), "\n";
$outer->allow_commit();
var_dump($db->is_transaction_started());
echo 'other connection sees: ', $other->query('SELECT COUNT(*) FROM mdl_local_integrationhub_queue')->fetchColumn(), "\n";

// rollback of the outermost discards the committed inner level; rollback rethrows
$outer = $db->start_delegated_transaction();
$inner = $db->start_delegated_transaction();
$db->insert_record('local_integrationhub_queue', $row('c'));
$inner->allow_commit();
attempt(fn() => $outer->rollback(new RuntimeException('outer failed')));
echo $keys(), "\n";

// an inner rollback dooms the outer level, which can then only roll back
$outer = $db->start_delegated_transaction();
$db->insert_record('local_integrationhub_queue', $row('d'));
$inner = $db->start_delegated_transaction();
attempt(fn() => $inner->rollback(new RuntimeException('inner failed')));
var_dump($db->is_transaction_started());
attempt(fn() => $outer->rollback(new RuntimeException('outer rolls back too')));
var_dump($db->is_transaction_started());
echo $keys(), "\n";

// committing the doomed outer level is refused, and (as in Moodle) leaves it
// open until the request's end forces a rollback
$db = new mih_test_moodle_db($file);
$outer = $db->start_delegated_transaction();
$inner = $db->start_delegated_transaction();
attempt(fn() => $inner->rollback(new RuntimeException('inner failed')));
attempt(fn() => $outer->allow_commit());
attempt(fn() => $outer->allow_commit());
var_dump($db->is_transaction_started());

// committing out of order is refused and dooms the transaction
$db = new mih_test_moodle_db($file);
$outer = $db->start_delegated_transaction();
$inner = $db->start_delegated_transaction();
attempt(fn() => $outer->allow_commit());
attempt(fn() => $inner->allow_commit());
attempt(fn() => $inner->rollback(new RuntimeException('cleanup')));
var_dump($db->is_transaction_started());
@unlink($file);
?>
--EXPECT--
bool(true)
other connection sees: 0
bool(false)
other connection sees: 2
RuntimeException: outer failed
a,b
RuntimeException: inner failed
bool(true)
RuntimeException: outer rolls back too
bool(false)
a,b
RuntimeException: inner failed
dml_transaction_exception: Database transaction error [Tried to commit transaction after lower level rollback]
dml_transaction_exception: Database transaction error [Transactions already disposed]
bool(true)
dml_transaction_exception: Database transaction error [Invalid transaction commit attempt]
dml_transaction_exception: Database transaction error [Tried to commit transaction after lower level rollback]
dml_transaction_exception: Database transaction error [Transactions already disposed]
bool(true)
