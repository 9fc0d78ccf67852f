--TEST--
mih::render_each renders several templates over one data array (checked once): keys kept, the failing template named, arguments checked
--EXTENSIONS--
mih
--FILE--
<?php
use local_integrationhub\mih;

$event = ['eventname' => '\core\event\user_loggedin', 'userid' => 5, 'other' => ['username' => 'ana "A"'],
    'courseid' => 0, 'ratio' => 1.5];
$templates = [
    'slack' => '{"text": "{{eventname}} by {{userid}}{{#courseid}} in {{courseid}}{{/courseid}}"}',
    7 => '{"who": {{other}}, "ratio": {{ratio}}}',
    'path' => '/users/{{other.username}}',
];
$out = mih::render_each(array_slice($templates, 0, 2, true), $event);
var_dump($out);
/* the same as one mih::render per template, in every mode */
foreach (['json', 'text', 'html', 'url'] as $mode) {
    $texts = $mode === 'json' ? ['a' => '["{{other.username}}", "{{eventname}}"]', 'b' => '{{other}}']
        : ['a' => '{{other.username}}|{{eventname}}', 'b' => '{{#other}}{{username}}{{/other}}'];
    $each = mih::render_each($texts, $event, $mode);
    $one = array_map(fn($t) => mih::render($t, $event, $mode), $texts);
    echo $mode, ': ', $each === $one ? 'same' : 'DIFFERENT', "\n";
}
var_dump(mih::render_each(['p' => '/u/{{>x}}'], ['v' => 'a b'], 'url', ['x' => '{{v}}']));
var_dump(mih::render_each([], $event));

function show(callable $f): void
{
    try {
        $f();
        echo "no exception\n";
    } catch (local_integrationhub\template_exception $e) {
        echo get_class($e), ': ', $e->getMessage(), ' [', $e->template_line, ':', $e->template_column, "]\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
show(fn() => mih::render_each(['ok' => '{"a": 1}', 'bad' => "{\"a\":\n {{#x}}"], []));
show(fn() => mih::render_each([3 => '[{{{x}}}]'], ['x' => 'not json']));
show(fn() => mih::render_each(['a' => '{}', 'b' => 1], []));
show(fn() => mih::render_each(['a' => '{}'], [NAN]));
show(fn() => mih::render_each(['a' => '{}'], [], 'xml'));
show(fn() => mih::render_each(['a' => '{}'], [], 'json', ['p' => 1]));
?>
--EXPECT--
array(2) {
  ["slack"]=>
  string(45) "{"text": "\\core\\event\\user_loggedin by 5"}"
  [7]=>
  string(47) "{"who": {"username":"ana \"A\""}, "ratio": 1.5}"
}
json: same
text: same
html: same
url: same
array(1) {
  ["p"]=>
  string(8) "/u/a%20b"
}
array(0) {
}
local_integrationhub\template_exception: template "bad": unclosed section 'x': its closing tag is missing at line 2, column 2 [2:2]
local_integrationhub\template_exception: template 3: rendered payload is not valid JSON: unexpected character (output byte 1) at line 1, column 2 [1:2]
TypeError: local_integrationhub\mih::render_each(): Argument #1 ($templates) must be an array of template strings, int found in it
ValueError: local_integrationhub\mih::render_each(): Argument #2 ($data) must not contain INF or NAN
ValueError: local_integrationhub\mih::render_each(): Argument #3 ($mode) must be one of "json", "html", "url", "text"
TypeError: local_integrationhub\mih::render_each(): Argument #4 ($partials) must be an array of partial name => template string
