--TEST--
mih::verify_webhook: the Standard Webhooks test vector, rotation, and every rejection reason
--EXTENSIONS--
mih
--FILE--
<?php
use local_integrationhub\mih;
use local_integrationhub\signature_exception;

function check(array $headers, string $body, $secrets, int $tolerance = 300): void
{
    try {
        mih::verify_webhook($headers, $body, $secrets, $tolerance);
        echo "ok\n";
    } catch (signature_exception $e) {
        echo $e->reason, ': ', $e->getMessage(), "\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
$secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
$body = '{"test": 2432232314}';
$vector = ['webhook-id' => 'msg_p5jXN8AQM9LWM0D4loKWxJek', 'webhook-timestamp' => '1614265330',
    'webhook-signature' => 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='];
// The published vector is from 2021: with an unbounded tolerance it verifies.
check($vector, $body, $secret, PHP_INT_MAX);
check(array_change_key_case($vector, CASE_UPPER), $body, 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', PHP_INT_MAX);
check($vector, $body, $secret);

// sign now, as a sender would
function sign(string $id, int $ts, string $body, string $secret): string
{
    $key = base64_decode(substr($secret, 6));
    return 'v1,' . base64_encode(hash_hmac('sha256', "$id.$ts.$body", $key, true));
}
$now = time();
$old = 'whsec_' . base64_encode(str_repeat("\x01", 24));
$new = 'whsec_' . base64_encode(str_repeat("\x02", 24));
$h = ['Webhook-Id' => 'msg_1', 'Webhook-Timestamp' => (string)$now, 'Webhook-Signature' => sign('msg_1', $now, $body, $old)];
check($h, $body, [$new, $old]);                         // rotation: the old secret still verifies
check($h, $body, [$new]);                               // but not the new one alone
$h2 = $h;
$h2['Webhook-Signature'] = sign('msg_1', $now, $body, $new) . ' ' . sign('msg_1', $now, $body, $old);
check($h2, $body, $new);                                // a sender signing with both secrets
check($h2, $body, "  $new\n");                          // secrets are trimmed
check($h, $body . ' ', [$old]);                         // body changed
check(['Webhook-Id' => 'msg_2'] + $h, $body, [$old]);   // id changed
unset($h2['Webhook-Id']);
check($h2, $body, $new);
check(['webhook-id' => 'x', 'webhook-timestamp' => 'soon', 'webhook-signature' => 'v1,abc'], $body, $new);
check(['webhook-id' => 'x', 'webhook-timestamp' => (string)$now, 'webhook-signature' => 'nonsense'], $body, $new);
check(['webhook-id' => 'x', 'webhook-timestamp' => (string)($now - 600), 'webhook-signature' => sign('x', $now - 600, $body, $new)], $body, $new);
check(['webhook-id' => 'x', 'webhook-timestamp' => (string)($now + 600), 'webhook-signature' => sign('x', $now + 600, $body, $new)], $body, $new);
check(['webhook-id' => 'x', 'webhook-timestamp' => (string)($now - 600), 'webhook-signature' => sign('x', $now - 600, $body, $new)], $body, $new, 900);
check($h, $body, 'whsec_not*base64');
check($h, $body, []);
check($h, $body, [1]);
check($h, $body, $old, -1);
ob_start();
check(['webhook-id' => 'x', 'webhook-timestamp' => (string)$now, 'webhook-signature' => 'v1,' . base64_encode(str_repeat('a', 32))], $body, $new);
$out = ob_get_clean();
echo $out;
var_dump(str_contains($out, substr($new, 6)), str_contains($out, sign('x', $now, $body, $new)));
?>
--EXPECTF--
ok
ok
too_old: webhook rejected: %s
ok
no_match: webhook rejected: %s
ok
ok
no_match: webhook rejected: %s
no_match: webhook rejected: %s
missing_header: webhook rejected: %swebhook-id%s
bad_format: webhook rejected: %s
bad_format: webhook rejected: %s
too_old: webhook rejected: %s
too_new: webhook rejected: %s
ok
bad_format: webhook rejected: %s
ValueError: local_integrationhub\mih::verify_webhook(): Argument #3 ($secrets) must contain at least one secret
TypeError: local_integrationhub\mih::verify_webhook(): Argument #3 ($secrets) must contain only strings, int given
ValueError: local_integrationhub\mih::verify_webhook(): Argument #4 ($tolerance) must be greater than or equal to 0
no_match: webhook rejected: %s
bool(false)
bool(false)
