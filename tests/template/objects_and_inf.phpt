--TEST--
mih::render and definitions: objects with declared (typed, unset) properties render like json_encode; INF and NAN are refused
--EXTENSIONS--
mih
--FILE--
<?php
use local_integrationhub\mih;

class course_data
{
    public int $id = 5;
    public string $fullname = 'Física I';
    public ?array $tags = ['a'];
    public int $uninitialised;
    protected string $hidden = 'no';
}
$c = new course_data();
echo mih::render('{"id": {{id}}, "name": "{{fullname}}", "tags": {{tags}}, "all": {{.}}}', $c), "\n";
echo json_encode(['all' => $c], JSON_UNESCAPED_UNICODE), "\n";
echo mih::render('{"course": {{course}}}', ['course' => $c]), "\n";
echo mih::render('{{#course}}{{fullname}}{{/course}}', ['course' => $c], 'text'), "\n";
foreach ([INF, -INF, NAN] as $bad) {
    try {
        mih::render('{{x}}', ['nested' => ['x' => $bad]], 'text');
    } catch (ValueError $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
try {
    mih::save_service(['name' => 'x', 'base_url' => 'http://x', 'timeout' => NAN]);
} catch (ValueError $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
?>
--EXPECT--
{"id": 5, "name": "Física I", "tags": ["a"], "all": {"id":5,"fullname":"Física I","tags":["a"]}}
{"all":{"id":5,"fullname":"Física I","tags":["a"]}}
{"course": {"id":5,"fullname":"Física I","tags":["a"]}}
Física I
ValueError: local_integrationhub\mih::render(): Argument #2 ($data) must not contain INF or NAN
ValueError: local_integrationhub\mih::render(): Argument #2 ($data) must not contain INF or NAN
ValueError: local_integrationhub\mih::render(): Argument #2 ($data) must not contain INF or NAN
ValueError: local_integrationhub\mih::save_service(): Argument #1 ($definition) must not contain INF or NAN
