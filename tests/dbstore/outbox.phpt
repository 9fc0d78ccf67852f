--TEST--
dbstore: services and tasks written inside a Moodle delegated transaction commit or roll back with it (outbox), on every $DB engine
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../store.inc';
use local_integrationhub\mih;

$file = tempnam(sys_get_temp_dir(), 'mih_outbox_');
$DB = mih_test_moodle_db_for($file);
mih::use_db($DB);
$other = mih_test_moodle_db_for($file)->raw_pdo();   // another request's view
$p = $DB->get_prefix();
$committed = fn() => $other->query("SELECT COUNT(*) FROM {$p}local_integrationhub_queue")->fetchColumn()
    . ' tasks, ' . $other->query("SELECT COUNT(*) FROM {$p}local_integrationhub_svc")->fetchColumn() . ' services';
function paths(): string
{
    return implode(',', array_map(fn($t) => mih::task($t['id'])['endpoint'], mih::tasks()));
}

echo "-- rolled back: nothing persisted\n";
$tx = $DB->start_delegated_transaction();
mih::save_service(['name' => 'crm', 'base_url' => 'http://127.0.0.1:9']);
$id = mih::enqueue('crm', '/a', ['n' => 1]);
echo 'inside: ', paths(), '; others see ', $committed(), "\n";
try {
    $tx->rollback(new RuntimeException('the enrolment failed'));
} catch (RuntimeException $e) {
    echo 'caught: ', $e->getMessage(), "\n";
}
var_dump(mih::service('crm'), mih::task($id));
echo 'others see ', $committed(), "\n";

echo "-- committed: persisted together\n";
$tx = $DB->start_delegated_transaction();
mih::save_service(['name' => 'crm', 'base_url' => 'http://127.0.0.1:9']);
mih::enqueue('crm', '/b', "raw \0 bytes \u{1F600}");
echo 'before commit others see ', $committed(), "\n";
$tx->allow_commit();
echo 'after commit others see ', $committed(), "\n";
$t = mih::tasks()[0];
var_dump(mih::task($t['id'])['payload'] === "raw \0 bytes \u{1F600}");

echo "-- nested: the inner commit waits for the outer one\n";
$outer = $DB->start_delegated_transaction();
$inner = $DB->start_delegated_transaction();
mih::enqueue('crm', '/c');
$inner->allow_commit();
mih::enqueue('crm', '/d');
echo 'inside: ', paths(), '; others see ', $committed(), "\n";
try {
    $outer->rollback(new RuntimeException('outer failed'));
} catch (RuntimeException $e) {
    echo 'caught: ', $e->getMessage(), "\n";
}
echo 'after rollback: ', paths(), "\n";

echo "-- nested: an inner rollback takes the outer level's tasks with it\n";
$outer = $DB->start_delegated_transaction();
mih::enqueue('crm', '/e');
$inner = $DB->start_delegated_transaction();
mih::enqueue('crm', '/f');
try {
    $inner->rollback(new RuntimeException('inner failed'));
} catch (RuntimeException $e) {
    echo 'caught: ', $e->getMessage(), "\n";
}
try {
    $outer->rollback(new RuntimeException('so the outer rolls back'));
} catch (RuntimeException $e) {
    echo 'caught: ', $e->getMessage(), "\n";
}
echo 'after rollback: ', paths(), '; others see ', $committed(), "\n";

echo "-- nested and committed\n";
$outer = $DB->start_delegated_transaction();
mih::enqueue('crm', '/g');
$inner = $DB->start_delegated_transaction();
mih::enqueue('crm', '/h');
$inner->allow_commit();
$outer->allow_commit();
echo paths(), '; others see ', $committed(), "\n";
var_dump($DB->is_transaction_started());
if ($DB instanceof mih_test_moodle_server_db) {
    $DB->drop_tables();
}
@unlink($file);
?>
--EXPECT--
-- rolled back: nothing persisted
inside: /a; others see 0 tasks, 0 services
caught: the enrolment failed
NULL
NULL
others see 0 tasks, 0 services
-- committed: persisted together
before commit others see 0 tasks, 0 services
after commit others see 1 tasks, 1 services
bool(true)
-- nested: the inner commit waits for the outer one
inside: /b,/c,/d; others see 1 tasks, 1 services
caught: outer failed
after rollback: /b
-- nested: an inner rollback takes the outer level's tasks with it
caught: inner failed
caught: so the outer rolls back
after rollback: /b; others see 1 tasks, 1 services
-- nested and committed
/b,/g,/h; others see 3 tasks, 1 services
bool(false)
