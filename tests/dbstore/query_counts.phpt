--TEST--
dbstore: statements per operation through $DB are part of the contract: a synchronous call 0, a flush of buffered log rows 1, emit with one rule 1 (the queue INSERT, also inside the caller's transaction), with three rules 1 INSERT and 1 read, with none 0, with a dedupe key a transaction around 1 read when the key is seen, the key's and the task's INSERTs too when new, and the expired key's DELETE before them when expired; services cached and invalidated by the host counter or, from another host, by the store's version; on every $DB engine
--EXTENSIONS--
mih
pdo
pdo_sqlite
--INI--
mih.rules_ttl=3600
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
if (mih_test_backend() !== 'moodle') {
    /* The counts are those of the $DB backend: the stand-in over SQLite plays $DB. */
    $GLOBALS['DB'] = mih_test_moodle_db_for($GLOBALS['MIH_TEST_STORE_FILE'] . '.moodle');
    mih::use_db($GLOBALS['DB']);
    register_shutdown_function(fn() => @unlink($GLOBALS['MIH_TEST_STORE_FILE'] . '.moodle'));
}
$DB = $GLOBALS['DB'];

/* What one operation cost: Moodle's own counters (BEGIN and COMMIT count as reads there) and the store's. */
function cost(callable $op, &$result = null): string
{
    global $DB;
    $q = $DB->perf_get_queries();
    $c = mih::query_counts();
    $result = $op();
    $d = mih::query_counts();
    return sprintf('moodle %d, store reads %d writes %d transactions %d', $DB->perf_get_queries() - $q,
        $d['reads'] - $c['reads'], $d['writes'] - $c['writes'], $d['transactions'] - $c['transactions']);
}

$logged = fn() => (int)$DB->raw_pdo()->query('SELECT COUNT(*) FROM ' . $DB->get_prefix() . 'local_integrationhub_log')->fetchColumn();

mih::save_service(['name' => 'crm', 'base_url' => $srv->url]);
mih::save_rule(['eventname' => '\core\event\user_loggedin', 'service' => 'crm', 'endpoint' => '/login']);
foreach (['a', 'b', 'c'] as $n) {
    mih::save_rule(['eventname' => '\core\event\user_created', 'service' => 'crm', 'endpoint' => "/created/$n",
        'payload_template' => '{"user": {{objectid}}}']);
}
$event = ['eventname' => '\core\event\user_loggedin', 'objectid' => 7, 'userid' => 7, 'contextid' => 1, 'other' => null];

echo "-- synchronous calls\n";
mih::flush_log();
echo 'first call: ', cost(fn() => mih::request('crm', '/warm')), "\n";
for ($i = 0; $i < 3; $i++) {
    echo 'call: ', cost(fn() => mih::request('crm', "/sync/$i"), $r), ' -> ', $r->httpstatus, "\n";
}
echo $logged(), " log rows written so far\n";
echo 'flush: ', cost(fn() => mih::flush_log(), $n), " -> $n rows\n";
echo $logged(), " log rows written\n";
echo 'flush again: ', cost(fn() => mih::flush_log(), $n), " -> $n rows\n";

echo "-- every mih.log_flush_rows calls\n";
ini_set('mih.log_flush_rows', '2');
echo 'call: ', cost(fn() => mih::request('crm', '/n/1')), "\n";
echo 'call: ', cost(fn() => mih::request('crm', '/n/2')), "\n";
echo 'call: ', cost(fn() => mih::request('crm', '/n/3')), "\n";
echo count(mih::log(['limit' => 100])), " rows in the log (a read flushes first)\n";
ini_restore('mih.log_flush_rows');

echo "-- events\n";
echo 'rules loaded, once per process: ', cost(fn() => mih::has_rules('\core\event\user_loggedin')), "\n";
echo 'has_rules: ', cost(fn() => [mih::has_rules('\core\event\user_loggedin'), mih::has_rules('core\event\user_deleted')], $r),
    ' -> ', json_encode($r), "\n";
echo 'no rule: ', cost(fn() => mih::emit('\core\event\user_deleted', $event), $ids), ' -> ', count($ids), " tasks\n";
echo 'one rule: ', cost(fn() => mih::emit('\core\event\user_loggedin', $event), $ids), ' -> ', count($ids), " task\n";
echo 'three rules: ', cost(fn() => mih::emit('\core\event\user_created', $event), $ids), ' -> ', count($ids), " tasks\n";
$tasks = array_map(fn($id) => mih::task($id), $ids);
echo implode(' ', array_map(fn($t) => $t['endpoint'] . ' ' . $t['payload'], $tasks)), "\n";
echo count(array_unique(array_column($tasks, 'idempotency_key'))), " distinct idempotency keys\n";
$tx = $DB->start_delegated_transaction();
echo 'one rule, caller\'s transaction: ', cost(fn() => mih::emit('\core\event\user_loggedin', $event), $ids), "\n";
$tx->allow_commit();
echo 'dedupe key: ', cost(fn() => mih::emit('\core\event\user_loggedin', $event, ['dedupe_key' => 'k1'])), "\n";
echo 'dedupe key seen: ', cost(fn() => mih::emit('\core\event\user_loggedin', $event, ['dedupe_key' => 'k1']), $ids), ' -> ', count($ids), " tasks\n";
$DB->raw_pdo()->exec('UPDATE ' . $DB->get_prefix() . "local_integrationhub_dedupe SET timecreated = 1 WHERE dedupekey = 'k1'");
echo 'dedupe key expired: ', cost(fn() => mih::emit('\core\event\user_loggedin', $event, ['dedupe_key' => 'k1']), $ids), ' -> ', count($ids), " task\n";

echo "-- services: this host\n";
mih::save_service(['name' => 'crm', 'base_url' => $srv->url . '/v2']);
echo 'after a save here: ', cost(fn() => mih::request('crm', '/x')), "\n";
echo $srv->last()['path'], "\n";
echo 'next call: ', cost(fn() => mih::request('crm', '/x')), "\n";

echo "-- services: another host (a change in the database only, the store's version moved)\n";
$pdo = $DB->raw_pdo();
$pdo->exec('UPDATE ' . $DB->get_prefix() . "local_integrationhub_svc SET base_url = '" . $srv->url . "/v3' WHERE name = 'crm'");
$pdo->exec('UPDATE ' . $DB->get_prefix() . "local_integrationhub_meta SET value = value + 1 WHERE name = 'rules_version'");
echo 'within mih.rules_ttl: ', cost(fn() => mih::request('crm', '/y')), ' -> ', $srv->last()['path'], "\n";
ini_set('mih.rules_ttl', '0');
echo 'past it: ', cost(fn() => mih::request('crm', '/y')), ' -> ', $srv->last()['path'], "\n";
echo 'past it, unchanged: ', cost(fn() => mih::request('crm', '/y')), ' -> ', $srv->last()['path'], "\n";
?>
--EXPECT--
-- synchronous calls
first call: moodle 2, store reads 2 writes 0 transactions 0
call: moodle 0, store reads 0 writes 0 transactions 0 -> 200
call: moodle 0, store reads 0 writes 0 transactions 0 -> 200
call: moodle 0, store reads 0 writes 0 transactions 0 -> 200
0 log rows written so far
flush: moodle 1, store reads 0 writes 1 transactions 0 -> 4 rows
4 log rows written
flush again: moodle 0, store reads 0 writes 0 transactions 0 -> 0 rows
-- every mih.log_flush_rows calls
call: moodle 0, store reads 0 writes 0 transactions 0
call: moodle 1, store reads 0 writes 1 transactions 0
call: moodle 0, store reads 0 writes 0 transactions 0
7 rows in the log (a read flushes first)
-- events
rules loaded, once per process: moodle 3, store reads 3 writes 0 transactions 0
has_rules: moodle 0, store reads 0 writes 0 transactions 0 -> [true,false]
no rule: moodle 0, store reads 0 writes 0 transactions 0 -> 0 tasks
one rule: moodle 1, store reads 0 writes 1 transactions 0 -> 1 task
three rules: moodle 2, store reads 1 writes 1 transactions 0 -> 3 tasks
/created/a {"user": 7} /created/b {"user": 7} /created/c {"user": 7}
3 distinct idempotency keys
one rule, caller's transaction: moodle 1, store reads 0 writes 1 transactions 0
dedupe key: moodle 5, store reads 1 writes 2 transactions 1
dedupe key seen: moodle 3, store reads 1 writes 0 transactions 1 -> 0 tasks
dedupe key expired: moodle 6, store reads 1 writes 3 transactions 1 -> 1 task
-- services: this host
after a save here: moodle 2, store reads 2 writes 0 transactions 0
/v2/x
next call: moodle 0, store reads 0 writes 0 transactions 0
-- services: another host (a change in the database only, the store's version moved)
within mih.rules_ttl: moodle 0, store reads 0 writes 0 transactions 0 -> /v2/y
past it: moodle 3, store reads 3 writes 0 transactions 0 -> /v3/y
past it, unchanged: moodle 1, store reads 1 writes 0 transactions 0 -> /v3/y
