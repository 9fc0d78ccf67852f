--TEST--
mih: credentials in a rule's headers are masked in save_rule(), rule(), rules() and task(), kept when saved back masked, and delivered in clear
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
mih::save_service(['name' => 'hook', 'base_url' => $srv->url, 'auth_type' => 'bearer',
    'auth_token' => 'svc-token-0123456789-TOKN']);
$headers = ['Authorization' => 'Bearer rule-0123456789-RULE', 'X-Api-Key' => 'key-0123456789-RKEY',
    'X-Auth-User' => 'admin-0123456789-USER', 'X-Rule' => 'login'];
$rule = mih::save_rule(['eventname' => '\core\event\user_loggedin', 'service' => 'hook', 'endpoint' => '/in',
    'headers' => $headers]);
echo 'save_rule: ', json_encode($rule['headers']), "\n";
echo 'rule: ', json_encode(mih::rule($rule['id'])['headers']), "\n";
echo 'rules: ', json_encode(mih::rules()[0]['headers']), "\n";

// saved back as read: the stored values stay
$back = mih::save_rule(mih::rule($rule['id']));
echo 'saved back: ', json_encode($back['headers']), "\n";

[$id] = mih::emit('\core\event\user_loggedin', ['username' => 'admin']);
$task = mih::task($id);
echo 'task: ', json_encode($task['headers']), "\n";
$shown = json_encode([$rule, $back, mih::rules(), $task, mih::tasks(), mih::log()]);
foreach ($headers + ['auth_token' => 'svc-token-0123456789-TOKN'] as $name => $value) {
    if ($name !== 'X-Rule' && str_contains($shown, substr($value, 0, -4))) {
        echo "LEAK: $name\n";
    }
}

mih::run_queue();
$sent = $srv->last()['headers'];
echo $sent['authorization'], ' | ', $sent['x-api-key'], ' | ', $sent['x-auth-user'], ' | ', $sent['x-rule'], "\n";

// a queued call's own header is masked in task() too
$qid = mih::send('hook')->to('/q')->header('X-Upstream-Token', 'call-0123456789-CALL')->queue();
echo 'queued call: ', json_encode(mih::task($qid)['headers']), "\n";
?>
--EXPECT--
save_rule: {"Authorization":"****RULE","X-Api-Key":"****RKEY","X-Auth-User":"****USER","X-Rule":"login"}
rule: {"Authorization":"****RULE","X-Api-Key":"****RKEY","X-Auth-User":"****USER","X-Rule":"login"}
rules: {"Authorization":"****RULE","X-Api-Key":"****RKEY","X-Auth-User":"****USER","X-Rule":"login"}
saved back: {"Authorization":"****RULE","X-Api-Key":"****RKEY","X-Auth-User":"****USER","X-Rule":"login"}
task: {"Authorization":"****RULE","X-Api-Key":"****RKEY","X-Auth-User":"****USER","X-Rule":"login"}
Bearer rule-0123456789-RULE | key-0123456789-RKEY | admin-0123456789-USER | login
queued call: {"X-Upstream-Token":"****CALL"}
