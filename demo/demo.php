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

echo "mih ", mih::version(), " demo\n";
$rx = new receiver();
echo "local receiver listening on {$rx->url}\n";

section('Define a service');
$svc = mih::save_service([
    'name' => 'mi-crm-servicio',
    'base_url' => $rx->url,
    'auth_type' => 'bearer',
    'auth_token' => 'demo-token-not-shown-9f2c',
    'headers' => ['X-Source' => 'moodle-demo'],
    'max_retries' => 2,
    'retry_backoff' => 0.05,
]);
printf("   %s -> %s, auth %s (token shown as %s), timeout %.1f s, %d retries\n", $svc['name'],
    $svc['base_url'], $svc['auth_type'], $svc['auth_token'], $svc['timeout'], $svc['max_retries']);

section('Recipe 2: mih::request()');
$userData = ['id' => 42, 'username' => 'ana', 'email' => 'ana@example.org', 'city' => 'Bogotá'];
$response = mih::request('mi-crm-servicio', '/api/v1/clientes', $userData, 'POST');
$rx->show();
if ($response->is_ok()) {
    printf("   Sync successful: HTTP %d in %.1f ms, body %s\n", $response->httpstatus, $response->latencyms,
        $response->body);
}

section('Recipe 2, fluent style: mih::send()->to()->with()->dispatch()');
$response = mih::send('mi-crm-servicio')->to('/api/v1/clientes/42')->with(['active' => true])
    ->method('patch')->dispatch();
$rx->show();
printf("   is_ok=%s, json()['received']=%s\n", var_export($response->is_ok(), true),
    var_export($response->json()['received'], true));

section('A failing endpoint: retried, then reported');
$rx->answer('/api/v1/flaky', [503, 503, 200]);
$response = mih::request('mi-crm-servicio', '/api/v1/flaky', ['n' => 1]);
printf("   flaky endpoint: success=%s after %d attempts (%.0f ms)\n", var_export($response->success, true),
    $response->attempts, $response->latencyms);
$rx->answer('/api/v1/missing', [404]);
$response = mih::request('mi-crm-servicio', '/api/v1/missing');
printf("   missing endpoint: success=%s, error \"%s\", attempts %d (4xx is not retried)\n",
    var_export($response->success, true), $response->error, $response->attempts);

section('Outbound safety (Moodle\'s curlsecurityblockedhosts)');
mih::configure(['blocked_hosts' => ['127.0.0.0/8', 'localhost'], 'allowed_ports' => []]);
$response = mih::request('mi-crm-servicio', '/api/v1/clientes');
printf("   with 127.0.0.0/8 blocked: success=%s, error \"%s\"\n", var_export($response->success, true),
    $response->error);
mih::configure(['blocked_hosts' => []]);

section('Refusals throw');
try {
    mih::request('no-such-service', '/');
} catch (\local_integrationhub\exception $e) {
    printf("   %s: %s\n", get_class($e), $e->getMessage());
}
echo "\ndemo finished\n";
