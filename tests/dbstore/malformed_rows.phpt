--TEST--
dbstore: a $DB whose get_records_sql() returns malformed rows (not an array, records that are not objects, missing fields, nulls, values of the wrong type) gets a store_exception naming the method, the table and the field
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../store.inc';
use local_integrationhub\mih;

/* The fake $DB, whose get_records_sql() answers for one table are mangled
 * by a callback, the way a broken driver or a wrapper of $DB might. */
class malformed_db extends mih_test_moodle_db
{
    public ?string $table = null;
    public $mangle = null;

    public function get_records_sql($sql, ?array $params = null, $limitfrom = 0, $limitnum = 0)
    {
        $records = parent::get_records_sql($sql, $params, $limitfrom, $limitnum);
        if ($this->mangle && preg_match('/FROM \{' . $this->table . '\}/', $sql)) {
            return ($this->mangle)($records);
        }
        return $records;
    }
}

function each_record(callable $f): Closure
{
    return fn(array $records) => array_map(function ($r) use ($f) {
        $f($r);
        return $r;
    }, $records);
}

$file = tempnam(sys_get_temp_dir(), 'mih_malformed_');
register_shutdown_function(static function () use ($file): void {
    foreach (['', '-wal', '-shm'] as $suffix) {
        @unlink($file . $suffix);
    }
});
$DB = new malformed_db($file);
mih::use_db($DB);
mih::save_service(['name' => 'crm', 'base_url' => 'http://127.0.0.1:9', 'auth_type' => 'bearer', 'auth_token' => 'tok-secret']);
$task = mih::enqueue('crm', '/hook', ['password' => 'payload-secret']);

$cases = [
    'local_integrationhub_svc' => [
        'not an array' => fn($records) => 'oops',
        'false' => fn($records) => false,
        'null' => fn($records) => null,
        'records that are ints' => fn($records) => array_map(fn($r) => 42, $records),
        'records that are strings' => fn($records) => array_map(fn($r) => 'crm', $records),
        'an empty record' => fn($records) => array_map(fn($r) => new stdClass(), $records),
        'no id' => each_record(function ($r) { unset($r->id); }),
        'an id that is not a number' => each_record(function ($r) { $r->id = 'crm'; }),
        'no name' => each_record(function ($r) { unset($r->name); }),
        'a null name' => each_record(function ($r) { $r->name = null; }),
        'no base_url' => each_record(function ($r) { unset($r->base_url); }),
        'no auth_type' => each_record(function ($r) { unset($r->auth_type); }),
        'a timeout that is an array' => each_record(function ($r) { $r->timeout = [5]; }),
        'a timeout that is an object' => each_record(function ($r) { $r->timeout = new stdClass(); }),
        'a timeout that is text' => each_record(function ($r) { $r->timeout = 'five seconds'; }),
        'a max_retries that is text' => each_record(function ($r) { $r->max_retries = '3 times'; }),
        'a record with numeric keys' => fn($records) => array_map(fn($r) => array_values((array)$r), $records),
    ],
    'local_integrationhub_queue' => [
        'no payload' => each_record(function ($r) { unset($r->payload); }),
        'an attempts that is text' => each_record(function ($r) { $r->attempts = 'none'; }),
        'no idempotency_key' => each_record(function ($r) { unset($r->idempotency_key); }),
        'queue counts without pending' => each_record(function ($r) { unset($r->pending); }),
    ],
];
$calls = [
    'local_integrationhub_svc' => ['service' => fn() => mih::service('crm'), 'services' => fn() => mih::services()],
    'local_integrationhub_queue' => ['task' => fn() => mih::task($task), 'tasks' => fn() => mih::tasks(),
        'stats' => fn() => mih::stats()],
];

foreach ($cases as $table => $mangles) {
    echo "== $table\n";
    $DB->table = $table;
    foreach ($mangles as $what => $mangle) {
        $DB->mangle = $mangle;
        foreach ($calls[$table] as $name => $call) {
            try {
                $call();
                echo "$what, $name(): accepted\n";
            } catch (local_integrationhub\store_exception $e) {
                echo "$what, $name(): ", $e->getMessage(), "\n";
            }
        }
    }
}
$DB->mangle = null;
echo "== unmangled again\n", json_encode(array_column(mih::services(), 'name')), ' ', mih::task($task)['payload'], "\n";
?>
--EXPECT--
== local_integrationhub_svc
not an array, service(): could not load service "crm": $DB->get_records_sql() returned string, expected an array of records
not an array, services(): could not list services: $DB->get_records_sql() returned string, expected an array of records
false, service(): could not load service "crm": $DB->get_records_sql() returned false, expected an array of records
false, services(): could not list services: $DB->get_records_sql() returned false, expected an array of records
null, service(): could not load service "crm": $DB->get_records_sql() returned null, expected an array of records
null, services(): could not list services: $DB->get_records_sql() returned null, expected an array of records
records that are ints, service(): could not load service "crm": $DB->get_records_sql() returned a record that is int, expected an object
records that are ints, services(): could not list services: $DB->get_records_sql() returned a record that is int, expected an object
records that are strings, service(): could not load service "crm": $DB->get_records_sql() returned a record that is string, expected an object
records that are strings, services(): could not list services: $DB->get_records_sql() returned a record that is string, expected an object
an empty record, service(): could not load service "crm": $DB->get_records_sql() returned a malformed local_integrationhub_svc record: field "id" is missing
an empty record, services(): could not list services: $DB->get_records_sql() returned a malformed local_integrationhub_svc record: field "id" is missing
no id, service(): could not load service "crm": $DB->get_records_sql() returned a malformed local_integrationhub_svc record: field "id" is missing
no id, services(): could not list services: $DB->get_records_sql() returned a malformed local_integrationhub_svc record: field "id" is missing
an id that is not a number, service(): could not load service "crm": $DB->get_records_sql() returned a malformed local_integrationhub_svc record: field "id" is not a positive integer
an id that is not a number, services(): could not list services: $DB->get_records_sql() returned a malformed local_integrationhub_svc record: field "id" is not a positive integer
no name, service(): could not load service "crm": $DB->get_records_sql() returned a malformed local_integrationhub_svc record: field "name" is missing
no name, services(): could not list services: $DB->get_records_sql() returned a malformed local_integrationhub_svc record: field "name" is missing
a null name, service(): could not load service "crm": $DB->get_records_sql() returned a malformed local_integrationhub_svc record: field "name" is null
a null name, services(): could not list services: $DB->get_records_sql() returned a malformed local_integrationhub_svc record: field "name" is null
no base_url, service(): could not load service "crm": $DB->get_records_sql() returned a malformed local_integrationhub_svc record: field "base_url" is missing
no base_url, services(): could not list services: $DB->get_records_sql() returned a malformed local_integrationhub_svc record: field "base_url" is missing
no auth_type, service(): could not load service "crm": $DB->get_records_sql() returned a malformed local_integrationhub_svc record: field "auth_type" is missing
no auth_type, services(): could not list services: $DB->get_records_sql() returned a malformed local_integrationhub_svc record: field "auth_type" is missing
a timeout that is an array, service(): could not load service "crm": $DB->get_records_sql() returned a record whose field "timeout" is an array, expected a string, a number or null
a timeout that is an array, services(): could not list services: $DB->get_records_sql() returned a record whose field "timeout" is an array, expected a string, a number or null
a timeout that is an object, service(): could not load service "crm": $DB->get_records_sql() returned a record whose field "timeout" is an object of class stdClass, expected a string, a number or null
a timeout that is an object, services(): could not list services: $DB->get_records_sql() returned a record whose field "timeout" is an object of class stdClass, expected a string, a number or null
a timeout that is text, service(): could not load service "crm": $DB->get_records_sql() returned a malformed local_integrationhub_svc record: field "timeout" is not a number
a timeout that is text, services(): could not list services: $DB->get_records_sql() returned a malformed local_integrationhub_svc record: field "timeout" is not a number
a max_retries that is text, service(): could not load service "crm": $DB->get_records_sql() returned a malformed local_integrationhub_svc record: field "max_retries" is not a number
a max_retries that is text, services(): could not list services: $DB->get_records_sql() returned a malformed local_integrationhub_svc record: field "max_retries" is not a number
a record with numeric keys, service(): could not load service "crm": $DB->get_records_sql() returned a malformed local_integrationhub_svc record: field "id" is missing
a record with numeric keys, services(): could not list services: $DB->get_records_sql() returned a malformed local_integrationhub_svc record: field "id" is missing
== local_integrationhub_queue
no payload, task(): could not load task: $DB->get_records_sql() returned a malformed local_integrationhub_queue record: field "payload" is missing
no payload, tasks(): accepted
no payload, stats(): accepted
an attempts that is text, task(): could not load task: $DB->get_records_sql() returned a malformed local_integrationhub_queue record: field "attempts" is not a number
an attempts that is text, tasks(): could not list tasks: $DB->get_records_sql() returned a malformed local_integrationhub_queue record: field "attempts" is not a number
an attempts that is text, stats(): accepted
no idempotency_key, task(): could not load task: $DB->get_records_sql() returned a malformed local_integrationhub_queue record: field "idempotency_key" is missing
no idempotency_key, tasks(): could not list tasks: $DB->get_records_sql() returned a malformed local_integrationhub_queue record: field "idempotency_key" is missing
no idempotency_key, stats(): accepted
queue counts without pending, task(): accepted
queue counts without pending, tasks(): accepted
queue counts without pending, stats(): could not compute stats: $DB->get_records_sql() returned a malformed local_integrationhub_queue record: field "pending" is missing
== unmangled again
["crm"] {"password":"payload-secret"}
