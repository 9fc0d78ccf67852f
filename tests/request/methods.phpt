--TEST--
mih::request: what the server receives for every HTTP method (method, path, query, headers, body bytes)
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
mih_test_service($srv);
$payload = ['name' => 'Ana María', 'tags' => ['a', 'b'], 'n' => 3, 'f' => 0.1, 'ok' => true, 'nil' => null,
    'path' => 'a/b', 'nested' => ['k' => 'v']];
foreach (['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as $m) {
    $r = mih::request('test', '/items/7?keep=1', $payload, strtolower($m));
    $got = $srv->last();
    printf("%s -> %s %s status=%d body=%s ct=%s len=%s\n", $m, $got['method'], $got['uri'], $r->httpstatus,
        $got['body'] === '' ? '(none)' : ($got['body'] === json_encode($payload, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE) ? 'json_encode-bytes' : $got['body']),
        $got['headers']['content-type'] ?? '-', $got['headers']['content-length'] ?? '-');
    if ($m === 'GET') {
        var_dump($got['query'] === 'keep=1&' . http_build_query($payload, '', '&', PHP_QUERY_RFC3986));
    }
}
// HEAD answers carry no body
var_dump(mih::request('test', '/', [], 'HEAD')->body);
// default method is the service's (POST), then the service's own setting
mih::request('test', '/x');
echo $srv->last()['method'], "\n";
mih_test_service($srv, ['method' => 'put']);
mih::request('test', '/x');
echo $srv->last()['method'], "\n";
mih::request('test', '/x', [], 'PATCH');
echo $srv->last()['method'], "\n";
?>
--EXPECT--
GET -> GET /items/7?keep=1&name=Ana%20Mar%C3%ADa&tags%5B0%5D=a&tags%5B1%5D=b&n=3&f=0.1&ok=1&path=a%2Fb&nested%5Bk%5D=v status=200 body=(none) ct=application/json len=-
bool(true)
POST -> POST /items/7?keep=1 status=200 body=json_encode-bytes ct=application/json len=105
PUT -> PUT /items/7?keep=1 status=200 body=json_encode-bytes ct=application/json len=105
PATCH -> PATCH /items/7?keep=1 status=200 body=json_encode-bytes ct=application/json len=105
DELETE -> DELETE /items/7?keep=1 status=200 body=json_encode-bytes ct=application/json len=105
HEAD -> HEAD /items/7?keep=1&name=Ana%20Mar%C3%ADa&tags%5B0%5D=a&tags%5B1%5D=b&n=3&f=0.1&ok=1&path=a%2Fb&nested%5Bk%5D=v status=200 body=(none) ct=application/json len=-
string(0) ""
POST
PUT
PATCH
