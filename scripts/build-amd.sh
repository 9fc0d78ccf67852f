#!/bin/sh
# Builds the Moodle plugin's JavaScript, moodle/local/integrationhub/amd/build/NAME.min.js
# and NAME.min.js.map from amd/src/NAME.js, as Moodle 5.0's `grunt amd` does (the
# plugin's package.json and .build/amd.js), after `npm ci` from the committed
# package-lock.json when node_modules is not already that install.
#
#   scripts/build-amd.sh           rebuild amd/build in place (commit the result)
#   scripts/build-amd.sh --check   build into a temporary directory, fail when amd/build
#                                  differs from it, then check amd/build as RequireJS loads it
set -eu
. "$(dirname "$0")/lib.sh"
PLUGIN="$MIH_ROOT/moodle/local/integrationhub"

check=0
case "${1:-}" in
	"") ;;
	--check) check=1 ;;
	*) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

# Node.js and npm: the machine's own when it has both (a Node.js from outside Debian
# carries its npm, and Debian's npm package conflicts with it), else Debian's.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	mih_install nodejs npm
fi

cd "$PLUGIN"
# npm ci only when package.json or package-lock.json changed since the last one.
stamp=node_modules/.mih-installed
if ! [ -f "$stamp" ] || ! cat package.json package-lock.json | cmp -s - "$stamp"; then
	echo "   npm ci (moodle/local/integrationhub/package-lock.json)"
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
	cat package.json package-lock.json >"$stamp"
fi

if [ "$check" -eq 0 ]; then
	node .build/amd.js
	exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
node .build/amd.js --out "$tmp/build" >/dev/null
if ! diff -rq "$tmp/build" amd/build >"$tmp/diff" 2>&1; then
	sed "s|$tmp/build|(built now)|" "$tmp/diff"
	echo "amd/build is not what amd/src builds to: run scripts/build-amd.sh and commit amd/build" >&2
	exit 1
fi
echo "   amd/build is current with amd/src"
node .build/verify.js
