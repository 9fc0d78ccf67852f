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
 * Minimal fakes of the Privacy API and of contexts for tests/ci/check_privacy.php.
 *
 * Only what the plugin's provider calls, with the signatures of Moodle's own classes
 * (privacy/classes/local/..., lib/classes/context*.php): contexts and users are read from the
 * {context} and {user} tables of the stand-in $DB, as Moodle reads them, and the writer records what
 * is exported per context and subcontext, as Moodle's PHPUnit content_writer does.
 *
 * @package    local_integrationhub
 * @copyright  2025 Integration Hub contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// phpcs:disable

namespace {
    define('CONTEXT_SYSTEM', 10);
    define('CONTEXT_USER', 30);
    define('CONTEXT_COURSE', 50);
    define('SYSCONTEXTID', 1);
    define('IGNORE_MISSING', 0);
    define('MUST_EXIST', 2);
    define('SQL_PARAMS_NAMED', 1);
    define('SQL_PARAMS_QM', 2);

    /** A context read from the {context} table (lib/classes/context.php). */
    abstract class context {
        /** @var int */
        protected $_id;
        /** @var int */
        protected $_contextlevel;
        /** @var int */
        protected $_instanceid;

        /**
         * @param stdClass $record a row of {context}
         */
        protected function __construct(stdClass $record) {
            $this->_id = (int)$record->id;
            $this->_contextlevel = (int)$record->contextlevel;
            $this->_instanceid = (int)$record->instanceid;
        }

        /**
         * Read-only id, contextlevel and instanceid, as in Moodle.
         *
         * @param string $name
         * @return mixed
         */
        public function __get($name) {
            if (in_array($name, ['id', 'contextlevel', 'instanceid'], true)) {
                return $this->{'_' . $name};
            }
            throw new coding_exception("Unknown context property $name");
        }

        /**
         * @param int $id
         * @param int $strictness IGNORE_MISSING or MUST_EXIST
         * @return context|false
         */
        public static function instance_by_id($id, $strictness = MUST_EXIST) {
            global $DB;

            $rows = $DB->get_records_sql('SELECT id, contextlevel, instanceid FROM {context} WHERE id = ?', [(int)$id]);
            if (!$rows) {
                if ($strictness == MUST_EXIST) {
                    throw new dml_exception('invalidrecord', 'context');
                }
                return false;
            }
            $record = reset($rows);
            $classes = [CONTEXT_SYSTEM => context_system::class, CONTEXT_USER => context_user::class,
                CONTEXT_COURSE => context_course::class];
            return new $classes[(int)$record->contextlevel]($record);
        }
    }

    /** The system context. */
    class context_system extends context {
        /**
         * @param int $instanceid
         * @param int $strictness
         * @param bool $cache
         * @return context_system
         */
        public static function instance($instanceid = 0, $strictness = MUST_EXIST, $cache = true) {
            return context::instance_by_id(SYSCONTEXTID, MUST_EXIST);
        }
    }

    /** A user's context. */
    class context_user extends context {
    }

    /** A course's context. */
    class context_course extends context {
    }
}

namespace core_privacy\local\metadata {
    /** privacy/classes/local/metadata/provider.php */
    interface provider {
        /**
         * @param collection $collection
         * @return collection
         */
        public static function get_metadata(collection $collection): collection;
    }

    /** privacy/classes/local/metadata/collection.php, its items kept as arrays. */
    class collection {
        /** @var string */
        protected $component;
        /** @var array */
        protected $collection = [];

        /**
         * @param string $component
         */
        public function __construct($component) {
            $this->component = $component;
        }

        /**
         * @param string $name
         * @param array $privacyfields
         * @param string $summary
         * @return $this
         */
        public function add_database_table($name, array $privacyfields, $summary = '') {
            $this->collection[] = ['type' => 'database_table', 'name' => $name, 'fields' => $privacyfields,
                'summary' => $summary];
            return $this;
        }

        /**
         * @param string $name
         * @param array $privacyfields
         * @param string $summary
         * @return $this
         */
        public function add_external_location_link($name, array $privacyfields, $summary = '') {
            $this->collection[] = ['type' => 'external_location', 'name' => $name, 'fields' => $privacyfields,
                'summary' => $summary];
            return $this;
        }

        /**
         * @return string
         */
        public function get_component() {
            return $this->component;
        }

        /**
         * @return array
         */
        public function get_collection() {
            return $this->collection;
        }
    }
}

namespace core_privacy\local\request {
    /** privacy/classes/local/request/data_provider.php */
    interface data_provider {
    }

    /** privacy/classes/local/request/core_data_provider.php */
    interface core_data_provider extends data_provider {
    }

    /** privacy/classes/local/request/core_user_data_provider.php */
    interface core_user_data_provider extends core_data_provider {
        /**
         * @param int $userid
         * @return contextlist
         */
        public static function get_contexts_for_userid(int $userid): contextlist;

        /**
         * @param approved_contextlist $contextlist
         */
        public static function export_user_data(approved_contextlist $contextlist);

        /**
         * @param \context $context
         */
        public static function delete_data_for_all_users_in_context(\context $context);

        /**
         * @param approved_contextlist $contextlist
         */
        public static function delete_data_for_user(approved_contextlist $contextlist);
    }

    /** privacy/classes/local/request/core_userlist_provider.php */
    interface core_userlist_provider {
        /**
         * @param userlist $userlist
         */
        public static function get_users_in_context(userlist $userlist);

        /**
         * @param approved_userlist $userlist
         */
        public static function delete_data_for_users(approved_userlist $userlist);
    }

    /** privacy/classes/local/request/contextlist_base.php */
    abstract class contextlist_base implements \Iterator, \Countable {
        /** @var int[] */
        private $contextids = [];
        /** @var string */
        protected $component = '';
        /** @var int */
        protected $iteratorposition = 0;

        /**
         * @param array $contextids
         */
        protected function set_contextids(array $contextids) {
            $this->contextids = array_values(array_unique($contextids));
        }

        /**
         * @return int[]
         */
        public function get_contextids(): array {
            return $this->contextids;
        }

        /**
         * @return \context[]
         */
        public function get_contexts(): array {
            return array_map(fn($id) => \context::instance_by_id($id), $this->contextids);
        }

        /**
         * @param string $component
         */
        protected function set_component($component) {
            $this->component = $component;
        }

        /**
         * @return string
         */
        public function get_component(): string {
            return $this->component;
        }

        /**
         * @return \context
         */
        public function current(): mixed {
            return \context::instance_by_id($this->contextids[$this->iteratorposition]);
        }

        /**
         * @return int
         */
        public function key(): mixed {
            return $this->iteratorposition;
        }

        /** Next context. */
        public function next(): void {
            ++$this->iteratorposition;
        }

        /**
         * @return bool
         */
        public function valid(): bool {
            return isset($this->contextids[$this->iteratorposition]);
        }

        /** First context. */
        public function rewind(): void {
            $this->iteratorposition = 0;
        }

        /**
         * @return int
         */
        public function count(): int {
            return count($this->contextids);
        }
    }

    /** privacy/classes/local/request/contextlist.php */
    class contextlist extends contextlist_base {
        /**
         * Adds the contexts whose ids the SQL selects, as far as they exist.
         *
         * @param string $sql
         * @param array $params
         * @return $this
         */
        public function add_from_sql($sql, array $params) {
            global $DB;

            $contexts = $DB->get_records_sql("SELECT ctx.id AS ctxid FROM {context} ctx WHERE id IN ($sql)", $params);
            $this->set_contextids(array_merge($this->get_contextids(), array_map('intval', array_keys($contexts))));
            return $this;
        }

        /**
         * @param string $component
         */
        public function set_component($component) {
            parent::set_component($component);
        }
    }

    /** privacy/classes/local/request/approved_contextlist.php */
    class approved_contextlist extends contextlist_base {
        /** @var \stdClass */
        protected $user;

        /**
         * @param \stdClass $user
         * @param string $component
         * @param int[] $contextids
         */
        public function __construct(\stdClass $user, string $component, array $contextids) {
            $this->user = $user;
            $this->set_component($component);
            $this->set_contextids($contextids);
        }

        /**
         * @return \stdClass
         */
        public function get_user(): \stdClass {
            return $this->user;
        }
    }

    /** privacy/classes/local/request/userlist_base.php, without the iterator over user records. */
    abstract class userlist_base implements \Countable {
        /** @var int[] */
        private $userids = [];
        /** @var string */
        protected $component = '';
        /** @var \context */
        protected $context;

        /**
         * @param \context $context
         * @param string $component
         */
        public function __construct(\context $context, string $component) {
            $this->context = $context;
            $this->component = $component;
        }

        /**
         * @param array $userids
         * @return $this
         */
        protected function set_userids(array $userids): userlist_base {
            $this->userids = array_values(array_unique($userids));
            return $this;
        }

        /**
         * @param array $userids
         * @return $this
         */
        protected function add_userids(array $userids): userlist_base {
            return $this->set_userids(array_merge($this->userids, $userids));
        }

        /**
         * @return int[]
         */
        public function get_userids(): array {
            return $this->userids;
        }

        /**
         * @return string
         */
        public function get_component(): string {
            return $this->component;
        }

        /**
         * @return \context
         */
        public function get_context(): \context {
            return $this->context;
        }

        /**
         * @return int
         */
        public function count(): int {
            return count($this->userids);
        }
    }

    /** privacy/classes/local/request/userlist.php */
    class userlist extends userlist_base {
        /**
         * Adds the users the SQL selects in $fieldname, as far as they exist.
         *
         * @param string $fieldname
         * @param string $sql
         * @param array $params
         * @return userlist
         */
        public function add_from_sql(string $fieldname, string $sql, array $params): userlist {
            global $DB;

            $users = $DB->get_records_sql("SELECT DISTINCT u.id FROM {user} u JOIN ($sql) target ON u.id = target.$fieldname",
                $params);
            $this->add_userids(array_map('intval', array_keys($users)));
            return $this;
        }

        /**
         * @param int[] $userids
         * @return userlist
         */
        public function add_users(array $userids): userlist {
            global $DB;

            if (!empty($userids)) {
                [$useridsql, $useridparams] = $DB->get_in_or_equal($userids, SQL_PARAMS_NAMED);
                $this->add_from_sql('id', "SELECT DISTINCT u.id FROM {user} u WHERE u.id $useridsql", $useridparams);
            }
            return $this;
        }
    }

    /** privacy/classes/local/request/approved_userlist.php */
    class approved_userlist extends userlist_base {
        /**
         * @param \context $context
         * @param string $component
         * @param int[] $userids
         */
        public function __construct(\context $context, string $component, array $userids) {
            parent::__construct($context, $component);
            $this->set_userids($userids);
        }
    }

    /** privacy/classes/local/request/transform.php */
    class transform {
        /**
         * @param int $userid
         * @return mixed
         */
        public static function user(int $userid) {
            return $userid;
        }

        /**
         * A fixed format instead of userdate() with strftimedaydatetime.
         *
         * @param int $datetime
         * @return string
         */
        public static function datetime($datetime) {
            return gmdate('l, j F Y, g:i A', (int)$datetime);
        }
    }

    /** The part of privacy/classes/local/request/content_writer.php the provider uses. */
    interface content_writer {
        /**
         * @param writer $writer
         */
        public function __construct(writer $writer);

        /**
         * @param \context $context
         * @return content_writer
         */
        public function set_context(\context $context): content_writer;

        /**
         * @param array $subcontext
         * @param \stdClass $data
         * @return content_writer
         */
        public function export_data(array $subcontext, \stdClass $data): content_writer;
    }

    /** Records exported data by context id and subcontext, like core_privacy\tests\request\content_writer. */
    class recording_content_writer implements content_writer {
        /** @var array context id => subcontext path => data */
        public $exported = [];
        /** @var \context */
        protected $context;

        /**
         * @param writer $writer
         */
        public function __construct(writer $writer) {
        }

        /**
         * @param \context $context
         * @return content_writer
         */
        public function set_context(\context $context): content_writer {
            $this->context = $context;
            return $this;
        }

        /**
         * @param array $subcontext
         * @param \stdClass $data
         * @return content_writer
         */
        public function export_data(array $subcontext, \stdClass $data): content_writer {
            $this->exported[$this->context->id][implode('/', $subcontext)] = $data;
            return $this;
        }

        /**
         * What was exported in the current context at the subcontext.
         *
         * @param array $subcontext
         * @return \stdClass|null
         */
        public function get_data(array $subcontext = []) {
            return $this->exported[$this->context->id][implode('/', $subcontext)] ?? null;
        }
    }

    /** privacy/classes/local/request/writer.php, always with the recording writer. */
    class writer {
        /** @var writer|null */
        protected static $instance = null;
        /** @var content_writer|null */
        protected $realwriter = null;

        /** Through instance() only. */
        protected function __construct() {
        }

        /**
         * @return content_writer
         */
        protected function get_writer_instance() {
            if (null === $this->realwriter) {
                $this->realwriter = new recording_content_writer(static::instance());
            }
            return $this->realwriter;
        }

        /**
         * @return writer
         */
        final protected static function instance() {
            if (null === self::$instance) {
                self::$instance = new static();
            }
            return self::$instance;
        }

        /** Forgets everything exported. */
        final public static function reset() {
            static::$instance = null;
        }

        /**
         * @param \context $context
         * @return content_writer
         */
        public static function with_context(\context $context) {
            return static::instance()->get_writer_instance()->set_context($context);
        }
    }
}

namespace core_privacy\local\request\plugin {
    /** privacy/classes/local/request/plugin/provider.php */
    interface provider extends \core_privacy\local\request\core_user_data_provider {
    }
}
