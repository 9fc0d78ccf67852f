--TEST--
store: when another process removes the folder of the SQLite file in use, calls throw store_exception naming it, and nothing is created anywhere, not even once the folder is back, until mih::use_sqlite() asks for it
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../store.inc';
require __DIR__ . '/../children.inc';
use local_integrationhub\mih;

function other_process(string ...$args): string
{
    $child = new mih_test_child('store_child.inc', $args);
    $code = $child->wait(60);
    return trim($child->output()) . ($code === 0 ? '' : " (exit $code)");
}

function attempt(string $what, callable $f): void
{
    try {
        $r = $f();
        echo "$what: acknowledged ", json_encode($r), "\n";
    } catch (local_integrationhub\store_exception $e) {
        echo "$what: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}

$dir = sys_get_temp_dir() . '/mih-folder-' . getmypid() . '-' . bin2hex(random_bytes(4));
mkdir($dir, 0700);
$file = $GLOBALS['MIH_TEST_STORE_FILE'] = "$dir/store.sqlite";
/* The default store must not be where the writes go instead. */
ini_set('mih.store_path', "$dir-default.sqlite");
register_shutdown_function(static function () use ($dir): void {
    foreach (glob("$dir/*") as $f) {
        unlink($f);
    }
    @rmdir($dir);
});

mih::use_sqlite($file);
mih::save_service(['name' => 'crm', 'base_url' => 'http://127.0.0.1:9']);
attempt('enqueue before', fn() => mih::enqueue('crm', '/before') > 0);

echo "-- another process runs rm -r on the folder: ", other_process('rmtree', $dir), "\n";
attempt('enqueue', fn() => mih::enqueue('crm', '/lost'));
attempt('tasks', fn() => count(mih::tasks()));
attempt('use_sqlite', fn() => mih::use_sqlite($file));
echo 'folder created again: ', var_export(file_exists($dir), true), "\n";

echo "-- the folder is back, empty\n";
mkdir($dir, 0700);
attempt('enqueue', fn() => mih::enqueue('crm', '/lost'));
echo 'files in the folder: ', json_encode(array_map('basename', glob("$dir/*"))), "\n";
echo 'default store created: ', var_export(file_exists("$dir-default.sqlite"), true), "\n";

echo "-- an explicit mih::use_sqlite() creates a new store there\n";
attempt('use_sqlite', fn() => mih::use_sqlite($file));
attempt('services', fn() => mih::services());
echo 'files in the folder: ', json_encode(array_map('basename', glob("$dir/*"))), "\n";
?>
--EXPECTF--
enqueue before: acknowledged true
-- another process runs rm -r on the folder: ok
enqueue: local_integrationhub\store_exception: could not queue the request: SQLite store: the folder of "%s/store.sqlite" was removed while the store was in use
tasks: local_integrationhub\store_exception: could not list tasks: SQLite store: the folder of "%s/store.sqlite" was removed while the store was in use
use_sqlite: local_integrationhub\store_exception: could not open the store: SQLite store: the folder of "%s/store.sqlite" was removed while the store was in use
folder created again: false
-- the folder is back, empty
enqueue: local_integrationhub\store_exception: could not queue the request: SQLite store: "%s/store.sqlite" was removed while in use
files in the folder: []
default store created: false
-- an explicit mih::use_sqlite() creates a new store there
use_sqlite: acknowledged null
services: acknowledged []
files in the folder: ["store.sqlite","store.sqlite-shm","store.sqlite-wal"]
