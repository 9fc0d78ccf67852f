#!/bin/sh
# Regenerates ext/mih_arginfo.h from ext/mih.stub.php (and ext/mih_soap_arginfo.h from
# ext/mih_soap.stub.php: the class registered only when ext/soap is loaded) with PHP's own
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
status=0
for name in mih mih_soap; do
	cp "$root/ext/$name.stub.php" "$work/$name.stub.php"
	php $tok "$work/gen_stub.php" -f "$work/$name.stub.php" >/dev/null
	if [ "${1:-}" = "--verify" ]; then
		if ! cmp -s "$work/${name}_arginfo.h" "$root/ext/${name}_arginfo.h"; then
			echo "ext/${name}_arginfo.h is stale: run scripts/gen-stub.sh" >&2
			diff -u "$root/ext/${name}_arginfo.h" "$work/${name}_arginfo.h" | head -40 >&2 || true
			status=1
			continue
		fi
		echo "arginfo: ext/${name}_arginfo.h is current"
	else
		cp "$work/${name}_arginfo.h" "$root/ext/${name}_arginfo.h"
		echo "generated ext/${name}_arginfo.h"
	fi
done
exit $status
