#!/bin/sh
# The whole test suite: installs what is missing, builds, then checks the
# generated arginfo, package.xml, the layout of ext/ (scripts/check-layout.sh),
# the C unit tests of the Zend-free cores
# (plain and under valgrind), a leak check of the phpt suite under valgrind,
# the store tests on the Moodle-$DB stand-in over SQLite and over private
# PostgreSQL 15 and MariaDB servers (scripts/dbservers.sh), the Moodle plugin
# (its PHP, and its JavaScript build: Node.js and npm, then npm ci from its
# package-lock.json), the product's one version (scripts/check-version.sh),
# the IDE stub (generated from ext/mih.stub.php, compared with the loaded
# extension), the three ways to install it (PIE's composer.json, a PECL
# tarball built again from itself, the php8.2-mih Debian package:
# scripts/check-install.sh), and finally the phpt suite itself, whose
# run-tests summary ends the output. A private RabbitMQ node
# (scripts/rabbitmq.sh) serves the AMQP tests, C and phpt, from the C unit
# tests to the end.
# Exit status is non-zero on any failure.
set -eu
. "$(dirname "$0")/lib.sh"
. "$MIH_ROOT/scripts/dbservers.sh"
mih_install valgrind php8.2-xml php8.2-soap php8.2-mbstring
# scripts/check-install.sh: Composer's schema, a JSON-schema validator, and
# what dpkg-buildpackage needs for debian/ (dh-php); phpstan's PHPDoc parser for
# the IDE stub's docblocks.
mih_install composer php-json-schema dh-php debhelper php-all-dev dpkg-dev build-essential fakeroot xml2 lintian \
	php-phpstan-phpdoc-parser
. "$MIH_ROOT/scripts/rabbitmq.sh"
mih_build
cd "$MIH_ROOT"
# The AMQP tests (tests/c/test_amqp, tests/amqp) need the broker: here they run, never skip.
if ! php8.2 -n -d extension="$MIH_ROOT/modules/mih.so" -i | grep -q "AMQP support => enabled"; then
	echo "modules/mih.so was built without AMQP support (librabbitmq-dev missing?)" >&2
	exit 1
fi
mih_rabbitmq_start
trap 'mih_rabbitmq_stop' EXIT
trap 'exit 130' INT TERM
export MIH_TEST_AMQP_REQUIRED=1

echo "== arginfo"
scripts/gen-stub.sh --verify

echo "== package.xml"
scripts/check-package.sh

echo "== layout (include cycles, cores free of Zend, long files explained)"
scripts/check-layout.sh

echo "== one version (CHANGELOG.md, php_mih.h, mih::version(), package.xml, debian/changelog, the plugin)"
sh scripts/check-version.sh

echo "== the IDE stub (moodle/local/integrationhub/stubs/mih.php, from ext/mih.stub.php)"
php scripts/gen-ide-stub.php --verify
php -n -d extension="$MIH_ROOT/modules/mih.so" scripts/check-ide-stub.php

echo "== C unit tests"
make -s -C tests/c all
make -s -C tests/c check
echo "== C unit tests under valgrind"
for t in tests/c/test_*; do
	case "$t" in *.c) continue ;; esac
	valgrind -q --leak-check=full --error-exitcode=1 "$t" >/dev/null 2>"$t.valgrind" \
		|| { cat "$t.valgrind"; echo "valgrind: $t failed" >&2; exit 1; }
	rm -f "$t.valgrind"
done
echo "   valgrind: C unit tests clean"

echo "== a short libFuzzer pass over the cores (FUZZ_SECONDS=${FUZZ_SECONDS:=10} each; fuzz/run.sh for longer)"
mih_install clang libclang-rt-14-dev
FUZZ_SECONDS="$FUZZ_SECONDS" sh fuzz/run.sh >tests/fuzz.log 2>&1 || { tail -30 tests/fuzz.log; echo "fuzzing found a crash" >&2; exit 1; }
grep -E "^== |Done [0-9]+ runs|without a crash" tests/fuzz.log

PHP="$(command -v php8.2 || command -v php)"
# Without the module every phpt would merely skip: fail loudly instead.
$PHP -n -d extension="$MIH_ROOT/modules/mih.so" -r 'exit(extension_loaded("mih") ? 0 : 1);' \
	|| { echo "modules/mih.so does not load" >&2; exit 1; }
# The system extension_dir stays, so a test's --EXTENSIONS-- (pdo_sqlite for
# the Moodle-$DB backend) loads from Debian's modules.
RUN="$PHP run-tests.php -q -P -n -d extension=$MIH_ROOT/modules/mih.so --show-diff"
# The behavioural store tests run a second time on the Moodle-$DB backend.
BACKEND_TESTS=""
for d in tests/queue tests/dbstore tests/privacy tests/secrets; do [ -d "$d" ] && BACKEND_TESTS="$BACKEND_TESTS $d"; done

if [ "${MIH_SKIP_VALGRIND:-0}" != "1" ]; then
	echo "== phpt suite under valgrind (leaks and invalid accesses)"
	export USE_ZEND_ALLOC=0 ZEND_DONT_UNLOAD_MODULES=1
	export VALGRIND_OPTS="--leak-check=full --error-exitcode=1 --suppressions=$PWD/tests/valgrind.supp --trace-children-skip-by-arg=*router.inc,*raw_server.inc,*child.inc,*rabbitmqctl"
	TEST_PHP_ARGS="" $RUN -m -j2 --set-timeout 300 tests/ >tests/valgrind.log 2>&1 || {
		tail -40 tests/valgrind.log; echo "valgrind pass failed" >&2; exit 1; }
	grep -E "^Tests (passed|failed)|LEAKED|^Tests leaked" tests/valgrind.log || true
	if grep -q "^Tests failed *: *[1-9]\|^Tests leaked *: *[1-9]" tests/valgrind.log; then
		grep -E "^(FAIL|LEAK)" tests/valgrind.log
		echo "valgrind pass found failures or leaks" >&2
		exit 1
	fi
	unset USE_ZEND_ALLOC ZEND_DONT_UNLOAD_MODULES VALGRIND_OPTS
fi

# One pass of the store tests on a Moodle-$DB engine: $1 the backend name,
# then run-tests' extra arguments (the PDO driver to load).
mih_backend_pass() {
	backend="$1"
	shift
	echo "== phpt store tests on the Moodle \$DB backend ($backend)"
	MIH_TEST_BACKEND=$backend $RUN "$@" -j2 $BACKEND_TESTS >"tests/$backend.log" 2>&1 || true
	grep -E "^Tests (passed|failed|skipped)" "tests/$backend.log"
	if ! grep -q "^Tests failed *: *0 " "tests/$backend.log"; then
		grep -E "^FAIL" "tests/$backend.log"
		echo "the Moodle \$DB backend pass ($backend) failed" >&2
		exit 1
	fi
}
# SQLite under the stand-in, then real PostgreSQL 15 and MariaDB servers
# (private instances under tests/.db, stopped when this script ends).
mih_backend_pass moodle
mih_dbservers_start
PDO="-d extension=pdo -d extension=pdo_sqlite"
mih_backend_pass moodle-pgsql $PDO -d extension=pdo_pgsql
mih_backend_pass moodle-mysql $PDO -d extension=mysqlnd -d extension=pdo_mysql

echo "== the Moodle plugin (lint, install.xml against the store schema, observer/binding/task over a fake \$DB)"
$PHP -n -d extension=ctype -d extension=dom -d extension=pdo -d extension=pdo_sqlite -d extension="$MIH_ROOT/modules/mih.so" \
	moodle/local/integrationhub/tests/ci/check.php

echo "== the Moodle plugin's JavaScript (amd/build is what amd/src builds to; each file defines its named module)"
sh scripts/build-amd.sh --check

echo "== installing with PIE, PECL and apt (composer.json, mih-VERSION.tgz, php8.2-mih)"
sh scripts/check-install.sh

echo "== phpt suite"
set +e
$RUN -j2 tests/ 2>&1 | tee tests/run.log
status=$?
set -e
passed=$(sed -n 's/^Tests passed *: *\([0-9]*\).*/\1/p' tests/run.log | tail -1)
failed=$(sed -n 's/^Tests failed *: *\([0-9]*\).*/\1/p' tests/run.log | tail -1)
skipped=$(sed -n 's/^Tests skipped *: *\([0-9]*\).*/\1/p' tests/run.log | tail -1)
echo "phpt: ${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
if [ "$status" -ne 0 ] || [ "${failed:-0}" != "0" ] || [ -z "$passed" ] || [ "$passed" = "0" ]; then
	exit 1
fi
