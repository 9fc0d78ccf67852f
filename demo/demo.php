<?php
/* The mih demo: a local receiver on 127.0.0.1 and the cookbook's calls
 * against it. Run by scripts/demo.sh. */
use local_integrationhub\mih;

if (!extension_loaded('mih')) {
    fwrite(STDERR, "the mih extension is not loaded\n");
    exit(1);
}

final class receiver
{
    public string $url;
    public string $dir;
    private $proc;
    private array $pipes = [];
    private int $seen = 0;

    public function __construct()
    {
        $this->dir = sys_get_temp_dir() . '/mih-demo-' . getmypid();
        @mkdir($this->dir, 0700);
        $this->proc = proc_open([PHP_BINARY, '-n', '-S', '127.0.0.1:0', __DIR__ . '/receiver.php'],
            [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $this->pipes, $this->dir,
            ['MIH_DEMO_DIR' => $this->dir]);
        $line = '';
        $deadline = microtime(true) + 10;
        while (microtime(true) < $deadline && !preg_match('~\(http://([\d.:]+)\) started~', $line, $m)) {
            $line .= (string)fgets($this->pipes[2]);
        }
        if (empty($m)) {
            throw new RuntimeException("receiver did not start: $line");
        }
        $this->url = "http://{$m[1]}";
        register_shutdown_function([$this, 'stop']);
    }

    public function answer(string $path, array $statuses): void
    {
        $file = "{$this->dir}/answers.json";
        $all = is_file($file) ? json_decode(file_get_contents($file), true) : [];
        $all[$path] = $statuses;
        file_put_contents($file, json_encode($all));
    }

    /** Prints what arrived since the last call. */
    public function show(): void
    {
        $lines = @file("{$this->dir}/received.jsonl", FILE_IGNORE_NEW_LINES) ?: [];
        foreach (array_slice($lines, $this->seen) as $line) {
            $r = json_decode($line, true);
            printf("   receiver got: %s %s\n", $r['method'], $r['uri']);
            foreach (['content-type', 'authorization', 'user-agent', 'x-source'] as $h) {
                if (isset($r['headers'][$h])) {
                    $v = $r['headers'][$h];
                    if ($h === 'authorization') {
                        // A credential: show only its scheme and last characters.
                        $v = preg_replace('/^(\S+ ).*(.{4})$/', '$1****$2', $v);
                    }
                    printf("      %s: %s\n", $h, $v);
                }
            }
            if ($r['body'] !== '') {
                printf("      body: %s\n", $r['body']);
            }
        }
        $this->seen = count($lines);
    }

    public function stop(): void
    {
        if (is_resource($this->proc)) {
            proc_terminate($this->proc);
            proc_close($this->proc);
            array_map('unlink', glob("{$this->dir}/*"));
            @rmdir($this->dir);
        }
    }
}

function section(string $title): void
{
    echo "\n== $title\n";
}

function table(array $rows, array $columns): void
{
    if (!$rows) {
        echo "   (empty)\n";
        return;
    }
    $widths = [];
    foreach ($columns as $c) {
        $widths[$c] = strlen($c);
        foreach ($rows as $r) {
            $widths[$c] = max($widths[$c], strlen(cell($r[$c] ?? null)));
        }
        $widths[$c] = min($widths[$c], 48);
    }
    $line = fn(array $vals) => '   | ' . implode(' | ', array_map(fn($c) => str_pad(substr($vals[$c], 0, 48), $widths[$c]), $columns)) . " |\n";
    echo $line(array_combine($columns, $columns));
    echo '   |' . implode('|', array_map(fn($c) => str_repeat('-', $widths[$c] + 2), $columns)) . "|\n";
    foreach ($rows as $r) {
        echo $line(array_combine($columns, array_map(fn($c) => cell($r[$c] ?? null), $columns)));
    }
}

function cell($v): string
{
    if ($v === null) {
        return '-';
    }
    if (is_bool($v)) {
        return $v ? 'yes' : 'no';
    }
    return str_replace("\n", ' ', (string)$v);
}

function drain(string $label): array
{
    $total = ['delivered' => 0, 'retried' => 0, 'dead' => 0, 'parked' => 0];
    $r = mih::run_queue(['time_limit' => 10]);
    foreach ($total as $k => $_) {
        $total[$k] += $r[$k];
    }
    printf("   worker (%s): delivered %d, retried %d, dead %d, parked %d in %.1f ms\n", $label, $r['delivered'],
        $r['retried'], $r['dead'], $r['parked'], $r['seconds'] * 1000);
    return $total;
}

echo "mih ", mih::version(), " demo: the cookbook on the embedded SQLite store\n";
$store = sys_get_temp_dir() . '/mih-demo-' . getmypid() . '.sqlite';
mih::use_sqlite($store);
register_shutdown_function(function () use ($store) {
    foreach (['', '-wal', '-shm'] as $suffix) {
        @unlink($store . $suffix);
    }
});
$rx = new receiver();
echo "store: $store\nlocal receiver listening on {$rx->url}\n";

section('Recipe 1: Slack notification when a user logs in');
mih::save_service(['name' => 'Slack Notifications', 'base_url' => $rx->url, 'method' => 'POST',
    'signing_secrets' => ['whsec_' . base64_encode(random_bytes(24))]]);
$rule = mih::save_rule([
    'eventname' => '\core\event\user_loggedin',
    'service' => 'Slack Notifications',
    'endpoint' => '/services/T000/B000/XXXX',
    'payload_template' => "{\n\"text\": \"User {{username}} just logged in from IP {{ip}}!\"\n}",
]);
printf("   rule #%d: %s -> %s %s %s\n", $rule['id'], $rule['eventname'], $rule['service'], $rule['method'], $rule['endpoint']);
$event = ['eventname' => '\core\event\user_loggedin', 'component' => 'core', 'action' => 'loggedin',
    'target' => 'user', 'objecttable' => 'user', 'objectid' => 2, 'crud' => 'r', 'edulevel' => 0, 'contextid' => 1,
    'contextlevel' => 10, 'contextinstanceid' => 0, 'userid' => 2, 'courseid' => 0, 'relateduserid' => null,
    'anonymous' => 0, 'other' => ['username' => 'admin'], 'timecreated' => time(),
    'username' => 'admin', 'ip' => '192.0.2.10'];
$ids = mih::emit('\core\event\user_loggedin', $event);
echo "   a login was emitted: task #", implode(', #', $ids), " queued\n   Queue tab:\n";
table(mih::tasks(), ['id', 'eventname', 'service', 'status', 'attempts', 'last_error']);
drain('cron');
$rx->show();

section('Recipe 2: mih::request() and the fluent builder');
mih::save_service([
    'name' => 'mi-crm-servicio',
    'base_url' => $rx->url,
    'auth_type' => 'bearer',
    'auth_token' => 'demo-token-not-shown-9f2c',
    'headers' => ['X-Source' => 'moodle-demo'],
    'max_retries' => 2,
    'retry_backoff' => 0.05,
]);
$svc = mih::service('mi-crm-servicio');
printf("   service %s -> %s, auth %s (token shown as %s)\n", $svc['name'], $svc['base_url'], $svc['auth_type'],
    $svc['auth_token']);
$userData = ['id' => 42, 'username' => 'ana', 'email' => 'ana@example.org', 'city' => 'Bogotá'];
$response = mih::request('mi-crm-servicio', '/api/v1/clientes', $userData, 'POST');
$rx->show();
if ($response->is_ok()) {
    printf("   Sync successful: HTTP %d in %.1f ms, body %s\n", $response->httpstatus, $response->latencyms,
        $response->body);
}
$response = mih::send('mi-crm-servicio')->to('/api/v1/clientes/42')->with(['active' => true])
    ->method('patch')->dispatch();
$rx->show();
printf("   fluent: is_ok=%s, json()['received']=%s\n", var_export($response->is_ok(), true),
    var_export($response->json()['received'], true));
$rx->answer('/api/v1/flaky', [503, 503, 200]);
$response = mih::request('mi-crm-servicio', '/api/v1/flaky', ['n' => 1]);
printf("   a flaky endpoint: success=%s after %d attempts (%.0f ms)\n", var_export($response->success, true),
    $response->attempts, $response->latencyms);
$rx->show();

section('Recipe 3: debugging a failed webhook (retries, DLQ, replay, delete)');
mih::save_service(['name' => 'crm-webhooks', 'base_url' => $rx->url, 'max_attempts' => 3,
    'queue_backoff' => 0.01, 'queue_backoff_cap' => 0.01]);
mih::save_rule(['eventname' => '\core\event\user_created', 'service' => 'crm-webhooks',
    'endpoint' => '/hooks/users/{{objectid}}', 'payload_template' => '{"id": {{objectid}}, "name": "{{other.fullname}}"}']);
$rx->answer('/hooks/users/7', [500, 500, 500, 201]);
$rx->answer('/hooks/users/8', [404]);
mih::emit('\core\event\user_created', ['objectid' => 7, 'other' => ['fullname' => 'Ana Ruiz']]);
mih::emit('\core\event\user_created', ['objectid' => 8, 'other' => ['fullname' => 'Bo Li']]);
for ($run = 1; $run <= 3; $run++) {
    drain("run $run");
    table(mih::tasks(), ['id', 'service', 'status', 'attempts', 'last_status', 'last_error']);
    sleep(1); // queue times are whole seconds: a retry is due in the next one
}
$task = mih::dead_letters()[0];
echo "   </> payload of dead letter #{$task['id']}: {$task['payload']}\n   Dead Letter Queue:\n";
table(mih::dead_letters(), ['id', 'task_id', 'service', 'endpoint', 'attempts', 'error']);
foreach (mih::dead_letters() as $d) {
    if ($d['last_status'] === 404) {
        mih::delete_dead_letter($d['id']);
        echo "   deleted dead letter #{$d['id']} ({$d['error']}: the receiver does not know that user)\n";
    } else {
        $new = mih::replay($d['id']);
        echo "   replayed dead letter #{$d['id']} as task #$new (same bytes, same Idempotency-Key)\n";
    }
}
drain('after replay');
$rx->show();

section('Recipe 4: the circuit breaker protects Moodle from a dead ERP');
mih::save_service(['name' => 'erp', 'base_url' => $rx->url, 'cb_failure_threshold' => 5, 'cb_window' => 60,
    'cb_cooldown' => 2, 'max_retries' => 0, 'queue_backoff' => 0.01, 'queue_backoff_cap' => 0.01]);
$rx->answer('/erp/orders', [500]);
for ($i = 1; $i <= 6; $i++) {
    try {
        $r = mih::request('erp', '/erp/orders', ['order' => $i]);
        printf("   call %d: %s\n", $i, $r->error);
    } catch (\local_integrationhub\circuit_open_exception $e) {
        printf("   call %d: %s (no request sent; retry_after=%d s)\n", $i, get_class($e), $e->retry_after);
    }
}
$c = mih::circuit('erp');
echo "   circuit: {$c['state']}, {$c['failures']} failures in the window\n";
for ($i = 1; $i <= 3; $i++) {
    mih::enqueue('erp', '/erp/orders', ['order' => 100 + $i]);
}
drain('while open');
table(mih::tasks(['service' => 'erp']), ['id', 'service', 'status', 'attempts', 'last_error']);
echo "   ... the ERP comes back; after the cooldown one probe goes through and closes the circuit\n";
$rx->answer('/erp/orders', [200]);
sleep(3);
drain('after cooldown');
echo "   circuit: ", mih::circuit('erp')['state'], "\n";

section('Outbound safety (Moodle\'s curlsecurityblockedhosts)');
mih::configure(['blocked_hosts' => ['127.0.0.0/8', 'localhost'], 'allowed_ports' => []]);
$response = mih::request('mi-crm-servicio', '/api/v1/clientes');
printf("   with 127.0.0.0/8 blocked: success=%s, error \"%s\"\n", var_export($response->success, true),
    $response->error);
mih::configure(['blocked_hosts' => []]);

section('Dashboard (mih::stats)');
$rows = [];
foreach (mih::stats() as $name => $s) {
    $rows[] = ['service' => $name, 'calls_24h' => $s['calls_24h'], 'ok' => $s['success_24h'], 'failed' => $s['failure_24h'],
        'p50_ms' => $s['p50_ms'], 'p95_ms' => $s['p95_ms'], 'queued' => array_sum($s['queue']), 'dead' => $s['dead'],
        'circuit' => $s['circuit']['state']];
}
table($rows, ['service', 'calls_24h', 'ok', 'failed', 'p50_ms', 'p95_ms', 'queued', 'dead', 'circuit']);

section('Refusals throw');
try {
    mih::request('no-such-service', '/');
} catch (\local_integrationhub\exception $e) {
    printf("   %s: %s\n", get_class($e), $e->getMessage());
}
echo "\ndemo finished\n";
