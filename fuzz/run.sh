#!/bin/sh
# Build and run every libFuzzer harness fuzz/<area>/fuzz_*.c (the folders of
# ext/core/<area>/) over the Zend-free cores for a bounded time each (default
# 60 s; FUZZ_SECONDS overrides); the seeds of fuzz_<name> are in
# fuzz/<area>/corpus/<name>/.
# Needs clang and libclang-rt-14-dev. Exits non-zero on the first crash.
set -eu
cd "$(dirname "$0")"
SECONDS_EACH="${FUZZ_SECONDS:-60}"
CORE=../ext/core
INCLUDES=""
for d in "$CORE"/*/; do INCLUDES="$INCLUDES -I${d%/}"; done
mkdir -p build
for src in */fuzz_*.c; do
	area="${src%%/*}"
	base="${src#*/}"
	name="${base%.c}"
	# shellcheck disable=SC2086
	clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		$INCLUDES $(pkg-config --cflags jansson libcrypto sqlite3 libcurl) \
		-o "build/$name" "$src" "$CORE"/*/*.c $(pkg-config --libs jansson libcrypto sqlite3 libcurl) -lm -lpthread
	corpus="$area/corpus/${name#fuzz_}"
	mkdir -p "build/$name.corpus"
	echo "== $name for ${SECONDS_EACH}s (seeds: $corpus)"
	"build/$name" -max_total_time="$SECONDS_EACH" -timeout=10 -max_len=4096 \
		"build/$name.corpus" "$corpus"
done
echo "fuzz: all harnesses ran without a crash"
