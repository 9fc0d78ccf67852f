--TEST--
mih.secret_keys_old and mih::rotate_secrets(): plaintext and old-key values are read and re-encrypted under the current key; an unknown key fails naming the service and field
--EXTENSIONS--
mih
pdo
pdo_sqlite
--INI--
mih.secret_key=ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100
mih.secret_keys_old=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
--FILE--
<?php
require __DIR__ . '/secrets.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
$a = mih_test_key_id(MIH_TEST_KEY_A);
$b = mih_test_key_id(MIH_TEST_KEY_B);
$forms = function () use ($a, $b): string {
    $out = [];
    foreach (mih_test_raw_rows('svc', 'name, auth_token, headers, signing_secrets') as $row) {
        $h = json_decode($row['headers'], true);
        $out[] = "{$row['name']}: token " . mih_test_form($row['auth_token'])
            . (isset($h['X-Api-Key']) ? ', X-Api-Key ' . mih_test_form($h['X-Api-Key']) : '')
            . implode('', array_map(fn($s) => ', secret ' . mih_test_form($s), json_decode($row['signing_secrets'])));
    }
    foreach (['rules', 'queue'] as $table) {
        foreach (mih_test_raw_rows($table, 'headers') as $row) {
            $out[] = "$table: " . implode(', ', array_map(fn($v) => mih_test_form($v), json_decode($row['headers'], true)));
        }
    }
    return str_replace([$a, $b], ['A', 'B'], implode(' | ', $out)) . "\n";
};
$sent = fn() => $srv->last()['headers']['authorization'] ?? '(none)';

// written by a process without a key, and by one with key A
echo mih_test_child('', '', sprintf('
    mih::save_service(["name" => "legacy", "base_url" => "%s", "auth_type" => "bearer", "auth_token" => "tok-legacy-0123456789",
        "headers" => ["X-Api-Key" => "key-legacy-0123456789"]]);
    mih::save_rule(["eventname" => "\\\\core\\\\event\\\\user_created", "service" => "legacy", "headers" => ["Authorization" => "Bearer rule-legacy-0123456789"]]);
    mih::send("legacy")->to("/later")->header("X-Upstream-Token", "call-legacy-0123456789")->queue();', $srv->url));
echo mih_test_child(MIH_TEST_KEY_A, '', sprintf('
    mih::save_service(["name" => "old", "base_url" => "%s", "auth_type" => "bearer", "auth_token" => "tok-old-0123456789",
        "signing_secrets" => ["whsec_" . base64_encode("sig-old-0123456789")]]);', $srv->url));
echo 'written: ', $forms();

// both read here (plaintext, and key A among the old keys)
mih::request('legacy', '/l');
echo $sent(), "\n";
mih::request('old', '/o');
echo $sent(), "\n";

// a definition saved again is re-encrypted under the current key
mih::save_service(mih::service('old'));
echo 'saved: ', $forms();

// everything else on demand; a second run has nothing left to do
var_dump(mih::rotate_secrets(), mih::rotate_secrets());
echo 'rotated: ', $forms();
var_dump(str_contains(mih_test_raw_bytes(), 'tok-old-0123456789'));

// key B alone now reads everything, also from a key file
$keyfile = tempnam(sys_get_temp_dir(), 'mihkey');
file_put_contents($keyfile, base64_encode(hex2bin(MIH_TEST_KEY_B)) . "\n");
echo mih_test_child($keyfile, '', 'mih::request("legacy", "/child"); echo count(mih::services()), " services, ", count(mih::rules()), " rule\n";');
unlink($keyfile);
echo $sent(), "\n";

// key A alone, or no key: the secrets sealed under B do not open
echo str_replace($b, 'B', mih_test_child(MIH_TEST_KEY_A, '', 'mih::service("legacy");'));
echo str_replace($b, 'B', mih_test_child('', '', 'mih::rules();'));
// a value altered in the database does not open either
[$pdo, $prefix] = mih_test_raw_db();
$table = $prefix . 'local_integrationhub_svc';
$row = $pdo->query("SELECT id, auth_token FROM $table WHERE name = 'legacy'")->fetch(PDO::FETCH_ASSOC);
$bad = substr($row['auth_token'], 0, 20) . ($row['auth_token'][20] === 'A' ? 'B' : 'A') . substr($row['auth_token'], 21);
$pdo->prepare("UPDATE $table SET auth_token = ? WHERE id = ?")->execute([$bad, $row['id']]);
try {
    mih::service('legacy');
} catch (local_integrationhub\store_exception $e) {
    echo get_class($e), ': ', str_replace($b, 'B', $e->getMessage()), "\n";
}
$pdo->prepare("UPDATE $table SET auth_token = ? WHERE id = ?")->execute([$row['auth_token'], $row['id']]);
// an invalid key setting: no store opens, and the message does not repeat the setting
echo mih_test_child('not-a-key-0123456789', '', 'mih::services();');

// turning encryption off: key B as an old key only, rotated back to plaintext
echo mih_test_child('', MIH_TEST_KEY_B, 'echo mih::rotate_secrets(), " values decrypted\n";');
echo 'decrypted: ', $forms();
echo mih_test_child('', '', 'mih::request("old", "/plain");');
echo $sent(), "\n";
?>
--EXPECTF--
written: legacy: token clear, X-Api-Key clear | old: token sealed A, secret sealed A | rules: clear | queue: clear
Bearer tok-legacy-0123456789
Bearer tok-old-0123456789
saved: legacy: token clear, X-Api-Key clear | old: token sealed B, secret sealed B | rules: clear | queue: clear
int(4)
int(0)
rotated: legacy: token sealed B, X-Api-Key sealed B | old: token sealed B, secret sealed B | rules: sealed B | queue: sealed B
bool(false)
2 services, 1 rule
Bearer tok-legacy-0123456789
local_integrationhub\store_exception: could not load service "legacy": store: service "legacy" field auth_token is encrypted with key id B, which is not configured (neither mih.secret_key nor in mih.secret_keys_old)
local_integrationhub\store_exception: could not list rules: store: rule 1 field headers ("Authorization") is encrypted with key id B, which is not configured (neither mih.secret_key nor in mih.secret_keys_old)
local_integrationhub\store_exception: could not load service "legacy": store: service "legacy" field auth_token does not decrypt with key id B (altered, or not this field's value)
local_integrationhub\store_exception: could not %s: mih.secret_key: a key must be 64 hex digits, base64 of 32 bytes, or the absolute path of a file holding one
Warning: PHP Startup: mih.secret_key: a key must be 64 hex digits, base64 of 32 bytes, or the absolute path of a file holding one; the mih store will not open in Unknown on line 0
6 values decrypted
decrypted: legacy: token clear, X-Api-Key clear | old: token clear, secret clear | rules: clear | queue: clear
Bearer tok-old-0123456789
