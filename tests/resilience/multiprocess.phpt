--TEST--
Circuit breaker across independent PHP processes: once open no process starts an attempt, exactly cb_halfopen_probes probes per half-open period host-wide, and a prober killed with SIGKILL does not wedge the circuit
--EXTENSIONS--
mih
--SKIPIF--
<?php
require __DIR__ . '/../children.inc';
mih_test_skip_if_valgrind(true);
?>
--INI--
mih.shm_path={PWD}/multiprocess.shm
--FILE--
<?php
require __DIR__ . '/../server.inc';
require __DIR__ . '/../children.inc';
use local_integrationhub\mih;
use local_integrationhub\circuit_open_exception;

const PROCESSES = 4;
const THRESHOLD = 5;

mih_test_private_breaker_table();
/* Every connection answered in a process of its own, and its arrival time
 * recorded at once: no request waits behind a slow answer. */
$srv = new mih_test_fork_server();

/** Starts PROCESSES children calling $service from $go_at until $until; returns their call logs. */
function hammer(string $service, float $go_at, float $until, ?callable $meanwhile = null): array
{
    $children = [];
    for ($i = 0; $i < PROCESSES; $i++) {
        $children[] = new mih_test_child('request_child.inc', [$service, "/$service", $go_at, $until, 50]);
    }
    if ($meanwhile) {
        $meanwhile();
    }
    $logs = [];
    foreach ($children as $i => $child) {
        $rc = $child->wait($until - microtime(true) + 15);
        $calls = [];
        foreach (explode("\n", trim($child->output())) as $line) {
            $call = json_decode($line, true);
            if (!is_array($call)) {
                echo "child $i (exit $rc): $line\n";
                continue;
            }
            $calls[] = $call;
        }
        $logs[$i] = $calls;
    }
    return $logs;
}

function arrivals(mih_test_server|mih_test_fork_server $srv, string $path): array
{
    return array_values(array_map(fn($r) => $r['time'],
        array_filter($srv->requests(), fn($r) => $r['path'] === $path)));
}

/* Scenario A+B, once with one probe permit and once with two: PROCESSES
 * processes call a failing service; it opens; the service recovers but
 * answers slowly (1 s), so the probes are in flight for a while. */
foreach ([1, 2] as $probes) {
    $service = "svc$probes";
    echo "== $service: cb_halfopen_probes=$probes\n";
    mih::save_service(['name' => $service, 'base_url' => $srv->url, 'timeout' => 5, 'max_retries' => 0,
        'cb_failure_threshold' => THRESHOLD, 'cb_window' => 60, 'cb_cooldown' => 2, 'cb_halfopen_probes' => $probes]);
    $srv->respond("/$service", [['status' => 500, 'delay_ms' => 100]]);
    $go = microtime(true) + 1.0;          // time for the children to start up
    $recovered = $go + 1.0;
    $logs = hammer($service, $go, $go + 6.5, function () use ($srv, $service, $recovered) {
        usleep((int)(($recovered - microtime(true)) * 1e6));
        $srv->respond("/$service", [['status' => 200, 'delay_ms' => 1000]]);
    });
    $times = arrivals($srv, "/$service");
    $failing = array_values(array_filter($times, fn($t) => $t < $recovered));
    $later = array_values(array_filter($times, fn($t) => $t >= $recovered));

    /* A: the circuit opens after THRESHOLD failures in a row; after that no
     * process starts an attempt, only the PROCESSES-1 others may be in flight. */
    $refused_by = count(array_filter($logs, fn($calls) => in_array('open', array_column($calls, 'kind'), true)));
    echo "requests while failing: between ", THRESHOLD, " and ", THRESHOLD + PROCESSES - 1, ": ",
        var_export(count($failing) >= THRESHOLD && count($failing) <= THRESHOLD + PROCESSES - 1, true),
        count($failing) >= THRESHOLD && count($failing) <= THRESHOLD + PROCESSES - 1 ? '' : ' (' . count($failing) . ')', "\n";
    echo "processes refused by the open circuit: $refused_by of ", PROCESSES, "\n";
    $last_failing_start = 0.0;
    $first_refusal = INF;
    foreach ($logs as $calls) {
        foreach ($calls as $c) {
            if ($c['kind'] === 'open') {
                $first_refusal = min($first_refusal, $c['start']);
            }
        }
    }
    foreach ($logs as $calls) {
        foreach ($calls as $c) {
            if ($c['kind'] === 'sent' && $c['status'] === 500) {
                $last_failing_start = max($last_failing_start, $c['start']);
            }
        }
    }
    echo "no failing attempt started after the first refusal: ", var_export($last_failing_start < $first_refusal, true), "\n";

    /* B: after the cooldown, exactly $probes probe(s) host-wide while they
     * are in flight (1 s); the first success closes it and everyone resumes. */
    if (!$later) {
        echo "no probe reached the server\n";
        continue;
    }
    $first_probe = $later[0];
    $during = count(array_filter($later, fn($t) => $t < $first_probe + 0.9));
    echo "requests during the half-open period (probes in flight): $during\n";
    echo "the circuit closed and all processes resumed: ", var_export(count($later) > $probes
        && count(array_filter($logs, fn($calls) => in_array(200, array_column($calls, 'status'), true))) === PROCESSES, true), "\n";
    echo "state at the end: ", mih::circuit($service)['state'], "\n";
}

/* C: a prober killed with SIGKILL while its probe is in flight. Its permit
 * lives until the service timeout (1 s) + 10 s; until then no other probe
 * goes, then one does, and the circuit closes. */
echo "== prober killed with SIGKILL\n";
mih::save_service(['name' => 'k', 'base_url' => $srv->url, 'timeout' => 1, 'max_retries' => 0,
    'cb_failure_threshold' => 1, 'cb_cooldown' => 1]);
$srv->respond('/k', [['status' => 500], ['status' => 200, 'delay_ms' => 5000], ['status' => 200]]);
echo "first call: HTTP ", mih::request('k', '/k')->httpstatus, ", circuit ", mih::circuit('k')['state'], "\n";
usleep(1200000);
echo "after the cooldown: ", mih::circuit('k')['state'], "\n";
$prober = new mih_test_child('request_child.inc', ['k', '/k', 0, 0, 0]);
$deadline = microtime(true) + 10;
while (count(arrivals($srv, '/k')) < 2 && microtime(true) < $deadline) {
    usleep(5000);
}
$prober->kill();
$probe_sent = arrivals($srv, '/k')[1] ?? null;
echo "the prober's probe reached the server, prober killed: ", var_export($probe_sent !== null, true), "\n";
echo "prober output (it never finished its call): ", var_export(trim($prober->output()), true), "\n";
function try_call(): string
{
    try {
        $r = mih::request('k', '/k');
        return "sent, HTTP {$r->httpstatus}";
    } catch (circuit_open_exception $e) {
        return "refused, retry_after " . ($e->retry_after >= 1 && $e->retry_after <= 11 ? '1..11' : $e->retry_after);
    }
}
$c = mih::circuit('k');
echo "right after the kill: ", try_call(), "; state {$c['state']}\n";
usleep((int)(($probe_sent + 5 - microtime(true)) * 1e6));
echo "5 s later (the dead prober still holds the permit): ", try_call(), "\n";
usleep((int)(($probe_sent + 11.3 - microtime(true)) * 1e6));
echo "after the permit expired (1 s timeout + 10 s): ", try_call(), ", circuit ", mih::circuit('k')['state'], "\n";
echo "requests that reached the server: ", count(arrivals($srv, '/k')), "\n";
?>
--EXPECT--
== svc1: cb_halfopen_probes=1
requests while failing: between 5 and 8: true
processes refused by the open circuit: 4 of 4
no failing attempt started after the first refusal: true
requests during the half-open period (probes in flight): 1
the circuit closed and all processes resumed: true
state at the end: closed
== svc2: cb_halfopen_probes=2
requests while failing: between 5 and 8: true
processes refused by the open circuit: 4 of 4
no failing attempt started after the first refusal: true
requests during the half-open period (probes in flight): 2
the circuit closed and all processes resumed: true
state at the end: closed
== prober killed with SIGKILL
first call: HTTP 500, circuit open
after the cooldown: half_open
the prober's probe reached the server, prober killed: true
prober output (it never finished its call): ''
right after the kill: refused, retry_after 1..11; state half_open
5 s later (the dead prober still holds the permit): refused, retry_after 1..11
after the permit expired (1 s timeout + 10 s): sent, HTTP 200, circuit closed
requests that reached the server: 3
