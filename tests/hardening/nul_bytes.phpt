--TEST--
mih: every string that reaches C is refused at the call when it holds NUL (and CR/LF for paths and headers); payloads and data stay binary
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

function attempt(callable $fn): void
{
    try {
        $fn();
        echo "accepted\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', str_replace(['local_integrationhub\\', "\0", "\r", "\n"], ['', '<NUL>', '<CR>', '<LF>'],
            $e->getMessage()), "\n";
    }
}
$srv = new mih_test_server();
mih_test_service($srv);
$secret = 'whsec_' . base64_encode(str_repeat('k', 24));

echo "-- calls\n";
attempt(fn() => mih::request("test\0x"));
attempt(fn() => mih::request('test', "/a\0/../../admin"));
attempt(fn() => mih::request('test', "/a\r\nX-Injected: 1"));
attempt(fn() => mih::request('test', "/a\n"));
attempt(fn() => mih::request('test', '/', [], "GET\0"));
attempt(fn() => mih::request('test', '/', [], null, ['headers' => ['X-A' => "v\0w"]]));
attempt(fn() => mih::request('test', '/', [], null, ['headers' => ["X\0A" => 'v']]));
attempt(fn() => mih::request('test', '/', "a=1\0&b=2", 'GET'));
attempt(fn() => mih::request('test', '/', "a=1\r\n", 'HEAD'));
attempt(fn() => mih::send("test\0x"));
attempt(fn() => mih::send('test')->to("/a\0b"));
attempt(fn() => mih::send('test')->to("/a\rb"));
attempt(fn() => mih::send('test')->method("POST\0"));
attempt(fn() => mih::send('test')->header("X\0A", 'v'));
attempt(fn() => mih::send('test')->header("X\nA", 'v'));
attempt(fn() => mih::send('test')->header('X-A', "v\0w"));
attempt(fn() => mih::send('test')->with("q\0")->method('GET')->dispatch());
attempt(fn() => mih::send('test')->with("q\0")->method('GET')->queue());
attempt(fn() => mih::enqueue("test\0x"));
attempt(fn() => mih::enqueue('test', "/a\0b"));
attempt(fn() => mih::enqueue('test', "/a\r\nX-Injected: 1"));
attempt(fn() => mih::enqueue('test', '/', [], "PUT\0"));
attempt(fn() => mih::enqueue('test', '/', "a\0b", 'GET'));
attempt(fn() => mih::service("test\0x"));
attempt(fn() => mih::delete_service("test\0x"));
attempt(fn() => mih::circuit("test\0x"));
attempt(fn() => mih::reset_circuit("test\0x"));
attempt(fn() => mih::use_sqlite("/tmp/a\0b"));
attempt(fn() => mih::emit("\\core\\event\\user_created\0x", []));
attempt(fn() => mih::emit('\core\event\user_created', [], ['dedupe_key' => "k\0"]));
attempt(fn() => mih::configure(['blocked_hosts' => ["10.0.0.1\0junk"]]));
attempt(fn() => mih::configure(['allowed_ports' => ["80\0"]]));
attempt(fn() => mih::verify_webhook(['webhook-id' => "msg\0x", 'webhook-timestamp' => '1', 'webhook-signature' => 'v1,x'], '', $secret));
attempt(fn() => mih::verify_webhook(['webhook-id' => 'msg', 'webhook-timestamp' => "1\0", 'webhook-signature' => 'v1,x'], '', $secret));
attempt(fn() => mih::verify_webhook(['webhook-id' => 'msg', 'webhook-timestamp' => '1', 'webhook-signature' => ["v1,x\0"]], '', $secret));
attempt(fn() => mih::verify_webhook(['webhook-id' => 'msg', 'webhook-timestamp' => '1', 'webhook-signature' => 'v1,x'], '', "$secret\0x"));
attempt(fn() => mih::verify_webhook(['webhook-id' => 'msg', 'webhook-timestamp' => '1', 'webhook-signature' => 'v1,x'], '', [$secret, "x\0"]));

echo "-- filters\n";
attempt(fn() => mih::rules(['eventname' => "\\core\\event\\x\0"]));
attempt(fn() => mih::rules(['service' => "test\0x"]));
attempt(fn() => mih::tasks(['status' => "pending\0x"]));
attempt(fn() => mih::tasks(['service' => "test\0x"]));
attempt(fn() => mih::dead_letters(['service' => "test\0x"]));
attempt(fn() => mih::replay_all(['eventname' => "\\core\\event\\x\0"]));
attempt(fn() => mih::purge_dead_letters(['service' => "test\0x"]));
attempt(fn() => mih::log(['service' => "test\0x"]));

echo "-- templates\n";
attempt(fn() => mih::render("{\"a\": 1}\0", []));
attempt(fn() => mih::render('x', [], "text\0"));
attempt(fn() => mih::render('{{> p}}', [], 'text', ['p' => "x\0"]));
attempt(fn() => mih::render('{{> p}}', [], 'text', ["p\0q" => 'x']));
attempt(fn() => mih::render_each(['a' => 'x', 'b' => "y\0"], [], 'text'));
attempt(fn() => mih::render_each(['x'], [], "text\0"));
attempt(fn() => mih::check_template("x\0"));
attempt(fn() => mih::check_template('x', "url\0"));

echo "-- service definitions\n";
$base = ['name' => 'svc2', 'base_url' => $srv->url];
foreach ([
    ['name' => "svc2\0x"],
    ['base_url' => "{$srv->url}\0.evil.example"],
    ['base_url' => "{$srv->url}/\r\nX: 1"],
    ['method' => "GET\0"],
    ['auth_type' => "bearer\0", 'auth_token' => 'tok'],
    ['auth_token' => "tok\0en"],
    ['auth_token' => "tok\r\nen"],
    ['apikey_header' => "X-Key\0"],
    ['apikey_header' => "X-Key\n"],
    ['headers' => ['X-A' => "1\0"]],
    ['headers' => ["X-A\0B" => '1']],
    ['headers' => ['X-A' => "1\r\n2"]],
    ['headers' => ["X-A\r\nB" => '1']],
    ['timeout' => "5\0junk"],
    ['enabled' => "1\0"],
    ['cb_mode' => "rate\0"],
    ['retry_statuses' => ["5xx\0"]],
    ['signing_secrets' => ["$secret\0"]],
    ["name\0x" => 'other'],
] as $fields) {
    attempt(fn() => mih::save_service($fields + $base));
}

echo "-- rules\n";
$rule = ['eventname' => '\core\event\user_created', 'service' => 'test'];
foreach ([
    ['eventname' => "\\core\\event\\user_created\0x"],
    ['service' => "test\0x"],
    ['endpoint' => "/a\0/../../admin"],
    ['endpoint' => "/a\r\nX-Injected: 1"],
    ['endpoint' => "/a\n"],
    ['method' => "PUT\0"],
    ['payload_template' => "{\"a\": 1}\0"],
    ['headers' => ['X-A' => "1\0"]],
    ['headers' => ['X-A' => "1\r\n2"]],
    ['headers' => ["X-A\nB" => '1']],
    ['enabled' => "1\0"],
    ["service\0x" => 'other'],
] as $fields) {
    attempt(fn() => mih::save_rule($fields + $rule));
}
echo count(mih::rules()), " rules, ", count(mih::tasks()), " tasks, ", count(mih::services()), " service, ",
    count($srv->requests()), " requests reached the server\n";

echo "-- binary data stays whole\n";
$r = mih::request('test', '/bin', "a\0b\r\nc", 'POST');
var_dump($r->httpstatus, $srv->last()['body'] === "a\0b\r\nc");
$id = mih::enqueue('test', '/bin', "x\0y", 'POST');
var_dump(mih::task($id)['payload'] === "x\0y");
mih::run_queue();
var_dump($srv->last()['body'] === "x\0y");
var_dump(mih::render('{"v": "{{v}}", "w": {{v}}}', ['v' => "a\0b"]), mih::render('/u/{{v}}', ['v' => "a\0\r\n"], 'url'));
var_dump(mih::render("{{v}}", ["v" => "a\0b"], 'text') === "a\0b");
mih::save_rule(['eventname' => '\core\event\user_updated', 'service' => 'test', 'endpoint' => '/e/{{v}}']);
$ids = mih::emit('\core\event\user_updated', ['v' => "a\0b"]);
$t = mih::task($ids[0]);
echo $t['endpoint'], ' ', $t['payload'], "\n";
$body = "b\0dy";
$ts = (string)time();
$sig = 'v1,' . base64_encode(hash_hmac('sha256', "msg_1.$ts.$body", str_repeat('k', 24), true));
mih::verify_webhook(['webhook-id' => 'msg_1', 'webhook-timestamp' => $ts, 'webhook-signature' => $sig], $body, $secret);
echo "a webhook body with NUL verifies\n";
var_dump($r->header("content-type\0x"));
?>
--EXPECT--
-- calls
ValueError: mih::request(): Argument #1 ($service) must not contain any null bytes
ValueError: mih::request(): Argument #2 ($path) must not contain any null bytes
ValueError: mih::request(): Argument #2 ($path) must not contain CR or LF
ValueError: mih::request(): Argument #2 ($path) must not contain CR or LF
ValueError: mih::request(): Argument #4 ($method) must not contain any null bytes
ValueError: mih::request(): Argument #5 ($options) must not contain CR, LF or NUL in the value of header "X-A"
ValueError: mih::request(): Argument #5 ($options) must not contain CR, LF or NUL in header name "X"
ValueError: mih::request(): Argument #3 ($payload) must not contain CR, LF or NUL when a GET request sends it in the query string
ValueError: mih::request(): Argument #3 ($payload) must not contain CR, LF or NUL when a HEAD request sends it in the query string
ValueError: mih::send(): Argument #1 ($service) must not contain any null bytes
ValueError: mih_request::to(): Argument #1 ($path) must not contain any null bytes
ValueError: mih_request::to(): Argument #1 ($path) must not contain CR or LF
ValueError: mih_request::method(): Argument #1 ($method) must not contain any null bytes
ValueError: mih_request::header(): Argument #1 ($name) must not contain CR, LF or NUL in header name "X"
ValueError: mih_request::header(): Argument #1 ($name) must not contain CR, LF or NUL in header name "X"
ValueError: mih_request::header(): Argument #2 ($value) must not contain CR, LF or NUL in the value of header "X-A"
ValueError: mih_request::dispatch(): the payload given to with() must not contain CR, LF or NUL when a GET request sends it in the query string
ValueError: mih_request::queue(): the payload given to with() must not contain CR, LF or NUL when a GET request sends it in the query string
ValueError: mih::enqueue(): Argument #1 ($service) must not contain any null bytes
ValueError: mih::enqueue(): Argument #2 ($path) must not contain any null bytes
ValueError: mih::enqueue(): Argument #2 ($path) must not contain CR or LF
ValueError: mih::enqueue(): Argument #4 ($method) must not contain any null bytes
ValueError: mih::enqueue(): Argument #3 ($payload) must not contain CR, LF or NUL when a GET request sends it in the query string
ValueError: mih::service(): Argument #1 ($name) must not contain any null bytes
ValueError: mih::delete_service(): Argument #1 ($name) must not contain any null bytes
ValueError: mih::circuit(): Argument #1 ($service) must not contain any null bytes
ValueError: mih::reset_circuit(): Argument #1 ($service) must not contain any null bytes
ValueError: mih::use_sqlite(): Argument #1 ($path) must not contain any null bytes
ValueError: mih::emit(): Argument #1 ($eventname) must not contain any null bytes
ValueError: mih::emit(): Argument #3 ($options) option "dedupe_key" must not contain any null bytes
ValueError: mih::configure(): Argument #1 ($settings) setting "blocked_hosts" entries must not contain any null bytes
ValueError: mih::configure(): Argument #1 ($settings) setting "allowed_ports" entries must not contain any null bytes
ValueError: mih::verify_webhook(): Argument #1 ($headers) header "webhook-id" must not contain any null bytes
ValueError: mih::verify_webhook(): Argument #1 ($headers) header "webhook-timestamp" must not contain any null bytes
ValueError: mih::verify_webhook(): Argument #1 ($headers) header "webhook-signature" must not contain any null bytes
ValueError: mih::verify_webhook(): Argument #3 ($secrets) must not contain any null bytes
ValueError: mih::verify_webhook(): Argument #3 ($secrets) must not contain any null bytes
-- filters
ValueError: mih::rules(): Argument #1 ($filter) filter "eventname" must not contain any null bytes
ValueError: mih::rules(): Argument #1 ($filter) filter "service" must not contain any null bytes
ValueError: mih::tasks(): Argument #1 ($filter) filter "status" must not contain any null bytes
ValueError: mih::tasks(): Argument #1 ($filter) filter "service" must not contain any null bytes
ValueError: mih::dead_letters(): Argument #1 ($filter) filter "service" must not contain any null bytes
ValueError: mih::replay_all(): Argument #1 ($filter) filter "eventname" must not contain any null bytes
ValueError: mih::purge_dead_letters(): Argument #1 ($filter) filter "service" must not contain any null bytes
ValueError: mih::log(): Argument #1 ($filter) filter "service" must not contain any null bytes
-- templates
ValueError: mih::render(): Argument #1 ($template) must not contain any null bytes
ValueError: mih::render(): Argument #3 ($mode) must not contain any null bytes
ValueError: mih::render(): Argument #4 ($partials) partial "p" must not contain any null bytes
ValueError: mih::render(): Argument #4 ($partials) must not contain any null bytes in a partial name
ValueError: mih::render_each(): Argument #1 ($templates) template "b" must not contain any null bytes
ValueError: mih::render_each(): Argument #3 ($mode) must not contain any null bytes
ValueError: mih::check_template(): Argument #1 ($template) must not contain any null bytes
ValueError: mih::check_template(): Argument #2 ($mode) must not contain any null bytes
-- service definitions
ValueError: mih::save_service(): Argument #1 ($definition) field "name" must not contain any null bytes
ValueError: mih::save_service(): Argument #1 ($definition) field "base_url" must not contain any null bytes
ValueError: mih::save_service(): Argument #1 ($definition) field "base_url" must not contain CR or LF
ValueError: mih::save_service(): Argument #1 ($definition) field "method" must not contain any null bytes
ValueError: mih::save_service(): Argument #1 ($definition) field "auth_type" must not contain any null bytes
ValueError: mih::save_service(): Argument #1 ($definition) field "auth_token" must not contain any null bytes
ValueError: mih::save_service(): Argument #1 ($definition) field "auth_token" must not contain CR or LF
ValueError: mih::save_service(): Argument #1 ($definition) field "apikey_header" must not contain any null bytes
ValueError: mih::save_service(): Argument #1 ($definition) field "apikey_header" must not contain CR or LF
ValueError: mih::save_service(): Argument #1 ($definition) field "headers" must not contain any null bytes
ValueError: mih::save_service(): Argument #1 ($definition) field "headers" must not contain any null bytes
ValueError: mih::save_service(): Argument #1 ($definition) field "headers" must not contain CR or LF in the value of header "X-A"
ValueError: mih::save_service(): Argument #1 ($definition) field "headers" must not contain CR or LF in header name "X-A"
ValueError: mih::save_service(): Argument #1 ($definition) field "timeout" must not contain any null bytes
ValueError: mih::save_service(): Argument #1 ($definition) field "enabled" must not contain any null bytes
ValueError: mih::save_service(): Argument #1 ($definition) field "cb_mode" must not contain any null bytes
ValueError: mih::save_service(): Argument #1 ($definition) field "retry_statuses" must not contain any null bytes
ValueError: mih::save_service(): Argument #1 ($definition) field "signing_secrets" must not contain any null bytes
ValueError: mih::save_service(): Argument #1 ($definition) must not contain any null bytes in a field name
-- rules
ValueError: mih::save_rule(): Argument #1 ($rule) field "eventname" must not contain any null bytes
ValueError: mih::save_rule(): Argument #1 ($rule) field "service" must not contain any null bytes
ValueError: mih::save_rule(): Argument #1 ($rule) field "endpoint" must not contain any null bytes
ValueError: mih::save_rule(): Argument #1 ($rule) field "endpoint" must not contain CR or LF
ValueError: mih::save_rule(): Argument #1 ($rule) field "endpoint" must not contain CR or LF
ValueError: mih::save_rule(): Argument #1 ($rule) field "method" must not contain any null bytes
ValueError: mih::save_rule(): Argument #1 ($rule) field "payload_template" must not contain any null bytes
ValueError: mih::save_rule(): Argument #1 ($rule) field "headers" must not contain any null bytes
ValueError: mih::save_rule(): Argument #1 ($rule) field "headers" must not contain CR or LF in the value of header "X-A"
ValueError: mih::save_rule(): Argument #1 ($rule) field "headers" must not contain CR or LF in header name "X-A"
ValueError: mih::save_rule(): Argument #1 ($rule) field "enabled" must not contain any null bytes
ValueError: mih::save_rule(): Argument #1 ($rule) must not contain any null bytes in a field name
0 rules, 0 tasks, 1 service, 0 requests reached the server
-- binary data stays whole
int(200)
bool(true)
bool(true)
bool(true)
string(34) "{"v": "a\u0000b", "w": "a\u0000b"}"
string(13) "/u/a%00%0D%0A"
bool(true)
/e/a%00b {"v":"a\u0000b"}
a webhook body with NUL verifies
NULL
