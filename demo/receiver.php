<?php
/* The demo's local receiver (php -S 127.0.0.1:0 receiver.php): records what
 * it gets in $MIH_DEMO_DIR/received.jsonl and answers 200, or what
 * $MIH_DEMO_DIR/answers.json says for the path (a list, consumed in order). */
$dir = getenv('MIH_DEMO_DIR');
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$headers = array_change_key_case(getallheaders(), CASE_LOWER);
$fp = fopen("$dir/lock", 'c');
flock($fp, LOCK_EX);
file_put_contents("$dir/received.jsonl", json_encode([
    'method' => $_SERVER['REQUEST_METHOD'],
    'uri' => $_SERVER['REQUEST_URI'],
    'headers' => $headers,
    'body' => file_get_contents('php://input'),
]) . "\n", FILE_APPEND);
$answers = is_file("$dir/answers.json") ? json_decode(file_get_contents("$dir/answers.json"), true) : [];
$status = 200;
if (!empty($answers[$path])) {
    $status = count($answers[$path]) > 1 ? array_shift($answers[$path]) : $answers[$path][0];
    file_put_contents("$dir/answers.json", json_encode($answers));
}
flock($fp, LOCK_UN);
http_response_code($status);
header('Content-Type: application/json');
echo json_encode(['received' => true, 'status' => $status]);
