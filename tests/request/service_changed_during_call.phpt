--TEST--
mih::request borrows the cached service definition: changed, dropped from the cache or joined by others while the call runs (from the payload's jsonSerialize()), the call still sends what it loaded
--EXTENSIONS--
mih
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

$srv = new mih_test_server();
mih::save_service(['name' => 'svc', 'base_url' => "{$srv->url}/old/", 'headers' => ['X-Svc' => 'old'], 'max_retries' => 0]);

class Changer implements JsonSerializable
{
    public function __construct(private mih_test_server $srv, private bool $more) {}
    public function jsonSerialize(): mixed
    {
        // Clears the per-process service cache while mih::request holds its definition.
        mih::save_service(['name' => 'svc', 'base_url' => "{$this->srv->url}/new/", 'headers' => ['X-Svc' => 'new'],
            'max_retries' => 0]);
        if ($this->more) {
            // Nine more services into the new cache: its array grows while a call holds none of it.
            for ($i = 0; $i < 9; $i++) {
                mih::save_service(['name' => "other$i", 'base_url' => $this->srv->url, 'max_retries' => 0]);
                mih::request("other$i", "/other$i");
            }
        }
        return ['k' => 'v'];
    }
}

function show(mih_test_server $srv): void
{
    $last = $srv->last();
    echo $last['path'], " X-Svc=", $last['headers']['x-svc'] ?? '-', " body=", $last['body'], "\n";
}

mih::request('svc', '/a');                       // cached now
$r = mih::request('svc', '/b', ['c' => new Changer($srv, false)], 'POST');
var_dump($r->success);
show($srv);
$r = mih::request('svc', '/c', ['c' => new Changer($srv, true)], 'POST');   // borrowed from the cache the last call filled
var_dump($r->success);
show($srv);
mih::request('svc', '/d');
show($srv);
mih::save_service(['name' => 'svc', 'base_url' => $srv->url, 'enabled' => false]);
try {
    mih::request('svc', '/e');
} catch (Throwable $e) {
    echo get_class($e), ": ", $e->getMessage(), "\n";
}
echo count($srv->requests()), " requests\n";
?>
--EXPECT--
bool(true)
/old/b X-Svc=old body={"c":{"k":"v"}}
bool(true)
/new/c X-Svc=new body={"c":{"k":"v"}}
/new/d X-Svc=new body=
local_integrationhub\service_disabled_exception: service "svc" is disabled
13 requests
