--TEST--
store: when another process removes the SQLite file in use, writes throw store_exception naming the file and are never acknowledged; a new file at the path is used once it is there
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

$dir = sys_get_temp_dir() . '/mih-removed-' . getmypid() . '-' . bin2hex(random_bytes(4));
mkdir($dir, 0700);
$file = $GLOBALS['MIH_TEST_STORE_FILE'] = "$dir/store.sqlite";
register_shutdown_function(static function () use ($dir): void {
    foreach (glob("$dir/*") as $f) {
        unlink($f);
    }
    rmdir($dir);
});

mih::use_sqlite($file);
mih::save_service(['name' => 'crm', 'base_url' => 'http://127.0.0.1:9']);
mih::save_rule(['eventname' => '\core\event\user_created', 'service' => 'crm', 'endpoint' => '/event']);
attempt('enqueue before', fn() => mih::enqueue('crm', '/before') > 0);

echo "-- another process runs rm store.sqlite*: ", other_process('remove', $file, "$file-wal", "$file-shm"), "\n";
attempt('enqueue', fn() => mih::enqueue('crm', '/lost'));
attempt('emit', fn() => mih::emit('\core\event\user_created', ['id' => 1]));
attempt('read', fn() => count(mih::services()));
echo 'this process created no file: ', var_export(glob("$dir/*") === [], true), "\n";

echo "-- another process creates a new store at the path: ", other_process('create', $file, 'crm', 'http://127.0.0.1:8'), "\n";
attempt('enqueue', fn() => mih::enqueue('crm', '/into-new-file') > 0);
echo 'services here: ', json_encode(array_column(mih::services(), 'base_url'), JSON_UNESCAPED_SLASHES), "\n";
echo 'another process reads the file: ', other_process('read', $file), "\n";
?>
--EXPECTF--
enqueue before: acknowledged true
-- another process runs rm store.sqlite*: ok
enqueue: local_integrationhub\store_exception: could not queue the request: SQLite store: "%s/store.sqlite" was removed while in use
emit: local_integrationhub\store_exception: %s: SQLite store: "%s/store.sqlite" was removed while in use
read: local_integrationhub\store_exception: could not list services: SQLite store: "%s/store.sqlite" was removed while in use
this process created no file: true
-- another process creates a new store at the path: ok
enqueue: acknowledged true
services here: ["http://127.0.0.1:8"]
another process reads the file: {"services":["crm http://127.0.0.1:8"],"tasks":["/into-new-file"]}
