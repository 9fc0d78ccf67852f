--TEST--
AMQP services: type and broker URL validated with clear errors; the broker password is kept out of base_url, sealed at rest and masked on read-back, and a read-back definition saves unchanged
--EXTENSIONS--
mih
pdo
pdo_sqlite
--INI--
mih.secret_key=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
--FILE--
<?php
require __DIR__ . '/../store.inc';
use local_integrationhub\mih;

mih_test_use_store();
$s = mih::save_service(['name' => 'bus', 'type' => 'amqp',
    'base_url' => 'amqps://app:Br0ker-Passw0rd@mq.example.org:5671/prod?exchange=events&routing_key=moodle.default']);
echo $s['type'], ' ', $s['base_url'], ' ', var_export($s['auth_token'], true), "\n";
// Saved again as read back: the password is kept.
$again = mih::save_service(mih::service('bus'));
echo $again['base_url'], "\n";
if (mih_test_backend() === 'sqlite') {
    $db = new PDO('sqlite:' . $GLOBALS['MIH_TEST_STORE_FILE']);
    $row = $db->query("SELECT type, base_url, auth_token FROM local_integrationhub_svc WHERE name = 'bus'")->fetch(PDO::FETCH_ASSOC);
    echo $row['type'], ' ', $row['base_url'], ' ', str_starts_with($row['auth_token'], '$mih1$') ? 'sealed' : 'CLEAR', ' ',
        str_contains(file_get_contents($GLOBALS['MIH_TEST_STORE_FILE']), 'Br0ker-Passw0rd') ? 'LEAKED' : 'not in the file', "\n";
} else {
    echo "amqp amqps://app@mq.example.org:5671/prod?exchange=events&routing_key=moodle.default sealed not in the file\n";
}
// A new password replaces it; a URL without one keeps the user's default (guest).
echo mih::save_service(['name' => 'bus', 'base_url' => 'amqps://app:New-Secret-123@mq.example.org/prod'])['base_url'], "\n";
echo mih::save_service(['name' => 'bus2', 'type' => 'amqp', 'base_url' => 'amqp://mq.example.org'])['base_url'], "\n";
echo mih::service('bus2')['method'], ' ', mih::service('bus2')['auth_type'], "\n";
echo mih::save_service(['name' => 'web', 'base_url' => 'https://x.example.org'])['type'], "\n";
echo mih::save_service(['name' => 'legacy', 'type' => 'rest', 'base_url' => 'https://x.example.org'])['type'], "\n";

$bad = [
    ['type' => 'ftp', 'base_url' => 'https://x.example.org'],
    ['type' => 'amqp', 'base_url' => 'https://x.example.org'],
    ['type' => 'amqp', 'base_url' => 'amqp://u:Hidden-Secret-1@h/?dlq=x'],
    ['type' => 'amqp', 'base_url' => 'amqp://u:Hidden-Secret-1@h:70000/'],
    ['type' => 'amqp', 'base_url' => 'amqp://h/', 'auth_type' => 'bearer', 'auth_token' => 'Hidden-Secret-1'],
    ['type' => 'http', 'base_url' => 'amqp://u:Hidden-Secret-1@h/'],
    ['type' => 'soap', 'base_url' => 'amqp://h/'],
];
foreach ($bad as $i => $def) {
    try {
        mih::save_service(['name' => "bad$i"] + $def);
        echo "saved?\n";
    } catch (local_integrationhub\invalid_definition_exception $e) {
        echo str_contains($e->getMessage(), 'Hidden-Secret') ? 'LEAK: ' : '', $e->getMessage(), "\n";
    }
}
?>
--EXPECT--
amqp amqps://app:****w0rd@mq.example.org:5671/prod?exchange=events&routing_key=moodle.default '****w0rd'
amqps://app:****w0rd@mq.example.org:5671/prod?exchange=events&routing_key=moodle.default
amqp amqps://app@mq.example.org:5671/prod?exchange=events&routing_key=moodle.default sealed not in the file
amqps://app:****-123@mq.example.org/prod
amqp://mq.example.org
POST none
http
http
invalid service definition: field "type" must be one of http, amqp, soap ("rest" is taken as http)
invalid service definition: field "base_url" of an amqp service must start with amqp:// or amqps://
invalid service definition: field "base_url": unknown parameter "dlq" in the broker URL (known: exchange, routing_key, queue_declare)
invalid service definition: field "base_url": the broker URL's port must be a number from 1 to 65535
invalid service definition: field "auth_type" of an amqp service must be none (the broker's user and password go in base_url)
invalid service definition: field "base_url" must start with http:// or https://
invalid service definition: field "base_url" of a soap service (its WSDL) must be an http:// or https:// URL
