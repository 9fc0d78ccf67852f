--TEST--
mih.secret_key: auth tokens, signing secrets and credential headers of services, rules, tasks and dead letters are encrypted in the store, and still sent in clear
--EXTENSIONS--
mih
pdo
pdo_sqlite
--INI--
mih.secret_key=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
--FILE--
<?php
require __DIR__ . '/secrets.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
$token = 'tok-AtRest-0123456789-bearer';
$apikey = 'key-AtRest-0123456789-header';
$signing = 'whsec_' . base64_encode('sig-AtRest-0123456789');
$rulekey = 'rule-AtRest-0123456789-auth';
$callkey = 'call-AtRest-0123456789-upstream';
$secrets = [$token, $apikey, substr($signing, 6), 'sig-AtRest-0123456789', $rulekey, $callkey];

$svc = mih::save_service(['name' => 'crm', 'base_url' => $srv->url, 'auth_type' => 'bearer', 'auth_token' => $token,
    'headers' => ['X-Api-Key' => $apikey, 'X-Tenant' => 'moodle'], 'signing_secrets' => [$signing]]);
echo json_encode([$svc['auth_token'], $svc['headers'], $svc['signing_secrets']]), "\n";
mih::save_rule(['eventname' => '\core\event\user_created', 'service' => 'crm', 'endpoint' => '/gone',
    'headers' => ['Authorization' => "Bearer $rulekey", 'X-Rule' => 'created']]);
$srv->respond('/gone', [['status' => 404]]);
mih::emit('\core\event\user_created', ['id' => 7]);
$r = mih::run_queue();
echo "dead={$r['dead']}\n";
$queued = mih::send('crm')->to('/later')->header('X-Upstream-Token', $callkey)->queue();

// the store holds none of the secrets, in its file or its log
$bytes = mih_test_raw_bytes();
foreach ($secrets as $i => $s) {
    echo "secret $i on disk: ", var_export(str_contains($bytes, $s), true), "\n";
}
var_dump(str_contains($bytes, 'moodle'), str_contains($bytes, 'created'));

// what the columns hold: envelopes under the key's id, the rest in clear
echo 'key id ', mih_test_key_id(MIH_TEST_KEY_A), "\n";
$row = mih_test_raw_rows('svc', 'auth_token, headers, signing_secrets')[0];
$headers = json_decode($row['headers'], true);
echo 'svc auth_token: ', mih_test_form($row['auth_token']), ', X-Api-Key: ', mih_test_form($headers['X-Api-Key']),
    ', X-Tenant: ', $headers['X-Tenant'], ', signing secret: ', mih_test_form(json_decode($row['signing_secrets'])[0]), "\n";
foreach (['rules', 'dlq', 'queue'] as $table) {
    foreach (mih_test_raw_rows($table, 'headers') as $row) {
        echo "$table: ";
        foreach (json_decode($row['headers'], true) as $name => $value) {
            echo "$name ", $value === 'created' ? 'created' : mih_test_form($value), '; ';
        }
        echo "\n";
    }
}

// read back: masked as ever
echo json_encode(mih::service('crm')['headers']), ' ', mih::service('crm')['auth_token'], ' ',
    json_encode(mih::rules()[0]['headers']), ' ', json_encode(mih::task($queued)['headers']), "\n";
echo 'read-backs leak: ', var_export(str_contains(json_encode([mih::services(), mih::rules(), mih::tasks(), mih::task($queued),
    mih::dead_letters(), mih::log()]), '0123456789'), true), "\n";

// requests and deliveries carry the real values
mih::request('crm', '/now');
$got = $srv->last();
echo $got['headers']['authorization'] === "Bearer $token" ? 'bearer ok' : 'bearer WRONG', ', ',
    $got['headers']['x-api-key'] === $apikey ? 'api key ok' : 'api key WRONG', ', ';
mih::verify_webhook($got['headers'], $got['body'], $signing);
echo "signature verified\n";
mih::run_queue();
$got = $srv->last();
echo $got['path'], ' ', $got['headers']['x-upstream-token'] === $callkey ? 'call header ok' : 'WRONG', "\n";
$dead = mih::dead_letters()[0];
mih::replay($dead['id']);
mih::run_queue();
$got = $srv->last();
echo $got['path'], ' ', $got['headers']['authorization'] === "Bearer $rulekey" ? 'replayed rule header ok' : 'WRONG', "\n";

// phpinfo() shows the key id, not the key
ob_start();
phpinfo(INFO_MODULES);
$info = ob_get_clean();
var_dump(str_contains($info, 'key id ' . mih_test_key_id(MIH_TEST_KEY_A)), str_contains($info, MIH_TEST_KEY_A));
?>
--EXPECT--
["****arer",{"X-Api-Key":"****ader","X-Tenant":"moodle"},["****Nzg5"]]
dead=1
secret 0 on disk: false
secret 1 on disk: false
secret 2 on disk: false
secret 3 on disk: false
secret 4 on disk: false
secret 5 on disk: false
bool(true)
bool(true)
key id b4158b46
svc auth_token: sealed b4158b46, X-Api-Key: sealed b4158b46, X-Tenant: moodle, signing secret: sealed b4158b46
rules: Authorization sealed b4158b46; X-Rule created; 
dlq: Authorization sealed b4158b46; X-Rule created; 
queue: X-Upstream-Token sealed b4158b46; 
{"X-Api-Key":"****ader","X-Tenant":"moodle"} ****arer {"Authorization":"****auth","X-Rule":"created"} {"X-Upstream-Token":"****ream"}
read-backs leak: false
bearer ok, api key ok, signature verified
/later call header ok
/gone replayed rule header ok
bool(true)
bool(false)
