--TEST--
dbstore: an exception thrown by $DB becomes a store_exception with its message, no secret, and no half-open transaction
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../store.inc';
use local_integrationhub\mih;

/* The fake $DB, failing on demand like a database that went away. */
class flaky_db extends mih_test_moodle_db
{
    public ?string $fail = null;   // a regex on the SQL (or the table for insert_record)
    public string $error = 'server closed the connection unexpectedly';

    private function check(string $what, ?array $params = null, bool $write = false): void
    {
        if ($this->fail !== null && preg_match($this->fail, $what)) {
            throw $write ? new dml_write_exception($this->error, $what, $params) : new dml_read_exception($this->error, $what, $params);
        }
    }
    public function execute($sql, ?array $params = null)
    {
        $this->check($sql, $params, true);
        return parent::execute($sql, $params);
    }
    public function get_records_sql($sql, ?array $params = null, $limitfrom = 0, $limitnum = 0)
    {
        $this->check($sql, $params);
        return parent::get_records_sql($sql, $params, $limitfrom, $limitnum);
    }
    public function insert_record($table, $dataobject, $returnid = true, $bulk = false)
    {
        $this->check($table, (array)$dataobject, true);
        return parent::insert_record($table, $dataobject, $returnid, $bulk);
    }
}

function attempt(callable $f): void
{
    global $DB;
    try {
        $r = $f();
        echo 'ok: ', json_encode($r), "\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
    echo '  transaction open: ', var_export($DB->is_transaction_started(), true), "\n";
}

$file = tempnam(sys_get_temp_dir(), 'mih_dberr_');
$DB = new flaky_db($file);
mih::use_db($DB);
mih::save_service(['name' => 'crm', 'base_url' => 'http://127.0.0.1:9', 'auth_type' => 'bearer', 'auth_token' => 'tok-very-secret']);

echo "-- a failing read\n";
$DB->fail = '/local_integrationhub_svc/';
attempt(fn() => mih::services());

echo "-- a failing insert: nothing queued, the store's own transaction ended\n";
$DB->fail = '/^local_integrationhub_queue$/';
attempt(fn() => mih::enqueue('crm', '/hook', ['password' => 'payload-secret']));
$DB->fail = null;
attempt(fn() => count(mih::tasks()));

echo "-- a driver error quoting a value is masked; parameters never appear\n";
$DB->fail = '/^local_integrationhub_svc$/';
$DB->error = "Incorrect string value: '\\xF0\\x9F\\x98' for column 'auth_token' at row 1";
attempt(fn() => mih::save_service(['name' => 'other', 'base_url' => 'http://127.0.0.1:9', 'auth_type' => 'bearer', 'auth_token' => 'tok-other-secret']));

echo "-- inside the caller's transaction: a failed single insert is the caller's to handle\n";
$DB->fail = null;
$tx = $DB->start_delegated_transaction();
mih::enqueue('crm', '/first');
$DB->fail = '/^local_integrationhub_queue$/';
$DB->error = 'deadlock detected';
attempt(fn() => mih::enqueue('crm', '/second'));
$DB->fail = null;
attempt(fn() => $tx->allow_commit());

echo "-- a failure inside one of the store's own transactions dooms the caller's, as in Moodle\n";
$tx = $DB->start_delegated_transaction();
mih::enqueue('crm', '/doomed');
$DB->fail = '/^local_integrationhub_svc$/';
attempt(fn() => mih::save_service(['name' => 'third', 'base_url' => 'http://127.0.0.1:9']));
$DB->fail = null;
attempt(fn() => $tx->allow_commit());

echo "-- afterwards the store works normally\n";
$DB = new flaky_db($file);
mih::use_db($DB);
attempt(fn() => mih::enqueue('crm', '/third') > 0);
attempt(fn() => array_map(fn($t) => mih::task($t['id'])['endpoint'], mih::tasks()));
@unlink($file);
?>
--EXPECTF--
-- a failing read
local_integrationhub\store_exception: %s: $DB->get_records_sql() failed: dml_read_exception: Error reading from database (server closed the connection unexpectedly)
  transaction open: false
-- a failing insert: nothing queued, the store's own transaction ended
local_integrationhub\store_exception: %s: $DB->insert_record() failed: dml_write_exception: Error writing to database (server closed the connection unexpectedly)
  transaction open: false
ok: 0
  transaction open: false
-- a driver error quoting a value is masked; parameters never appear
local_integrationhub\store_exception: %s: $DB->insert_record() failed: dml_write_exception: Error writing to database (Incorrect string value: '...' for column 'auth_token' at row 1)
  transaction open: false
-- inside the caller's transaction: a failed single insert is the caller's to handle
local_integrationhub\store_exception: %s: $DB->insert_record() failed: dml_write_exception: Error writing to database (deadlock detected)
  transaction open: true
ok: null
  transaction open: false
-- a failure inside one of the store's own transactions dooms the caller's, as in Moodle
local_integrationhub\store_exception: %s: $DB->insert_record() failed: dml_write_exception: Error writing to database (deadlock detected)
  transaction open: true
dml_transaction_exception: Database transaction error
  transaction open: true
-- afterwards the store works normally
ok: true
  transaction open: false
ok: ["\/first","\/third"]
  transaction open: false
