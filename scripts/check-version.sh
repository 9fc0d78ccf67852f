#!/bin/sh
# One version for the product: CHANGELOG.md's newest release heading is the
# version, date and stability every other place must carry:
# - ext/php_mih.h PHP_MIH_VERSION, and mih::version() of the built module;
# - package.xml (written from CHANGELOG.md by scripts/package.php: --check);
# - debian/changelog's newest entry (upstream part of X.Y.Z-N);
# - the plugin's $plugin->release, its maturity (MATURITY_BETA for beta),
#   and the minimum extension version of its environment check, which is
#   at most the product's version.
# Usage: scripts/check-version.sh [path/to/mih.so]
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
so="${1:-$root/modules/mih.so}"
fail() { echo "check-version: $*" >&2; exit 1; }

head="$(sed -n 's/^## \([0-9][0-9.]*\) (\([0-9-]*\), \([a-z]*\))$/\1 \2 \3/p' CHANGELOG.md | head -1)"
[ -n "$head" ] || fail "CHANGELOG.md has no '## X.Y.Z (YYYY-MM-DD, stability)' heading"
set -- $head
version="$1" date="$2" stability="$3"

h="$(sed -n 's/^#define PHP_MIH_VERSION "\([^"]*\)"$/\1/p' ext/php_mih.h)"
[ "$h" = "$version" ] || fail "ext/php_mih.h says $h, CHANGELOG.md $version"

got="$(php -n -d extension="$so" -r 'echo local_integrationhub\mih::version(), " ", phpversion("mih");')"
[ "$got" = "$version $version" ] || fail "mih::version() and phpversion('mih') say '$got', not $version"

php scripts/package.php --check >/dev/null || fail "package.xml is not what CHANGELOG.md makes (php scripts/package.php)"
grep -q "^ <date>$date</date>$" package.xml || fail "package.xml's date is not $date"

deb="$(sed -n '1s/^php-mih (\([^)]*\)).*/\1/p' debian/changelog)"
[ "${deb%-*}" = "$version" ] || fail "debian/changelog's newest entry is $deb, not $version-N"

plugin=moodle/local/integrationhub
rel="$(sed -n "s/^\$plugin->release = '\([^']*\)';$/\1/p" $plugin/version.php)"
[ "$rel" = "$version" ] || fail "$plugin/version.php release is '$rel', not $version"
case "$stability" in
	alpha) maturity=MATURITY_ALPHA ;; beta) maturity=MATURITY_BETA ;; stable) maturity=MATURITY_STABLE ;;
esac
grep -q "^\$plugin->maturity = $maturity;$" $plugin/version.php || fail "$plugin/version.php maturity is not $maturity ($stability)"

min="$(sed -n "s/^define('LOCAL_INTEGRATIONHUB_MIH_MIN_VERSION', '\([^']*\)');$/\1/p" $plugin/lib.php)"
[ -n "$min" ] || fail "$plugin/lib.php defines no LOCAL_INTEGRATIONHUB_MIH_MIN_VERSION"
php -n -r 'exit(version_compare($argv[1], $argv[2], "<=") ? 0 : 1);' "$min" "$version" \
	|| fail "the plugin needs mih $min, newer than the product's $version"

echo "version: $version ($date, $stability) in CHANGELOG.md, php_mih.h, mih::version(), package.xml, debian/changelog and version.php; the plugin needs mih >= $min"
