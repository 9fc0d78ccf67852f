--TEST--
mih: stats() counts a service's calls by its id: a service deleted and created again under the same name starts from no calls, a deleted one is left out
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

function calls(string $name): string
{
    $s = mih::stats()[$name] ?? null;
    return $s === null ? "$name: none" : sprintf('%s: calls=%d ok=%d failed=%d p50=%s', $name, $s['calls_24h'], $s['success_24h'],
        $s['failure_24h'], var_export($s['p50_ms'], true));
}
$srv = new mih_test_server();
$srv->respond('/fail', [['status' => 500], ['status' => 500]]);
mih::save_service(['name' => 'erp', 'base_url' => $srv->url, 'max_retries' => 0]);
mih::save_service(['name' => 'other', 'base_url' => $srv->url, 'max_retries' => 0]);
mih::request('erp', '/fail', ['a' => 1]);
mih::request('erp', '/fail', ['a' => 1]);
mih::request('other', '/ok', ['a' => 1]);
echo calls('erp'), "\n", calls('other'), "\n";

// deleted, then created again under the same name: a new service, no calls yet
mih::delete_service('erp');
echo calls('erp'), "\n";
mih::save_service(['name' => 'erp', 'base_url' => $srv->url, 'max_retries' => 0]);
echo calls('erp'), "\n";
mih::request('erp', '/ok', ['a' => 1]);
echo calls('erp'), "\n";
// the old service's rows are still in the log, under its name
$old = array_filter(mih::log(['service' => 'erp']), fn($r) => !$r['success']);
echo count($old), " failed calls of the deleted erp in the log\n";
echo calls('other'), "\n";
?>
--EXPECTF--
erp: calls=2 ok=0 failed=2 p50=%s
other: calls=1 ok=1 failed=0 p50=%s
erp: none
erp: calls=0 ok=0 failed=0 p50=NULL
erp: calls=1 ok=1 failed=0 p50=%s
2 failed calls of the deleted erp in the log
other: calls=1 ok=1 failed=0 p50=%s
