--TEST--
mih::request asks for a compressed answer with "Accept-Encoding: gzip" alone and hands back the decoded body (gzip or deflate); a queued delivery sends no Accept-Encoding
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
mih_test_service($srv);
$json = json_encode(['items' => array_fill(0, 50, 'the same words again')]);
$srv->respond('/gz', [['status' => 200, 'headers' => ['Content-Encoding: gzip', 'Content-Type: application/json'],
    'body_base64' => base64_encode(gzencode($json))]]);
$srv->respond('/deflate', [['status' => 200, 'headers' => ['Content-Encoding: deflate'],
    'body_base64' => base64_encode(gzcompress($json))]]);

foreach (['/gz', '/deflate', '/plain'] as $path) {
    $r = mih::request('test', $path, [], 'GET');
    $sent = $srv->last()['headers']['accept-encoding'] ?? '(none)';
    printf("%-8s sent Accept-Encoding: %s | status %d, body %s\n", $path, $sent, $r->httpstatus,
        $path === '/plain' ? (json_decode($r->body, true) !== null ? 'JSON' : 'not JSON')
            : ($r->body === $json ? 'decoded' : 'NOT decoded: ' . strlen($r->body) . ' bytes'));
}

mih::enqueue('test', '/queued', ['a' => 1]);
mih::run_queue();
echo 'queued delivery sent Accept-Encoding: ', $srv->last()['headers']['accept-encoding'] ?? '(none)', "\n";
?>
--EXPECT--
/gz      sent Accept-Encoding: gzip | status 200, body decoded
/deflate sent Accept-Encoding: gzip | status 200, body decoded
/plain   sent Accept-Encoding: gzip | status 200, body JSON
queued delivery sent Accept-Encoding: (none)
