#!/bin/sh
# Installs what is missing, builds the extension and runs the demo: a local
# receiver on 127.0.0.1 and the cookbook's calls against it.
set -eu
. "$(dirname "$0")/lib.sh"
mih_install
mih_build
cd "$MIH_ROOT"
echo "== demo"
exec "$(command -v php8.2 || command -v php)" -d extension="$MIH_ROOT/modules/mih.so" demo/demo.php
