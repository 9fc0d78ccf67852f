--TEST--
store: a SQLite file of schema 4 (the queue with claim_token, userid, relateduserid and contextid indexes) opened by this version keeps its tasks; the four indexes are dropped, and the privacy API and the worker still find every task
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
use local_integrationhub\mih;

$dir = sys_get_temp_dir() . '/mih-queuev4-' . getmypid() . '-' . bin2hex(random_bytes(4));
mkdir($dir, 0700);
register_shutdown_function(static function () use ($dir): void {
    foreach (glob("$dir/*") as $f) {
        unlink($f);
    }
    rmdir($dir);
});
$path = "$dir/store.sqlite";
$indexes = fn(PDO $pdo) => implode(', ', $pdo->query("SELECT name FROM sqlite_master WHERE type = 'index'"
    . " AND tbl_name = 'local_integrationhub_queue' AND name NOT LIKE 'sqlite_%' ORDER BY name")->fetchAll(PDO::FETCH_COLUMN));

mih::use_sqlite($path);
mih::save_service(['name' => 'crm', 'base_url' => 'http://127.0.0.1:1/', 'max_retries' => 0]);
mih::save_rule(['eventname' => '\core\event\user_updated', 'service' => 'crm', 'endpoint' => '/users/{{relateduserid}}',
    'payload_template' => '{"by": {{userid}}, "user": {{relateduserid}}}']);
mih::emit('\core\event\user_updated', ['userid' => 2, 'relateduserid' => 5, 'contextid' => 30]);
mih::emit('\core\event\user_updated', ['userid' => 8, 'relateduserid' => 8, 'contextid' => 40]);
mih::use_sqlite("$dir/other.sqlite");      /* $path is closed */

/* What schema 4 had on the queue. */
$pdo = new PDO("sqlite:$path");
$pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
echo "new file: ", $indexes($pdo), "\n";
foreach (['claim_token', 'userid', 'relateduserid', 'contextid'] as $col) {
    $pdo->exec("CREATE INDEX local_integrationhub_queue_{$col}_ix ON local_integrationhub_queue ($col)");
}
$pdo->exec('PRAGMA user_version = 4');
echo "schema 4: ", $indexes($pdo), "\n";
$pdo = null;

mih::use_sqlite($path);                    /* migrated here */
echo count(mih::tasks()), " tasks\n";
echo "contexts of user 5: ", implode(',', mih::privacy_contexts(5)), "\n";
echo "users in context 40: ", implode(',', mih::privacy_users(40)), "\n";
$r = mih::run_queue();
echo "run: retried={$r['retried']} delivered={$r['delivered']}\n";
mih::privacy_delete(['userid' => 8]);
echo count(mih::tasks()), " task after deleting user 8's\n";

$pdo = new PDO("sqlite:$path");
echo "version ", $pdo->query('PRAGMA user_version')->fetchColumn(), ": ", $indexes($pdo), "\n";
?>
--EXPECT--
new file: local_integrationhub_queue_idempotency_key_uix, local_integrationhub_queue_next_run_ix, local_integrationhub_queue_serviceid_ix
schema 4: local_integrationhub_queue_claim_token_ix, local_integrationhub_queue_contextid_ix, local_integrationhub_queue_idempotency_key_uix, local_integrationhub_queue_next_run_ix, local_integrationhub_queue_relateduserid_ix, local_integrationhub_queue_serviceid_ix, local_integrationhub_queue_userid_ix
2 tasks
contexts of user 5: 30
users in context 40: 8
run: retried=2 delivered=0
1 task after deleting user 8's
version 5: local_integrationhub_queue_idempotency_key_uix, local_integrationhub_queue_next_run_ix, local_integrationhub_queue_serviceid_ix
