<?php
/*
 * AMQP publish throughput (issue 19): the queue worker publishing queued deliveries with
 * publisher confirms (each task marked delivered only once the broker confirmed it) against
 * Debian's php-amqplib publishing the same messages without confirms, in the same run, on a
 * private RabbitMQ node (scripts/rabbitmq.sh) on 127.0.0.1:
 *   - mih run_queue: N queued tasks drained by mih::run_queue() (store durability normal),
 *     confirms awaited per batch, over one kept connection;
 *   - mih::request: N synchronous calls, each waiting for its own confirm;
 *   - php-amqplib, one connection, no confirms: basic_publish in a loop (the best case of
 *     the PHP plugin's transport);
 *   - php-amqplib as the PHP plugin called it: a connection and a channel per message.
 * Prints a markdown section on stdout, progress on stderr.
 *
 *   php -d extension=modules/mih.so -d extension=mbstring bench/amqp/run.php
 *
 * BENCH_RUNS (3), BENCH_AMQP_MESSAGES (5000 per engine and run; the per-message-connection
 * baseline sends a tenth of that).
 */

use local_integrationhub\mih;
use PhpAmqpLib\Connection\AMQPStreamConnection;
use PhpAmqpLib\Message\AMQPMessage;

require __DIR__ . '/../lib/common.php';
require '/usr/share/php/PhpAmqpLib/autoload.php';

if (!extension_loaded('mbstring')) {
	dl('mbstring.so');
}
$runs = bench_env_int('BENCH_RUNS', 3);
$n = bench_env_int('BENCH_AMQP_MESSAGES', 5000);
$dir = bench_tmpdir('amqp');
$root = dirname(__DIR__, 2);
$p = fn(string $line) => bench_progress('amqp', $line);

/* The private broker, as the tests start it. */
$sh = 'set -e; . scripts/lib.sh; MIH_ROOT="$PWD"; MIH_AMQP_DIR="$1"; . scripts/dbservers.sh; . scripts/rabbitmq.sh; ';
$out = [];
exec('cd ' . escapeshellarg($root) . ' && sh -c ' . escapeshellarg($sh . 'mih_rabbitmq_start >&2; '
	. 'echo "$MIH_TEST_AMQP_URL $MIH_AMQP_PORT $MIH_AMQP_DIST_PORT $MIH_AMQP_EPMD_PORT"') . ' sh ' . escapeshellarg("$dir/broker"),
	$out, $rc);
if ($rc !== 0 || !$out) {
	fwrite(STDERR, "amqp: the private RabbitMQ did not start\n");
	exit(1);
}
[$url, $port, $distport, $epmdport] = explode(' ', end($out));
$stop = function () use ($root, $sh, $dir, $port, $distport, $epmdport) {
	exec('cd ' . escapeshellarg($root) . " && MIH_AMQP_PORT=$port MIH_AMQP_DIST_PORT=$distport MIH_AMQP_EPMD_PORT=$epmdport sh -c "
		. escapeshellarg($sh . 'mih_rabbitmq_stop') . ' sh ' . escapeshellarg("$dir/broker"));
};
register_shutdown_function(function () use ($stop, $dir) {
	$stop();
	bench_rmtree($dir);
});

$u = parse_url($url);
$consumer = new AMQPStreamConnection($u['host'], $u['port'], $u['user'], $u['pass'], '/');
$cch = $consumer->channel();
$queue = 'bench.amqp';
$cch->queue_declare($queue, false, true, false, false);
$payload = json_encode(BENCH_PAYLOAD, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);

bench_store($dir, "$dir/store.sqlite", $url . '?routing_key=' . $queue, 'normal', ['type' => 'amqp']);
/* A queue of $n tasks, copied for each drain so that every drain starts alike. */
for ($i = 0; $i < $n; $i++) {
	mih::enqueue('bench', '/', $payload);
}
mih::use_sqlite("$dir/idle.sqlite");
$template = "$dir/store.sqlite";

$amqplib = null;
$engines = [
	'mih run_queue (confirms)' => function (int $n) use ($dir, $template) {
		[$rate, $result] = bench_drain_copy($dir, $template, 'normal', ['concurrency' => 64, 'per_service' => 64]);
		return [$result['delivered'], $rate];
	},
	'mih::request (confirm per call)' => function (int $n) use ($dir, $payload) {
		mih::use_sqlite("$dir/store.sqlite");
		$ok = 0;
		$t = hrtime(true);
		for ($i = 0; $i < $n; $i++) {
			$ok += mih::request('bench', '/', $payload)->success;
		}
		$rate = $n / ((hrtime(true) - $t) / 1e9);
		mih::use_sqlite("$dir/idle.sqlite");
		return [$ok, $rate];
	},
	'php-amqplib, one connection, no confirms' => function (int $n) use ($u, $queue, $payload, &$amqplib) {
		$amqplib ??= (new AMQPStreamConnection($u['host'], $u['port'], $u['user'], $u['pass'], '/'))->channel();
		$t = hrtime(true);
		for ($i = 0; $i < $n; $i++) {
			$msg = new AMQPMessage($payload, ['delivery_mode' => AMQPMessage::DELIVERY_MODE_PERSISTENT,
				'content_type' => 'application/json', 'message_id' => "m$i"]);
			$amqplib->basic_publish($msg, '', $queue);
		}
		return [$n, $n / ((hrtime(true) - $t) / 1e9)];
	},
	'php-amqplib as the PHP plugin (a connection per message, no confirms)' => function (int $n) use ($u, $queue, $payload) {
		$n = max(1, intdiv($n, 10));
		$t = hrtime(true);
		for ($i = 0; $i < $n; $i++) {
			$c = new AMQPStreamConnection($u['host'], $u['port'], $u['user'], $u['pass'], '/');
			$ch = $c->channel();
			$ch->basic_publish(new AMQPMessage($payload, ['delivery_mode' => AMQPMessage::DELIVERY_MODE_PERSISTENT,
				'content_type' => 'application/json']), '', $queue);
			$ch->close();
			$c->close();
		}
		return [$n, $n / ((hrtime(true) - $t) / 1e9)];
	},
];
$count = function () use ($cch, $queue) {
	[, $messages] = $cch->queue_declare($queue, true);
	return (int)$messages;
};

$rates = array_fill_keys(array_keys($engines), []);
for ($r = 0; $r < $runs; $r++) {
	foreach (rotated(array_keys($engines), $r) as $name) {
		$cch->queue_purge($queue);
		[$ok, $rate] = $engines[$name]($n);
		usleep(300000);   /* the broker settles what was published without confirms */
		$held = $count();
		if ($ok <= 0 || $held < $ok) {
			fwrite(STDERR, "amqp: $name: $ok published, the queue holds $held\n");
			exit(1);
		}
		$rates[$name][] = $rate;
		$p(sprintf('run %d: %s %s msg/s (%d in the queue)', $r + 1, $name, fmt($rate), $held));
	}
}
$consumer->close();

$names = array_keys($engines);
$missed = [];
$lines = [];
$lines[] = '## AMQP publishing with confirms (bench/amqp)';
$lines[] = '';
$lines[] = "Broker: Debian's rabbitmq-server, a private node on 127.0.0.1 (scripts/rabbitmq.sh), one durable queue, persistent messages of "
	. strlen($payload) . " bytes. $n messages per engine and run (the per-message-connection baseline: " . max(1, intdiv($n, 10))
	. "). Median over $runs runs, engines interleaved in a rotating order.";
$lines[] = '';
$lines[] = '- **mih run_queue**: a queue of tasks in the SQLite store (durability normal) drained by `mih::run_queue([\'concurrency\' => 64, \'per_service\' => 64])`: each claimed batch published on one kept connection with publisher confirms, every task marked delivered only after its ack (the store writes included).';
$lines[] = '- **mih::request**: one synchronous call per message, each waiting for its own confirm, a request-log row each.';
$lines[] = '- **php-amqplib, no confirms**: `basic_publish` in a loop on one channel, nothing awaited: what is lost when the broker fails is not known.';
$lines[] = '- **php-amqplib as the PHP plugin**: its transport opened a connection and a channel for every message.';
$lines[] = '';
$lines[] = '| publisher | median msg/s | slowest – fastest run |';
$lines[] = '| --- | ---: | --- |';
foreach ($names as $name) {
	$lines[] = rate_row($name, $rates[$name]);
}
$lines[] = '';
$lines[] = '| ratio (same run) | median | slowest – fastest run | |';
$lines[] = '| --- | ---: | --- | --- |';
$lines[] = ratio_row('mih run_queue (confirms) / php-amqplib loop without confirms', $rates[$names[0]], $rates[$names[2]], null, $missed, 'amqp');
$lines[] = ratio_row('mih run_queue (confirms) / php-amqplib as the PHP plugin', $rates[$names[0]], $rates[$names[3]], null, $missed, 'amqp');
$lines[] = ratio_row('mih::request (confirm per call) / php-amqplib as the PHP plugin', $rates[$names[1]], $rates[$names[3]], null, $missed, 'amqp');
echo implode("\n", $lines), "\n";
exit(0);
