<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

/**
 * Part of tests/ci/check.php: the inbound webhook endpoint, the real webhook.php served by PHP's built-in
 * server (with the extension) from a fake Moodle site over the checker's own SQLite $DB, driven by a real
 * sender on 127.0.0.1: signed and token calls accepted, every refusal with its status and log row, replays,
 * the size bound, the webhook_received event and the rule it feeds, and no secret in any answer or log row.
 * Also the service form's inbound settings as a browser posts them, and the upgrade step for token senders.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// phpcs:disable

/**
 * A copy of the plugin under a fake site root, served by php -S with the extension loaded.
 */
final class local_integrationhub_ci_site {
    /** @var string */
    public $dir;
    /** @var int */
    public $port;
    /** @var string */
    public $events;
    /** @var resource */
    private $proc;

    /**
     * @param string $plugin the plugin directory
     * @param string $root the repository root
     * @param string $dbfile the SQLite file of the checker's $DB
     * @param int $maxbytes inbound_max_bytes
     */
    public function __construct(string $plugin, string $root, string $dbfile, int $maxbytes) {
        $this->dir = sys_get_temp_dir() . '/mihci-site-' . getmypid() . '-' . bin2hex(random_bytes(4));
        mkdir($this->dir . '/local/integrationhub', 0700, true);
        $files = new RecursiveIteratorIterator(new RecursiveCallbackFilterIterator(
            new RecursiveDirectoryIterator($plugin, FilesystemIterator::SKIP_DOTS),
            fn($f) => !in_array($f->getFilename(), ['node_modules', 'tests', 'amd'], true)
        ), RecursiveIteratorIterator::SELF_FIRST);
        foreach ($files as $file) {
            $target = $this->dir . '/local/integrationhub/' . substr($file->getPathname(), strlen($plugin) + 1);
            $file->isDir() ? @mkdir($target, 0700, true) : copy($file->getPathname(), $target);
        }
        file_put_contents($this->dir . '/config.php', "<?php\nrequire(" . var_export(__DIR__ . '/inbound_site.php', true) . ");\n");
        $this->events = $this->dir . '/events.jsonl';
        touch($this->events);
        $mihso = $root . '/modules/mih.so';
        $cmd = [PHP_BINARY, '-n', '-d', 'extension=ctype', '-d', 'extension=dom', '-d', 'extension=pdo', '-d',
            'extension=pdo_sqlite', '-d', 'extension=' . $mihso, '-S', '127.0.0.1:0', '-t', $this->dir];
        $env = ['MIHCI_ROOT' => $root, 'MIHCI_SITE' => $this->dir, 'MIHCI_DB' => $dbfile, 'MIHCI_EVENTS' => $this->events,
            'MIHCI_MAXBYTES' => (string)$maxbytes, 'PATH' => getenv('PATH') ?: '/usr/bin:/bin'];
        $log = $this->dir . '/server.log';
        $this->proc = proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['file', $log, 'a'], 2 => ['file', $log, 'a']], $pipes,
            $this->dir, $env);
        $deadline = microtime(true) + 10;
        while (microtime(true) < $deadline && !$this->port) {
            if (preg_match('~Development Server \(http://127\.0\.0\.1:(\d+)\) started~', (string)@file_get_contents($log), $m)) {
                $this->port = (int)$m[1];
            }
            usleep(10000);
        }
        if (!$this->port) {
            throw new RuntimeException('the fake site did not start: ' . @file_get_contents($log));
        }
        register_shutdown_function([$this, 'stop']);
    }

    /**
     * One HTTP request from a real sender.
     *
     * @param string $method
     * @param string $query the query string, with its "?"
     * @param array $headers name => value
     * @param string $body
     * @return array [status, headers (lower-case names), body]
     */
    public function send(string $method, string $query, array $headers = [], string $body = ''): array {
        $s = stream_socket_client("tcp://127.0.0.1:{$this->port}", $errno, $errstr, 5);
        if (!$s) {
            throw new RuntimeException("could not connect to the fake site: $errstr");
        }
        $request = "$method /local/integrationhub/webhook.php$query HTTP/1.1\r\nHost: 127.0.0.1:{$this->port}\r\n"
            . "Connection: close\r\nContent-Type: application/json\r\nContent-Length: " . strlen($body) . "\r\n";
        foreach ($headers as $name => $value) {
            $request .= "$name: $value\r\n";
        }
        fwrite($s, $request . "\r\n" . $body);
        $raw = stream_get_contents($s);
        fclose($s);
        [$head, $answer] = explode("\r\n\r\n", $raw, 2) + [1 => ''];
        $lines = explode("\r\n", $head);
        preg_match('~^HTTP/1\.[01] (\d{3})~', array_shift($lines), $m);
        $out = [];
        foreach ($lines as $line) {
            [$name, $value] = explode(':', $line, 2) + [1 => ''];
            $out[strtolower(trim($name))] = trim($value);
        }
        return [(int)($m[1] ?? 0), $out, $answer];
    }

    /**
     * The events triggered so far.
     *
     * @return array[]
     */
    public function events(): array {
        return array_map(fn($l) => json_decode($l, true), array_filter(explode("\n", (string)file_get_contents($this->events))));
    }

    /** Stops the server and removes the site. */
    public function stop(): void {
        if (is_resource($this->proc)) {
            proc_terminate($this->proc);
            proc_close($this->proc);
        }
        if (is_dir($this->dir)) {
            if (!getenv("MIHCI_KEEP")) { exec("rm -rf " . escapeshellarg($this->dir)); }
        }
    }
}

/**
 * Runs the inbound checks.
 *
 * @param string $plugin the plugin directory
 * @param string $root the repository root
 */
function local_integrationhub_ci_inbound(string $plugin, string $root): void {
    global $DB, $CFG, $CI_CONFIG;

    $hub = \local_integrationhub\local\hub::class;
    $inbound = \local_integrationhub\local\inbound::class;
    $mih = \local_integrationhub\mih::class;
    $file = tempnam(sys_get_temp_dir(), 'mihinb');
    $DB = new \local_integrationhub_ci_db($file);
    $CI_CONFIG = ['local_integrationhub' => ['version' => 2026120300]];
    $CFG->curlsecurityblockedhosts = '';
    $CFG->curlsecurityallowedport = '';
    $hub::reset();
    check($hub::bind(), 'inbound: the hub binds to a fresh $DB');

    $secret = $hub::generate_secret();
    $other = $hub::generate_secret();
    $token = 'legacy-token-0123456789';
    $mih::save_service(['name' => 'crm', 'base_url' => 'https://crm.example.org', 'signing_secrets' => [$secret]]);
    $mih::save_service(['name' => 'legacy', 'base_url' => 'https://legacy.example.org', 'auth_type' => 'bearer',
        'auth_token' => $token]);
    $mih::save_service(['name' => 'closed', 'base_url' => 'https://closed.example.org', 'signing_secrets' => [$secret]]);
    $mih::save_service(['name' => 'off', 'base_url' => 'https://off.example.org', 'signing_secrets' => [$secret],
        'enabled' => false]);
    $mih::save_service(['name' => 'nosecret', 'base_url' => 'https://nosecret.example.org']);
    $mih::save_service(['name' => 'sink', 'base_url' => 'https://sink.example.org']);
    $inbound::save_settings('crm', true, 'signature', 300);
    $inbound::save_settings('legacy', true, 'token', 300);
    $inbound::save_settings('off', true, 'signature', 300);
    $inbound::save_settings('nosecret', true, 'signature', 300);
    $inbound::save_settings('closed', false, 'signature', 300);
    // A rule reacts to the event: the webhook's data is queued for another service.
    $mih::save_rule(['eventname' => '\\local_integrationhub\\event\\webhook_received', 'service' => 'sink',
        'endpoint' => '/orders', 'payload_template' => '{"from": "{{other.servicename}}", "order": {{other.payload.order}}}']);
    $hub::rules_changed();

    $max = 1024;
    $site = new local_integrationhub_ci_site($plugin, $root, $file, $max);
    $sign = function (string $key, string $id, int $ts, string $body): array {
        $mac = base64_encode(hash_hmac('sha256', "$id.$ts.$body", base64_decode(substr($key, 6)), true));
        return ['webhook-id' => $id, 'webhook-timestamp' => (string)$ts, 'webhook-signature' => "v1,$mac"];
    };
    $answers = [];
    $expect = function (string $what, array $got, int $status, ?string $reason) use (&$answers) {
        [$code, , $body] = $got;
        $answers[] = $body;
        $json = json_decode($body, true);
        check($code === $status && (($json['reason'] ?? null) === $reason),
            "inbound: $what answers $status" . ($reason ? " ($reason)" : '') . ": $code $body");
        return $json;
    };
    $lastlog = function () use ($DB) {
        $rows = $DB->get_records_sql('SELECT * FROM {local_integrationhub_log} ORDER BY id DESC', [], 0, 1);
        return $rows ? reset($rows) : null;
    };
    $logcheck = function (string $what, string $service, int $status, bool $success) use ($lastlog) {
        $row = $lastlog();
        check($row && $row->direction === 'inbound' && $row->servicename === $service && (int)$row->http_status === $status
            && (int)$row->success === ($success ? 1 : 0), "inbound: $what has its log row: " . json_encode($row));
    };
    $q = '?service=crm';
    $now = time();

    // Signed and valid: recorded, event fired, the rule queued its delivery.
    $body = '{"order": 42, "note": "paid"}';
    $json = $expect('a signed call', $site->send('POST', $q, $sign($secret, 'msg_one', $now, $body), $body), 200, null);
    check(($json['success'] ?? null) === true && ($json['webhook_id'] ?? null) === 'msg_one', 'inbound: the answer says recorded');
    $logcheck('a signed call', 'crm', 200, true);
    $events = $site->events();
    $event = end($events);
    check(count($events) === 1 && $event['eventname'] === '\\local_integrationhub\\event\\webhook_received'
        && $event['other']['servicename'] === 'crm' && $event['other']['serviceid'] === $mih::service('crm')['id']
        && $event['other']['payload'] === ['order' => 42, 'note' => 'paid'] && $event['other']['source'] === 'webhook',
        'inbound: webhook_received is fired with the service and the payload: ' . json_encode($event));
    $tasks = $mih::tasks(['service' => 'sink']);
    $task = $tasks ? $mih::task($tasks[0]['id']) : null;
    check($task && $task['payload'] === '{"from": "crm", "order": 42}' && $task['endpoint'] === '/orders',
        'inbound: a rule on webhook_received queued its delivery before the answer: ' . json_encode($task['payload'] ?? null));
    check($DB->record_exists('local_integrationhub_seen', ['service' => 'crm', 'webhookid' => \local_integrationhub\local\inbound::seen_key('msg_one')]),
        'inbound: the webhook-id is remembered');

    // The same webhook again: a replay.
    $expect('a replay', $site->send('POST', $q, $sign($secret, 'msg_one', $now, $body), $body), 409, 'replay');
    $logcheck('a replay', 'crm', 409, false);
    check(count($site->events()) === 1 && count($mih::tasks(['service' => 'sink'])) === 1,
        'inbound: a replay fires no event and queues nothing');
    // The same id for another service is another webhook; a rotated secret verifies too.
    $mih::save_service(['name' => 'crm', 'signing_secrets' => [$other, $mih::service('crm')['signing_secrets'][0]]]);
    $expect('a call signed with the new secret', $site->send('POST', $q, $sign($other, 'msg_two', $now, $body), $body), 200, null);
    $expect('a call signed with the old secret after a rotation', $site->send('POST', $q, $sign($secret, 'msg_three', $now, $body),
        $body), 200, null);

    // Refusals, each with its status and log row.
    $expect('an unsigned call', $site->send('POST', $q, [], $body), 401, 'missing_credentials');
    $logcheck('an unsigned call', 'crm', 401, false);
    $bad = $sign($hub::generate_secret(), 'msg_bad', $now, $body);
    $expect('a bad signature', $site->send('POST', $q, $bad, $body), 403, 'bad_signature');
    $logcheck('a bad signature', 'crm', 403, false);
    $tampered = $sign($secret, 'msg_tampered', $now, $body);
    $expect('a tampered body', $site->send('POST', $q, $tampered, '{"order": 43, "note": "paid"}'), 403, 'bad_signature');
    $expect('an old timestamp', $site->send('POST', $q, $sign($secret, 'msg_old', $now - 1000, $body), $body), 400, 'too_old');
    $logcheck('an old timestamp', 'crm', 400, false);
    $expect('a future timestamp', $site->send('POST', $q, $sign($secret, 'msg_new', $now + 1000, $body), $body), 400, 'too_new');
    $malformed = ['webhook-signature' => 'v1,not-base64'] + $sign($secret, 'msg_fmt', $now, $body);
    $expect('a malformed signature', $site->send('POST', $q, $malformed, $body), 400, 'bad_format');
    $big = '{"order": 1, "pad": "' . str_repeat('x', $max) . '"}';
    $expect('an oversized body', $site->send('POST', $q, $sign($secret, 'msg_big', $now, $big), $big), 413, 'too_large');
    $logcheck('an oversized body', 'crm', 413, false);
    $exact = '{"order": 7}' . str_repeat(' ', $max - 12);
    $expect('a body of exactly the limit', $site->send('POST', $q, $sign($secret, 'msg_exact', $now, $exact), $exact), 200, null);
    $expect('an unknown service', $site->send('POST', '?service=ghost', $sign($secret, 'msg_g', $now, $body), $body), 404,
        'unknown_service');
    $logcheck('an unknown service', 'ghost', 404, false);
    $closed = $site->send('POST', '?service=closed', $sign($secret, 'msg_c', $now, $body), $body);
    $expect('a service not opted in', $closed, 404, 'unknown_service');
    $ghost = $site->send('POST', '?service=ghost', [], $body);
    $answers[] = $ghost[2];
    check($closed[2] === $ghost[2],
        'inbound: a service not opted in answers as an unknown one');
    $expect('a missing service parameter', $site->send('POST', '', [], $body), 400, 'missing_service');
    $get = $site->send('GET', $q);
    $expect('a GET', $get, 405, 'method_not_allowed');
    check(($get[1]['allow'] ?? '') === 'POST', 'inbound: a 405 says Allow: POST');
    $expect('a disabled service', $site->send('POST', '?service=off', $sign($secret, 'msg_off', $now, $body), $body), 503,
        'service_disabled');
    $expect('a service without a secret', $site->send('POST', '?service=nosecret', $sign($secret, 'msg_ns', $now, $body), $body),
        403, 'not_configured');
    $expect('a signed invalid JSON body', $site->send('POST', $q, $sign($other, 'msg_json', $now, '{"order":'), '{"order":'), 400,
        'invalid_json');
    $expect('a signed empty body', $site->send('POST', $q, $sign($other, 'msg_empty', $now, ''), ''), 400, 'empty_body');

    // The PHP plugin's per-service token, for upgraded senders.
    $lq = '?service=legacy';
    $expect('a Bearer token', $site->send('POST', $lq, ['Authorization' => "Bearer $token"], $body), 200, null);
    $logcheck('a Bearer token', 'legacy', 200, true);
    $expect('an X-API-Key token', $site->send('POST', $lq, ['X-API-Key' => $token], $body), 200, null);
    $expect('a wrong token', $site->send('POST', $lq, ['Authorization' => 'Bearer legacy-token-0123456788'], $body), 403, 'bad_token');
    $logcheck('a wrong token', 'legacy', 403, false);
    $expect('no token', $site->send('POST', $lq, [], $body), 401, 'missing_credentials');
    $expect('a signature where a token is expected', $site->send('POST', $lq, $sign($secret, 'msg_l', $now, $body), $body), 401,
        'missing_credentials');
    $expect('a token with a webhook-id', $site->send('POST', $lq, ['Authorization' => "Bearer $token", 'webhook-id' => 'legacy-1'],
        $body), 200, null);
    $expect('a token replay', $site->send('POST', $lq, ['Authorization' => "Bearer $token", 'webhook-id' => 'legacy-1'], $body),
        409, 'replay');

    // Not recorded, not acknowledged: a failure while recording (the seen id, or the rule's delivery) rolls
    // everything back and answers 500, so the sender tries again.
    $before = [count($site->events()), count($mih::tasks(['service' => 'sink']))];
    $DB->raw_pdo()->exec("CREATE TRIGGER mihci_fail BEFORE INSERT ON mdl_local_integrationhub_seen BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    $expect('a failed recording', $site->send('POST', $q, $sign($other, 'msg_fail', $now, $body), $body), 500, 'not_recorded');
    $logcheck('a failed recording', 'crm', 500, false);
    $DB->raw_pdo()->exec("DROP TRIGGER mihci_fail");
    check([count($site->events()), count($mih::tasks(['service' => 'sink']))] === $before
        && !$DB->record_exists('local_integrationhub_seen', ['webhookid' => \local_integrationhub\local\inbound::seen_key('msg_fail')]),
        'inbound: a failed recording fires no event and keeps nothing but its log row');
    $DB->raw_pdo()->exec("CREATE TRIGGER mihci_fail BEFORE INSERT ON mdl_local_integrationhub_queue BEGIN SELECT RAISE(ABORT, 'queue full'); END");
    $expect('a rule that cannot queue', $site->send('POST', $q, $sign($other, 'msg_fail', $now, $body), $body), 500, 'not_recorded');
    $logcheck('a rule that cannot queue', 'crm', 500, false);
    $DB->raw_pdo()->exec("DROP TRIGGER mihci_fail");
    check(count($site->events()) === $before[0] + 1 && count($mih::tasks(['service' => 'sink'])) === $before[1]
        && !$DB->record_exists('local_integrationhub_seen', ['webhookid' => \local_integrationhub\local\inbound::seen_key('msg_fail')]),
        'inbound: a webhook whose rule cannot queue is not recorded (the event ran, its effects were rolled back)');
    $expect('the same webhook retried once recording works', $site->send('POST', $q, $sign($other, 'msg_fail', $now, $body), $body),
        200, null);

    // One log row per call, all inbound; no secret anywhere.
    $rows = $DB->get_records_sql("SELECT * FROM {local_integrationhub_log} WHERE direction = 'inbound'");
    check(count($rows) === count($answers), 'inbound: every call has one inbound log row: ' . count($rows) . ' rows for '
        . count($answers) . ' calls');
    $haystack = implode("\n", $answers) . json_encode(array_values($rows)) . file_get_contents($site->dir . '/server.log');
    $leaks = [];
    foreach ([$secret, substr($secret, 6), $other, substr($other, 6), $token] as $needle) {
        if (str_contains($haystack, $needle)) {
            $leaks[] = substr($needle, 0, 8);
        }
    }
    check(!$leaks, 'inbound: no secret or token in any answer, log row or server log: ' . implode(', ', $leaks));
    $events = $site->events();
    check(count($events) === 9, 'inbound: one event per accepted call, and one whose rule could not queue: ' . count($events));

    // Forgotten after the tolerance: an expired seen id no longer counts.
    $DB->execute("UPDATE {local_integrationhub_seen} SET expires = 1 WHERE webhookid = '" . \local_integrationhub\local\inbound::seen_key('legacy-1') . "'");
    $expect('an id seen longer ago than the tolerance', $site->send('POST', $lq, ['Authorization' => "Bearer $token",
        'webhook-id' => 'legacy-1'], $body), 200, null);
    $site->stop();

    local_integrationhub_ci_inbound_form();
    local_integrationhub_ci_inbound_upgrade($plugin);
    $hub::reset();
    @unlink($file);
    foreach (['-wal', '-shm'] as $suffix) {
        @unlink($file . $suffix);
    }
    echo "inbound: webhook.php under a real server, signed and token calls, every refusal, replays, the event\n";
}

/**
 * The service form's inbound settings, posted as a browser posts them.
 */
function local_integrationhub_ci_inbound_form(): void {
    $sform = \local_integrationhub\form\service_form::class;
    $inbound = \local_integrationhub\local\inbound::class;
    $mih = \local_integrationhub\mih::class;

    $form = new $sform(null, ['service' => null]);
    $form->set_data($sform::to_form(null));
    check((string)$form->shown('inbound_enabled') === '0' && (string)$form->shown('inbound_tolerance') === '300',
        'inbound form: a new service accepts no inbound call (tolerance 300 shown)');
    $post = $form->browser_post(['name' => 'hooks', 'base_url' => 'https://hooks.example.org', 'inbound_enabled' => '1']);
    $result = local_integrationhub_ci_submit($form, $post, fn($data) => $sform::save($data, null));
    check(isset($result['errors']['inbound_auth']), 'inbound form: signed inbound calls without a secret are refused');
    $post['generatesecret'] = '1';
    $post['inbound_tolerance'] = '120';
    [$saved] = local_integrationhub_ci_submit($form, $post, fn($data) => $sform::save($data, null));
    $settings = $inbound::settings('hooks');
    check($settings && $settings->enabled && $settings->auth === 'signature' && $settings->tolerance === 120
        && count($saved['signing_secrets']) === 1, 'inbound form: inbound settings saved with a new secret: ' . json_encode($settings));

    $service = $mih::service('hooks');
    $form = new $sform(null, ['service' => $service]);
    $form->set_data($sform::to_form($service));
    check((string)$form->shown('inbound_enabled') === '1' && $form->shown('inbound_auth') === 'signature',
        'inbound form: the edit form shows the inbound settings');
    $post = $form->browser_post(['inbound_auth' => 'token']);
    $result = local_integrationhub_ci_submit($form, $post, fn($data) => $sform::save($data, $service));
    check(isset($result['errors']['inbound_auth']), 'inbound form: token inbound calls without a token are refused');
    $post = $form->browser_post(['inbound_enabled' => '0']);
    unset($post['inbound_enabled']);
    local_integrationhub_ci_submit($form, $post, fn($data) => $sform::save($data, $service));
    check($inbound::settings('hooks')->enabled === false, 'inbound form: unticking the box closes the endpoint');
}

/**
 * The upgrade step: the PHP plugin's services with a token keep accepting it.
 *
 * @param string $plugin
 */
function local_integrationhub_ci_inbound_upgrade(string $plugin): void {
    global $DB;

    require_once($plugin . '/db/upgrade.php');
    $mih = \local_integrationhub\mih::class;
    $mih::save_service(['name' => 'old-token', 'base_url' => 'https://a.example.org', 'auth_type' => 'bearer',
        'auth_token' => 'old-token-0123456789']);
    $mih::save_service(['name' => 'old-open', 'base_url' => 'https://b.example.org']);
    $count = local_integrationhub_upgrade_inbound_tokens();
    $token = \local_integrationhub\local\inbound::settings('old-token');
    check($token && $token->enabled && $token->auth === 'token' && !\local_integrationhub\local\inbound::settings('old-open'),
        'upgrade: a PHP plugin service with a token accepts it inbound, one without stays closed');
    check($count >= 1 && local_integrationhub_upgrade_inbound_tokens() === 0, 'upgrade: the step is idempotent');
}
