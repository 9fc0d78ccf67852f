--TEST--
mih::privacy_*(): argument checks (user and context ids at least 1, known filter keys, userid or userids, a filter that names something)
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../store.inc';
use local_integrationhub\mih;

mih_test_use_store('privacy_arguments');
function attempt(callable $fn): void
{
    try {
        echo json_encode($fn()), "\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
attempt(fn() => mih::privacy_contexts(0));
attempt(fn() => mih::privacy_users(-3));
attempt(fn() => mih::privacy_users(null));
attempt(fn() => mih::privacy_export([]));
attempt(fn() => mih::privacy_export(['userids' => [2]]));
attempt(fn() => mih::privacy_export(['userid' => '2']));
attempt(fn() => mih::privacy_export(['contextid' => 0]));
attempt(fn() => mih::privacy_export(['contextid' => '30']));
attempt(fn() => mih::privacy_delete([]));
attempt(fn() => mih::privacy_delete(['user' => 2]));
attempt(fn() => mih::privacy_delete(['userid' => 2, 'userids' => [3]]));
attempt(fn() => mih::privacy_delete(['userids' => []]));
attempt(fn() => mih::privacy_delete(['userids' => [2, 'x']]));
attempt(fn() => mih::privacy_delete(['userids' => [2, 0]]));
attempt(fn() => mih::privacy_delete(['userids' => ['a' => 2]]));
attempt(fn() => mih::privacy_delete(['userids' => [2, 3], 'contextid' => 30]));
?>
--EXPECT--
ValueError: local_integrationhub\mih::privacy_contexts(): Argument #1 ($userid) must be greater than 0 or null
ValueError: local_integrationhub\mih::privacy_users(): Argument #1 ($contextid) must be greater than 0 or null
[]
ValueError: local_integrationhub\mih::privacy_export(): Argument #1 ($filter) must name userid or contextid
ValueError: local_integrationhub\mih::privacy_export(): Argument #1 ($filter) contains unknown filter "userids" (known: userid, contextid)
TypeError: local_integrationhub\mih::privacy_export(): Argument #1 ($filter) filter "userid" must be of type int, string given
ValueError: local_integrationhub\mih::privacy_export(): Argument #1 ($filter) filter "contextid" must be at least 1 or null
TypeError: local_integrationhub\mih::privacy_export(): Argument #1 ($filter) filter "contextid" must be of type ?int, string given
ValueError: local_integrationhub\mih::privacy_delete(): Argument #1 ($filter) must name userid, userids or contextid
ValueError: local_integrationhub\mih::privacy_delete(): Argument #1 ($filter) contains unknown filter "user" (known: userid, userids, contextid)
ValueError: local_integrationhub\mih::privacy_delete(): Argument #1 ($filter) must not name both userid and userids
ValueError: local_integrationhub\mih::privacy_delete(): Argument #1 ($filter) filter "userids" must be a non-empty list of user ids
ValueError: local_integrationhub\mih::privacy_delete(): Argument #1 ($filter) filter "userids" must hold user ids (int, at least 1)
ValueError: local_integrationhub\mih::privacy_delete(): Argument #1 ($filter) filter "userids" must hold user ids (int, at least 1)
ValueError: local_integrationhub\mih::privacy_delete(): Argument #1 ($filter) filter "userids" must be a non-empty list of user ids
{"tasks":0,"dead_letters":0,"log":0}
