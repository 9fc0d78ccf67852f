--TEST--
mih: dead letters by error text (a part, any case, % _ and \ taken literally), count_dead_letters(), and replay_all/purge over the same filters
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
$srv = new mih_test_server();
mih::save_service(['name' => 'a', 'base_url' => $srv->url]);
mih::save_service(['name' => 'b', 'base_url' => $srv->url]);
mih::save_rule(['eventname' => '\core\event\user_created', 'service' => 'a', 'endpoint' => '/{{other.path}}']);
// a 4xx goes to the DLQ at once, with the status line as its error
$answers = [
    'nf' => ['status' => 404],
    'pct' => ['status' => 404, 'reason' => '50% off'],
    'x' => ['status' => 404, 'reason' => '5x0 off'],
    'us' => ['status' => 410, 'reason' => 'my_host gone'],
    'ux' => ['status' => 410, 'reason' => 'myXhost gone'],
    'bs' => ['status' => 400, 'reason' => 'bad C:\\tmp\\x'],
];
foreach ($answers as $path => $answer) {
    $srv->respond("/$path", [$answer]);
    mih::emit('\core\event\user_created', ['other' => ['path' => $path]]);
}
mih::enqueue('b', '/nf');
$r = mih::run_queue();
echo "dead={$r['dead']}\n";
// deliveries run concurrently: the DLQ order varies, so lists are shown sorted
$lines = array_map(fn($d) => "  {$d['service']} {$d['error']}", mih::dead_letters());
sort($lines);
echo implode("\n", $lines), "\n";

$searches = ['not found', 'NOT FOUND', '404', '0% o', '%', 'y_h', '_', 'C:\\tmp\\', '\\', 'off', 'nowhere', ''];
foreach ($searches as $error) {
    $listed = array_column(mih::dead_letters(['error' => $error, 'limit' => 100]), 'error');
    sort($listed);
    printf("%-12s count=%d %s\n", json_encode($error, JSON_UNESCAPED_SLASHES), mih::count_dead_letters(['error' => $error]),
        json_encode($listed, JSON_UNESCAPED_SLASHES));
}
// combined with the other filters; paging goes over the same set
echo mih::count_dead_letters(['error' => 'not found', 'service' => 'b']), ' ',
    mih::count_dead_letters(['error' => 'not found', 'eventname' => '\core\event\user_created']), ' ',
    mih::count_dead_letters(['error' => 'not found', 'service' => 'nope']), ' ',
    mih::count_dead_letters(['error' => 'gone', 'since' => time() + 60]), "\n";
$paged = [];
for ($offset = 0; $page = mih::dead_letters(['error' => 'o', 'limit' => 2, 'offset' => $offset]); $offset += 2) {
    $paged = array_merge($paged, array_column($page, 'id'));
}
var_dump(count($paged), $paged === array_column(mih::dead_letters(['error' => 'o']), 'id'));

echo mih::replay_all(['error' => 'GONE']), " replayed, ", mih::count_tasks(), " queued\n";
echo mih::purge_dead_letters(['error' => '%']), " purged, ", mih::count_dead_letters(), " left\n";
echo mih::purge_dead_letters(['error' => 'not found', 'service' => 'a']), " purged, ", mih::count_dead_letters(), " left\n";

// where the condition came from: on Moodle's $DB it is $DB->sql_like()'s
var_dump(mih_test_backend() === 'sqlite' || ($GLOBALS['DB']->calls['sql_like'] ?? 0) > 0);

attempt(fn() => mih::count_dead_letters(['error' => 404]));
attempt(fn() => mih::dead_letters(['error' => "a\0b"]));
attempt(fn() => mih::count_dead_letters(['offset' => 1]));
attempt(fn() => mih::dead_letters(['sort' => 'id']));
attempt(fn() => mih::purge_dead_letters(['limit' => 1]));
?>
--EXPECT--
dead=7
  a HTTP 400 bad C:\tmp\x
  a HTTP 404 50% off
  a HTTP 404 5x0 off
  a HTTP 404 Not Found
  a HTTP 410 myXhost gone
  a HTTP 410 my_host gone
  b HTTP 404 Not Found
"not found"  count=2 ["HTTP 404 Not Found","HTTP 404 Not Found"]
"NOT FOUND"  count=2 ["HTTP 404 Not Found","HTTP 404 Not Found"]
"404"        count=4 ["HTTP 404 50% off","HTTP 404 5x0 off","HTTP 404 Not Found","HTTP 404 Not Found"]
"0% o"       count=1 ["HTTP 404 50% off"]
"%"          count=1 ["HTTP 404 50% off"]
"y_h"        count=1 ["HTTP 410 my_host gone"]
"_"          count=1 ["HTTP 410 my_host gone"]
"C:\\tmp\\"  count=1 ["HTTP 400 bad C:\\tmp\\x"]
"\\"         count=1 ["HTTP 400 bad C:\\tmp\\x"]
"off"        count=2 ["HTTP 404 50% off","HTTP 404 5x0 off"]
"nowhere"    count=0 []
""           count=7 ["HTTP 400 bad C:\\tmp\\x","HTTP 404 50% off","HTTP 404 5x0 off","HTTP 404 Not Found","HTTP 404 Not Found","HTTP 410 myXhost gone","HTTP 410 my_host gone"]
1 1 0 0
int(6)
bool(true)
2 replayed, 2 queued
1 purged, 4 left
1 purged, 3 left
bool(true)
TypeError: local_integrationhub\mih::count_dead_letters(): Argument #1 ($filter) filter "error" must be of type string, int given
ValueError: local_integrationhub\mih::dead_letters(): Argument #1 ($filter) filter "error" must not contain any null bytes
ValueError: local_integrationhub\mih::count_dead_letters(): Argument #1 ($filter) contains unknown filter "offset" (known: service, eventname, since, error)
ValueError: local_integrationhub\mih::dead_letters(): Argument #1 ($filter) contains unknown filter "sort" (known: service, eventname, since, error, limit, offset)
ValueError: local_integrationhub\mih::purge_dead_letters(): Argument #1 ($filter) contains unknown filter "limit" (known: service, eventname, since, error)
