--TEST--
mih: save_rule / rule / rules / delete_rule, validation with positions, and emit options
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

function attempt(callable $fn): void
{
    try {
        $r = $fn();
        echo is_array($r) ? json_encode($r, JSON_UNESCAPED_SLASHES) : var_export($r, true), "\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
$srv = new mih_test_server();
mih::save_service(['name' => 'crm', 'base_url' => $srv->url, 'method' => 'PUT']);
mih::save_service(['name' => 'slack', 'base_url' => $srv->url]);
$a = mih::save_rule(['eventname' => 'core\event\user_created', 'service' => 'crm', 'endpoint' => '/u/{{objectid}}']);
echo "{$a['eventname']} {$a['method']} payload_template='{$a['payload_template']}' enabled=", var_export($a['enabled'], true), "\n";
$b = mih::save_rule(['eventname' => '\core\event\user_loggedin', 'service' => 'slack', 'method' => 'post',
    'payload_template' => '{"u": "{{username}}"}', 'headers' => ['X-Rule' => 'login'], 'enabled' => false]);
echo "{$b['method']} ", json_encode($b['headers']), "\n";
// update keeps what is not given
$b2 = mih::save_rule(['id' => $b['id'], 'enabled' => true]);
var_dump($b2['enabled'], $b2['payload_template'] === $b['payload_template'], $b2['timecreated'] === $b['timecreated']);
echo implode(',', array_column(mih::rules(), 'id')), ' | ', implode(',', array_column(mih::rules(['service' => 'crm']), 'id')),
    ' | ', implode(',', array_column(mih::rules(['eventname' => 'core\event\user_loggedin', 'enabled' => true]), 'id')),
    ' | ', count(mih::rules(['service' => 'nope'])), "\n";
var_dump(mih::rule(999));

attempt(fn() => mih::save_rule(['eventname' => 'user_created', 'service' => 'crm']));
attempt(fn() => mih::save_rule(['eventname' => '\core\event\x', 'service' => 'nope']));
attempt(fn() => mih::save_rule(['eventname' => '\core\event\x']));
attempt(fn() => mih::save_rule(['service' => 'crm']));
attempt(fn() => mih::save_rule(['eventname' => '\core\event\x', 'service' => 'crm', 'method' => 'FETCH']));
attempt(fn() => mih::save_rule(['eventname' => '\core\event\x', 'service' => 'crm', 'payload_template' => "{\n  \"a\": {{#open}}\n}"]));
attempt(fn() => mih::save_rule(['eventname' => '\core\event\x', 'service' => 'crm', 'endpoint' => '/x/{{id']));
attempt(fn() => mih::save_rule(['eventname' => '\core\event\x', 'service' => 'crm', 'headers' => ['X-A' => "1\n2"]]));
attempt(fn() => mih::save_rule(['eventname' => '\core\event\x', 'service' => 'crm', 'headers' => ['Bad Name' => '1']]));
attempt(fn() => mih::save_rule(['eventname' => '\core\event\x', 'service' => 'crm', 'colour' => 'red']));
attempt(fn() => mih::save_rule(['id' => 12345, 'enabled' => true]));
attempt(fn() => mih::rules(['colour' => 'red']));
attempt(fn() => mih::emit('\core\event\user_created', [], ['dedupe' => 'x']));
attempt(fn() => mih::emit('not an event', []));
attempt(fn() => mih::emit('\core\event\user_created', 'string'));

// the empty payload template sends the whole event data; the endpoint renders url-encoded
$ids = mih::emit('\core\event\user_created', ['objectid' => 'a b/c', 'other' => null]);
$t = mih::task($ids[0]);
echo "{$t['method']} {$t['endpoint']} {$t['payload']}\n";
// a disabled rule does not fire; deleting works once
echo count(mih::emit('\core\event\user_loggedin', ['username' => 'x'])), "\n";
mih::save_rule(['id' => $b['id'], 'enabled' => false]);
echo count(mih::emit('\core\event\user_loggedin', ['username' => 'x'])), "\n";
var_dump(mih::delete_rule($a['id']), mih::delete_rule($a['id']));
echo count(mih::emit('\core\event\user_created', ['objectid' => 1])), "\n";
// a service that rules or tasks use cannot be deleted
attempt(fn() => mih::delete_service('crm'));

// dedupe: the same key queues nothing the second time
mih::save_rule(['eventname' => '\mod_forum\event\post_created', 'service' => 'slack']);
echo count(mih::emit('\mod_forum\event\post_created', ['objectid' => 5], ['dedupe_key' => 'post-5'])), ' ',
    count(mih::emit('\mod_forum\event\post_created', ['objectid' => 5], ['dedupe_key' => 'post-5'])), ' ',
    count(mih::emit('\mod_forum\event\post_created', ['objectid' => 6], ['dedupe_key' => 'post-6'])), "\n";
?>
--EXPECTF--
\core\event\user_created PUT payload_template='' enabled=true
POST {"X-Rule":"login"}
bool(true)
bool(true)
bool(true)
1,2 | 1 | 2 | 0
NULL
local_integrationhub\invalid_definition_exception: invalid rule: field "eventname" "user_created" is not a Moodle event class name such as \core\event\user_loggedin
local_integrationhub\invalid_definition_exception: invalid rule: field "service": service "nope" is not defined
local_integrationhub\invalid_definition_exception: invalid rule: field "service" is required
local_integrationhub\invalid_definition_exception: invalid rule: field "eventname" is required
local_integrationhub\invalid_definition_exception: invalid rule: field "method" must be one of GET, POST, PUT, PATCH, DELETE, HEAD
local_integrationhub\invalid_definition_exception: invalid rule: field "payload_template": %s at line 2, column %d
local_integrationhub\invalid_definition_exception: invalid rule: field "endpoint": %s at line 1, column 4
ValueError: local_integrationhub\mih::save_rule(): Argument #1 ($rule) field "headers" must not contain CR or LF in the value of header "X-A"
local_integrationhub\invalid_definition_exception: invalid rule: field "headers" has an invalid header "Bad Name" (a token name and a string value without CR or LF)
local_integrationhub\invalid_definition_exception: invalid rule: unknown field "colour"
local_integrationhub\invalid_definition_exception: invalid rule: there is no rule with id 12345
ValueError: local_integrationhub\mih::rules(): Argument #1 ($filter) contains unknown filter "colour" (known: eventname, service, enabled)
ValueError: local_integrationhub\mih::emit(): Argument #3 ($options) contains unknown option "dedupe" (known: dedupe_key)
ValueError: local_integrationhub\mih::emit(): Argument #1 ($eventname) "not an event" is not a Moodle event class name such as \core\event\user_loggedin
TypeError: local_integrationhub\mih::emit(): Argument #2 ($eventdata) must be of type array|object, string given
PUT /u/a%20b%2Fc {"objectid":"a b/c","other":null}
1
0
bool(true)
bool(false)
0
local_integrationhub\store_exception: could not delete service "crm": %s
1 0 1
