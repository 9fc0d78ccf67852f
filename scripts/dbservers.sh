# Private PostgreSQL 15 and MariaDB servers for the test run (sourced by
# scripts/test.sh after lib.sh, never run on its own).
#
# mih_dbservers_start installs Debian's packages when missing (with a
# policy-rc.d that forbids starting Debian's own clusters and services),
# then starts one instance of each under tests/.db/ (gitignored) on
# 127.0.0.1 and a free random port, as the unprivileged user that owns the
# data directory, and exports the connection for tests/moodle_db.inc:
#   MIH_TEST_PGSQL="host=127.0.0.1;port=N;dbname=mih"  MIH_TEST_PGSQL_USER
#   MIH_TEST_MYSQL="host=127.0.0.1;port=N;dbname=mih"  MIH_TEST_MYSQL_USER
# mih_dbservers_stop (installed as an EXIT trap) stops both and removes
# their data. Nothing outside tests/.db is touched.

MIH_PG_BIN=/usr/lib/postgresql/15/bin
MIH_DB_DIR="${MIH_DB_DIR:-$MIH_ROOT/tests/.db}"

# Installs packages with Debian's service start-up forbidden; a policy-rc.d
# already there (a container's) is left as it was.
mih_install_no_start() {
	own_policy=0
	if [ ! -e /usr/sbin/policy-rc.d ] && [ "$(id -u)" -eq 0 ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		own_policy=1
	fi
	set +e
	tries=0
	until (mih_install "$@"); do
		tries=$((tries + 1))
		[ "$tries" -lt 5 ] || break
		echo "   (apt busy? retrying in 10 s)"
		sleep 10
	done
	set -e
	[ "$own_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
	(mih_install "$@")
}

# A TCP port nobody listens on at the moment.
mih_free_port() {
	php8.2 -n -r '$s = stream_socket_server("tcp://127.0.0.1:0"); $n = stream_socket_get_name($s, false); echo substr($n, strrpos($n, ":") + 1);'
}

# The user that runs a server: postgres and mysqld refuse root.
mih_db_user() {
	if [ "$(id -u)" -ne 0 ]; then
		id -un
	else
		id -u "$1" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$1"
		echo "$1"
	fi
}

mih_as() {
	user="$1"
	shift
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$user" -- "$@"
	else
		"$@"
	fi
}

# The servers run as their own users, which must reach $MIH_DB_DIR: a clone
# under a private folder (mktemp -d is 0700) gets search permission (o+x,
# no listing) on each folder above it.
mih_db_reachable() {
	d="$1"
	while [ "$d" != "/" ] && [ -n "$d" ]; do
		[ "$(id -u)" -eq 0 ] && chmod o+x "$d" 2>/dev/null
		d="$(dirname "$d")"
	done
	return 0
}

mih_pg_start() {
	pguser="$(mih_db_user postgres)"
	dir="$MIH_DB_DIR/pg"
	rm -rf "$dir"
	mkdir -p "$dir"
	mih_db_reachable "$MIH_DB_DIR"
	chown "$pguser" "$dir"
	mih_as "$pguser" "$MIH_PG_BIN/initdb" -D "$dir/data" -U mih --auth=trust -E UTF8 --locale=C.UTF-8 \
		>"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; return 1; }
	port="$(mih_free_port)"
	# fsync off: the tests kill processes, not the machine.
	mih_as "$pguser" "$MIH_PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off -c max_connections=200" \
		start >/dev/null || { cat "$dir/server.log"; return 1; }
	mih_as "$pguser" "$MIH_PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U mih mih
	MIH_TEST_PGSQL="host=127.0.0.1;port=$port;dbname=mih"
	MIH_TEST_PGSQL_USER=mih
	export MIH_TEST_PGSQL MIH_TEST_PGSQL_USER
	echo "   PostgreSQL 15 on 127.0.0.1:$port (data in $dir)"
}

mih_pg_stop() {
	if [ -f "$MIH_DB_DIR/pg/data/postmaster.pid" ]; then
		mih_as "$(mih_db_user postgres)" "$MIH_PG_BIN/pg_ctl" -D "$MIH_DB_DIR/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
}

mih_mariadb_start() {
	myuser="$(mih_db_user mysql)"
	dir="$MIH_DB_DIR/mariadb"
	rm -rf "$dir"
	mkdir -p "$dir/data"
	chown -R "$myuser" "$dir"
	mih_as "$myuser" mariadb-install-db --no-defaults --datadir="$dir/data" --auth-root-authentication-method=normal \
		--skip-test-db >"$dir/install.log" 2>&1 || { cat "$dir/install.log"; return 1; }
	port="$(mih_free_port)"
	mih_as "$myuser" mariadbd --no-defaults --datadir="$dir/data" --port="$port" --bind-address=127.0.0.1 \
		--socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" --log-error="$dir/server.log" \
		--skip-grant-tables --skip-name-resolve --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 \
		--innodb-buffer-pool-size=64M --max-connections=200 \
		--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci >/dev/null 2>&1 &
	i=0
	until mariadb --no-defaults --socket="$dir/mysqld.sock" -u root -e "SELECT 1" >/dev/null 2>&1; do
		i=$((i + 1))
		if [ "$i" -gt 120 ]; then
			cat "$dir/server.log"
			return 1
		fi
		sleep 0.5
	done
	mariadb --no-defaults --socket="$dir/mysqld.sock" -u root \
		-e "CREATE DATABASE mih DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
	MIH_TEST_MYSQL="host=127.0.0.1;port=$port;dbname=mih"
	MIH_TEST_MYSQL_USER=root
	export MIH_TEST_MYSQL MIH_TEST_MYSQL_USER
	echo "   MariaDB $(mariadbd --version | sed 's/.*Ver \([^ ]*\).*/\1/') on 127.0.0.1:$port (data in $dir)"
}

mih_mariadb_stop() {
	pidfile="$MIH_DB_DIR/mariadb/mysqld.pid"
	if [ -f "$pidfile" ]; then
		pid="$(cat "$pidfile")"
		kill "$pid" 2>/dev/null || true
		i=0
		while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 60 ]; do
			sleep 0.5
			i=$((i + 1))
		done
		kill -9 "$pid" 2>/dev/null || true
	fi
}

mih_dbservers_stop() {
	mih_pg_stop
	mih_mariadb_stop
	rm -rf "$MIH_DB_DIR"
}

mih_dbservers_start() {
	echo "== private database servers (PostgreSQL 15, MariaDB) on 127.0.0.1"
	mih_install_no_start postgresql-15 mariadb-server mariadb-client php8.2-pgsql php8.2-mysql
	# The private RabbitMQ of scripts/rabbitmq.sh, when one runs, is stopped with them.
	trap 'mih_dbservers_stop; if command -v mih_rabbitmq_stop >/dev/null 2>&1; then mih_rabbitmq_stop; fi' EXIT
	trap 'exit 130' INT TERM
	mih_pg_start
	mih_mariadb_start
}
