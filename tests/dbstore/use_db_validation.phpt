--TEST--
dbstore: mih::use_db() names a missing or unusable $DB method, and a failure at open leaves the previous store bound
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../store.inc';
use local_integrationhub\mih;
use local_integrationhub\store_exception;

class partial_db
{
    public function execute($sql, ?array $params = null) { return true; }
    public function get_records_sql($sql, ?array $params = null, $limitfrom = 0, $limitnum = 0) { return []; }
    public function start_delegated_transaction() { return null; }
    public function get_dbfamily() { return 'postgres'; }
    public function get_prefix() { return 'mdl_'; }
}
class protected_insert_db extends partial_db
{
    protected function insert_record($table, $dataobject, $returnid = true, $bulk = false) { return 1; }
}
class static_insert_db extends partial_db
{
    public static function insert_record($table, $dataobject, $returnid = true, $bulk = false) { return 1; }
}
class throwing_family_db extends partial_db
{
    public function insert_record($table, $dataobject, $returnid = true, $bulk = false) { return 1; }
    public function get_dbfamily() { throw new dml_exception('ddltablenotexist', 'config'); }
}

function attempt(callable $f): void
{
    try {
        $f();
        echo "bound\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}

mih_test_use_store('validation');
mih::save_service(['name' => 'kept', 'base_url' => 'http://example.org']);
attempt(fn() => mih::use_db(new partial_db()));
attempt(fn() => mih::use_db(new protected_insert_db()));
attempt(fn() => mih::use_db(new static_insert_db()));
attempt(fn() => mih::use_db(new throwing_family_db()));
attempt(fn() => mih::use_db(new stdClass()));
attempt(fn() => mih::use_db('not an object'));
// the store bound before is still the active one
echo implode(',', array_column(mih::services(), 'name')), "\n";
?>
--EXPECTF--
local_integrationhub\store_exception: could not use the database: the $DB object (class partial_db) has no public method insert_record(); mih::use_db() needs a moodle_database with execute, get_records_sql, insert_record, start_delegated_transaction, get_dbfamily, get_prefix
local_integrationhub\store_exception: could not use the database: the $DB object (class protected_insert_db) has no public method insert_record(); mih::use_db() needs a moodle_database with execute, get_records_sql, insert_record, start_delegated_transaction, get_dbfamily, get_prefix
local_integrationhub\store_exception: could not use the database: the $DB object (class static_insert_db) has no public method insert_record(); mih::use_db() needs a moodle_database with execute, get_records_sql, insert_record, start_delegated_transaction, get_dbfamily, get_prefix
local_integrationhub\store_exception: could not use the database: $DB->get_dbfamily() failed: dml_exception: Table "config" does not exist
local_integrationhub\store_exception: could not use the database: the $DB object (class stdClass) has no public method execute(); mih::use_db() needs a moodle_database with execute, get_records_sql, insert_record, start_delegated_transaction, get_dbfamily, get_prefix
TypeError: local_integrationhub\mih::use_db(): Argument #1 ($db) must be of type object, string given
kept
