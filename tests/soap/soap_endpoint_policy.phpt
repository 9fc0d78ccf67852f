--TEST--
SOAP services: the endpoint address the WSDL names (soap:address) is checked against the outbound policy before SoapClient connects to it, as every HTTP transfer's address is, and a redirect of a call is not followed (where it leads could not be checked); both refused before anything is sent, the reason named
--EXTENSIONS--
mih
soap
--FILE--
<?php
require __DIR__ . '/soap.inc';
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_soap_server();
$other = new mih_test_soap_server();
$port = parse_url($srv->url, PHP_URL_PORT);
$otherport = parse_url($other->url, PHP_URL_PORT);
// The site allows the WSDL's server only.
mih::configure(['allowed_ports' => [(string)$port]]);
$service = fn(string $name, string $location) => mih::save_service(['name' => $name, 'type' => 'soap',
    'base_url' => $srv->url . '/service.wsdl?location=' . rawurlencode($location), 'max_retries' => 0]);

// An endpoint on the allowed server: called.
$service('same', "http://127.0.0.1:$port/soap");
var_dump(mih::request('same', '/register', ['id' => 1])->success);

// The WSDL sends the calls to another port, which the site does not allow: refused, never contacted.
$service('elsewhere', "http://127.0.0.1:$otherport/soap");
$r = mih::request('elsewhere', '/register', ['id' => 2]);
var_dump($r->success);
echo 'error: ', str_replace((string)$otherport, 'OTHER', $r->error), "\n";
mih::enqueue('elsewhere', '/register', ['id' => 3]);
$run = mih::run_queue();
echo "dead={$run['dead']}: ", str_replace((string)$otherport, 'OTHER', mih::dead_letters()[0]['error']), "\n";
echo 'other server got: ', count($other->calls()), "\n";

// An endpoint that does not parse.
$service('garbled', 'http://');
$r = mih::request('garbled', '/register', ['id' => 4]);
echo 'error: ', $r->error, "\n";

// A call answered with a redirect (307 to /soap on the same server): not followed.
$service('moved', "http://127.0.0.1:$port/moved");
$r = mih::request('moved', '/register', ['id' => 5]);
var_dump($r->success);
echo 'error: ', $r->error, "\n";

// A WSDL URL answered with a redirect (302 to /service.wsdl): not followed either, the WSDL does not load.
mih::save_service(['name' => 'wsdlmoved', 'type' => 'soap', 'base_url' => $srv->url . '/moved.wsdl', 'max_retries' => 0]);
$r = mih::request('wsdlmoved', '/register', ['id' => 6]);
var_dump($r->success);
echo 'error: ', str_replace((string)$port, 'PORT', $r->error), "\n";

// A WSDL importing a schema: from the allowed server, loaded; from a port the site does not allow,
// or not over http(s), refused before it is fetched (SoapClient fetches imports with the service's
// headers), and the call is never sent.
$hooks = new mih_test_server();
$hookport = parse_url($hooks->url, PHP_URL_PORT);
$import = fn(string $name, string $url) => mih::save_service(['name' => $name, 'type' => 'soap',
    'base_url' => $srv->url . '/service.wsdl?import=' . rawurlencode($url), 'auth_type' => 'bearer',
    'auth_token' => 'import-token-123456', 'max_retries' => 0]);
$import('imports_ok', "http://127.0.0.1:$port/types.xsd");
var_dump(mih::request('imports_ok', '/register', ['id' => 7])->success);
$import('imports_blocked', "http://127.0.0.1:$hookport/secret.xsd");
$r = mih::request('imports_blocked', '/register', ['id' => 8]);
var_dump($r->success);
echo 'error: ', str_replace((string)$hookport, 'HOOK', $r->error), "\n";
echo 'blocked server got: ', count($hooks->requests()), "\n";
$import('imports_file', 'file:///etc/hostname');
$r = mih::request('imports_file', '/register', ['id' => 9]);
echo 'error: ', $r->error, "\n";

echo 'server got: ', implode(', ', array_map(fn($c) => $c['data']['id'], $srv->calls())), "\n";
?>
--EXPECTF--
bool(true)
bool(false)
error: the endpoint address in the WSDL: port OTHER is not in the allowed ports
dead=1: the endpoint address in the WSDL: port OTHER is not in the allowed ports
other server got: 0
error: the endpoint address in the WSDL does not parse
bool(false)
error: the SOAP endpoint of service "moved" answered with a redirect, which soap services do not follow (where it leads cannot be checked against the outbound policy): the WSDL must name the final address
bool(false)
error: SOAP fault WSDL: SOAP-ERROR: Parsing WSDL: Couldn't load from 'http://127.0.0.1:PORT/moved.wsdl' : failed to load external entity "http://127.0.0.1:PORT/moved.wsdl"
%A
bool(true)
bool(false)
error: a document the WSDL loads was refused: port HOOK is not in the allowed ports
blocked server got: 0
error: a document the WSDL loads was refused: it is not an http(s) URL
server got: 1, 7
