--TEST--
mih: tasks() by event name, count_tasks() over the same filters (status, service, eventname) for the paging bar
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../server.inc';
use local_integrationhub\mih;

function attempt(callable $fn): void
{
    try {
        echo var_export($fn(), true), "\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
/** The distinct event names of tasks, sorted. */
function events(array $tasks): array
{
    $names = array_unique(array_map(fn($t) => $t['eventname'] ?? '-', $tasks));
    sort($names);
    return $names;
}
$srv = new mih_test_server();
mih::save_service(['name' => 'a', 'base_url' => $srv->url]);
mih::save_service(['name' => 'b', 'base_url' => $srv->url, 'enabled' => false]);
mih::save_rule(['eventname' => '\core\event\user_created', 'service' => 'a', 'endpoint' => '/fail']);
mih::save_rule(['eventname' => '\core\event\user_created', 'service' => 'b', 'endpoint' => '/b']);
mih::save_rule(['eventname' => '\core\event\user_deleted', 'service' => 'a', 'endpoint' => '/later']);
// Retry-After keeps the failed ones retrying for ten minutes; b is disabled: parked
$srv->respond('/fail', [['status' => 503, 'headers' => ['Retry-After: 600']]]);
foreach (range(1, 3) as $i) {
    mih::emit('\core\event\user_created', ['objectid' => $i]);
}
$r = mih::run_queue();
echo "retried={$r['retried']} parked={$r['parked']}\n";
mih::emit('\core\event\user_deleted', ['objectid' => 8]);
mih::emit('\core\event\user_deleted', ['objectid' => 9]);
mih::enqueue('a', '/direct');   // no event

$filters = [
    [],
    ['service' => 'a'],
    ['status' => 'retrying'],
    ['status' => 'parked'],
    ['status' => 'pending'],
    ['eventname' => '\core\event\user_created'],
    ['eventname' => 'core\event\user_deleted'],          // the leading backslash is optional
    ['eventname' => '\core\event\user_created', 'service' => 'a'],
    ['eventname' => '\core\event\user_created', 'status' => 'pending'],
    ['eventname' => '\core\event\user_deleted', 'status' => 'pending', 'service' => 'a'],
    ['eventname' => '\core\event\course_viewed'],
    ['service' => 'nope'],
    ['status' => ''],
];
foreach ($filters as $filter) {
    $all = mih::tasks($filter + ['limit' => 100]);
    // the count agrees with the list, and pages of 2 cover the same tasks in the same order
    $paged = [];
    for ($offset = 0; $page = mih::tasks($filter + ['limit' => 2, 'offset' => $offset]); $offset += 2) {
        $paged = array_merge($paged, $page);
    }
    printf("%-95s count=%d listed=%d paged=%s events=%s\n", json_encode($filter, JSON_UNESCAPED_SLASHES), mih::count_tasks($filter),
        count($all), var_export(array_column($paged, 'id') === array_column($all, 'id'), true),
        implode(',', events($all)));
}

attempt(fn() => mih::count_tasks(['limit' => 10]));
attempt(fn() => mih::tasks(['sort' => 'id']));
attempt(fn() => mih::count_tasks(['eventname' => 'user_created']));
attempt(fn() => mih::tasks(['eventname' => 5]));
attempt(fn() => mih::count_tasks(['status' => 'stuck']));
attempt(fn() => mih::count_tasks(['service' => null]));
?>
--EXPECT--
retried=3 parked=3
[]                                                                                              count=9 listed=9 paged=true events=-,\core\event\user_created,\core\event\user_deleted
{"service":"a"}                                                                                 count=6 listed=6 paged=true events=-,\core\event\user_created,\core\event\user_deleted
{"status":"retrying"}                                                                           count=3 listed=3 paged=true events=\core\event\user_created
{"status":"parked"}                                                                             count=3 listed=3 paged=true events=\core\event\user_created
{"status":"pending"}                                                                            count=3 listed=3 paged=true events=-,\core\event\user_deleted
{"eventname":"\\core\\event\\user_created"}                                                     count=6 listed=6 paged=true events=\core\event\user_created
{"eventname":"core\\event\\user_deleted"}                                                       count=2 listed=2 paged=true events=\core\event\user_deleted
{"eventname":"\\core\\event\\user_created","service":"a"}                                       count=3 listed=3 paged=true events=\core\event\user_created
{"eventname":"\\core\\event\\user_created","status":"pending"}                                  count=0 listed=0 paged=true events=
{"eventname":"\\core\\event\\user_deleted","status":"pending","service":"a"}                    count=2 listed=2 paged=true events=\core\event\user_deleted
{"eventname":"\\core\\event\\course_viewed"}                                                    count=0 listed=0 paged=true events=
{"service":"nope"}                                                                              count=0 listed=0 paged=true events=
{"status":""}                                                                                   count=9 listed=9 paged=true events=-,\core\event\user_created,\core\event\user_deleted
ValueError: local_integrationhub\mih::count_tasks(): Argument #1 ($filter) contains unknown filter "limit" (known: status, service, eventname)
ValueError: local_integrationhub\mih::tasks(): Argument #1 ($filter) contains unknown filter "sort" (known: status, service, eventname, limit, offset)
ValueError: local_integrationhub\mih::count_tasks(): Argument #1 ($filter) filter "eventname" "user_created" is not a Moodle event class name such as \core\event\user_loggedin
TypeError: local_integrationhub\mih::tasks(): Argument #1 ($filter) filter "eventname" must be of type string, int given
ValueError: local_integrationhub\mih::count_tasks(): Argument #1 ($filter) filter "status" must be one of pending, retrying, parked, running
TypeError: local_integrationhub\mih::count_tasks(): Argument #1 ($filter) filter "service" must be of type string, null given
