--TEST--
Payload encoding: the bytes of a queued payload and of an event's data are json_encode($payload, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE)'s for every kind of value (PHP's own encoder, and the empty payload that is no body): 1000 generated payloads, edge cases, and the errors json_encode reports
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

const FLAGS = JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE;

mih::save_service(['name' => 'bytes', 'base_url' => 'http://127.0.0.1:9']);

/* One value of a random kind; strings from pieces that are plain, escaped, non-ASCII, or invalid UTF-8. */
function gen(int $depth, bool $valid = true): mixed
{
    static $pieces = ['a', 'Zz', ' ', '~', '/', '<b>', '&amp;', "'", '"', '\\', "\n", "\t", "\x01", "\x1f", "\x7f",
        'é', '€', "\u{2028}", "\u{1F600}", '12', '-0', '0.5', ''];
    $k = mt_rand(0, $depth > 6 ? 7 : 10);
    switch ($k) {
        case 0: return null;
        case 1: return (bool)mt_rand(0, 1);
        case 2: return [0, 1, -1, PHP_INT_MAX, PHP_INT_MIN, mt_rand(), -mt_rand()][mt_rand(0, 6)];
        case 3: return [0.0, -0.0, 1.0, 0.1, 1e100, -2.5e-7, 1/3, 123456789.0][mt_rand(0, 7)];
        case 4: case 5: case 6: case 7:
            $s = '';
            for ($i = mt_rand(0, 4); $i > 0; $i--) {
                $s .= $pieces[mt_rand(0, count($pieces) - 1)];
            }
            return $s;
        case 8:   /* a list */
            $a = [];
            for ($i = mt_rand(0, 4); $i > 0; $i--) {
                $a[] = gen($depth + 1);
            }
            return $a;
        case 9:   /* a map: string keys, numeric-string keys (ints in PHP), holes */
            $a = [];
            for ($i = mt_rand(0, 4); $i > 0; $i--) {
                $key = [fn() => 'k' . mt_rand(0, 9), fn() => (string)mt_rand(0, 5), fn() => mt_rand(-3, 3),
                    fn() => gen(99), fn() => 'x"y/z'][mt_rand(0, 4)]();
                $a[is_string($key) || is_int($key) ? $key : 'k'] = gen($depth + 1);
            }
            return $a;
        default:  /* an object: PHP's encoder writes it */
            $o = new stdClass();
            $o->{'p' . mt_rand(0, 3)} = gen($depth + 1);
            return $o;
    }
}

function queued(mixed $payload): string
{
    try {
        $id = mih::enqueue('bytes', '/p', $payload);
    } catch (\ValueError $e) {
        return 'ValueError: ' . $e->getMessage();
    }
    return mih::task($id)['payload'];
}

function expected(mixed $payload): string
{
    if ($payload === []) {
        return '';   /* an empty payload is no body at all (README) */
    }
    $json = json_encode($payload, FLAGS);
    return $json === false ? 'json_encode: ' . json_last_error_msg() : $json;
}

mt_srand(20261203);
$same = $differ = $errors = 0;
for ($n = 0; $n < 1000; $n++) {
    $payload = [];
    for ($i = mt_rand(0, 5); $i > 0; $i--) {
        $payload['f' . $i] = gen(0);
    }
    if (mt_rand(0, 3) === 0) {
        $payload = array_values($payload);
    }
    $got = queued($payload);
    $want = expected($payload);
    if (str_starts_with($want, 'json_encode: ')) {
        $errors++;
        if (!str_starts_with($got, 'ValueError: ')) {
            echo "json_encode fails but mih queued: ", var_export($payload, true), "\n";
            $differ++;
        }
        continue;
    }
    if ($got === $want) {
        $same++;
    } elseif ($differ++ < 5) {
        echo "differ:\n  mih  $got\n  json $want\n";
    }
}
echo "generated: $same the same, $differ different, $errors refused by both\n";

echo "-- edge cases\n";
$deep = 'leaf';
for ($i = 0; $i < 40; $i++) {
    $deep = [$deep];
}
$ref = ['a' => 1];
$alias = &$ref['a'];
$holes = [1 => 'a', 2 => 'b'];
$unset = [0 => 'a', 1 => 'b', 2 => 'c'];
unset($unset[1]);
$cases = [
    'empty' => [],
    'list' => [1, 2, 3],
    'starts at 1' => $holes,
    'a hole' => $unset,
    'numeric string keys' => ['0' => 'a', '1' => 'b'],
    'negative keys' => [-1 => 'a', 0 => 'b'],
    'nested empties' => ['a' => [], 'b' => [[]], 'c' => new stdClass()],
    'slashes and html' => ['url' => 'https://x.test/a/b?c=1&d=<e>', "it's" => "'"],
    'escapes' => ["q\"uote" => "back\\slash", 'ctl' => "\x00\x08\x0c\x1b", 'del' => "\x7f"],
    'unicode' => ['é' => '€ and ' . "\u{1F600}", 'ls' => "\u{2028}\u{2029}"],
    'ints' => [PHP_INT_MAX, PHP_INT_MIN, 0, -0],
    'floats' => [1.0, -0.0, 0.30000000000000004, 1e22, 1e-7],
    'references' => $ref,
    '40 levels' => $deep,
];
foreach ($cases as $name => $payload) {
    $got = queued($payload);
    $want = expected($payload);
    echo str_pad($name, 20), $got === $want ? 'same' : "differ: $got / $want", "\n";
}
echo "-- refused as json_encode refuses\n";
foreach (['invalid UTF-8' => ['s' => "\xC3("], 'invalid UTF-8 key' => ["\xFF" => 1], 'INF' => [INF],
        'NAN' => ['x' => [NAN]], '600 levels' => array_reduce(range(1, 600), fn($c) => [$c], 1)] as $name => $payload) {
    echo str_pad($name, 20), queued($payload), ' | ', expected($payload), "\n";
}
echo "-- an event's data (array or object)\n";
mih::save_rule(['eventname' => '\core\event\user_created', 'service' => 'bytes', 'endpoint' => '/e']);
foreach ([['eventname' => '\core\event\user_created', 'objectid' => 7, 'other' => ['a' => "x\"/y", 'b' => [1, 2.5]]],
        (object)['eventname' => '\core\event\user_created', 'objectid' => 8, 'other' => null]] as $data) {
    $ids = mih::emit('\core\event\user_created', $data);
    echo mih::task($ids[0])['payload'] === expected($data) ? "same\n" : 'differ: ' . mih::task($ids[0])['payload'] . "\n";
}
?>
--EXPECTF--
generated: %d the same, 0 different, %d refused by both
-- edge cases
empty               same
list                same
starts at 1         same
a hole              same
numeric string keys same
negative keys       same
nested empties      same
slashes and html    same
escapes             same
unicode             same
ints                same
floats              same
references          same
40 levels           same
-- refused as json_encode refuses
invalid UTF-8       ValueError: %s | json_encode: Malformed UTF-8 characters, possibly incorrectly encoded
invalid UTF-8 key   ValueError: %s | json_encode: Malformed UTF-8 characters, possibly incorrectly encoded
INF                 ValueError: %s | json_encode: Inf and NaN cannot be JSON encoded
NAN                 ValueError: %s | json_encode: Inf and NaN cannot be JSON encoded
600 levels          ValueError: %s | json_encode: Maximum stack depth exceeded
-- an event's data (array or object)
same
same
