--TEST--
mih: save_service / service / services / delete_service, defaults, updates and masked secrets
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$s = mih::save_service(['name' => 'Slack Notifications', 'base_url' => 'https://hooks.slack.com', 'method' => 'post']);
echo json_encode($s, JSON_UNESCAPED_SLASHES), "\n";
mih::save_service(['name' => 'mi-crm-servicio', 'base_url' => 'https://crm.example.org/base/', 'auth_type' => 'basic',
    'auth_token' => 'user:very-secret-password', 'timeout' => 20, 'headers' => ['X-Tenant' => 'moodle']]);
mih::save_service(['name' => 'alpha', 'base_url' => 'http://a.example.org', 'auth_type' => 'apikey',
    'auth_token' => 'short', 'apikey_header' => 'X-Key', 'enabled' => '0']);
echo implode(', ', array_column(mih::services(), 'name')), "\n";

$crm = mih::service('mi-crm-servicio');
printf("%s %s %s timeout=%s connect=%s headers=%s\n", $crm['auth_type'], $crm['auth_token'], $crm['base_url'],
    $crm['timeout'], $crm['connect_timeout'], json_encode($crm['headers']));
echo mih::service('alpha')['auth_token'], ' ', var_export(mih::service('alpha')['enabled'], true), "\n";

// update by name keeps id, creation time and (when sent back masked) the secret
$again = mih::save_service(['timeout' => 3, 'connect_timeout' => 2] + $crm);
var_dump($again['id'] === $crm['id'], $again['timeout'], $again['connect_timeout'], $again['auth_token'] === $crm['auth_token']);
// a partial update keeps the other fields; a derived connect_timeout follows the timeout down
var_dump(mih::save_service(['name' => 'Slack Notifications', 'timeout' => 1.5])['connect_timeout']);
$partial = mih::save_service(['name' => 'mi-crm-servicio', 'max_retries' => 0]);
var_dump($partial['timeout'], $partial['max_retries'], $partial['headers']);

// statuses accept classes
var_dump(mih::save_service(['name' => 'alpha', 'cb_failure_statuses' => ['5xx', 429, '408']])['cb_failure_statuses']);

var_dump(mih::service('nope'));
var_dump(mih::delete_service('alpha'), mih::delete_service('alpha'));
echo implode(', ', array_column(mih::services(), 'name')), "\n";
?>
--EXPECTF--
{"id":1,"name":"Slack Notifications","type":"http","base_url":"https://hooks.slack.com","method":"POST","auth_type":"none","auth_token":null,"apikey_header":"X-API-Key","headers":[],"timeout":5,"connect_timeout":5,"max_retries":3,"retry_backoff":1,"retry_cap":60,"retry_statuses":[408,425,429,500,502,503,504],"follow_redirects":false,"cb_mode":"count","cb_failure_threshold":5,"cb_window":60,"cb_cooldown":30,"cb_min_calls":10,"cb_failure_rate":50,"cb_halfopen_probes":1,"cb_failure_statuses":["5xx",429],"max_attempts":5,"queue_backoff":60,"queue_backoff_cap":3600,"signing_secrets":[],"enabled":true,"timecreated":%d,"timemodified":%d}
Slack Notifications, alpha, mi-crm-servicio
basic ****word https://crm.example.org/base/ timeout=20 connect=10 headers={"X-Tenant":"moodle"}
**** false
bool(true)
float(3)
float(2)
bool(true)
float(1.5)
float(3)
int(0)
array(1) {
  ["X-Tenant"]=>
  string(6) "moodle"
}
array(3) {
  [0]=>
  string(3) "5xx"
  [1]=>
  int(429)
  [2]=>
  int(408)
}
NULL
bool(true)
bool(false)
Slack Notifications, mi-crm-servicio
