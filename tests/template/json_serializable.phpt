--TEST--
mih::render, render_each and emit rules: a JsonSerializable object is what jsonSerialize() returns, as json_encode has it (also in sections); a throwing one is a template_exception naming the value
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../store.inc';
mih_test_use_store('json_serializable');
use local_integrationhub\mih;
use local_integrationhub\template_exception;

class money implements JsonSerializable
{
    public function __construct(public int $cents, public string $currency) {}
    public function jsonSerialize(): mixed { return ['amount' => $this->cents / 100, 'currency' => $this->currency]; }
}
class tag implements JsonSerializable
{
    public function __construct(private string $name) {}
    public function jsonSerialize(): string { return $this->name; }
}
class order implements JsonSerializable
{
    public string $internal = 'not sent';
    public function jsonSerialize(): array
    {
        return ['id' => 7, 'price' => new money(1250, 'EUR'), 'tags' => [new tag('new'), new tag('vip')], 'paid' => false];
    }
}
class plain_self implements JsonSerializable
{
    public int $a = 1;
    public array $b = ['x' => 2];
    protected int $hidden = 3;
    public function jsonSerialize(): mixed { return $this; }
}
class nothing implements JsonSerializable
{
    public int $visible = 1;
    public function jsonSerialize(): mixed { return []; }
}
class counted implements JsonSerializable
{
    public static int $calls = 0;
    public function jsonSerialize(): mixed { return ++self::$calls; }
}
class boom implements JsonSerializable
{
    public function jsonSerialize(): mixed { throw new DomainException('the profile is locked'); }
}
class loop implements JsonSerializable
{
    public function jsonSerialize(): mixed { return ['me' => $this]; }
}
class chain implements JsonSerializable
{
    public function __construct(private int $n) {}
    public function jsonSerialize(): mixed { return $this->n > 0 ? new chain($this->n - 1) : 'end'; }
}
enum suit: string implements JsonSerializable
{
    case hearts = 'H';
    public function jsonSerialize(): mixed { return "suit $this->value"; }
}
class holds_boom
{
    public string $name = 'x';
    private boom $secret;
    public function __construct() { $this->secret = new boom(); }
}

function both(string $template, mixed $data): void
{
    echo mih::render($template, $data), "\n";
}
function fails(callable $fn): void
{
    try {
        $fn();
        echo "no exception\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage();
        if ($e instanceof template_exception) {
            echo " [line $e->template_line, column $e->template_column]";
        }
        $p = $e->getPrevious();
        echo $p ? "\n  previous " . get_class($p) . ': ' . $p->getMessage() : '', "\n";
    }
}

echo "-- value position, as json_encode\n";
$data = ['order' => new order(), 'when' => 'today'];
both('{"order": {{order}}, "price": {{order.price}}, "currency": "{{order.price.currency}}"}', $data);
echo json_encode($data['order']), "\n";
both('{{.}}', new order());
both('{"s": {{s}}, "self": {{self}}, "none": {{none}}}', ['s' => suit::hearts, 'self' => new plain_self(), 'none' => new nothing()]);
echo json_encode(['s' => suit::hearts, 'self' => new plain_self(), 'none' => new nothing()]), "\n";
both('{"end": {{c}}}', ['c' => new chain(5)]);

echo "-- inside strings and other modes: its JSON text\n";
both('{"text": "{{order.price}} / {{order.tags}} / {{order.id}}"}', $data);
echo mih::render('<p>{{order.price.currency}} {{order.price}}</p>', $data, 'html'), "\n";
echo mih::render('/orders/{{order.id}}?total={{order.price.amount}}{{order.price.currency}}', $data, 'url'), "\n";

echo "-- sections read the serialized value, not the object's properties\n";
echo mih::render('{{#order}}#{{id}} {{price.amount}} {{currency}}{{internal}} [{{#tags}}{{.}},{{/tags}}]{{/order}}', $data, 'text'), "\n";
echo mih::render('{{#order.price}}{{amount}} {{currency}} cents={{cents}}{{/order.price}}', $data, 'text'), "\n";
echo mih::render('{{#order.paid}}paid{{/order.paid}}{{^order.paid}}unpaid{{/order.paid}}', $data, 'text'), "\n";
echo mih::render('{{#none}}has{{/none}}{{^none}}empty (visible={{none.visible}}){{/none}}', ['none' => new nothing()], 'text'), "\n";
echo mih::render('{{#s}}[{{.}}]{{/s}}', ['s' => suit::hearts], 'text'), "\n";

echo "-- one jsonSerialize() call per object per render call\n";
$c = new counted();
echo mih::render('{{a}} {{a}} {{b.c}} {{#a}}{{.}}{{/a}}', ['a' => $c, 'b' => ['c' => $c]], 'text'), "\n";
print_r(mih::render_each(['x' => '{{a}}', 'y' => '{{a}}-{{a}}'], ['a' => $c], 'text'));
echo "calls: ", counted::$calls, "\n";

echo "-- failures\n";
fails(fn() => mih::render('{{user.name}}', ['user' => ['name' => 'Ana', 'profile' => new boom()]]));
fails(fn() => mih::render('{{x}}', ['items' => [1, 2, new boom()]], 'text'));
fails(fn() => mih::render('{{x}}', new boom(), 'text'));
fails(fn() => mih::render('{{x}}', ['o' => new class implements JsonSerializable {
    public function jsonSerialize(): mixed { return ['inner' => new boom()]; }
}], 'text'));
fails(fn() => mih::render_each(['a' => '{{x}}', 'b' => '{{y}}'], ['y' => new boom()], 'text'));
fails(fn() => mih::render('{{x}}', ['l' => new loop()]));
fails(fn() => json_encode(['l' => new loop()], JSON_THROW_ON_ERROR));
fails(fn() => mih::render('{{x}}', ['c' => new chain(600)]));
fails(fn() => mih::render('{{x}}', ['c' => new class implements JsonSerializable {
    public function jsonSerialize(): mixed { return ['bad' => INF]; }
}]));
// json_encode leaves protected and private properties out, and so does the check
echo mih::render('{{name}}', new holds_boom(), 'text'), ' ', json_encode(new holds_boom()), "\n";

echo "-- emit: rules render the serialized data\n";
mih::save_service(['name' => 'shop', 'base_url' => 'http://127.0.0.1:1']);
mih::save_rule(['eventname' => '\core\event\order_paid', 'service' => 'shop', 'endpoint' => '/orders/{{order.id}}',
    'payload_template' => '{"total": {{order.price}}, "tags": {{order.tags}}}']);
[$id] = mih::emit('\core\event\order_paid', ['order' => new order()]);
$t = mih::task($id);
echo "$t[endpoint] $t[payload]\n";
fails(fn() => mih::emit('\core\event\order_paid', ['order' => new boom()]));
fails(fn() => mih::emit('\core\event\order_paid', ['order' => ['id' => "\xff"]]));
echo count(mih::tasks()), " task, ", count(mih::dead_letters()), " dead letters\n";
?>
--EXPECT--
-- value position, as json_encode
{"order": {"id":7,"price":{"amount":12.5,"currency":"EUR"},"tags":["new","vip"],"paid":false}, "price": {"amount":12.5,"currency":"EUR"}, "currency": "EUR"}
{"id":7,"price":{"amount":12.5,"currency":"EUR"},"tags":["new","vip"],"paid":false}
{"id":7,"price":{"amount":12.5,"currency":"EUR"},"tags":["new","vip"],"paid":false}
{"s": "suit H", "self": {"a":1,"b":{"x":2}}, "none": []}
{"s":"suit H","self":{"a":1,"b":{"x":2}},"none":[]}
{"end": "end"}
-- inside strings and other modes: its JSON text
{"text": "{\"amount\":12.5,\"currency\":\"EUR\"} / [\"new\",\"vip\"] / 7"}
<p>EUR {&quot;amount&quot;:12.5,&quot;currency&quot;:&quot;EUR&quot;}</p>
/orders/7?total=12.5EUR
-- sections read the serialized value, not the object's properties
#7 12.5  [new,vip,]
12.5 EUR cents=
unpaid
empty (visible=)
[suit H]
-- one jsonSerialize() call per object per render call
1 1 1 1
Array
(
    [x] => 2
    [y] => 2-2
)
calls: 2
-- failures
local_integrationhub\template_exception: the value "user.profile": boom::jsonSerialize() threw an exception (the previous one) [line 0, column 0]
  previous DomainException: the profile is locked
local_integrationhub\template_exception: the value "items.2": boom::jsonSerialize() threw an exception (the previous one) [line 0, column 0]
  previous DomainException: the profile is locked
local_integrationhub\template_exception: the value ".": boom::jsonSerialize() threw an exception (the previous one) [line 0, column 0]
  previous DomainException: the profile is locked
local_integrationhub\template_exception: the value "o.inner": boom::jsonSerialize() threw an exception (the previous one) [line 0, column 0]
  previous DomainException: the profile is locked
local_integrationhub\template_exception: the value "y": boom::jsonSerialize() threw an exception (the previous one) [line 0, column 0]
  previous DomainException: the profile is locked
ValueError: local_integrationhub\mih::render(): Argument #2 ($data) must not contain a recursive reference
JsonException: Recursion detected
ValueError: local_integrationhub\mih::render(): Argument #2 ($data) is nested deeper than 512 levels
ValueError: local_integrationhub\mih::render(): Argument #2 ($data) must not contain INF or NAN
x {"name":"x"}
-- emit: rules render the serialized data
/orders/7 {"total": {"amount":12.5,"currency":"EUR"}, "tags": ["new","vip"]}
local_integrationhub\template_exception: the value "order": boom::jsonSerialize() threw an exception (the previous one) [line 0, column 0]
  previous DomainException: the profile is locked
ValueError: local_integrationhub\mih::emit(): Argument #2 ($eventdata) contains invalid UTF-8
1 task, 0 dead letters
