--TEST--
mih::request: connections are reused between calls in the same process (keep-alive)
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

[$port, $state] = mih_test_raw_server('keepalive');
mih::save_service(['name' => 'ka', 'base_url' => "http://127.0.0.1:$port", 'max_retries' => 0]);
for ($i = 1; $i <= 5; $i++) {
    $r = mih::request('ka', "/n/$i", ['i' => $i]);
    echo $r->httpstatus, ' ', $r->body, "\n";
}
mih::send('ka')->to('/fluent')->method('GET')->dispatch();
var_dump(mih_test_raw_state($state));
?>
--EXPECT--
200 {"request":1,"connection":1}
200 {"request":2,"connection":1}
200 {"request":3,"connection":1}
200 {"request":4,"connection":1}
200 {"request":5,"connection":1}
array(2) {
  ["connections"]=>
  int(1)
  ["requests"]=>
  int(6)
}
