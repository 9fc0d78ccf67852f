--TEST--
mih: save_rule() keeps a payload template's line breaks as typed: CR LF (a browser's textarea) becomes LF
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

mih::save_service(['name' => 'Slack Notifications', 'base_url' => 'https://hooks.slack.com']);
// What the textarea posts for the cookbook's template.
$typed = "{\r\n\"text\": \"User {{other.username}} just logged in from IP {{ip}}!\"\r\n}";
$rule = mih::save_rule(['eventname' => '\core\event\user_loggedin', 'service' => 'Slack Notifications',
    'endpoint' => '/services/T000/B000/XXXX', 'payload_template' => $typed]);
var_dump($rule['payload_template'] === str_replace("\r\n", "\n", $typed));
var_dump(mih::rule($rule['id'])['payload_template'] === str_replace("\r\n", "\n", $typed));
// A lone CR is not a line break a browser sends: it is kept as given.
$lone = mih::save_rule(['id' => $rule['id'], 'payload_template' => "{\"a\":\r\"{{other.username}}\"}\r\n"] + $rule);
echo json_encode($lone['payload_template']), "\n";
$out = mih::emit('\core\event\user_loggedin', ['eventname' => '\core\event\user_loggedin', 'other' => ['username' => 'ana']]);
echo json_encode(mih::task($out[0])['payload'] ?? null), "\n";
?>
--EXPECT--
bool(true)
bool(true)
"{\"a\":\r\"{{other.username}}\"}\n"
"{\"a\":\r\"ana\"}\n"
