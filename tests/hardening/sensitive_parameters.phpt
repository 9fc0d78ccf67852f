--TEST--
mih: parameters that can carry a secret are #[\SensitiveParameter]: no secret in print_r of an exception or its trace
--EXTENSIONS--
mih
--INI--
zend.exception_ignore_args=0
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
mih_test_service($srv);

/* A $DB whose connection password sits in a property, as in moodle_database. */
final class db_without_methods
{
    protected string $dbpass = 'secret-db-password';
}

/* $secret is marked too: this frame is in every trace below. */
function check(string $call, #[\SensitiveParameter] string $secret, callable $fn, string $visible = ''): void
{
    try {
        $fn();
        echo "$call: no exception\n";
        return;
    } catch (Throwable $e) {
        $dump = print_r($e, true) . $e->getTraceAsString() . $e;
        /* The frame of the mih call itself: which of its arguments are redacted. */
        $redacted = [];
        foreach ($e->getTrace() as $frame) {
            if (str_starts_with($frame['class'] ?? '', 'local_integrationhub\\')) {
                foreach ($frame['args'] as $i => $arg) {
                    if ($arg instanceof SensitiveParameterValue) {
                        $redacted[] = '#' . ($i + 1);
                    }
                }
                break;
            }
        }
        printf("%s: %s; secret %s; Object(SensitiveParameterValue) in the trace for: %s%s\n", $call, get_class($e),
            str_contains($dump, $secret) ? 'LEAKED' : 'hidden', $redacted ? implode(', ', $redacted) : 'none',
            $visible === '' ? '' : (str_contains($dump, $visible) ? "; other arguments shown" : "; other arguments missing"));
    }
}

/* A constant, not a variable: a closure's captured variables show in the trace. */
const SIGNING_SECRET = 'whsec_c3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nzc3Nz';
check('request $options', 'secret-bearer-1',
    fn() => mih::request('no-such-service', '/', [], null, ['headers' => ['Authorization' => 'Bearer secret-bearer-1']]),
    'no-such-service');
check('save_service $definition auth_token', 'secret-token-2',
    fn() => mih::save_service(['name' => 'x', 'base_url' => 'ftp://x', 'auth_type' => 'bearer', 'auth_token' => 'secret-token-2']));
check('save_service $definition signing_secrets', SIGNING_SECRET,
    fn() => mih::save_service(['name' => 'x', 'base_url' => 'ftp://x', 'signing_secrets' => [SIGNING_SECRET]]));
check('mih_request::header $value', 'secret-key-3',
    fn() => mih::send('test')->header('X Api Key', 'secret-key-3'), 'X Api Key');
check('save_rule $rule', 'secret-rule-4',
    fn() => mih::save_rule(['eventname' => '\core\event\x', 'service' => 'no-such-service',
        'headers' => ['X-Api-Key' => 'secret-rule-4']]));
check('verify_webhook $secrets', SIGNING_SECRET,
    fn() => mih::verify_webhook(['webhook-id' => 'msg_1', 'webhook-timestamp' => '1', 'webhook-signature' => 'v1,x'],
        'the body', SIGNING_SECRET), 'the body');
check('verify_webhook $secrets (list)', SIGNING_SECRET,
    fn() => mih::verify_webhook(['webhook-id' => 'msg_1', 'webhook-timestamp' => '1', 'webhook-signature' => 'v1,x'],
        'the body', ['whsec_' . base64_encode(str_repeat('o', 24)), SIGNING_SECRET]));
check('verify_webhook $headers', 'secret-cookie-5',
    fn() => mih::verify_webhook(['webhook-id' => 'msg_1', 'webhook-timestamp' => '1', 'webhook-signature' => 'v1,x',
        'cookie' => 'MoodleSession=secret-cookie-5'], 'the body', SIGNING_SECRET));
check('use_db $db', 'secret-db-password', fn() => mih::use_db(new db_without_methods()));

// the attribute is what the engine sees
foreach ([['local_integrationhub\mih', 'request'], ['local_integrationhub\mih', 'save_service'],
        ['local_integrationhub\mih', 'save_rule'], ['local_integrationhub\mih', 'verify_webhook'],
        ['local_integrationhub\mih', 'use_db'], ['local_integrationhub\mih_request', 'header']] as [$class, $method]) {
    $marked = [];
    foreach ((new ReflectionMethod($class, $method))->getParameters() as $p) {
        if ($p->getAttributes(SensitiveParameter::class)) {
            $marked[] = '$' . $p->getName();
        }
    }
    echo substr(strrchr($class, '\\'), 1), "::$method: ", implode(', ', $marked), "\n";
}
?>
--EXPECT--
request $options: local_integrationhub\service_not_found_exception; secret hidden; Object(SensitiveParameterValue) in the trace for: #5; other arguments shown
save_service $definition auth_token: local_integrationhub\invalid_definition_exception; secret hidden; Object(SensitiveParameterValue) in the trace for: #1
save_service $definition signing_secrets: local_integrationhub\invalid_definition_exception; secret hidden; Object(SensitiveParameterValue) in the trace for: #1
mih_request::header $value: ValueError; secret hidden; Object(SensitiveParameterValue) in the trace for: #2; other arguments shown
save_rule $rule: local_integrationhub\invalid_definition_exception; secret hidden; Object(SensitiveParameterValue) in the trace for: #1
verify_webhook $secrets: local_integrationhub\signature_exception; secret hidden; Object(SensitiveParameterValue) in the trace for: #1, #3; other arguments shown
verify_webhook $secrets (list): local_integrationhub\signature_exception; secret hidden; Object(SensitiveParameterValue) in the trace for: #1, #3
verify_webhook $headers: local_integrationhub\signature_exception; secret hidden; Object(SensitiveParameterValue) in the trace for: #1, #3
use_db $db: local_integrationhub\store_exception; secret hidden; Object(SensitiveParameterValue) in the trace for: #1
mih::request: $options
mih::save_service: $definition
mih::save_rule: $rule
mih::verify_webhook: $headers, $secrets
mih::use_db: $db
mih_request::header: $value
