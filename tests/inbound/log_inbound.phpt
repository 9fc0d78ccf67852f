--TEST--
mih::log_inbound(): one request-log row with direction "inbound", written at once (and in the caller's $DB transaction), for known and unknown services; bad entries refused
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../store.inc';
$backend = mih_test_use_store('log_inbound');
use local_integrationhub\mih;

function rows(): array {
    global $DB;
    $sql = 'SELECT id, serviceid, servicename, endpoint, http_method, http_status, success, error_message, direction, attempt_count
        FROM %s ORDER BY id';
    if (mih_test_backend() === 'moodle') {
        $rows = array_values($DB->get_records_sql(sprintf($sql, '{local_integrationhub_log}')));
    } else {
        $pdo = new PDO('sqlite:' . $GLOBALS['MIH_TEST_STORE_FILE']);
        $rows = $pdo->query(sprintf($sql, 'local_integrationhub_log'))->fetchAll(PDO::FETCH_OBJ);
    }
    return array_map(fn($r) => sprintf('%s#%d %s %s %s %s ok=%d err=%s attempts=%d', $r->direction, $r->serviceid,
        $r->servicename, $r->endpoint, $r->http_method, $r->http_status ?? 'null', $r->success,
        $r->error_message ?? 'null', $r->attempt_count), $rows);
}

mih::save_service(['name' => 'crm', 'base_url' => 'https://crm.example.org']);
mih::log_inbound('crm', ['httpstatus' => 200, 'success' => true, 'latencyms' => 4]);
// Visible to another connection at once: not buffered like synchronous outbound rows.
echo implode("\n", rows()), "\n";
mih::log_inbound('ghost', ['endpoint' => 'webhook', 'method' => 'POST', 'httpstatus' => 404, 'success' => false,
    'error' => 'unknown_service: Unknown service.']);
mih::log_inbound('crm', ['endpoint' => 'amqp', 'method' => 'INBOUND', 'success' => true]);
echo implode("\n", rows()), "\n";
$log = mih::log(['service' => 'ghost']);
echo count($log), ' ', $log[0]['httpstatus'], ' ', $log[0]['error'], ' ', $log[0]['direction'], "\n";
// The dashboard's call figures count the hub's own calls: inbound rows are neither calls nor failures.
$stats = mih::stats();
printf("stats: crm %d calls, %d failures; ghost %s\n", $stats['crm']['calls_24h'] ?? -1,
    $stats['crm']['failure_24h'] ?? -1, isset($stats['ghost']['calls_24h']) ? 'counted' : 'not counted');

if ($backend === 'moodle') {
    // In the caller's transaction: rolled back with it.
    $tx = $DB->start_delegated_transaction();
    mih::log_inbound('crm', ['httpstatus' => 200, 'success' => true]);
    try {
        $tx->rollback(new RuntimeException('undo'));
    } catch (RuntimeException $e) {
    }
    echo count(rows()) === 3 ? "rolled back with the caller\n" : "NOT rolled back\n";
} else {
    echo "rolled back with the caller\n";
}

foreach ([
    ['success' => true, 'colour' => 'red'],
    ['httpstatus' => 200],
    ['success' => 'yes'],
    ['success' => true, 'httpstatus' => 99],
    ['success' => true, 'httpstatus' => '200'],
    ['success' => true, 'latencyms' => -1],
    ['success' => true, 'error' => 5],
    ['success' => true, 'endpoint' => "a\0b"],
] as $entry) {
    try {
        mih::log_inbound('crm', $entry);
        echo "accepted\n";
    } catch (ValueError | TypeError $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
echo count(rows()), "\n";
?>
--EXPECTF--
inbound#1 crm webhook POST 200 ok=1 err=null attempts=1
inbound#1 crm webhook POST 200 ok=1 err=null attempts=1
inbound#0 ghost webhook POST 404 ok=0 err=unknown_service: Unknown service. attempts=1
inbound#1 crm amqp INBOUND null ok=1 err=null attempts=1
1 404 unknown_service: Unknown service. inbound
stats: crm 0 calls, 0 failures; ghost not counted
rolled back with the caller
ValueError: local_integrationhub\mih::log_inbound(): Argument #2 ($entry) contains unknown field "colour" (known: endpoint, method, httpstatus, success, error, latencyms)
ValueError: local_integrationhub\mih::log_inbound(): Argument #2 ($entry) field "success" must be given as a bool
ValueError: local_integrationhub\mih::log_inbound(): Argument #2 ($entry) field "success" must be given as a bool
ValueError: local_integrationhub\mih::log_inbound(): Argument #2 ($entry) field "httpstatus" must be between 100 and 599
TypeError: local_integrationhub\mih::log_inbound(): Argument #2 ($entry) field "httpstatus" must be of type ?int, string given
ValueError: local_integrationhub\mih::log_inbound(): Argument #2 ($entry) field "latencyms" must be between 0 and 9223372036854775807
TypeError: local_integrationhub\mih::log_inbound(): Argument #2 ($entry) field "error" must be of type ?string, int given
ValueError: %s
3
