--TEST--
store: a SQLite file of schema 3 (request log with AUTOINCREMENT and three indexes) opened by this version keeps its log rows and ids; the log table is rebuilt without AUTOINCREMENT, without the serviceid index, with a taskid index over delivery rows only, and a new row gets the highest id plus one
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
use local_integrationhub\mih;

$dir = sys_get_temp_dir() . '/mih-logv3-' . getmypid() . '-' . bin2hex(random_bytes(4));
mkdir($dir, 0700);
register_shutdown_function(static function () use ($dir): void {
    foreach (glob("$dir/*") as $f) {
        unlink($f);
    }
    rmdir($dir);
});
$path = "$dir/store.sqlite";

mih::use_sqlite($path);
mih::save_service(['name' => 'crm', 'base_url' => 'http://127.0.0.1:9/']);
mih::use_sqlite("$dir/other.sqlite");      /* $path is closed */

/* What schema 3 wrote: the log table and its indexes as they were, rows
 * with ids 1, 2 and 5, and a sequence already past them (rows 6 to 9 were
 * deleted). */
$pdo = new PDO("sqlite:$path");
$pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
$pdo->exec('DROP TABLE local_integrationhub_log');
$pdo->exec("CREATE TABLE local_integrationhub_log ("
    . " id INTEGER PRIMARY KEY AUTOINCREMENT, serviceid INTEGER NOT NULL, endpoint TEXT, http_method TEXT,"
    . " http_status INTEGER, latency_ms INTEGER NOT NULL DEFAULT 0, attempt_count INTEGER NOT NULL DEFAULT 1,"
    . " success INTEGER NOT NULL DEFAULT 0, error_message TEXT, direction TEXT NOT NULL DEFAULT 'outbound',"
    . " timecreated INTEGER NOT NULL, servicename TEXT, taskid INTEGER, eventname TEXT)");
$pdo->exec('CREATE INDEX local_integrationhub_log_serviceid_ix ON local_integrationhub_log (serviceid)');
$pdo->exec('CREATE INDEX local_integrationhub_log_timecreated_ix ON local_integrationhub_log (timecreated)');
$pdo->exec('CREATE INDEX local_integrationhub_log_taskid_ix ON local_integrationhub_log (taskid)');
$now = time();
$ins = $pdo->prepare('INSERT INTO local_integrationhub_log (id, serviceid, endpoint, http_method, http_status,'
    . ' latency_ms, success, error_message, timecreated, servicename, taskid, eventname)'
    . ' VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, \'crm\', ?, ?)');
$ins->execute([1, '/a', 'POST', 200, 12, 1, null, $now - 30, null, null]);
$ins->execute([2, '/b', 'POST', 500, 40, 0, 'HTTP 500', $now - 20, 77, '\core\event\user_created']);
$ins->execute([5, '/c', 'GET', 204, 3, 1, null, $now - 10, null, null]);
$pdo->exec("UPDATE sqlite_sequence SET seq = 9 WHERE name = 'local_integrationhub_log'");
$pdo->exec('PRAGMA user_version = 3');
echo 'before: version ', $pdo->query('PRAGMA user_version')->fetchColumn(), ', sequence ',
    $pdo->query("SELECT seq FROM sqlite_sequence WHERE name = 'local_integrationhub_log'")->fetchColumn(), "\n";
$pdo = null;

mih::use_sqlite($path);                    /* migrated here */
foreach (array_reverse(mih::log()) as $row) {
    printf("row %d: %s %s %s status=%s success=%s task=%s error=%s\n", $row['id'], $row['service'],
        $row['method'], $row['endpoint'], var_export($row['httpstatus'], true), var_export($row['success'], true),
        var_export($row['task_id'], true), var_export($row['error'], true));
}
echo 'task 77: ', implode(',', array_column(mih::log(['task_id' => 77]), 'id')), "\n";

mih::log_inbound('crm', ['success' => true, 'endpoint' => '/in', 'method' => 'POST', 'httpstatus' => 200]);
echo 'new row: id ', mih::log(['limit' => 1])[0]['id'], "\n";

$pdo = new PDO("sqlite:$path");
echo 'after: version ', $pdo->query('PRAGMA user_version')->fetchColumn(), "\n";
$sql = $pdo->query("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'local_integrationhub_log'")->fetchColumn();
echo 'AUTOINCREMENT: ', var_export(str_contains($sql, 'AUTOINCREMENT'), true), "\n";
echo 'sequence row: ', var_export($pdo->query("SELECT seq FROM sqlite_sequence WHERE name = 'local_integrationhub_log'")->fetchColumn(), true), "\n";
foreach ($pdo->query("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'local_integrationhub_log' ORDER BY name") as $ix) {
    echo "index {$ix['name']}: ", preg_replace('/^.* ON /', 'ON ', $ix['sql']), "\n";
}
echo 'leftover tables: ', $pdo->query("SELECT COUNT(*) FROM sqlite_master WHERE name LIKE '%_v4'")->fetchColumn(), "\n";
echo 'services kept: ', implode(',', array_column(mih::services(), 'name')), "\n";
$pdo = null;

/* Opening it again changes nothing. */
mih::use_sqlite("$dir/other.sqlite");
mih::use_sqlite($path);
echo 'reopened: ', implode(',', array_column(mih::log(), 'id')), "\n";
?>
--EXPECT--
before: version 3, sequence 9
row 1: crm POST /a status=200 success=true task=NULL error=NULL
row 2: crm POST /b status=500 success=false task=77 error='HTTP 500'
row 5: crm GET /c status=204 success=true task=NULL error=NULL
task 77: 2
new row: id 6
after: version 5
AUTOINCREMENT: false
sequence row: false
index local_integrationhub_log_taskid_ix: ON local_integrationhub_log (taskid) WHERE taskid IS NOT NULL
index local_integrationhub_log_timecreated_ix: ON local_integrationhub_log (timecreated)
leftover tables: 0
services kept: crm
reopened: 6,5,2,1
