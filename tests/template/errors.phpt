--TEST--
mih::render / check_template: errors name the template line and column; bad arguments are ValueError/TypeError
--EXTENSIONS--
mih
--FILE--
<?php
use local_integrationhub\mih;
use local_integrationhub\template_exception;

function attempt(callable $fn): void
{
    try {
        $fn();
        echo "ok\n";
    } catch (template_exception $e) {
        printf("%s | line %d col %d | php line %d\n", $e->getMessage(), $e->template_line, $e->template_column, $e->getLine());
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
attempt(fn() => mih::check_template("{\"a\": \"{{name}\"}"));
attempt(fn() => mih::check_template("{\n  \"items\": [{{#items}}{{id}}{{/item}}]\n}"));
attempt(fn() => mih::check_template("{{#open}}\nno close", 'text'));
attempt(fn() => mih::check_template("{{/close}}", 'html'));
attempt(fn() => mih::check_template("{{= | =}}", 'text'));
attempt(fn() => mih::check_template("ñandú {{}}", 'text'));
attempt(fn() => mih::render("{\n  \"a\": {{x}} {{y}}\n}", ['x' => 1, 'y' => 2]));
attempt(fn() => mih::render("{\"a\": \"{{x}}\"}", ['x' => "bad \xC3\x28"]));
attempt(fn() => mih::render("{}", [], 'xml'));
attempt(fn() => mih::render("{{>p}}", [], 'text', ['p' => 5]));
attempt(fn() => mih::render("{{x}}", fopen('php://memory', 'r'), 'text'));
attempt(fn() => mih::check_template("{\"ok\": {{fine}}}"));
$e = new ReflectionClass(template_exception::class);
echo $e->getParentClass()->getName(), "\n";
?>
--EXPECTF--
%s | line 1 col %d | php line 16
%s | line 2 col %d | php line 17
%s | line 1 col 1 | php line 18
%s | line 1 col 1 | php line 19
%s | line 1 col 1 | php line 20
%s | line 1 col 7 | php line 21
rendered payload is not valid JSON%s | line 2 col %d | php line 22
%sUTF-8%s | line 1 col 8 | php line 23
ValueError: local_integrationhub\mih::render(): Argument #3 ($mode) must be one of "json", "html", "url", "text"
TypeError: local_integrationhub\mih::render(): Argument #4 ($partials) must be an array of partial name => template string
ValueError: local_integrationhub\mih::render(): Argument #2 ($data) must not contain a value of type resource
ok
local_integrationhub\exception
