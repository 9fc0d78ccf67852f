--TEST--
mih: a site's proxy (configure()) is checked against the host's INI policy (mih.blocked_hosts, mih.allowed_ports), which configure() cannot lift; the host's own proxy (mih.proxy_*) is not
--EXTENSIONS--
mih
--INI--
mih.blocked_hosts=127.0.0.0/8
mih.allowed_ports=80,443
--FILE--
<?php
require __DIR__ . '/../server.inc';
require __DIR__ . '/../children.inc';
use local_integrationhub\mih;

[$pport, $plog] = mih_test_proxy();
$count = fn() => count(mih_test_proxy_log($plog));
// a target the host's policy allows: port 80, a name that does not resolve here (the proxy resolves it)
mih::save_service(['name' => 'far', 'base_url' => 'http://target.invalid', 'timeout' => 5, 'max_retries' => 0]);

// the site's proxy on 127.0.0.1 at a port outside 80,443: both host rules refuse the connection
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $pport]);
var_dump(mih::request('far', '/x')->error);
// the site's own lists cannot lift the host's (allowed_ports only narrows, blocked_hosts only adds)
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $pport, 'allowed_ports' => [80, $pport], 'blocked_hosts' => []]);
var_dump(mih::request('far', '/x')->error);
echo $count(), " requests reached the proxy\n";

// the same proxy given by the host (mih.proxy_*) is the host's choice: used despite its own lists
$child = new mih_test_child('request_child.inc', ['far', '/x', 0, 0, 0],
    ['mih.proxy_host' => '127.0.0.1', 'mih.proxy_port' => $pport]);
$child->wait(20);
$line = json_decode(trim($child->output()), true);
echo "host's proxy: HTTP ", $line['status'] ?? 'none', "\n";
echo $count(), " request reached the proxy: ", mih_test_proxy_log($plog)[0]['url'] ?? '-', "\n";
?>
--EXPECTF--
string(%d) "destination 127.0.0.1 is blocked by rule "127.0.0.0/8""
string(%d) "destination 127.0.0.1 is blocked by rule "127.0.0.0/8""
0 requests reached the proxy
host's proxy: HTTP 502
1 request reached the proxy: http://target.invalid/x
