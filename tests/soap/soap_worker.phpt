--TEST--
SOAP services: the worker calls the rule's operation through SoapClient with the rendered payload as its argument; a Server fault or an unreachable service is retried, a Client fault goes to the DLQ, with the same log and breaker as HTTP; mih::request calls it synchronously
--EXTENSIONS--
mih
soap
--INI--
mih.shm_path={PWD}/soap_worker.shm
--FILE--
<?php
require __DIR__ . '/soap.inc';
require __DIR__ . '/../store.inc';
require __DIR__ . '/../children.inc';
use local_integrationhub\mih;

mih_test_use_store();
mih_test_private_breaker_table();
$srv = new mih_test_soap_server();
mih::save_service(['name' => 'erp', 'type' => 'soap', 'base_url' => $srv->url . '/service.wsdl', 'auth_type' => 'bearer',
    'auth_token' => 'soap-token-123456', 'headers' => ['X-Site' => 'moodle'], 'cb_failure_threshold' => 50]);
mih::save_rule(['eventname' => '\core\event\user_created', 'service' => 'erp', 'endpoint' => '/register',
    'payload_template' => '{"id": {{objectid}}, "name": "{{other.name}}"}']);
$ids = [];
foreach ([['objectid' => 7, 'other' => ['name' => 'Ana']], ['objectid' => 8, 'other' => ['name' => 'Luis']]] as $ev) {
    [$ids[]] = mih::emit('\core\event\user_created', $ev);
}
$keys = array_map(fn($id) => mih::task($id)['idempotency_key'], $ids);
$r = mih::run_queue();
echo "delivered={$r['delivered']} retried={$r['retried']} dead={$r['dead']}\n";
foreach ($srv->calls() as $i => $c) {
    echo json_encode($c['data']), ' auth=', $c['headers']['authorization'] ?? '-', ' site=', $c['headers']['x-site'] ?? '-',
        ' key=', ($c['headers']['idempotency-key'] ?? '') === $keys[$i] ? 'task' : 'WRONG', "\n";
}
$log = mih::log(['limit' => 1]);
echo "log: {$log[0]['service']} {$log[0]['httpstatus']} ", var_export($log[0]['success'], true), "\n";

$server = mih::enqueue('erp', '/failServer', ['x' => 1]);
$client = mih::enqueue('erp', '/failClient', ['x' => 2]);
$unknown = mih::enqueue('erp', '/noSuchOperation', ['x' => 3]);
$notjson = mih::enqueue('erp', '/register', 'not json');
$r = mih::run_queue();
echo "delivered={$r['delivered']} retried={$r['retried']} dead={$r['dead']}\n";
$t = mih::task($server);
echo "server fault: {$t['status']} {$t['last_status']} {$t['last_error']}\n";
$dead = mih::dead_letters();
usort($dead, fn($a, $b) => strcmp($a['endpoint'], $b['endpoint']));
foreach ($dead as $d) {
    echo "dead: {$d['endpoint']} ", (int)$d['last_status'], " {$d['error']}\n";
}

// Synchronous: mih::request calls the operation and returns its result as JSON.
$resp = mih::request('erp', '/register', ['id' => 9, 'name' => 'Eva']);
var_dump($resp->success, $resp->httpstatus, $resp->body);
$resp = mih::request('erp', '/failClient', ['id' => 10], null, ['max_retries' => 0]);
var_dump($resp->success, $resp->httpstatus, $resp->error);

// The service down: a transport fault, retried.
mih::save_service(['name' => 'down', 'type' => 'soap', 'base_url' => $srv->url . '/service.wsdl']);
$srv->stop();
$down = mih::enqueue('down', '/register', ['x' => 4]);
$r = mih::run_queue();
$t = mih::task($down);
echo "down: retried={$r['retried']} {$t['status']} {$t['last_error']}\n";
?>
--EXPECTF--
delivered=2 retried=0 dead=0
{"id":7,"name":"Ana"} auth=Bearer soap-token-123456 site=moodle key=task
{"id":8,"name":"Luis"} auth=Bearer soap-token-123456 site=moodle key=task
log: erp 200 true
delivered=0 retried=1 dead=3
server fault: retrying 500 SOAP fault SOAP-ENV:Server: temporarily unavailable
dead: /failClient 400 SOAP fault SOAP-ENV:Client: bad input
dead: /noSuchOperation 400 SOAP fault Client: Function ("noSuchOperation") is not a valid method for this service
dead: /register 0 the payload of a soap delivery must be JSON (the operation's argument)
bool(true)
int(200)
string(24) "{"received":true,"id":9}"
bool(false)
int(400)
string(37) "SOAP fault SOAP-ENV:Client: bad input"
down: retried=1 retrying SOAP fault HTTP: %s
