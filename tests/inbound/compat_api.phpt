--TEST--
The pure-PHP plugin's API on mih: instance() is one object, execute_request() is mih::request() (an empty method is the service's), record_outcome() feeds the breaker as the hub's own calls do
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
mih_test_service($srv, ['name' => 'crm', 'method' => 'PUT', 'cb_failure_threshold' => 2]);
var_dump(mih::instance() === mih::instance(), mih::instance() instanceof mih);
$r = mih::instance()->execute_request('crm', '/users', ['name' => 'maria']);
$last = $srv->last();
echo $r->httpstatus, ' ', $last['method'], ' ', $last['path'], ' ', $last['body'], "\n";
$r = mih::instance()->execute_request('crm', '/users', [], 'delete');
echo $srv->last()['method'], "\n";
$r = mih::instance()->execute_request('crm');
echo $srv->last()['path'], "\n";
echo implode(' ', array_unique(array_column(mih::log(['service' => 'crm']), 'direction'))), "\n";
try {
    mih::instance()->execute_request('ghost');
} catch (local_integrationhub\service_not_found_exception $e) {
    echo get_class($e), "\n";
}
try {
    mih::instance()->execute_request('crm', '/', [], "GET\r\nX: y");
} catch (ValueError $e) {
    echo "ValueError\n";
}

// Outcomes of calls made elsewhere open the same circuit the hub's calls see.
mih::reset_circuit('crm');
echo json_encode(mih::record_outcome('crm', false)), "\n";
$c = mih::record_outcome('crm', false);
echo $c['state'], ' ', $c['retry_after'] > 0 ? 'cooling' : 'ready', "\n";
try {
    mih::request('crm', '/x');
} catch (local_integrationhub\circuit_open_exception $e) {
    echo "circuit open for ", $e->service, "\n";
}
// An open circuit takes no outcome until its cooldown ends.
echo mih::record_outcome('crm', true)['state'], "\n";
mih::reset_circuit('crm');
mih::record_outcome('crm', false);
mih::record_outcome('crm', true);
echo mih::record_outcome('crm', false)['state'], "\n";
try {
    mih::record_outcome('ghost', true);
} catch (local_integrationhub\service_not_found_exception $e) {
    echo get_class($e), "\n";
}
?>
--EXPECTF--
bool(true)
bool(true)
200 PUT /users {"name":"maria"}
DELETE
/
outbound
local_integrationhub\service_not_found_exception
ValueError
{"service":"crm","state":"closed","failures":1,"calls":1,"opened_at":null,"retry_after":0}
open cooling
circuit open for crm
open
closed
local_integrationhub\service_not_found_exception
