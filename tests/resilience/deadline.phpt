--TEST--
mih::request: the deadline option bounds the whole call (attempt timeouts, retries and backoff sleeps included)
--EXTENSIONS--
mih
--SKIPIF--
<?php
require __DIR__ . '/../children.inc';
mih_test_skip_if_valgrind();
?>
--INI--
mih.shm_path={PWD}/deadline.shm
--FILE--
<?php
require __DIR__ . '/../server.inc';
require __DIR__ . '/../children.inc';
use local_integrationhub\mih;

mih_test_private_breaker_table();
$srv = new mih_test_server(__DIR__ . '/../router.inc', 2);
mih_test_service($srv, ['timeout' => 5, 'max_retries' => 0, 'cb_failure_threshold' => 1000]);

function within(mih_test_server $srv, string $label, string $path, array $options, float $min, float $max): object
{
    $srv->reset();
    $srv->respond($path, $GLOBALS['answers']);
    $t = microtime(true);
    $r = mih::request('test', $path, [], null, $options);
    $took = microtime(true) - $t;
    $ok = $took >= $min && $took <= $max && abs($r->latencyms / 1000 - $took) < 0.2;
    printf("%s: %s, attempts=%d, took [%.1f, %.1f] s: %s%s\n", $label, $r->error ?? "HTTP {$r->httpstatus}",
        $r->attempts, $min, $max, var_export($ok, true), $ok ? '' : sprintf(' (%.3f s, latencyms %.0f)', $took, $r->latencyms));
    return $r;
}

echo "-- a slow answer: the attempt's timeout is cut to what is left of the deadline\n";
$answers = [['status' => 200, 'delay_ms' => 3000]];
within($srv, 'deadline 1.5, timeout 5, answer in 3 s', '/slow', ['deadline' => 1.5], 1.4, 2.2);
within($srv, 'deadline 1.5, call timeout 0.5', '/slow', ['deadline' => 1.5, 'timeout' => 0.5], 0.4, 1.0);

echo "-- retries and their backoff stop at the deadline\n";
mih_test_service($srv, ['timeout' => 5, 'max_retries' => 10, 'retry_backoff' => 0.2, 'retry_cap' => 5,
    'cb_failure_threshold' => 1000]);
$answers = [['status' => 500]];
$r = within($srv, 'deadline 1, 500s, backoff 0.2 s doubling', '/down', ['deadline' => 1], 0.0, 1.3);
echo "stopped before max_retries: ", var_export($r->attempts >= 1 && $r->attempts <= 10, true), ", every attempt reached the server: ",
    var_export(count($srv->requests()) === $r->attempts, true), "\n";
mih_test_service($srv, ['timeout' => 5, 'max_retries' => 10, 'retry_backoff' => 0.01, 'cb_failure_threshold' => 1000]);
$answers = [['status' => 503, 'delay_ms' => 400]];
$r = within($srv, 'deadline 1, 503s answered in 0.4 s', '/slow503', ['deadline' => 1], 0.8, 1.4);
echo "at most 3 attempts fit: ", var_export($r->attempts >= 2 && $r->attempts <= 3, true), "\n";

echo "-- without a deadline option the default (30 s) leaves max_retries in charge\n";
mih_test_service($srv, ['timeout' => 5, 'max_retries' => 10, 'retry_backoff' => 0.01, 'retry_cap' => 0.05,
    'cb_failure_threshold' => 1000]);
$answers = [['status' => 500]];
$r = within($srv, 'no deadline, 500s, backoff 0.01 s', '/down', [], 0.0, 3.0);

echo "-- bad deadlines\n";
foreach ([0, -1, 'soon', 1e9] as $bad) {
    try {
        mih::request('test', '/x', [], null, ['deadline' => $bad]);
        echo var_export($bad, true), " accepted\n";
    } catch (\ValueError | \TypeError $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
?>
--EXPECTF--
-- a slow answer: the attempt's timeout is cut to what is left of the deadline
deadline 1.5, timeout 5, answer in 3 s: timed out after 1%d ms, attempts=1, took [1.4, 2.2] s: true
deadline 1.5, call timeout 0.5: timed out after 500 ms, attempts=1, took [0.4, 1.0] s: true
-- retries and their backoff stop at the deadline
deadline 1, 500s, backoff 0.2 s doubling: HTTP 500 Internal Server Error, attempts=%d, took [0.0, 1.3] s: true
stopped before max_retries: true, every attempt reached the server: true
deadline 1, 503s answered in 0.4 s: %s, attempts=%d, took [0.8, 1.4] s: true
at most 3 attempts fit: true
-- without a deadline option the default (30 s) leaves max_retries in charge
no deadline, 500s, backoff 0.01 s: HTTP 500 Internal Server Error, attempts=11, took [0.0, 3.0] s: true
-- bad deadlines
ValueError: local_integrationhub\mih::request(): Argument #5 ($options) option "deadline" must be greater than 0 and at most 3600 seconds
ValueError: local_integrationhub\mih::request(): Argument #5 ($options) option "deadline" must be greater than 0 and at most 3600 seconds
TypeError: local_integrationhub\mih::request(): Argument #5 ($options) option "deadline" must be of type int|float, string given
ValueError: local_integrationhub\mih::request(): Argument #5 ($options) option "deadline" must be greater than 0 and at most 3600 seconds
