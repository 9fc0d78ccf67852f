--TEST--
mih: the settings that guard the host are PHP_INI_SYSTEM (ini_set() fails, the value stays) and mih::configure() can only add to them
--EXTENSIONS--
mih
--INI--
mih.blocked_hosts=192.0.2.0/24
mih.allowed_ports=80,443
mih.shm_path={PWD}/ini_system.shm
mih.shm_mode=0600
--FILE--
<?php
require __DIR__ . '/../server.inc';
require __DIR__ . '/../children.inc';
use local_integrationhub\mih;

mih_test_private_breaker_table();
$access = [INI_SYSTEM => 'system', INI_ALL => 'all'];
foreach (ini_get_all('mih') as $name => $entry) {
    echo $name, ': ', $access[$entry['access']] ?? $entry['access'], "\n";
}

echo "-- ini_set() from a script\n";
foreach ([
    'mih.blocked_hosts' => '',
    'mih.allowed_ports' => '',
    'mih.shm_path' => sys_get_temp_dir() . '/elsewhere.shm',
    'mih.shm_mode' => '0666',
    'mih.proxy_host' => '127.0.0.1',
] as $name => $value) {
    $before = ini_get($name);
    var_dump(ini_set($name, $value), ini_get($name) === $before);
}
var_dump(ini_get('mih.blocked_hosts'), ini_get('mih.allowed_ports'), basename(ini_get('mih.shm_path')));
// the caller's own settings stay changeable
var_dump(ini_set('mih.rules_ttl', '5'), ini_get('mih.rules_ttl'));

echo "-- mih::configure() adds the site's lists, never lifts the host's\n";
$srv = new mih_test_server();
mih_test_service($srv);
mih::save_service(['name' => 'testnet', 'base_url' => 'http://192.0.2.1', 'max_retries' => 0]);
mih::save_service(['name' => 'private', 'base_url' => 'http://10.0.0.1', 'max_retries' => 0]);
mih::save_service(['name' => 'tls-alt', 'base_url' => 'http://127.0.0.1:8443', 'max_retries' => 0]);
function error_of(string $service): string
{
    return mih::request($service, '/x')->error ?? 'no error';
}
echo error_of('test'), "\n";                       // the host allows 80 and 443 only
mih::configure(['allowed_ports' => [$srv->port]]);
echo error_of('test'), "\n";                       // the site cannot allow another port
mih::configure(['blocked_hosts' => [], 'allowed_ports' => []]);
echo error_of('testnet'), "\n";                    // nor unblock the host's ranges
mih::configure(['blocked_hosts' => ['10.0.0.0/8']]);
echo error_of('testnet'), "\n", error_of('private'), "\n";   // both lists block
mih::configure(['allowed_ports' => [443, 8443]]);
echo error_of('tls-alt'), "\n";                    // the site narrows to 443
echo count($srv->requests()), " requests reached the server\n";
?>
--EXPECTF--
mih.allowed_ports: system
mih.blocked_hosts: system
mih.dedupe_ttl: all
mih.lease_margin: all
mih.log_flush_rows: all
mih.log_max_age: all
mih.log_max_rows: all
mih.max_response_size: all
mih.proxy_bypass: system
mih.proxy_host: system
mih.proxy_password: system
mih.proxy_port: system
mih.proxy_type: system
mih.proxy_user: system
mih.rules_ttl: all
mih.secret_key: system
mih.secret_keys_old: system
mih.shm_mode: system
mih.shm_path: system
mih.store_durability: all
mih.store_path: all
-- ini_set() from a script
bool(false)
bool(true)
bool(false)
bool(true)
bool(false)
bool(true)
bool(false)
bool(true)
bool(false)
bool(true)
string(12) "192.0.2.0/24"
string(6) "80,443"
string(14) "ini_system.shm"
string(2) "10"
string(1) "5"
-- mih::configure() adds the site's lists, never lifts the host's
port %d is not in the allowed ports
port %d is not in the allowed ports
destination 192.0.2.1 is blocked by rule "192.0.2.0/24"
destination 192.0.2.1 is blocked by rule "192.0.2.0/24"
destination 10.0.0.1 is blocked by rule "10.0.0.0/8"
port 8443 is not in the allowed ports
0 requests reached the server
