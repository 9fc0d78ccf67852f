--TEST--
mih::render reads PHP data in place: lists and maps, integer keys, objects, references and data errors as the json_t conversion gave them
--EXTENSIONS--
mih
--FILE--
<?php
use local_integrationhub\mih;

/* mih::render reads PHP values in place: the tree it sees must be the one
 * the json_t conversion built (lists vs maps, integer keys, objects, refs). */
function show(string $tpl, mixed $data, string $mode = 'text'): void
{
    try {
        echo var_export(mih::render($tpl, $data, $mode), true), "\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
function nest(int $n, bool $objects): mixed
{
    $v = 'leaf';
    for ($i = 0; $i < $n; $i++) {
        $v = $objects ? (object)['k' => $v] : [$v];
    }
    return $v;
}
$shared = [1, 2];
$refs = ['a' => &$shared, 'b' => &$shared];
$cycle = [1];
$cycle[] = &$cycle;
enum Suit { case Hearts; }

show('{{{.}}}|{{-1}}|{{18446744073709551615}}|{{5}}|{{05}}', [-1 => 'n', 5 => 'f', 'x' => 1]);
show('{{{.}}}', [3 => 'a', 1 => 'b']);
show('{{{.}}}', (function () { $a = [0 => 'a', 'x' => 'b', 1 => 'c']; unset($a['x']); return $a; })());
show('{{{.}}}|{{#.}}<{{.}}>{{/.}}', (function () { $a = ['a', 'b', 'c']; unset($a[1]); return $a; })());
show('{{{.}}}|{{#.}}<{{.}}>{{/.}}', (function () { $a = ['a', 'b', 'c']; unset($a[2]); return $a; })());
show('{{{.}}}|{{#.}}T{{/.}}', []);
show('{{{.}}}|{{#.}}T{{/.}}', new stdClass());
show('{{{.}}}|{{1}}', (object)['1' => 'a', '0' => 'b']);
show('{{{.}}}|{{0}}', new ArrayObject(['q', 'r']));
show('{{{.}}}', new DateTime('2020-01-01 00:00:00 UTC'));
show('{{{.}}}|{{#a}}{{.}},{{/a}}', $refs);
show('{{a.b.c}}|{{#l}}{{b}}{{/l}}', ['a' => (object)['b' => ['c' => 8]], 'l' => [['b' => 1], (object)['b' => 2], ['c' => 3]], 'b' => 'top']);
show('{{{.}}}', ["a\0b" => "c\0d", 'f' => [1.0, -0.0, 0.1, 1e100]]);
show('{"v":"{{a}}"}', ['a' => "\xff"], 'json');
show('{"v":{{a}}}', ['a' => ["\xc3"]], 'json');
echo strlen(mih::render('{"v":{{a}}}', ['a' => nest(510, false)], 'json')), "\n";
echo strlen(mih::render('{{{.}}}', nest(511, true))), "\n";
echo strlen(mih::render('{{{.}}}', nest(512, false))), "\n";
show('x', nest(513, false));
show('x', ['a' => $cycle]);
unset($cycle[1]); /* break the cycle: the test leaks nothing */
show('x', [Suit::Hearts]);
show('x', [fopen('php://memory', 'r')]);
--EXPECT--
'{"18446744073709551615":"n","5":"f","x":1}||n|f|'
'{"3":"a","1":"b"}'
'["a","c"]'
'{"0":"a","2":"c"}|<{"0":"a","2":"c"}>'
'["a","b"]|<a><b>'
'[]|'
'{}|'
'{"1":"a","0":"b"}|a'
'["q","r"]|'
'{"date":"2020-01-01 00:00:00.000000","timezone_type":3,"timezone":"UTC"}'
'{"a":[1,2],"b":[1,2]}|1,2,'
'8|12top'
'{"a\\u0000b":"c\\u0000d","f":[1,-0,0.1,1.0e+100]}'
local_integrationhub\template_exception: value of 'a' is not valid UTF-8 (byte 0xff at offset 0) at line 1, column 7
local_integrationhub\template_exception: value of 'a' cannot be written as JSON: invalid UTF-8 (byte 0xc3 at offset 0 of a string) at line 1, column 6
1032
3072
1030
ValueError: local_integrationhub\mih::render(): Argument #2 ($data) is nested deeper than 512 levels
ValueError: local_integrationhub\mih::render(): Argument #2 ($data) must not contain a recursive reference
ValueError: local_integrationhub\mih::render(): Argument #2 ($data) must not contain an enum (Suit)
ValueError: local_integrationhub\mih::render(): Argument #2 ($data) must not contain a value of type resource
