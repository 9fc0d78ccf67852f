--TEST--
mih: through a SOCKS5 proxy (libcurl resolves the target) a name that does not resolve here cannot be checked and is refused; with no policy it is left to libcurl
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$closed = mih_test_closed_port();
mih::save_service(['name' => 'far', 'base_url' => 'http://nowhere.invalid', 'timeout' => 5, 'max_retries' => 0]);
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $closed, 'proxy_type' => 'socks5',
    'blocked_hosts' => ['192.0.2.0/24']]);
var_dump(mih::request('far', '/x')->error);
// the same through an HTTP proxy: the proxy resolves it, as in Moodle (here: no proxy listening)
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $closed, 'proxy_type' => 'http']);
var_dump(str_replace((string)$closed, 'PORT', mih::request('far', '/x')->error));
// no policy: nothing to check, so nothing is refused before the proxy
mih::configure(['proxy_host' => '127.0.0.1', 'proxy_port' => $closed, 'proxy_type' => 'socks5', 'blocked_hosts' => []]);
var_dump(str_replace((string)$closed, 'PORT', mih::request('far', '/x')->error));
?>
--EXPECT--
string(97) "host nowhere.invalid does not resolve here (a SOCKS5 proxy connects to the address resolved here)"
string(46) "connection refused by the proxy 127.0.0.1:PORT"
string(46) "connection refused by the proxy 127.0.0.1:PORT"
