--TEST--
store: a child forked after mih::use_sqlite() opens the same file again, never the default store
--EXTENSIONS--
mih
--SKIPIF--
<?php if (!function_exists('pcntl_fork')) die('skip needs pcntl_fork'); ?>
--FILE--
<?php
use local_integrationhub\mih;

$dir = sys_get_temp_dir() . '/mih-fork-store-' . getmypid() . '-' . bin2hex(random_bytes(4));
mkdir($dir, 0700);
$parent = getmypid();
register_shutdown_function(static function () use ($dir, $parent): void {
    if (getmypid() === $parent) {
        foreach (glob("$dir/*") as $f) {
            unlink($f);
        }
        rmdir($dir);
    }
});
ini_set('mih.store_path', "$dir/default.sqlite");
mih::use_sqlite("$dir/bound.sqlite");
mih::save_service(['name' => 'in-bound', 'base_url' => 'http://127.0.0.1:9']);

$pid = pcntl_fork();
if ($pid === 0) {
    $id = mih::enqueue('in-bound', '/from-child');
    file_put_contents("$dir/child.out", json_encode(array_column(mih::services(), 'name')) . " task $id\n");
    /* Not exit(): the child never closes the connection it inherited (that
     * is the parent's), which valgrind would report as lost at exit. */
    pcntl_exec('/bin/true');
    exit(0);
}
pcntl_waitpid($pid, $status);
echo 'child exited with ', pcntl_wexitstatus($status), "\n";
echo 'child saw ', file_get_contents("$dir/child.out");
echo 'parent sees tasks: ', json_encode(array_map(fn($t) => mih::task($t['id'])['endpoint'], mih::tasks())), "\n";
echo 'default store created: ', var_export(file_exists("$dir/default.sqlite"), true), "\n";
?>
--EXPECTF--
child exited with 0
child saw ["in-bound"] task %d
parent sees tasks: ["\/from-child"]
default store created: false
