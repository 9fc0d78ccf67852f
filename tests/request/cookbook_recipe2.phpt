--TEST--
Cookbook Recipe 2: syncing user creation to a CRM with mih::request and the fluent builder
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
mih::save_service(['name' => 'mi-crm-servicio', 'base_url' => $srv->url, 'auth_type' => 'bearer',
    'auth_token' => 'crm-secret-token-0001']);
$userData = ['id' => 42, 'username' => 'ana', 'email' => 'ana@example.org', 'firstname' => 'Ána'];

// Usage: mih::request(service_name, path, payload, method)
$response = mih::request('mi-crm-servicio', '/api/v1/clientes', $userData, 'POST');
if ($response->is_ok()) {
    echo "Sync successful: " . $response->body, "\n";
}
$got = $srv->last();
echo $got['method'], ' ', $got['uri'], "\n";
var_dump($got['body'] === json_encode($userData, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE));
echo $got['headers']['authorization'], "\n";

// Or Fluent Style:
$response = mih::send('mi-crm-servicio')->to('/api/v1/clientes')->with($userData)->dispatch();
var_dump($response->is_ok(), $response->httpstatus, $response->attempts);
$got = $srv->last();
echo $got['method'], ' ', $got['uri'], ' ', $got['body'], "\n";
?>
--EXPECT--
Sync successful: {"method":"POST","uri":"/api/v1/clientes","body":"{\"id\":42,\"username\":\"ana\",\"email\":\"ana@example.org\",\"firstname\":\"\u00c1na\"}"}
POST /api/v1/clientes
bool(true)
Bearer crm-secret-token-0001
bool(true)
int(200)
int(1)
POST /api/v1/clientes {"id":42,"username":"ana","email":"ana@example.org","firstname":"Ána"}
