--TEST--
dbstore: the error search asks $DB->sql_like() for its condition (case-insensitive, escape \); a $DB without it, or with a broken one, fails only that search
--EXTENSIONS--
mih
pdo
pdo_sqlite
--FILE--
<?php
require __DIR__ . '/../store.inc';
use local_integrationhub\mih;

class recording_db extends mih_test_moodle_db
{
    public array $likes = [];
    public $answer = null;   // what sql_like() returns instead, when set

    public function sql_like($fieldname, $param, $casesensitive = true, $accentsensitive = true, $notlike = false, $escapechar = '\\')
    {
        $this->likes[] = func_get_args();
        if ($this->answer instanceof Throwable) {
            throw $this->answer;
        }
        return $this->answer ?? parent::sql_like($fieldname, $param, $casesensitive, $accentsensitive, $notlike, $escapechar);
    }
}

/* Only the methods the store needs, without sql_like(). */
class no_like_db
{
    public function __construct(private mih_test_moodle_db $inner) {}
    public function execute($sql, ?array $params = null) { return $this->inner->execute($sql, $params); }
    public function get_records_sql($sql, ?array $params = null, $limitfrom = 0, $limitnum = 0) { return $this->inner->get_records_sql($sql, $params, $limitfrom, $limitnum); }
    public function insert_record($table, $dataobject, $returnid = true, $bulk = false) { return $this->inner->insert_record($table, $dataobject, $returnid, $bulk); }
    public function start_delegated_transaction() { return $this->inner->start_delegated_transaction(); }
    public function get_dbfamily() { return $this->inner->get_dbfamily(); }
    public function get_prefix() { return $this->inner->get_prefix(); }
}

function attempt(callable $fn): void
{
    try {
        echo var_export($fn(), true), "\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}

$file = tempnam(sys_get_temp_dir(), 'mih_sql_like_');
register_shutdown_function(fn() => array_map('unlink', glob("$file*")));
$db = new recording_db($file);
mih::use_db($db);
mih::save_service(['name' => 'a', 'base_url' => 'http://127.0.0.1:1']);
// a rule whose template fails on the event data sends its task straight to the DLQ
mih::save_rule(['eventname' => '\core\event\user_created', 'service' => 'a', 'payload_template' => '{"n": {{#a}}{{/a}}']);
mih::emit('\core\event\user_created', ['objectid' => 1]);
$d = mih::dead_letters()[0];
echo $d['error'], "\n";
$words = explode(' ', $d['error']);
echo mih::count_dead_letters(['error' => strtoupper($words[0])]), ' ', count(mih::dead_letters(['error' => $words[0]])), "\n";
var_dump($db->likes[0]);
var_dump(count($db->likes) === 2 && $db->likes[1] === ['d.error_message', '?', false, true, false, '\\']);

$db->answer = 42;
attempt(fn() => mih::count_dead_letters(['error' => 'x']));
$db->answer = 'error_message = 1';
attempt(fn() => mih::count_dead_letters(['error' => 'x']));
$db->answer = new dml_exception('dmlreadexception');
attempt(fn() => mih::count_dead_letters(['error' => 'x']));
$db->answer = null;
attempt(fn() => mih::count_dead_letters(['error' => 'no such text']));

mih::use_db(new no_like_db($db));
attempt(fn() => mih::count_dead_letters());
attempt(fn() => count(mih::dead_letters(['service' => 'a'])));
attempt(fn() => mih::dead_letters(['error' => 'x']));
attempt(fn() => mih::purge_dead_letters(['error' => 'x']));
attempt(fn() => mih::count_dead_letters());
?>
--EXPECTF--
%s
1 1
array(6) {
  [0]=>
  string(13) "error_message"
  [1]=>
  string(1) "?"
  [2]=>
  bool(false)
  [3]=>
  bool(true)
  [4]=>
  bool(false)
  [5]=>
  string(1) "\"
}
bool(true)
local_integrationhub\store_exception: could not count dead letters: $DB->sql_like() returned int, expected an SQL condition with one ?
local_integrationhub\store_exception: could not count dead letters: $DB->sql_like() returned an unusable string, expected an SQL condition with one ?
local_integrationhub\store_exception: could not count dead letters: $DB->sql_like() failed: dml_exception: %s
0
1
1
local_integrationhub\store_exception: could not list dead letters: the $DB object (class no_like_db) has no public method sql_like(), which a search by text needs
local_integrationhub\store_exception: could not purge dead letters: the $DB object (class no_like_db) has no public method sql_like(), which a search by text needs
1
