--TEST--
mih: every bad input gets its exact error (ValueError/TypeError for argument mistakes, the hub's exceptions for refusals)
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
        echo "no exception\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
$srv = new mih_test_server();
mih_test_service($srv);
mih::save_service(['name' => 'off', 'base_url' => $srv->url, 'enabled' => false]);

attempt(fn() => mih::request('nope'));
attempt(fn() => mih::send('nope')->dispatch());
attempt(fn() => mih::request('off'));
attempt(fn() => mih::request('test', '/', [], 'TRACE'));
attempt(fn() => mih::send('test')->method('CONNECT'));
attempt(fn() => mih::request('test', '/', [], null, ['retries' => 1]));
attempt(fn() => mih::request('test', '/', [], null, ['timeout' => 0]));
attempt(fn() => mih::request('test', '/', [], null, ['timeout' => 'soon']));
attempt(fn() => mih::request('test', '/', [], null, ['max_retries' => 99]));
attempt(fn() => mih::request('test', '/', [], null, ['headers' => ["X-Evil" => "a\r\nInjected: 1"]]));
attempt(fn() => mih::request('test', '/', [], null, ['headers' => ["X-Evil\n" => "a"]]));
attempt(fn() => mih::request('test', '/', [], null, ['headers' => ["X-N" => 5]]));
attempt(fn() => mih::send('test')->header("Authorization", "Bearer secret-value\r\nX: y"));
attempt(fn() => mih::send('test')->header("Bad Name", "v"));
attempt(fn() => mih::send('test')->timeout(-1));
attempt(fn() => mih::request('test', '/', ['name' => "bad \xC3\x28 utf8"]));
attempt(fn() => mih::send('test')->with(['x' => NAN])->dispatch());
attempt(fn() => mih::request('test', '/', 42));
attempt(fn() => mih::send('test')->with(new stdClass));
echo count($srv->requests()), " requests reached the server\n";

// service definitions: the message names the field
foreach ([
    ['base_url' => 'http://x'],
    ['name' => '', 'base_url' => 'http://x'],
    ['name' => str_repeat('n', 256), 'base_url' => 'http://x'],
    ['name' => 'x'],
    ['name' => 'x', 'base_url' => 'ftp://files.example.org'],
    ['name' => 'x', 'base_url' => 'https://'],
    ['name' => 'x', 'base_url' => 'http://a b'],
    ['name' => 'x', 'base_url' => 'http://x', 'method' => 'FETCH'],
    ['name' => 'x', 'base_url' => 'http://x', 'auth_type' => 'oauth'],
    ['name' => 'x', 'base_url' => 'http://x', 'auth_type' => 'bearer'],
    ['name' => 'x', 'base_url' => 'http://x', 'auth_type' => 'basic', 'auth_token' => 'no-colon-secret'],
    ['name' => 'x', 'base_url' => 'http://x', 'auth_token' => "tok\nen"],
    ['name' => 'x', 'base_url' => 'http://x', 'timeout' => 0],
    ['name' => 'x', 'base_url' => 'http://x', 'timeout' => 'fast'],
    ['name' => 'x', 'base_url' => 'http://x', 'max_retries' => 1.5],
    ['name' => 'x', 'base_url' => 'http://x', 'max_retries' => 11],
    ['name' => 'x', 'base_url' => 'http://x', 'retry_statuses' => [200, 99]],
    ['name' => 'x', 'base_url' => 'http://x', 'headers' => ['X-A' => "1\r\n2"]],
    ['name' => 'x', 'base_url' => 'http://x', 'headers' => ['Bad Name' => 'v']],
    ['name' => 'x', 'base_url' => 'http://x', 'enabled' => 'yes'],
    ['name' => 'x', 'base_url' => 'http://x', 'cb_mode' => 'sometimes'],
    ['name' => 'x', 'base_url' => 'http://x', 'connect_timeout' => 9, 'timeout' => 2],
    ['name' => 'x', 'base_url' => 'http://x', 'colour' => 'blue'],
    ['name' => 'x', 'base_url' => 'http://x', 'signing_secrets' => ['not base64!']],
] as $def) {
    attempt(fn() => mih::save_service($def));
}
attempt(fn() => mih::configure(['blocked' => []]));
attempt(fn() => mih::configure(['blocked_hosts' => ['10.0.0.0/33']]));
attempt(fn() => mih::configure(['allowed_ports' => [70000]]));
attempt(fn() => mih::configure(['allowed_ports' => ['http']]));
?>
--EXPECT--
local_integrationhub\service_not_found_exception: service "nope" is not defined
local_integrationhub\service_not_found_exception: service "nope" is not defined
local_integrationhub\service_disabled_exception: service "off" is disabled
ValueError: local_integrationhub\mih::request(): Argument #4 ($method) must be one of GET, POST, PUT, PATCH, DELETE, HEAD, "TRACE" given
ValueError: local_integrationhub\mih_request::method(): Argument #1 ($method) must be one of GET, POST, PUT, PATCH, DELETE, HEAD, "CONNECT" given
ValueError: local_integrationhub\mih::request(): Argument #5 ($options) contains unknown option "retries" (known: headers, timeout, connect_timeout, deadline, max_retries)
ValueError: local_integrationhub\mih::request(): Argument #5 ($options) option "timeout" must be greater than 0 and at most 3600 seconds
TypeError: local_integrationhub\mih::request(): Argument #5 ($options) option "timeout" must be of type int|float, string given
ValueError: local_integrationhub\mih::request(): Argument #5 ($options) option "max_retries" must be between 0 and 10
ValueError: local_integrationhub\mih::request(): Argument #5 ($options) must not contain CR, LF or NUL in the value of header "X-Evil"
ValueError: local_integrationhub\mih::request(): Argument #5 ($options) must not contain CR, LF or NUL in header name "X-Evil"
TypeError: local_integrationhub\mih::request(): Argument #5 ($options) option "headers" value of "X-N" must be of type string, int given
ValueError: local_integrationhub\mih_request::header(): Argument #2 ($value) must not contain CR, LF or NUL in the value of header "Authorization"
ValueError: local_integrationhub\mih_request::header(): Argument #1 ($name) contains an invalid header name "Bad Name"
ValueError: local_integrationhub\mih_request::timeout(): Argument #1 ($seconds) must be greater than 0 and at most 3600 seconds
ValueError: local_integrationhub\mih::request(): Argument #3 ($payload) contains invalid UTF-8
ValueError: local_integrationhub\mih_request::dispatch(): the payload given to with() contains INF or NAN, which JSON cannot represent
TypeError: local_integrationhub\mih::request(): Argument #3 ($payload) must be of type array|string|null, int given
TypeError: local_integrationhub\mih_request::with(): Argument #1 ($payload) must be of type array|string, stdClass given
0 requests reached the server
local_integrationhub\invalid_definition_exception: invalid service definition: field "name" is required
local_integrationhub\invalid_definition_exception: invalid service definition: field "name" must not be empty
local_integrationhub\invalid_definition_exception: invalid service definition: field "name" is longer than 255 characters
local_integrationhub\invalid_definition_exception: invalid service definition: field "base_url" is required
local_integrationhub\invalid_definition_exception: invalid service definition: field "base_url" must start with http:// or https://
local_integrationhub\invalid_definition_exception: invalid service definition: field "base_url" has no host name
local_integrationhub\invalid_definition_exception: invalid service definition: field "base_url" contains a space or control character
local_integrationhub\invalid_definition_exception: invalid service definition: field "method" must be one of GET, POST, PUT, PATCH, DELETE, HEAD
local_integrationhub\invalid_definition_exception: invalid service definition: field "auth_type" must be one of none, bearer, apikey, basic
local_integrationhub\invalid_definition_exception: invalid service definition: field "auth_token" is required when auth_type is bearer
local_integrationhub\invalid_definition_exception: invalid service definition: field "auth_token" must be "user:password" when auth_type is basic
ValueError: local_integrationhub\mih::save_service(): Argument #1 ($definition) field "auth_token" must not contain CR or LF
local_integrationhub\invalid_definition_exception: invalid service definition: field "timeout" must be between 0.001 and 3600
local_integrationhub\invalid_definition_exception: invalid service definition: field "timeout" must be a number
local_integrationhub\invalid_definition_exception: invalid service definition: field "max_retries" must be an integer
local_integrationhub\invalid_definition_exception: invalid service definition: field "max_retries" must be an integer between 0 and 10
local_integrationhub\invalid_definition_exception: invalid service definition: field "retry_statuses" entry 1 must be an HTTP status code (100-599) or a class such as "5xx"
ValueError: local_integrationhub\mih::save_service(): Argument #1 ($definition) field "headers" must not contain CR or LF in the value of header "X-A"
local_integrationhub\invalid_definition_exception: invalid service definition: field "headers" has an invalid header name "Bad Name"
local_integrationhub\invalid_definition_exception: invalid service definition: field "enabled" must be a boolean
local_integrationhub\invalid_definition_exception: invalid service definition: field "cb_mode" must be "count" or "rate"
local_integrationhub\invalid_definition_exception: invalid service definition: field "connect_timeout" must not exceed "timeout"
local_integrationhub\invalid_definition_exception: invalid service definition: unknown field "colour" in service definition
local_integrationhub\invalid_definition_exception: invalid service definition: field "signing_secrets" entry 0 must be "whsec_" followed by base64 of at least 12 bytes
ValueError: local_integrationhub\mih::configure(): Argument #1 ($settings) contains unknown setting "blocked" (known: blocked_hosts, allowed_ports, proxy_host, proxy_port, proxy_type, proxy_user, proxy_password, proxy_bypass)
ValueError: local_integrationhub\mih::configure(): Argument #1 ($settings) setting "blocked_hosts": blocked host "10.0.0.0/33" needs a prefix length from 0 to 32 after '/'
ValueError: local_integrationhub\mih::configure(): Argument #1 ($settings) setting "allowed_ports": allowed port 70000 is not a number from 1 to 65535
ValueError: local_integrationhub\mih::configure(): Argument #1 ($settings) setting "allowed_ports" entries must be port numbers
