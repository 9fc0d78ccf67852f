--TEST--
mih::render finds keys by their precomputed hash (non-ASCII, long, numeric and colliding-length keys, hash tables of every size) and writes numbers byte for byte as json_encode
--EXTENSIONS--
mih
--FILE--
<?php
use local_integrationhub\mih;

/* Keys whose lookups go through the compiled name hash: each must find its
 * own value, in small and large (rehashed) tables, at the root and nested. */
$keys = ['a', 'é', 'naïve key', 'contextinstanceid', 'a much longer key than eight bytes, with spaces',
    "tab\tkey", 'x-y', '0', '17', '007'];
$bad = 0;
foreach ([0, 5, 200, 5000] as $padding) {
    $data = [];
    for ($i = 0; $i < $padding; $i++) {
        $data["pad$i"] = $i;
    }
    foreach ($keys as $i => $k) {
        $data[$k] = "v$i";
    }
    foreach ($keys as $i => $k) {
        $out = mih::render("{{{$k}}}|{{#n}}{{{$k}}}{{/n}}|{{n.$k}}", $data + ['n' => $data], 'text');
        if ($out !== "v$i|v$i|v$i") {
            echo "key ", json_encode($k), " with $padding others: ", $out, "\n";
            $bad++;
        }
    }
}
echo "keys: $bad wrong\n";
/* a name that is missing renders empty, also when a key shares its hash slot */
var_dump(mih::render('[{{b}}][{{é}}][{{1}}]', ['a' => 1, 'e' => 2, 'ê' => 3, 0 => 4], 'text'));
/* a list is not a map: its items are not found by number */
var_dump(mih::render('{{0}}|{{1}}|{{2}}', ['x', 'y'], 'text'));

/* Numbers: every value as json_encode writes it (serialize_precision -1). */
mt_srand(7);
$bad = 0;
$values = [0.1, 0.2 + 0.1, 87.5, 1e14, 1e15, 1e16, 1e22, 1e-7, 123456789012345.0, -0.0, 2.5e-5,
    PHP_INT_MAX, PHP_INT_MIN, 0, -1, 1700000000, 5e-324, 1.7976931348623157e308];
for ($i = 0; $i < 5000; $i++) {
    $values[] = mt_rand(0, 999999) / 10 ** mt_rand(0, 18);
    $values[] = -mt_rand() / mt_rand(1, 1000);
    $values[] = unpack('e', pack('P', mt_rand() << 32 | mt_rand()))[1];
    $values[] = mt_rand(PHP_INT_MIN, PHP_INT_MAX);
}
foreach ($values as $v) {
    if (is_float($v) && !is_finite($v)) {
        continue;
    }
    $want = '{"v": ' . json_encode($v) . ', "s": "' . json_encode($v) . '"}';
    $got = mih::render('{"v": {{v}}, "s": "{{v}}"}', ['v' => $v]);
    if ($got !== $want) {
        if ($bad++ < 5) {
            echo "value ", var_export($v, true), ": ", $got, " vs ", $want, "\n";
        }
    }
}
echo "numbers: $bad wrong of ", count($values), "\n";
?>
--EXPECT--
keys: 0 wrong
string(6) "[][][]"
string(2) "||"
numbers: 0 wrong of 20018
