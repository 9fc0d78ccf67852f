--TEST--
dbstore: the drain writes a wave set-based through $DB: the delivered tasks of a wave in one DELETE per claim they came from, its log rows in one insert_records(), claims in three statements; no statement per task and no transaction when every delivery succeeded; one read at the end for expired dedupe keys
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

/* $DB as the stand-in over SQLite, noting each statement's kind. */
final class spy_db extends mih_test_moodle_db
{
    public array $seen = [];
    public array $rows = [];

    private const KINDS = [
        '/^DELETE FROM \{local_integrationhub_queue\} WHERE claim_token = \? AND id IN \(\?(,\?)*\)$/' => 'complete a wave',
        '/^UPDATE \{local_integrationhub_queue\} SET claim_token = \?, lease_until = \?/' => 'claim: write the token',
        '/^SELECT id FROM \{local_integrationhub_queue\} WHERE next_run <= \?/' => 'claim: candidates',
        '/^SELECT q\.\*, s\.name AS service FROM .* WHERE q\.claim_token = \?/' => 'claim: read back',
        '/^SELECT \* FROM \{local_integrationhub_svc\} ORDER BY name$/' => 'services',
        '/^local_integrationhub_log$/' => 'log rows',
        '/^SELECT id FROM \{local_integrationhub_dedupe\} WHERE timecreated <= \?/' => 'expired dedupe keys',
    ];

    private function note(string $kind, string $sql): void
    {
        foreach (self::KINDS as $re => $label) {
            if (preg_match($re, $sql)) {
                $this->seen[] = "$kind: $label";
                return;
            }
        }
        $this->seen[] = "$kind: $sql";
    }

    public function execute($sql, ?array $params = null)
    {
        $this->note('execute', $sql);
        return parent::execute($sql, $params);
    }

    public function get_records_sql($sql, ?array $params = null, $limitfrom = 0, $limitnum = 0)
    {
        $this->note('read', $sql);
        return parent::get_records_sql($sql, $params, $limitfrom, $limitnum);
    }

    public function insert_record($table, $dataobject, $returnid = true, $bulk = false)
    {
        $this->note('insert_record', $table);
        return parent::insert_record($table, $dataobject, $returnid, $bulk);
    }

    public function insert_records($table, $dataobjects)
    {
        $this->note('insert_records', $table);
        $this->rows[] = count($dataobjects);
        return parent::insert_records($table, $dataobjects);
    }

    public function start_delegated_transaction()
    {
        $this->note('transaction', '');
        return parent::start_delegated_transaction();
    }
}

$srv = new mih_test_server();
$file = $GLOBALS['MIH_TEST_STORE_FILE'] . '.spy';
register_shutdown_function(fn() => @unlink($file));
$DB = new spy_db($file);
mih::use_db($DB);
mih::save_service(['name' => 'hooks', 'base_url' => $srv->url]);
for ($i = 0; $i < 40; $i++) {
    mih::enqueue('hooks', "/t/$i", ['n' => $i]);
}
$DB->seen = [];
$c0 = mih::query_counts();
$r = mih::run_queue(['concurrency' => 8]);
$c1 = mih::query_counts();
echo $r['delivered'], " delivered\n";

$kinds = array_count_values($DB->seen);
ksort($kinds);
$deletes = $kinds['execute: complete a wave'] ?? 0;
$claims = $kinds['execute: claim: write the token'] ?? 0;
echo "statement kinds:\n  ", implode("\n  ", array_keys($kinds)), "\n";
echo 'log rows written: ', array_sum($DB->rows), ' in ', count($DB->rows), " insert_records() calls\n";
/* One INSERT per wave, one DELETE per claim its tasks came from: one, or more where a wave spans the
 * end of a claim (each claim's end at most once: at most claims - 1 extra DELETEs in all). */
var_dump(count($DB->rows) <= $deletes && $deletes <= count($DB->rows) + $claims - 1);
var_dump($deletes < 40 && $claims < 40);
$total = ($c1['reads'] - $c0['reads']) + ($c1['writes'] - $c0['writes']);
var_dump($total === count($DB->seen));
/* The services, the claims, the DELETEs, the log rows, the empty candidate reads, the dedupe prune's one read. */
var_dump($total === 1 + 3 * $claims + $deletes + count($DB->rows) + ($kinds['read: claim: candidates'] - $claims) + 1);
echo count(mih::tasks()), " tasks left\n";
?>
--EXPECTF--
40 delivered
statement kinds:
  execute: claim: write the token
  execute: complete a wave
  insert_records: log rows
  read: claim: candidates
  read: claim: read back
  read: expired dedupe keys
  read: services
log rows written: 40 in %d insert_records() calls
bool(true)
bool(true)
bool(true)
bool(true)
0 tasks left
