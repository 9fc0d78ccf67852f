--TEST--
mih: service_defaults() are what a new service gets; a field given as null takes its default (add and update)
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$defaults = mih::service_defaults();
echo json_encode($defaults, JSON_UNESCAPED_SLASHES), "\n";

// Only the three fields the cookbook fills in: every other field is the default.
$plain = mih::save_service(['name' => 'Slack Notifications', 'base_url' => 'https://hooks.slack.com', 'method' => 'POST']);
$same = true;
foreach ($defaults as $field => $value) {
    if ($plain[$field] !== $value) {
        echo "differs: $field\n";
        $same = false;
    }
}
var_dump($same);

// The same fields given as null (a form's "no answer") on a new service.
$nulls = array_fill_keys(array_keys($defaults), null);
$viaNull = mih::save_service(['name' => 'erp', 'base_url' => 'https://erp.example.org', 'method' => 'POST'] + $nulls);
foreach ($defaults as $field => $value) {
    if ($viaNull[$field] !== $value) {
        echo "null differs: $field\n";
    }
}

// On an update, null goes back to the default; [] stays an explicit empty list.
mih::save_service(['name' => 'erp', 'retry_statuses' => [503], 'cb_failure_statuses' => [], 'cb_failure_threshold' => 9,
    'timeout' => 20, 'connect_timeout' => 15, 'headers' => ['X-Tenant' => 'a']]);
$back = mih::save_service(['name' => 'erp', 'retry_statuses' => null, 'cb_failure_threshold' => null,
    'connect_timeout' => null, 'headers' => null]);
echo json_encode([$back['retry_statuses'], $back['cb_failure_statuses'], $back['cb_failure_threshold'],
    $back['timeout'], $back['connect_timeout'], $back['headers']], JSON_UNESCAPED_SLASHES), "\n";
// A derived connect timeout follows a small timeout down.
var_dump(mih::save_service(['name' => 'erp', 'timeout' => 2, 'connect_timeout' => null])['connect_timeout']);

foreach (['name', 'base_url'] as $required) {
    try {
        mih::save_service(['name' => 'erp', $required => null]);
    } catch (local_integrationhub\invalid_definition_exception $e) {
        echo $e->getMessage(), "\n";
    }
}
try {
    mih::service_defaults(1);
} catch (ArgumentCountError $e) {
    echo $e->getMessage(), "\n";
}
?>
--EXPECT--
{"type":"http","method":"POST","auth_type":"none","apikey_header":"X-API-Key","headers":[],"timeout":5,"connect_timeout":5,"max_retries":3,"retry_backoff":1,"retry_cap":60,"retry_statuses":[408,425,429,500,502,503,504],"follow_redirects":false,"cb_mode":"count","cb_failure_threshold":5,"cb_window":60,"cb_cooldown":30,"cb_min_calls":10,"cb_failure_rate":50,"cb_halfopen_probes":1,"cb_failure_statuses":["5xx",429],"max_attempts":5,"queue_backoff":60,"queue_backoff_cap":3600,"signing_secrets":[],"enabled":true}
bool(true)
[[408,425,429,500,502,503,504],[],5,20,10,[]]
float(2)
invalid service definition: field "name" is required and has no default
invalid service definition: field "base_url" is required and has no default
local_integrationhub\mih::service_defaults() expects exactly 0 arguments, 1 given
