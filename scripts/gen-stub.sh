#!/bin/sh
# Regenerates ext/mih_arginfo.h from ext/mih.stub.php with PHP's own
# build/gen_stub.php, using Debian's php-parser instead of a download.
# With --verify, regenerates into a scratch copy and fails when the committed
# header differs (the header is committed and never edited by hand).
# The header is over 600 lines and needs no split: it is generated, one
# arginfo block per method of the stub; scripts/check-layout.sh exempts files
# whose first line says "This is a generated file".
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
gen="$(php-config --extension-dir)/build/gen_stub.php"
[ -f "$gen" ] || gen="$(php-config --prefix)/lib/php/build/gen_stub.php"
[ -f "$gen" ] || { echo "gen_stub.php not found: install php8.2-dev" >&2; exit 1; }
[ -d /usr/share/php/PhpParser ] || { echo "PHP-Parser not found: install php-parser" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$gen" "$work/gen_stub.php"
mkdir -p "$work/PHP-Parser-4.15.1/lib"
ln -s /usr/share/php/PhpParser "$work/PHP-Parser-4.15.1/lib/PhpParser"
# gen_stub.php needs the tokenizer extension, a shared module on Debian.
tok=""
php -m | grep -qx tokenizer || tok="-d extension=tokenizer"
cp "$root/ext/mih.stub.php" "$work/mih.stub.php"
php $tok "$work/gen_stub.php" -f "$work/mih.stub.php" >/dev/null
if [ "${1:-}" = "--verify" ]; then
	if ! cmp -s "$work/mih_arginfo.h" "$root/ext/mih_arginfo.h"; then
		echo "ext/mih_arginfo.h is stale: run scripts/gen-stub.sh" >&2
		diff -u "$root/ext/mih_arginfo.h" "$work/mih_arginfo.h" | head -40 >&2 || true
		exit 1
	fi
	echo "arginfo: ext/mih_arginfo.h is current"
else
	cp "$work/mih_arginfo.h" "$root/ext/mih_arginfo.h"
	echo "generated ext/mih_arginfo.h"
fi
