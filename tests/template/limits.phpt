--TEST--
mih::render's work limits: 64 MiB of output inside a flat run of tags, steps counted as the ops visited (skipped section bodies are free); render_each takes references
--EXTENSIONS--
mih
--INI--
memory_limit=256M
--FILE--
<?php
use local_integrationhub\mih;

function show(callable $f): void
{
    try {
        $out = $f();
        echo is_array($out) ? json_encode($out) : 'rendered ' . strlen($out) . " bytes", "\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
/* one flat run of tags: the limit holds between tags, not only between sections */
show(fn() => mih::render(str_repeat('{{x}}', 40), ['x' => str_repeat('a', 8 << 20)], 'text'));
/* a section body that is skipped costs nothing: 70,000 items, 300 ops each in a falsy section */
$items = array_fill(0, 70000, ['never' => false]);
show(fn() => mih::render('{{#items}}{{#never}}' . str_repeat('x{{a}}', 150) . '{{/never}}{{/items}}', ['items' => $items], 'text'));
/* runaway nesting is still stopped */
show(fn() => mih::render(str_repeat('{{#l}}', 12) . 'x' . str_repeat('{{/l}}', 12), ['l' => range(1, 8)], 'text'));
/* templates given by reference */
$t = '{"v": {{v}}}';
show(fn() => mih::render_each(['a' => &$t, 'b' => '"{{v}}"'], ['v' => 2]));
?>
--EXPECT--
local_integrationhub\template_exception: rendering stopped after 64 MiB of output (do sections iterate over their own data?) at line 1, column 41
rendered 0 bytes
local_integrationhub\template_exception: rendering stopped after 20000000 steps (do sections iterate over their own data?) at line 1, column 67
{"a":"{\"v\": 2}","b":"\"2\""}
