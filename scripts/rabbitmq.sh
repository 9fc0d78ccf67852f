# A private RabbitMQ broker for the test run (sourced by scripts/test.sh
# after lib.sh and dbservers.sh, never run on its own; bench/ uses it too).
#
# mih_rabbitmq_start installs Debian's rabbitmq-server when missing (with
# Debian's own service start-up forbidden: its postinst would start a system
# broker on 5672), then starts one node under tests/.amqp/ (gitignored) as
# the current user: its own node name, Mnesia and log folders, config file,
# an empty plugin list, its own HOME (for the .erlang.cookie), the AMQP
# listener on 127.0.0.1 and a free port, and a private epmd on another free
# port, so it never meets another Erlang node or epmd on this machine. It
# exports for the tests:
#   MIH_TEST_AMQP_URL="amqp://mih:<password>@127.0.0.1:<port>/"
#   MIH_TEST_AMQP_CTL  a command that runs rabbitmqctl against this node
#   MIH_TEST_AMQP_DIR  the node's folder
# mih_rabbitmq_stop stops the node and its epmd and removes the folder.
# Tests stop and restart the broker with $MIH_TEST_AMQP_CTL stop_app /
# start_app (the Erlang VM stays, so the ports stay the node's).

MIH_AMQP_DIR="${MIH_AMQP_DIR:-$MIH_ROOT/tests/.amqp}"
MIH_RABBIT_BIN=/usr/lib/rabbitmq/bin

# The environment every rabbitmq command of this node runs under.
mih_rabbitmq_env() {
	cat <<-EOF
		RABBITMQ_NODENAME=mihtest@localhost
		RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
		RABBITMQ_NODE_PORT=${MIH_AMQP_PORT:-0}
		RABBITMQ_DIST_PORT=${MIH_AMQP_DIST_PORT:-0}
		ERL_EPMD_PORT=${MIH_AMQP_EPMD_PORT:-0}
		ERL_EPMD_ADDRESS=127.0.0.1
		RABBITMQ_MNESIA_BASE=$MIH_AMQP_DIR/mnesia
		RABBITMQ_LOG_BASE=$MIH_AMQP_DIR/log
		RABBITMQ_CONFIG_FILE=$MIH_AMQP_DIR/rabbitmq.conf
		RABBITMQ_ADVANCED_CONFIG_FILE=$MIH_AMQP_DIR/advanced.config
		RABBITMQ_ENABLED_PLUGINS_FILE=$MIH_AMQP_DIR/enabled_plugins
		RABBITMQ_CONF_ENV_FILE=$MIH_AMQP_DIR/rabbitmq-env.conf
		RABBITMQ_PID_FILE=$MIH_AMQP_DIR/rabbitmq.pid
		RABBITMQ_LOGS=$MIH_AMQP_DIR/log/node.log
		HOME=$MIH_AMQP_DIR/home
		ERL_CRASH_DUMP=$MIH_AMQP_DIR/log/erl_crash.dump
	EOF
}

mih_rabbitmq_ctl() {
	env $(mih_rabbitmq_env) "$MIH_RABBIT_BIN/rabbitmqctl" -n mihtest@localhost "$@"
}

mih_rabbitmq_stop() {
	[ -d "$MIH_AMQP_DIR" ] || return 0
	if [ -f "$MIH_AMQP_DIR/rabbitmq.pid" ]; then
		# Only with the node's own ports: a stale folder of a crashed run is just killed.
		if [ -n "${MIH_AMQP_EPMD_PORT:-}" ] && [ -d "$MIH_AMQP_DIR/home" ] && [ -d "$MIH_AMQP_DIR/log" ]; then
			mih_rabbitmq_ctl stop "$MIH_AMQP_DIR/rabbitmq.pid" >/dev/null 2>&1 || true
		fi
		pid="$(cat "$MIH_AMQP_DIR/rabbitmq.pid" 2>/dev/null || true)"
		[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
	fi
	# Our own epmd, on its private port (another epmd on this machine is left alone).
	if [ -n "${MIH_AMQP_EPMD_PORT:-}" ]; then
		ERL_EPMD_PORT="$MIH_AMQP_EPMD_PORT" epmd -kill >/dev/null 2>&1 || true
	fi
	rm -rf "$MIH_AMQP_DIR"
}

mih_rabbitmq_start() {
	echo "== a private RabbitMQ broker on 127.0.0.1"
	command -v mih_install_no_start >/dev/null 2>&1 || . "$MIH_ROOT/scripts/dbservers.sh"
	mih_install_no_start rabbitmq-server librabbitmq-dev php-amqplib
	mih_rabbitmq_stop
	mkdir -p "$MIH_AMQP_DIR/mnesia" "$MIH_AMQP_DIR/log" "$MIH_AMQP_DIR/home"
	chmod 700 "$MIH_AMQP_DIR/home"
	MIH_AMQP_PORT="$(mih_free_port)"
	MIH_AMQP_DIST_PORT="$(mih_free_port)"
	while [ "$MIH_AMQP_DIST_PORT" = "$MIH_AMQP_PORT" ]; do MIH_AMQP_DIST_PORT="$(mih_free_port)"; done
	MIH_AMQP_EPMD_PORT="$(mih_free_port)"
	while [ "$MIH_AMQP_EPMD_PORT" = "$MIH_AMQP_PORT" ] || [ "$MIH_AMQP_EPMD_PORT" = "$MIH_AMQP_DIST_PORT" ]; do
		MIH_AMQP_EPMD_PORT="$(mih_free_port)"
	done
	export MIH_AMQP_PORT MIH_AMQP_DIST_PORT MIH_AMQP_EPMD_PORT
	password="$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
	printf '[].\n' >"$MIH_AMQP_DIR/enabled_plugins"
	: >"$MIH_AMQP_DIR/rabbitmq-env.conf"
	printf '[].\n' >"$MIH_AMQP_DIR/advanced.config"
	cat >"$MIH_AMQP_DIR/rabbitmq.conf" <<-EOF
		listeners.tcp.1 = 127.0.0.1:$MIH_AMQP_PORT
		loopback_users = none
		default_user = mih
		default_pass = $password
		default_vhost = /
		log.console = false
		log.file.level = warning
		disk_free_limit.absolute = 50MB
	EOF
	env $(mih_rabbitmq_env) "$MIH_RABBIT_BIN/rabbitmq-server" >"$MIH_AMQP_DIR/log/server.out" 2>&1 &
	if ! mih_rabbitmq_ctl wait --timeout 120 "$MIH_AMQP_DIR/rabbitmq.pid" >"$MIH_AMQP_DIR/log/await.out" 2>&1; then
		cat "$MIH_AMQP_DIR/log/await.out" "$MIH_AMQP_DIR/log/server.out" >&2
		tail -30 "$MIH_AMQP_DIR/log/node.log" >&2 2>/dev/null || true
		echo "RabbitMQ did not start" >&2
		return 1
	fi
	MIH_TEST_AMQP_URL="amqp://mih:$password@127.0.0.1:$MIH_AMQP_PORT/"
	MIH_TEST_AMQP_DIR="$MIH_AMQP_DIR"
	MIH_TEST_AMQP_CTL="env $(mih_rabbitmq_env | tr '\n' ' ') $MIH_RABBIT_BIN/rabbitmqctl -n mihtest@localhost"
	export MIH_TEST_AMQP_URL MIH_TEST_AMQP_DIR MIH_TEST_AMQP_CTL
	echo "   RabbitMQ $(mih_rabbitmq_ctl version 2>/dev/null) on 127.0.0.1:$MIH_AMQP_PORT (node mihtest@localhost, data in $MIH_AMQP_DIR)"
}
