--TEST--
mih: through the proxy the outbound policy checks the target (its name, the addresses it resolves to here, its port) and every redirect hop, and exempts the connection to the proxy itself
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
// the proxy on an address of its own, so that the site can block it apart from the target
[$pport, $plog] = mih_test_proxy(null, '127.0.0.2');
mih_test_service($srv, ['follow_redirects' => true]);
mih::save_service(['name' => 'byname', 'base_url' => "http://localhost:{$srv->port}", 'timeout' => 5,
    'max_retries' => 3, 'retry_backoff' => 0.01, 'follow_redirects' => true]);
$count = fn() => count(mih_test_proxy_log($plog));
$proxy = ['proxy_host' => '127.0.0.2', 'proxy_port' => $pport];

// Moodle's defaults block 127.0.0.0/8 (where the proxy is, exempt: the admin configured it) and the
// target's own port: nothing is sent, not even to the proxy, and the refusal is not retried
mih::configure($proxy + ['blocked_hosts' => explode(',', '127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,0.0.0.0,localhost,169.254.169.254,::1'),
    'allowed_ports' => ['80', '443']]);
var_dump(mih::request('test', '/x')->error);
mih::configure(['allowed_ports' => [$srv->port]]);
var_dump(mih::request('test', '/x')->error);
$r = mih::request('byname', '/x');
var_dump($r->error, $r->attempts);
// a name the list does not name is resolved here: localhost is 127.0.0.1 (or ::1), blocked
mih::configure(['blocked_hosts' => ['127.0.0.0/8', '::1']]);
$r = mih::request('byname', '/x');
var_dump($r->error, $r->attempts);
echo $count(), " requests reached the proxy\n";

// the proxy's address (127.0.0.2) is in the site's blocked_hosts (here that blocks every loopback
// address) and its port is not in the site's allowed_ports: it is still used, the site configured it
// (the host's INI lists would refuse it: proxy_host_policy.phpt). The target is a name only the proxy
// resolves (the test proxy sends *.mih-test.invalid to 127.0.0.1), as a proxy resolves names for a
// site on a private network
mih::save_service(['name' => 'remote', 'base_url' => "http://svc.mih-test.invalid:{$srv->port}", 'timeout' => 5,
    'max_retries' => 0]);
mih::configure(['blocked_hosts' => ['127.0.0.2/32'], 'allowed_ports' => [$srv->port]]);
$r = mih::request('remote', '/allowed');
var_dump($r->httpstatus, $count());
mih::configure(['blocked_hosts' => ['blocked.example', '192.0.2.0/24']]);

// redirects through the proxy: each hop's target is checked before it is followed
$srv->respond('/to-blocked', [['status' => 302, 'headers' => ['Location: http://blocked.example/']]]);
$srv->respond('/to-port', [['status' => 302, 'headers' => ['Location: http://127.0.0.1:' . mih_test_closed_port() . '/']]]);
$srv->respond('/to-ok', [['status' => 302, 'headers' => ["Location: http://127.0.0.1:{$srv->port}/landed"]]]);
var_dump(mih::request('test', '/to-blocked')->error, mih::request('test', '/to-port')->error);
$r = mih::request('test', '/to-ok');
var_dump($r->httpstatus, $r->json()['uri'] ?? null);
mih::configure(['blocked_hosts' => [], 'allowed_ports' => []]);
// a hop that would change route (proxied -> bypassed) is refused rather than sent the wrong way
mih::configure($proxy + ['proxy_bypass' => ['localhost']]);
$srv->respond('/to-bypassed', [['status' => 302, 'headers' => ["Location: http://localhost:{$srv->port}/landed"]]]);
var_dump(mih::request('test', '/to-bypassed')->error);
$srv->respond('/to-proxied', [['status' => 302, 'headers' => ["Location: http://127.0.0.1:{$srv->port}/landed"]]]);
var_dump(mih::request('byname', '/to-proxied')->error);
$urls = array_map(fn($r) => str_replace((string)$srv->port, 'PORT', $r['url']), mih_test_proxy_log($plog));
echo "proxy saw: ", implode(', ', $urls), "\n";
echo "blocked targets at the receiver: ", count(array_filter($srv->requests(), fn($r) => $r['path'] === '/x')), "\n";
?>
--EXPECTF--
string(%d) "destination 127.0.0.1 is blocked by rule "127.0.0.0/8""
string(%d) "destination 127.0.0.1 is blocked by rule "127.0.0.0/8""
string(%d) "host localhost is blocked by rule "localhost""
int(1)
string(%d) "destination %s is blocked by rule "%s""
int(1)
0 requests reached the proxy
int(200)
int(1)
string(%d) "redirect refused: host blocked.example is blocked by rule "blocked.example""
string(%d) "redirect refused: port %d is not in the allowed ports"
int(200)
string(7) "/landed"
string(%d) "redirect refused: localhost bypasses the proxy (proxy_bypass) and this request went through it"
string(%d) "redirect refused: 127.0.0.1 goes through the proxy (proxy_bypass) and this request went direct"
proxy saw: http://svc.mih-test.invalid:PORT/allowed, http://127.0.0.1:PORT/to-blocked, http://127.0.0.1:PORT/to-port, http://127.0.0.1:PORT/to-ok, http://127.0.0.1:PORT/landed, http://127.0.0.1:PORT/to-bypassed
blocked targets at the receiver: 0
