--TEST--
mih: a proxy that wants Basic auth (407), a dead proxy and bad proxy settings give clear errors that never show the proxy password (exceptions, mih::log(), tasks, dead letters, phpinfo)
--EXTENSIONS--
mih
--INI--
mih.proxy_host=127.0.0.1
mih.proxy_port=1
mih.proxy_user=hostuser
mih.proxy_password=Ini-Secret-Zq9
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

const SECRET = 'Pr0xy-Secret-Zq9';
$srv = new mih_test_server();
[$pport, $plog] = mih_test_proxy('moodleuser:' . SECRET);
mih_test_service($srv);
$leaks = [];
$check = function (string $where, $value) use (&$leaks): void {
    $text = is_string($value) ? $value : var_export($value, true);
    foreach ([SECRET, 'Ini-Secret-Zq9', base64_encode('moodleuser:' . SECRET)] as $s) {
        if (str_contains($text, $s)) {
            $leaks[] = $where;
        }
    }
};

// the host's INI proxy (a closed port on 127.0.0.1) is used until the site configures its own
$r = mih::request('test', '/ini');
var_dump($r->error);
$check('ini error', $r);
ob_start();
phpinfo(INFO_MODULES);
$info = ob_get_clean();
$check('phpinfo', $info);
echo preg_match('/mih\.proxy_password => \(set, not shown\)/', $info) ? "phpinfo hides the password\n" : $info;

// wrong password: the proxy's 407, named as the proxy's
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $pport, 'proxy_user' => 'moodleuser', 'proxy_password' => 'wrong-' . SECRET]);
$r = mih::request('test', '/wrong');
var_dump($r->success, $r->httpstatus, $r->error);
$check('407 response', $r);
// right password: Basic proxy auth (Moodle's CURLAUTH_BASIC | CURLAUTH_NTLM)
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $pport, 'proxy_user' => 'moodleuser', 'proxy_password' => SECRET]);
$r = mih::request('test', '/right');
var_dump($r->httpstatus);
$last = array_slice(mih_test_proxy_log($plog), -1)[0];
var_dump($last['auth_ok']);
// the test proxy forwards every header as it got it (a real proxy drops Proxy-Authorization), so
// what the receiver sees is what mih sent: the credentials only in the header meant for the proxy
$seen = $srv->last()['headers'];
echo "Proxy-Authorization as the proxy got it: ",
    var_export(($seen['proxy-authorization'] ?? null) === 'Basic ' . base64_encode('moodleuser:' . SECRET), true), "\n";
unset($seen['proxy-authorization']);
$flat = json_encode($seen);
echo "the credentials in no other header: ", var_export(!str_contains($flat, SECRET)
    && !str_contains($flat, base64_encode('moodleuser:' . SECRET)) && !str_contains($flat, 'moodleuser'), true), "\n";

// https goes through CONNECT: the tunnel's refusal is named (nothing is sent to 127.0.0.1 as TLS)
mih::save_service(['name' => 'tls', 'base_url' => "https://127.0.0.1:{$srv->port}", 'timeout' => 5, 'max_retries' => 0]);
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $pport, 'proxy_user' => 'moodleuser', 'proxy_password' => 'wrong-' . SECRET]);
$r = mih::request('tls', '/tunnel');
var_dump($r->error);
$check('tunnel 407', $r);
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $pport, 'proxy_user' => 'moodleuser', 'proxy_password' => SECRET]);
var_dump(mih::request('tls', '/tunnel')->error);
$connects = array_filter(mih_test_proxy_log($plog), fn($l) => $l['method'] === 'CONNECT');
echo count($connects) > 0 ? "CONNECT 127.0.0.1:PORT seen\n" : "no CONNECT\n";

// a dead SOCKS5 proxy
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => mih_test_closed_port(), 'proxy_type' => 'SOCKS5']);
var_dump(mih::request('test', '/socks')->error);

// a dead proxy
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => mih_test_closed_port(), 'proxy_user' => 'moodleuser', 'proxy_password' => SECRET]);
$r = mih::request('test', '/dead');
var_dump($r->error);
$check('dead proxy', $r);

// queued: the dead proxy (retried), then the 407 (a 4xx: to the DLQ)
$id = mih::enqueue('test', '/queued-dead');
mih::run_queue();
$task = mih::task($id);
var_dump($task['last_error'] ?? $task['error'] ?? null);
$check('task', $task);
$check('tasks', mih::tasks());
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $pport, 'proxy_user' => 'moodleuser', 'proxy_password' => 'wrong-' . SECRET]);
mih::retry_task($id);
mih::run_queue();
$dead = mih::dead_letters();
var_dump(count($dead), $dead[0]['error'] ?? null);
$check('dead letters', $dead);
$check('dead letter', mih::dead_letter($dead[0]['id']));
mih::flush_log();
$check('log', mih::log());
$check('stats', mih::stats());

// bad settings: named, never quoting the password, and nothing changes
foreach ([
    ['proxy_host' => '127.0.0.1', 'proxy_port' => 65536],
    ['proxy_host' => '127.0.0.1', 'proxy_port' => 'abc'],
    ['proxy_host' => '127.0.0.1', 'proxy_type' => 'socks4'],
    ['proxy_host' => 'http://127.0.0.1:3128'],
    ['proxy_host' => 'u:' . SECRET],
    ['proxy_host' => '[proxy.example]'],
    ['proxy_host' => 'u:' . SECRET . '@127.0.0.1'],
    ['proxy_host' => "127.0.0.1\0x"],
    ['proxy_port' => 3128],
    ['proxy_user' => 'u', 'proxy_password' => SECRET],
    ['proxy_host' => '127.0.0.1', 'proxy_user' => 'u', 'proxy_password' => SECRET . "\0"],
    ['proxy_host' => '127.0.0.1', 'proxy_user' => "u\0", 'proxy_password' => SECRET],
    ['proxy_host' => '127.0.0.1', 'proxy_password' => 42],
    ['proxy_host' => '127.0.0.1', 'proxy_bypass' => 'localhost'],
    ['proxy_host' => '127.0.0.1', 'proxy_bypass' => ["local\0host"]],
    ['proxy_host' => '127.0.0.1', 'proxy_pass' => SECRET],
] as $bad) {
    try {
        mih::configure($bad);
        echo "accepted\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
        $check('exception', $e->getMessage());
        $check('trace', $e->getTraceAsString());
        $check('exception dump', print_r($e, true));
    }
}
echo mih::request('test', '/still-the-407-proxy')->httpstatus, "\n";
// a password without a user is not sent (Moodle's rule): the proxy still answers 407
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $pport, 'proxy_password' => SECRET]);
echo mih::request('test', '/no-user')->httpstatus, "\n";
echo $leaks ? 'LEAKED in ' . implode(', ', $leaks) : 'the password appears nowhere', "\n";
?>
--EXPECTF--
string(%d) "connection refused by the proxy 127.0.0.1:1"
phpinfo hides the password
bool(false)
int(407)
string(%d) "HTTP 407 Proxy Authentication Required (from the proxy 127.0.0.1:%d)"
int(200)
bool(true)
Proxy-Authorization as the proxy got it: true
the credentials in no other header: true
string(%d) "the proxy 127.0.0.1:%d refused the tunnel: HTTP 407 Proxy Authentication Required"
string(%d) "the proxy 127.0.0.1:%d refused the tunnel: HTTP 501 Not Implemented"
CONNECT 127.0.0.1:PORT seen
string(%d) "connection refused by the proxy 127.0.0.1:%d"
string(%d) "connection refused by the proxy 127.0.0.1:%d"
string(%d) "connection refused by the proxy 127.0.0.1:%d"
int(1)
string(%d) "HTTP 407 Proxy Authentication Required (from the proxy 127.0.0.1:%d)"
ValueError: local_integrationhub\mih::configure(): Argument #1 ($settings) has a bad proxy setting: proxy_port 65536 is not a port number from 1 to 65535 (0: libcurl's default, 1080)
ValueError: local_integrationhub\mih::configure(): Argument #1 ($settings) setting "proxy_port" must be a port number (0: libcurl's default)
ValueError: local_integrationhub\mih::configure(): Argument #1 ($settings) has a bad proxy setting: proxy_type "socks4" is not http or socks5
ValueError: local_integrationhub\mih::configure(): Argument #1 ($settings) has a bad proxy setting: proxy_host is not a host name or an IP address: it has a scheme ("...://") (give the port as proxy_port, no scheme or credentials; the value is not shown, it may hold a secret)
ValueError: local_integrationhub\mih::configure(): Argument #1 ($settings) has a bad proxy setting: proxy_host is not a host name or an IP address: it has a ':' and is not an IPv6 address (give the port as proxy_port, no scheme or credentials; the value is not shown, it may hold a secret)
ValueError: local_integrationhub\mih::configure(): Argument #1 ($settings) has a bad proxy setting: proxy_host is not a host name or an IP address: brackets hold only an IPv6 address (give the port as proxy_port, no scheme or credentials; the value is not shown, it may hold a secret)
ValueError: local_integrationhub\mih::configure(): Argument #1 ($settings) has a bad proxy setting: proxy_host must not contain credentials ("...@"): give them as proxy_user and proxy_password
ValueError: local_integrationhub\mih::configure(): Argument #1 ($settings) has a bad proxy setting: proxy_host is not a host name or an IP address: it contains a NUL byte (give the port as proxy_port, no scheme or credentials; the value is not shown, it may hold a secret)
ValueError: local_integrationhub\mih::configure(): Argument #1 ($settings) has a bad proxy setting: proxy_port 3128 is given without proxy_host
ValueError: local_integrationhub\mih::configure(): Argument #1 ($settings) has a bad proxy setting: proxy_user or proxy_password is given without proxy_host
ValueError: local_integrationhub\mih::configure(): Argument #1 ($settings) has a bad proxy setting: proxy_password contains a NUL byte or a control character
ValueError: local_integrationhub\mih::configure(): Argument #1 ($settings) has a bad proxy setting: proxy_user contains a NUL byte or a control character
TypeError: local_integrationhub\mih::configure(): Argument #1 ($settings) setting "proxy_password" must be of type ?string, int given
TypeError: local_integrationhub\mih::configure(): Argument #1 ($settings) setting "proxy_bypass" must be of type ?array, string given
ValueError: local_integrationhub\mih::configure(): Argument #1 ($settings) setting "proxy_bypass" entries must not contain any null bytes
ValueError: local_integrationhub\mih::configure(): Argument #1 ($settings) contains unknown setting "proxy_pass" (known: blocked_hosts, allowed_ports, proxy_host, proxy_port, proxy_type, proxy_user, proxy_password, proxy_bypass)
407
407
the password appears nowhere
