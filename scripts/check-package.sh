#!/bin/sh
# package.xml must list every source and test file, and be a valid PECL
# package 2.0 description.
set -eu
cd "$(dirname "$0")/.."
php scripts/package.php --check
out="$(pecl package-validate package.xml 2>&1)" || { echo "$out"; exit 1; }
echo "$out" | tail -1
echo "$out" | grep -q "Validation: 0 error(s)" || { echo "$out"; exit 1; }
