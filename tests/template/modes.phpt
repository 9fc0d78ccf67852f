--TEST--
mih::render: json, url, html and text modes, typed values, sections, partials, root scalars and lists
--EXTENSIONS--
mih
--FILE--
<?php
use local_integrationhub\mih;

$data = ['user' => ['id' => 7, 'name' => 'Ana & "Bo" <x>', 'tags' => ['a', 'b'], 'score' => 9.5, 'active' => true, 'none' => null],
    'items' => [['id' => 1], ['id' => 2], ['id' => 3]], 'empty' => [], 'obj' => (object)['k' => 'v']];
echo mih::render('{"id": {{user.id}}, "name": "{{user.name}}", "tags": {{user.tags}}, "score": {{user.score}}, "on": {{user.active}}, "none": {{user.none}}, "empty": {{empty}}, "obj": {{obj}}}', $data), "\n";
echo mih::render('[{{#items}}{"id": {{id}}}{{^last}},{{/last}}{{/items}}]', ['items' => [['id' => 1], ['id' => 2, 'last' => true]]]), "\n";
echo mih::render('{"has": {{#empty}}true{{/empty}}{{^empty}}false{{/empty}}}', $data), "\n";
echo mih::render('{"raw": {{{pre}}}}', ['pre' => '{"already":"json"}']), "\n";
echo mih::render('/users/{{user.id}}/notes/{{q}}', $data + ['q' => 'a b/c?d#e&f ñ'], 'url'), "\n";
echo mih::render('<p>{{user.name}}</p> {{{user.name}}}', $data, 'html'), "\n";
echo mih::render('{{user.name}} {{user.score}} {{user.active}}', $data, 'text'), "\n";
echo mih::render('{{#items}}{{id}}.{{/items}}', $data, 'text'), "\n";
echo mih::render('{{.}}!', 'root scalar', 'text'), ' ', mih::render('{{#.}}<{{.}}>{{/.}}', [1, 2, 3], 'text'), "\n";
echo mih::render("{{>row}}\n", ['items' => [['id' => 4]]], 'text', ['row' => '{{#items}}row {{id}}{{/items}}']), "\n";
echo mih::render('{{=<% %>=}}<% user.id %> {{literal}}', $data, 'text'), "\n";
echo mih::render('{{! a comment }}kept', [], 'text'), "\n";
?>
--EXPECT--
{"id": 7, "name": "Ana & \"Bo\" <x>", "tags": ["a","b"], "score": 9.5, "on": true, "none": null, "empty": [], "obj": {"k":"v"}}
[{"id": 1},{"id": 2}]
{"has": false}
{"raw": {"already":"json"}}
/users/7/notes/a%20b%2Fc%3Fd%23e%26f%20%C3%B1
<p>Ana &amp; &quot;Bo&quot; &lt;x&gt;</p> Ana & "Bo" <x>
Ana & "Bo" <x> 9.5 true
1.2.3.
root scalar! <1><2><3>
row 4
7 {{literal}}
kept
