--TEST--
mih: credentials in a service's headers are masked in save_service(), service() and services(), kept when saved back masked, and sent in clear
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
$headers = [
    'Authorization' => 'Bearer auth-0123456789-WXYZ',
    'Proxy-Authorization' => 'Basic cHJveHk6c2VjcmV0LTk4NzY=',
    'Cookie' => 'session=cookie-0123456789-c00k',
    'X-Api-Key' => 'apikey-0123456789-AKEY',
    'X-Session-Token' => 'short',
    'X-Client-Secret' => 'secret-0123456789-SCRT',
    'X-Hub-Signature' => 'sha256=sig-0123456789-SIGN',
    'X-Db-Password' => 'password-0123456789-PASS',
    'X-Tenant' => 'moodle',
];
$saved = mih::save_service(['name' => 'crm', 'base_url' => $srv->url, 'headers' => $headers]);
$one = mih::service('crm');
$all = mih::services();
foreach (['save_service' => $saved, 'service' => $one, 'services' => $all[0]] as $where => $svc) {
    echo "$where: ", json_encode($svc['headers'], JSON_UNESCAPED_SLASHES), "\n";
}
$shown = json_encode([$saved, $one, $all]);
foreach ($headers as $name => $value) {
    if ($name !== 'X-Tenant' && str_contains($shown, substr($value, -12))) {
        echo "LEAK: $name\n";
    }
}

// a definition read back can be saved again unchanged: every stored value stays
mih::save_service($one);
mih::request('crm', '/a');
$sent = $srv->last()['headers'];
foreach ($headers as $name => $value) {
    echo $name, ': ', ($sent[strtolower($name)] ?? '(missing)') === $value ? 'sent as stored' : 'WRONG', "\n";
}

// a new value replaces the stored one; a masked value of another header does not carry over
$edited = $one;
$edited['headers']['Authorization'] = 'Bearer rotated-9999';
$edited['headers']['X-Other-Token'] = $one['headers']['X-Api-Key'];
unset($edited['headers']['Cookie']);
$again = mih::save_service($edited);
echo json_encode($again['headers'], JSON_UNESCAPED_SLASHES), "\n";
mih::request('crm', '/b');
$sent = $srv->last()['headers'];
echo $sent['authorization'], ' | ', $sent['x-api-key'], ' | ', $sent['x-other-token'], ' | ',
    isset($sent['cookie']) ? 'cookie sent' : 'no cookie', "\n";
?>
--EXPECT--
save_service: {"Authorization":"****WXYZ","Proxy-Authorization":"****NzY=","Cookie":"****c00k","X-Api-Key":"****AKEY","X-Session-Token":"****","X-Client-Secret":"****SCRT","X-Hub-Signature":"****SIGN","X-Db-Password":"****PASS","X-Tenant":"moodle"}
service: {"Authorization":"****WXYZ","Proxy-Authorization":"****NzY=","Cookie":"****c00k","X-Api-Key":"****AKEY","X-Session-Token":"****","X-Client-Secret":"****SCRT","X-Hub-Signature":"****SIGN","X-Db-Password":"****PASS","X-Tenant":"moodle"}
services: {"Authorization":"****WXYZ","Proxy-Authorization":"****NzY=","Cookie":"****c00k","X-Api-Key":"****AKEY","X-Session-Token":"****","X-Client-Secret":"****SCRT","X-Hub-Signature":"****SIGN","X-Db-Password":"****PASS","X-Tenant":"moodle"}
Authorization: sent as stored
Proxy-Authorization: sent as stored
Cookie: sent as stored
X-Api-Key: sent as stored
X-Session-Token: sent as stored
X-Client-Secret: sent as stored
X-Hub-Signature: sent as stored
X-Db-Password: sent as stored
X-Tenant: sent as stored
{"Authorization":"****9999","Proxy-Authorization":"****NzY=","X-Api-Key":"****AKEY","X-Session-Token":"****","X-Client-Secret":"****SCRT","X-Hub-Signature":"****SIGN","X-Db-Password":"****PASS","X-Tenant":"moodle","X-Other-Token":"****"}
Bearer rotated-9999 | apikey-0123456789-AKEY | ****AKEY | no cookie
