#!/bin/sh
# Runs the benchmark suite and writes bench/RESULTS.md (as root on Debian 12):
#
#     sh bench/run.sh              every benchmark under bench/*/
#     sh bench/run.sh template     only the named ones
#
# Each benchmark is a directory bench/<name>/ holding run.php, which prints one markdown section
# on stdout (progress on stderr) and exits 0, or 3 when it measured fine but missed a target;
# an optional bench/<name>/packages lists the Debian packages of its baselines, installed here
# when missing. Not part of .ci/run: figures depend on the machine, no benchmark is a test.
set -eu

cd "$(dirname "$0")/.."
ROOT="$PWD"
# shellcheck source=../scripts/lib.sh
. scripts/lib.sh

if [ $# -gt 0 ]; then
	benches="$*"
else
	benches="$(for d in bench/*/; do [ -f "${d}run.php" ] && basename "$d"; done)"
fi
extra=""
for b in $benches; do
	[ -f "bench/$b/run.php" ] || { echo "no benchmark bench/$b/run.php" >&2; exit 1; }
	[ -f "bench/$b/packages" ] && extra="$extra $(grep -v '^#' "bench/$b/packages" | tr '\n' ' ')"
done
# shellcheck disable=SC2086
mih_install valgrind $extra
if [ ! -f modules/mih.so ]; then
	mih_build
fi
cd "$ROOT"

cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
mem="$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
php_version="$(php -r 'echo PHP_VERSION;')"
curl_version="$(dpkg-query -W -f='${Version}' libcurl4 2>/dev/null || echo '?') (Debian's libcurl4, OpenSSL build)"
jansson_version="$(dpkg-query -W -f='${Version}' libjansson4 2>/dev/null || echo '?')"
commit="$(git rev-parse --short HEAD 2>/dev/null || echo '?')"
dirty="$(git status --porcelain 2>/dev/null | grep -q . && echo ', with uncommitted changes' || true)"

# Run a private copy: a rebuild overwriting modules/mih.so in place would crash a running bench.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
so="$work/mih.so"
cp modules/mih.so "$so"
out="$work/RESULTS.md"
{
	echo "# Benchmark results"
	echo
	echo "Written by \`sh bench/run.sh${*:+ $*}\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit$dirty."
	echo
	echo "| machine | |"
	echo "| --- | --- |"
	echo "| CPU | $cpu, $(nproc) CPUs available |"
	echo "| memory | $mem |"
	echo "| kernel | $(uname -sr) |"
	echo "| PHP | $php_version (CLI, $(php -r 'echo PHP_ZTS ? "ZTS" : "NTS";'), OPcache off for the CLI) |"
	echo "| libcurl | $curl_version |"
	echo "| jansson | $jansson_version |"
	echo "| extension | modules/mih.so of $(date -u -r modules/mih.so '+%Y-%m-%d %H:%M UTC'), built with \`$(sed -n 's/^CFLAGS = //p' Makefile 2>/dev/null)\` |"
	echo
	echo "Each benchmark runs as \`php -d extension=<copy of modules/mih.so> -d mih.shm_path=<private breaker table> bench/<name>/run.php\` (a private copy, so that a rebuild cannot change it mid-run)."
	echo "The machine may be shared: the slowest and fastest run are given next to each median."
	echo
} >"$out"

status=0
for b in $benches; do
	echo "== bench/$b" >&2
	rc=0
	# A breaker table of the run's own (mih.shm_path is PHP_INI_SYSTEM: only -d sets it).
	MIH_SO="$so" php -d extension="$so" -d mih.shm_path="$work/breaker.shm" "bench/$b/run.php" >"$work/section.md" || rc=$?
	case $rc in
	0|3) cat "$work/section.md" >>"$out"; echo >>"$out"
		[ $rc -eq 3 ] && echo "   bench/$b: some targets missed (see RESULTS.md)" >&2 ;;
	*) echo "bench/$b failed (exit $rc)" >&2; status=1 ;;
	esac
done
cat "$out" > bench/RESULTS.md
echo "== wrote bench/RESULTS.md" >&2
exit $status
