--TEST--
mih::render: a jsonSerialize() that changes or frees the data being checked (through references) leaves the render safe; it reads the data as it is afterwards
--EXTENSIONS--
mih
--FILE--
<?php
use local_integrationhub\mih;

// Grows the very array the check is walking, which it reaches through a reference.
class grower implements JsonSerializable
{
    public function jsonSerialize(): mixed
    {
        global $inner;
        for ($i = 0; $i < 200; $i++) {
            $inner["n$i"] = str_repeat('v', 20) . $i;
        }
        return 'grown';
    }
}
$inner = ['a' => new grower(), 'b' => str_repeat('b', 30)];
$data = ['inner' => &$inner];
echo mih::render('{{inner.a}} {{inner.b}} {{inner.n199}} {{inner.n0}}', $data, 'text'), "\n";

// Drops the last reference to the object whose declared properties the check is walking.
class holder
{
    public $first;
    public $second;
}
class dropper implements JsonSerializable
{
    public function jsonSerialize(): mixed
    {
        $GLOBALS['h'] = null;
        return 'dropped';
    }
}
$h = new holder();
$h->first = new dropper();
$h->second = str_repeat('s', 40);
$data = ['h' => &$h];
unset($inner);
var_dump(mih::render('[{{h.first}}|{{h.second}}]', $data, 'text'));

// Replaces a value the check has already walked, and frees it.
class replacer implements JsonSerializable
{
    public function jsonSerialize(): mixed
    {
        $GLOBALS['list'] = ['now' => 'different'];
        return ['r' => 1];
    }
}
$list = ['old' => str_repeat('o', 40), 'deep' => ['x' => 1]];
$data = ['list' => &$list, 'rep' => new replacer()];
echo mih::render('{{list.old}}|{{list.now}}|{{rep.r}}|{{#list}}{{now}}{{/list}}', $data, 'text'), "\n";

// Calls mih::render itself: over other data, and over the data being checked
// (which then looks recursive, as it does to json_encode).
class nested_render implements JsonSerializable
{
    public function __construct(private string $which) {}
    public function jsonSerialize(): mixed
    {
        return mih::render('{{v}}', $GLOBALS[$this->which], 'text') . '!';
    }
}
$other = ['v' => 'other value'];
$outer = ['v' => 'outer value', 'n' => new nested_render('other')];
echo mih::render('{{n}} {{v}}', $outer, 'text'), "\n";
$outer = ['v' => 'outer value', 'n' => new nested_render('outer')];
try {
    mih::render('{{n}} {{v}}', $outer, 'text');
} catch (Exception $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n  ", get_class($e->getPrevious()), ': ', $e->getPrevious()->getMessage(), "\n";
}
echo "done\n";
?>
--EXPECT--
grown bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb vvvvvvvvvvvvvvvvvvvv199 vvvvvvvvvvvvvvvvvvvv0
string(3) "[|]"
|different|1|different
other value! outer value
local_integrationhub\template_exception: the value "n": nested_render::jsonSerialize() threw an exception (the previous one)
  ValueError: local_integrationhub\mih::render(): Argument #2 ($data) must not contain a recursive reference
done
