--TEST--
Signed webhooks end to end: every queued delivery (retries and replays included) and every synchronous call carries Standard Webhooks headers the receiver verifies
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
$old = 'whsec_' . base64_encode(random_bytes(24));
$new = 'whsec_' . base64_encode(random_bytes(32));
$svc = mih::save_service(['name' => 'hooks', 'base_url' => $srv->url, 'signing_secrets' => [$new, $old],
    'queue_backoff' => 0.01, 'queue_backoff_cap' => 0.01, 'max_retries' => 1, 'retry_backoff' => 0.01]);
// secrets are never shown back in full
echo json_encode($svc['signing_secrets']), "\n";
var_dump(str_contains(json_encode(mih::services()), substr($new, 10, 20)));

$verify = function (array $r, $secrets) {
    try {
        mih::verify_webhook($r['headers'], $r['body'], $secrets);
        return 'verified';
    } catch (local_integrationhub\signature_exception $e) {
        return $e->reason;
    }
};
// queued: fails twice, then delivered; then replayed from the DLQ
$srv->respond('/hook', [['status' => 500], ['status' => 500], ['status' => 200]]);
$id = mih::enqueue('hooks', '/hook', ['event' => 'x']);
$key = mih::task($id)['idempotency_key'];
for ($i = 0; $i < 3; $i++) {
    mih::run_queue();
    sleep(1);
}
foreach ($srv->requests() as $r) {
    printf("%s %s id-is-key=%s sigs=%d new=%s old=%s\n", $r['method'], $r['path'],
        var_export($r['headers']['webhook-id'] === $key, true), count(explode(' ', $r['headers']['webhook-signature'])),
        $verify($r, [$new]), $verify($r, $old));
}
$ts = array_map(fn($r) => (int)$r['headers']['webhook-timestamp'], $srv->requests());
var_dump($ts[2] > $ts[0], abs(time() - end($ts)) < 5);

// synchronous: a fresh id shared by the call's retries
$srv->reset();
$srv->respond('/sync', [['status' => 503], ['status' => 200]]);
mih::request('hooks', '/sync', ['a' => 1]);
[$a, $b] = $srv->requests();
var_dump($a['headers']['webhook-id'] === $b['headers']['webhook-id'], str_starts_with($a['headers']['webhook-id'], 'msg_'),
    $a['headers']['webhook-id'] !== $key, $verify($a, $new), $verify($b, [$old]));
// a tampered body is rejected
$b['body'] .= ' ';
echo $verify($b, [$new, $old]), "\n";
// no secret, no signature headers
mih::save_service(['name' => 'plain', 'base_url' => $srv->url]);
mih::request('plain', '/');
var_dump(isset($srv->last()['headers']['webhook-signature']));
?>
--EXPECTF--
["****%s","****%s"]
bool(false)
POST /hook id-is-key=true sigs=2 new=verified old=verified
POST /hook id-is-key=true sigs=2 new=verified old=verified
POST /hook id-is-key=true sigs=2 new=verified old=verified
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
string(8) "verified"
string(8) "verified"
no_match
bool(false)
