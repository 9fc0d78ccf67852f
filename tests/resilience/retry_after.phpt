--TEST--
mih::request honours Retry-After (delta seconds and HTTP-date) between attempts, capped by retry_cap, and never sleeps past the call's deadline
--EXTENSIONS--
mih
--SKIPIF--
<?php
require __DIR__ . '/../children.inc';
mih_test_skip_if_valgrind();
?>
--INI--
mih.shm_path={PWD}/retry_after.shm
--FILE--
<?php
require __DIR__ . '/../server.inc';
require __DIR__ . '/../children.inc';
use local_integrationhub\mih;

mih_test_private_breaker_table();
$srv = new mih_test_server();
/* retry_backoff 0.01: without Retry-After a retry would come at once. */
mih_test_service($srv, ['max_retries' => 1, 'retry_backoff' => 0.01, 'retry_cap' => 5, 'cb_failure_threshold' => 1000]);

/** Calls $path; prints the outcome and whether the wait between the attempts was in [$min, $max] seconds. */
function gap(string $label, string $path, float $min, float $max, array $options = []): void
{
    global $srv;
    $srv->reset();
    $srv->respond($path, $GLOBALS['answers']);
    $r = mih::request('test', $path, [], null, $options);
    $times = array_column($srv->requests(), 'time');
    $gap = count($times) > 1 ? $times[1] - $times[0] : 0.0;
    $ok = $gap >= $min && $gap <= $max;
    printf("%s: HTTP %d attempts=%d wait in [%.1f, %.1f] s: %s%s\n", $label, $r->httpstatus, $r->attempts, $min, $max,
        var_export($ok, true), $ok ? '' : sprintf(' (%.3f s)', $gap));
}

$answers = [['status' => 503, 'headers' => ['Retry-After: 1']], ['status' => 200]];
gap('503 Retry-After: 1', '/a', 1.0, 2.5);
$answers = [['status' => 429, 'headers' => ['Retry-After: 1']], ['status' => 200]];
gap('429 Retry-After: 1', '/b', 1.0, 2.5);

mih_test_service($srv, ['max_retries' => 1, 'retry_backoff' => 0.01, 'retry_cap' => 1, 'cb_failure_threshold' => 1000]);
$answers = [['status' => 503, 'headers' => ['Retry-After: 120']], ['status' => 200]];
gap('Retry-After: 120 capped by retry_cap 1', '/c', 1.0, 2.5);
mih_test_service($srv, ['max_retries' => 1, 'retry_backoff' => 0.01, 'retry_cap' => 5, 'cb_failure_threshold' => 1000]);

/* HTTP-date: two whole seconds from now, so a wait of 1 to 2 s (the date has no fraction). */
$answers = [['status' => 503, 'headers' => ['Retry-After: ' . gmdate('D, d M Y H:i:s', time() + 2) . ' GMT']], ['status' => 200]];
gap('503 Retry-After: <HTTP-date in 2 s>', '/d', 0.9, 2.8);
$answers = [['status' => 503, 'headers' => ['Retry-After: ' . gmdate('D, d M Y H:i:s', time() - 60) . ' GMT']], ['status' => 200]];
gap('Retry-After: <HTTP-date in the past>', '/e', 0.0, 0.5);
$answers = [['status' => 503, 'headers' => ['Retry-After: soon']], ['status' => 200]];
gap('Retry-After: soon (unparsable: plain backoff)', '/f', 0.0, 0.5);

/* A Retry-After beyond the deadline: no sleep that would pass it, the 503 is returned at once. */
$srv->reset();
$srv->respond('/g', [['status' => 503, 'headers' => ['Retry-After: 5']], ['status' => 200]]);
$t = microtime(true);
$r = mih::request('test', '/g', [], null, ['deadline' => 2]);
printf("Retry-After: 5, deadline 2: HTTP %d attempts=%d, returned within 1 s: %s\n", $r->httpstatus, $r->attempts,
    var_export(microtime(true) - $t < 1.0, true));
echo "Retry-After is not retried by itself on a 4xx: ";
$srv->respond('/h', [['status' => 404, 'headers' => ['Retry-After: 1']], ['status' => 200]]);
$r = mih::request('test', '/h');
echo "HTTP {$r->httpstatus} attempts={$r->attempts}\n";
?>
--EXPECT--
503 Retry-After: 1: HTTP 200 attempts=2 wait in [1.0, 2.5] s: true
429 Retry-After: 1: HTTP 200 attempts=2 wait in [1.0, 2.5] s: true
Retry-After: 120 capped by retry_cap 1: HTTP 200 attempts=2 wait in [1.0, 2.5] s: true
503 Retry-After: <HTTP-date in 2 s>: HTTP 200 attempts=2 wait in [0.9, 2.8] s: true
Retry-After: <HTTP-date in the past>: HTTP 200 attempts=2 wait in [0.0, 0.5] s: true
Retry-After: soon (unparsable: plain backoff): HTTP 200 attempts=2 wait in [0.0, 0.5] s: true
Retry-After: 5, deadline 2: HTTP 503 attempts=1, returned within 1 s: true
Retry-After is not retried by itself on a 4xx: HTTP 404 attempts=1
