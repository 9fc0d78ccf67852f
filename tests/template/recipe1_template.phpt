--TEST--
Cookbook Recipe 1's payload template renders valid JSON where the original's str_replace produced broken or injected JSON
--EXTENSIONS--
mih
--FILE--
<?php
use local_integrationhub\mih;

$template = "{\n\"text\": \"User {{username}} just logged in from IP {{ip}}!\"\n}";
// The pure-PHP plugin's approach: str_replace per key, values inserted as they are.
function original(string $template, array $data): string
{
    foreach ($data as $k => $v) {
        $template = str_replace('{{' . $k . '}}', is_scalar($v) ? (string)$v : json_encode($v), $template);
    }
    return $template;
}
$cases = [
    'plain' => ['username' => 'ana', 'ip' => '192.0.2.10'],
    'quote in a name' => ['username' => 'O"Brien', 'ip' => '192.0.2.10'],
    'injection' => ['username' => 'x", "admin": true, "y": "', 'ip' => '192.0.2.10'],
    'backslash and newline' => ['username' => "back\\slash\nnew", 'ip' => '192.0.2.10'],
    'placeholder inside a value' => ['username' => '{{ip}}', 'ip' => '192.0.2.10'],
    'missing ip' => ['username' => 'ana'],
];
foreach ($cases as $name => $data) {
    $old = original($template, $data);
    $new = mih::render($template, $data);
    printf("%s\n  original: %s -> %s\n  mih:      %s -> %s\n", $name,
        json_decode($old) === null ? 'INVALID JSON' : json_encode(json_decode($old, true)), str_replace("\n", ' ', $old),
        json_encode(json_decode($new, true), JSON_UNESCAPED_SLASHES), str_replace("\n", ' ', $new));
}
// unquoted placeholders keep their PHP type; flat event keys as the original plugin used them
$event = ['eventname' => '\core\event\user_loggedin', 'userid' => 7, 'courseid' => 0, 'relateduserid' => null,
    'other' => ['username' => 'ana'], 'anonymous' => 0, 'timecreated' => 1795600000];
echo mih::render('{"event": "{{eventname}}", "user": {{userid}}, "course": {{courseid}}, "related": {{relateduserid}}, "other": {{other}}, "name": "{{other.username}}"}', $event), "\n";
echo mih::render('{"userid": "{{userid}}", "numeric_string": {{zip}}}', ['userid' => 7, 'zip' => '01234']), "\n";
?>
--EXPECT--
plain
  original: {"text":"User ana just logged in from IP 192.0.2.10!"} -> { "text": "User ana just logged in from IP 192.0.2.10!" }
  mih:      {"text":"User ana just logged in from IP 192.0.2.10!"} -> { "text": "User ana just logged in from IP 192.0.2.10!" }
quote in a name
  original: INVALID JSON -> { "text": "User O"Brien just logged in from IP 192.0.2.10!" }
  mih:      {"text":"User O\"Brien just logged in from IP 192.0.2.10!"} -> { "text": "User O\"Brien just logged in from IP 192.0.2.10!" }
injection
  original: {"text":"User x","admin":true,"y":" just logged in from IP 192.0.2.10!"} -> { "text": "User x", "admin": true, "y": " just logged in from IP 192.0.2.10!" }
  mih:      {"text":"User x\", \"admin\": true, \"y\": \" just logged in from IP 192.0.2.10!"} -> { "text": "User x\", \"admin\": true, \"y\": \" just logged in from IP 192.0.2.10!" }
backslash and newline
  original: INVALID JSON -> { "text": "User back\slash new just logged in from IP 192.0.2.10!" }
  mih:      {"text":"User back\\slash\nnew just logged in from IP 192.0.2.10!"} -> { "text": "User back\\slash\nnew just logged in from IP 192.0.2.10!" }
placeholder inside a value
  original: {"text":"User 192.0.2.10 just logged in from IP 192.0.2.10!"} -> { "text": "User 192.0.2.10 just logged in from IP 192.0.2.10!" }
  mih:      {"text":"User {{ip}} just logged in from IP 192.0.2.10!"} -> { "text": "User {{ip}} just logged in from IP 192.0.2.10!" }
missing ip
  original: {"text":"User ana just logged in from IP {{ip}}!"} -> { "text": "User ana just logged in from IP {{ip}}!" }
  mih:      {"text":"User ana just logged in from IP !"} -> { "text": "User ana just logged in from IP !" }
{"event": "\\core\\event\\user_loggedin", "user": 7, "course": 0, "related": null, "other": {"username":"ana"}, "name": "ana"}
{"userid": "7", "numeric_string": "01234"}
