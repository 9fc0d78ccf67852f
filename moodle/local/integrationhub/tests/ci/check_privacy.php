<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

/**
 * Part 4 of tests/ci/check.php: the privacy provider over the extension and a stand-in $DB.
 *
 * Events of two users in two contexts (and one in a context that no longer exists) go through
 * mih::emit() into a real store on the stand-in $DB, some are delivered into the DLQ, and the
 * provider must then report each user's contexts and each context's users, export exactly a user's
 * rows under the right context, and delete for a user, for a userlist and for a context while the
 * other rows stay. The upgrade step's backfill of the user and context columns runs too.
 * Included by check.php after part 3 (fakes.php), whose check() and fakes it uses.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// Run by check.php without Moodle: no config.php, no MOODLE_INTERNAL.
// phpcs:disable moodle.Files.MoodleInternal.MoodleInternalGlobalState

require_once(__DIR__ . '/privacy_fakes.php');
require_once($plugin . '/classes/privacy/provider.php');
require_once($plugin . '/db/upgrade.php');

local_integrationhub_ci_privacy();

/**
 * Moodle-like data of an event, with the ip and username the observer adds.
 *
 * @param string $name event class under \core\event
 * @param int $userid
 * @param int|null $relateduserid
 * @param int $contextid
 * @param string $username
 * @return array
 */
function local_integrationhub_ci_event(string $name, int $userid, ?int $relateduserid, int $contextid, string $username): array {
    $class = '\\core\\event\\' . $name;
    $data = (new $class(['userid' => $userid, 'relateduserid' => $relateduserid, 'contextid' => $contextid,
        'contextlevel' => CONTEXT_COURSE, 'other' => ['username' => $username]]))->get_data();
    return $data + ['ip' => '203.0.113.7', 'username' => $username];
}

/**
 * The contexts the provider reports for a user, sorted.
 *
 * @param int $userid
 * @return int[]
 */
function local_integrationhub_ci_contexts(int $userid): array {
    $ids = \local_integrationhub\privacy\provider::get_contexts_for_userid($userid)->get_contextids();
    sort($ids);
    return $ids;
}

/**
 * The users the provider reports in a context, sorted.
 *
 * @param int $contextid
 * @return int[]
 */
function local_integrationhub_ci_users(int $contextid): array {
    $userlist = new \core_privacy\local\request\userlist(\context::instance_by_id($contextid), 'local_integrationhub');
    \local_integrationhub\privacy\provider::get_users_in_context($userlist);
    $ids = $userlist->get_userids();
    sort($ids);
    return $ids;
}

/**
 * What the provider exported for a user in the approved contexts: context id => subcontext => data.
 *
 * @param int $userid
 * @param int[] $contextids
 * @return array
 */
function local_integrationhub_ci_export(int $userid, array $contextids): array {
    \core_privacy\local\request\writer::reset();
    \local_integrationhub\privacy\provider::export_user_data(new \core_privacy\local\request\approved_contextlist(
        (object)['id' => $userid],
        'local_integrationhub',
        $contextids
    ));
    return \core_privacy\local\request\writer::with_context(\context_system::instance())->exported;
}

/**
 * Runs the scenario.
 */
function local_integrationhub_ci_privacy(): void {
    global $DB, $CFG;

    $provider = \local_integrationhub\privacy\provider::class;
    $mih = \local_integrationhub\mih::class;
    $queue = get_string('privacy:path:queue', 'local_integrationhub');
    $dlq = get_string('privacy:path:dlq', 'local_integrationhub');

    $file = tempnam(sys_get_temp_dir(), 'mihciprivacy');
    $DB = new class ($file) extends mih_test_moodle_db {
        /** @var int as moodle_database::$inorequaluniqueindex */
        private $inorequal = 1;

        /**
         * moodle_database::get_in_or_equal() for ? and :named parameters.
         *
         * @param mixed $items
         * @param int $type
         * @param string $prefix
         * @param bool $equal
         * @return array [sql, params]
         */
        public function get_in_or_equal($items, $type = SQL_PARAMS_QM, $prefix = 'param', $equal = true) {
            $items = array_values((array)$items);
            if (!$items) {
                throw new coding_exception('moodle_database::get_in_or_equal() does not accept empty arrays');
            }
            $params = [];
            $marks = [];
            foreach ($items as $item) {
                if ($type == SQL_PARAMS_NAMED) {
                    $name = $prefix . $this->inorequal++;
                    $params[$name] = $item;
                    $marks[] = ':' . $name;
                } else {
                    $params[] = $item;
                    $marks[] = '?';
                }
            }
            $sql = count($marks) === 1 ? ($equal ? '= ' : '<> ') . $marks[0]
                : ($equal ? 'IN (' : 'NOT IN (') . implode(',', $marks) . ')';
            return [$sql, $params];
        }

        /**
         * moodle_database::get_records_select() over the fake's own SQL.
         *
         * @param string $table
         * @param string $select
         * @param array|null $params
         * @param string $sort
         * @param string $fields
         * @param int $limitfrom
         * @param int $limitnum
         * @return array
         */
        public function get_records_select(
            $table,
            $select,
            ?array $params = null,
            $sort = '',
            $fields = '*',
            $limitfrom = 0,
            $limitnum = 0
        ) {
            $sql = "SELECT $fields FROM {" . $table . '}' . ($select ? " WHERE $select" : '') . ($sort ? " ORDER BY $sort" : '');
            return $this->get_records_sql($sql, $params, $limitfrom, $limitnum);
        }

        /**
         * moodle_database::update_record(): the fields given, by id.
         *
         * @param string $table
         * @param object|array $dataobject
         * @param bool $bulk
         * @return bool
         */
        public function update_record($table, $dataobject, $bulk = false) {
            $fields = (array)$dataobject;
            $id = $fields['id'];
            unset($fields['id']);
            $set = implode(', ', array_map(fn($f) => "$f = ?", array_keys($fields)));
            return $this->execute("UPDATE {" . $table . "} SET $set WHERE id = ?", [...array_values($fields), $id]);
        }
    };
    $DB->execute('CREATE TABLE {user} (id INTEGER PRIMARY KEY, username TEXT)');
    $DB->execute("INSERT INTO {user} (id, username) VALUES (2, 'ana'), (5, 'maria'), (9, 'nadie')");
    $DB->execute('CREATE TABLE {context} (id INTEGER PRIMARY KEY, contextlevel INTEGER, instanceid INTEGER)');
    $DB->execute('INSERT INTO {context} (id, contextlevel, instanceid) VALUES (1, 10, 0), (30, 50, 3), (40, 50, 4)');
    $CFG->curlsecurityblockedhosts = '';
    $CFG->curlsecurityallowedport = '';
    \local_integrationhub\local\hub::reset();
    check(\local_integrationhub\local\hub::bind(), 'privacy: the store is bound to a fresh $DB');

    // Metadata: every table with user data, every string defined.
    $collection = $provider::get_metadata(new \core_privacy\local\metadata\collection('local_integrationhub'));
    $items = [];
    foreach ($collection->get_collection() as $item) {
        $items[$item['name']] = $item;
        foreach (array_merge([$item['summary']], array_values($item['fields'])) as $id) {
            check(!str_starts_with(get_string($id, 'local_integrationhub'), '[['), "privacy: string $id is defined");
        }
    }
    check(array_keys($items) === ['externalservices', 'local_integrationhub_queue', 'local_integrationhub_dlq',
        'local_integrationhub_log'], 'privacy: metadata names the external services and the three tables');
    foreach (['local_integrationhub_queue', 'local_integrationhub_dlq'] as $table) {
        check(
            isset(
                $items[$table]['fields']['userid'],
                $items[$table]['fields']['relateduserid'],
                $items[$table]['fields']['payload'],
                $items[$table]['fields']['eventdata']
            ),
            "privacy: $table declares userid, relateduserid, payload and eventdata"
        );
    }

    // Port 1 refuses: "again" retries (its tasks stay queued), "once" gives up at once (a dead letter).
    $mih::save_service(['name' => 'again', 'base_url' => 'http://127.0.0.1:1', 'max_retries' => 0]);
    $mih::save_service(['name' => 'once', 'base_url' => 'http://127.0.0.1:1', 'max_retries' => 0, 'max_attempts' => 1]);
    $mih::save_rule(['eventname' => '\\core\\event\\user_loggedin', 'service' => 'again', 'endpoint' => '/login',
        'payload_template' => '{"text": "User {{username}} just logged in from IP {{ip}}!"}']);
    $mih::save_rule(['eventname' => '\\core\\event\\user_updated', 'service' => 'once', 'endpoint' => '/users/{{relateduserid}}',
        'payload_template' => '{"by": "{{username}}", "user": {{relateduserid}}}']);
    $emit = fn(array $data) => $mih::emit($data['eventname'], $data);
    $emit(local_integrationhub_ci_event('user_loggedin', 2, null, 30, 'ana'));
    $emit(local_integrationhub_ci_event('user_loggedin', 5, null, 40, 'maria'));
    $emit(local_integrationhub_ci_event('user_updated', 2, 5, 40, 'ana'));       // Ana edits Maria's profile.
    $emit(local_integrationhub_ci_event('user_loggedin', 5, null, 99, 'maria')); // A context deleted since.
    $mih::enqueue('again', '/direct', ['not' => 'an event']);
    $run = $mih::run_queue();
    check($run['retried'] === 4 && $run['dead'] === 1, 'privacy: four tasks queued for a retry, one dead letter: '
        . json_encode($run));
    $logrows = count($mih::log(['limit' => 100]));
    check($logrows === 5, "privacy: one log row per delivery attempt ($logrows)");

    // Contexts and users.
    check(local_integrationhub_ci_contexts(2) === [30, 40], 'privacy: ana\'s contexts are 30 and 40: '
        . json_encode(local_integrationhub_ci_contexts(2)));
    check(local_integrationhub_ci_contexts(5) === [1, 40], 'privacy: maria\'s contexts are 40 and the system context '
        . '(for the deleted context 99): ' . json_encode(local_integrationhub_ci_contexts(5)));
    check(local_integrationhub_ci_contexts(9) === [], 'privacy: a user without rows has no context');
    check(local_integrationhub_ci_users(30) === [2], 'privacy: context 30 holds ana');
    check(local_integrationhub_ci_users(40) === [2, 5], 'privacy: context 40 holds ana and maria (related user)');
    check(local_integrationhub_ci_users(1) === [5], 'privacy: the system context holds maria (deleted context)');

    // Export: ana's rows under their contexts, nothing of maria's own.
    $exported = local_integrationhub_ci_export(2, [30, 40]);
    check(array_keys($exported) == [30, 40], 'privacy: ana\'s export has contexts 30 and 40');
    $login = $exported[30][$queue]->deliveries ?? [];
    check(count($login) === 1 && !isset($exported[30][$dlq]), 'privacy: context 30 holds one queued delivery of ana');
    $t = $login[0] ?? new stdClass();
    check(
        ($t->eventname ?? null) === '\\core\\event\\user_loggedin' && ($t->service ?? null) === 'again'
        && ($t->status ?? null) === 'retrying' && ($t->userid ?? null) === 2
        && property_exists($t, 'relateduserid') && $t->relateduserid === null,
        'privacy: the queued delivery names event, service, status and user: ' . json_encode($t)
    );
    check(
        ($t->payload ?? null) === '{"text": "User ana just logged in from IP 203.0.113.7!"}',
        'privacy: the queued delivery carries its exact payload'
    );
    check(
        ($t->eventdata->ip ?? null) === '203.0.113.7' && ($t->eventdata->other->username ?? null) === 'ana',
        'privacy: the event data is exported as data'
    );
    check(is_string($t->timecreated ?? null) && is_string($t->nextrun ?? null), 'privacy: times are exported as dates');
    $dead = $exported[40][$dlq]->deliveries ?? [];
    check(count($dead) === 1 && !isset($exported[40][$queue]), 'privacy: context 40 holds ana\'s dead letter only');
    $d = $dead[0] ?? new stdClass();
    check(
        ($d->userid ?? null) === 2 && ($d->relateduserid ?? null) === 5 && ($d->payload ?? null) === '{"by": "ana", "user": 5}'
        && str_starts_with((string)($d->error ?? ''), 'connection refused') && is_string($d->timefailed ?? null),
        'privacy: the dead letter names both users, its payload, error and times: ' . json_encode($d)
    );
    $exported = local_integrationhub_ci_export(5, [1, 40]);
    check(
        count($exported[1][$queue]->deliveries ?? []) === 1 && count($exported[40][$queue]->deliveries ?? []) === 1
        && count($exported[40][$dlq]->deliveries ?? []) === 1,
        'privacy: maria\'s export: the deleted context\'s row under the system context, her row and the one about her in 40'
    );
    $exported = local_integrationhub_ci_export(5, [40]);
    check(array_keys($exported) == [40], 'privacy: only approved contexts are exported');

    // The upgrade step fills the columns of rows written before they existed, from the event data.
    foreach (['local_integrationhub_queue', 'local_integrationhub_dlq'] as $table) {
        $DB->execute("UPDATE {" . $table . "} SET userid = NULL, relateduserid = NULL, contextid = NULL");
    }
    check(local_integrationhub_ci_contexts(2) === [], 'privacy: without the columns nothing is found');
    $filled = local_integrationhub_upgrade_privacy_links(2);
    check($filled === 4, "privacy: the upgrade backfill links the four rows that have event data ($filled)");
    check(
        local_integrationhub_ci_contexts(2) === [30, 40] && local_integrationhub_ci_contexts(5) === [1, 40],
        'privacy: after the backfill the contexts are found again'
    );
    check(local_integrationhub_upgrade_privacy_links() === 0, 'privacy: the backfill has nothing left to do');

    // Deletion for a user: ana in context 30; her row in 40 and maria's rows (one in 30 too) stay.
    $emit(local_integrationhub_ci_event('user_loggedin', 5, null, 30, 'maria'));
    $provider::delete_data_for_user(new \core_privacy\local\request\approved_contextlist(
        (object)['id' => 2],
        'local_integrationhub',
        [30]
    ));
    check(local_integrationhub_ci_contexts(2) === [40], 'privacy: ana\'s rows in context 30 are deleted, 40 stays');
    check(local_integrationhub_ci_contexts(5) === [1, 30, 40], 'privacy: maria\'s rows stay, in context 30 too');
    check(count($mih::log(['limit' => 100])) === $logrows - 1, 'privacy: the log row of ana\'s deleted delivery is deleted');

    // Deletion for a userlist: maria (and a user without rows) in context 40, the row about her included;
    // ana's own new row there stays.
    $emit(local_integrationhub_ci_event('user_loggedin', 2, null, 40, 'ana'));
    $provider::delete_data_for_users(new \core_privacy\local\request\approved_userlist(
        \context::instance_by_id(40),
        'local_integrationhub',
        [5, 9]
    ));
    check(local_integrationhub_ci_users(40) === [2], 'privacy: only ana is left in context 40 after deleting maria there');
    check(
        local_integrationhub_ci_contexts(2) === [40] && local_integrationhub_ci_contexts(5) === [1, 30],
        'privacy: the dead letter linked to both is gone; maria\'s rows elsewhere stay'
    );
    check(count($mih::privacy_export(['userid' => 2])['dead_letters']) === 0, 'privacy: ana has no dead letter left');

    // Deletion for a context: everyone's rows in context 30, nothing elsewhere.
    $emit(local_integrationhub_ci_event('user_loggedin', 2, null, 30, 'ana'));
    check(local_integrationhub_ci_users(30) === [2, 5], 'privacy: context 30 holds ana and maria');
    $provider::delete_data_for_all_users_in_context(\context::instance_by_id(30));
    check(local_integrationhub_ci_users(30) === [] && local_integrationhub_ci_contexts(2) === [40]
        && local_integrationhub_ci_contexts(5) === [1], 'privacy: deleting context 30 leaves the other contexts');
    // The system context: rows of deleted contexts and rows without one.
    $provider::delete_data_for_all_users_in_context(\context_system::instance());
    check(
        local_integrationhub_ci_contexts(5) === [] && $mih::privacy_contexts() === [40],
        'privacy: deleting the system context removes the rows of deleted contexts and those without a context'
    );
    check(count($mih::tasks()) === 1 && count($mih::dead_letters()) === 0, 'privacy: only ana\'s row in 40 is left');

    \local_integrationhub\local\hub::reset();
    foreach (['', '-wal', '-shm'] as $suffix) {
        @unlink($file . $suffix);
    }
    echo "privacy: provider checked over the fake \$DB (contexts, users, export, deletion, upgrade backfill)\n";
}
