--TEST--
mih: extension loads, classes and the exception family are declared
--EXTENSIONS--
mih
--FILE--
<?php
use local_integrationhub as ns;
var_dump(extension_loaded('mih'), ns\mih::version() === phpversion('mih'));
foreach (['service_not_found_exception', 'service_disabled_exception', 'invalid_definition_exception',
        'transport_exception'] as $c) {
    echo $c, ': ', get_parent_class("local_integrationhub\\$c"), "\n";
}
echo get_parent_class(ns\exception::class), "\n";
foreach ([ns\mih::class, ns\mih_request::class, ns\mih_response::class] as $c) {
    $r = new ReflectionClass($c);
    echo $c, ' final=', var_export($r->isFinal(), true), ' instantiable=', var_export($r->isInstantiable(), true), "\n";
}
try {
    serialize(ns\mih::send('x'));
} catch (Exception $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
$props = (new ReflectionClass(ns\mih_response::class))->getProperties();
foreach ($props as $p) {
    echo $p->getName(), ' ', $p->getType(), $p->isReadOnly() ? ' readonly' : '', "\n";
}
?>
--EXPECT--
bool(true)
bool(true)
service_not_found_exception: local_integrationhub\exception
service_disabled_exception: local_integrationhub\exception
invalid_definition_exception: local_integrationhub\exception
transport_exception: local_integrationhub\exception
RuntimeException
local_integrationhub\mih final=true instantiable=false
local_integrationhub\mih_request final=true instantiable=false
local_integrationhub\mih_response final=true instantiable=false
Exception: Serialization of 'local_integrationhub\mih_request' is not allowed
success bool readonly
httpstatus ?int readonly
body ?string readonly
error ?string readonly
latencyms float readonly
attempts int readonly
headers array readonly
