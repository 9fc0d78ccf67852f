--TEST--
store: a failed mih::use_sqlite() leaves the previous store in use (the default, an explicit file with data, or a bound $DB)
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../moodle_db.inc';
use local_integrationhub\mih;

$dir = sys_get_temp_dir() . '/mih-switch-' . getmypid() . '-' . bin2hex(random_bytes(4));
mkdir($dir, 0700);
register_shutdown_function(static function () use ($dir): void {
    foreach (glob("$dir/*") as $f) {
        unlink($f);
    }
    rmdir($dir);
});
$notadb = "$dir/notes.txt";
file_put_contents($notadb, str_repeat("these are notes, not a database\n", 200));
$notadb_sum = md5_file($notadb);
$bad = [
    'a file that is not a database' => $notadb,
    'a folder that does not exist' => "$dir/missing/store.sqlite",
    'a folder' => $dir,
];

function attempt_switches(array $bad): void
{
    foreach ($bad as $what => $path) {
        try {
            mih::use_sqlite($path);
            echo "$what: switched?!\n";
        } catch (local_integrationhub\store_exception $e) {
            echo "$what: ", get_class($e), "\n";
        }
    }
}

function show(string $label): void
{
    echo $label, ': services ', json_encode(array_column(mih::services(), 'name')),
        ', tasks ', json_encode(array_map(fn($t) => mih::task($t['id'])['endpoint'], mih::tasks())), "\n";
}

echo "-- previous store: the default (mih.store_path)\n";
ini_set('mih.store_path', "$dir/default.sqlite");
mih::save_service(['name' => 'in-default', 'base_url' => 'http://127.0.0.1:9']);
attempt_switches($bad);
mih::enqueue('in-default', '/after-failed-switch');
show('default');

echo "-- previous store: an explicit file with data\n";
$a = "$dir/a.sqlite";
mih::use_sqlite($a);
mih::save_service(['name' => 'in-a', 'base_url' => 'http://127.0.0.1:9']);
mih::enqueue('in-a', '/before');
attempt_switches($bad);
mih::enqueue('in-a', '/after-failed-switch');
show('a');

echo "-- previous store: a bound \$DB\n";
$DB = new mih_test_moodle_db("$dir/moodle.db");
mih::use_db($DB);
mih::save_service(['name' => 'in-db', 'base_url' => 'http://127.0.0.1:9']);
attempt_switches($bad);
mih::enqueue('in-db', '/after-failed-switch');
show('$DB');

echo "-- what each file holds\n";
mih::use_sqlite("$dir/default.sqlite");
show('default.sqlite');
mih::use_sqlite($a);
show('a.sqlite');
echo 'the file that is not a database is unchanged: ', var_export(md5_file($notadb) === $notadb_sum, true), "\n";
echo 'files: ', implode(' ', preg_grep('/-(wal|shm)$/', array_map('basename', glob("$dir/*")), PREG_GREP_INVERT)), "\n";
?>
--EXPECT--
-- previous store: the default (mih.store_path)
a file that is not a database: local_integrationhub\store_exception
a folder that does not exist: local_integrationhub\store_exception
a folder: local_integrationhub\store_exception
default: services ["in-default"], tasks ["\/after-failed-switch"]
-- previous store: an explicit file with data
a file that is not a database: local_integrationhub\store_exception
a folder that does not exist: local_integrationhub\store_exception
a folder: local_integrationhub\store_exception
a: services ["in-a"], tasks ["\/before","\/after-failed-switch"]
-- previous store: a bound $DB
a file that is not a database: local_integrationhub\store_exception
a folder that does not exist: local_integrationhub\store_exception
a folder: local_integrationhub\store_exception
$DB: services ["in-db"], tasks ["\/after-failed-switch"]
-- what each file holds
default.sqlite: services ["in-default"], tasks ["\/after-failed-switch"]
a.sqlite: services ["in-a"], tasks ["\/before","\/after-failed-switch"]
the file that is not a database is unchanged: true
files: a.sqlite default.sqlite moodle.db notes.txt
