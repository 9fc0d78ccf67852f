#!/bin/sh
# The three ways an admin installs mih, checked as they would run them:
# - PIE: composer.json against Composer's schema and PIE's php-ext schema,
#   its configure-options against config.m4 (scripts/check-composer.php);
# - PECL: `pecl package` builds mih-VERSION.tgz from package.xml, which is
#   then unpacked into a scratch directory and built there (phpize,
#   configure, make), and the module it built is loaded to print
#   mih::version();
# - apt: the PECL tarball is the Debian source (package.xml and
#   mih-VERSION/, as for Debian's own PECL packages) with debian/ added;
#   dpkg-buildpackage -us -uc builds php8.2-mih with dh-php, and the .deb is
#   unpacked with dpkg -x into a scratch root to check the module, the ini in
#   mods-available and the maintainer scripts that enable it, and lintian
#   checks the packages.
# Everything is built under a scratch directory, never in the work tree.
# Needs: composer php-json-schema php-pear dh-php debhelper php-all-dev
# dpkg-dev build-essential fakeroot xml2 lintian (scripts/test.sh installs them).
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scratch="$(mktemp -d /tmp/mih-install.XXXXXX)"
trap '[ -n "${MIH_KEEP_SCRATCH:-}" ] || rm -rf "$scratch"' EXIT
fail() { echo "check-install: $*" >&2; exit 1; }

echo "== install: PIE (composer.json)"
php scripts/check-composer.php

version="$(sed -n 's/^#define PHP_MIH_VERSION "\([^"]*\)"/\1/p' ext/php_mih.h)"
[ -n "$version" ] || fail "no PHP_MIH_VERSION in ext/php_mih.h"

echo "== install: PECL (pecl package, then a build from the tarball)"
mkdir "$scratch/pecl"
(cd "$scratch/pecl" && pecl package "$root/package.xml") >"$scratch/pecl.log" 2>&1 \
	|| { cat "$scratch/pecl.log"; fail "pecl package failed"; }
tgz="$scratch/pecl/mih-$version.tgz"
[ -f "$tgz" ] || { cat "$scratch/pecl.log"; fail "pecl package did not write mih-$version.tgz"; }
# The one warning allowed: the release date (CHANGELOG.md's, checked by
# check-version.sh) is a fact of the release, and a package built on a later
# day than its release is still that release. Any other warning fails.
reldate="$(sed -n 's|^ <date>\(.*\)</date>$|\1|p' package.xml)"
[ "$reldate" \> "$(date -u +%Y-%m-%d)" ] && fail "package.xml's release date $reldate is in the future"
grep -E "Warning|Error" "$scratch/pecl.log" \
	| grep -vxF "Warning: Channel validator warning: field \"date\" - Release Date \"$reldate\" is not today" \
	&& { cat "$scratch/pecl.log"; fail "pecl package warned"; }
mkdir "$scratch/unpacked"
tar -xzf "$tgz" -C "$scratch/unpacked"
src="$scratch/unpacked/mih-$version"
[ -f "$scratch/unpacked/package.xml" ] && [ -f "$src/config.m4" ] || fail "the tarball lacks package.xml or mih-$version/config.m4"
(
	cd "$src"
	phpize >/dev/null 2>&1
	./configure -q >/dev/null
	make -j2 >"$scratch/make.log" 2>&1
) || { tail -30 "$scratch/make.log"; fail "the build from mih-$version.tgz failed"; }
got="$(php -n -d extension="$src/modules/mih.so" -r 'echo local_integrationhub\mih::version();')"
echo "   built from mih-$version.tgz ($(du -k "$tgz" | cut -f1) KiB): mih::version() = $got"
[ "$got" = "$version" ] || fail "the module built from the tarball says $got, not $version"

echo "== install: apt (dpkg-buildpackage of php8.2-mih, then dpkg -x)"
deb="$scratch/deb"
mkdir -p "$deb/php-mih-$version"
tar -xzf "$tgz" -C "$deb/php-mih-$version"
cp -a debian "$deb/php-mih-$version/debian"
cp "$tgz" "$deb/php-mih_$version.orig.tar.gz"
(
	cd "$deb/php-mih-$version"
	DEB_BUILD_OPTIONS="parallel=2" dpkg-buildpackage -us -uc
) >"$scratch/deb.log" 2>&1 || { tail -40 "$scratch/deb.log"; fail "dpkg-buildpackage failed"; }
grep "mih::version() = $version" "$scratch/deb.log" >/dev/null || fail "the package build did not load its module"
# dh-php writes debian/control from debian/control.in: the committed one must be what it writes.
(cd "$deb/php-mih-$version" && /usr/share/dh-php/gen-control -a) \
	&& cmp -s debian/control "$deb/php-mih-$version/debian/control" \
	|| fail "debian/control is not what /usr/share/dh-php/gen-control -a writes from debian/control.in"
pkg="$(ls "$deb"/php8.2-mih_"$version"-*_*.deb 2>/dev/null | head -1)"
[ -n "$pkg" ] || { ls "$deb"; fail "no php8.2-mih .deb was built"; }
ls "$deb"/php-mih_"$version"-*.dsc >/dev/null 2>&1 || fail "no source package (.dsc) was built"
dpkg-deb -f "$pkg" Package Version Depends
dpkg -x "$pkg" "$deb/root"
dpkg-deb -e "$pkg" "$deb/control"
so="$deb/root/$(php-config --extension-dir)/mih.so"
[ -f "$so" ] || fail "the .deb has no $(php-config --extension-dir)/mih.so"
ini="$deb/root/etc/php/8.2/mods-available/mih.ini"
[ -f "$ini" ] || fail "the .deb has no /etc/php/8.2/mods-available/mih.ini"
grep -qx "; priority=20" "$ini" || fail "mih.ini has no '; priority=20' line"
grep -qx "extension=mih.so" "$ini" || fail "mih.ini does not load mih.so"
grep -q 'php_invoke enmod "$version" ALL "$name"' "$deb/control/postinst" \
	&& grep -q 'for name in mih ' "$deb/control/postinst" \
	|| { cat "$deb/control/postinst"; fail "postinst does not enable mih (phpenmod) for every SAPI"; }
grep -q "php_invoke dismod" "$deb/control/prerm" || fail "prerm does not disable mih"
dpkg-deb -f "$pkg" Depends | grep -q "libjansson4" || fail "php8.2-mih does not depend on libjansson4"
got="$(php -n -d extension="$so" -r 'echo local_integrationhub\mih::version();')"
[ "$got" = "$version" ] || fail "the packaged mih.so says $got, not $version"
# Debian's own checks of the source and binary packages. The project has no
# public mail address, so the maintainer's (mih@localhost) is let through.
lintian --fail-on error --suppress-tags bogus-mail-host,bogus-mail-host-in-debian-changelog \
	"$deb"/php-mih_"$version"-*_*.changes >"$scratch/lintian.log" 2>&1 \
	|| { cat "$scratch/lintian.log"; fail "lintian found errors in the Debian packages"; }
echo "   lintian: no errors ($(grep -c '^W: ' "$scratch/lintian.log" || true) warnings)"
echo "   $(basename "$pkg"): mih.so, mods-available/mih.ini (priority 20), postinst enables it for cli, fpm and apache2; mih::version() = $got"
