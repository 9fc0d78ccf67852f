--TEST--
dbstore: on PostgreSQL and MySQL the rows of one batch (a flush of log rows, the tasks of an event with several rules) go in as one multi-row INSERT through $DB->execute() ($1, $2 ... on PostgreSQL, ? on MySQL) instead of insert_records(); other families keep insert_records(); the rows written are the same, one statement either way
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

/* The stand-in over SQLite, saying it is another family and noting how rows are written. */
final class family_db extends mih_test_moodle_db
{
    public array $seen = [];

    public function __construct(string $file, string $family)
    {
        parent::__construct($file);
        $this->family = $family;
    }

    public function execute($sql, ?array $params = null)
    {
        if (str_starts_with($sql, 'INSERT')) {
            /* The statement's shape: table, columns, first row's placeholders, rows, parameters. */
            preg_match('/^INSERT INTO \{(\w+)\} \(([a-z_,]+)\) VALUES (\([^)]*\))/', $sql, $m);
            $rows = substr_count($sql, '),(') + 1;
            $this->seen[] = sprintf('execute INSERT {%s}: %d columns, %d rows, %d parameters, first row %s',
                $m[1], count(explode(',', $m[2])), $rows, count($params), strlen($m[3]) > 20 ? substr($m[3], 0, 20) . '...' : $m[3]);
        }
        return parent::execute($sql, $params);
    }

    public function insert_records($table, $dataobjects)
    {
        $this->seen[] = sprintf('insert_records {%s}: %d rows', $table, count($dataobjects));
        return parent::insert_records($table, $dataobjects);
    }
}

$srv = new mih_test_server();
$written = [];
foreach (['postgres', 'mysql', 'sqlite', 'mssql'] as $family) {
    $file = $GLOBALS['MIH_TEST_STORE_FILE'] . ".$family";
    @unlink($file);
    $DB = new family_db($file, $family);
    mih::use_db($DB);
    mih::save_service(['name' => 'crm', 'base_url' => $srv->url]);
    foreach (['a', 'b', 'c'] as $n) {
        mih::save_rule(['eventname' => '\core\event\user_created', 'service' => 'crm', 'endpoint' => "/created/$n",
            'payload_template' => '{"user": {{objectid}}, "rule": "' . $n . '", "k": "{{other.k}}"}']);
    }
    $DB->seen = [];
    for ($i = 0; $i < 5; $i++) {
        mih::request('crm', "/sync/$i", ['i' => $i, 'text' => "naïve \"quoted\" \\ $i", 'none' => null]);
    }
    $c = mih::query_counts();
    mih::flush_log();
    $d = mih::query_counts();
    $ids = mih::emit('\core\event\user_created', ['eventname' => '\core\event\user_created', 'objectid' => 7, 'userid' => 7,
        'contextid' => 1, 'other' => ['k' => "ü'v"]]);
    echo "$family: flush ", $d['writes'] - $c['writes'], " write\n  ", implode("\n  ", $DB->seen), "\n";

    $pdo = $DB->raw_pdo();
    $p = $DB->get_prefix();
    $log = $pdo->query("SELECT serviceid, endpoint, http_method, http_status, attempt_count, success, error_message,
        direction, servicename, taskid, eventname FROM {$p}local_integrationhub_log ORDER BY id")->fetchAll(PDO::FETCH_ASSOC);
    $queue = $pdo->query("SELECT ruleid, serviceid, eventname, endpoint, http_method, payload, headers, attempts, status,
        userid, relateduserid, contextid FROM {$p}local_integrationhub_queue ORDER BY id")->fetchAll(PDO::FETCH_ASSOC);
    $written[$family] = json_encode([$log, $queue]);
    echo '  ', count($log), ' log rows, ', count($queue), ' tasks (', count($ids), " ids returned)\n";
    mih::use_sqlite($GLOBALS['MIH_TEST_STORE_FILE'] . '.idle');
    unset($DB);
    @unlink($file);
}
echo count(array_unique($written)) === 1 ? "the same rows on every family\n" : "rows differ:\n" . print_r($written, true);
echo $written['postgres'] !== '' && str_contains($written['postgres'], '\/sync\/4') ? "log rows of the calls present\n" : "log rows missing\n";
@unlink($GLOBALS['MIH_TEST_STORE_FILE'] . '.idle');
?>
--EXPECT--
postgres: flush 1 write
  execute INSERT {local_integrationhub_log}: 13 columns, 5 rows, 65 parameters, first row ($1,$2,$3,$4,$5,$6,$...
  execute INSERT {local_integrationhub_queue}: 22 columns, 3 rows, 66 parameters, first row ($1,$2,$3,$4,$5,$6,$...
  5 log rows, 3 tasks (3 ids returned)
mysql: flush 1 write
  execute INSERT {local_integrationhub_log}: 13 columns, 5 rows, 65 parameters, first row (?,?,?,?,?,?,?,?,?,?...
  execute INSERT {local_integrationhub_queue}: 22 columns, 3 rows, 66 parameters, first row (?,?,?,?,?,?,?,?,?,?...
  5 log rows, 3 tasks (3 ids returned)
sqlite: flush 1 write
  insert_records {local_integrationhub_log}: 5 rows
  insert_records {local_integrationhub_queue}: 3 rows
  5 log rows, 3 tasks (3 ids returned)
mssql: flush 1 write
  insert_records {local_integrationhub_log}: 5 rows
  insert_records {local_integrationhub_queue}: 3 rows
  5 log rows, 3 tasks (3 ids returned)
the same rows on every family
log rows of the calls present