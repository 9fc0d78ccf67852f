--TEST--
dbstore: the request-log rows buffered for $DB are written at the end of the request by a shutdown function, after Moodle's (which rolled back a transaction left open) and before $DB is disposed of; a process killed with SIGKILL loses at most mih.log_flush_rows - 1 rows
--EXTENSIONS--
mih
pdo
pdo_sqlite
--SKIPIF--
<?php
require __DIR__ . '/../children.inc';
mih_test_skip_if_valgrind();
?>
--FILE--
<?php
require __DIR__ . '/../server.inc';
require __DIR__ . '/../children.inc';

$srv = new mih_test_server();
$rows = function (string $file): array {
    $pdo = new PDO('sqlite:' . $file);
    return $pdo->query('SELECT endpoint FROM mdl_local_integrationhub_log ORDER BY id')->fetchAll(PDO::FETCH_COLUMN);
};

echo "-- a request that ends (a transaction left open)\n";
$file = $GLOBALS['MIH_TEST_STORE_FILE'] . '.end';
register_shutdown_function(fn() => @unlink($file));
$child = new mih_test_child('log_flush_child.inc', ['end', $file, $srv->url]);
echo 'exit ', $child->wait(20), ': ', trim($child->output()), "\n";
echo implode(' ', $rows($file)), "\n";

echo "-- a process killed after five calls, mih.log_flush_rows = 2\n";
$file2 = $GLOBALS['MIH_TEST_STORE_FILE'] . '.crash';
register_shutdown_function(fn() => @unlink($file2));
$child = new mih_test_child('log_flush_child.inc', ['crash', $file2, $srv->url], ['mih.log_flush_rows' => '2']);
$deadline = microtime(true) + 20;
while (trim($child->output()) !== 'done' && microtime(true) < $deadline) {
    usleep(20000);
}
$child->kill();
echo implode(' ', $rows($file2)), "\n";
echo count($srv->requests()), " requests reached the server\n";
?>
--EXPECT--
-- a request that ends (a transaction left open)
exit 0: done
/one /two /three
-- a process killed after five calls, mih.log_flush_rows = 2
/call/1 /call/2 /call/3 /call/4
8 requests reached the server
