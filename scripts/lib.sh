# Shared steps of scripts/demo.sh and scripts/test.sh (sourced, not run).
# Installs what is missing from Debian's packages, then builds the extension.

MIH_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MIH_PACKAGES="php8.2-cli php8.2-dev php8.2-sqlite3 php-parser php-pear pkg-config make gcc libc6-dev
	libcurl4-openssl-dev libjansson-dev libsqlite3-dev libssl-dev librabbitmq-dev"

mih_install() {
	missing=""
	for p in $MIH_PACKAGES "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		echo "== installing:$missing"
		if [ "$(id -u)" -ne 0 ]; then
			echo "missing packages:$missing (run as root, or install them first)" >&2
			exit 1
		fi
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		# shellcheck disable=SC2086
		apt-get install -y -qq --no-install-recommends $missing >/dev/null
	fi
}

# Builds modules/mih.so; any compiler warning fails the build.
mih_build() {
	cd "$MIH_ROOT"
	echo "== building the extension"
	if [ ! -f Makefile ] || [ config.m4 -nt Makefile ]; then
		phpize >/dev/null 2>&1
		./configure -q >/dev/null
	fi
	log="$(mktemp)"
	if ! make -j"$(nproc)" >"$log" 2>&1; then
		cat "$log"
		rm -f "$log"
		echo "build failed" >&2
		exit 1
	fi
	if grep -E "warning:" "$log"; then
		rm -f "$log"
		echo "build produced warnings (the build must be warning-free)" >&2
		exit 1
	fi
	rm -f "$log"
	echo "   built modules/mih.so"
}
