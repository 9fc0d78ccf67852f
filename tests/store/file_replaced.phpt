--TEST--
store: when another process replaces the SQLite file in use (mv over it, or rm and a new store), the new file is used from the next call (or mih::use_sqlite() of the path) on, never with the old file's -wal and -shm
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

function sides(string $file): string
{
    return implode(' ', array_map(fn($s) => basename($s), glob("$file-*")));
}

$dir = sys_get_temp_dir() . '/mih-replaced-' . getmypid() . '-' . bin2hex(random_bytes(4));
mkdir($dir, 0700);
$file = $GLOBALS['MIH_TEST_STORE_FILE'] = "$dir/store.sqlite";
register_shutdown_function(static function () use ($dir): void {
    foreach (glob("$dir/*") as $f) {
        unlink($f);
    }
    rmdir($dir);
});

function fill_old_store(string $file): void
{
    mih::use_sqlite($file);
    mih::save_service(['name' => 'old-only', 'base_url' => 'http://127.0.0.1:7']);
    mih::save_service(['name' => 'crm', 'base_url' => 'http://127.0.0.1:9']);
    for ($i = 0; $i < 20; $i++) {
        mih::enqueue('crm', "/old/$i");   // frames in the -wal, not yet checkpointed
    }
    echo 'old store written, side files: ', sides($file), "\n";
}

echo "-- mv new.sqlite store.sqlite\n";
fill_old_store($file);
echo 'another process builds new.sqlite: ', other_process('create', "$dir/new.sqlite", 'crm', 'http://127.0.0.1:8'), "\n";
echo 'another process moves it over the store: ', other_process('rename', "$dir/new.sqlite", $file), "\n";
echo 'enqueue: ', mih::enqueue('crm', '/into-new-file') > 0 ? 'acknowledged' : 'failed', "\n";
echo 'services here: ', json_encode(array_column(mih::services(), 'name')), "\n";
echo 'another process reads the file: ', other_process('read', $file), "\n";

function start_afresh(string $dir, string $file): void
{
    mih::use_sqlite("$dir/elsewhere.sqlite");
    unlink($file);
    foreach (glob("$file-*") as $side) {
        unlink($side);
    }
}

echo "-- mv new.sqlite store.sqlite, then mih::use_sqlite() of the path\n";
start_afresh($dir, $file);
fill_old_store($file);
echo 'another process builds new.sqlite: ', other_process('create', "$dir/new.sqlite", 'crm', 'http://127.0.0.1:8'), "\n";
echo 'another process moves it over the store: ', other_process('rename', "$dir/new.sqlite", $file), "\n";
mih::use_sqlite($file);
echo 'services here: ', json_encode(array_column(mih::services(), 'name')), "\n";
echo 'enqueue: ', mih::enqueue('crm', '/into-new-file') > 0 ? 'acknowledged' : 'failed', "\n";
echo 'another process reads the file: ', other_process('read', $file), "\n";

echo "-- rm store.sqlite (its side files left), then another process creates a new store there\n";
start_afresh($dir, $file);
fill_old_store($file);
echo 'another process runs rm store.sqlite: ', other_process('remove', $file), ', side files: ', sides($file), "\n";
echo 'another process creates a new store there: ', other_process('create', $file, 'crm', 'http://127.0.0.1:8'), "\n";
echo 'enqueue: ', mih::enqueue('crm', '/into-new-file') > 0 ? 'acknowledged' : 'failed', "\n";
echo 'services here: ', json_encode(array_column(mih::services(), 'name')), "\n";
echo 'another process reads the file: ', other_process('read', $file), "\n";
?>
--EXPECT--
-- mv new.sqlite store.sqlite
old store written, side files: store.sqlite-shm store.sqlite-wal
another process builds new.sqlite: ok
another process moves it over the store: ok
enqueue: acknowledged
services here: ["crm"]
another process reads the file: {"services":["crm http://127.0.0.1:8"],"tasks":["/into-new-file"]}
-- mv new.sqlite store.sqlite, then mih::use_sqlite() of the path
old store written, side files: store.sqlite-shm store.sqlite-wal
another process builds new.sqlite: ok
another process moves it over the store: ok
services here: ["crm"]
enqueue: acknowledged
another process reads the file: {"services":["crm http://127.0.0.1:8"],"tasks":["/into-new-file"]}
-- rm store.sqlite (its side files left), then another process creates a new store there
old store written, side files: store.sqlite-shm store.sqlite-wal
another process runs rm store.sqlite: ok, side files: store.sqlite-shm store.sqlite-wal
another process creates a new store there: ok
enqueue: acknowledged
services here: ["crm"]
another process reads the file: {"services":["crm http://127.0.0.1:8"],"tasks":["/into-new-file"]}
