--TEST--
mih::request: retries only retryable failures, with backoff, bounded by max_retries and the deadline
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
mih_test_service($srv, ['max_retries' => 3, 'retry_backoff' => 0.05]);

$srv->respond('/flaky', [['status' => 503], ['status' => 502], ['status' => 200, 'body' => 'ok']]);
$r = mih::request('test', '/flaky');
// two backoffs: 0.05 + 0.1 s at most (jitter may shorten them)
var_dump($r->success, $r->attempts, $r->body, count($srv->requests()), $r->latencyms < 2000);

$srv->reset();
$srv->respond('/down', [['status' => 500]]);
$r = mih::request('test', '/down');
var_dump($r->success, $r->attempts, $r->error, count($srv->requests()));

$srv->reset();
foreach ([400, 401, 403, 404, 409, 422] as $status) {
    $srv->respond("/s$status", [['status' => $status]]);
    $r = mih::request('test', "/s$status");
    echo "$status: attempts={$r->attempts}\n";
}
$srv->respond('/s429', [['status' => 429], ['status' => 200]]);
echo "429: attempts=", mih::request('test', '/s429')->attempts, "\n";
$srv->respond('/s408', [['status' => 408], ['status' => 200]]);
echo "408: attempts=", mih::request('test', '/s408')->attempts, "\n";

// per-call max_retries and the service's retry_statuses
$srv->respond('/down', [['status' => 500]]);
echo "max_retries=0: attempts=", mih::request('test', '/down', [], null, ['max_retries' => 0])->attempts, "\n";
mih_test_service($srv, ['max_retries' => 3, 'retry_backoff' => 0.01, 'retry_statuses' => [503]]);
echo "500 not in retry_statuses: attempts=", mih::request('test', '/down')->attempts, "\n";

// connection errors are retried
mih::save_service(['name' => 'refused', 'base_url' => 'http://127.0.0.1:' . mih_test_closed_port(),
    'max_retries' => 2, 'retry_backoff' => 0.01]);
echo "refused: attempts=", mih::request('refused')->attempts, "\n";

// the deadline bounds the whole call, backoff included: no sleep that would pass it
mih_test_service($srv, ['max_retries' => 10, 'retry_backoff' => 0.2, 'retry_cap' => 5]);
$r = mih::request('test', '/down', [], null, ['deadline' => 0.5]);
var_dump($r->attempts < 10, $r->latencyms < 1000);
?>
--EXPECT--
bool(true)
int(3)
string(2) "ok"
int(3)
bool(true)
bool(false)
int(4)
string(30) "HTTP 500 Internal Server Error"
int(4)
400: attempts=1
401: attempts=1
403: attempts=1
404: attempts=1
409: attempts=1
422: attempts=1
429: attempts=2
408: attempts=2
max_retries=0: attempts=1
500 not in retry_statuses: attempts=1
refused: attempts=3
bool(true)
bool(true)
