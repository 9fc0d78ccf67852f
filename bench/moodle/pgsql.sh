#!/bin/sh
# Runs its arguments with a private PostgreSQL 15 on 127.0.0.1 (scripts/dbservers.sh: Debian's
# postgresql-15, installed when missing without starting Debian's own cluster; data in a temporary
# directory; stopped and removed when this script ends). MIH_TEST_PGSQL and MIH_TEST_PGSQL_USER
# tell tests/moodle_db_server.inc where it is.
set -eu
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
# shellcheck source=../../scripts/lib.sh
. scripts/lib.sh
MIH_ROOT="$root"
MIH_DB_DIR="$(mktemp -d /tmp/mih-bench-pg-XXXXXX)"
chmod 755 "$MIH_DB_DIR"
# shellcheck source=../../scripts/dbservers.sh
. scripts/dbservers.sh
mih_install_no_start postgresql-15 php8.2-pgsql >&2
trap 'mih_pg_stop; rm -rf "$MIH_DB_DIR"' EXIT
trap 'exit 130' INT TERM
mih_pg_start >&2
"$@"
