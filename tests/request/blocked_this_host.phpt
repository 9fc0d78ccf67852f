--TEST--
mih: 0.0.0.0 and [::] reach this host, so they are blocked whenever a loopback address is
--EXTENSIONS--
mih
--INI--
mih.blocked_hosts=
mih.allowed_ports=
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

// Local servers on both loopback addresses, on ports the kernel picks.
$v4 = new mih_test_server();
$v6 = new mih_test_server(host: '[::1]');

function call(string $base): string
{
    mih::save_service(['name' => 'local', 'base_url' => $base, 'max_retries' => 3, 'retry_backoff' => 0.01]);
    $r = mih::request('local', '/x');
    return $r->success ? "reached ($r->httpstatus)" : "$r->error, attempts=$r->attempts";
}

$targets = [
    "http://0.0.0.0:{$v4->port}", "http://0:{$v4->port}",
    "http://[::ffff:0.0.0.0]:{$v4->port}", "http://[::]:{$v6->port}", "http://[0:0:0:0:0:0:0:0]:{$v6->port}",
];
echo "no policy:\n";
echo "  ", call("http://0.0.0.0:{$v4->port}"), "\n";
echo "  ", call("http://[::]:{$v6->port}"), "\n";

foreach ([['127.0.0.0/8'], ['::1'], ['127.0.0.1'], explode(',', '127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,0.0.0.0,localhost,169.254.169.254,::1')] as $hosts) {
    mih::configure(['blocked_hosts' => $hosts]);
    echo count($hosts) > 1 ? "Moodle's defaults" : $hosts[0], ":\n";
    foreach ($targets as $url) {
        echo "  ", call($url), "\n";
    }
}
// A policy without a loopback rule leaves this host reachable.
mih::configure(['blocked_hosts' => ['10.0.0.0/8']]);
echo "10.0.0.0/8:\n  ", call("http://[::]:{$v6->port}"), "\n";
$blocked = count(array_filter([...$v4->requests(), ...$v6->requests()], fn($r) => $r['path'] === '/x'));
echo "$blocked requests reached the servers (the two without a policy, the last one)\n";
?>
--EXPECTF--
no policy:
  reached (200)
  reached (200)
127.0.0.0/8:
  destination 0.0.0.0 is this host, blocked by rule "127.0.0.0/8", attempts=1
  destination 0.0.0.0 is this host, blocked by rule "127.0.0.0/8", attempts=1
  destination ::ffff:0.0.0.0 is this host, blocked by rule "127.0.0.0/8", attempts=1
  destination :: is this host, blocked by rule "127.0.0.0/8", attempts=1
  destination :: is this host, blocked by rule "127.0.0.0/8", attempts=1
::1:
  destination 0.0.0.0 is this host, blocked by rule "::1", attempts=1
  destination 0.0.0.0 is this host, blocked by rule "::1", attempts=1
  destination ::ffff:0.0.0.0 is this host, blocked by rule "::1", attempts=1
  destination :: is this host, blocked by rule "::1", attempts=1
  destination :: is this host, blocked by rule "::1", attempts=1
127.0.0.1:
  destination 0.0.0.0 is this host, blocked by rule "127.0.0.1", attempts=1
  destination 0.0.0.0 is this host, blocked by rule "127.0.0.1", attempts=1
  destination ::ffff:0.0.0.0 is this host, blocked by rule "127.0.0.1", attempts=1
  destination :: is this host, blocked by rule "127.0.0.1", attempts=1
  destination :: is this host, blocked by rule "127.0.0.1", attempts=1
Moodle's defaults:
  destination 0.0.0.0 is blocked by rule "0.0.0.0", attempts=1
  destination 0.0.0.0 is blocked by rule "0.0.0.0", attempts=1
  destination ::ffff:0.0.0.0 is blocked by rule "0.0.0.0", attempts=1
  destination :: is this host, blocked by rule "127.0.0.0/8", attempts=1
  destination :: is this host, blocked by rule "127.0.0.0/8", attempts=1
10.0.0.0/8:
  reached (200)
3 requests reached the servers (the two without a policy, the last one)
