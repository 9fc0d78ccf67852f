--TEST--
dbstore: a fatal error inside $DB ends the script cleanly (bailout resumed, references released)
--EXTENSIONS--
mih
pdo
pdo_sqlite
--SKIPIF--
<?php
// After a fatal error PHP itself leaks when the Zend allocator is off, as in the valgrind pass.
if (getenv('USE_ZEND_ALLOC') === '0') die('skip fatal errors leak by design with USE_ZEND_ALLOC=0');
?>
--FILE--
<?php
require __DIR__ . '/../store.inc';
use local_integrationhub\mih;

class dying_db extends mih_test_moodle_db
{
    public string $how = '';

    /* Dies on the first write inside a delegated transaction. */
    public function insert_record($table, $dataobject, $returnid = true, $bulk = false)
    {
        if ($this->how === 'exit' && $this->is_transaction_started()) {
            exit("exit() inside \$DB\n");
        }
        if ($this->how === 'fatal' && $this->is_transaction_started()) {
            trigger_error('fatal inside $DB', E_USER_ERROR);
        }
        return parent::insert_record($table, $dataobject, $returnid, $bulk);
    }
}

$file = tempnam(sys_get_temp_dir(), 'mih_fatal_');
register_shutdown_function(function () use ($file) {
    global $DB;
    echo 'shutdown: transaction open: ', var_export($DB->is_transaction_started(), true), "\n";
    $DB->force_transaction_rollback();   // as Moodle does when a request ends
    @unlink($file);
});
$DB = new dying_db($file);
mih::use_db($DB);
mih::save_service(['name' => 'crm', 'base_url' => 'http://127.0.0.1:9']);

// a fatal error in the middle of the store's own transaction
$DB->how = 'fatal';
mih::save_service(['name' => 'second', 'base_url' => 'http://127.0.0.1:8']);
echo "not reached\n";
?>
--EXPECTF--
Fatal error: fatal inside $DB in %s on line %d
shutdown: transaction open: true
