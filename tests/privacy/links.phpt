--TEST--
mih::emit links tasks and dead letters to the event's userid, relateduserid and contextid; they move to the DLQ and back on replay; privacy_contexts() and privacy_users()
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../store.inc';
use local_integrationhub\mih;

mih_test_use_store('privacy_links');
mih::save_service(['name' => 'crm', 'base_url' => 'http://127.0.0.1:1']);
mih::save_rule(['eventname' => '\core\event\user_updated', 'service' => 'crm', 'endpoint' => '/u',
    'payload_template' => '{"who": "{{other.username}}"}']);
// renders invalid JSON for this data: the task goes to the DLQ at emit time
mih::save_rule(['eventname' => '\core\event\user_graded', 'service' => 'crm', 'endpoint' => '/g',
    'payload_template' => '{"grade": {{{other.raw}}}}']);

function links(array $row): string
{
    return json_encode([$row['userid'], $row['relateduserid'], $row['contextid']]);
}

// ana (2) updates maria (5) in context 30; maria (5) acts in context 40; ids may come as strings
mih::emit('\core\event\user_updated', ['userid' => 2, 'relateduserid' => 5, 'contextid' => 30,
    'other' => ['username' => 'maria']]);
mih::emit('\core\event\user_updated', (object)['userid' => '5', 'relateduserid' => null, 'contextid' => '40',
    'other' => ['username' => 'maria']]);
// nothing usable: no links
mih::emit('\core\event\user_updated', ['userid' => 0, 'relateduserid' => -1, 'contextid' => 1.5, 'other' => null]);
// queued without an event
mih::enqueue('crm', '/direct', ['x' => 1]);
// a template failure at emit time keeps the links in the DLQ
mih::emit('\core\event\user_graded', ['userid' => 7, 'relateduserid' => 2, 'contextid' => 40,
    'other' => ['raw' => 'not json']]);

echo "tasks:";
foreach (mih::privacy_export(['userid' => 2])['tasks'] as $t) {
    echo ' ', links($t);
}
foreach (mih::privacy_export(['contextid' => null])['tasks'] as $t) {
    echo ' ', links($t);
}
echo "\ndead letter: ", links(mih::privacy_export(['userid' => 7])['dead_letters'][0]), "\n";

echo 'contexts of 2: ', json_encode(mih::privacy_contexts(2)), "\n";
echo 'contexts of 5: ', json_encode(mih::privacy_contexts(5)), "\n";
echo 'contexts of 9: ', json_encode(mih::privacy_contexts(9)), "\n";
echo 'all contexts: ', json_encode(mih::privacy_contexts()), "\n";
echo 'users in 30: ', json_encode(mih::privacy_users(30)), "\n";
echo 'users in 40: ', json_encode(mih::privacy_users(40)), "\n";
echo 'users without a context: ', json_encode(mih::privacy_users(null)), "\n";

// replayed, the dead letter's task keeps its links
$dead = mih::dead_letters()[0];
$task = mih::replay($dead['id']);
foreach (mih::privacy_export(['userid' => 7])['tasks'] as $t) {
    echo $t['id'] === $task ? 'the replayed task: ' : 'another task: ', links($t), "\n";
}
echo 'dead letters of 7: ', count(mih::privacy_export(['userid' => 7])['dead_letters']), "\n";
?>
--EXPECT--
tasks: [2,5,30] [null,null,null] [null,null,null]
dead letter: [7,2,40]
contexts of 2: [30,40]
contexts of 5: [30,40]
contexts of 9: []
all contexts: [null,30,40]
users in 30: [2,5]
users in 40: [2,5,7]
users without a context: []
the replayed task: [7,2,40]
dead letters of 7: 0
