--TEST--
dbstore: the fake $DB honours Moodle's DML semantics (prefix, placeholders, limits, keys, strings, exceptions)
--EXTENSIONS--
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../moodle_db.inc';

$file = tempnam(sys_get_temp_dir(), 'mih_fake_');
$db = new mih_test_moodle_db($file, 'xy_');

// tables come from install.xml, with the prefix
$pdo = new PDO('sqlite:' . $file);
$tables = $pdo->query("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'xy_%' ORDER BY name")->fetchAll(PDO::FETCH_COLUMN);
echo implode(' ', $tables), "\n";

// objects in, the id out (an int), unknown ids ignored
$svc = new stdClass();
$svc->id = 99;
$svc->name = 'crm';
$svc->base_url = 'http://crm.example';
$svc->timeout = 2.5;
$svc->enabled = true;
$svc->timecreated = 10;
$svc->timemodified = 10;
$id = $db->insert_record('local_integrationhub_svc', $svc);
var_dump($id);
var_dump($db->insert_record('local_integrationhub_svc', ['name' => 'b', 'base_url' => 'x', 'timecreated' => 1, 'timemodified' => 1], false));

// records keyed by the first field, every value a string or null, defaults from install.xml
$rows = $db->get_records_sql('SELECT id, name, timeout, enabled, auth_token, type FROM {local_integrationhub_svc} WHERE name = ?', ['crm']);
var_dump($rows);
// :named placeholders, limits
$rows = $db->get_records_sql('SELECT name, id FROM {local_integrationhub_svc} WHERE id >= :min ORDER BY id', ['min' => 1], 1, 5);
echo implode(',', array_keys($rows)), "\n";
$rows = $db->get_records_sql('SELECT id FROM {local_integrationhub_svc} ORDER BY id', null, 0, 1);
echo implode(',', array_keys($rows)), "\n";
var_dump($db->execute('UPDATE {local_integrationhub_svc} SET enabled = ? WHERE id = ?', [false, $id]));
echo $db->get_records_sql('SELECT id, enabled FROM {local_integrationhub_svc} WHERE id = ?', [$id])[$id]->enabled, "\n";

function attempt(callable $f): void
{
    try {
        $f();
        echo "no exception\n";
    } catch (Exception $e) {
        echo get_class($e), ': ', $e->getMessage(), (isset($e->error) ? " [{$e->error}]" : ''), "\n";
    }
}
// the first column must be unique (Moodle warns; the fake throws)
attempt(fn() => $db->get_records_sql('SELECT type, id FROM {local_integrationhub_svc}'));
// SQL errors are dml exceptions, without the parameters in the message
attempt(fn() => $db->get_records_sql('SELECT nope FROM {local_integrationhub_svc} WHERE name = ?', ['secret-value']));
attempt(fn() => $db->execute('UPDATE {local_integrationhub_svc} SET name = ? WHERE id = ?', ['b', $id]));
attempt(fn() => $db->execute('DELETE FROM {local_integrationhub_svc}; DELETE FROM {local_integrationhub_rules}'));
attempt(fn() => $db->execute('UPDATE {local_integrationhub_svc} SET name = ? WHERE id = ?', ['x']));
attempt(fn() => $db->insert_record('local_integrationhub_svc', ['name' => 'c', 'base_url' => 'x', 'timecreated' => 1, 'timemodified' => 1, 'colour' => 'red']));
attempt(fn() => $db->insert_record('local_integrationhub_nope', ['name' => 'c']));
attempt(fn() => $db->insert_record('local_integrationhub_svc', ['name' => 'c']));
// char(N) lengths are enforced, text is not
attempt(fn() => $db->insert_record('local_integrationhub_svc', ['name' => 'c', 'base_url' => 'x', 'type' => str_repeat('t', 11), 'timecreated' => 1, 'timemodified' => 1]));
// unique indexes from install.xml
$task = ['serviceid' => $id, 'idempotency_key' => 'msg_1', 'claim_token' => '', 'run_token' => '', 'timecreated' => 1, 'timemodified' => 1, 'payload' => "a\0b"];
$tid = $db->insert_record('local_integrationhub_queue', $task);
attempt(fn() => $db->insert_record('local_integrationhub_queue', $task));
// binary-safe text
var_dump($db->get_records_sql('SELECT id, payload FROM {local_integrationhub_queue}')[$tid]->payload === "a\0b");
print_r($db->calls);
@unlink($file);
?>
--EXPECTF--
xy_local_integrationhub_cb xy_local_integrationhub_dedupe xy_local_integrationhub_dlq xy_local_integrationhub_inbound xy_local_integrationhub_log xy_local_integrationhub_meta xy_local_integrationhub_queue xy_local_integrationhub_rules xy_local_integrationhub_seen xy_local_integrationhub_svc
int(1)
bool(true)
array(1) {
  [1]=>
  object(stdClass)#%d (6) {
    ["id"]=>
    string(1) "1"
    ["name"]=>
    string(3) "crm"
    ["timeout"]=>
    string(3) "2.5"
    ["enabled"]=>
    string(1) "1"
    ["auth_token"]=>
    NULL
    ["type"]=>
    string(4) "rest"
  }
}
b
1
bool(true)
0
coding_exception: Coding error detected, it must be fixed by a programmer: Did you remember to make the first column something unique in your call to get_records? Duplicate value 'rest' found in column 'type'.
dml_read_exception: Error reading from database [no such column: nope]
dml_write_exception: Error writing to database [UNIQUE constraint failed: xy_local_integrationhub_svc.name]
coding_exception: Coding error detected, it must be fixed by a programmer: moodle_database::execute() Multiple sql statements found or bound parameters not used properly in query!
dml_exception: ERROR! Incorrect number of query parameters. Expected 2, got 1.
dml_write_exception: Error writing to database [Field "colour" does not exist in table "local_integrationhub_svc" (Moodle would drop it silently)]
dml_exception: Table "local_integrationhub_nope" does not exist
dml_write_exception: Error writing to database [NOT NULL constraint failed: xy_local_integrationhub_svc.base_url]
dml_write_exception: Error writing to database [CHECK constraint failed: length(type) <= 10]
dml_write_exception: Error writing to database [UNIQUE constraint failed: xy_local_integrationhub_queue.idempotency_key]
bool(true)
Array
(
    [insert_record] => 8
    [get_records_sql] => 7
    [execute] => 4
)
