--TEST--
dbstore: a wave's log rows are written after the tasks that take its freed slots are on the wire, not before: a slow $DB write of the log no longer holds the next requests back; the outcomes are committed first, and every log row is written by the end of the run
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

/* The receiver: keeps connections alive, counts the requests it got. */
[$port, $state] = mih_test_raw_server('keepalive');

/* $DB as the stand-in over SQLite; each write of log rows notes how many requests the receiver had
 * got by then, waiting up to 3 s for the one after the rows' own, if there is one (the worker is
 * blocked meanwhile: a request it has not sent before this write cannot arrive). */
final class log_spy_db extends mih_test_moodle_db
{
    public string $state;
    public int $tasks;
    public array $seen = [];
    public array $order = [];

    private function log_write(int $rows): void
    {
        $want = min(count($this->seen) + 2, $this->tasks);
        $deadline = microtime(true) + 3;
        do {
            $got = mih_test_raw_state($this->state)['requests'];
        } while ($got < $want && microtime(true) < $deadline && usleep(5000) === null);
        $this->seen[] = $got;
        $this->order[] = "log $rows";
    }

    public function insert_records($table, $dataobjects)
    {
        if ($table === 'local_integrationhub_log') {
            $this->log_write(count($dataobjects));
        }
        return parent::insert_records($table, $dataobjects);
    }

    public function execute($sql, ?array $params = null)
    {
        if (preg_match('/^INSERT INTO \{local_integrationhub_log\}/', $sql)) {
            $this->log_write(substr_count($sql, '(?'));
        } else if (preg_match('/^DELETE FROM \{local_integrationhub_queue\}/', $sql)) {
            $this->order[] = 'delete';
        }
        return parent::execute($sql, $params);
    }
}

$file = $GLOBALS['MIH_TEST_STORE_FILE'] . '.logspy';
register_shutdown_function(fn() => @unlink($file));
$DB = new log_spy_db($file);
$DB->state = $state;
$DB->tasks = 3;
mih::use_db($DB);
mih::save_service(['name' => 'hooks', 'base_url' => "http://127.0.0.1:$port"]);
for ($i = 0; $i < 3; $i++) {
    mih::enqueue('hooks', "/t/$i", ['n' => $i]);
}
$r = mih::run_queue(['concurrency' => 1]);
echo $r['delivered'], " delivered\n";
echo 'order: ', implode(', ', $DB->order), "\n";
/* At the first write of log rows (task 0's), task 1 was already sent; at the second, task 2. */
echo 'requests received at each log write: ', implode(', ', $DB->seen), "\n";
echo count(mih::log()), " log rows\n";
echo count(mih::tasks()), " tasks left\n";
?>
--EXPECT--
3 delivered
order: delete, log 1, delete, log 1, delete, log 1
requests received at each log write: 2, 3, 3
3 log rows
0 tasks left
