--TEST--
mih::verify_inbound(): Standard Webhooks v1 with the service's own signing secrets (rotation, every refusal), the pure-PHP plugin's token (Bearer or X-API-Key), closed without credentials, no secret in any message
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../store.inc';
mih_test_use_store('verify_inbound');
use local_integrationhub\mih;

$new = 'whsec_' . base64_encode(random_bytes(32));
$old = 'whsec_' . base64_encode(random_bytes(32));
$token = 'tok-' . bin2hex(random_bytes(12));
mih::save_service(['name' => 'crm', 'base_url' => 'https://crm.example.org', 'signing_secrets' => [$new, $old],
    'auth_type' => 'bearer', 'auth_token' => $token]);
mih::save_service(['name' => 'bare', 'base_url' => 'https://bare.example.org']);
mih::save_service(['name' => 'off', 'base_url' => 'https://off.example.org', 'signing_secrets' => [$new], 'enabled' => false]);

function signed(string $secret, string $id, int $ts, string $body): array {
    $mac = base64_encode(hash_hmac('sha256', "$id.$ts.$body", base64_decode(substr($secret, 6)), true));
    return ['Webhook-Id' => $id, 'Webhook-Timestamp' => (string)$ts, 'Webhook-Signature' => "v1,$mac"];
}
$messages = '';
function attempt(string $what, callable $fn): void {
    global $messages;
    try {
        $r = $fn();
        echo "$what: ", json_encode($r), "\n";
    } catch (local_integrationhub\signature_exception $e) {
        $messages .= $e->getMessage() . $e->getTraceAsString();
        echo "$what: ", $e->reason, " (", $e->getMessage(), ")\n";
    } catch (Throwable $e) {
        $messages .= $e->getMessage() . $e->getTraceAsString();
        echo "$what: ", get_class($e), ": ", $e->getMessage(), "\n";
    }
}
$body = '{"order": 42}';
$now = time();
attempt('new secret', fn() => mih::verify_inbound('crm', signed($new, 'msg_1', $now, $body), $body));
attempt('old secret', fn() => mih::verify_inbound('crm', signed($old, 'msg_2', $now, $body), $body)['auth']);
attempt('unsigned', fn() => mih::verify_inbound('crm', [], $body));
attempt('other secret', fn() => mih::verify_inbound('crm', signed('whsec_' . base64_encode(random_bytes(32)), 'msg_3', $now, $body), $body));
attempt('tampered', fn() => mih::verify_inbound('crm', signed($new, 'msg_4', $now, $body), '{"order": 43}'));
attempt('old', fn() => mih::verify_inbound('crm', signed($new, 'msg_5', $now - 400, $body), $body));
attempt('old, wider tolerance', fn() => mih::verify_inbound('crm', signed($new, 'msg_5', $now - 400, $body), $body, 'signature', 600)['auth']);
attempt('future', fn() => mih::verify_inbound('crm', signed($new, 'msg_6', $now + 400, $body), $body));
attempt('malformed', fn() => mih::verify_inbound('crm', ['webhook-signature' => 'v1,???'] + signed($new, 'msg_7', $now, $body), $body));
attempt('no secret', fn() => mih::verify_inbound('bare', signed($new, 'msg_8', $now, $body), $body));
attempt('disabled', fn() => mih::verify_inbound('off', signed($new, 'msg_9', $now, $body), $body)['enabled']);
attempt('unknown', fn() => mih::verify_inbound('ghost', [], $body));

attempt('bearer', fn() => mih::verify_inbound('crm', ['authorization' => "Bearer $token"], $body, 'token'));
attempt('bearer lower case', fn() => mih::verify_inbound('crm', ['Authorization' => "bearer  $token "], $body, 'token')['auth']);
attempt('x-api-key', fn() => mih::verify_inbound('crm', ['X-API-Key' => $token, 'webhook-id' => 'evt-1'], $body, 'token'));
attempt('wrong bearer, right key', fn() => mih::verify_inbound('crm', ['Authorization' => 'Bearer nope', 'X-Api-Key' => $token], $body, 'token')['auth']);
attempt('wrong token', fn() => mih::verify_inbound('crm', ['Authorization' => 'Bearer ' . strrev($token)], $body, 'token'));
attempt('basic', fn() => mih::verify_inbound('crm', ['Authorization' => 'Basic ' . base64_encode("a:$token")], $body, 'token'));
attempt('no token given', fn() => mih::verify_inbound('crm', signed($new, 'msg_10', $now, $body), $body, 'token'));
attempt('service without token', fn() => mih::verify_inbound('bare', ['Authorization' => 'Bearer x'], $body, 'token'));

attempt('bad auth', fn() => mih::verify_inbound('crm', [], $body, 'basic'));
attempt('negative tolerance', fn() => mih::verify_inbound('crm', [], $body, 'signature', -1));
attempt('NUL in header', fn() => mih::verify_inbound('crm', ['authorization' => "Bearer $token\0x"], $body, 'token'));
attempt('array header', fn() => mih::verify_inbound('crm', ['authorization' => ["Bearer $token"]], $body, 'token')['auth']);
attempt('non-string header', fn() => mih::verify_inbound('crm', ['authorization' => 5], $body, 'token'));
attempt('NUL in name', fn() => mih::verify_inbound("crm\0", [], $body));

foreach ([$new, substr($new, 6), $old, substr($old, 6), $token] as $secret) {
    if (str_contains($messages, $secret)) {
        echo "LEAK\n";
    }
}
echo "done\n";
?>
--EXPECTF--
new secret: {"service":"crm","serviceid":1,"enabled":true,"auth":"signature","webhook_id":"msg_1","timestamp":%d}
old secret: "signature"
unsigned: missing_header (webhook rejected: %s)
other secret: no_match (webhook rejected: %s)
tampered: no_match (webhook rejected: %s)
old: too_old (webhook rejected: webhook-timestamp is %d s old, beyond the 300 s tolerance)
old, wider tolerance: "signature"
future: too_new (webhook rejected: %s)
malformed: bad_format (webhook rejected: %s)
no secret: not_configured (webhook rejected: service "bare" has no signing secret)
disabled: false
unknown: local_integrationhub\service_not_found_exception: service "ghost" is not defined
bearer: {"service":"crm","serviceid":1,"enabled":true,"auth":"token","webhook_id":null,"timestamp":null}
bearer lower case: "token"
x-api-key: {"service":"crm","serviceid":1,"enabled":true,"auth":"token","webhook_id":"evt-1","timestamp":null}
wrong bearer, right key: "token"
wrong token: no_match (webhook rejected: the token does not match)
basic: missing_header (webhook rejected: no "Authorization: Bearer" or X-API-Key header)
no token given: missing_header (webhook rejected: no "Authorization: Bearer" or X-API-Key header)
service without token: not_configured (webhook rejected: service "bare" has no token)
bad auth: ValueError: local_integrationhub\mih::verify_inbound(): Argument #4 ($auth) must be "signature" or "token"
negative tolerance: ValueError: local_integrationhub\mih::verify_inbound(): Argument #5 ($tolerance) must be greater than or equal to 0
NUL in header: ValueError: %s
array header: "token"
non-string header: TypeError: local_integrationhub\mih::verify_inbound(): Argument #2 ($headers) header "authorization" must be a string
NUL in name: ValueError: %s
done
